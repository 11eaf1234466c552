import gzip
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from search.bundle import (
    SIGNATURE,
    FormatError,
    cbor_dumps,
    cbor_loads,
    chunk_bounds,
    pack,
    read_pf,
    rechunk,
    split_words,
)
from search.search import DEFAULTS, make_bundle, validate_settings


@pytest.mark.parametrize(
    "value",
    [0, 23, 24, 255, 256, 65535, 65536, 2**32, -1, -24, -25, -169, -(2**20), "", "huế", "“đay", [], [[1, [-25, 3]]]],
)
def test_cbor_round_trip(value):
    assert cbor_loads(cbor_dumps(value)) == value


def test_cbor_uses_minimal_heads_like_minicbor():
    assert cbor_dumps([23, 24, -25, "a"]) == bytes([0x84, 0x17, 0x18, 0x18, 0x38, 0x18, 0x61, 0x61])


@pytest.mark.parametrize("data", [b"\xa1\x01\x02", b"\x83\x01", b"\x01\x02", b"\xf5"])
def test_cbor_rejects_what_pagefind_does_not_write(data):
    with pytest.raises(FormatError):
        cbor_loads(data)


def word(text, pages=3):
    return [text, [[n, [-25, n + 1, 4], []] for n in range(pages)], [[text + "\u0301", [[0, [-25, 7], [-2, 1]]]]]]


def test_split_words_keeps_each_entry_byte_for_byte():
    words = [word("an"), word("hue", 300), word("tuan")]
    split = split_words(cbor_dumps([words]))
    assert [w for w, _ in split] == ["an", "hue", "tuan"]
    assert [cbor_loads(entry) for _, entry in split] == words


def test_pack_gives_a_word_larger_than_the_budget_a_chunk_of_its_own():
    entries = split_words(cbor_dumps([[word("a"), word("b"), word("huyen", 5000), word("hue"), word("i")]]))
    runs = pack(entries, budget=200)
    assert [[w for w, _ in run] for run in runs] == [["a", "b"], ["huyen"], ["hue", "i"]]


def run(*words):
    return [(w, b"") for w in words]


def test_chunk_bounds_put_every_word_in_exactly_one_chunk():
    runs = [run("0", "an"), run("tu"), run("tua", "tuan"), run("tuc", "tuyen"), run("đa", "“đay")]
    bounds = chunk_bounds(runs)
    assert bounds[2] == ("tua", "tuan")  # Pagefind would write to="tua", leaving "tuan" outside
    for number, words in enumerate(runs):
        for w, _ in words:
            assert [i for i, (start, end) in enumerate(bounds) if start <= w <= end] == [number]


def test_chunk_bounds_leave_a_typed_prefix_in_the_chunk_of_its_first_extension():
    bounds = chunk_bounds([run("ha", "hai"), run("huong", "huyen")])
    assert bounds[1][0] == "hu"
    assert [i for i, (start, end) in enumerate(bounds) if start <= "huo" <= end] == [1]


PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>x</title></head><body>
<article class="td-article" data-pagefind-body><header>
<p class="td-article__category"><a href="/c/">Chuyênmục</a></p><h1>{title}</h1>
<p class="td-article__dates"><time>Thứ Năm, 05/09/2024</time></p></header>
<div class="td-article__body"><p>{body}</p></div>
<section class="td-article__honourees"><h2>Đượctônvinh</h2><ul><li>Nguyễn Văn An</li></ul><p><a href="/b/">Xembảngvàng</a></p></section>
<div class="td-terms"><h2 class="td-terms__label">Nhãnđịaphương</h2><ul><li>Thành phố Đông Hà</li></ul></div>
</article></body></html>"""


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory):
    """A Pagefind bundle of a few pages, re-cut into chunks of a few words each."""
    root = tmp_path_factory.mktemp("bundle")
    bodies = ["Huế đẹp và thơ", "Đông Hà thi đua khen thưởng " * 40, "Tuần Giáo " + "công dân tiêu biểu " * 60]
    for number, body in enumerate(bodies):
        page = root / "pages" / f"bai-{number}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(PAGE.format(title=f"Tin {number}", body=body), encoding="utf-8")
    config = {
        "language": "vi",
        "exclude_selectors": list(DEFAULTS["SEARCH_EXCLUDE_SELECTORS"]),
        "chunk_bytes": 64,
    }
    assert make_bundle(root / "pages", root / "pagefind", config) == len(bodies)
    return root / "pagefind"


def index_of(bundle: Path):
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = cbor_loads(read_pf(bundle / f"pagefind.{entry['languages']['vi']['hash']}.pf_meta"))
    chunks = {
        name: [w for w, _ in split_words(read_pf(bundle / "index" / f"{name}.pf_index"))] for _, _, name in meta[2]
    }
    return entry, meta, chunks


def test_rechunked_bundle_lists_exactly_its_files_and_finds_every_word_in_one_chunk(small_bundle):
    entry, meta, chunks = index_of(small_bundle)
    assert len(list(small_bundle.glob("*.pf_meta"))) == 1
    assert {p.stem for p in (small_bundle / "index").iterdir()} == set(chunks)
    assert len(chunks) > 3
    bounds = [(start, end, name) for start, end, name in meta[2]]
    for name, words in chunks.items():
        for w in words:
            assert [n for start, end, n in bounds if start <= w <= end] == [name]


def test_rechunked_bundle_keeps_body_words_and_leaves_chrome_out(small_bundle):
    _, _, chunks = index_of(small_bundle)
    words = {w for ws in chunks.values() for w in ws}
    assert {"hue", "đong", "tuan", "giao", "cong", "nguyen", "thanh"} <= words
    assert not {"chuyenmuc", "nhanđiaphuong", "đuoctonvinh", "xembangvang", "thu", "05"} & words


def test_rechunk_leaves_a_bundle_of_another_pagefind_version_alone(tmp_path, caplog):
    (tmp_path / "pagefind-entry.json").write_text('{"version": "9.9.9", "languages": {}}', encoding="utf-8")
    assert rechunk(tmp_path) is False
    assert "9.9.9" in caplog.text


def test_rechunk_raises_before_touching_anything_when_a_chunk_is_unreadable(tmp_path):
    chunk = gzip.compress(SIGNATURE + cbor_dumps([[["a", [], []], ["b", [], []]]]))
    meta = gzip.compress(SIGNATURE + cbor_dumps(["1.5.2", [], [["a", "b", "vi_1"], ["c", "d", "vi_2"]], [], []]))
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "vi_1.pf_index").write_bytes(chunk)
    (tmp_path / "index" / "vi_2.pf_index").write_bytes(b"not gzip")
    (tmp_path / "pagefind.vi_m.pf_meta").write_bytes(meta)
    entry = '{"version": "1.5.2", "languages": {"vi": {"hash": "vi_m", "wasm": null, "page_count": 0}}}'
    (tmp_path / "pagefind-entry.json").write_text(entry, encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(FormatError):
        rechunk(tmp_path)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SEARCH_CHUNK_BYTES", 0),
        ("SEARCH_CHUNK_BYTES", "16k"),
        ("SEARCH_CHUNK_BYTES", True),
        ("SEARCH_EXCLUDE_SELECTORS", ".td-terms__label"),
        ("SEARCH_EXCLUDE_SELECTORS", [""]),
    ],
)
def test_bad_bundle_settings_are_rejected_naming_the_setting(name, value):
    with pytest.raises(ValueError, match=name):
        validate_settings(SimpleNamespace(settings={name: value}))
