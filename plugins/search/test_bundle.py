import gzip
import json
import random
import shutil
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest

from plugins.search.bundle import (
    SIGNATURE,
    FormatError,
    cap_common_words,
    cap_locations,
    cap_word,
    cbor_dumps,
    cbor_loads,
    chunk_bounds,
    decode_locations,
    encode_locations,
    pack,
    pf_bytes,
    read_pf,
    rechunk,
    split_words,
)
from plugins.search.search import DEFAULTS, bundle_config, make_bundle, validate_settings


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


def repeated(sentence: str, times: int) -> str:
    """The sentence `times` times, with a varying number of filler words between (irregular positions)."""
    rng = random.Random(sentence)
    fillers = ["năm", "nay", "tại", "xã", "với", "nhiều", "người"]
    return " ".join(sentence + " " + " ".join(fillers[: rng.randrange(8)]) for _ in range(times))


BODIES = [
    "Huế đẹp và thơ",
    # A heading at the end: its "thi" outweighs all the earlier ones in the body.
    repeated("Đông Hà thi đua khen thưởng", 80) + "</p><h2>Thi đua</h2><p>kết thúc",
    "Tuần Giáo " + repeated("công dân tiêu biểu", 80),
]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    """Pagefind bundles of the same few pages, re-cut into chunks of a few words each: with the default
    settings (twice), with two positions kept per page of a common word, and with every position."""
    root = tmp_path_factory.mktemp("bundle")
    for number, body in enumerate(BODIES):
        page = root / "pages" / f"bai-{number}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(PAGE.format(title=f"Tin {number}", body=body), encoding="utf-8")
    config = {
        "language": "vi",
        "exclude_selectors": list(DEFAULTS["SEARCH_EXCLUDE_SELECTORS"]),
        "chunk_bytes": 64,
        "common_word_share": DEFAULTS["SEARCH_COMMON_WORD_SHARE"],
        "common_word_locations": DEFAULTS["SEARCH_COMMON_WORD_LOCATIONS"],
    }
    variants = {
        "default": {},
        "default again": {},
        "two": {"common_word_locations": 2},
        "every position": {"common_word_share": None},
    }
    for name, changes in variants.items():
        assert make_bundle(root / "pages", root / name, {**config, **changes}) == len(BODIES)
    return {name: root / name for name in variants}


@pytest.fixture(scope="module")
def small_bundle(bundles):
    return bundles["default"]


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


# --- Common words: fewer positions per page ---


def test_locations_decode_and_encode_exactly_as_pagefind_writes_them():
    # Pagefind 1.5.2 lists the default weight 25 first, then by weight and position; a marker -(w + 1)
    # sets the weight and makes the next position absolute. Body text is 24, an h1 168, weight="0.5" 12.
    locs = [2, -13, 90, -25, 3, 4, -169, 0]
    pairs = [(25, 2), (12, 90), (24, 3), (24, 7), (168, 0)]
    assert decode_locations(locs) == pairs
    assert encode_locations(reversed(pairs)) == locs


def test_cap_locations_keeps_the_heaviest_positions_then_the_earliest():
    locs = encode_locations([(24, 3), (24, 7), (168, 40), (12, 1), (24, 9), (144, 60)])
    assert decode_locations(cap_locations(locs, 1)) == [(168, 40)]
    assert decode_locations(cap_locations(locs, 2)) == [(144, 60), (168, 40)]
    assert decode_locations(cap_locations(locs, 4)) == [(24, 3), (24, 7), (144, 60), (168, 40)]
    assert cap_locations(locs, 6) is locs


def entry(text, pages, variants=()):
    """Encode a word entry; pages maps a page number to (weight, position) pairs and meta locations."""

    def listed(pages):
        out, last = [], 0
        for number in sorted(pages):
            pairs, meta = pages[number]
            out.append([number - last, encode_locations(pairs), meta])
            last = number
        return out

    return cbor_dumps([text, listed(pages), [[form, listed(forms)] for form, forms in variants]])


def page_lists(word):
    return [word[1], *(variant[1] for variant in word[2])]


