"""The preview's quick path: a save that changes only the body of published articles.

Most saves in `make serve` correct a sentence. Whatever the engine skips, a whole build still
reads every article, runs every plugin and fingerprints every page (20 s at 10,000 articles);
but a body is shown only by its own page, by the feeds that carry the article, and by the search
index. Lists, related news, archives and the sitemap show an article's metadata (the reader keeps
the summary there), and its problems travel in the metadata too.

So the preview process keeps the contents of its last whole build (`Kept`). On the next save,
if every changed file is a published article whose metadata (problems included) is what it
was, whose body names no image or static file (those need the image pipeline), and the build's
clock decides nothing differently (no scheduled article fell due, the news sitemap's window
holds the same articles), the new body replaces the old one in the kept article and only its
page, its feeds and the search index are made again. Anything else is a whole build, which
also makes the state kept here anew. The serve loop's equivalence test compares each save's
served folder with a build from scratch, quick or not.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pelican import signals
from pelican.contents import Article
from pelican.generators import ArticlesGenerator
from pelican.urlwrappers import URLWrapper

from thidua.clock import build_time

logger = logging.getLogger(__name__)

# In a body, markup the image pipeline or Pelican's static-file links must see: a whole build.
NEEDS_WHOLE_BUILD = ("<img", "{static}", "{attach}", "|static|", "|attach|")


@dataclass
class Kept:
    """What the last whole build left for the quick path: its generators and the inputs it read."""

    generators: list
    stamps: dict[str, tuple[int, int]]
    now: datetime
    inputs: list[Path] = field(default_factory=list)  # what stamps covers (input_paths)
    records: dict = field(default_factory=dict)  # id(article) → its search record (records_while_frozen)
    updates: int = 0
    by_source: dict = field(default_factory=dict)

    def __post_init__(self):
        self.by_source = {os.path.realpath(a.source_path): a for a in self.articles_generator.articles}

    @property
    def articles_generator(self) -> ArticlesGenerator:
        return next(g for g in self.generators if isinstance(g, ArticlesGenerator))

    @property
    def settings(self) -> dict:
        return self.articles_generator.settings


def input_paths(root: Path, settings: dict, settings_file: str) -> list[Path]:
    """Return every file or folder a build reads: content, theme, data, code and settings."""
    from plugins.incremental import DEFAULTS

    data = [
        settings.get(name) for name in settings.get("INCREMENTAL_DATA_SETTINGS", DEFAULTS["INCREMENTAL_DATA_SETTINGS"])
    ]
    named = [settings["PATH"], settings["THEME"], *(path for path in data if path)]
    return [Path(p) for p in named] + [root / "plugins", root / "thidua", root / settings_file]


def stamps(paths: list[Path]) -> dict[str, tuple[int, int]]:
    """Return absolute path → (size, mtime in ns) of every file under paths."""
    from thidua.publishing.releases import scan

    found = {}
    for path in paths:
        if path.is_file():
            stat = path.stat()
            found[str(path.resolve())] = (stat.st_size, stat.st_mtime_ns)
            continue
        base = path.resolve()
        for relative, stat in scan(base).items():
            if "/__pycache__/" not in f"/{relative}":
                found[f"{base}/{relative}"] = (stat.st_size, stat.st_mtime_ns)
    return found


def changed_files(before: dict, after: dict) -> list[str]:
    """Return the files added, removed or changed between two stamps."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def plain(value):
    """Return a value comparable across two reads: a term by its class and name (Pelican's own
    equality is by slug only, and a renamed category may keep its slug)."""
    if isinstance(value, URLWrapper):
        return (type(value).__name__, value.name)
    if isinstance(value, (list, tuple)):
        return tuple(plain(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, plain(item)) for key, item in value.items()))
    return value


def clock_decisions(kept: Kept, now: datetime) -> tuple:
    """Return what the clock decides for the kept contents: scheduled articles due, the news window."""
    from plugins.seo.sitemap import NEWS_WINDOW

    generator = kept.articles_generator
    due = tuple(d.source_path for d in generator.drafts if getattr(d, "scheduled", None) and d.date <= now)
    recent = frozenset(a.source_path for a in generator.articles if now - NEWS_WINDOW <= a.date <= now)
    return due, recent


def read_again(generator: ArticlesGenerator, source_path: str) -> Article:
    """Read one article as the generator reads it, without the signals of a whole build's reading."""
    with signals.content_object_init.muted():
        return generator.readers.read_file(
            base_path=os.path.realpath(generator.path),
            path=os.path.relpath(source_path, os.path.realpath(generator.path)),
            content_class=Article,
            context=generator.context,
        )


