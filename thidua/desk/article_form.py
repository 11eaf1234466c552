"""The article form's two directions: a contract file → form fields, and form fields → the file.

Pure functions. The desk's save writes `markdown_from_fields(form, original)`: the contract's
`Key: value` header (keys in ARTICLE_KEYS order, continuation lines indented by four spaces,
NFC text) then a blank line and the body. An article opened and saved without a change keeps
its bytes (its spelling, key order, NFD letters and line endings are the editor's); a field
that changed in meaning only ("2024-03-14" shown as 2024-03-14T00:00 by the date input) keeps
the original spelling too, so a save's git diff is the editor's change and nothing else.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime

from plugins.content_checks.header import parse_source
from plugins.content_checks.rules import ARTICLE_KEYS
from thidua.vntext import collapse_spaces, nfc, slugify

LIST_KEYS = {"localities": ";", "campaigns": ";"}  # one form input each (repeated), `;` in the file
LINE_KEYS = ("recipients",)  # a textarea, one item a line
HONOUREE_PARTS = ("name", "title", "locality")
DATE_KEYS = ("date", "modified")
SCALAR_KEYS = tuple(key.lower() for key in ARTICLE_KEYS if key.lower() not in {*LIST_KEYS, *LINE_KEYS, "honourees"})
KNOWN = {key.lower() for key in ARTICLE_KEYS}
INDENT = "    "


def fields_from_markdown(text: str) -> dict:
    """Return the form's fields of an article file (every contract key, the body, and `extra`).

    `extra` holds the header lines of keys the contract does not know, and stray lines, as
    written: the form does not show them, and the save writes them back, so nothing typed by
    hand is lost (the checks keep reporting them).
    """
    text = nfc(text.lstrip("\ufeff")).replace("\r\n", "\n")
    source = parse_source(text)
    lines = text.split("\n")
    fields: dict = {key: "" for key in SCALAR_KEYS}
    fields.update({key: [] for key in (*LIST_KEYS, *LINE_KEYS)})
    fields["honourees"] = []
    extra: list[tuple[int, str]] = [(line, raw) for line, raw in source.malformed_lines]
    for field in source.fields:  # a key written twice: the last one, as the site reads it
        key = field.key.lower()
        if key not in KNOWN:
            extra += [(line, lines[line - 1]) for line, _ in field.parts]
        elif key in LIST_KEYS:
            fields[key] = split_items(field.value, LIST_KEYS[key])
        elif key in LINE_KEYS:
            fields[key] = [item for _, item in field.items()]
        elif key == "honourees":
            fields[key] = [honouree_row(item) for _, item in field.items()]
        else:
            fields[key] = field.value
    fields["extra"] = [raw for _, raw in sorted(extra)]
    fields["body"] = source.body
    return fields


def fields_from_form(form: Mapping) -> dict:
    """Return a posted form (or the work in progress kept from one) in the shape fields_from_markdown gives."""
    return {**read_form(form), "extra": []}


def new_fields(now: datetime) -> dict:
    """Return the fields of a new article: today's date and time, a draft, a fresh Id (as `invoke new`)."""
    fields = fields_from_markdown("")
    fields.update(date=now.strftime("%Y-%m-%d %H:%M"), status="draft", id=str(uuid.uuid4()))
    return fields


def markdown_from_fields(fields: Mapping, original: str | None = None) -> str:
    """Return the article file for the form's fields (a dict, or a form's multi-dict).

    `original` is the file as it is on disk: returned unchanged when the fields mean the same.
    """
    wanted = normalise(read_form(fields))
    if original is not None:
        before = fields_from_markdown(original)
        if normalise(before) == wanted:
            return original
        kept = {key: before[key] for key in before if key in wanted and normalise_one(key, before[key]) == wanted[key]}
        extra = before["extra"]
    else:
        kept, extra = {}, []
        wanted["id"] = wanted["id"] or str(uuid.uuid4())
        wanted["slug"] = wanted["slug"] or slugify(wanted["title"])
    header = []
    for key in ARTICLE_KEYS:
        name = key.lower()
        value = header_value(name, kept[name] if name in kept else wanted[name])
        if value:
            first, *rest = value.split("\n")
            header.append(f"{key}: {first}".rstrip())
            header += [INDENT + line for line in rest]
    header += extra
    body = wanted["body"].strip("\n")
    return "\n".join(header) + "\n\n" + (body + "\n" if body else "")