BODY = [(24, p) for p in range(3, 60, 4)]
CONG = entry(
    "cong",
    {0: (BODY, []), 3: ([(24, 8)], [-1, 0])},
    [
        ("công", {0: ([(24, 2), (24, 5)], []), 1: ([*BODY, (168, 80)], [-1, 0, 2]), 4: ([(12, 9), (24, 70)], [])}),
        ("cộng", {4: ([(24, 1)], [])}),
    ],
)


def test_cap_word_keeps_every_page_of_every_spelling_with_its_heaviest_positions():
    capped = cap_word(CONG, least=5 * 0.2, limit=1)
    whole, cut = cbor_loads(CONG), cbor_loads(capped)
    assert len(capped) < len(CONG)
    assert [[page[0] for page in pages] for pages in page_lists(cut)] == [[0, 3], [0, 1, 3], [4]]
    assert [[page[2] for page in pages] for pages in page_lists(cut)] == [
        [page[2] for page in pages] for pages in page_lists(whole)
    ]
    kept = [[decode_locations(page[1]) for page in pages] for pages in page_lists(cut)]
    assert kept == [[[(24, 3)], [(24, 8)]], [[(24, 2)], [(168, 80)], [(24, 70)]], [[(24, 1)]]]


def test_cap_word_leaves_a_word_on_too_few_pages():
    assert cap_word(CONG, least=6, limit=1) is None  # on 5 pages: 0, 1, 3 and 4, counted once each
    assert cap_word(CONG, least=4, limit=1) is not None


def test_cap_common_words_caps_only_words_on_the_share_of_pages_and_larger_than_a_chunk():
    small = entry("an", {n: ([(24, 1), (24, 2)], []) for n in range(4)})
    rare = entry("hue", {0: ([(24, p * p % 4001) for p in range(300)], [])})
    budget = len(zlib.compress(small, 1))
    assert len(zlib.compress(rare, 1)) > budget < len(zlib.compress(CONG, 1))
    words = [("an", small), ("cong", CONG), ("hue", rare)]
    capped, count = cap_common_words(words, page_count=10, share=0.4, limit=1, budget=budget)
    assert count == 1
    assert capped == [("an", small), ("cong", cap_word(CONG, 4, 1)), ("hue", rare)]
    assert cap_common_words(words, page_count=10, share=None, limit=1, budget=0) == (words, 0)


def entries_of(bundle: Path) -> dict[str, bytes]:
    _, meta, _ = index_of(bundle)
    return {w: raw for _, _, name in meta[2] for w, raw in split_words(read_pf(bundle / "index" / f"{name}.pf_index"))}


def test_pagefind_writes_locations_as_encode_locations_does(bundles):
    pages = [
        page
        for raw in entries_of(bundles["every position"]).values()
        for pages in page_lists(cbor_loads(raw))
        for page in pages
    ]
    assert len(pages) > 30
    assert all(encode_locations(decode_locations(page[1])) == page[1] for page in pages)


@pytest.mark.parametrize(("name", "limit"), [("default", DEFAULTS["SEARCH_COMMON_WORD_LOCATIONS"]), ("two", 2)])
def test_common_words_of_a_pagefind_bundle_keep_their_heaviest_positions_on_every_page(bundles, name, limit):
    whole, cut = entries_of(bundles["every position"]), entries_of(bundles[name])
    assert whole.keys() == cut.keys()
    share = DEFAULTS["SEARCH_COMMON_WORD_SHARE"]
    capped = set()
    for text, raw in whole.items():
        word, kept = cbor_loads(raw), cbor_loads(cut[text])
        found = {sum(page[0] for page in pages[: i + 1]) for pages in page_lists(word) for i in range(len(pages))}
        if len(found) < share * len(BODIES) or len(zlib.compress(raw, 1)) <= 64:
            assert cut[text] == raw
            continue
        capped.add(text)
        assert kept[0] == word[0]
        for pages, capped_pages in zip(page_lists(word), page_lists(kept), strict=True):
            assert [p[0] for p in capped_pages] == [p[0] for p in pages]
            assert [p[2] for p in capped_pages] == [p[2] for p in pages]
            for page, capped_page in zip(pages, capped_pages, strict=True):
                heaviest = sorted(decode_locations(page[1]), key=lambda pair: (-pair[0], pair[1]))[:limit]
                assert sorted(decode_locations(capped_page[1])) == sorted(heaviest)
    assert {"thi", "cong", "tieu"} <= capped
    thi = page_lists(cbor_loads(cut["thi"]))[0]
    kept = decode_locations(thi[0][1])
    assert max(kept) == (144, max(position for _, position in kept))  # the h2 at the end comes first
    assert sorted(weight for weight, _ in kept) == [24] * (limit - 1) + [144]


