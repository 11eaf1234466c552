"""Tests of the gazetteer: spellings, context, eras, hierarchy, edges, problems, mentions."""

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from thidua.gazetteer import load_gazetteer
from thidua.gazetteer.model import Unit
from thidua.gazetteer.store import build_gazetteer, read_units

DATA = Path(__file__).resolve().parents[2] / "data"
OLD = date(2021, 1, 11)  # before 1 January 2025
MID = date(2025, 3, 1)  # between 1 January and 30 June 2025
NEW = date(2025, 9, 2)  # after the 1 July 2025 reorganisation
CLUSTER = "cum-thi-dua-cac-tinh-bac-trung-bo"


def nfd(text: str) -> str:
    """Return text in decomposed Unicode, as some editors type it."""
    return unicodedata.normalize("NFD", text)


@pytest.fixture(scope="module")
def gaz():
    """Return the project's gazetteer."""
    return load_gazetteer(DATA)


# (localities as written, article date, expected unit ids in the same order)
SPELLINGS = [
    # Thừa Thiên Huế and Huế in three periods
    (["Thừa Thiên Huế"], OLD, ["46"]),
    (["Tỉnh Thừa Thiên Huế"], OLD, ["46"]),
    ([nfd("Thừa Thiên Huế")], OLD, ["46"]),
    (["thừa thiên huế"], OLD, ["46"]),
    (["  Thừa   Thiên  Huế "], OLD, ["46"]),
    (["TP Huế", "Thừa Thiên Huế"], OLD, ["474", "46"]),
    (["Thành phố Huế", nfd("Thừa Thiên Huế")], OLD, ["474", "46"]),
    (["Huế", "Thừa Thiên Huế"], OLD, ["474", "46"]),
    (["TP. Huế"], OLD, ["474"]),
    (["Tp Huế"], OLD, ["474"]),
    (["Tp. Huế"], OLD, ["474"]),
    (["Thành phố Huế"], MID, ["46@2025-01-01"]),
    (["Thành phố Huế"], NEW, ["46@2025-07-01"]),
    (["Huế"], NEW, ["46@2025-07-01"]),
    (["Quận Phú Xuân"], MID, ["475@2025-01-01"]),
    (["TP.Huế"], OLD, ["474"]),
    (["Phường Đúc"], OLD, ["19780"]),  # the ward's own name starts with "Phường"
    # a unit word of the same level is tolerated, context decides (Phong Điền became a thị xã)
    (["Huyện Phong Điền", "Thừa Thiên Huế"], OLD, ["476", "46"]),
    (["Huyện Phong Điền"], OLD, ["926"]),
    (["Thị xã Hương Thủy"], OLD, ["479"]),
    (["Thị xã Hương Thuỷ"], OLD, ["479"]),
    (["TX Hương Thủy"], OLD, ["479"]),
    (["Tx. Hương Thuỷ"], OLD, ["479"]),
    # Tuần Giáo, Điện Biên: district before, commune after 1 July 2025
    (["Tuần Giáo", "Điện Biên"], OLD, ["099", "11"]),
    (["Huyện Tuần Giáo", "Tỉnh Điện Biên"], OLD, ["099", "11"]),
    (["H. Tuần Giáo"], OLD, ["099"]),
    (["Thị trấn Tuần Giáo"], OLD, ["03253"]),
    (["TT Tuần Giáo"], OLD, ["03253"]),
    (["Tuần Giáo", "Điện Biên"], NEW, ["03253@2025-07-01", "11@2025-07-01"]),
    ([nfd("Xã Tuần Giáo")], NEW, ["03253@2025-07-01"]),
    # Hậu Giang (merged into Cần Thơ): the former province also in later articles
    (["Hậu Giang"], OLD, ["93"]),
    (["TỈNH HẬU GIANG"], OLD, ["93"]),
    (["Hậu Giang"], NEW, ["93"]),
    # Đông Hà: homonyms told apart by context or by code
    (["Đông Hà", "Quảng Trị"], OLD, ["461", "45"]),
    (["Thành phố Đông Hà"], OLD, ["461"]),
    (["TP Đông Hà"], OLD, ["461"]),
    (["Đông Hà", "Quảng Trị"], NEW, ["19333@2025-07-01", "44@2025-07-01"]),
    (["Phường Đông Hà (19333)"], NEW, ["19333@2025-07-01"]),
    (["Đông Hà (461)"], OLD, ["461"]),
    (["Đông Hà", "Bình Thuận"], OLD, ["23224", "60"]),
    (["Đông Hà", "Hà Giang"], OLD, ["00895", "02"]),
    (["Phường 1", "Đông Hà", "Quảng Trị"], OLD, ["19333", "461", "45"]),
    (["P.1", "TX Quảng Trị"], OLD, ["19357", "462"]),
    # North Central provinces of the seed articles, both tone placements
    (["Quảng Bình"], OLD, ["44"]),
    (["Quảng Bình"], NEW, ["44"]),
    (["Quảng Trị"], NEW, ["44@2025-07-01"]),
    (["Nghệ An"], OLD, ["40"]),
    (["NGHỆ AN"], NEW, ["40@2025-07-01"]),
    (["Hà Tĩnh"], OLD, ["42"]),
    (["Thanh Hóa"], OLD, ["38"]),
    (["Thanh Hoá"], OLD, ["38"]),
    (["Thanh Hoá"], NEW, ["38@2025-07-01"]),
    (["Hòa Bình"], OLD, ["17"]),
    (["Tỉnh Hoà Bình"], OLD, ["17"]),
    (["Khánh Hoà"], OLD, ["56"]),
    # the cluster article: a bare province name is never a commune of another named province
    (
        [
            "Quảng Trị",
            "Thừa Thiên Huế",
            "Nghệ An",
            "Quảng Bình",
            "Thanh Hóa",
            "Hà Tĩnh",
            "Cụm thi đua các tỉnh Bắc Trung Bộ",
        ],
        date(2024, 3, 14),
        ["45", "46", "40", "44", "38", "42", CLUSTER],
    ),
    (["Thanh Hóa", "Quảng Bình"], OLD, ["38", "44"]),
    (["Xã Thanh Hóa", "Quảng Bình"], OLD, ["18958", "44"]),
    # the declared cluster
    (["Cụm thi đua các tỉnh Bắc Trung Bộ"], OLD, [CLUSTER]),
    (["cụm thi đua Bắc Trung Bộ"], NEW, [CLUSTER]),
    # numbered districts and abbreviations
    (["Quận 1"], OLD, ["760"]),
    (["Q.1"], OLD, ["760"]),
    (["Q. 1"], OLD, ["760"]),
    (["TP Hồ Chí Minh"], NEW, ["79@2025-07-01"]),
    (["Đặc khu Côn Đảo"], NEW, ["26732@2025-07-01"]),
    (["Huyện Côn Đảo"], OLD, ["755"]),
]


