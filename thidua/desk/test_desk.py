"""Tables for the desk core's pure functions (the HTTP behaviour is in tests/test_desk_core.py)."""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from thidua.desk.accounts import login_delay, valid_name
from thidua.desk.csrf import token_matches
from thidua.desk.review import status_of, valid_schedule, with_field
from thidua.desk.store import BadPath, Entry, article_file, matches, version_of, words_of
from thidua.desk.uploads import UploadRefused, check_image, safe_name

NOW = datetime(2026, 1, 1, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.mark.parametrize(("failures", "wait"), [(0, 0), (4, 0), (5, 30), (6, 60), (9, 480), (10, 900), (50, 900)])
def test_login_waits_after_five_failures_doubling_up_to_fifteen_minutes(failures, wait):
    assert login_delay(failures) == wait


@pytest.mark.parametrize(
    ("name", "valid"), [("ly.huynh", True), ("tbt", True), ("a", False), ("Lý", False), ("x y", False), ("a/b", False)]
)
def test_login_names_are_short_ascii(name, valid):
    assert valid_name(name) is valid


@pytest.mark.parametrize(
    ("expected", "given", "ok"), [("abc", "abc", True), ("abc", "abd", False), ("", "", False), ("abc", None, False)]
)
def test_csrf_tokens_must_be_present_and_equal(expected, given, ok):
    assert token_matches(expected, given) is ok


@pytest.mark.parametrize(
    ("file_status", "date", "in_review", "state"),
    [
        ("draft", "2025-12-01", False, "draft"),
        ("draft", "2025-12-01", True, "in_review"),
        ("published", "2025-12-01 08:00", False, "published"),
        ("published", "2026-01-01 09:30", False, "published"),
        ("published", "2026-01-01 09:31", False, "scheduled"),
        ("hidden", "2027-01-01", True, "hidden"),
        ("published", "2025-12-01 08:00", True, "in_review"),  # a correction waits
    ],
)
def test_desk_status_from_the_file_and_the_review(file_status, date, in_review, state):
    assert status_of(file_status, date, in_review, NOW) == state


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Title: A\nStatus: draft\n\nBody\n", "Title: A\nStatus: published\n\nBody\n"),
        (
            "Title: A\nDate: 2025-01-01\n\nBody: not a header\n",
            "Title: A\nDate: 2025-01-01\nStatus: published\n\nBody: not a header\n",
        ),
        ("Title: A\nstatus: draft\n    more\nTags: x\n\nB", "Title: A\nStatus: published\nTags: x\n\nB"),
    ],
)
def test_with_field_changes_one_header_line_and_keeps_every_other_byte(text, expected):
    assert with_field(text, "Status", "published") == expected


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2026-01-02 07:00", True),
        ("2026-01-01 09:30", False),
        ("2025-12-31 23:00", False),
        ("2026-01-02", False),
        ("mai", False),
    ],
)
def test_a_schedule_is_a_full_local_time_ahead_of_now(value, ok):
    assert valid_schedule(value, NOW) is ok


ENTRY = Entry(
    "ton-vinh-dien-hinh/a.md", "Đông Hà khen thưởng", "2024-09-05", "Tôn vinh điển hình",
    ("Thành phố Đông Hà", "Quảng Trị"), ("Dạy tốt, học tốt",), "Phạm Văn Giả", "published",
    frozenset(words_of("Đông Hà khen thưởng Phạm Văn Giả Thành phố Quảng Trị Dạy tốt, học tốt")),
)  # fmt: skip


@pytest.mark.parametrize(
    ("query", "filters", "found"),
    [
        ("dong ha", {}, True),
        ("ĐÔNG HÀ khen", {}, True),
        ("Hà Đông", {}, True),  # every word, any order
        ("hue", {}, False),
        ("thuon", {}, False),  # whole words only: "dong ha" must not find "phát động … hành"
        ("Đông-Hà!", {}, True),
        ("", {"locality": "quang tri"}, True),
        ("", {"locality": "Huế"}, False),
        ("", {"campaign": "day tot"}, True),
        ("", {"category": "Tôn vinh điển hình"}, True),
        ("", {"category": "Hội nghị tổng kết"}, False),
        ("", {"author": "pham van"}, True),
    ],
)
def test_search_and_filters_ignore_diacritics_and_case(query, filters, found):
    assert matches(ENTRY, query, **filters) is found


@pytest.mark.parametrize(
    "path", ["../pelicanconf.py", "/etc/passwd.md", "a/../../x.md", "pages/gioi-thieu.md", "a/b.txt", "images/x.md/.."]
)
def test_only_article_files_under_content_are_paths(tmp_path, path):
    with pytest.raises(BadPath):
        article_file(tmp_path, path)


def test_an_article_path_is_its_file_under_content(tmp_path):
    assert article_file(tmp_path, "hoi-nghi-tong-ket/a.md") == (tmp_path / "hoi-nghi-tong-ket/a.md").resolve()
    assert version_of(b"") == "" and len(version_of(b"x")) == 64


@pytest.mark.parametrize(
    ("uploaded", "extension", "stored"),
    [
        ("../../pelicanconf.py", "png", "pelicanconf.png"),
        ("..\\..\\tasks.py", "jpg", "tasks.jpg"),
        ("Ảnh Hội nghị Đông Hà.JPG", "jpg", "anh-hoi-nghi-dong-ha.jpg"),
        ("", "webp", "anh.webp"),
        ("....png", "png", "anh.png"),
    ],
)
def test_stored_names_are_ascii_slugs_with_the_detected_format(uploaded, extension, stored):
    assert safe_name(uploaded, extension) == stored


def picture(kind: str, size=(8, 8)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "result"),
    [
        (picture("PNG"), "png"),
        (picture("JPEG"), "jpg"),
        (picture("WEBP"), "webp"),
        (picture("GIF"), "upload_not_image"),
        (b"SITENAME = 'x'\n", "upload_not_image"),
        (picture("PNG")[:40], "upload_not_image"),  # truncated
        (b"\0" * (11 * 1024 * 1024), "upload_too_big"),
    ],
)
def test_only_whole_jpeg_png_or_webp_pictures_are_accepted(data, result):
    try:
        assert check_image(data) == result
    except UploadRefused as refused:
        assert str(refused) == result


def test_a_picture_of_too_many_pixels_is_refused_before_decoding():
    from tests.test_desk_core import png_bomb

    with pytest.raises(UploadRefused, match="upload_bomb"):
        check_image(png_bomb())
