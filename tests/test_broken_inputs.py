"""Every editor mistake we know of, walked through the three ways a site is built.

Each broken input must give a message in our format naming its file, never a traceback, and
never an article silently missing: the development build (`make html`, the preview) goes on and
keeps the file as a draft or a page, `invoke check` lists it, the strict build (`make publish`)
fails with the message.
"""

import subprocess
import sys

import pytest

from plugins.content_checks.content_checks import ContentErrors
from plugins.content_checks.problems import all_problems
from plugins.content_checks.runner import check_site
from tests.support import PINNED, ROOT, build_site

ARTICLE = """Title: {title}
Date: {date}
Category: Hội nghị tổng kết
Localities: Hậu Giang
{extra}
Bài thử nghiệm hư cấu.
"""
PAGE = "Title: {title}\n{extra}\nTrang thử nghiệm.\n"
MISSING_TITLE = 'thiếu khóa bắt buộc "Title"; thêm dòng "Title: Thành phố Huế phát động phong trào thi đua năm 2021" vào phần đầu bài'
SLUG_TAKEN = "đặt Slug khác cho một trong hai bài"
NOT_TEXT = (
    "tệp chứa ký tự NUL, không phải văn bản (có thể là tệp Word, PDF hoặc ảnh đổi tên thành .md); "
    "mở tệp gốc, chép nội dung vào một tệp .md mới viết theo docs/editor-guide.md"
)
NOT_AN_ARTICLE = (
    "tệp {kind} trong content/ không phải bài viết nên không được đăng; "
    "lưu bài thành tệp .md theo docs/editor-guide.md, đặt ảnh và tệp đính kèm trong content/images/, "
    "hoặc xóa tệp này"
)


LONG_SLUG = "-".join(["tin-rat-dai"] * 16) + "-tin-rat"  # 199 characters, cut at a hyphen
SYMLINK_TO_NOTHING = object()  # written as a symbolic link to a file that does not exist


def article(title="Tin hư cấu", date="2024-05-01", extra=""):
    return ARTICLE.format(title=title, date=date, extra=extra)


