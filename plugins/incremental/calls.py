"""Skip a whole paginated list whose inputs are unchanged, before Pelican builds any of its pages.

Fingerprinting a page costs a fifth of a millisecond, and Pelican builds each page's variables
(a copy of the context, a Paginator page and its neighbours) before the template is asked to
render it: 12,700 list pages at 10,000 articles, about 3 s of CPU on every build. A paginated
list is one write_file call, and every one of its pages is made from that call's variables,
the settings and the templates. So a call is known by a digest of those (call_key); the build
that makes it records that digest, the files it wrote and what plugins noted of its pages
(CallRecords). The next build skips a call whose digest is the same and whose files are untouched,
keeps those files, and gives the plugins their notes back without the pages being built.

Plugins that answer content_written (the sitemap) note pages Pelican never builds here: each
registers how to read and replay its notes (`incremental.replay_page_records`). A receiver of
content_written that has not registered turns whole-list skipping off, and every page is built.
"""

from __future__ import annotations

import os

from blinker import ANY
from pelican import signals
from pelican.utils import sanitised_join

from thidua.memofile import untouched_since

from .fingerprints import Unfingerprintable, digest

FORMAT = b"call-1"  # bump when the meaning of a call key changes
_MISSING = object()

# plugin name → (receiver of content_written, mark() → position, since(position) → notes, replay(notes))
call_records: dict[str, tuple] = {}


def replay_page_records(name: str, receiver, mark, since, replay) -> None:
    """Have the notes a plugin takes of written pages (receiver answers content_written) kept with
    each paginated list, and given back (replay) when the list is skipped whole.

    mark() returns a position in the plugin's notes, since(position) the notes taken after it
    (picklable), and replay(notes) adds them again.
    """
    call_records[name] = (receiver, mark, since, replay)


def every_receiver_replays() -> bool:
    """Return whether every receiver of content_written can have its notes replayed."""
    known = {entry[0] for entry in call_records.values()}
    return all(receiver in known for receiver in signals.content_written.receivers_for(ANY))


def paginated_lists(kwargs: dict, settings) -> dict | None:
    """Return the lists a write_file call paginates (as Pelican's writer picks them), or None."""
    paginated = kwargs.get("paginated")
    if paginated is None:
        paginated = {key: value for key, value in kwargs.items() if key in ("articles", "dates")}
    if not paginated or kwargs.get("template_name") not in settings.get("PAGINATED_TEMPLATES", {}):
        return None
    return paginated


def call_key(cache, template, name: str, context: dict, kwargs: dict, lists: dict) -> bytes | None:
    """Return the digest of everything the pages of one paginated write_file call are made from.

    Besides the template's site digest (code, settings, shared context) and the call's own
    variables, each paginated list counts its articles as a page of it shows them (their metadata):
    every page, its paginator and its neighbours are cut from these lists by the settings.
    None when the template or a value cannot be fingerprinted.
    """
    base, site = cache.site_digest(template)
    if site is None:
        return None
    fingerprints = cache.fingerprints
    parts = [FORMAT, site, name.encode(), str(template.name).encode()]
    try:
        own = {key: value for key, value in context.items() if base.get(key, _MISSING) is not value}
        own.update(kwargs)
        for key in sorted(own):
            if key != "paginated":
                parts.append(digest(key.encode(), fingerprints.full(own[key])))
        for key in sorted(lists):
            parts.append(digest(b"paginated", key.encode(), fingerprints.ref(lists[key])))
    except Unfingerprintable:
        return None
    return digest(*parts)


class CallRecords:
    """What each paginated call of this build wrote, and what the last build's calls wrote.

    A call's record: (call key, [(output file as Pelican names it, path in the fingerprints)],
    {plugin: notes}). Kept beside the page fingerprints.
    """

    def __init__(self, previous: dict):
        self.previous = previous
        self.current: dict[str, tuple] = {}
        self.pages: list | None = None  # the pages of the call being made, while it is made
        self.complete = True  # every page of the call being made had a fingerprint
        self.kept_calls = 0

    def keep_if_unchanged(self, writer, cache, name: str, key: bytes) -> bool:
        """Keep the files of a call made last time from the same key (untouched since); tell whether it was."""
        found = self.previous.get(name)
        if found is None or found[0] != key or set(found[2]) != set(call_records):
            return False  # changed inputs, or notes of other plugins than those now noting pages
        pages, notes = found[1], found[2]
        if not all(_untouched(cache.previous.get(path), path) for _, path in pages):
            return False
        for output_file, path in pages:
            cache.keep(path)
            written = sanitised_join(writer.output_path, output_file)
            writer._written_files.add(written)
            writer._record(written, False)
        for plugin, data in notes.items():
            call_records[plugin][3](data)
        self.current[name] = found
        self.kept_calls += 1
        return True

    def make(self, name: str, key: bytes, write) -> None:
        """Make the call (write()), recording its pages and the plugins' notes of them."""
        marks = {plugin: entry[1]() for plugin, entry in call_records.items()}
        self.pages, self.complete = [], True
        try:
            write()
            if self.complete and self.pages:
                notes = {plugin: call_records[plugin][2](mark) for plugin, mark in marks.items()}
                self.current[name] = (key, self.pages, notes)
        finally:
            self.pages = None

    def note_page(self, output_file: str, path: str) -> None:
        """Note a page of the call being made, with its fingerprint."""
        if self.pages is not None:
            self.pages.append((output_file, path))

    def note_unkeyed(self) -> None:
        """Note that a page of the call being made had no fingerprint: the call is made every time."""
        self.complete = False


def _untouched(entry: tuple | None, path: str) -> bool:
    """Whether the last build recorded the page at path and its file is still as it left it."""
    return entry is not None and untouched_since(entry, path, entry[0])


def calls_path(render_manifest) -> str:
    """Return where the call records are kept, beside the page fingerprints."""
    stem, _ = os.path.splitext(os.fspath(render_manifest))
    return stem + "-calls.pickle"
