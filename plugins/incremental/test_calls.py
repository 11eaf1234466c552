"""Paginated lists kept whole: which calls qualify, and when skipping them is allowed."""

from pelican import signals

from plugins.incremental.calls import call_records, every_receiver_replays, paginated_lists

SETTINGS = {"PAGINATED_TEMPLATES": {"category": None, "index": None}}


def test_a_call_paginates_its_explicit_lists_or_its_articles_and_dates():
    articles, dates = ["a"], ["d"]
    assert paginated_lists({"template_name": "category", "paginated": {"articles": articles}}, SETTINGS) == {
        "articles": articles
    }
    found = paginated_lists({"template_name": "index", "articles": articles, "dates": dates, "url": "/"}, SETTINGS)
    assert found == {"articles": articles, "dates": dates}  # as Pelican's writer picks them


def test_a_call_that_pelican_does_not_paginate_is_not_a_list():
    assert paginated_lists({"template_name": "article", "articles": ["a"]}, SETTINGS) is None  # not paginated
    assert paginated_lists({"template_name": "category", "paginated": {}}, SETTINGS) is None  # nothing to cut
    assert paginated_lists({"template_name": "category"}, SETTINGS) is None


def test_a_receiver_of_content_written_that_cannot_replay_its_notes_turns_whole_lists_off():
    saved = dict(call_records)
    before = every_receiver_replays()  # other tests' plugins may be connected already
    seen = []

    def note(path, context):
        seen.append(path)

    try:
        signals.content_written.connect(note)
        assert not every_receiver_replays()
        call_records["test"] = (note, lambda: len(seen), lambda mark: seen[mark:], seen.extend)
        assert every_receiver_replays() == before
    finally:
        signals.content_written.disconnect(note)
        call_records.clear()
        call_records.update(saved)


class _Writer:
    output_path = "/tmp/ra"

    def __init__(self):
        self._written_files, self.unchanged = set(), []

    def _record(self, path, written):
        self.unchanged.append(path)


def test_a_list_is_kept_whole_only_with_its_key_its_files_and_the_same_noting_plugins(tmp_path):
    from types import SimpleNamespace

    from plugins.incremental.calls import CallRecords
    from thidua.memofile import file_stamp

    page = tmp_path / "chuyen-muc" / "index.html"
    page.parent.mkdir()
    page.write_text("<p>trang</p>", encoding="utf-8")
    entry = (b"page-key", *file_stamp(page))
    notes = []
    saved = dict(call_records)
    call_records.clear()
    call_records["sitemap"] = (None, lambda: len(notes), lambda mark: notes[mark:], notes.extend)
    try:
        record = (b"call-key", [("chuyen-muc/index.html", str(page))], {"sitemap": ["/chuyen-muc/"]})

        def keep(key, previous=record, previous_entry=entry):
            cache = SimpleNamespace(previous={str(page): previous_entry}, kept=[])
            cache.keep = cache.kept.append
            return CallRecords({"chuyen-muc/index.html": previous}).keep_if_unchanged(
                _Writer(), cache, "chuyen-muc/index.html", key
            )

        assert not keep(b"other-key")
        assert not keep(b"call-key", previous=(*record[:2], {"other-plugin": []}))
        assert not keep(b"call-key", previous_entry=(b"page-key", 1, 1))  # the file changed since
        assert notes == []
        assert keep(b"call-key")
        assert notes == ["/chuyen-muc/"]  # the sitemap's entry given back
    finally:
        call_records.clear()
        call_records.update(saved)
