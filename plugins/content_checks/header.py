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


def parse_source(text: str) -> Source:
    """Parse the header (until the first blank line) and return fields, body and stray lines."""
    lines = text.lstrip("\ufeff").split("\n")
    source = Source()
    keys: list[str] = []
    values: list[list[str]] = []
    starts: list[int] = []
    index = 0
    for index, raw in enumerate(lines):
        line = raw.rstrip("\r")
        if not line.strip():
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
            index = -1
            break
        else:
            source.malformed_lines.append((index + 1, line))
    else:
        index = len(lines)
    for key, parts, start in zip(keys, values, starts, strict=True):
        joined = "\n".join(text for _, text in parts if text)
        source.fields.append(Field(key, joined, start, tuple(parts)))
    body_start = index + 1
    source.body = "\n".join(lines[body_start:]) if index >= 0 else text
    source.body_line = body_start + 1 if index >= 0 else 1
    return source
