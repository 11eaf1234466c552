"""A content-addressed cache: each source image is processed once per set of parameters."""

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from . import card, pipeline
from .pipeline import Variant

MANIFEST = "manifest.json"


def variant_key(source_sha256: str, widths) -> str:
    """Return the cache key of a source's variants: its bytes' hash plus every parameter."""
    params = {
        "version": pipeline.PIPELINE_VERSION,
        "widths": sorted(widths),
        "jpeg": pipeline.JPEG_QUALITIES,
        "webp": pipeline.WEBP_QUALITIES,
        "budget": pipeline.BUDGET_BYTES_800,
        "og": pipeline.OG_SIZE,
    }
    text = source_sha256 + json.dumps(params, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def card_key(site_name: str, title: str, font_sha256: str) -> str:
    """Return the cache key of a generated share card (10,000 a build: no JSON, 2 µs each).

    NUL cannot occur in the parts (titles and site names are single-line text), so joining
    them with it is unambiguous.
    """
    text = "\0".join((card.CARD_VERSION, site_name, title, font_sha256))
    return hashlib.sha256(text.encode()).hexdigest()


class ImageCache:
    """Variants stored under root/<key[:2]>/<key>/ with a manifest; written atomically.

    One instance per build: what it has found is remembered until the build ends.
    """

    def __init__(self, root):
        self.root = Path(root)
        self._root_text = str(self.root)
        self.processed = 0  # how many sources were really processed (tests, benchmark)
        self._variants: dict[str, tuple[Path, list[Variant]]] = {}  # key → found this build
        self._made: set[Path] = set()  # folders made (or found) this build: 10,000 cards, 256 folders

    def folder(self, key: str) -> Path:
        return self.root / key[:2] / key

    def _read_manifest(self, folder: Path) -> list[Variant] | None:
        try:
            rows = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        variants = [Variant(**row) for row in rows]
        if all((folder / v.name).is_file() for v in variants):
            return variants
        return None

    def _fill(self, key: str, produce) -> tuple[Path, list[Variant]]:
        folder = self.folder(key)
        cached = self._read_manifest(folder)
        if cached is not None:
            return folder, cached
        if folder.parent not in self._made:
            folder.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(folder.parent)
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        try:
            variants = produce(work)
            rows = [asdict(v) for v in variants]
            (work / MANIFEST).write_text(json.dumps(rows, indent=1), encoding="utf-8")
            self.processed += 1
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(work, folder)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
        return folder, variants

    def variants(self, info: pipeline.ImageInfo, widths) -> tuple[str, Path, list[Variant]]:
        """Return (key, folder, variants) for an inspected image, processing it only if needed."""
        key = variant_key(info.sha256, widths)
        if key not in self._variants:  # many articles share an image: its manifest is read once
            self._variants[key] = self._fill(
                key, lambda work: pipeline.make_variants(info.path, widths, work, info.format)
            )
        folder, variants = self._variants[key]
        return key, folder, variants

    def share_card(self, site_name: str, title: str, font_path) -> tuple[str, Path, list[Variant]]:
        """Return (key, folder, [card]) for a generated default share card, drawing it if needed."""
        key = card_key(site_name, title, font_sha256(font_path))

        def produce(work: Path) -> list[Variant]:
            card.make_share_card(site_name, title, work / CARD_VARIANT.name, font_path)
            return [CARD_VARIANT]

        folder, variants = self._fill(key, produce)
        return key, folder, variants

    def stored(self, key: str) -> bool:
        """Tell whether an entry (variants or a share card) is stored under key: one stat, not a
        manifest read (one per article on every build). An entry's folder is moved into place
        whole (see _fill), so its manifest stands for the complete entry."""
        return os.path.isfile(self._folder_text(key) + MANIFEST)

    def card_file(self, key: str) -> str:
        """Return where the share card stored under key is (or will be once drawn), as a plain path."""
        return self._folder_text(key) + CARD_VARIANT.name

    def _folder_text(self, key: str) -> str:
        """folder(key) as a string ending in a separator: 10,000 cards a build, no Path objects."""
        return f"{self._root_text}/{key[:2]}/{key}/"


CARD_VARIANT = Variant("card.png", "PNG", "image/png", *pipeline.OG_SIZE, "og")


@lru_cache(maxsize=8)
def _font_sha256(path: str, size: int, mtime_ns: int) -> str:
    return pipeline.sha256_file(path)


def font_sha256(font_path) -> str:
    """Return the font's hash, read once per font file version (not once per card)."""
    stat = os.stat(font_path)
    return _font_sha256(str(font_path), stat.st_size, stat.st_mtime_ns)


def draw_cards(root: str, site_name: str, titles: list[str], font_path: str) -> int:
    """Draw the share cards of titles into the cache at root; return how many were drawn.

    Runs in a worker process while the main process reads articles or renders pages.
    """
    store = ImageCache(root)
    for title in titles:
        store.share_card(site_name, title, font_path)
    return store.processed


def make_variant_batch(root: str, infos: list[pipeline.ImageInfo], widths) -> int:
    """Make the variants of inspected images into the cache at root; return how many were made.

    Runs in a worker process while the main process reads articles.
    """
    store = ImageCache(root)
    for info in infos:
        store.variants(info, widths)
    return store.processed


try:  # an incremental build deletes published files a later build no longer produces
    from plugins.incremental import claim as _claim
except ImportError:  # pragma: no cover - the incremental plugin is optional

    def _claim(path) -> None:
        """No incremental plugin: nothing to declare."""


def publish(source: Path | str, target: Path | str) -> None:
    """Hard-link a cached file into the output (copy across file systems); skip if identical."""
    _claim(target)
    # Two stats when the link is already in place (10,000 share cards on every build).
    try:
        found = os.stat(target)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
    else:
        here = os.stat(source)
        if (found.st_ino, found.st_dev) == (here.st_ino, here.st_dev):
            return
        os.unlink(target)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
