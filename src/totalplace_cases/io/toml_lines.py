"""Where a field sits in a TOML file, so that a problem can name its line.

``tomllib`` gives values but not positions. This reads the text once and records the line of
each table header and ``key = value`` line under its field path, e.g.
``("costs", 1, "amounts", "2011-12")`` for the second ``[[costs]]`` table's ``amounts`` entry.
It understands what case files use (tables, arrays of tables, dotted and quoted keys, one-line
inline tables, multi-line strings); for anything else the line of the nearest enclosing field is
good enough.

The text is any text a user gave, so it is scanned in time linear in its length: each regular
expression below is matched only at a position the scan has reached, and none can backtrack
(its repetitions are possessive, and its alternatives cannot match the same text).
"""

from __future__ import annotations

import re

__all__ = ["MAX_DEPTH", "FieldLines"]

Path = tuple[str | int, ...]

#: The most parts a dotted key (``a.b.c``) or nested inline tables may have. tomllib reads a
#: dotted key in time quadratic in its parts (a line of 20,000 takes seconds, 200,000 hours),
#: so :func:`~totalplace_cases.io.casefile` refuses deeper ones before parsing.
MAX_DEPTH = 100

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SPACE = " \t"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]++")
_SPACES = re.compile(r"[ \t]*+")
_PLAIN_STRING = re.compile(r'"([^"\\]*+)"')  # a string without escapes, the usual case
_SCALAR = re.compile(r"[^,}\] \t]*+")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _skip_space(line: str, i: int) -> int:
    return _SPACES.match(line, i).end()  # type: ignore[union-attr]  # always matches


def _basic_string(line: str, i: int) -> tuple[str, int] | None:
    """The "..." string opening at ``line[i]`` (escapes decoded) and the index after it."""
    plain = _PLAIN_STRING.match(line, i)
    if plain:
        return plain.group(1), plain.end()
    out: list[str] = []
    j = i + 1
    while j < len(line):
        char = line[j]
        if char == '"':
            return "".join(out), j + 1
        if char == "\\" and j + 1 < len(line):
            code = line[j + 1]
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                j += 2
                continue
            width = {"u": 4, "U": 8}.get(code)
            digits = line[j + 2 : j + 2 + width] if width else ""
            if (
                width
                and len(digits) == width
                and all(c in "0123456789abcdefABCDEF" for c in digits)
            ):
                value = int(digits, 16)
                out.append(chr(value) if value <= 0x10FFFF else "\ufffd")
                j += 2 + width
                continue
            out.append(line[j : j + 2])
            j += 2
            continue
        out.append(char)
        j += 1
    return None


def _read_key(line: str, i: int) -> tuple[list[str], int] | None:
    """The dotted key starting at or after ``line[i]``, and the index after it."""
    parts: list[str] = []
    while True:
        i = _skip_space(line, i)
        if i >= len(line):
            return _partial(parts, i)
        char = line[i]
        if char == '"':
            read = _basic_string(line, i)
            if read is None:
                return _partial(parts, i)
            part, i = read
        elif char == "'":
            end = line.find("'", i + 1)
            if end < 0:
                return _partial(parts, i)
            part, i = line[i + 1 : end], end + 1
        elif char in _BARE:
            bare = _BARE_KEY.match(line, i)
            assert bare is not None
            part, i = bare.group(), bare.end()
        else:
            return _partial(parts, i)
        parts.append(part)
        i = _skip_space(line, i)
        if i < len(line) and line[i] == ".":
            i += 1
            continue
        return parts, i


def _partial(parts: list[str], i: int) -> tuple[list[str], int] | None:
    """A key cut short ("a.b." then the end): not a key, but its depth still counts."""
    return (parts, i) if parts else None


def _header(line: str) -> tuple[bool, list[str], bool] | None:
    """``(is an array table, key parts, well formed)`` for a ``[table]`` line, else None.

    A line that opens a header but does not close it is returned as not well formed, so that
    the depth of its key still counts.
    """
    i = _skip_space(line, 0)
    if not line.startswith("[", i):
        return None
    double = line.startswith("[[", i)
    read = _read_key(line, i + (2 if double else 1))
    if read is None:
        return None
    parts, i = read
    closing = "]]" if double else "]"
    if not line.startswith(closing, i):
        return double, parts, False
    i = _skip_space(line, i + len(closing))
    return double, parts, i >= len(line) or line[i] == "#"


