"""Skip rendering a page whose inputs are unchanged since the build that wrote it.

The writer hands each template of the fingerprinted kinds to `RenderCache.wrap`. When Pelican
renders a page, the wrapper computes the page's fingerprint (see fingerprints.py); if the previous
build recorded the same fingerprint for that output file, and the file still has the size and
modification time that build left, the page is not rendered: the wrapper notes the file as kept
(take_verbatim) and returns a marker, which the writer leaves unwritten (and refuses to write
should the file not be noted). Every signal (content_written for the sitemap) fires as before.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from importlib.metadata import version
from itertools import compress, repeat
from operator import is_not
from pathlib import Path

from jinja2 import meta

import plugins
import thidua
from thidua.memofile import file_stamp, load_dict, save_dict, untouched_since

from .calls import CallRecords
from .files import UNRENDERED
from .fingerprints import Fingerprinter, Unfingerprintable, digest, file_digest, tree_digest

logger = logging.getLogger(__name__)

# Bump when the meaning of a fingerprint changes: every page is then rendered once.
FORMAT = b"render-1"
_MISSING = object()


def render_manifest_path(manifest: Path) -> Path:
    """Return where the fingerprints are kept, beside the output folder's file manifest."""
    return manifest.with_name(manifest.stem + "-render.pickle")


def sources_path(render_manifest: Path) -> Path:
    """Return where the digests of source files are kept, beside the fingerprints."""
    return render_manifest.with_name(render_manifest.stem + "-sources.pickle")


def load_fingerprints(path: Path) -> dict[str, tuple[bytes, int, int]]:
    """Return output path → (fingerprint, size, mtime in ns) from the previous build, or {}."""
    return load_dict(path)


def save_fingerprints(path: Path, rendered: dict[str, bytes], kept: dict | None = None) -> None:
    """Store each page's fingerprint with the size and mtime its file has now (atomically).

    kept: the entries of pages found unchanged this build (their file was just checked), stored
    as they are rather than looked up again (22,700 system calls at 10,000 articles).
    """
    kept = kept or {}
    entries = {}
    for output, key in rendered.items():
        entry = kept.get(output)
        if entry is None or entry[0] != key:
            stamp = file_stamp(output)
            entry = None if stamp is None else (key, *stamp)
        if entry is not None:
            entries[output] = entry
    save_dict(path, entries)


# The code that can change a page: the plugins and the libraries they use. The desk's code never
# runs in a build (it writes content files, which are inputs in their own right): editing it must
# not render every page again.
BUILD_FREE_CODE = ("desk",)
CODE_FOLDERS = (
    Path(plugins.__file__).parent,
    *sorted(p for p in Path(thidua.__file__).parent.iterdir() if p.is_dir() and p.name not in BUILD_FREE_CODE),
)

# Plugins' tests render nothing: editing them renders no page again.
TESTS = ("test_", "conftest.py")


def code_digest(settings, data_settings=()) -> bytes:
    """Digest of what renders pages besides their variables: Pelican, templates, plugins' code and
    the data files that the settings named in data_settings point to (a folder or a file each)."""
    theme = Path(settings.get("THEME", ""))
    folders = [theme / "templates", *(settings.get("THEME_TEMPLATES_OVERRIDES") or [])]
    # This project's code is its two packages; PLUGIN_PATHS adds any plugin kept outside them.
    code = [*CODE_FOLDERS, *(Path(p) for p in settings.get("PLUGIN_PATHS") or [])]
    # Data reaches pages through plugins (the gazetteer resolves each article's localities), not
    # through any article's file: a place's alias moved in places.toml changes the locality an
    # unchanged article's card shows on every list. Any edit of them renders every page once.
    data = [Path(settings[name]) for name in data_settings if settings.get(name)]
    return digest(
        FORMAT,
        version("pelican").encode(),
        tree_digest(folders, (".html", ".jinja", ".j2", ".xml", ".txt")),
        tree_digest(code, (".py",), leave_out=TESTS),
        *(tree_digest([path]) if path.is_dir() else file_digest(path) for path in data),
    )


