import uuid
from datetime import datetime

import pytest
from content_checks.header import parse_source

from scaffold import ScaffoldError, scaffold_article, write_new_article

UID = uuid.UUID("0b7c8a52-6a1e-4c47-9d8e-1f2a3b4c5d10")


def test_new_article_has_every_key_a_fresh_id_and_a_slug(tmp_path):
    article = scaffold_article(
        tmp_path,
        "tôn vinh điển hình",
        "Tôn vinh  Đông Hà (hư cấu)",
        ["Đông Hà", "Quảng Trị"],
        [],
        datetime(2026, 1, 2, 9, 5),
        UID,
    )
    assert article.path == tmp_path / "ton-vinh-dien-hinh/ton-vinh-dong-ha-hu-cau.md"
    fields = {f.key: f.value for f in parse_source(article.text).fields}
    assert fields["Title"] == "Tôn vinh Đông Hà (hư cấu)"
    assert fields["Date"] == "2026-01-02 09:05"
    assert fields["Category"] == "Tôn vinh điển hình"
    assert fields["Localities"] == "Đông Hà; Quảng Trị"
    assert fields["Id"] == str(UID)
    assert fields["Slug"] == "ton-vinh-dong-ha-hu-cau"
    assert fields["Status"] == "draft"


def test_unknown_category_is_refused():
    with pytest.raises(ScaffoldError, match='chuyên mục "Tin vắn" không hợp lệ'):
        scaffold_article(__import__("pathlib").Path("/tmp"), "Tin vắn", "x")


def test_existing_file_is_never_overwritten(tmp_path):
    first = scaffold_article(tmp_path, "Hội nghị tổng kết", "Tổng kết", uid=UID)
    write_new_article(first)
    with pytest.raises(ScaffoldError, match="đã có; đổi tiêu đề"):
        scaffold_article(tmp_path, "Hội nghị tổng kết", "Tổng kết", uid=UID)
    with pytest.raises(FileExistsError):
        write_new_article(first)
