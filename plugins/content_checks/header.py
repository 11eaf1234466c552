"""Split an article file into its `Key: value` header and its Markdown body, with line numbers."""

import re
from dataclasses import dataclass, field

_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s*:(.*)$")
_CONTINUATION = re.compile(r"^( {4}|\t)\s*(.*)$")


@dataclass(frozen=True)
class Field:
    """One metadata entry as written: key, value (continuation lines joined by \\n), line."""

    key: str
    value: str
    line: int
    parts: tuple[tuple[int, str], ...] = ()

    def items(self) -> list[tuple[int, str]]:
        """Return the non-empty lines of a multi-line value with their line numbers."""
        return [(line, text) for line, text in self.parts if text]


@dataclass
class Source:
    """A parsed article file."""

    fields: list[Field] = field(default_factory=list)
    body: str = ""
    body_line: int = 1
    malformed_lines: list[tuple[int, str]] = field(default_factory=list)
    # The lines of the two "---" around a YAML front matter (Hugo, Jekyll), read as a header.
    front_matter: tuple[int, int] | None = None


def parse_source(text: str) -> Source:
    """Parse the header (until the first blank line) and return fields, body and stray lines."""
    lines = text.lstrip("\ufeff").split("\n")
    source = Source()
    fence = _front_matter_end(lines)
    if fence:
        # YAML front matter: its fields are read (so the draft shows them), the rules report the fences.
        source.front_matter = (1, fence + 1)
        header = [(index, lines[index]) for index in range(1, fence) if lines[index].strip()]
        body_start = fence + 2 if fence + 1 < len(lines) and not lines[fence + 1].strip() else fence + 1
    else:
        header = list(enumerate(lines))
        body_start = None
    keys: list[str] = []
    values: list[list[str]] = []
    starts: list[int] = []
    for index, raw in header:
        line = raw.rstrip("\r")
        if not line.strip():
            body_start = index + 1
            break
        match = _FIELD.match(line)
        continuation = _CONTINUATION.match(line)
        if continuation and keys:
            values[-1].append((index + 1, continuation.group(2).strip()))
        elif match:
            keys.append(match.group(1))
            values.append([(index + 1, match.group(2).strip())])
            starts.append(index + 1)
        elif not keys:
            # No header at all: the whole file is body, the checks report missing keys.
            body_start = 0
            break
        else:
            source.malformed_lines.append((index + 1, line))
    for key, parts, start in zip(keys, values, starts, strict=True):
        joined = "\n".join(text for _, text in parts if text)
        source.fields.append(Field(key, joined, start, tuple(parts)))
    body_start = len(lines) if body_start is None else body_start
    source.body = "\n".join(lines[body_start:])
    source.body_line = body_start + 1
    return source


def _front_matter_end(lines: list[str]) -> int:
    """Return the index of the "---" closing a front matter that opens the file, or 0."""
    if not lines or lines[0].strip() != "---":
        return 0
    return next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