# Settings that only decide which process does the work (the determinism gate checks that the
# output does not depend on them): changing them renders nothing again.
SCHEDULING_SETTINGS = (
    "_WORKER_MIN_ARTICLES",
    "INCREMENTAL_RENDER_WORKER_SHARE",
    "INCREMENTAL_RENDER_WORKER_GENERATORS",
    "IMAGES_CARD_WORKERS",
    "IMAGES_CARD_POOL_MIN",
)

# Shared variables Pelican itself reads while rendering an article's body: links written as
# {filename}other.md resolve through them, so a page depends on them whatever its template says.
LINK_VARIABLES = frozenset({"generated_content", "static_content", "static_links"})


def template_variables(environment, name: str, seen: set | None = None) -> set[str] | None:
    """Return the variables a template and every template it uses read from the context.

    None when one of them is chosen at render time ({% include some_variable %}) or cannot be read.
    """
    seen = set() if seen is None else seen
    if name in seen:
        return set()
    seen.add(name)
    try:
        source = environment.loader.get_source(environment, name)[0]
        own, references = _analysed(environment, source)
    except Exception:  # noqa: BLE001 - whatever stops the analysis, the page is simply rendered
        return None
    found = set(own)
    for referenced in references:
        more = None if referenced is None else template_variables(environment, referenced, seen)
        if more is None:
            return None
        found |= more
    return found


@lru_cache(maxsize=256)
def _analysed(environment, source: str) -> tuple[frozenset[str], tuple]:
    """Return what a template's source reads and which templates it names (each parsed once: a
    base template is met again under every template that extends it, in every process)."""
    tree = environment.parse(source)
    return frozenset(meta.find_undeclared_variables(tree)), tuple(meta.find_referenced_templates(tree))


