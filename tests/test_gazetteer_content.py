"""Every Localities value of the real content resolves, without any problem, to gazetteer units."""

from datetime import date
from pathlib import Path

import pytest

from plugins.content_checks.header import parse_source
from thidua.gazetteer import load_gazetteer

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = sorted(p for p in (ROOT / "content").rglob("*.md") if "pages" not in p.relative_to(ROOT / "content").parts)


def header(path: Path) -> dict[str, str]:
    """Return the lower-case keys of an article header with their values (lines joined)."""
    source = parse_source(path.read_text(encoding="utf-8"))
    return {f.key.lower(): " ".join(t for _, t in f.parts if t) or f.value for f in source.fields}


@pytest.mark.skipif(not ARTICLES, reason="no content yet")
@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem[:40])
def test_localities_resolve(path):
    meta = header(path)
    names = [n.strip() for n in meta.get("localities", "").split(";") if n.strip()]
    assert names, f"{path.name}: no Localities"
    result = load_gazetteer(ROOT / "data").resolve(names, date.fromisoformat(meta["date"][:10]))
    assert [f"{p.message}; {p.fix}" for p in result.problems] == []
    assert len(result.units) == len(names)
