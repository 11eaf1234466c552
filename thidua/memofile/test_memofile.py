"""The remembered dicts: a round trip, and a missing, damaged or foreign file read as empty."""

import pickle

from thidua.memofile import load_dict, save_dict


def test_a_dict_survives_a_round_trip_and_no_temporary_file_is_left(tmp_path):
    where = tmp_path / "nested" / "memo.pickle"
    save_dict(where, {"trang": (b"khoa", 3, 4)})
    assert load_dict(where) == {"trang": (b"khoa", 3, 4)}
    assert [p.name for p in where.parent.iterdir()] == ["memo.pickle"]


def test_missing_damaged_or_foreign_files_read_as_empty(tmp_path):
    where = tmp_path / "memo.pickle"
    assert load_dict(where) == {} and load_dict(None) == {}
    where.write_bytes(b"\x80\x05not a pickle")
    assert load_dict(where) == {}
    where.write_bytes(pickle.dumps(["a list, not a dict"]))
    assert load_dict(where) == {}
    save_dict(None, {"a": 1})  # no cache folder: nothing is written


def test_an_entry_holds_while_its_file_is_untouched(tmp_path):
    from thidua.memofile import file_stamp, untouched_since

    page = tmp_path / "trang.html"
    page.write_text("<p>một</p>", encoding="utf-8")
    entry = (b"khoa", *file_stamp(page))
    assert untouched_since(entry, page, b"khoa")
    assert not untouched_since(entry, page, b"khoa khac") and not untouched_since(None, page, b"khoa")
    page.write_text("<p>hai, dài hơn</p>", encoding="utf-8")
    assert not untouched_since(entry, page, b"khoa")
    page.unlink()
    assert file_stamp(page) is None and not untouched_since(entry, page, b"khoa")


def test_the_code_digest_changes_with_the_code_and_the_tag(tmp_path):
    from thidua.memofile import code_digest

    source = tmp_path / "ma.py"
    source.write_text("X = 1\n", encoding="utf-8")
    first = code_digest("memo-1", source)
    assert code_digest("memo-1", source) == first
    assert code_digest("memo-2", source) != first
    other = tmp_path / "ma2.py"
    other.write_text("X = 2\n", encoding="utf-8")
    assert code_digest("memo-1", other) != first
