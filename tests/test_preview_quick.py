"""Gate: `make serve`'s quick path (thidua/preview_server/quick.py) serves what a build from scratch serves.

One editing session on a copy of the fixture site (fictional articles) through one `Preview`,
as `make serve` runs it: after each save the served folder is compared byte for byte with a
preview of the same content built from scratch, and each save must have taken the path it
should (a body-only edit the quick one; anything else a whole build).
"""

import shutil
from pathlib import Path

import pytest

from tests.support import (
    FIXTURE_SITE,
    PINNED,
    ROOT,
    WORKER_MODES,
    preview_caches,
    preview_session,
    replace_once,
    retitle,
    tree_differences,
)

SUMMIT = "hoi-nghi-tong-ket/tong-ket-cum-thi-dua.md"
DONG_HA = "ton-vinh-dien-hinh/dong-ha-khen-thuong.md"
XA = "phat-dong-phong-trao/xa-thu-nghiem-phat-dong.md"
TUAN_GIAO = "phat-dong-phong-trao/tuan-giao-nfd.md"  # an honouree's article, in NFD
PHOTO = "Image: images/hoi-nghi-thu-nghiem.jpg\nImage_alt: Ảnh thử nghiệm (hư cấu)\n"


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _add_header(path: Path, lines: str) -> None:
    head, body = path.read_text(encoding="utf-8").split("\n\n", 1)
    path.write_text(f"{head}\n{lines.rstrip()}\n\n{body}", encoding="utf-8")


def _saves(content: Path, data: Path):
    """(what, edit, path expected) in the order an editor makes them."""
    summit, dong_ha, xa, tuan_giao = content / SUMMIT, content / DONG_HA, content / XA, content / TUAN_GIAO
    return [
        ("a paragraph added to a body", lambda: _append(summit, "\nĐoạn bổ sung khi sửa bài (hư cấu).\n"), "quick"),
        (
            "a word corrected further down the same body",
            lambda: replace_once(summit, "Hội nghị bàn giải pháp", "Hội nghị thảo luận giải pháp"),
            "quick",
        ),
        (
            "two bodies edited in one save",
            lambda: (_append(dong_ha, "\nThêm một câu (hư cấu).\n"), _append(xa, "\nThêm câu khác (hư cấu).\n")),
            "quick",
        ),
        (
            "the first paragraph, which cards show as the summary",
            lambda: replace_once(dong_ha, "khen thưởng các tập thể", "biểu dương các tập thể"),
            "quick",
        ),
        ("a Summary line", lambda: replace_once(xa, "Summary: Bài hư cấu", "Summary: Bài viết hư cấu"), "quick"),
        ("a body edit after a whole build", lambda: _append(dong_ha, "\nLại thêm một câu (hư cấu).\n"), "quick"),
        (
            "a title the URL is made from (no Slug)",
            lambda: replace_once(dong_ha, "Title: Đông Hà khen thưởng", "Title: Đông Hà biểu dương"),
            "whole",
        ),
        (
            "a title drawn on the share card (no photograph)",
            lambda: retitle(xa, "Xã thử nghiệm: tên mới (hư cấu)"),
            "quick",
        ),
        (
            "a slug and a photograph (a new URL)",
            lambda: _add_header(tuan_giao, "Slug: tuan-giao-ke-hoach\n" + PHOTO),
            "whole",
        ),
        (
            "the title of an honouree's article with a photograph",
            lambda: retitle(tuan_giao, "Tuần Giáo triển khai kế hoạch mới (bài hư cấu)"),
            "quick",
        ),
        (
            "a title and another article's body in one save",
            lambda: (retitle(tuan_giao, "Tuần Giáo: kế hoạch (hư cấu)"), _append(xa, "\nx\n")),
            "quick",
        ),
        (
            "an image in a body",
            lambda: _append(xa, "\n![Ảnh thử nghiệm](images/hoi-nghi-thu-nghiem.jpg)\n"),
            "whole",
        ),
        ("markup the sanitiser removes", lambda: _append(summit, "\n<script>alert(1)</script>\n"), "quick"),
        (
            "a body emptied (an error)",
            lambda: summit.write_text(summit.read_text(encoding="utf-8").split("\n\n")[0] + "\n\n", encoding="utf-8"),
            "whole",
        ),
        (
            "a new file",
            lambda: (content / SUMMIT).with_name("moi.md").write_text("Title: x\n\nx\n", encoding="utf-8"),
            "whole",
        ),
        (
            "a data file with a body edit",
            lambda: (_append(data / "places.toml", "\n"), _append(summit, "\nCâu cuối (hư cấu).\n")),
            "whole",
        ),
        ("nothing", lambda: None, "whole"),
    ]


@pytest.mark.parametrize("workers", WORKER_MODES.values(), ids=WORKER_MODES.keys())
def test_each_save_serves_what_a_preview_from_scratch_serves(tmp_path, workers):
    from thidua.preview_server import Preview, build_once

    content, data, common = preview_session(tmp_path)
    served = tmp_path / "served"
    preview = Preview(ROOT, served, overrides={**common, **preview_caches(tmp_path / "served-cache"), **workers})
    assert preview.build() and preview.last == "whole"
    failures = []
    for step, (what, edit, expected) in enumerate(_saves(content, data)):
        edit()
        assert preview.build(), f"the preview failed after {what}"
        if preview.last != expected:
            failures.append(f"after {what}: a {preview.last} build, expected a {expected} one")
        scratch = tmp_path / f"scratch-{step}"
        assert build_once(ROOT, scratch, overrides={**common, **preview_caches(tmp_path / f"scratch-{step}-cache")})
        differences = tree_differences(served, scratch)
        if differences:
            failures.append(f"after {what}: {differences}")
        shutil.rmtree(scratch)
    assert not failures, "\n".join(failures)


def test_a_quick_save_shows_the_new_text_and_touches_only_its_page_feeds_and_index(tmp_path):
    from thidua.preview_server import Preview

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_SITE / "content", content)
    served = tmp_path / "served"
    overrides = {**PINNED, "PATH": str(content), "CONTENT_CHECKS_STRICT": False, "CACHE_PATH": str(tmp_path / "c")}
    overrides["SEARCH_CACHE_PATH"] = str(tmp_path / "s")
    preview = Preview(ROOT, served, overrides=overrides)
    assert preview.build()
    before = {p: p.stat().st_mtime_ns for p in served.rglob("*") if p.is_file()}
    _append(content / SUMMIT, "\nMột câu mới rất riêng (hư cấu).\n")
    assert preview.build() and preview.last == "quick"
    page = served / "tin-tuc/hoi-nghi-tong-ket-thi-dua-cua-cum-bai-hu-cau/index.html"
    assert "Một câu mới rất riêng" in page.read_text(encoding="utf-8")
    after = {p: p.stat().st_mtime_ns for p in served.rglob("*") if p.is_file()}
    changed = sorted(
        p.relative_to(served).as_posix() for p in before.keys() | after.keys() if before.get(p) != after.get(p)
    )
    assert page.relative_to(served).as_posix() in changed
    outside = [p for p in changed if not (p.startswith("pagefind/") or p.endswith((".xml", "index.html")))]
    assert outside == [], f"files other than the page, feeds and search index were rewritten: {outside}"
    assert any(p.endswith("rss.xml") for p in changed), "the feeds carrying the article were not rewritten"