@pytest.mark.parametrize(("names", "on_date", "expected"), SPELLINGS)
def test_spelling_resolves_to_code(gaz, names, on_date, expected):
    result = gaz.resolve(names, on_date)
    assert result.problems == []
    assert [u.id for u in result.units] == expected


def test_table_is_large_enough():
    assert len(SPELLINGS) >= 40


def test_same_place_before_and_after_2025_shares_the_lineage(gaz):
    before = gaz.resolve(["Nghệ An"], OLD).units[0]
    after = gaz.resolve(["Nghệ An"], NEW).units[0]
    assert before.code == after.code == "40"
    assert before.slug == "nghe-an-cu" and after.slug == "nghe-an"
    assert gaz.successors(before) == [after]
    assert gaz.predecessors(after) == [before]


def test_official_names_are_nfc_and_complete(gaz):
    assert gaz.get("46").name == "Tỉnh Thừa Thiên Huế"
    assert gaz.get("46@2025-07-01").name == "Thành phố Huế"
    assert gaz.get("099").name == "Huyện Tuần Giáo"
    assert gaz.get("099").short_name == "Tuần Giáo"
    assert all(unicodedata.is_normalized("NFC", u.name) for u in gaz.units.values())
    assert len(gaz.provinces("old")) == 64  # 63 on 30 June 2025, plus Thừa Thiên Huế until 2024
    assert len(gaz.provinces(date(2024, 6, 1))) == 63
    assert len(gaz.provinces(MID)) == 63
    assert len(gaz.provinces("new")) == 34
    assert sum(1 for u in gaz.units.values() if u.level == 3 and u.valid_to is None) == 3321


