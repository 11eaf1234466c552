"""Guess an imported article's category, campaigns and localities from its text."""

import re
from collections import Counter

from .text import key_of

__all__ = ["CATEGORIES", "guess_category", "guess_campaigns", "guess_localities", "GazetteerMissing"]

CATEGORIES = ("Phát động phong trào", "Hội nghị tổng kết", "Tôn vinh điển hình")

# Keywords per category, matched on folded text (no diacritics, lower case).
_CATEGORY_KEYWORDS = {
    "Phát động phong trào": {"phat dong phong trao": 2, "phat dong": 1, "ky ket giao uoc": 2, "chi thi": 1},
    "Hội nghị tổng kết": {"hoi nghi tong ket": 3, "tong ket": 1, "so ket": 1, "danh gia ket qua": 1},
    "Tôn vinh điển hình": {
        "ton vinh": 1, "tuyen duong": 1, "vinh danh": 1, "guong dien hinh": 2,
        "hoi nghi dien hinh tien tien": 3, "dai hoi thi dua": 3,
    },
}  # fmt: skip
_TITLE_WEIGHT = 5

_CAMPAIGN = re.compile(
    r"(?:phong\s+trào(?:\s+thi\s+đua)?|cuộc\s+vận\s+động)\s*:?\s*[“\"«]([^”\"»]{4,200})[”\"»]",
    re.IGNORECASE,
)

_UNIT_WORDS = r"(?i:tỉnh|thành\s+phố|TP\.?|huyện|quận|thị\s+xã|phường|xã|thị\s+trấn)"
_LOCALITY = re.compile(rf"(?<!\w)({_UNIT_WORDS})\s+(\w+(?:\s+\w+){{0,3}})")
_UNIT_DISPLAY = {
    "tỉnh": "Tỉnh",
    "thành phố": "Thành phố",
    "tp": "Thành phố",
    "tp.": "Thành phố",
    "huyện": "Huyện",
    "quận": "Quận",
    "thị xã": "Thị xã",
    "phường": "Phường",
    "xã": "Xã",
    "thị trấn": "Thị trấn",
}
# Capitalised words that follow a unit word but are not part of a place name.
_NOT_NAMES = {"UBND", "HĐND", "Ủy", "Uỷ", "Chủ", "Đảng", "Trung", "Nhà"}


class GazetteerMissing(Exception):
    """Raised when the gazetteer plugin or its data cannot be loaded."""


def guess_category(title: str, body: str) -> str:
    """Return the category whose keywords weigh most in title (x5) and body; ties go first listed."""
    folded_title, folded_body = key_of(title), key_of(body)
    scores = {}
    for category, words in _CATEGORY_KEYWORDS.items():
        scores[category] = sum(
            weight * (_TITLE_WEIGHT * folded_title.count(word) + folded_body.count(word))
            for word, weight in words.items()
        )
    return max(CATEGORIES, key=lambda c: scores[c])


def guess_campaigns(text: str) -> list[str]:
    """Return quoted campaign names after "phong trào"/"cuộc vận động", first spelling kept."""
    seen, names = set(), []
    for match in _CAMPAIGN.finditer(text):
        name = " ".join(match.group(1).split()).strip(" ,.;:")
        name = name.replace(";", ",")
        key = key_of(name)
        if name and key not in seen:
            seen.add(key)
            names.append(name)
    return names


def guess_localities(title: str, body: str, gazetteer=None, on_date=None, limit: int = 3) -> list[str]:
    """Return up to `limit` place names: those in the title first, then the most mentioned."""
    if gazetteer is not None:
        title_names = [_unit_label(u) for u in _mentions(gazetteer, title, on_date)]
        units = _mentions(gazetteer, body, on_date)
        body_names = []
        for unit, times in zip(units, _occurrences(body, units), strict=True):
            body_names += [_unit_label(unit)] * max(times, 1)
    else:
        title_names = _shortest_forms(_regex_mentions(title))
        body_names = _shortest_forms(_regex_mentions(body))
    counts = Counter(key_of(n) for n in body_names)
    spelling = {}
    for name in title_names + body_names:
        spelling.setdefault(key_of(name), name)
    chosen = []
    for name in title_names:
        if key_of(name) not in chosen:
            chosen.append(key_of(name))
    ranked = sorted(counts, key=lambda k: (-counts[k], body_names.index(spelling[k])))
    for key in ranked:
        if len(chosen) >= limit:
            break
        if key not in chosen and (counts[key] >= 2 or not chosen):
            chosen.append(key)
    return [spelling[k] for k in chosen[:limit]]


def _mentions(gazetteer, text: str, on_date) -> list:
    """Call gazetteer.find_mentions with the article's date when it accepts one."""
    if on_date is None:
        return list(gazetteer.find_mentions(text))
    try:
        return list(gazetteer.find_mentions(text, on_date=on_date))
    except TypeError:
        return list(gazetteer.find_mentions(text))


def _occurrences(text: str, units: list) -> list[int]:
    """Count each unit's short name in text, not counting those inside a longer found name."""
    folded = key_of(text)
    spans = []
    for unit in units:
        name = key_of(getattr(unit, "short_name", "") or unit.name)
        found = [m.span() for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", folded)] if name else []
        spans.append(found)
    counts = []
    for i, found in enumerate(spans):
        inside_longer = 0
        for start, end in found:
            for j, other in enumerate(spans):
                if j != i and any(s <= start and end <= e and (e - s) > (end - start) for s, e in other):
                    inside_longer += 1
                    break
        counts.append(len(found) - inside_longer)
    return counts


def _unit_label(unit) -> str:
    return unit.name


def _shortest_forms(names: list[str]) -> list[str]:
    """Cut "Tỉnh Quảng Trị Võ Văn" back to "Tỉnh Quảng Trị" when that shorter form also occurs."""
    keys = {key_of(n) for n in names}
    result = []
    for name in names:
        words = name.split()
        for size in range(2, len(words)):
            if key_of(" ".join(words[:size])) in keys:
                name = " ".join(words[:size])
                break
        result.append(name)
    return result


def _regex_mentions(text: str) -> list[str]:
    names = []
    for match in _LOCALITY.finditer(text):
        unit = _UNIT_DISPLAY.get(" ".join(match.group(1).split()).lower())
        words = []
        for word in match.group(2).split():
            if word in _NOT_NAMES or not word[0].isupper() or word.isupper():
                break
            words.append(word)
        if unit and words:
            names.append(f"{unit} {' '.join(words)}")
    return names
