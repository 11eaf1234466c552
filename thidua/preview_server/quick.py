"""The preview's quick path: a save that changes only articles' bodies, titles or summaries.

Most saves in `make serve` correct a sentence or a title. Whatever the engine skips, a whole build
still reads every article, runs every plugin and fingerprints every page (15-20 s at 10,000
articles); but a body is shown only by its own page, by the feeds that carry the article and by
the search index, and a title or summary only by the pages whose variables reach the article
(lists, related news, the honour roll), which the last build's plan and the page manifest name.

So the preview process keeps what its last whole build made (`Kept`). On the next save, if every
changed file is a published article whose URL, terms, date, problems and other metadata are what
they were, whose body names no image or static file (those need the image pipeline), and the
build's clock decides nothing differently (no scheduled article fell due, the news sitemap's
window holds the same articles), the kept article takes the new values and only the calls that
show it are made again. Anything else is a whole build, which also makes the state kept here
anew. docs/architecture.md ("The quick path") has the picture; tests/test_preview_quick.py
compares each save's served folder with a build from scratch.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pelican import signals
from pelican.contents import Article, Content
from pelican.generators import ArticlesGenerator
from pelican.urlwrappers import URLWrapper

from thidua.clock import build_time

logger = logging.getLogger(__name__)

# In a body, markup the image pipeline or Pelican's static-file links must see: a whole build.
NEEDS_WHOLE_BUILD = ("<img", "{static}", "{attach}", "|static|", "|attach|")
# Metadata that pages show but that decides no page's membership, order or URL (the reader
# keeps the summary, cut from the first paragraph, as both `summary` and plain `description`).
DISPLAY_KEYS = frozenset({"title", "summary", "description"})


@dataclass
class Kept:
    """What the last whole build left for the quick path: its generators and the inputs it read."""

    generators: list
    stamps: dict[str, tuple[int, int]]
    now: datetime
    inputs: list[Path] = field(default_factory=list)  # what stamps covers (input_paths)
    records: dict = field(default_factory=dict)  # id(article) → its search record (records_while_frozen)
    plan: list = field(default_factory=list)  # the build's write_file calls (IncrementalWriter.plan)
    manifest: dict | None = None  # which calls show which article (page_manifest), made when needed
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
    """Return absolute path → (size, mtime in ns) of every file under paths (or of each file named)."""
    from thidua.memofile import file_stamp

    from .sync import tree_stamps

    found = {}
    for path in map(Path.resolve, paths):
        if path.is_file():
            found[str(path)] = file_stamp(path)
            continue
        found.update((f"{path}/{relative}", stamp) for relative, stamp in tree_stamps(path).items())
    return {name: stamp for name, stamp in found.items() if "/__pycache__/" not in name}


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


def edit_kind(old: Article, new: Article, recent: frozenset) -> str:
    """Return "body" or "display" when the quick path can show this edit, else why it cannot.

    body: only the body changed. display: the title or the summary changed too, which pages
    show but which decide no page's membership, order or URL. Not when the title is in the
    news sitemap (articles of the last two days).
    """
    bodies = (old._content or "", new._content or "")
    if any(marker in body.lower() for body in bodies for marker in NEEDS_WHOLE_BUILD):
        return "its body names an image or a static file"
    if (old.save_as, old.url) != (new.save_as, new.url):
        return f"its URL changed ({old.save_as} → {new.save_as})"
    keys = old.metadata.keys() | new.metadata.keys()
    changed = {key for key in keys if plain(old.metadata.get(key)) != plain(new.metadata.get(key))}
    if not changed:
        return "body"
    if not changed <= DISPLAY_KEYS:
        return f"its {', '.join(sorted(changed - DISPLAY_KEYS))} changed"
    if "title" in changed and old.source_path in recent:
        return "its title is in the news sitemap"
    return "display"


def quick_update(kept: Kept, now_stamps: dict, output: Path) -> list[str] | None:
    """Bring the work tree up to date for a save the quick path can show; return the output
    files it made again or removed. None: this save needs a whole build, and nothing was written.
    """
    changed = changed_files(kept.stamps, now_stamps)
    if not changed:
        return whole("no input changed")  # as before the quick path: a save of nothing rebuilds
    generator = kept.articles_generator
    now = build_time(dict(kept.settings))  # a new settings object reads the clock again
    decisions = clock_decisions(kept, now)
    if decisions != clock_decisions(kept, kept.now):
        return whole("the clock publishes a scheduled article or moves the news sitemap's window")
    edits = []
    for path in changed:
        old = kept.by_source.get(path)
        if old is None or path not in now_stamps:
            return whole(f"{path} is not a published article's source, or was deleted")
        new = read_again(generator, path)
        kind = edit_kind(old, new, decisions[1])
        if kind not in ("body", "display"):
            return whole(f"{path}: {kind}")
        edits.append((old, new, kind))
    made = []
    for old, new, _ in edits:
        retitled = plain(old.title) != plain(new.title)
        take_over(old, new)
        if retitled and getattr(old, "lead_image", None) is None:  # its share card shows the title
            made += new_card(kept, old, output)
    edited = [old for old, _, _ in edits]
    displayed = [old for old, _, kind in edits if kind == "display"]
    made += replay(kept, edited, displayed, output)
    made += write_article_feeds(kept.generators, edited, output)
    made += update_search(generator, output, kept.records, edited)
    if displayed:
        made += write_statistics(kept.settings, output)
    kept.stamps = now_stamps
    return made


def whole(reason: str) -> None:
    """Say why this save needs a whole build (None: what quick_update returns then)."""
    logger.info("preview_server: a whole build: %s", reason)


def take_over(old: Article, new: Article) -> None:
    """Give the kept article the new body and the new values of its metadata (DISPLAY_KEYS at most)."""
    old._content = new._content
    for key, value in new.metadata.items():
        if plain(value) != plain(old.metadata.get(key)):
            old.metadata[key] = value
            setattr(old, key.lower(), value)
            if key == "summary":
                old._summary = value
    from plugins.images.images import forget_rendered

    if hasattr(old, "refresh_metadata_intersite_links"):  # as Pelican does before writing
        old.refresh_metadata_intersite_links()
    forget_rendered(old)


def new_card(kept: Kept, article: Article, output: Path) -> list[str]:
    """Draw and publish the share card of an article's new title; remove its old card if no
    other content uses it (two articles of one title share a card). Return both paths."""
    from plugins.images.images import retitled_card
    from plugins.incremental.incremental import all_contents

    old, new = retitled_card(article, kept.settings, output)
    others = {
        (getattr(c, "og_image", None) or {}).get("url") for c in all_contents(kept.generators) if c is not article
    }
    if f"{kept.settings.get('SITEURL', '')}/{old}" not in others and old != new:
        (output / old).unlink(missing_ok=True)
    return [old, new]


def replay(kept: Kept, edited: list, displayed: list, output: Path) -> list[str]:
    """Make again the last build's write_file calls these edits change; return the files written.

    An edited article's own page; with display edits, also every page that shows one of them
    (the page manifest) and every page of a template the engine never fingerprints
    (INCREMENTAL_ALWAYS_RENDER and the templates not in INCREMENTAL_FINGERPRINT_TEMPLATES), which
    whole builds render anyway.
    """
    from plugins.incremental.incremental import IncrementalWriter, new_render_cache, rendering_with

    own = {id(article) for article in edited}
    chosen = {i for i, call in enumerate(kept.plan) if id(call[4].get("article")) in own}
    if displayed:
        if kept.manifest is None:
            kept.manifest = page_manifest(kept)
        chosen |= kept.manifest[None]
        for article in displayed:
            chosen |= kept.manifest.get(id(article), set())
    writer = IncrementalWriter(str(output), settings=kept.settings)
    # The pages of a list that do not show the article keep the fingerprint the last build
    # recorded, and are not rendered: one page of a category's hundreds is made again.
    cache = new_render_cache(kept.settings, kept.settings["OUTPUT_PATH"])
    cache.shared_context = kept.articles_generator.context
    # Never whole lists: keeping one replays its pages' notes (the sitemap's) outside a build.
    cache.whole_lists = False
    # The sitemap notes pages as they are written; these pages' notes are the last build's.
    with rendering_with(cache), signals.content_written.muted():
        seen = set()  # with a page process, a call it did not make is asked again
        for i in sorted(chosen):
            name, template, context, args, kwargs = kept.plan[i]
            if name not in seen:
                seen.add(name)
                writer.write_file(name, template, context, *args, **kwargs)
    return sorted(os.path.relpath(path, output) for path in writer.changed)


def page_manifest(kept: Kept) -> dict:
    """Return id(article) → the indices of the plan's calls whose pages show it, and under None
    the calls made again for any title or summary edit (templates the engine never fingerprints).

    Made on the first such edit after a whole build, then kept: the calls and the objects they
    show stay the same until the next whole build.
    """
    from plugins.incremental.incremental import get_setting

    fingerprinted = set(get_setting(kept.settings, "INCREMENTAL_FINGERPRINT_TEMPLATES"))
    always = set(get_setting(kept.settings, "INCREMENTAL_ALWAYS_RENDER"))
    manifest: dict = {None: set()}
    reach, variables = Reach(), {}
    for i, (name, template, _, args, kwargs) in enumerate(kept.plan):
        if name in always or os.path.splitext(template.name or "")[0] not in fingerprinted:
            manifest[None].add(i)
            continue
        for article in reach([*args, *read_by(template, kwargs, variables)]):
            manifest.setdefault(article, set()).add(i)
    return manifest


def read_by(template, kwargs: dict, known: dict) -> list:
    """Return the variables of a call its template reads (Pelican paginates `articles` into
    `articles_page`, and passes every period archive all articles, which it does not show).
    known: template name → the names it reads, filled here."""
    from plugins.incremental.render_cache import template_variables

    if template.name not in known:
        known[template.name] = template_variables(template.environment, template.name)
    names = known[template.name]
    if names is None:
        return list(kwargs.values())
    return [value for key, value in kwargs.items() if any(name.startswith(key) for name in names)]


class Reach:
    """The articles (ids) a page's variables show, as the engine's fingerprints see it.

    An article variable and what it lists (related news, honourees), lists of articles (every
    paginated list, however grouped), and objects listing articles (a feed's subscribe page,
    honourees on the roll). Another article found in a list, or a term (category, place,
    campaign), is not looked into: pages show those by their own metadata, names and URLs.
    Answers are kept for the pass: every page of the honour roll lists the same honourees.
    """

    def __init__(self):
        self.known: dict[tuple, frozenset] = {}

    def __call__(self, values: list) -> frozenset:
        return frozenset().union(*(self.of(value, 2, top=True) for value in values))

    def of(self, value, budget: int, top: bool = False, nesting: int = 0) -> frozenset:
        if value is None or isinstance(value, SCALARS):
            return frozenset()
        key = (id(value), budget, top, nesting)
        if key not in self.known:
            self.known[key] = self._collect(value, budget, top, nesting)
        return self.known[key]

    def _collect(self, value, budget: int, top: bool, nesting: int) -> frozenset:
        if isinstance(value, (dict, list, tuple, set, frozenset)):  # groupings cost no budget
            items = value.values() if isinstance(value, dict) else value
            parts = [self.of(item, budget, nesting=nesting + 1) for item in items] if nesting < 4 else []
            return frozenset().union(*parts)
        found = frozenset({id(value)}) if isinstance(value, Content) else frozenset()
        if budget == 0 or isinstance(value, URLWrapper) or (isinstance(value, Content) and not top):
            return found
        attributes = getattr(value, "__dict__", None) or {}
        parts = [
            self.of(item, budget - 1)
            for key, item in attributes.items()
            if not key.startswith("_") and key not in ("settings", "metadata")
        ]
        return found.union(*parts)


SCALARS = (str, bytes, int, float, bool, datetime)


def write_statistics(settings: dict, output: Path) -> list[str]:
    """Write the statistics snapshot again: it names the most read articles by the titles of their pages."""
    from types import SimpleNamespace

    from plugins.visitor_stats.visitor_stats import setting, write_build_snapshot

    write_build_snapshot(SimpleNamespace(settings=settings, output_path=str(output)))
    return [setting(settings, "VISITOR_STATS_JSON_SAVE_AS")]


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
    """Bring the search index up to date with the article pages; return the files it changed.

    records: the last whole build's (records_while_frozen); an edited body changes no record, but
    its page, which the index reads; a title or summary edit changes both.
    """
    from plugins.search.records import record_for
    from plugins.search.search import publish_index, setting

    settings = generator.settings
    if not setting(settings, "SEARCH_ENABLED") or not generator.articles:
        return []
    for article in edited:  # a summary edit changes the record, which the next saves reuse
        records[id(article)] = record_for(article)
    folder = output / setting(settings, "SEARCH_OUTPUT_PATH")
    before = stamps([folder])
    publish_index(output, [records.get(id(a)) or record_for(a) for a in generator.articles], settings)
    return [os.path.relpath(path, output) for path in changed_files(before, stamps([folder]))]


def warm_search(kept: Kept, output: Path) -> list[str]:
    """Have this process hold the search index's shards and merge, after a whole build.

    On large sites a whole build indexes in a forked process, so the first quick save after it
    would read every shard from the cache (128 at 10,000 articles, several seconds) before its
    page is served; read now, they wait in memory. Nothing changed, so nothing is written (the
    files it would write are returned all the same).
    """
    return update_search(kept.articles_generator, output, kept.records, [])
