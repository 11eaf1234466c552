"""Sharded indexing: the merged bundle holds what one Pagefind request over all pages holds.

The pages are fictional test fixtures (made-up people and places' news), not published content.
"""

import gzip
import json
import logging
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

import plugins.search.search as search_module
import plugins.search.shards as shards_module
from plugins.search.bundle import cbor_loads, drop_hidden_meta, read_pf, rechunk, split_words
from plugins.search.records import Record, prepare_page
from plugins.search.search import (
    DEFAULTS,
    bundle_config,
    index_folder,
    publish_index,
    run_in_own_loop,
    validate_settings,
)
from plugins.search.shards import merge, page_ids, shard_count, shard_of, split_pages
from plugins.search.test_bundle import PAGE, repeated

CONFIG = {"language": "vi", "exclude_selectors": list(DEFAULTS["SEARCH_EXCLUDE_SELECTORS"])}
BODIES = [
    "Huế đẹp và thơ",
    repeated("Đông Hà thi đua khen thưởng", 30) + "</p><h2>Thi đua</h2><p>kết thúc",
    "Tuần Giáo " + repeated("công dân tiêu biểu", 30),
    "Phường Hoà Thuận tổng kết phong trào thi đua",
    "Xã Quài Tở phát động thi đua yêu nước",
    "Người tốt việc tốt ở Điện Biên " + repeated("thi đua", 5),
    "Hội nghị điển hình tiên tiến huyện Tuần Giáo",
    "Gương sáng công dân tiêu biểu",
    "Đảng bộ xã Hòa Thuận biểu dương",
    "Cờ thi đua của Chính phủ",
]


def page_set(bodies=BODIES, with_locality=(3, 8)):
    """Prepared pages as a build hands them to Pagefind; only some have a locality (a metadata field)."""
    pages = []
    for number, body in enumerate(bodies):
        save_as = f"tin-tuc/bai-{number}/index.html"
        record = Record(
            save_as=save_as,
            url=f"/tin-tuc/bai-{number}/",
            category=["Phát động", "Tổng kết"][number % 2],
            provinces=["Điện Biên"] if number % 3 == 0 else [],
            year=str(2020 + number % 4),
            date_text="Thứ Năm, 05/09/2024",
            localities=["Phường Hoà Thuận"] if number in with_locality else [],
        )
        pages.append((save_as, prepare_page(PAGE.format(title=f"Tin thử {number}", body=body), record)))
    return pages


