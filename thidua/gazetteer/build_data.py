"""Generate data/gazetteer.jsonl from the vietnamadminunits package and the hand-written files.

Run from the project root: ``python -m thidua.gazetteer.build_data``.
The output is deterministic: the same inputs always give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tomllib
from collections import defaultdict
from importlib import metadata
from pathlib import Path

from thidua.vntext import name_key, nfc, slugify

OLD_UNTIL = "2025-06-30"
NEW_FROM = "2025-07-01"
OUTPUT_NAME = "gazetteer.jsonl"
OLD_SLUG_SUFFIX = "cu"

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def package_data_dir() -> Path:
    """Return the folder holding the vietnamadminunits data files."""
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data"


def unit_id(code: str, valid_from: str | None) -> str:
    """Return the unique id of a unit: its code, plus "@date" when it starts at a known date."""
    return f"{code}@{valid_from}" if valid_from else code


def read_rows(db_path: Path, table: str) -> list[dict]:
    """Read every row of one table of the package's SQLite dataset."""
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(f"SELECT * FROM [{table}]")]


def make_unit(code, name, short, kind, level, parent, valid_from, valid_to) -> dict:
    """Return one unit record with empty edges."""
    return {
        "id": unit_id(code, valid_from),
        "code": code,
        "name": nfc(name),
        "short_name": nfc(short),
        "kind": nfc(kind),
        "level": level,
        "parent": parent,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "successors": [],
        "region": None,
    }


def old_units(rows: list[dict]) -> tuple[dict[str, dict], dict[str, str]]:
    """Return the pre-2025 units by id and a map from the package's ward/district keys to ids."""
    units: dict[str, dict] = {}
    keys: dict[str, str] = {}
    for r in rows:
        pid = r["provinceCode"]
        if pid not in units:
            kind = r["province"][: -len(r["provinceShort"])].strip()
            units[pid] = make_unit(pid, r["province"], r["provinceShort"], kind, 1, None, None, OLD_UNTIL)
            keys[r["provinceKey"]] = pid
        did = r["districtCode"]
        if did not in units:
            units[did] = make_unit(did, r["district"], r["districtShort"], r["districtType"], 2, pid, None, OLD_UNTIL)
        if r["wardCode"]:
            units[r["wardCode"]] = make_unit(
                r["wardCode"], r["ward"], r["wardShort"], r["wardType"], 3, did, None, OLD_UNTIL
            )
            keys[f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}"] = r["wardCode"]
        else:
            keys[f"{r['provinceKey']}_{r['districtKey']}_"] = did
    return units, keys


def new_units(rows: list[dict]) -> tuple[dict[str, dict], dict[str, str]]:
    """Return the post-2025 units by id and a map from the package's keys to ids."""
    units: dict[str, dict] = {}
    keys: dict[str, str] = {}
    for r in rows:
        pid = unit_id(r["provinceCode"], NEW_FROM)
        if pid not in units:
            kind = r["province"][: -len(r["provinceShort"])].strip()
            units[pid] = make_unit(r["provinceCode"], r["province"], r["provinceShort"], kind, 1, None, NEW_FROM, None)
            keys[r["provinceKey"]] = pid
        wid = unit_id(r["wardCode"], NEW_FROM)
        units[wid] = make_unit(r["wardCode"], r["ward"], r["wardShort"], r["wardType"], 3, pid, NEW_FROM, None)
        keys[f"{r['provinceKey']}/{r['wardKey']}"] = wid
    return units, keys


def add_edges(old: dict, old_keys: dict, new: dict, new_keys: dict, converter: dict) -> None:
    """Fill the successors of old provinces, districts and communes from converter_2025.json."""
    for new_pkey, old_pkeys in converter["DICT_PROVINCE"].items():
        for old_pkey in old_pkeys:
            old[old_keys[old_pkey]]["successors"].append(new_keys[new_pkey])
    for new_pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, old_full_keys in wards.items():
            target = new_keys[f"{new_pkey}/{new_wkey}"]
            for old_full in old_full_keys:
                old[old_keys[old_full]]["successors"].append(target)
    for new_pkey, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_full, targets in divided.items():
            for t in targets:
                old[old_keys[old_full]]["successors"].append(new_keys[f"{new_pkey}/{t['newWardKey']}"])
    # A district took part in the new communes that its communes went to.
    for u in old.values():
        if u["level"] == 3:
            old[u["parent"]]["successors"].extend(u["successors"])