def body_only(old: Article, new: Article) -> bool:
    """Return whether new differs from old by its body alone, in a way the quick path can show."""
    bodies = (old._content or "", new._content or "")
    if any(marker in body.lower() for body in bodies for marker in NEEDS_WHOLE_BUILD):
        return False
    return plain(old.metadata) == plain(new.metadata)


def quick_update(kept: Kept, now_stamps: dict, output: Path) -> list[str] | None:
    """Bring the work tree up to date for a body-only save; return the output files it made again.

    None: this save needs a whole build (nothing is written then).
    """
    changed = changed_files(kept.stamps, now_stamps)
    if not changed:
        return None  # a save that changed no input: a whole build, as before
    generator = kept.articles_generator
    now = build_time(dict(kept.settings))  # a new settings object reads the clock again
    if clock_decisions(kept, now) != clock_decisions(kept, kept.now):
        return None
    edits = []
    for path in changed:
        old = kept.by_source.get(path)
        if old is None or path not in now_stamps:
            return None  # not a published article's source, or deleted
        new = read_again(generator, path)
        if not body_only(old, new):
            return None
        edits.append((old, new))
    made = []
    for old, new in edits:
        old._content = new._content
        forget_rendered(old)
        made.append(write_article_page(generator, old, output))
    made += write_article_feeds(kept.generators, [old for old, _ in edits], output)
    made += update_search(generator, output, kept.records, edited=[old for old, _ in edits])
    kept.stamps, kept.updates = now_stamps, kept.updates + 1
    return made


def forget_rendered(article: Article) -> None:
    """Drop Pelican's memoized content and summary of an article whose body was replaced."""
    from plugins.images.images import forget_rendered as forget

    forget(article)


def write_article_page(generator: ArticlesGenerator, article: Article, output: Path) -> str:
    """Render the article's page as ArticlesGenerator.generate_articles does; return its path."""
    from plugins.incremental.incremental import IncrementalWriter

    settings = generator.settings
    writer = IncrementalWriter(str(output), settings=settings)
    # The sitemap notes pages as they are written; this page's note is the last build's.
    with signals.content_written.muted():
        writer.write_file(
            article.save_as,
            generator.get_template(article.template),
            generator.context,
            relative_urls=settings["RELATIVE_URLS"],
            article=article,
            category=getattr(article, "category", None),
            override_output=hasattr(article, "override_save_as"),
            url=article.url,
            blog=True,
        )
    return article.save_as


def write_article_feeds(generators: list, articles: list, output: Path) -> list[str]:
    """Write again every feed that lists one of the articles; return their output paths."""
    from plugins.feeds.feeds import FeedsGenerator, feed_targets, write_feeds

    feeds = next((g for g in generators if isinstance(g, FeedsGenerator)), None)
    if feeds is None:
        return []
    edited = {id(article) for article in articles}
    plans = [plan for plan in feeds.plans if any(id(a) in edited for a in plan.articles)]
    write_feeds(plans, feeds.settings, output, partial=True)
    return [
        target.relative_to(output).as_posix()
        for plan in plans
        for _, target in feed_targets(plan, feeds.settings, output)
    ]


def records_while_frozen(generator: ArticlesGenerator) -> dict:
    """Return each published article's search record, made while the build has its URLs formatted.

    Answers article_writer_finalized during a whole build: after the build its URLs are formatted
    again on every call (incremental/urls.py), 1.5 s for 10,000 articles.
    """
    from plugins.search.records import record_for

    return {id(article): record_for(article) for article in generator.articles}


def update_search(generator: ArticlesGenerator, output: Path, records: dict, edited: list) -> list[str]:
    """Bring the search index up to date with the article pages; return its folder (or nothing).

    records: the last whole build's (records_while_frozen); an edited body changes no record, but
    its page, which the index reads.
    """
    from plugins.search.records import record_for
    from plugins.search.search import publish_index, setting

    settings = generator.settings
    if not setting(settings, "SEARCH_ENABLED") or not generator.articles:
        return []
    publish_index(output, [records.get(id(a)) or record_for(a) for a in generator.articles], settings)
    return [setting(settings, "SEARCH_OUTPUT_PATH") + "/"]


def bring_in_paths(work: Path, served: Path, paths: list[str]) -> int:
    """Bring the named files (and folders, ending in "/") of the work tree into the served folder."""
    from .sync import bring_in

    copied = 0
    for relative in paths:
        if relative.endswith("/"):
            copied += bring_in(work / relative, served / relative)[0]
            continue
        source, target = work / relative, served / relative
        if target.is_file() and _stamp(source) == _stamp(target):
            continue  # same size and mtime: the engine did not rewrite it
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.preview-tmp")
        shutil.copy2(source, temporary)  # keeps the mtime, as bring_in does
        os.replace(temporary, target)
        copied += 1
    return copied


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns
