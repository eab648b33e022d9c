"""Where a field sits in a TOML file, so that a problem can name its line.

``tomllib`` gives values but not positions. This reads the text once and records the line of
each table header and ``key = value`` line under its field path, e.g.
``("costs", 1, "amounts", "2011-12")`` for the second ``[[costs]]`` table's ``amounts`` entry.
It understands what case files use (tables, arrays of tables, dotted and quoted keys, one-line
inline tables); for anything else the line of the nearest enclosing field is good enough.
"""

from __future__ import annotations

import re

__all__ = ["FieldLines"]

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(#.*)?$")
_KEY_PART = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
_KEY = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_KEY_PART})\s*=")


def _split_key(text: str) -> list[str]:
    parts = re.findall(_KEY_PART, text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def _opens_multiline(value: str) -> str | None:
    """The delimiter of a multi-line string that ``value`` opens and does not close."""
    text = value.lstrip()
    for delimiter in ('"""', "'''"):
        if text.startswith(delimiter) and not _closes(text[3:], delimiter):
            return delimiter
    return None


def _closes(text: str, delimiter: str) -> bool:
    """Whether ``text`` holds the (unescaped) closing ``delimiter``."""
    if delimiter == "'''":
        return delimiter in text
    index = text.find(delimiter)
    while index != -1:
        backslashes = len(text[:index]) - len(text[:index].rstrip("\\"))
        if backslashes % 2 == 0:
            return True
        index = text.find(delimiter, index + 1)
    return False


class FieldLines:
    """Line numbers of the fields of one TOML document."""

    def __init__(self, text: str):
        self.lines: dict[Path, int] = {}
        counters: dict[tuple[str, ...], int] = {}
        table: Path = ()
        closing: str | None = None  # the delimiter of a multi-line string we are inside
        for number, line in enumerate(text.splitlines(), start=1):
            if closing is not None:
                if _closes(line, closing):
                    closing = None
                continue
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            header = _HEADER.match(line)
            if header and not _KEY.match(line):
                names = tuple(_split_key(header.group(2)))
                if header.group(1) == "[[":
                    index = counters.get(names, -1) + 1
                    counters[names] = index
                    # A new [[options]] starts its own [[options.costs]] from index 0.
                    for inner in [k for k in counters if len(k) > len(names)]:
                        if inner[: len(names)] == names:
                            del counters[inner]
                    table = (*self._resolve(names[:-1], counters), names[-1], index)
                else:
                    table = self._resolve(names, counters)
                self.lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                path = (*table, *_split_key(key.group(1)))
                self.lines.setdefault(path, number)
                rest = line[key.end() :]
                closing = _opens_multiline(rest)
                if rest.lstrip().startswith("{"):
                    for inner in _INLINE_KEY.finditer(rest):
                        self.lines.setdefault((*path, *_split_key(inner.group(1))), number)

    @staticmethod
    def _resolve(names: tuple[str, ...], counters: dict[tuple[str, ...], int]) -> Path:
        """A header path with the current index after each array-of-tables name."""
        path: list[str | int] = []
        for i, name in enumerate(names):
            path.append(name)
            prefix = names[: i + 1]
            if prefix in counters:
                path.append(counters[prefix])
        return tuple(path)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest enclosing field that has one."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None