def apply_changes(units: dict[str, dict], changes: dict) -> None:
    """Add the units that ended before 2025-06-30 (data/changes-*.toml) and date their successors."""
    for entry in changes["unit"]:
        start = entry["successors_from"]
        successor_ids = []
        for code in entry["successors"]:
            record = units.pop(code)
            record["id"] = unit_id(code, start)
            record["valid_from"] = start
            units[record["id"]] = record
            successor_ids.append(record["id"])
            for child in units.values():
                if child["parent"] == code:
                    child["parent"] = record["id"]
        units[entry["code"]] = make_unit(
            entry["code"],
            entry["name"],
            entry["short_name"],
            entry["kind"],
            entry["level"],
            entry.get("parent"),
            None,
            entry["valid_to"],
        )
        units[entry["code"]]["successors"] = successor_ids


def assign_regions(units: dict[str, dict], regions: dict) -> None:
    """Give each province its region: old ones from regions.toml, new ones by name or override."""
    old_by_key = {name_key(n): r for r, names in regions["old"].items() for n in names}
    new_by_key = {name_key(n): r for r, names in regions.get("new", {}).items() for n in names}
    for u in units.values():
        if u["level"] != 1:
            continue
        key = name_key(u["short_name"])
        region = new_by_key.get(key) if u["valid_to"] is None else None
        region = region or old_by_key.get(key)
        if region is None:
            raise SystemExit(f"gazetteer: no region for {u['name']} ({u['code']}) in regions.toml")
        u["region"] = region


def assign_slugs(units: dict[str, dict]) -> None:
    """Set each unit's slug from its own name, its parent chain and, for old units, "-cu"."""

    def chain(u: dict) -> list[str]:
        parts = [slugify(u["short_name"])]
        while u["parent"]:
            u = units[u["parent"]]
            parts.append(slugify(u["short_name"]))
        return parts

    for u in units.values():
        parts = chain(u)
        if u["valid_to"] is not None:
            parts.append(OLD_SLUG_SUFFIX)
        u["slug"] = "-".join(parts)
    by_slug: dict[str, list[dict]] = defaultdict(list)
    for u in units.values():
        by_slug[u["slug"]].append(u)
    for same in by_slug.values():
        if len(same) > 1:
            for u in same:
                u["slug"] = f"{slugify(u['kind'])}-{u['slug']}"
    by_slug = defaultdict(list)
    for u in units.values():
        by_slug[u["slug"]].append(u)
    for same in by_slug.values():
        if len(same) > 1:
            for u in same:
                u["slug"] = f"{u['slug']}-{u['code']}"


def sort_key(u: dict) -> tuple:
    """Order units by era start, level, then code, so diffs stay local."""
    return (u["valid_from"] or "", u["level"], u["code"])


def build(data_dir: Path, source_dir: Path | None = None) -> list[dict]:
    """Return every unit record, ready to be written."""
    source_dir = source_dir or package_data_dir()
    db = source_dir / "dataset.db"
    converter = json.loads((source_dir / "converter_2025.json").read_text(encoding="utf-8"))
    old, old_keys = old_units(read_rows(db, "admin_units_legacy"))
    new, new_keys = new_units(read_rows(db, "admin_units"))
    add_edges(old, old_keys, new, new_keys, converter)
    units = {**old, **new}
    for path in sorted(data_dir.glob("changes-*.toml")):
        apply_changes(units, tomllib.loads(path.read_text(encoding="utf-8")))
    assign_regions(units, tomllib.loads((data_dir / "regions.toml").read_text(encoding="utf-8")))
    for u in units.values():
        u["successors"] = sorted(set(u["successors"]), key=lambda i: sort_key(units[i]))
    assign_slugs(units)
    return sorted(units.values(), key=sort_key)


def dump(records: list[dict]) -> str:
    """Serialise records as JSON lines, dropping empty fields."""
    lines = []
    for r in records:
        compact = {k: v for k, v in r.items() if v not in (None, [])}
        lines.append(json.dumps(compact, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Write data/gazetteer.jsonl and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=PROJECT_ROOT / "data")
    args = parser.parse_args(argv)
    records = build(args.data_dir)
    out = args.data_dir / OUTPUT_NAME
    out.write_text(dump(records), encoding="utf-8")
    counts: dict[tuple, int] = defaultdict(int)
    for r in records:
        counts[("old" if r.get("valid_to") else "new", r["level"])] += 1
    version = metadata.version("vietnamadminunits")
    print(f"gazetteer: wrote {out} ({out.stat().st_size} bytes) from vietnamadminunits {version}")
    for key in sorted(counts):
        print(f"  {key[0]} level {key[1]}: {counts[key]}")


if __name__ == "__main__":
    main()