def read_form(fields: Mapping) -> dict:
    """Return the fields of a form post (multi-dict: repeated inputs) or of a plain dict, one shape."""

    def many(key: str) -> list:
        if hasattr(fields, "getlist"):
            return list(fields.getlist(key))
        value = fields.get(key)
        if value is None:
            return []
        return [value] if isinstance(value, str) else list(value)

    def one(key: str) -> str:
        values = many(key)
        return str(values[-1]) if values else ""

    form = {key: one(key) for key in SCALAR_KEYS}
    for key, separator in LIST_KEYS.items():  # without JavaScript one box may hold "A; B"
        form[key] = [item for value in many(key) for item in split_items(str(value), separator)]
    for key in LINE_KEYS:
        form[key] = [line for value in many(key) for line in str(value).splitlines()]
    rows = many("honourees")
    if not rows:  # the form's rows: honouree_name, honouree_title, honouree_locality, repeated
        columns = [many(f"honouree_{part}") for part in HONOUREE_PARTS]
        rows = [dict(zip(HONOUREE_PARTS, row, strict=False)) for row in zip(*columns, strict=False)]
    form["honourees"] = [honouree_row(row) if isinstance(row, str) else row for row in rows]
    form["body"] = one("body")
    return form


def normalise(fields: dict) -> dict:
    """Return the fields as the site reads them: NFC, spaces collapsed, empty items gone."""
    return {
        key: normalise_one(key, fields.get(key, ""))
        for key in (*SCALAR_KEYS, *LIST_KEYS, *LINE_KEYS, "honourees", "body")
    }


def normalise_one(key: str, value):
    """Return one field's value in the form two spellings of one meaning share."""
    if key == "body":
        return nfc(value).replace("\r\n", "\n").strip("\n")
    if key == "honourees":
        rows = [tuple(collapse_spaces(nfc(row.get(part, "") or "")) for part in HONOUREE_PARTS) for row in value]
        return [row for row in rows if any(row)]
    if key in LIST_KEYS or key in LINE_KEYS:
        return [item for item in (collapse_spaces(nfc(str(v))) for v in value) if item]
    text = nfc(str(value)).replace("\r\n", "\n")
    if key in DATE_KEYS:
        return normalise_date(text)
    if key == "tags":
        return ", ".join(split_items(text, ","))
    if key in ("summary", "review"):  # may span lines; the site joins them
        return "\n".join(line for line in (collapse_spaces(part) for part in text.split("\n")) if line)
    return collapse_spaces(text)


def normalise_date(text: str) -> str:
    """Return "YYYY-MM-DD HH:MM" for the contract's two forms and the date input's "YYYY-MM-DDTHH:MM[:SS]".

    Anything else is kept as typed: the checks report it with the contract's words.
    """
    value = collapse_spaces(text).replace("T", " ", 1)
    try:
        moment = datetime.strptime(value[:16], "%Y-%m-%d %H:%M") if len(value) > 10 else None
        moment = moment or datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return value
    if len(value) > 16 and value[16:] not in (":00", ":00.000"):
        return value
    return moment.strftime("%Y-%m-%d %H:%M")


def header_value(key: str, value) -> str:
    """Return a field as written after `Key: ` (lines after the first become continuation lines)."""
    if key == "honourees":
        rows = [
            tuple(row) if not isinstance(row, dict) else tuple(row.get(p, "") for p in HONOUREE_PARTS) for row in value
        ]
        cells = [[collapse_spaces(nfc(part or "")) for part in row] for row in rows]
        # A row with a name only is a line that was not 3 parts: written back as it was.
        lines = [" | ".join(row) if any(row[1:]) else row[0] for row in cells]
        return "\n".join(line for line in lines if line)
    if key in LIST_KEYS:
        return f"{LIST_KEYS[key]} ".join(collapse_spaces(nfc(item)) for item in value if item.strip())
    if key in LINE_KEYS:
        return "\n".join(collapse_spaces(nfc(item)) for item in value if item.strip())
    text = nfc(str(value)).replace("\r\n", "\n")
    if key in DATE_KEYS and "T" in text:
        text = normalise_date(text)
    if key in ("summary", "review"):
        # A blank line would end the header: empty lines of a multi-line value are dropped.
        return "\n".join(line for line in (collapse_spaces(part) for part in text.split("\n")) if line)
    return collapse_spaces(text)  # one line: a newline typed into a title cannot start a key


def split_items(value: str, separator: str) -> list[str]:
    """Split a list value on its separator (and line ends), dropping empty items, keeping order."""
    items = (collapse_spaces(item) for item in value.replace("\n", separator).split(separator))
    return [item for item in items if item]


def honouree_row(text: str) -> dict:
    """Return `Name | Title | Locality` as a row of the form (a line with other than 3 parts kept whole)."""
    parts = [collapse_spaces(part) for part in text.split("|")]
    if len(parts) != 3:
        # Not three parts: the whole line goes in the name, so the editor sees and fixes it
        # (the check reports it); saving writes it back as it was.
        return {"name": collapse_spaces(text), "title": "", "locality": ""}
    return dict(zip(HONOUREE_PARTS, parts, strict=True))
