"""Paginated lists kept whole: which calls qualify, and when skipping them is allowed."""

from pelican import signals

from incremental.calls import call_records, every_receiver_replays, paginated_lists

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