def _skip_value(line: str, i: int) -> int:
    """The index after the value (a scalar, a string or an array) at ``line[i]``."""
    char = line[i]
    if char == '"':
        read = _basic_string(line, i)
        return read[1] if read else len(line)
    if char == "'":
        end = line.find("'", i + 1)
        return end + 1 if end >= 0 else len(line)
    if char == "[":
        depth = 0
        while i < len(line):
            char = line[i]
            if char in "\"'":
                i = _skip_value(line, i)
                continue
            if char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return i
    return _SCALAR.match(line, i).end()  # type: ignore[union-attr]  # always matches


def _closes(text: str, delimiter: str) -> bool:
    """Whether ``text`` holds the (unescaped) closing ``delimiter``."""
    if delimiter == "'''":
        return delimiter in text
    index = text.find(delimiter)
    while index != -1:
        backslashes = 0
        while index - backslashes > 0 and text[index - backslashes - 1] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return True
        index = text.find(delimiter, index + 1)
    return False


def _opens_multiline(value: str) -> str | None:
    """The delimiter of a multi-line string that ``value`` opens and does not close."""
    text = value.lstrip()
    for delimiter in ('"""', "'''"):
        if text.startswith(delimiter) and not _closes(text[3:], delimiter):
            return delimiter
    return None


class FieldLines:
    """Line numbers of the fields of one TOML document.

    :ivar deepest: ``(parts, line)`` of the key with the most dotted parts (or the deepest
        inline tables), so that a reader can refuse one deeper than :data:`MAX_DEPTH`.
    """

    def __init__(self, text: str):
        self.lines: dict[Path, int] = {}
        self.deepest: tuple[int, int] = (0, 0)
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
            header = _header(line)
            if header is not None:
                double, parts, well_formed = header
                if not self._shallow(len(parts), number) or not well_formed:
                    continue
                names = tuple(parts)
                if double:
                    index = counters.get(names, -1) + 1
                    counters[names] = index
                    # A new [[options]] starts its own [[options.costs]] from index 0.
                    for inner in [k for k in counters if len(k) > len(names)]:
                        if inner[: len(names)] == names:
                            del counters[inner]
                    table = (*self._resolve(names[:-1], counters), names[-1], index)
                else:
                    table = self._resolve(names, counters)
                self._record(table, number)
                continue
            key = _read_key(line, 0)
            if key is None or not self._shallow(len(key[0]), number):
                continue
            if not line.startswith("=", key[1]):
                continue
            path = (*table, *key[0])
            self._record(path, number, len(table))
            rest = line[key[1] + 1 :]
            closing = _opens_multiline(rest)
            start = _skip_space(rest, 0)
            if rest.startswith("{", start):
                self._inline(rest, start, path, number)

    def _inline(self, line: str, i: int, path: Path, number: int) -> None:
        """Record the keys of the inline table opening at ``line[i]``, nested ones too."""
        stack = [path]
        i += 1
        expect_key = True
        while stack:
            i = _skip_space(line, i)
            if i >= len(line):
                return
            char = line[i]
            if char == "}":
                stack.pop()
                expect_key = False
                i += 1
                continue
            if not expect_key:
                if char != ",":
                    return
                expect_key = True
                i += 1
                continue
            key = _read_key(line, i)
            if key is None or not self._shallow(len(stack) + len(key[0]), number):
                return
            if not line.startswith("=", key[1]):
                return
            inner = (*stack[-1], *key[0])
            self.lines.setdefault(inner, number)
            i = _skip_space(line, key[1] + 1)
            if i >= len(line):
                return
            if line[i] == "{":
                stack.append(inner)
                i += 1
                continue
            i = _skip_value(line, i)
            expect_key = False

    def _shallow(self, depth: int, number: int) -> bool:
        """Note the depth of a key; whether it is within MAX_DEPTH (deeper ones are skipped)."""
        if depth > self.deepest[0]:
            self.deepest = (depth, number)
        return depth <= MAX_DEPTH

    def _record(self, path: Path, number: int, known: int = 0) -> None:
        """``path`` is on line ``number``, and so is each enclosing table it first names."""
        for end in range(max(known, 1), len(path) + 1):
            self.lines.setdefault(path[:end], number)

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
