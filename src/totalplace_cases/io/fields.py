"""Reading typed fields out of parsed TOML, collecting every problem with its file, line and path.

A :class:`Fields` wraps one file's parsed data. Each ``get_*`` call reads one field, converts it
and, when it is wrong, records a :class:`~totalplace_cases.errors.Problem` saying what was
expected and what was found, then returns ``None`` so reading can go on and every problem in the
file is reported at once.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from ..display import control_characters, shown
from ..errors import Problem
from ..money import MoneyError
from ..periods import FinancialYear, PeriodError, parse_year
from .toml_lines import FieldLines

__all__ = ["MAX_ID_LENGTH", "Fields", "check_id", "describe", "format_path"]

#: The longest id a file may give (ids are shown in every table and message).
MAX_ID_LENGTH = 200

T = TypeVar("T")
FieldPath = tuple[str | int, ...]
_BARE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def format_path(path: FieldPath) -> str:
    """``("costs", 2, "amounts", "2011-12")`` -> ``costs[2].amounts."2011-12"``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            bare = _BARE.fullmatch(part) and len(part) <= 60
            name = part if bare else '"' + shown(part).replace('"', '\\"') + '"'
            text += f".{name}" if text else name
    return text


def describe(value: object) -> str:
    """How a found value is named in a message: its TOML type and the value itself."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the float {value!r}"
    if isinstance(value, str):
        return f'the string "{shown(value)}"'
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    kind = {"datetime": "date-time", "date": "date", "time": "time"}.get(type(value).__name__)
    if kind is not None:
        return f"the {kind} {shown(str(value))}"
    return f"{type(value).__name__} {shown(repr(value))}"


class Fields:
    """Typed access to one TOML file's data that records problems instead of raising."""

    def __init__(self, file: Path, text: str, problems: list[Problem]):
        self.file = file
        self.text = text
        self.problems = problems
        self._lines: FieldLines | None = None

    @property
    def lines(self) -> FieldLines:
        """The lines of the file's fields, found the first time a problem needs one."""
        if self._lines is None:
            self._lines = FieldLines(self.text)
        return self._lines

    def problem(self, path: FieldPath, message: str) -> None:
        self.problems.append(
            Problem(
                message,
                file=self.file,
                line=self.lines.line_of(path),
                field=format_path(path) or None,
            )
        )

    def check_keys(self, data: Mapping[str, Any], path: FieldPath, allowed: Iterable[str]) -> None:
        """Unknown fields are errors: a typo must not be silently ignored."""
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                hint = _closest(key, allowed)
                self.problem(
                    (*path, key),
                    f"unknown field; expected one of: {', '.join(allowed)}"
                    + (f' (did you mean "{hint}"?)' if hint else ""),
                )

    def get(
        self,
        data: Mapping[str, Any],
        path: FieldPath,
        key: str,
        convert: Callable[[Any], T],
        *,
        required: bool = False,
        default: T | None = None,
    ) -> T | None:
        """Read ``data[key]`` through ``convert``; ``convert`` raises ValueError to complain."""
        if key not in data:
            if required:
                self.problem((*path, key), f'missing required field "{key}"')
            return default
        try:
            return convert(data[key])
        except (ValueError, TypeError) as exc:
            self.problem((*path, key), str(exc))
            return default

    def get_table(
        self, data: Mapping[str, Any], path: FieldPath, key: str
    ) -> Mapping[str, Any] | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, Mapping):
            self.problem((*path, key), f"expected a table, found {describe(value)}")
            return None
        return value

    def get_tables(
        self, data: Mapping[str, Any], path: FieldPath, key: str
    ) -> list[Mapping[str, Any]]:
        """An array of tables (``[[costs]]``); problems for anything else."""
        if key not in data:
            return []
        value = data[key]
        if not isinstance(value, list):
            self.problem(
                (*path, key), f'expected an array of tables ("[[{key}]]"), found {describe(value)}'
            )
            return []
        tables = []
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                tables.append(item)
            else:
                self.problem((*path, key, index), f"expected a table, found {describe(item)}")
                tables.append({})
        return tables

    def get_by_year(
        self,
        data: Mapping[str, Any],
        path: FieldPath,
        key: str,
        convert: Callable[[Any], Decimal],
        period: tuple[FinancialYear, FinancialYear | None] | None,
    ) -> dict[FinancialYear, Decimal]:
        """A table of financial year -> value, every year inside the appraisal period.

        ``period`` is (first, last); ``last`` is None when the case's ``years`` is unreadable,
        so that years before the start are still reported.
        """
        table = self.get_table(data, path, key)
        result: dict[FinancialYear, Decimal] = {}
        if table is None:
            return result
        for year_text, raw in table.items():
            where = (*path, key, year_text)
            try:
                year = parse_year(year_text)
            except PeriodError as exc:
                self.problem(where, str(exc))
                continue
            if year in result:
                self.problem(where, f"{year} is given twice")
                continue
            if period is not None and not (
                period[0].start_year <= year.start_year
                and (period[1] is None or year.start_year <= period[1].start_year)
            ):
                span = f"{period[0]} to {period[1]}" if period[1] else f"starting {period[0]}"
                self.problem(where, f"year {year} is outside the appraisal period {span}")
            try:
                result[year] = convert(raw)
            except (MoneyError, ValueError) as exc:
                self.problem(where, str(exc))
        return result