def contents(bundle: Path):
    """What a bundle says about each page, by URL: every word's locations, filters, word counts, fields."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    info = entry["languages"]["vi"]
    meta = cbor_loads(read_pf(bundle / f"pagefind.{info['hash']}.pf_meta"))
    urls = [
        json.loads(gzip.decompress((bundle / "fragment" / f"{h}.pf_fragment").read_bytes())[12:])["url"]
        for h, _ in meta[1]
    ]
    fields = meta[5]
    words = {}
    for _, _, chunk in meta[2]:
        for _, data in split_words(read_pf(bundle / "index" / f"{chunk}.pf_index")):
            word, pages, variants = cbor_loads(data)
            for form, page_list in [("", pages), *variants]:
                number = 0
                for delta, locs, meta_locs in page_list:
                    number += delta
                    named = tuple(fields[-v - 1] if v < 0 else v for v in meta_locs)
                    words[(word, form, urls[number])] = (tuple(locs), named)
    filters = {}
    for name, file_hash in meta[3]:
        _, values = cbor_loads(read_pf(bundle / "filter" / f"{file_hash}.pf_filter"))
        for value, numbers in values:
            filters[(name, value)] = sorted(urls[n] for n in numbers)
    counts = sorted(zip(urls, (count for _, count in meta[1]), strict=True))
    return {"words": words, "filters": filters, "counts": counts, "fields": fields, "pages": info["page_count"]}


def files_of(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def shard_folders(groups, cache: Path) -> list[Path]:
    return [cache / shards_module.shard_digest(group, CONFIG, "1.5.2") for group in groups]


def sharded(pages, target: Path, cache: Path, per_shard=3, share=0.2, last=None):
    """Index pages in shards and merge them into target; return the shards and the merge."""
    groups = split_pages(pages, per_shard)
    folders = shard_folders(groups, cache)
    shards = shards_module.ensure_shards(groups, folders, CONFIG)
    return shards, merge(folders, shards, target, 64, share, 1, last)


def one_request(pages, root: Path, share=0.2) -> Path:
    for save_as, page in pages:
        (root / "pages" / save_as).parent.mkdir(parents=True, exist_ok=True)
        (root / "pages" / save_as).write_text(page, encoding="utf-8")
    run_in_own_loop(index_folder(root / "pages", root / "bundle", CONFIG))
    assert rechunk(root / "bundle", 64, share, 1)
    return root / "bundle"


def test_shard_count_is_a_power_of_two_with_at_most_the_pages_asked_for():
    assert [shard_count(n, 200) for n in (0, 1, 200, 201, 800, 801, 10_000)] == [1, 1, 1, 2, 4, 8, 64]


def test_a_page_keeps_its_shard_whatever_other_pages_exist():
    pages = [(f"tin-tuc/bai-{n}/index.html", "") for n in range(50)]
    groups = split_pages(pages, 7)  # 8 shards
    assert sorted(p for group in groups for p in group) == sorted(pages)
    for group in groups:
        assert len({shard_of(save_as, 8) for save_as, _ in group}) == 1
    fewer = split_pages(pages[10:], 6)  # still 8 shards
    assert {p for group in fewer for p in group if p in groups[0]} <= set(groups[0])


@pytest.mark.parametrize("share", [None, 0.2])
def test_merged_shards_hold_what_one_pagefind_request_holds(tmp_path, share):
    pages = page_set()
    sharded(pages, tmp_path / "merged", tmp_path / "shards", share=share)
    whole = contents(one_request(pages, tmp_path / "one", share))
    assert len(split_pages(pages, 3)) == 4
    assert contents(tmp_path / "merged") == whole


def test_shards_lacking_a_metadata_field_are_renumbered(tmp_path):
    groups = split_pages(page_set(), 3)
    folders = shard_folders(groups, tmp_path / "shards")
    shards = shards_module.ensure_shards(groups, folders, CONFIG)
    lacking = [shard for shard in shards if "locality" not in shard.fields]
    assert 1 <= len(lacking) < len(shards)
    merge(folders, shards, tmp_path / "merged", 64, 0.2, 1)
    found = contents(tmp_path / "merged")
    assert "locality" in found["fields"]
    assert "locality" in found["words"][("hoa", "hoà", "/tin-tuc/bai-3/")][1]  # metadata positions by field name


def fragment_metas(bundle: Path) -> list[dict]:
    return [json.loads(read_pf(path))["meta"] for path in sorted((bundle / "fragment").iterdir())]


def test_fragments_leave_out_the_word_pairs_the_index_still_finds(tmp_path):
    pages = page_set()
    sharded(pages, tmp_path / "merged", tmp_path / "shards")
    assert {len(p.name) for p in (tmp_path / "merged" / "fragment").iterdir()} == {len("abcd.pf_fragment")}
    metas = fragment_metas(tmp_path / "merged")
    assert len(metas) == len(pages)
    assert all("pairs" not in meta and meta["title"].startswith("Tin thử") for meta in metas)
    assert {"title": "Tin thử 3", "date": "Thứ Năm, 05/09/2024", "locality": "Phường Hoà Thuận"} in metas
    found = contents(tmp_path / "merged")
    assert ("dongha", "dônghà", "/tin-tuc/bai-1/") in found["words"]  # "Đông Hà" together, still a word


def test_page_ids_are_short_unique_and_kept_by_unchanged_pages():
    hashes = [f"vi_{n:07x}" for n in range(5000)]
    ids = page_ids(hashes)
    assert len(set(ids)) == len(hashes) and all(4 <= len(i) <= 6 for i in ids)
    ordered = sorted(ids)
    assert not any(b.startswith(a) for a, b in zip(ordered, ordered[1:], strict=False))  # none starts another
    assert page_ids(list(reversed(hashes))) == list(reversed(ids))
    more = page_ids([*hashes, "vi_fffffff"])
    assert sum(a != b for a, b in zip(ids, more, strict=False)) <= 1  # only a page whose id started like the new one's


def test_pages_of_two_shards_with_the_same_fragment_hash_get_their_own_ids():
    # Separate Pagefind runs can name two pages' fragments alike (28 bits): the merge must not
    # fall back to indexing every page in one request on every build, nor give both one fragment.
    ids = page_ids(["vi_0000001", "vi_0000002", "vi_0000001"])
    assert len(set(ids)) == 3
    assert ids[:2] == page_ids(["vi_0000001", "vi_0000002"])  # the first of the two keeps its id


def test_one_request_bundles_drop_the_pairs_from_fragments_too(tmp_path):
    bundle = one_request(page_set(), tmp_path)
    assert any("pairs" in meta for meta in fragment_metas(bundle))
    names = sorted(p.name for p in (bundle / "fragment").iterdir())
    drop_hidden_meta(bundle)
    assert not any("pairs" in meta for meta in fragment_metas(bundle))
    assert sorted(p.name for p in (bundle / "fragment").iterdir()) == names


def test_the_same_pages_give_the_same_bytes_whatever_was_cached(tmp_path):
    pages = page_set()
    sharded(pages, tmp_path / "a", tmp_path / "cache-a")
    sharded(pages, tmp_path / "b", tmp_path / "cache-b")
    sharded(pages, tmp_path / "c", tmp_path / "cache-a")  # shards and capped lists read back from the cache
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b") == files_of(tmp_path / "c")


def test_an_edit_indexes_only_its_shard_again_and_gives_the_bytes_of_a_fresh_build(tmp_path, monkeypatch):
    pages = page_set()
    sharded(pages, tmp_path / "before", tmp_path / "cache")
    edited = [
        (s, p.replace("Gương sáng", "Gương sáng Mường Ảng")) if s.endswith("bai-7/index.html") else (s, p)
        for s, p in pages
    ]
    indexed = []
    real = shards_module.index_shard
    monkeypatch.setattr(shards_module, "index_shard", lambda group, *a: indexed.append(group) or real(group, *a))
    sharded(edited, tmp_path / "after", tmp_path / "cache")
    assert [[s for s, _ in group] for group in indexed] == [
        [s for s, _ in group] for group in split_pages(edited, 3) if "tin-tuc/bai-7/index.html" in dict(group)
    ]
    monkeypatch.setattr(shards_module, "index_shard", real)
    sharded(edited, tmp_path / "fresh", tmp_path / "fresh-cache")
    assert files_of(tmp_path / "after") == files_of(tmp_path / "fresh")
    assert ("muong", "mường", "/tin-tuc/bai-7/") in contents(tmp_path / "after")["words"]


def test_a_merge_after_an_edit_merges_again_only_the_words_it_changed_and_writes_only_changed_files(
    tmp_path, monkeypatch
):
    pages = page_set()
    _, last = sharded(pages, tmp_path / "site", tmp_path / "cache")
    before = {p.relative_to(tmp_path / "site").as_posix(): p.stat().st_mtime_ns for p in (tmp_path / "site").rglob("*")}
    edited = [
        (s, p.replace("Gương sáng", "Gương sáng Mường Ảng")) if s.endswith("bai-7/index.html") else (s, p)
        for s, p in pages
    ]
    merged, real = [], shards_module.merged_entry
    monkeypatch.setattr(shards_module, "merged_entry", lambda word, parts: merged.append(word) or real(word, parts))
    shards, after = sharded(edited, tmp_path / "site", tmp_path / "cache", last=last)
    group = next(i for i, g in enumerate(split_pages(edited, 3)) if "tin-tuc/bai-7/index.html" in dict(g))
    assert {"muong", "ang"} <= set(merged) <= set(shards[group].words)  # the other words kept their entries
    assert len(set(merged)) < len(after.words) / 2
    monkeypatch.setattr(shards_module, "merged_entry", real)
    sharded(edited, tmp_path / "fresh", tmp_path / "fresh-cache")  # no last merge
    assert files_of(tmp_path / "site") == files_of(tmp_path / "fresh")
    now = {p.relative_to(tmp_path / "site").as_posix(): p.stat().st_mtime_ns for p in (tmp_path / "site").rglob("*")}
    kept = [name for name in before if now.get(name) == before[name]]
    assert "pagefind.js" in kept and any(name.startswith("fragment/") for name in kept)


def test_a_last_merge_is_not_used_for_shards_renumbered_to_a_new_metadata_field(tmp_path):
    _, last = sharded(page_set(with_locality=()), tmp_path / "site", tmp_path / "cache")
    sharded(page_set(), tmp_path / "site", tmp_path / "cache", last=last)  # a locality appears
    sharded(page_set(), tmp_path / "fresh", tmp_path / "fresh-cache")
    assert files_of(tmp_path / "site") == files_of(tmp_path / "fresh")


def test_a_kept_merge_is_read_back_from_its_chunks_unless_other_code_made_it_or_a_chunk_changed(tmp_path, monkeypatch):
    _, merged = sharded(page_set(), tmp_path / "site", tmp_path / "cache")
    path = tmp_path / "merged.pickle"
    shards_module.save_merged(path, merged)
    assert shards_module.load_merged(path, tmp_path / "site") == merged
    chunk = tmp_path / "site" / merged.chunks[0][0]
    chunk.write_bytes(chunk.read_bytes())  # the same bytes, but not as the merge left them
    assert shards_module.load_merged(path, tmp_path / "site") is None
    shards_module.save_merged(path, merged)
    monkeypatch.setattr(shards_module, "_merge_code", lambda: b"other code")
    assert shards_module.load_merged(path, tmp_path / "site") is None


def write_article_pages(output: Path, pages) -> list[Record]:
    records = []
    for number, (save_as, _) in enumerate(pages):
        path = output / save_as
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PAGE.format(title=f"Tin thử {number}", body=BODIES[number]), encoding="utf-8")
        records.append(Record(save_as, f"/{Path(save_as).parent.as_posix()}/", "Tổng kết", [], "2024", "", []))
    return records


def forget_this_process():
    """As a fresh process: nothing merged or read in memory."""
    search_module._merged.clear()
    shards_module._loaded.clear()


def test_a_failing_shard_falls_back_to_one_request_with_a_warning(tmp_path, monkeypatch, caplog):
    output = tmp_path / "output"
    records = write_article_pages(output, page_set())
    settings = {"SEARCH_CACHE_PATH": str(tmp_path / "cache"), "SEARCH_SHARD_PAGES": 3}
    monkeypatch.setattr(shards_module, "pagefind_command", lambda *a: ["false"])
    with caplog.at_level(logging.WARNING):
        count = publish_index(output, records, settings)
    assert count == len(BODIES) == contents(output / "pagefind")["pages"]
    assert "search: indexing every page in one request (Pagefind failed on a shard (1)" in caplog.text


@pytest.mark.parametrize("fresh_process", [False, True])
def test_a_build_reuses_its_shards_and_last_merge_and_gives_the_bytes_of_a_fresh_build(
    tmp_path, monkeypatch, fresh_process
):
    output = tmp_path / "output"
    records = write_article_pages(output, page_set())
    settings = {"SEARCH_CACHE_PATH": str(tmp_path / "cache"), "SEARCH_SHARD_PAGES": 3}
    publish_index(output, records, settings)
    if fresh_process:
        forget_this_process()
    loaded = []
    monkeypatch.setattr(
        shards_module, "load_shard", lambda folder, real=shards_module.load_shard: loaded.append(folder) or real(folder)
    )
    monkeypatch.setattr(shards_module, "index_shard", lambda *a: pytest.fail("a cached shard was indexed again"))
    assert publish_index(output, records, settings) == len(BODIES)
    assert bool(loaded) == fresh_process  # a preview's process reads no shard again
    monkeypatch.undo()
    page = output / records[7].save_as
    page.write_text(page.read_text(encoding="utf-8").replace("Gương sáng", "Gương sáng Mường Ảng"), encoding="utf-8")
    if fresh_process:
        forget_this_process()
    merged, real = [], shards_module.merged_entry
    monkeypatch.setattr(shards_module, "merged_entry", lambda word, parts: merged.append(word) or real(word, parts))
    publish_index(output, records, settings)
    assert (
        "muong" in merged
        and len(set(merged)) < len(search_module.last_merge(tmp_path / "cache", output / "pagefind").words) / 2
    )
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    shutil.copytree(output, fresh, ignore=shutil.ignore_patterns("pagefind"))
    publish_index(fresh, records, {**settings, "SEARCH_CACHE_PATH": str(tmp_path / "fresh-cache")})
    assert files_of(output / "pagefind") == files_of(fresh / "pagefind")


def test_the_cache_keeps_the_last_merges_and_only_their_shards(tmp_path):
    from plugins.search.search import KEEP_MERGES, MERGED_FOLDER

    output = tmp_path / "output"
    records = write_article_pages(output, page_set())
    settings = {"SEARCH_CACHE_PATH": str(tmp_path / "cache"), "SEARCH_SHARD_PAGES": 3}
    (tmp_path / "cache" / "0123456789abcdef01234567").mkdir(parents=True)  # a bundle cached by an earlier version
    for edit in range(3):
        page = output / records[edit].save_as
        page.write_text(page.read_text(encoding="utf-8").replace("</h1>", f" sửa {edit}</h1>"), encoding="utf-8")
        publish_index(output, records, settings)
    for other in range(KEEP_MERGES + 1):  # other outputs (the publish's, say)
        shutil.copytree(
            output, tmp_path / f"other-{other}", ignore=shutil.ignore_patterns("pagefind"), dirs_exist_ok=True
        )
        publish_index(tmp_path / f"other-{other}", records, settings)
    kept = sorted((tmp_path / "cache" / MERGED_FOLDER).glob("*.pickle"))
    assert len(kept) == KEEP_MERGES
    listed = {name for state in kept for name in state.with_suffix(".txt").read_text(encoding="utf-8").split()}
    publish_index(output, records, settings)  # prunes the shards of merges no longer kept
    assert {p.name for p in (tmp_path / "cache" / "shards").iterdir()} <= listed | {
        n for n in search_module.last_merge(tmp_path / "cache", output / "pagefind").names
    }
    assert {p.name for p in (tmp_path / "cache").iterdir()} == {"shards", "pages", MERGED_FOLDER, "prepared.pickle"}
    assert contents(output / "pagefind")["pages"] == len(BODIES)


def test_shard_size_is_part_of_the_bundle_settings_and_checked():
    assert bundle_config({"SEARCH_SHARD_PAGES": 50})["shard_pages"] == 50
    with pytest.raises(ValueError) as refused:
        validate_settings(SimpleNamespace(settings={"SEARCH_SHARD_PAGES": 0}))
    assert str(refused.value) == (
        "search: SEARCH_SHARD_PAGES=0 must be a positive whole number of pages per shard, e.g. 200"
    )


def test_unchanged_pages_are_not_prepared_again_and_the_bundle_is_the_same(tmp_path, monkeypatch):
    import plugins.search.prepared as prepared_module

    output = tmp_path / "output"
    records = write_article_pages(output, page_set())
    settings = {"SEARCH_CACHE_PATH": str(tmp_path / "cache"), "SEARCH_SHARD_PAGES": 3}
    publish_index(output, records, settings)
    prepared = []
    real = prepared_module.prepare_page
    monkeypatch.setattr(
        prepared_module, "prepare_page", lambda page, record: prepared.append(record) or real(page, record)
    )
    page = output / records[7].save_as
    page.write_text(page.read_text(encoding="utf-8").replace("Gương sáng", "Gương sáng Mường Ảng"), encoding="utf-8")
    records[2] = Record(**{**records[2].__dict__, "category": "Phát động"})  # a record changed, not its page
    publish_index(output, records, settings)
    changed = {records[7].save_as, records[2].save_as}
    # The edited page and the page whose record changed are prepared (for their digests); the other
    # pages of their shards, indexed again, are linked from the store of prepared pages: no other
    # page is read.
    assert sorted(r.save_as for r in prepared) == sorted(changed)
    store = tmp_path / "cache" / "pages"
    assert len(list(store.iterdir())) == len(records)  # the two old versions were pruned
    monkeypatch.setattr(prepared_module, "prepare_page", real)
    fresh = tmp_path / "fresh"
    shutil.copytree(output, fresh, ignore=shutil.ignore_patterns("pagefind"))
    publish_index(fresh, records, {**settings, "SEARCH_CACHE_PATH": str(tmp_path / "fresh-cache")})
    assert files_of(output / "pagefind") == files_of(fresh / "pagefind")
    assert ("muong", "mường", "/tin-tuc/bai-7/") in contents(output / "pagefind")["words"]


def test_a_damaged_prepared_memo_only_means_every_page_is_prepared_again(tmp_path):
    from plugins.search.search import PREPARED_FILE

    output = tmp_path / "output"
    records = write_article_pages(output, page_set())
    settings = {"SEARCH_CACHE_PATH": str(tmp_path / "cache"), "SEARCH_SHARD_PAGES": 3}
    publish_index(output, records, settings)
    first = files_of(output / "pagefind")
    (tmp_path / "cache" / PREPARED_FILE).write_bytes(b"not a pickle")
    publish_index(output, records, settings)
    assert files_of(output / "pagefind") == first


def test_write_files_writes_only_what_differs_and_removes_what_is_gone(tmp_path):
    import os

    from plugins.search.shards import write_files

    target = tmp_path / "pagefind"
    for relative, data in {
        "pagefind.js": b"old",
        "fragment/vi_a.pf_fragment": b"a",
        "old/gone.pf_index": b"x",
        "names.json": b"{}",
    }.items():
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_bytes(data)
    os.utime(target / "fragment/vi_a.pf_fragment", ns=(10**9, 10**9))
    (tmp_path / "b").write_bytes(b"bb")
    wanted = {
        "pagefind.js": ("js", b"js"),
        "fragment/vi_a.pf_fragment": ("a", lambda: b"a"),
        "fragment/vi_b.pf_fragment": ("b", tmp_path / "b"),
    }
    files = write_files(target, wanted, {}, frozenset({"names.json"}))
    found = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    assert found == ["fragment", "fragment/vi_a.pf_fragment", "fragment/vi_b.pf_fragment", "names.json", "pagefind.js"]
    assert (target / "pagefind.js").read_bytes() == b"js"
    assert (target / "fragment/vi_a.pf_fragment").stat().st_mtime_ns == 10**9  # same bytes: left alone
    # As the manifest says: not even read again (a source that would fail is not asked).
    assert write_files(target, {**wanted, "pagefind.js": ("js", lambda: 1 / 0)}, files) == files


def test_the_early_stopping_size_check_agrees_with_compressing_everything():
    import random
    import zlib

    rng = random.Random(3)
    samples = [b"", b"a" * 100_000, bytes(rng.randrange(256) for _ in range(50_000))]
    samples += [bytes(rng.randrange(4) for _ in range(n)) for n in (10, 5_000, 70_000)]
    for data in samples:
        size = len(zlib.compress(data, 1))
        for budget in (0, size - 1, size, size + 1, 10**6):
            assert shards_module.compresses_beyond(data, budget) == (size > budget), (len(data), budget)


def test_a_staged_page_is_stored_by_digest_and_linked_from_the_store_next_time(tmp_path):
    from plugins.search.prepared import text_digest
    from plugins.search.shards import stage_page

    store = tmp_path / "store"
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    stage_page("<p>Trang một</p>", first, store)
    kept = store / (text_digest("<p>Trang một</p>").hex() + ".html")
    assert kept.read_text(encoding="utf-8") == "<p>Trang một</p>"
    stage_page("<p>Trang một</p>", second, store)
    assert second.stat().st_ino == kept.stat().st_ino  # linked, not prepared again
    without = tmp_path / "c.html"
    stage_page("<p>Trang hai</p>", without, None)
    assert without.read_text(encoding="utf-8") == "<p>Trang hai</p>"
