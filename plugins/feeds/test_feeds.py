"""Unit tests of the pure feed functions: ids, cleaning, absolute URLs, determinism, validity."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import pytest
from lxml import etree

from plugins.feeds.build import FeedImage, FeedItem, FeedSpec, absolute_html, build_feed, clean_text, feed_id, item_id
from plugins.feeds.validate import atom_problems

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = "https://thidua.example.test"
SPEC = FeedSpec(
    id=feed_id("rss.xml"),
    title="Tin thi đua",
    description="Tin thử nghiệm (hư cấu)",
    link=f"{BASE}/",
    self_url=f"{BASE}/rss.xml",
    publisher="Ban biên tập (hư cấu)",
)


def make(number: int, **changes) -> FeedItem:
    """Return a fictional item published `number` days after 2025-01-01 08:30 (+07:00)."""
    published = datetime(2025, 1, 1, 8, 30, tzinfo=TZ) + timedelta(days=number)
    values = {
        "id": item_id(None, f"tin/bai-{number}.md"),
        "title": f"Bài thử nghiệm {number} (hư cấu)",
        "link": f"{BASE}/tin-tuc/bai-{number}/",
        "published": published,
        "updated": published,
        "content": f"<p>Nội dung {number}</p>",
        "summary": f"Tóm tắt {number}",
        "author": "Người viết (hư cấu)",
        "categories": (("Phát động phong trào", f"{BASE}/chuyen-muc/"),),
    }
    return FeedItem(**{**values, **changes})


@pytest.mark.parametrize(
    ("uid", "path", "expected"),
    [
        ("0B7C8A52-6A1E-4C47-9D8E-1F2A3B4C5D01", "x.md", "urn:uuid:0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01"),
        (
            None,
            "tin/bai.md",
            f"urn:uuid:{uuid.uuid5(uuid.UUID('5f0b7d3e-9a43-4d39-8f43-2f6a1c0e7b21'), 'article:tin/bai.md')}",
        ),
    ],
)
def test_item_id_comes_from_the_id_else_from_the_path(uid, path, expected):
    assert item_id(uid, path) == expected


def test_path_id_ignores_separator_style_and_unicode_normalisation():
    composed = item_id(None, "tin/Hòa Bình.md")
    assert composed == item_id(None, "tin\\Hòa Bình.md")
    assert composed == item_id(None, "tin/Ho\u0300a Bi\u0300nh.md")
    assert composed != item_id(None, "tin/khac.md")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x00b\x07c\x1fd", "abcd"),
        ("tab\tnew\nline", "tab\tnew\nline"),
        ("Ho\u0300a", "Hòa"),
        ("emoji 🎉 & <b>", "emoji 🎉 & <b>"),
        ("\ufffe\uffff\x85x", "x"),
        (None, ""),
    ],
)
def test_clean_text_removes_what_xml_cannot_carry_and_composes(raw, expected):
    assert clean_text(raw) == expected


def test_absolute_html_makes_links_images_and_srcsets_absolute():
    base = f"{BASE}/tin-tuc/bai/"
    html = absolute_html(
        '<p><a href="/tin-tuc/khac/">x</a> <a href="../the/y/">y</a> <a href="https://ngoai.example/">z</a></p>'
        '<picture><source srcset="/anh/a-480.webp 480w, /anh/a-800.webp 800w" type="image/webp">'
        '<img src="anh.jpg" alt="ảnh"></picture><blockquote><p>q</p></blockquote>',
        base,
    )
    assert f'href="{BASE}/tin-tuc/khac/"' in html
    assert f'href="{BASE}/tin-tuc/the/y/"' in html
    assert 'href="https://ngoai.example/"' in html
    assert f'srcset="{BASE}/anh/a-480.webp 480w, {BASE}/anh/a-800.webp 800w"' in html
    assert f'src="{BASE}/tin-tuc/bai/anh.jpg"' in html


def test_absolute_html_sanitises_again():
    html = absolute_html('<p onclick="x()">a</p><script>alert(1)</script><a href="javascript:alert(2)">b</a>', BASE)
    assert "script" not in html and "onclick" not in html and "javascript" not in html


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_same_input_gives_identical_bytes(kind):
    items = [make(n) for n in range(5)]
    assert build_feed(items, SPEC, kind) == build_feed(list(reversed(items)), SPEC, kind)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_is_newest_first_capped_and_dated_by_its_newest_item(kind):
    items = [make(n) for n in range(10)]
    items[3] = make(3, updated=datetime(2025, 6, 1, 12, 0, tzinfo=TZ))
    parsed = feedparser.parse(build_feed(items, SPEC, kind, max_items=4))
    assert parsed.bozo == 0
    assert [e.id for e in parsed.entries] == [items[n].id for n in (9, 8, 7, 6)]
    newest = "2025-01-10T08:30:00+07:00" if kind == "atom" else "Fri, 10 Jan 2025 08:30:00 +0700"
    assert (parsed.feed.updated if kind == "atom" else parsed.feed.updated) == newest


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_hostile_text_and_bare_items_give_well_formed_valid_feeds(kind):
    hostile = make(
        1,
        title='Tiêu đề "ngoặc" & <script>alert(1)</script> \x00\x0b 🎉 Ho\u0300a',
        summary="Tóm tắt <b>đậm</b> & \x1f",
        content='<p>Thân bài & <img src="/a.jpg" alt="x"> \x08</p>',
        author="Tác giả <tên> & \x07",
        source="Phòng Văn hóa & Thông tin",
    )
    bare = make(2, summary="", content="", author="", categories=(), image=None)
    document = build_feed([hostile, bare], SPEC, kind)
    etree.fromstring(document)  # well-formed
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0
    titles = {e.id: e.title for e in parsed.entries}
    assert titles[hostile.id] == 'Tiêu đề "ngoặc" & <script>alert(1)</script>  🎉 Hòa'
    assert titles[bare.id] == bare.title
    if kind == "atom":
        assert atom_problems(document) == []


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_lead_image_is_an_enclosure_and_media_thumbnail(kind):
    image = FeedImage(f"{BASE}/anh/x-og.jpg", 12345, "image/jpeg", 1200, 630, "ảnh")
    parsed = feedparser.parse(build_feed([make(1, image=image)], SPEC, kind))
    entry = parsed.entries[0]
    assert entry.enclosures == [{"href": image.url, "length": "12345", "type": "image/jpeg"}]
    assert entry.media_thumbnail == [{"url": image.url, "width": "1200", "height": "630"}]
    assert entry.media_content[0]["filesize"] == "12345"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_dates_carry_the_vietnam_offset(kind):
    document = build_feed([make(1, updated=datetime(2025, 1, 5, 7, 0, tzinfo=TZ))], SPEC, kind)
    text = document.decode()
    assert ("+0700" if kind == "rss" else "2025-01-02T08:30:00+07:00") in text
    assert "2025-01-05T07:00:00+07:00" in text


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feeds_carry_no_xslt_instruction(kind):
    """Browsers are removing XSLT; people read a feed through its subscribe page instead."""
    assert b"<?xml-stylesheet" not in build_feed([make(1)], SPEC, kind)


def test_feed_without_items_is_refused():
    with pytest.raises(ValueError, match="no items"):
        build_feed([], SPEC, "rss")


def test_atom_problems_names_missing_parts():
    document = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>a</title></entry></feed>'
    problems = atom_problems(document)
    assert "feed: 0 atom:id elements, need exactly one" in problems
    assert "feed: no atom:link rel=self" in problems
    assert "entry 1: 0 atom:id elements, need exactly one" in problems
    assert "entry 1: no atom:author and the feed has none" in problems


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_reused_entries_give_the_same_bytes(kind):
    items = [make(n, image=FeedImage(f"{BASE}/a{n}.jpg", 10, "image/jpeg")) for n in range(6)]
    entries: dict = {}
    spec_b = FeedSpec(**{**SPEC.__dict__, "title": "Khác"})
    warm = build_feed(items[:4], spec_b, kind, entries=entries)
    assert warm == build_feed(items[:4], spec_b, kind)
    assert build_feed(items, SPEC, kind, entries=entries) == build_feed(items, SPEC, kind)


def test_a_failed_feed_process_is_reported_and_leaves_the_work_to_the_build(tmp_path, caplog):
    from plugins.feeds.feeds import feed_worker

    worker = feed_worker([object()], {"FEEDS_MAX_ITEMS": 50}, tmp_path)  # not a plan: the child fails
    assert worker.result("writing the feeds here") is None
    assert "feeds: the feed process failed (AttributeError:" in caplog.text
    assert "writing the feeds here" in caplog.text


def test_a_forked_feed_process_sends_back_its_counts(tmp_path):
    from plugins.feeds.feeds import feed_worker

    assert feed_worker([], {"FEEDS_MAX_ITEMS": 50}, tmp_path).result("") == (0, 0, 0)


def test_bad_worker_threshold_is_refused():
    from types import SimpleNamespace

    from plugins.feeds.feeds import apply_defaults

    with pytest.raises(ValueError, match=r"FEEDS_WORKER_MIN_ARTICLES must be a whole number ≥ 0 \(0: never fork\)"):
        apply_defaults(SimpleNamespace(settings={"FEEDS_WORKER_MIN_ARTICLES": -1}))


def test_item_contents_are_made_once_while_their_html_code_and_link_stay(tmp_path):
    from plugins.feeds.unchanged import ContentMemo

    where, made = tmp_path / "feeds-content.pickle", []

    def make(markup, link):
        made.append(markup)
        return absolute_html(markup, link)

    first = ContentMemo(where, b"code")
    html = first.content('<p><a href="/a/">tin</a></p>', f"{BASE}/b/", make)
    assert first.content('<p><a href="/a/">tin</a></p>', f"{BASE}/b/", make) == html
    first.content("<p>bỏ đi</p>", f"{BASE}/c/", make)
    first.save()
    assert len(made) == 2

    second = ContentMemo(where, b"code")
    assert second.content('<p><a href="/a/">tin</a></p>', f"{BASE}/b/", make) == html
    assert len(made) == 2  # taken from the last build
    second.content('<p><a href="/a/">tin</a></p>', f"{BASE}/khac/", make)
    assert len(made) == 3  # another link: made again
    second.save()
    assert "<p>bỏ đi</p>" not in made[3:] and len(ContentMemo(where, b"code").previous) == 2  # unused entry dropped

    ContentMemo(where, b"new code").content('<p><a href="/a/">tin</a></p>', f"{BASE}/b/", make)
    assert len(made) == 4  # other code: nothing reused
