import uuid
from datetime import datetime

import pytest

from plugins.content_checks.header import parse_source
from thidua.scaffold import ScaffoldError, scaffold_article, write_new_article

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


def test_localities_are_checked_against_the_gazetteer():
    from datetime import date

    from thidua.gazetteer import load_gazetteer
    from thidua.scaffold import check_localities

    gazetteer = load_gazetteer("data")
    assert check_localities(["Đông Hà", "Quảng Trị"], date(2024, 1, 1), gazetteer) == []
    assert check_localities(["Xyz Abc"], date(2024, 1, 1), gazetteer) == [
        'Địa phương "Xyz Abc" không có trong danh mục; sửa theo tên chính thức, hoặc khai báo địa danh trong data/places.toml'
    ]
    # `invoke new` on a Quảng Trị portal: its home area settles "Đông Hà" as the city.
    assert len(check_localities(["Đông Hà"], date(2024, 1, 1), gazetteer)) == 1
    assert check_localities(["Đông Hà"], date(2024, 1, 1), gazetteer, gazetteer.home_provinces(["Quảng Trị"])) == []


def test_new_campaign_names_get_the_closest_existing_names(tmp_path):
    from thidua.scaffold import campaign_notes, existing_campaigns

    (tmp_path / "a.md").write_text(
        "Title: x\nCampaigns: Cả nước chung tay vì người nghèo - không để ai bị bỏ lại phía sau\n\nx",
        encoding="utf-8",
    )
    known = existing_campaigns(tmp_path)
    assert campaign_notes(["Cả nước chung tay vì người nghèo, không để ai bị bỏ lại phía sau"], known) == []
    assert campaign_notes(["Cả nước chung tay vì người nghèo không để ai bỏ lại phía sau"], known) == [
        'phong trào "Cả nước chung tay vì người nghèo không để ai bỏ lại phía sau" chưa có bài nào dùng; có phải là: "Cả nước chung tay vì người nghèo - không để ai bị bỏ lại phía sau"'
    ]


def test_the_date_written_by_default_is_the_clock_in_vietnam_time(tmp_path):
    """Not the machine's local time: a server on UTC would write a time seven hours early."""
    from zoneinfo import ZoneInfo

    from thidua.clock import build_time

    before = build_time({}).replace(second=0, microsecond=0)
    article = scaffold_article(tmp_path, "Hội nghị tổng kết", "Tổng kết", uid=UID)
    after = build_time({})
    written = {f.key: f.value for f in parse_source(article.text).fields}["Date"]
    assert before <= datetime.strptime(written, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")) <= after