def test_hierarchy_roll_up(gaz):
    commune = gaz.get("03253")  # Thị trấn Tuần Giáo
    assert [a.id for a in gaz.ancestors(commune)] == ["099", "11"]
    province = gaz.get("11")
    assert "03253" in gaz.descendants_codes(province)
    assert "099" in gaz.descendants_codes(province)
    assert "03253" in {c.id for c in gaz.children(gaz.get("099"))}
    assert gaz.province_of(commune) is province
    assert gaz.region_of(commune) == "Trung du và miền núi phía Bắc"
    new_commune = gaz.get("03253@2025-07-01")
    assert [a.id for a in gaz.ancestors(new_commune)] == ["11@2025-07-01"]
    assert gaz.region_of(gaz.get("19333@2025-07-01")) == "Bắc Trung Bộ và duyên hải miền Trung"


def test_cluster_members_and_roll_up(gaz):
    cluster = gaz.get(CLUSTER)
    assert cluster.level == 0 and cluster.slug == CLUSTER
    assert [u.short_name for u in gaz.children(cluster)] == [
        "Thanh Hóa",
        "Nghệ An",
        "Hà Tĩnh",
        "Quảng Bình",
        "Quảng Trị",
        "Thừa Thiên Huế",
    ]
    assert "099" not in gaz.descendants_codes(cluster)
    assert "461" in gaz.descendants_codes(cluster)  # Đông Hà is inside Quảng Trị
    assert gaz.region_of(cluster) == "Bắc Trung Bộ và duyên hải miền Trung"


def test_merged_units_link_both_ways(gaz):
    quang_tri_new = gaz.get("44@2025-07-01")
    assert sorted(u.id for u in gaz.predecessors(quang_tri_new)) == ["44", "45"]
    assert gaz.successors(gaz.get("44")) == [quang_tri_new]
    can_tho = gaz.get("92@2025-07-01")
    assert sorted(u.short_name for u in gaz.predecessors(can_tho)) == ["Cần Thơ", "Hậu Giang", "Sóc Trăng"]


def test_split_unit_keeps_every_edge(gaz):
    old_hue = gaz.get("474")  # the city of Huế inside Thừa Thiên Huế, until 2024
    assert [u.name for u in gaz.successors(old_hue)] == ["Quận Thuận Hóa", "Quận Phú Xuân"]
    assert gaz.successors(gaz.get("46")) == [gaz.get("46@2025-01-01")]
    assert gaz.successors(gaz.get("46@2025-01-01")) == [gaz.get("46@2025-07-01")]
    split = [u for u in gaz.units.values() if u.level == 3 and len(u.successors) > 1]
    assert split, "some communes were divided between several new ones"
    for unit in split[:20]:
        for successor in gaz.successors(unit):
            assert unit in gaz.predecessors(successor)


def test_validity_periods(gaz):
    assert gaz.get("46").valid_to == date(2024, 12, 31)
    assert gaz.get("46@2025-01-01").valid_from == date(2025, 1, 1)
    assert gaz.get("099").valid_to == date(2025, 6, 30)
    assert gaz.get("03253@2025-07-01").valid_from == date(2025, 7, 1)
    assert gaz.get("03253@2025-07-01").valid_on(NEW)
    assert not gaz.get("03253").valid_on(NEW)


def test_slugs_are_unique_readable_and_parent_based(gaz):
    slugs = [u.slug for u in gaz.units.values()]
    assert len(slugs) == len(set(slugs))
    assert all(s.isascii() and s == s.lower() and " " not in s for s in slugs)
    assert gaz.get("19333@2025-07-01").slug == "dong-ha-quang-tri"
    assert gaz.get("461").slug == "dong-ha-quang-tri-cu"
    assert gaz.get("00895").slug == "dong-ha-quan-ba-ha-giang-cu"
    assert gaz.get("46").slug == "thua-thien-hue-cu"
    assert gaz.get("46@2025-07-01").slug == "hue"
    assert gaz.get("099").slug == "tuan-giao-dien-bien-cu"


def test_ambiguous_name_lists_candidates_with_codes(gaz):
    result = gaz.resolve(["Đông Hòa"], OLD)
    assert result.units == []
    [problem] = result.problems
    assert problem.index == 0
    assert problem.message == (
        'Địa phương "Đông Hòa" chưa rõ: có thể là Thị xã Đông Hòa (mã 564, Phú Yên), '
        "Xã Đông Hòa (mã 12457, Thái Bình), Xã Đông Hòa (mã 16390, Thanh Hóa), "
        "Phường Đông Hòa (mã 25957, Bình Dương), Xã Đông Hòa (mã 26266, Đồng Nai), "
        "Xã Đông Hòa (mã 28549, Tiền Giang) và 1 nơi khác"
    )
    assert problem.fix == 'thêm tỉnh vào Localities hoặc ghi mã trong ngoặc, ví dụ "Đông Hòa (564)"'