# id: (files written into content/, problem lines expected in full, files the development build must write)
CASES = {
    "missing title": (
        {"bai-moi.md": article().replace("Title: Tin hư cấu\n", "")},
        [f"content/bai-moi.md:1: {MISSING_TITLE}"],
        ["ban-nhap/bai-moi/index.html"],
    ),
    "empty file": (
        {"bai-trong.md": ""},
        ["content/bai-trong.md:1: tệp trống; viết bài theo mẫu trong docs/editor-guide.md hoặc xóa tệp"],
        ["ban-nhap/bai-trong/index.html"],
    ),
    "body only": (
        {"chi-noi-dung.md": "Chỉ có nội dung, không có phần đầu.\n\nĐoạn hai.\n"},
        [
            f"content/chi-noi-dung.md:1: {MISSING_TITLE}",
            'content/chi-noi-dung.md:1: thiếu khóa bắt buộc "Date"; thêm dòng "Date: 2021-01-11" vào phần đầu bài',
            'content/chi-noi-dung.md:1: thiếu khóa bắt buộc "Category"; thêm dòng "Category: Phát động phong trào" vào phần đầu bài',
            'content/chi-noi-dung.md:1: thiếu khóa bắt buộc "Localities"; thêm dòng "Localities: Thành phố Huế; Thừa Thiên Huế" vào phần đầu bài',
        ],
        ["ban-nhap/chi-noi-dung/index.html"],
    ),
    "YAML front matter": (
        {
            "yaml.md": "---\ntitle: Bài viết kiểu Hugo\ndate: 2024-05-01\ncategory: Hội nghị tổng kết\n"
            "localities: Hậu Giang\n---\n\nNội dung.\n"
        },
        [
            'content/yaml.md:1: phần đầu viết kiểu YAML, giữa hai dòng "---"; xóa dòng "---" ở dòng 1 và dòng 6: '
            'phần đầu là các dòng "Khóa: giá trị", một dòng trống, rồi nội dung'
        ],
        ["ban-nhap/bai-viet-kieu-hugo/index.html"],
    ),
    "binary file named .md": (
        {"anh.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\xff\xfe"},
        [f"content/anh.md:3: {NOT_TEXT}"],
        ["ban-nhap/anh/index.html"],
    ),
    "NUL byte in text": (
        {"nul.md": article(title="Tin có NUL").replace("thử nghiệm", "thử\x00nghiệm")},
        [f"content/nul.md:6: {NOT_TEXT}"],
        ["ban-nhap/tin-co-nul/index.html"],
    ),
    "not UTF-8": (
        {"cu.md": article(title="Tin cũ").encode("utf-8").replace("Bài".encode(), "B\xe0i".encode("latin-1"))},
        ["content/cu.md:6: tệp không phải UTF-8; lưu lại tệp với bảng mã UTF-8"],
        ["ban-nhap/tin-cu/index.html"],
    ),
    "impossible date": (
        {"a.md": article(date="2024-02-30")},
        ['content/a.md:2: ngày "2024-02-30" không tồn tại; kiểm tra lại ngày và tháng'],
        ["ban-nhap/tin-hu-cau/index.html"],
    ),
    "unknown category": (
        {"a.md": article().replace("Hội nghị tổng kết", "Tin tức")},
        [
            'content/a.md:3: chuyên mục "Tin tức" không hợp lệ; dùng đúng một trong: '
            "Phát động phong trào, Hội nghị tổng kết, Tôn vinh điển hình"
        ],
        ["ban-nhap/tin-hu-cau/index.html"],
    ),
    "slug that leaves the site": (
        {"a.md": article(extra="Slug: ../../ngoai\n")},
        [
            'content/a.md:5: Slug "../../ngoai" chỉ được có chữ thường không dấu, chữ số và dấu gạch ngang; '
            "ví dụ: dong-ha-phat-dong-thi-dua-2020"
        ],
        ["ban-nhap/tin-hu-cau/index.html"],
    ),
    "title without letters": (
        {"dau-hoi.md": article(title="???")},
        ['content/dau-hoi.md:1: tiêu đề "???" không tạo được đường dẫn; thêm dòng "Slug: …", ví dụ "Slug: dau-hoi"'],
        ["ban-nhap/dau-hoi/index.html"],
    ),
    "title too long for a file name": (
        {"dai.md": article(title="Tin rất dài " * 40)},
        [f'content/dai.md:1: đường dẫn dài 479 ký tự, quá giới hạn 200; đặt Slug ngắn hơn, ví dụ "Slug: {LONG_SLUG}"'],
        [f"ban-nhap/{LONG_SLUG}/index.html"],
    ),
    "same slug": (
        {"a.md": article(title="Cùng tên"), "b/c.md": article(title="Cùng tên")},
        [
            f"content/a.md:1: đường dẫn /tin-tuc/cung-ten/ trùng với content/b/c.md; {SLUG_TAKEN}",
            f"content/b/c.md:1: đường dẫn /tin-tuc/cung-ten/ trùng với content/a.md; {SLUG_TAKEN}",
        ],
        ["tin-tuc/cung-ten/index.html", "ban-nhap/cung-ten-2/index.html"],
    ),
    "same slug, both drafts": (
        {"a.md": article(title="Cùng tên", date="2024-02-30"), "b.md": article(title="Cùng tên", date="2024-02-31")},
        [
            'content/a.md:2: ngày "2024-02-30" không tồn tại; kiểm tra lại ngày và tháng',
            f"content/a.md:1: đường dẫn /ban-nhap/cung-ten/ trùng với content/b.md; {SLUG_TAKEN}",
            'content/b.md:2: ngày "2024-02-31" không tồn tại; kiểm tra lại ngày và tháng',
            f"content/b.md:1: đường dẫn /ban-nhap/cung-ten/ trùng với content/a.md; {SLUG_TAKEN}",
        ],
        ["ban-nhap/cung-ten/index.html", "ban-nhap/cung-ten-2/index.html"],
    ),
    "same Id": (
        {
            "a.md": article(title="Một", extra="Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d99\n"),
            "b.md": article(title="Hai", extra="Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d99\n"),
        },
        [
            "content/a.md:5: Id 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d99 trùng với content/b.md; bài sao chép cần Id mới: "
            "xóa dòng Id rồi chạy invoke new, hoặc tạo UUID mới"
        ],
        ["tin-tuc/mot/index.html", "tin-tuc/hai/index.html"],
    ),
    "missing image": (
        {"a.md": article(extra="Image: images/khong-co.jpg\nImage_alt: Ảnh\n")},
        [
            'content/a.md:5: ảnh "images/khong-co.jpg" không tồn tại; '
            "kiểm tra tên tệp trong content/images/ hoặc sửa dòng Image"
        ],
        ["ban-nhap/tin-hu-cau/index.html"],
    ),
    "image outside content/images/": (
        {"a.md": article(extra="Image: ../../pelicanconf.py\nImage_alt: Ảnh\n")},
        [
            'content/a.md:5: ảnh "../../pelicanconf.py" nằm ngoài content/images/; '
            'chép ảnh vào content/images/ rồi ghi "Image: images/<tên tệp ảnh>"'
        ],
        ["ban-nhap/tin-hu-cau/index.html"],
    ),
    "image that is not an image": (
        {"a.md": article(extra="Image: images/gia.jpg\nImage_alt: Ảnh\n"), "images/gia.jpg": "không phải ảnh\n"},
        [
            'content/a.md:5: ảnh "images/gia.jpg" bị hỏng, không đọc được; '
            "xuất lại ảnh từ bản gốc rồi chép đè vào content/images/"
        ],
        ["tin-tuc/tin-hu-cau/index.html"],
    ),
    "page without title": (
        {"pages/trang.md": PAGE.format(title="", extra="").replace("Title: \n", "Slug: trang\n")},
        [f"content/pages/trang.md:1: {MISSING_TITLE}"],
        ["trang/index.html"],
    ),
    "page status skip": (
        {"pages/trang.md": PAGE.format(title="Trang", extra="Status: skip\n")},
        ['content/pages/trang.md:2: trạng thái "skip" không hợp lệ; dùng draft, hidden hoặc published'],
        ["ban-nhap/trang/trang/index.html"],
    ),
    "page on a path of the site": (
        {"pages/tim.md": PAGE.format(title="Tìm kiếm", extra="Slug: tim-kiem\n")},
        ["content/pages/tim.md:2: đường dẫn /tim-kiem/ đã là một trang của hệ thống; đặt Slug khác cho trang này"],
        ["ban-nhap/trang/tim-kiem-2/index.html"],
    ),
    "two pages with one slug": (
        {
            "pages/a.md": PAGE.format(title="Giới thiệu", extra=""),
            "pages/b.md": PAGE.format(title="Giới thiệu", extra=""),
        },
        [
            f"content/pages/a.md:1: đường dẫn /gioi-thieu/ trùng với content/pages/b.md; {SLUG_TAKEN}",
            f"content/pages/b.md:1: đường dẫn /gioi-thieu/ trùng với content/pages/a.md; {SLUG_TAKEN}",
        ],
        ["gioi-thieu/index.html", "ban-nhap/trang/gioi-thieu-2/index.html"],
    ),
    "Word file in content": (
        {"bai.docx": b"PK\x03\x04\x14\x00\x06\x00word/document.xml"},
        [f"content/bai.docx:1: {NOT_AN_ARTICLE.format(kind='.docx')}"],
        [],
    ),
    "HTML file in content": (
        {"bai.html": "<html><body><h1>Tin</h1></body></html>\n"},
        [f"content/bai.html:1: {NOT_AN_ARTICLE.format(kind='.html')}"],
        [],
    ),
    "text file in pages": (
        {"pages/ghi-chu.txt": "ghi chú\n"},
        [f"content/pages/ghi-chu.txt:1: {NOT_AN_ARTICLE.format(kind='.txt')}"],
        [],
    ),
    "link to a deleted file": (
        {"loi-tat.md": SYMLINK_TO_NOTHING},
        [
            "content/loi-tat.md:1: không đọc được tệp này thành bài viết; "
            "kiểm tra tệp mở được và lưu lại dạng văn bản UTF-8 (xem docs/editor-guide.md)"
        ],
        [],
    ),
}
# Inputs that are not mistakes: they must build as published articles, with no problem at all.
CLEAN = {
    "unclosed HTML": article(title="Thẻ chưa đóng", extra="").replace("Bài thử", "<div><b>Bài <i>thử"),
    "huge line": article(title="Dòng rất dài").replace("Bài thử nghiệm hư cấu.", "Thi đua " * 60000),
    "editor's backup and system files": article(title="Tệp rác bên cạnh"),
}
JUNK = {
    ".DS_Store": b"\x00\x00\x00\x01Bud1",
    "Thumbs.db": b"\xd0\xcf\x11\xe0",
    "bai.md~": "Title: cũ\n",
    "~$bai.docx": "x",
}