def test_rechunk_writes_the_same_bytes_for_the_same_bundle(bundles, tmp_path):
    from plugins.search.search import index_folder, run_in_own_loop

    config = {"language": "vi", "exclude_selectors": list(DEFAULTS["SEARCH_EXCLUDE_SELECTORS"])}
    pages = bundles["default"].parent / "pages"
    run_in_own_loop(index_folder(pages, tmp_path / "a", config))
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    for name in "ab":
        assert rechunk(tmp_path / name, 64, 0.2, 1)
    files = [
        {p.relative_to(tmp_path / n): p.read_bytes() for p in (tmp_path / n).rglob("*") if p.is_file()} for n in "ab"
    ]
    assert files[0] == files[1]


def test_chunks_reused_from_a_published_bundle_give_the_same_bytes(bundles, tmp_path, monkeypatch):
    import plugins.search.bundle as bundle
    from plugins.search.search import index_folder, run_in_own_loop

    config = {"language": "vi", "exclude_selectors": list(DEFAULTS["SEARCH_EXCLUDE_SELECTORS"])}
    pages = bundles["default"].parent / "pages"
    run_in_own_loop(index_folder(pages, tmp_path / "fresh", config))
    shutil.copytree(tmp_path / "fresh", tmp_path / "reusing")
    published = tmp_path / "published"
    shutil.copytree(bundles["default"], published)
    # A published chunk whose name matches but whose content does not is never reused.
    tampered = sorted((published / "index").glob("*.pf_index"))[0]
    tampered.write_bytes(pf_bytes(b"\x81\x80"))
    assert rechunk(tmp_path / "fresh", 64, 0.2, 1)
    compressed = []
    monkeypatch.setattr(bundle, "pf_bytes", lambda cbor: compressed.append(cbor) or pf_bytes(cbor))
    assert rechunk(tmp_path / "reusing", 64, 0.2, 1, reuse_from=published)
    chunks = len(list((published / "index").glob("*.pf_index")))
    assert 1 <= len(compressed) < chunks  # the tampered chunk and the metadata file, not every chunk
    files = [
        {p.relative_to(tmp_path / n): p.read_bytes() for p in (tmp_path / n).rglob("*") if p.is_file()}
        for n in ("fresh", "reusing")
    ]
    assert files[0] == files[1]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "SEARCH_COMMON_WORD_SHARE",
            0,
            "search: SEARCH_COMMON_WORD_SHARE=0 must be a share of the pages above 0 and at most 1, e.g. 0.2, "
            "or None to keep every position of every word",
        ),
        (
            "SEARCH_COMMON_WORD_SHARE",
            20,
            "search: SEARCH_COMMON_WORD_SHARE=20 must be a share of the pages above 0 and at most 1, e.g. 0.2, "
            "or None to keep every position of every word",
        ),
        (
            "SEARCH_COMMON_WORD_SHARE",
            "20%",
            "search: SEARCH_COMMON_WORD_SHARE='20%' must be a share of the pages above 0 and at most 1, e.g. 0.2, "
            "or None to keep every position of every word",
        ),
        (
            "SEARCH_COMMON_WORD_SHARE",
            True,
            "search: SEARCH_COMMON_WORD_SHARE=True must be a share of the pages above 0 and at most 1, e.g. 0.2, "
            "or None to keep every position of every word",
        ),
        (
            "SEARCH_COMMON_WORD_LOCATIONS",
            0,
            "search: SEARCH_COMMON_WORD_LOCATIONS=0 must be a positive whole number of positions kept per page, e.g. 1",
        ),
        (
            "SEARCH_COMMON_WORD_LOCATIONS",
            2.5,
            "search: SEARCH_COMMON_WORD_LOCATIONS=2.5 must be a positive whole number of positions kept per page, "
            "e.g. 1",
        ),
        (
            "SEARCH_COMMON_WORD_LOCATIONS",
            None,
            "search: SEARCH_COMMON_WORD_LOCATIONS=None must be a positive whole number of positions kept per page, "
            "e.g. 1",
        ),
    ],
)
def test_bad_common_word_settings_are_refused_with_the_fix(name, value, message):
    with pytest.raises(ValueError) as refused:
        validate_settings(SimpleNamespace(settings={name: value}))
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "settings",
    [{}, {"SEARCH_COMMON_WORD_SHARE": None}, {"SEARCH_COMMON_WORD_SHARE": 1, "SEARCH_COMMON_WORD_LOCATIONS": 3}],
)
def test_good_common_word_settings_are_accepted(settings):
    validate_settings(SimpleNamespace(settings=settings))
    config = bundle_config(settings)
    assert config["common_word_share"] == settings.get("SEARCH_COMMON_WORD_SHARE", DEFAULTS["SEARCH_COMMON_WORD_SHARE"])
    assert config["common_word_locations"] == settings.get("SEARCH_COMMON_WORD_LOCATIONS", 1)


