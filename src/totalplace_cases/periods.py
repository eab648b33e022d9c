"""UK financial years and their quarters.

A financial year runs from 1 April to 31 March and is written ``2010-11`` (``2010/11`` is
accepted on input). Quarters are Q1 April-June to Q4 January-March, written ``2011-12 Q3``.
Appraisal years are counted in whole financial years, so the types here are small ordered
values with the arithmetic the method needs: ``year + 1``, ``later - earlier`` (a number of
years) and ranges.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Iterator

import attrs
import pendulum

from .display import shown
from .errors import TotalPlaceError

__all__ = [
    "FIRST_START_YEAR",
    "LAST_START_YEAR",
    "FinancialYear",
    "PeriodError",
    "Quarter",
    "parse_quarter",
    "parse_year",
    "year_of",
    "year_range",
]

# Matched whole (fullmatch) and only on short text, so they take linear time at worst.
_YEAR_RE = re.compile(r"\s*([0-9]{4})\s*[-/]\s*([0-9]{2})\s*")
_QUARTER_RE = re.compile(r"\s*([0-9]{4}\s*[-/]\s*[0-9]{2})\s+Q([1-4])\s*", re.IGNORECASE)
#: The first and last calendar years in which a supported financial year starts (1000-01 to
#: 9998-99), as :class:`FinancialYear` checks; periods that run outside them are input errors.
FIRST_START_YEAR = 1000
LAST_START_YEAR = 9998
_LONGEST = 40  # characters: longer than any year, quarter or date however spaced


class PeriodError(TotalPlaceError, ValueError):
    """A year or quarter that is not written the way the method requires."""


@attrs.frozen(eq=False, order=False)
class FinancialYear:
    """A UK financial year, identified by the calendar year in which it starts.

    Years compare and hash on their start year alone, written out below rather than generated:
    they key every amount of every case, and the appraisal compares and hashes them millions of
    times.
    """

    start_year: int = attrs.field(validator=attrs.validators.instance_of(int))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FinancialYear):
            return self.start_year == other.start_year
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, FinancialYear):
            return self.start_year != other.start_year
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.start_year)

    def __lt__(self, other: object) -> bool:
        if isinstance(other, FinancialYear):
            return self.start_year < other.start_year
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if isinstance(other, FinancialYear):
            return self.start_year <= other.start_year
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, FinancialYear):
            return self.start_year > other.start_year
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if isinstance(other, FinancialYear):
            return self.start_year >= other.start_year
        return NotImplemented

    @start_year.validator
    def _check_range(self, _attribute: attrs.Attribute, value: int) -> None:
        if not 1000 <= value <= 9998:
            raise PeriodError(
                "expected a financial year from 1000-01 to 9998-99 (the years the tool "
                f"supports), found one starting in {value}, which is out of range"
            )

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        """Read ``2010-11`` or ``2010/11``; anything else raises :class:`PeriodError`."""
        return parse_year(text)

    @classmethod
    def of(cls, day: _dt.date | str) -> FinancialYear:
        """The financial year a date belongs to (31 March 2011 is 2010-11)."""
        return year_of(day)

    @property
    def end_year(self) -> int:
        """The calendar year in which this financial year ends."""
        return self.start_year + 1

    @property
    def first_day(self) -> pendulum.Date:
        return pendulum.date(self.start_year, 4, 1)

    @property
    def last_day(self) -> pendulum.Date:
        return pendulum.date(self.start_year + 1, 3, 31)

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, _dt.date):
            return False
        return year_of(day) == self

    def quarters(self) -> list[Quarter]:
        return [Quarter(self, q) for q in (1, 2, 3, 4)]

    def __add__(self, years: int) -> FinancialYear:
        if not isinstance(years, int) or isinstance(years, bool):
            return NotImplemented
        return FinancialYear(self.start_year + years)

    def __radd__(self, years: int) -> FinancialYear:
        return self.__add__(years)

    def __sub__(self, other: FinancialYear | int) -> FinancialYear | int:
        if isinstance(other, FinancialYear):
            return self.start_year - other.start_year
        if isinstance(other, int) and not isinstance(other, bool):
            return FinancialYear(self.start_year - other)
        return NotImplemented

    def __str__(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    def __repr__(self) -> str:
        return f"FinancialYear('{self}')"


@attrs.frozen(order=True)
class Quarter:
    """A quarter of a financial year: Q1 April-June ... Q4 January-March."""

    year: FinancialYear
    number: int = attrs.field(validator=attrs.validators.in_((1, 2, 3, 4)))

    @classmethod
    def parse(cls, text: str) -> Quarter:
        return parse_quarter(text)

    @classmethod
    def of(cls, day: _dt.date | str) -> Quarter:
        """The quarter a date belongs to (1 January 2012 is 2011-12 Q4)."""
        date = _as_date(day)
        year = year_of(date)
        months_in = (date.month - 4) % 12
        return cls(year, months_in // 3 + 1)

    @property
    def first_day(self) -> pendulum.Date:
        return self.year.first_day.add(months=3 * (self.number - 1))

    @property
    def last_day(self) -> pendulum.Date:
        return self.year.first_day.add(months=3 * self.number).subtract(days=1)

    def __add__(self, quarters: int) -> Quarter:
        if not isinstance(quarters, int) or isinstance(quarters, bool):
            return NotImplemented
        index = self.year.start_year * 4 + (self.number - 1) + quarters
        return Quarter(FinancialYear(index // 4), index % 4 + 1)

    def __sub__(self, other: Quarter | int) -> Quarter | int:
        if isinstance(other, Quarter):
            return (self.year.start_year * 4 + self.number) - (
                other.year.start_year * 4 + other.number
            )
        if isinstance(other, int) and not isinstance(other, bool):
            return self + (-other)
        return NotImplemented

    def __str__(self) -> str:
        return f"{self.year} Q{self.number}"

    def __repr__(self) -> str:
        return f"Quarter('{self}')"


def parse_year(text: object) -> FinancialYear:
    """Parse a financial year written ``2010-11`` or ``2010/11``.

    The two-digit end must follow the start year (``2010-12`` is an error), because a
    mistyped year would silently shift every flow of a case.
    """
    if isinstance(text, FinancialYear):
        return text
    if not isinstance(text, str):
        raise PeriodError(
            f'expected a financial year written like "2010-11", found {_describe(text)}'
        )
    return _year_from_text(text)


@functools.lru_cache(maxsize=4096)
def _year_from_text(text: str) -> FinancialYear:
    """parse_year of a string; a case file names the same few years thousands of times."""
    match = _YEAR_RE.fullmatch(text) if len(text) <= _LONGEST else None
    if not match:
        raise PeriodError(
            f'expected a financial year written like "2010-11", found "{shown(text)}"'
        )
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        raise PeriodError(
            f'"{shown(text)}" is not a financial year: a year starting in {start} ends in '
            f'{start + 1} (write "{start}-{(start + 1) % 100:02d}")'
        )
    return FinancialYear(start)


def parse_quarter(text: object) -> Quarter:
    """Parse a quarter written ``2011-12 Q3``."""
    if isinstance(text, Quarter):
        return text
    if not isinstance(text, str):
        raise PeriodError(f'expected a quarter written like "2011-12 Q3", found {_describe(text)}')
    match = _QUARTER_RE.fullmatch(text) if len(text) <= _LONGEST else None
    if not match:
        raise PeriodError(f'expected a quarter written like "2011-12 Q3", found "{shown(text)}"')
    return Quarter(parse_year(match.group(1)), int(match.group(2)))


def year_of(day: _dt.date | str) -> FinancialYear:
    """The financial year whose 1 April is on or before ``day`` (and within a year of it)."""
    date = _as_date(day)
    return FinancialYear(date.year if date.month >= 4 else date.year - 1)


def year_range(first: FinancialYear | str, count: int) -> list[FinancialYear]:
    """``count`` consecutive financial years starting at ``first``."""
    start = parse_year(first)
    if isinstance(count, bool) or not isinstance(count, int):
        raise PeriodError(
            f"a range of years needs a whole number of years, found {_describe(count)}"
        )
    if count < 0:
        raise PeriodError(f"a range of years needs a count of 0 or more, found {count}")
    return [start + i for i in range(count)]


def iter_years(first: FinancialYear, last: FinancialYear) -> Iterator[FinancialYear]:
    """Every financial year from ``first`` to ``last`` inclusive."""
    for i in range(last - first + 1):  # type: ignore[operator]
        yield first + i


def _as_date(day: _dt.date | str) -> _dt.date:
    if isinstance(day, str):
        if len(day) > _LONGEST:
            raise PeriodError(f'expected a date written like "2011-03-31", found "{shown(day)}"')
        try:
            parsed = pendulum.parse(day, exact=True)
        except Exception as exc:  # pendulum raises its own ParserError
            raise PeriodError(
                f'expected a date written like "2011-03-31", found "{shown(day)}"'
            ) from exc
        if isinstance(parsed, _dt.datetime):
            return parsed.date()
        if isinstance(parsed, _dt.date):
            return parsed
        raise PeriodError(f'expected a date written like "2011-03-31", found "{shown(day)}"')
    if isinstance(day, _dt.datetime):
        return day.date()
    if isinstance(day, _dt.date):
        return day
    raise PeriodError(f"expected a date, found {_describe(day)}")


def _describe(value: object) -> str:
    return f"{type(value).__name__} {shown(repr(value))}"