def write(content, files):
    for name, data in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is SYMLINK_TO_NOTHING:
            path.symlink_to(path.with_name("da-xoa.md"))
        elif isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def lines(problems):
    return [str(p) for p in problems]


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_development_build_reports_the_file_and_keeps_going(case, tmp_path, capfd):
    files, expected, written = CASES[case]
    write(tmp_path / "content", files)
    build = build_site(tmp_path / "output", content=tmp_path / "content", CONTENT_CHECKS_STRICT=False)
    err = capfd.readouterr().err
    assert "Traceback" not in err
    found = lines(build.problems)
    assert [line for line in expected if line not in found] == [], found
    for line in expected:
        assert f"{line}\n" in err  # printed whole, one line each (issue 24, item 7)
    assert [path for path in written if not (build.output / path).is_file()] == []


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_invoke_check_lists_the_file(case, tmp_path):
    files, expected, _ = CASES[case]
    write(tmp_path / "content", files)
    found = lines(
        check_site(
            str(ROOT / "pelicanconf.py"), {**PINNED, "CONTENT_CHECKS_STRICT": False, "PATH": str(tmp_path / "content")}
        )
    )
    assert [line for line in expected if line not in found] == [], found


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_strict_build_fails_naming_the_file(case, tmp_path, capfd):
    files, expected, _ = CASES[case]
    write(tmp_path / "content", files)
    with pytest.raises(ContentErrors):
        build_site(tmp_path / "output", content=tmp_path / "content")
    assert "Traceback" not in capfd.readouterr().err
    found = lines(all_problems())
    assert [line for line in expected if line not in found] == [], found


