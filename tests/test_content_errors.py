"""Bad content in a real build: exact messages, strict builds fail, development builds keep going."""

import subprocess
import sys

import pytest

from plugins.content_checks.content_checks import ContentErrors
from tests.support import ROOT, build_site, write_article

ARTICLE = """Title: {title}
Date: 2024-05-01
Category: Hội nghị tổng kết
Localities: Hậu Giang
{extra}
Bài thử nghiệm hư cấu.
"""


def bad_build(tmp_path, files: dict[str, str], strict=True):
    content = tmp_path / "content"
    for name, text in files.items():
        write_article(content, name, text)
    return build_site(tmp_path / "output", content=content, CONTENT_CHECKS_STRICT=strict)


def problem_lines(build_or_error):
    from plugins.content_checks.problems import all_problems

    return [str(p) for p in all_problems()]


def test_strict_build_fails_and_names_file_line_and_fix(tmp_path):
    with pytest.raises(ContentErrors, match="1 lỗi nội dung"):
        bad_build(tmp_path, {"a.md": ARTICLE.format(title="Tin A", extra="").replace("2024-05-01", "2024-02-30")})
    assert problem_lines(None) == ['content/a.md:2: ngày "2024-02-30" không tồn tại; kiểm tra lại ngày và tháng']


def test_development_build_reports_and_keeps_the_article_as_a_draft(tmp_path):
    build = bad_build(
        tmp_path,
        {"a.md": ARTICLE.format(title="Tin A", extra="Catgory: x\n"), "b.md": ARTICLE.format(title="Tin B", extra="")},
        strict=False,
    )
    assert [str(p) for p in build.problems] == [
        'content/a.md:5: khóa "Catgory" không có trong định dạng bài viết; có phải là "Category"? Sửa tên khóa'
    ]
    assert (build.output / "ban-nhap/tin-a/index.html").exists()
    assert (build.output / "tin-tuc/tin-b/index.html").exists()
    assert not (build.output / "tin-tuc/tin-a/index.html").exists()


def test_two_articles_with_the_same_slug(tmp_path):
    with pytest.raises(ContentErrors):
        bad_build(
            tmp_path,
            {"a.md": ARTICLE.format(title="Cùng tên", extra=""), "b/c.md": ARTICLE.format(title="Cùng tên", extra="")},
        )
    assert problem_lines(None) == [
        "content/a.md:1: đường dẫn /tin-tuc/cung-ten/ trùng với content/b/c.md; đặt Slug khác cho một trong hai bài",
        "content/b/c.md:1: đường dẫn /tin-tuc/cung-ten/ trùng với content/a.md; đặt Slug khác cho một trong hai bài",
    ]


def test_two_articles_with_the_same_id(tmp_path):
    uid = "Id: 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d99\n"
    with pytest.raises(ContentErrors):
        bad_build(
            tmp_path, {"a.md": ARTICLE.format(title="Một", extra=uid), "b.md": ARTICLE.format(title="Hai", extra=uid)}
        )
    assert problem_lines(None) == [
        "content/a.md:5: Id 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d99 trùng với content/b.md; bài sao chép cần Id mới: xóa dòng Id rồi chạy invoke new, hoặc tạo UUID mới",
        "content/b.md:5: Id 0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d99 trùng với content/a.md; bài sao chép cần Id mới: xóa dòng Id rồi chạy invoke new, hoặc tạo UUID mới",
    ]


def test_missing_lead_image(tmp_path):
    with pytest.raises(ContentErrors):
        bad_build(tmp_path, {"a.md": ARTICLE.format(title="Ảnh", extra="Image: images/khong-co.jpg\nImage_alt: x\n")})
    assert (
        'content/a.md:5: ảnh "images/khong-co.jpg" không tồn tại; kiểm tra tên tệp trong content/images/ hoặc sửa dòng Image'
        in problem_lines(None)
    )


def test_empty_body(tmp_path):
    with pytest.raises(ContentErrors):
        bad_build(tmp_path, {"a.md": ARTICLE.format(title="Rỗng", extra="").replace("Bài thử nghiệm hư cấu.\n", "")})
    assert problem_lines(None) == [
        "content/a.md:6: bài viết không có nội dung; viết nội dung sau dòng trống kết thúc phần đầu"
    ]


