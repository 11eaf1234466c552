from pathlib import Path

from preview_server import build_once
from tests.support import PINNED, ROOT, write_article

BAD = """Title: Bài còn lỗi (hư cấu)
Date: 2024-02-30
Category: Hội nghị tổng kết
Localities: Hậu Giang

Nội dung thử nghiệm hư cấu.
"""


def test_preview_shows_content_errors_as_a_banner_on_the_page(tmp_path):
    content = tmp_path / "content"
    write_article(content, "loi.md", BAD)
    output = tmp_path / "output"
    assert build_once(ROOT, output, overrides={**PINNED, "PATH": str(content), "CONTENT_CHECKS_STRICT": False})
    page = (output / "ban-nhap/bai-con-loi-hu-cau/index.html").read_text(encoding="utf-8")
    assert "td-preview-banner" in page
    assert "content/loi.md:2: ngày &#34;2024-02-30&#34; không tồn tại; kiểm tra lại ngày và tháng" in page


def test_published_builds_never_show_the_banner(fixture_build):
    for path in Path(fixture_build.output).rglob("*.html"):
        assert "td-preview-banner" not in path.read_text(encoding="utf-8")


def test_a_failed_rebuild_keeps_the_last_good_site(tmp_path):
    content = tmp_path / "content"
    write_article(content, "tot.md", BAD.replace("2024-02-30", "2024-02-03"))
    output = tmp_path / "output"
    overrides = {**PINNED, "PATH": str(content)}
    assert build_once(ROOT, output, overrides=overrides)
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    broken_theme = tmp_path / "theme"
    (broken_theme / "templates").mkdir(parents=True)
    (broken_theme / "templates/index.html").write_text("{% broken", encoding="utf-8")
    assert not build_once(ROOT, output, overrides={**overrides, "THEME": str(broken_theme)})
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before
