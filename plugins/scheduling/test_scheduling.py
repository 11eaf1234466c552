from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from plugins.scheduling.scheduling import article_dates, image_paths, next_due, scheduled_notice, split_due, when_text

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DUE = datetime(2099, 1, 1, 8, 0, tzinfo=VN)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (datetime(2099, 1, 1, 7, 59, tzinfo=VN), False),  # a minute early
        (DUE, True),  # at the very minute
        (datetime(2099, 1, 1, 1, 0, tzinfo=ZoneInfo("UTC")), True),  # 08:00 in Hà Nội is 01:00 UTC
        (datetime(2099, 1, 1, 0, 59, tzinfo=ZoneInfo("UTC")), False),
    ],
)
def test_an_article_is_due_at_or_after_its_date_in_vietnam_time(now, due):
    article = SimpleNamespace(date=DUE)
    assert split_due([article], now) == (([article], []) if due else ([], [article]))


def test_the_notice_is_one_line_of_information_naming_file_line_and_time():
    notice = scheduled_notice("content/x.md", 2, DUE)
    assert str(notice) == (
        "content/x.md:2: hẹn giờ đăng lúc 08:00 ngày 01/01/2099; bài sẽ lên trang ở lần xuất bản đầu tiên từ thời điểm này"
    )
    assert not notice.is_error and notice.severity == "info"
    assert when_text(datetime(2026, 3, 9, 17, 5, tzinfo=VN)) == "17:05 ngày 09/03/2026"


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (datetime(2098, 12, 31, tzinfo=VN), (DUE, "content/a.md")),  # the earliest, the first file on a tie
        (DUE, (datetime(2099, 1, 2, tzinfo=VN), "content/c.md")),  # strictly after: the one due now is past
        (datetime(2099, 1, 2, tzinfo=VN), None),  # nothing scheduled
    ],
)
def test_next_due_is_the_earliest_date_strictly_after_the_given_time(after, expected):
    dated = [
        (datetime(2099, 1, 2, tzinfo=VN), "content/c.md"),
        (DUE, "content/b.md"),
        (DUE, "content/a.md"),
        (datetime(2020, 1, 1, tzinfo=VN), "content/old.md"),
    ]
    assert next_due(dated, after) == expected


def test_article_dates_reads_headers_leaving_out_drafts_pages_and_bad_dates(tmp_path):
    content = tmp_path / "content"
    files = {
        "tin/hen-gio.md": "Title: A\nDate: 2099-01-01 08:00\nStatus: published\n\nx\n",
        "tin/an.md": "Title: B\nDate: 2099-01-02\nStatus: hidden\n\nx\n",
        "tin/nhap.md": "Title: C\nDate: 2099-01-01\nStatus: draft\n\nx\n",
        "tin/sai-ngay.md": "Title: D\nDate: 01/01/2099\n\nx\n",
        "pages/trang.md": "Title: E\nDate: 2099-01-01\n\nx\n",
    }
    for name, text in files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    assert article_dates(content, "Asia/Ho_Chi_Minh") == [
        (datetime(2099, 1, 2, tzinfo=VN), "content/tin/an.md"),
        (DUE, "content/tin/hen-gio.md"),
    ]


@pytest.mark.parametrize(
    ("image", "body", "expected"),
    [
        ("images/a.jpg", "", {"images/a.jpg"}),
        (
            None,
            '<p><img src="/images/b.png" alt=""></p><a href="{static}/images/c d.jpg">',
            {"images/b.png", "images/c"},
        ),
        (" /images/a.jpg", "<img src='../images/a.jpg?x=1'>", {"images/a.jpg"}),
        (None, "<p>không có ảnh</p>", set()),
    ],
)
def test_image_paths_names_the_lead_image_and_those_in_the_body(image, body, expected):
    assert image_paths(SimpleNamespace(image=image, _content=body)) == expected