@pytest.mark.parametrize("case", CLEAN, ids=list(CLEAN))
def test_unusual_but_valid_input_is_published(case, tmp_path):
    write(tmp_path / "content", {"a.md": CLEAN[case], **(JUNK if "system files" in case else {})})
    build = build_site(tmp_path / "output", content=tmp_path / "content")
    assert build.problems == []
    assert len(list((build.output / "tin-tuc").glob("*/index.html"))) == 1


def run(command, content, columns="40"):
    """Run a command as an editor would, in a terminal 40 columns wide; return the finished process."""
    env = {"PATH": f"{ROOT / '.venv/bin'}:/usr/bin:/bin", "PYTHONIOENCODING": "utf-8", "COLUMNS": columns}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)


def unwrapped(text: str) -> str:
    """Return text without any white space, so that a word rich wrapped over lines is found whole."""
    return "".join(text.split())


LONG_NAME = "vinh-long-tuyen-duong-121-dien-hinh-tien-tien-trong-phong-trao-thi-dua-yeu-nuoc.md"


@pytest.fixture(scope="module")
def every_broken_input(tmp_path_factory):
    """One content folder holding every broken input at once (folders per case keep names apart)."""
    content = tmp_path_factory.mktemp("broken") / "content"
    expected = []
    for number, (files, _problems, _) in enumerate(CASES.values()):
        prefix = f"ca-{number:02d}"
        moved = {}
        for name, data in files.items():
            folder = "pages/" if name.startswith("pages/") else ""
            target = f"{folder}{prefix}/{name.removeprefix('pages/')}" if not name.startswith("images/") else name
            moved[target] = data
        write(content, moved)
        expected.append(prefix)
    write(content, {LONG_NAME: article(title="Tên tệp dài", date="2024-02-30")})
    return content, expected


def test_pelican_on_the_command_line_prints_each_problem_whole_and_no_traceback(every_broken_input, tmp_path):
    content, prefixes = every_broken_input
    done = run(
        [sys.executable, "-m", "pelican", str(content), "-s", "pelicanconf.py", "-o", str(tmp_path / "output")], content
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in unwrapped(done.stderr + done.stdout)
    printed = done.stderr.splitlines()
    assert f'content/{LONG_NAME}:2: ngày "2024-02-30" không tồn tại; kiểm tra lại ngày và tháng' in printed
    for prefix in prefixes:
        assert any(prefix in line and line.startswith("content/") for line in printed), prefix


def test_invoke_check_on_the_command_line_names_every_broken_file(every_broken_input):
    content, prefixes = every_broken_input
    done = run([str(ROOT / ".venv/bin/invoke"), "check", "--content", str(content)], content)
    assert done.returncode == 1
    assert "Traceback" not in unwrapped(done.stderr + done.stdout)
    printed = done.stdout.splitlines()
    assert f'content/{LONG_NAME}:2: ngày "2024-02-30" không tồn tại; kiểm tra lại ngày và tháng' in printed
    for prefix in prefixes:
        assert any(prefix in line for line in printed), prefix


def test_a_strict_build_on_the_command_line_prints_the_problem_whole_and_no_traceback(tmp_path):
    write(tmp_path / "content", {LONG_NAME: article(title="Tên tệp dài", date="2024-02-30")})
    done = run(
        [sys.executable, "-m", "pelican", str(tmp_path / "content"), "-s", "publishconf.py", "-o", str(tmp_path / "o")],
        tmp_path / "content",
    )
    printed = done.stderr + done.stdout
    assert done.returncode == 1
    assert "Traceback" not in unwrapped(printed)
    assert f'content/{LONG_NAME}:2: ngày "2024-02-30" không tồn tại; kiểm tra lại ngày và tháng' in printed.splitlines()