# --- the forked indexing process --------------------------------------------------------------


def test_bad_worker_threshold_is_refused_with_the_fix():
    with pytest.raises(ValueError) as refused:
        validate_settings(SimpleNamespace(settings={"SEARCH_WORKER_MIN_ARTICLES": -1}))
    assert str(refused.value) == (
        "search: SEARCH_WORKER_MIN_ARTICLES=-1 must be a whole number ≥ 0 (0: never fork), e.g. 500"
    )


def test_a_failed_indexing_process_is_reported_and_leaves_the_work_to_the_build(tmp_path, caplog):
    from plugins.search.search import index_worker

    worker = index_worker(tmp_path, [object()], {"SEARCH_CACHE_PATH": str(tmp_path / "cache")})  # not a record
    assert worker.result("indexing here") is None
    assert "search: the indexing process failed (AttributeError:" in caplog.text
    assert "indexing here" in caplog.text


def test_the_indexing_process_hands_its_warnings_to_the_build(tmp_path, caplog):
    from plugins.search.records import Record
    from plugins.search.search import index_worker

    missing = Record("tin/khong-co/index.html", "/tin/khong-co/", "Tin", [], "2025", "", [])
    worker = index_worker(tmp_path, [missing], {"SEARCH_CACHE_PATH": str(tmp_path / "cache")})
    made = worker.result("indexing here")
    assert made is not None and made[1] == 0
    assert "search: tin/khong-co/index.html was not written; left out of the index" in caplog.text


WRONG_VERSION = (
    "was written by Pagefind 9.9.9; search/bundle.py and shards.py read only Pagefind 1.5.2 "
    "(pin pagefind to it, or port them)"
)


def test_every_reader_of_pagefinds_files_refuses_another_version_with_a_clear_message(tmp_path):
    from plugins.search.bundle import FormatError, _plan, _reused, check_version, read_entry_file
    from plugins.search.shards import Shard, load_shard, merge, read_shard, save_shard

    (tmp_path / "pagefind-entry.json").write_text('{"version": "9.9.9", "languages": {}}', encoding="utf-8")
    with pytest.raises(FormatError) as refused:
        read_entry_file(tmp_path)
    assert str(refused.value) == f"{tmp_path}/pagefind-entry.json {WRONG_VERSION}"
    with pytest.raises(FormatError, match=WRONG_VERSION.split(";")[0]):
        read_shard(tmp_path)
    with pytest.raises(FormatError, match="9.9.9"):
        _plan(tmp_path, {"version": "9.9.9", "languages": {}})
    assert _reused(tmp_path, ["a", "b", "vi_1"], b"") is None  # never copied from another version's bundle
    save_shard(tmp_path, Shard("9.9.9", "vi", {}, [], [], {}, {}, {}))
    assert load_shard(tmp_path) is None  # a shard cached by another version is indexed again
    with pytest.raises(FormatError) as refused:
        merge([tmp_path], [Shard("9.9.9", "vi", {}, [], [], {}, {}, {})], tmp_path / "out", 16384, None, 1)
    assert str(refused.value) == f"the shard in {tmp_path} {WRONG_VERSION}"
    check_version("1.5.2", "this bundle")  # the supported version passes
