"""Reading evidence returns (``totalplace evidence --format json``) for the national roll-up.

A return comes from another place's office, so every part the roll-up uses is checked: that the
file is UTF-8 JSON and an evidence return of a version this release reads, and that each field
has its contract's type (money a string with two decimals, years like ``"2010-11"``). Every
problem in every file is reported at once, each with its file and field (``totals.pv_costs``)
and, for a file that is not JSON, its line; nothing is ever a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..method.rollup import PlaceReturn
from ..periods import FinancialYear, PeriodError, parse_year
from ..textfile import read_text
from .fields import describe

__all__ = ["MAX_RETURN_BYTES", "read_place_return", "read_returns"]

#: The largest return read (a return is a few megabytes at most).
MAX_RETURN_BYTES = 256 * 1024 * 1024
#: The format and the newest layout version of a return this release reads.
RETURN_FORMAT = "totalplace-evidence-return"
RETURN_VERSION = 1
_MONEY = re.compile(r"^-?[0-9]{1,20}\.[0-9]{2}$")


class _Bad(ValueError):
    """A field that does not hold what the contract says."""


class _Reader:
    """Typed access to one return's parsed JSON, recording every problem with its field."""

    def __init__(self, file: Path):
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(message, file=self.file, field=field or None))

    def get(self, data: Any, path: str, convert, *, required: bool = True) -> Any:
        """``data`` at ``path`` (``totals.pv_costs``) through ``convert``; None when missing or
        wrong (a problem is recorded)."""
        node = data
        walked = []
        for part in path.split("."):
            walked.append(part)
            if not isinstance(node, Mapping):
                where = ".".join(walked[:-1]) or "the file"
                self.problem(where, f"expected an object, found {_what(node)}")
                return None
            if part not in node:
                if required:
                    self.problem(".".join(walked), "missing; is this an evidence return?")
                return None
            node = node[part]
        try:
            return convert(node)
        except _Bad as exc:
            self.problem(path, str(exc))
            return None


def _what(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return describe(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected a string, found {_what(value)}")
    return value


def _id(value: Any) -> str:
    text = _text(value)
    if not text.strip():
        raise _Bad("expected a non-empty id, found an empty string")
    return text


def _optional(convert):
    return lambda value: None if value is None else convert(value)


def _money(value: Any) -> Decimal:
    if not isinstance(value, str) or not _MONEY.match(value):
        raise _Bad(
            f'expected money as a string with two decimals ("1234.50"), found {_what(value)}'
        )
    return Decimal(value)


def _year(value: Any) -> FinancialYear:
    try:
        if not isinstance(value, str):
            raise PeriodError("")
        return parse_year(value)
    except PeriodError:
        raise _Bad(f'expected a financial year like "2010-11", found {_what(value)}') from None


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Bad(f"expected a whole number of 0 or more, found {_what(value)}")
    return value


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(f"expected an array of strings, found {_what(value)}")
    return tuple(value)


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise _Bad(f"expected an array, found {_what(value)}")
    return value


def _version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"expected a whole number, found {_what(value)}")
    if value > RETURN_VERSION:
        raise _Bad(
            f"the return is of version {value}, made by a newer totalplace-cases; this release "
            f"reads versions up to {RETURN_VERSION}: upgrade it"
        )
    return value


def _format(value: Any) -> str:
    if value != RETURN_FORMAT:
        raise _Bad(
            f'expected "{RETURN_FORMAT}" (make a return with totalplace evidence --format '
            f"json), found {_what(value)}"
        )
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f'the key "{key}" is given twice in one object')
        found[key] = value
    return found


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse(file: Path) -> tuple[Any, list[Problem]]:
    """The file's JSON, or the problems that stop it being read."""
    try:
        # The one reader of text files: a regular file (a FIFO named .json cannot hang the
        # roll-up), of bounded size, UTF-8 with a byte-order mark removed, encodings named.
        text = read_text(file, limit=MAX_RETURN_BYTES)
    except InputError as exc:
        return None, exc.problems
    try:
        return (
            json.loads(
                text,
                object_pairs_hook=_no_duplicates,
                parse_constant=_refuse_constant,
                parse_float=Decimal,
            ),
            [],
        )
    except json.JSONDecodeError as exc:
        return None, [
            Problem(f"not JSON: {exc.msg} (column {exc.colno})", file=file, line=exc.lineno)
        ]
    except ValueError as exc:
        return None, [Problem(f"not a usable JSON return: {exc}", file=file)]
    except RecursionError:
        return None, [Problem("not a usable JSON return: nested too deeply", file=file)]


