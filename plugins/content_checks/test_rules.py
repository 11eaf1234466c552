"""Every rule with a bad input and its exact message (the line an editor reads)."""

from zoneinfo import ZoneInfo

import pytest

from plugins.content_checks.header import parse_source
from plugins.content_checks.problems import Problem
from plugins.content_checks.rules import check_source
from plugins.content_checks.settings import DEFAULTS

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
GOOD = """Title: Tin thử nghiệm (hư cấu)
Date: 2021-01-11
Category: Phát động phong trào
Localities: Hậu Giang
Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01

Nội dung.
"""


def problems_of(text: str, is_page: bool = False) -> list[str]:
    findings = check_source(
        parse_source(text), is_page=is_page, categories=DEFAULTS["CONTENT_CHECKS_CATEGORIES"], tz=TZ
    )
    return [str(Problem("content/x.md", line, message, fix, severity)) for line, message, fix, severity in findings]


def test_good_article_has_no_problem():
    assert problems_of(GOOD) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "Title: Tin thử nghiệm (hư cấu)\n",
            "",
            'content/x.md:1: thiếu khóa bắt buộc "Title"; thêm dòng "Title: Thành phố Huế phát động phong trào thi đua năm 2021" vào phần đầu bài',
        ),
        (
            "Title: Tin thử nghiệm (hư cấu)",
            "Title:",
            'content/x.md:1: khóa "Title" để trống; ghi giá trị, ví dụ "Title: Thành phố Huế phát động phong trào thi đua năm 2021"',
        ),
        (
            "Date: 2021-01-11\n",
            "",
            'content/x.md:1: thiếu khóa bắt buộc "Date"; thêm dòng "Date: 2021-01-11" vào phần đầu bài',
        ),
        (
            "Date: 2021-01-11",
            "Date: 11/01/2021",
            'content/x.md:2: Date "11/01/2021" không đúng định dạng; viết theo dạng YYYY-MM-DD hoặc YYYY-MM-DD HH:MM, ví dụ 2021-01-11',
        ),
        (
            "Date: 2021-01-11",
            "Date: 2021-02-31",
            'content/x.md:2: ngày "2021-02-31" không tồn tại; kiểm tra lại ngày và tháng',
        ),
        (
            "Date: 2021-01-11",
            "Date: 2021-01-11 25:00",
            'content/x.md:2: ngày "2021-01-11 25:00" không tồn tại; kiểm tra lại ngày và tháng',
        ),
        (
            "Category: Phát động phong trào",
            "Category: Tin tức",
            'content/x.md:3: chuyên mục "Tin tức" không hợp lệ; dùng đúng một trong: Phát động phong trào, Hội nghị tổng kết, Tôn vinh điển hình',
        ),
        (
            "Category: Phát động phong trào",
            "Category: Phát động phong trao",
            'content/x.md:3: chuyên mục "Phát động phong trao" không hợp lệ; có phải là "Phát động phong trào"? dùng đúng một trong: Phát động phong trào, Hội nghị tổng kết, Tôn vinh điển hình',
        ),
        (
            "Localities: Hậu Giang\n",
            "",
            'content/x.md:1: thiếu khóa bắt buộc "Localities"; thêm dòng "Localities: Thành phố Huế; Thừa Thiên Huế" vào phần đầu bài',
        ),
        (
            "Localities: Hậu Giang",
            "Localitis: Hậu Giang",
            'content/x.md:4: khóa "Localitis" không có trong định dạng bài viết; có phải là "Localities"? Sửa tên khóa',
        ),
        (
            "Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01",
            "Id: 42",
            'content/x.md:5: Id "42" không phải là UUID; khôi phục Id cũ của bài (dạng 8-4-4-4-12 chữ số hex) hoặc xóa dòng Id',
        ),
        (
            "Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01",
            "Status: publish",
            'content/x.md:5: trạng thái "publish" không hợp lệ; dùng draft, hidden hoặc published',
        ),
        (
            "Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01",
            "Slug: Đông-Hà",
            'content/x.md:5: Slug "Đông-Hà" chỉ được có chữ thường không dấu, chữ số và dấu gạch ngang; ví dụ: dong-ha-phat-dong-thi-dua-2020',
        ),
        (
            "Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01",
            "Honourees:\n    Nguyễn Văn A | Công dân tiêu biểu",
            'content/x.md:6: dòng Honourees "Nguyễn Văn A | Công dân tiêu biểu" cần đủ 3 phần; viết "Tên | Danh hiệu | Địa phương"',
        ),
        (
            "Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01",
            "Review: localities, campaigns",
            "content/x.md:5: bài nhập tự động còn mục cần xác nhận: localities, campaigns; kiểm tra các mục này rồi xóa dòng Review",
        ),
        (
            "Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01",
            "Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01\nTitle: lần hai",
            'content/x.md:6: khóa "Title" xuất hiện hai lần (dòng 1 và 6); giữ một dòng, xóa dòng còn lại',
        ),
        (
            "Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01",
            "Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01\nnội dung bị dính vào phần đầu",
            'content/x.md:6: dòng "nội dung bị dính vào phần đầu" trong phần đầu không đúng dạng "Khóa: giá trị"; thêm một dòng trống trước nội dung, hoặc thụt vào 4 dấu cách nếu là dòng tiếp theo của khóa trước',
        ),
        (
            "Nội dung.\n",
            "",
            "content/x.md:7: bài viết không có nội dung; viết nội dung sau dòng trống kết thúc phần đầu",
        ),
        (
            "Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d01",
            "Xyzzy: 1",
            'content/x.md:5: khóa "Xyzzy" không có trong định dạng bài viết; xóa dòng này hoặc xem danh sách khóa trong docs/editor-guide.md',
        ),
    ],
)
def test_bad_input_gives_one_exact_line(old, new, expected):
    assert old in GOOD
    assert problems_of(GOOD.replace(old, new, 1)) == [expected]


def test_category_in_other_case_or_tone_placement_is_accepted():
    assert problems_of(GOOD.replace("Phát động phong trào", "phát động phong TRÀO")) == []


def test_pages_need_only_a_title():
    assert problems_of("Title: Giới thiệu\nSlug: gioi-thieu\n\nNội dung", is_page=True) == []
    assert problems_of("Slug: gioi-thieu\n\nNội dung", is_page=True) == [
        'content/x.md:1: thiếu khóa bắt buộc "Title"; thêm dòng "Title: Thành phố Huế phát động phong trào thi đua năm 2021" vào phần đầu bài'
    ]


@pytest.mark.parametrize("text", ["", "\n\n  \n", "\ufeff"])
def test_an_empty_file_is_one_problem(text):
    assert problems_of(text) == ["content/x.md:1: tệp trống; viết bài theo mẫu trong docs/editor-guide.md hoặc xóa tệp"]


def test_yaml_front_matter_names_the_two_lines_to_delete():
    yaml = "---\n" + GOOD.replace("\n\n", "\n---\n\n", 1).replace("Title:", "title:")
    assert problems_of(yaml) == [
        'content/x.md:1: phần đầu viết kiểu YAML, giữa hai dòng "---"; xóa dòng "---" ở dòng 1 và dòng 7: '
        'phần đầu là các dòng "Khóa: giá trị", một dòng trống, rồi nội dung'
    ]