def test_file_that_is_not_utf8(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_bytes(
        ARTICLE.format(title="Tin cũ", extra="").encode("utf-8").replace("Bài".encode(), "B\xe0i".encode("latin-1"))
    )
    with pytest.raises(ContentErrors):
        build_site(tmp_path / "output", content=content)
    assert problem_lines(None) == ["content/a.md:6: tệp không phải UTF-8; lưu lại tệp với bảng mã UTF-8"]


def test_nfd_text_is_published_as_nfc(tmp_path):
    import unicodedata

    build = bad_build(
        tmp_path,
        {"a.md": unicodedata.normalize("NFD", ARTICLE.format(title="Huế thi đua", extra="Slug: hue-thi-dua\n"))},
    )
    page = build.html("tin-tuc/hue-thi-dua/index.html")
    assert "Huế thi đua" in page
    assert unicodedata.is_normalized("NFC", page)


def test_invoke_check_prints_every_problem_and_exits_non_zero(tmp_path):
    content = tmp_path / "content"
    write_article(content, "a.md", ARTICLE.format(title="Tin A", extra="Catgory: x\n"))
    write_article(content, "b.md", ARTICLE.format(title="Tin B", extra="").replace("2024-05-01", "2024-13-01"))
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "check", "--content", str(content)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
    )
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines() == [
        'content/a.md:5: khóa "Catgory" không có trong định dạng bài viết; có phải là "Category"? Sửa tên khóa',
        'content/b.md:2: ngày "2024-13-01" không tồn tại; kiểm tra lại ngày và tháng',
        "2 lỗi, 0 cảnh báo",
    ]


def test_the_older_of_two_articles_on_one_url_keeps_it_in_development(tmp_path):
    # The new article's file name sorts first; the one readers may have bookmarked keeps the URL.
    build = bad_build(
        tmp_path,
        {
            "a-moi.md": ARTICLE.format(title="Cùng tên", extra="").replace("2024-05-01", "2024-06-01"),
            "z-cu.md": ARTICLE.format(title="Cùng tên", extra=""),
        },
        strict=False,
    )
    assert build.soup("tin-tuc/cung-ten/index.html").find("time")["datetime"].startswith("2024-05-01")
    assert build.soup("ban-nhap/cung-ten-2/index.html").find("time")["datetime"].startswith("2024-06-01")


def test_the_preview_keeps_serving_and_shows_each_problem_on_its_draft(tmp_path):
    from thidua.preview_server import build_once

    content = tmp_path / "content"
    write_article(content, "bai-moi.md", ARTICLE.format(title="Tin A", extra="").replace("Title: Tin A\n", ""))
    write_article(content, "a.md", ARTICLE.format(title="Cùng tên", extra=""))
    write_article(content, "b.md", ARTICLE.format(title="Cùng tên", extra=""))
    overrides = {"PATH": str(content), "BUILD_DATE": "2026-01-01T00:00:00+07:00", "SITEURL": ""}
    assert build_once(ROOT, tmp_path / "output", overrides=overrides)
    from bs4 import BeautifulSoup

    def banner(relative):
        page = BeautifulSoup((tmp_path / "output" / relative).read_text(encoding="utf-8"), "html.parser")
        return [code.get_text() for code in page.select(".td-preview-banner code")]

    assert banner("ban-nhap/bai-moi/index.html") == [
        'content/bai-moi.md:1: thiếu khóa bắt buộc "Title"; thêm dòng "Title: Thành phố Huế phát động phong trào thi đua năm 2021" vào phần đầu bài'
    ]
    assert banner("ban-nhap/cung-ten-2/index.html") == [
        "content/b.md:1: đường dẫn /tin-tuc/cung-ten/ trùng với content/a.md; đặt Slug khác cho một trong hai bài"
    ]
    assert banner("tin-tuc/cung-ten/index.html") == [
        "content/a.md:1: đường dẫn /tin-tuc/cung-ten/ trùng với content/b.md; đặt Slug khác cho một trong hai bài"
    ]


def test_the_preview_shows_a_file_that_became_no_page_on_every_page(tmp_path):
    from bs4 import BeautifulSoup

    from thidua.preview_server import build_once

    content = tmp_path / "content"
    write_article(content, "a.md", ARTICLE.format(title="Tin A", extra=""))
    (content / "bao-cao.docx").write_bytes(b"PK\x03\x04 not really a Word file")
    overrides = {"PATH": str(content), "BUILD_DATE": "2026-01-01T00:00:00+07:00", "SITEURL": ""}
    assert build_once(ROOT, tmp_path / "output", overrides=overrides)
    expected = [
        "content/bao-cao.docx:1: tệp .docx trong content/ không phải bài viết nên không được đăng; "
        "lưu bài thành tệp .md theo docs/editor-guide.md, đặt ảnh và tệp đính kèm trong content/images/, "
        "hoặc xóa tệp này"
    ]
    for relative in ("index.html", "tin-tuc/tin-a/index.html"):
        page = BeautifulSoup((tmp_path / "output" / relative).read_text(encoding="utf-8"), "html.parser")
        assert [code.get_text() for code in page.select(".td-preview-banner code")] == expected