class RenderCache:
    """The fingerprints of one build: which pages may be skipped, which were rendered."""

    def __init__(
        self,
        previous: dict,
        settings,
        templates: set[str],
        always: set[str],
        sources: dict | None = None,
        calls: dict | None = None,
        data_settings=(),
    ):
        self.previous = previous
        self.settings = settings
        self.templates = templates
        self.always = always
        self.code = code_digest(settings, data_settings)
        self.fingerprints = Fingerprinter(sources)
        self.rendered: dict[str, bytes] = {}
        self.kept: dict[str, tuple] = {}  # output → the last build's entry, for pages found unchanged
        self.skipped = 0
        self.unkeyed = 0  # pages of fingerprinted templates rendered without a fingerprint
        # Output files whose text was just read back from disk: the writer need not compare them.
        self.verbatim: set[str] = set()
        self.shared_context = None  # the generators' context, set once they have all run
        self._snapshot = None  # the shared context as it was digested
        self._settings = None  # digest of the code and settings
        self._site: dict[str, bytes | None] = {}  # template name → digest of what it reads
        self.partition = None  # with a page process: which pages this process renders (parallel.py)
        self.calls = CallRecords(calls or {})  # paginated lists skipped whole (calls.py)
        self.whole_lists = False  # whether calls are skipped whole: set by the plugin at the start

    def covers(self, template) -> bool:
        """Return whether pages of this template are fingerprinted."""
        return os.path.splitext(getattr(template, "name", "") or "")[0] in self.templates

    def wrap(self, template, output_path: str):
        """Return a stand-in for template whose render may return the page already written."""
        return _FingerprintedTemplate(template, self, output_path)

    def site_digest(self, template) -> tuple[dict, bytes | None]:
        """Return the shared context as digested, and the digest of what this template reads of it.

        The digest covers the code, the settings, and the shared variables the
        template and the templates it extends, includes or imports name (Jinja's own analysis).
        None: the template cannot be analysed (a computed include) or holds an unfingerprintable value.
        The snapshot is what later pages are compared with: a variable that is not the very object
        digested here (added or replaced since, or given to one page) is digested with the page.
        """
        if self._snapshot is None:
            self._snapshot = dict(self.shared_context or {})
            links = [(n, self._snapshot[n]) for n in sorted(LINK_VARIABLES) if n in self._snapshot]
            self.fingerprints.links = lambda: self.fingerprints.shape(links)
            try:
                rendering = {k: v for k, v in self.settings.items() if not k.endswith(SCHEDULING_SETTINGS)}
                self._settings = digest(self.code, self.fingerprints.count(rendering))
            except Unfingerprintable as error:
                logger.info("incremental: every page is rendered this time (settings: %s)", error)
                self._settings = None
        name = template.name
        if name not in self._site:
            names = template_variables(template.environment, name)
            reads = None
            if names is None:
                logger.info("incremental: pages of %s are rendered every time (computed include)", name)
            elif self._settings is not None:
                try:
                    shared = [(n, self._snapshot[n]) for n in sorted(names) if n in self._snapshot]
                    reads = digest(self._settings, self.fingerprints.count(shared))
                except Unfingerprintable as error:
                    logger.info("incremental: pages of %s are rendered every time (%s)", name, error)
            self._site[name] = reads
        return self._snapshot, self._site[name]

    def fingerprint(self, base: dict, site: bytes, localcontext: dict) -> bytes:
        """Return the fingerprint of one page from what its variables add to the shared context."""
        parts = [site]
        # The variables that are not the shared context's own objects, found by C-level iteration
        # (a page's context holds a hundred names, of which a handful are its own).
        names = list(localcontext)
        own = compress(names, map(is_not, localcontext.values(), map(base.get, names, repeat(_MISSING))))
        for name in sorted(own):
            value = localcontext[name]
            if name.endswith(("_previous_page", "_next_page")):
                neighbour = self.fingerprints.run(getattr(value, "object_list", value), "shape")
                parts.append(digest(name.encode(), b"nav", neighbour, str(getattr(value, "number", "")).encode()))
            else:
                parts.append(digest(name.encode(), self.fingerprints.full(value)))
        return digest(*parts)

    def take_verbatim(self, path: str) -> bool:
        """Return (once) whether the page written to path is the file's own text, read back unrendered."""
        absolute = os.path.abspath(path)
        found = absolute in self.verbatim
        self.verbatim.discard(absolute)
        return found

    def keep(self, output: str) -> None:
        """Note that the page at output stays as the last build left it (with its fingerprint)."""
        entry = self.previous[output]
        self.rendered[output] = entry[0]
        self.kept[output] = entry
        self.skipped += 1

    def unchanged(self, output: str, key: bytes) -> bool:
        """Return whether the previous build wrote this output with this fingerprint, untouched since."""
        return untouched_since(self.previous.get(output), output, key)


class _FingerprintedTemplate:
    """A Jinja template whose render skips pages with an unchanged fingerprint."""

    def __init__(self, template, cache: RenderCache, output_path: str):
        self.template = template
        self.cache = cache
        self.output_path = output_path

    def render(self, localcontext):
        output = os.path.join(self.output_path, localcontext["output_file"])
        base, site = self.cache.site_digest(self.template)
        if site is None or localcontext["output_file"] in self.cache.always:
            self.cache.unkeyed += 1
            self.cache.calls.note_unkeyed()
            return self.template.render(localcontext)
        try:
            key = self.cache.fingerprint(base, site, localcontext)
        except Unfingerprintable as error:
            logger.debug("incremental: %s is rendered (%s)", localcontext["output_file"], error)
            self.cache.unkeyed += 1
            self.cache.calls.note_unkeyed()
            return self.template.render(localcontext)
        self.cache.calls.note_page(localcontext["output_file"], output)
        if self.cache.unchanged(output, key):
            # The file stays as it is: the writer is told so (take_verbatim) and gets a marker
            # instead of the page, which it refuses to write should that ever not hold.
            self.cache.keep(output)
            self.cache.verbatim.add(os.path.abspath(output))
            return UNRENDERED
        html = self.template.render(localcontext)
        self.cache.rendered[output] = key
        return html

    def __getattr__(self, name):
        return getattr(self.template, name)