def expect_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, found {describe(value)}")
    return value


def expect_id(value: Any) -> str:
    return check_id(expect_str(value))


def check_id(text: str, what: str = "an id") -> str:
    """``text`` if it is a usable id: not empty, not padded, no control characters, not long.

    Ids appear in every table, message and file name, so a control character (a terminal
    escape, a line break) or a whole paragraph is refused here rather than escaped everywhere.
    """
    if not text.strip():
        raise ValueError(f"expected a non-empty {what.removeprefix('an ')}, found an empty string")
    controls = ", ".join(dict.fromkeys(control_characters(text)))
    if controls:
        raise ValueError(
            f'expected {what} without control characters, found {controls} in "{shown(text)}"'
        )
    if text != text.strip():
        raise ValueError(
            f'expected {what} without leading or trailing spaces, found "{shown(text)}"'
        )
    if len(text) > MAX_ID_LENGTH:
        raise ValueError(
            f"expected {what} of at most {MAX_ID_LENGTH} characters, found {len(text):,}: "
            f'"{shown(text)}"'
        )
    return text


def expect_date(value: Any) -> _dt.date:
    """A calendar date: a TOML date (``2009-10-01``) or a string written the same way."""
    if isinstance(value, _dt.datetime):
        raise ValueError(f"expected a date like 2009-10-01, found the date and time {value}")
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date like 2009-10-01, found {describe(value)}")


def expect_text_value(value: Any) -> str:
    """A value kept as written: a string, or a number (kept in its decimal form)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number or a string, found {describe(value)}")
    if isinstance(value, float) and (value != value or abs(value) == float("inf")):
        raise ValueError(f"expected a number or a string, found {describe(value)}")
    return repr(value) if isinstance(value, float) else str(value)


def expect_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, found {describe(value)}")
    return value


def expect_int(value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, found {describe(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"expected a whole number of at least {minimum}, found {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"expected a whole number of at most {maximum}, found {value}")
    return value


def expect_year(value: Any) -> FinancialYear:
    try:
        return parse_year(value)
    except PeriodError as exc:
        if not isinstance(value, str):
            raise ValueError(
                f'expected a financial year written like "2010-11", found {describe(value)}'
            ) from None
        raise ValueError(str(exc)) from None


def expect_choice(choices: Iterable[str]) -> Callable[[Any], str]:
    options = tuple(choices)

    def convert(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise ValueError(f"expected one of {', '.join(options)}; found {describe(value)}")
        return value

    return convert


def expect_str_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"expected an array of strings, found {describe(value)}")
    return list(value)


def expect_path_list(value: Any) -> list[str]:
    """An array of file or folder paths (a NUL character cannot be in a path)."""
    paths = expect_str_list(value)
    for path in paths:
        if not path.strip():
            raise ValueError("expected an array of paths, found an empty string")
        if "\0" in path:
            raise ValueError(
                f'expected an array of paths, found a NUL character in "{shown(path)}"'
            )
    return paths


def _closest(key: str, allowed: tuple[str, ...]) -> str | None:
    import difflib

    if len(key) > 2 * max(map(len, allowed), default=0):
        return None  # nothing that long is a near miss
    matches = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
    return matches[0] if matches else None


def parse_path(text: str) -> FieldPath:
    """``costs[2].amounts."2011-12"`` -> ``("costs", 2, "amounts", "2011-12")``.

    Scanned by hand in linear time: the text may come from a plugin echoing a user's key.
    """
    path: list[str | int] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "[":
            end = text.find("]", i)
            digits = text[i + 1 : end] if end > 0 else ""
            if digits.isascii() and digits.isdigit():
                path.append(int(digits))
                i = end + 1
                continue
            i += 1
        elif char == '"':
            part, i = _quoted_part(text, i)
            path.append(part)
        elif char in _NAME_CHARS:
            start = i
            while i < len(text) and text[i] in _NAME_CHARS:
                i += 1
            path.append(text[start:i])
        else:
            i += 1
    return tuple(path)


_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _quoted_part(text: str, i: int) -> tuple[str, int]:
    """The "..." part opening at ``text[i]`` (with \\" unescaped) and the index after it."""
    out: list[str] = []
    j = i + 1
    while j < len(text):
        if text[j] == "\\" and j + 1 < len(text):
            out.append(text[j + 1])
            j += 2
        elif text[j] == '"':
            return "".join(out), j + 1
        else:
            out.append(text[j])
            j += 1
    return "".join(out), j