def test_ambiguous_name_is_resolved_by_province_or_code(gaz):
    assert [u.id for u in gaz.resolve(["Đông Hòa", "Phú Yên"], OLD).units] == ["564", "54"]
    assert [u.id for u in gaz.resolve(["Đông Hoà (25957)"], OLD).units] == ["25957"]


def test_ambiguous_between_district_and_commune(gaz):
    [problem] = gaz.resolve(["Thuận Hóa"], MID).problems
    assert problem.message == (
        'Địa phương "Thuận Hóa" chưa rõ: có thể là Quận Thuận Hóa (mã 474, Huế), Xã Thuận Hóa (mã 18964, Quảng Bình)'
    )
    assert problem.fix == 'thêm tỉnh vào Localities hoặc ghi mã trong ngoặc, ví dụ "Thuận Hóa (474)"'
    assert [u.id for u in gaz.resolve(["Thuận Hóa"], NEW).units] == ["19789@2025-07-01"]


def test_unknown_name_lists_closest(gaz):
    result = gaz.resolve(["Đông Hà", "Quảng Trị", "Tuần Giao"], OLD)
    assert [u.id for u in result.units] == ["461", "45"]
    [problem] = result.problems
    assert problem.index == 2
    assert problem.message == (
        'Địa phương "Tuần Giao" không có trong danh mục; gần giống: '
        "Xã Tuần Giáo (mã 03253, Điện Biên, từ 01/07/2025), Huyện Tuần Giáo (mã 099, Điện Biên), "
        "Xã Xuân Giao (mã 02932, Lào Cai), Thị trấn Tuần Giáo (mã 03253, Điện Biên), "
        "Phường Thuận Giao (mã 25972, Bình Dương)"
    )
    assert problem.fix == "sửa theo tên chính thức, hoặc khai báo địa danh trong data/places.toml"


def test_unknown_name_without_neighbours(gaz):
    [problem] = gaz.resolve(["Xyz Qwv"], OLD).problems
    assert problem.message == 'Địa phương "Xyz Qwv" không có trong danh mục'


def test_wrong_code_is_reported(gaz):
    [problem] = gaz.resolve(["Đông Hà (99999)"], OLD).problems
    assert problem.message == (
        'Địa phương "Đông Hà (99999)" chưa rõ: mã 99999 không khớp với tên; có thể là '
        "Phường Đông Hà (mã 19333, Quảng Trị, từ 01/07/2025), Thành phố Đông Hà (mã 461, Quảng Trị), "
        "Xã Đông Hà (mã 00895, Hà Giang), Xã Đông Hà (mã 23224, Bình Thuận)"
    )
    assert problem.fix == 'sửa mã trong ngoặc, ví dụ "Đông Hà (19333)", hoặc bỏ mã'


def test_empty_locality(gaz):
    result = gaz.resolve(["Hà Tĩnh", " "], OLD)
    assert [u.id for u in result.units] == ["42"]
    assert [(p.index, p.message, p.fix) for p in result.problems] == [
        (1, "Địa phương thứ 2 để trống", 'xóa dấu ";" thừa trong Localities')
    ]


def test_unit_word_of_the_same_level_is_tolerated(gaz):
    # Thị trấn Tuần Giáo became Xã Tuần Giáo: either word finds the unit of the article's date
    assert [u.id for u in gaz.resolve(["Xã Tuần Giáo"], OLD).units] == ["03253"]
    assert [u.id for u in gaz.resolve(["Thị trấn Tuần Giáo"], NEW).units] == ["03253@2025-07-01"]


def test_unit_word_of_another_level_is_an_error(gaz):
    [problem] = gaz.resolve(["Tỉnh Tuần Giáo"], OLD).problems
    assert problem.message.startswith('Địa phương "Tỉnh Tuần Giáo" không có trong danh mục; gần giống: ')