def _schedules(r: _Reader, data: Any) -> tuple[str, ...] | None:
    entries = r.get(data, "discount_schedules", _list)
    if entries is None:
        return None
    names = []
    for index, entry in enumerate(entries):
        where = f"discount_schedules[{index}]"
        if not isinstance(entry, Mapping):
            r.problem(where, f"expected an object, found {_what(entry)}")
        elif not isinstance(entry.get("name"), str) or not entry["name"].strip():
            r.problem(
                f"{where}.name", f"expected a schedule's name, found {_what(entry.get('name'))}"
            )
        else:
            names.append(entry["name"])
    return tuple(sorted(set(names)))


def _parameters(r: _Reader, data: Any) -> tuple[tuple[str, str], ...] | None:
    entries = r.get(data, "parameters", _list)
    if entries is None:
        return None
    found = []
    for index, entry in enumerate(entries):
        where = f"parameters[{index}]"
        if not isinstance(entry, Mapping):
            r.problem(where, f"expected an object, found {_what(entry)}")
            continue
        pair = []
        for key in ("table", "vintage"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                r.problem(f"{where}.{key}", f"expected a string, found {_what(entry.get(key))}")
            else:
                pair.append(entry[key])
        if len(pair) == 2:
            found.append((pair[0], pair[1]))
    return tuple(sorted(set(found)))


def read_place_return(path: Path | str) -> tuple[PlaceReturn | None, list[Problem]]:
    """One return as the roll-up reads it, with every problem found (None when any)."""
    file = Path(path)
    data, problems = _parse(file)
    if data is None:
        return None, problems
    r = _Reader(file)
    if not isinstance(data, Mapping):
        r.problem("", f"expected a JSON object (an evidence return), found {_what(data)}")
        return None, r.problems
    r.get(data, "return.format", _format)
    if r.problems:  # not a return at all: say only that
        return None, r.problems
    r.get(data, "return.version", _version)
    fields: dict[str, Any] = {
        "programme": r.get(data, "programme.id", _id),
        "title": r.get(data, "programme.title", _text),
        "place": r.get(data, "place", _optional(_text)),
        "population": r.get(data, "population", _optional(_count)),
        "price_base": r.get(data, "price_base", _optional(_year)),
        "discount_base": r.get(data, "discount_base", _optional(_year)),
        "timing": r.get(data, "timing", _optional(_text)),
        "schedules": _schedules(r, data),
        "parameters": _parameters(r, data),
        "statuses": r.get(data, "statuses_counted", _texts),
        "cases": r.get(data, "totals.cases", _count),
        "spend_counted": r.get(data, "totals.spend_counted", _optional(_money)),
        "spend_year": r.get(data, "totals.spend_year", _optional(_year)),
    }
    for name in ("pv_costs", "pv_benefits", "npsv", "cashable_savings"):
        fields[name] = r.get(data, f"totals.{name}", _optional(_money))
    for name in ("realigned_to_central", "realigned_from_central"):
        fields[name] = r.get(data, f"totals.{name}", _money)
    if r.problems:
        return None, r.problems
    return PlaceReturn(file=str(file), **fields), []


def read_returns(paths: Iterable[Path | str]) -> list[PlaceReturn]:
    """Every return, read and checked.

    :raises InputError: every problem in every file, each with its file and field.
    """
    found, problems = [], []
    for path in paths:
        item, wrong = read_place_return(path)
        problems += wrong
        if item is not None:
            found.append(item)
    if problems:
        raise InputError(problems)
    return found
