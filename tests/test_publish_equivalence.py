"""Gate: after each edit, the release `make publish` leaves live equals a strict build from scratch.

One editing session on scratch copies of the fixture content and the data folder: each edit is
followed by publish_site (the persistent build tree updated incrementally, a release snapshotted,
checked and switched to); the live site is compared byte for byte with a strict build of the same
content into an empty folder with empty caches.
"""

import shutil
from pathlib import Path

import pytest

from tests.support import FIXTURE_SITE, PINNED, ROOT, WORKER_MODES, replace_once, tree_differences
from thidua.publishing import publish_site

NEW_ARTICLE = """\
Title: Bài mới thêm khi xuất bản (bài hư cấu)
Date: 2024-09-07 08:00
Category: Tôn vinh điển hình
Localities: Quảng Trị
Tags: khen thưởng
Image: images/anh-moi.jpg
Image_alt: Ảnh thử nghiệm hư cấu

Dữ liệu thử nghiệm hư cấu, thêm vào để kiểm tra xuất bản tăng dần.
"""


def _edits(content: Path, data: Path):
    """(what, edit) pairs an editor makes between two publishes, applied one after the other."""
    summit = content / "hoi-nghi-tong-ket/tong-ket-cum-thi-dua.md"
    hue = content / "phat-dong-phong-trao/hue-sau-sap-xep.md"

    def add_article_and_image():
        shutil.copyfile(content / "images/hoi-nghi-thu-nghiem.jpg", content / "images/anh-moi.jpg")
        (content / "ton-vinh-dien-hinh/bai-moi.md").write_text(NEW_ARTICLE, encoding="utf-8")

    def rename_place():
        places = data / "places.toml"
        replace_once(places, 'name = "Cụm thi đua các tỉnh Bắc Trung Bộ"', 'name = "Cụm thi đua Bắc Trung (hư cấu)"')
        replace_once(
            places, '"Cụm thi đua Bắc Trung Bộ"]', '"Cụm thi đua Bắc Trung Bộ", "Cụm thi đua các tỉnh Bắc Trung Bộ"]'
        )

    return [
        ("a body edit", lambda: summit.write_text(summit.read_text(encoding="utf-8") + "\nĐoạn bổ sung.\n", "utf-8")),
        (
            "a title and locality edit",
            lambda: (
                replace_once(hue, "Title: ", "Title: (Sửa) "),
                replace_once(hue, "Localities: Huế", "Localities: Quảng Trị"),
            ),
        ),
        ("an article deleted", lambda: (content / "hoi-nghi-tong-ket/noi-dung-doc-hai.md").unlink()),
        ("an article with a new image added", add_article_and_image),
        ("a declared place renamed in data/places.toml (the old name kept as an alias)", rename_place),
    ]


@pytest.mark.parametrize("workers", WORKER_MODES.values(), ids=WORKER_MODES.keys())
def test_each_publish_equals_a_strict_build_from_scratch(tmp_path, workers):
    content, data = tmp_path / "content", tmp_path / "data"
    shutil.copytree(FIXTURE_SITE / "content", content)
    shutil.copytree(ROOT / "data", data)
    search_cache = str(tmp_path / "search-cache")  # Pagefind's bytes vary by run; one bundle per input

    def strict_build(target: Path, cache: Path) -> str:
        from pelican import Pelican
        from pelican.settings import read_settings

        overrides = {
            **PINNED,
            **workers,
            "PATH": str(content),
            "OUTPUT_PATH": str(target),
            "SITEURL": "https://thidua.example",
            "DEFAULT_PAGINATION": 2,
            "DELETE_OUTPUT_DIRECTORY": False,
            "LOCALITIES_DATA_PATH": str(data),
            "CACHE_PATH": str(cache),
            "LOCALITIES_CACHE_PATH": str(cache / "gazetteer"),
            "IMAGES_CACHE_PATH": str(cache / "images"),
            "SEARCH_CACHE_PATH": search_cache,
        }
        settings = read_settings(str(ROOT / "publishconf.py"), override=overrides)
        Pelican(settings).run()
        return settings["SITEURL"]

    def publish_build(root, target, settings_file):
        return strict_build(target, tmp_path / "publish-cache")

    output = tmp_path / "output"
    publish_site(ROOT, output, build=publish_build)
    failures = []
    for step, (what, edit) in enumerate(_edits(content, data)):
        edit()
        publish_site(ROOT, output, build=publish_build)
        scratch = tmp_path / f"scratch-{step}"
        strict_build(scratch, tmp_path / f"scratch-{step}-cache")
        differences = tree_differences(output, scratch)
        if differences:
            failures.append(f"after {what}: {differences}")
        shutil.rmtree(scratch)
    assert not failures, "\n".join(failures)