def test_find_mentions_prefers_precision(gaz):
    text = (
        "Sáng 12/3, UBND huyện Tuần Giáo (tỉnh Điện Biên) tổ chức hội nghị. Đại diện TP. Huế, "
        "xã Quài Tở cùng dự; công tác xã hội được Thành phố Đông Hà, Phường 1 quan tâm."
    )
    found = [u.id for u in gaz.find_mentions(text, date(2024, 3, 12))]
    assert found == ["099", "11", "474", "03295", "461", "19333"]
    later = [u.id for u in gaz.find_mentions("Tỉnh Quảng Trị và Bà Rịa - Vũng Tàu", NEW)]
    assert later == ["44@2025-07-01", "77"]
    assert gaz.find_mentions("công tác xã hội của huyện ta", NEW) == []
    assert gaz.find_mentions("làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", NEW) == []
    assert [u.id for u in gaz.find_mentions("tại TP. Hồ Chí Minh", NEW)] == ["79@2025-07-01"]


def test_load_is_cached_in_memory_and_on_disk(tmp_path):
    first = load_gazetteer(DATA, tmp_path)
    assert load_gazetteer(DATA, tmp_path) is first
    assert list(tmp_path.glob("gazetteer-*.pickle"))
    from thidua.gazetteer.store import _load

    _load.cache_clear()
    again = load_gazetteer(DATA, tmp_path)
    assert again is not first and again.get("099") == first.get("099")


def test_places_file_errors(tmp_path):
    (tmp_path / "gazetteer.jsonl").write_bytes((DATA / "gazetteer.jsonl").read_bytes())
    (tmp_path / "places.toml").write_text(
        '[cum-thu]\nname = "Cụm thử (hư cấu)"\nmembers = ["Không Có Tỉnh Này"]\n', encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"data/places.toml: \[cum-thu\] members: Địa phương"):
        build_gazetteer(tmp_path)


def test_units_are_frozen():
    units = read_units(DATA / "gazetteer.jsonl")
    unit = units["099"]
    assert isinstance(unit, Unit)
    with pytest.raises(AttributeError):
        unit.name = "x"  # type: ignore[misc]


def test_every_province_has_a_region(gaz):
    assert all(p.region for p in gaz.provinces("old") + gaz.provinces("new"))
    assert gaz.get("80@2025-07-01").region == "Đông Nam Bộ"  # new Tây Ninh keeps Tây Ninh's region
    assert gaz.get("80").region == "Đồng bằng sông Cửu Long"  # Long An, whose code it took


def test_continuations_follow_renames_not_mergers(gaz):
    assert gaz.continuations(gaz.get("46")) == [gaz.get("46@2025-01-01")]
    assert gaz.continuations(gaz.get("40")) == [gaz.get("40@2025-07-01")]
    assert gaz.continuations(gaz.get("80")) == []  # Long An merged into Tây Ninh, which took code 80
    assert gaz.continuations(gaz.get("80@2025-07-01")) == []


def test_committed_data_matches_the_generator():
    from thidua.gazetteer.build_data import build, dump

    assert dump(build(DATA)) == (DATA / "gazetteer.jsonl").read_text(encoding="utf-8")


def test_ancestors_on_a_day_follow_renames(gaz):
    phu_vang = gaz.resolve(["Phú Vang", "Thừa Thiên Huế"], OLD).units[0]
    assert [a.id for a in gaz.ancestors(phu_vang)] == ["46@2025-01-01"]
    assert [a.id for a in gaz.ancestors_on(phu_vang, OLD)] == ["46"]
    assert [a.id for a in gaz.ancestors_on(phu_vang, MID)] == ["46@2025-01-01"]
    assert [a.id for a in gaz.ancestors_on(gaz.get("03253"), OLD)] == ["099", "11"]


def test_a_changed_data_file_changes_the_cache_key_though_it_is_hashed_once(tmp_path):
    """Two plugins load the gazetteer per build: the data is hashed again only when a file changed."""
    import os

    from thidua.gazetteer.store import DATA_FILE, _fingerprint, _hash_files

    data = tmp_path / DATA_FILE
    data.write_text('{"id": "1"}\n', encoding="utf-8")
    first = _fingerprint(tmp_path)
    hits = _hash_files.cache_info().hits
    assert _fingerprint(tmp_path) == first
    assert _hash_files.cache_info().hits == hits + 1
    data.write_text('{"id": "2"}\n', encoding="utf-8")  # same size: the mtime tells
    stat = data.stat()
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert _fingerprint(tmp_path) != first
