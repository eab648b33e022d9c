"""Discount factors from the Green Book's declining long-term schedules (method §2).

A schedule gives a real discount rate for each band of years after the discount base year
(year 0): ``0-30``, ``31-75``, ... and an open-ended last band. The factor for year ``t`` is

    D_0 = 1,    D_t = D_{t-1} / (1 + r_t)

where ``r_t`` is the rate of the band containing year ``t``: the rate applies to the step from
year ``t - 1`` to year ``t``. So years 1-30 are discounted at 3.5% a year and years 31-75 at
3.0% on top of that (``D_31 = D_30 / 1.03``), not by restarting at 3.0% from year 0.

Factors are held as :class:`~decimal.Decimal` computed at 60 significant digits, so that a
present value summed over centuries stays exact to far below a penny; the public
:func:`discount_factor` returns a float for convenience only.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Any, Protocol

import attrs

from ..errors import InputError, Problem
from ..parameters import ParameterTable
from .precision import PRECISION, exact

__all__ = [
    "PRECISION",
    "TIMINGS",
    "Band",
    "DiscountSchedule",
    "discount_factor",
    "schedule_from_rules",
]

#: When in a year its flows are taken to occur: at its start (year t is discounted by D_t,
#: the Green Book's convention) or in its middle (half a year later).
TIMINGS: tuple[str, ...] = ("start", "mid")
_KIND = "discount-schedule"
_COLUMNS = ("from_year", "to_year", "rate")

#: A band of years ``first_year..last_year`` (``None``: open-ended) and its rate.
Band = tuple[int, int | None, Decimal]

# Guards the growth of the factor caches when appraisals run in threads.
_LOCK = threading.Lock()


def _check_year(t: object, what: str = "year") -> int:
    if isinstance(t, bool) or not isinstance(t, int):
        raise ValueError(
            f"a discount {what} must be a whole number of years after the discount base "
            f"year, found {type(t).__name__} {t!r}"
        )
    if t < 0:
        raise ValueError(
            f"a discount {what} must be 0 or more years after the discount base year, found {t}"
        )
    return t


def _band_problems(bands: Sequence[Band]) -> list[str]:
    """What is wrong with a list of bands (sorted by first year); empty when it is usable."""
    if not bands:
        return ["the schedule has no bands"]
    problems = []
    if bands[0][0] != 0:
        problems.append(
            f"the first band must start at year 0 (the discount base year), "
            f"found year {bands[0][0]}"
        )
    for first, last, rate in bands:
        if first < 0:
            problems.append(f"a band cannot start before year 0, found {first}")
        if last is not None and last < first:
            problems.append(f"the band {first}-{last} ends before it starts")
        if not rate.is_finite() or rate <= -1:
            problems.append(
                f"the rate of the band starting at year {first} must be a number above -1, "
                f"found {rate}"
            )
    for (first, last, _), (next_first, next_last, _) in pairwise(bands):
        if last is None:
            problems.append(
                f"only the last band may be open-ended, but the band starting at year {first} "
                f"has no to_year and is followed by the band starting at year {next_first}"
            )
        elif next_first > last + 1:
            missing = f"{last + 1}" if next_first == last + 2 else f"{last + 1}-{next_first - 1}"
            problems.append(f"the bands leave a gap: year(s) {missing} are in no band")
        elif next_first < last + 1:
            end = "" if next_last is None else f"{next_last}"
            problems.append(
                f"the bands overlap: {first}-{last} and {next_first}-{end} share year(s) "
                f"{next_first}-{last}"
            )
    if bands[-1][1] is not None:
        problems.append(
            f"the last band must be open-ended (an empty to_year), found to_year "
            f"{bands[-1][1]}: years after it would have no rate"
        )
    return problems


def _parse_int(text: str) -> int:
    if not text.strip().lstrip("-").isdigit():
        raise ValueError(text)
    return int(text)


@attrs.frozen
class DiscountSchedule:
    """A named discount schedule: real rates by band of years after the discount base year.

    Build it from a parameter table with :meth:`from_table` (or, in an appraisal, with
    :func:`schedule_from_rules`). The factors are computed once, in order, and kept: asking for
    ``factor(1000)`` after ``factor(10)`` only computes years 11 to 1000.
    """

    name: str
    bands: tuple[Band, ...] = attrs.field(converter=tuple)
    source: str = ""
    vintage: str = ""
    _factors: list[Decimal] = attrs.field(
        init=False, factory=lambda: [Decimal(1)], eq=False, repr=False, hash=False
    )
    # (first year, number of years, timing) -> factors: the spans cases have asked for.
    _spans: dict[tuple[int, int, str], tuple[Decimal, ...]] = attrs.field(
        init=False, factory=dict, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        problems = _band_problems(self.bands)
        if problems:
            raise ValueError(f"discount schedule '{self.name}': " + "; ".join(problems))

    @classmethod
    def from_table(cls, table: ParameterTable) -> DiscountSchedule:
        """Read a ``discount-schedule`` table (columns ``from_year,to_year,rate``).

        The bands must run on from year 0 without gaps or overlaps, the last with an empty
        ``to_year``; every rate must be a decimal fraction above -1. Anything else raises an
        :class:`~totalplace_cases.errors.InputError` naming the table and its file.
        """
        where = f"discount-schedule table '{table.name}'"

        def problem(message: str) -> Problem:
            return Problem(f"{where}: {message}", file=table.origin or None)

        if table.kind != _KIND:
            raise InputError([problem(f"expected kind '{_KIND}', found '{table.kind}'")])
        missing = [c for c in _COLUMNS if c not in table.columns]
        if missing:
            raise InputError(
                [
                    problem(
                        f"missing column(s) {', '.join(missing)}; expected the columns "
                        f"{','.join(_COLUMNS)}"
                    )
                ]
            )
        problems: list[Problem] = []
        bands: list[Band] = []
        for number, row in enumerate(table.rows, start=1):
            try:
                first = _parse_int(row["from_year"])
                last = _parse_int(row["to_year"]) if row["to_year"] else None
            except ValueError:
                problems.append(
                    problem(
                        f"row {number}: from_year and to_year must be whole numbers of years "
                        f"(to_year empty for the last band), found "
                        f"{row['from_year']!r}, {row['to_year']!r}"
                    )
                )
                continue
            try:
                rate = Decimal(row["rate"])
            except InvalidOperation:
                problems.append(
                    problem(
                        f"row {number}: rate must be a decimal fraction like 0.035, "
                        f"found {row['rate']!r}"
                    )
                )
                continue
            bands.append((first, last, rate))
        if not problems:
            bands.sort(key=lambda band: band[0])
            problems = [problem(message) for message in _band_problems(bands)]
        if problems:
            raise InputError(problems)
        return cls(table.name, tuple(bands), source=table.source, vintage=table.vintage)

    def rate(self, t: int) -> Decimal:
        """The rate of the band containing year ``t``: for ``t >= 1``, r_t, the rate that
        discounts year ``t`` relative to year ``t - 1``."""
        t = _check_year(t)
        for first, last, rate in self.bands:
            if first <= t and (last is None or t <= last):
                return rate
        raise AssertionError("validated bands cover every year")  # pragma: no cover

    def factor(self, t: int) -> Decimal:
        """The discount factor D_t for a flow ``t`` years after the discount base year.

        ``D_0 = 1`` and ``D_t = D_{t-1} / (1 + r_t)``, to 60 significant digits. Raises
        :class:`ValueError` for a negative or non-integer ``t``.
        """
        t = _check_year(t)
        cache = self._factors
        if t >= len(cache):
            with _LOCK, exact():
                one = Decimal(1)
                while len(cache) <= t:
                    cache.append(cache[-1] / (one + self.rate(len(cache))))
        return cache[t]

    def factors(self, n: int) -> tuple[Decimal, ...]:
        """The first ``n`` factors, D_0 to D_{n-1}: one for each year of an ``n``-year case."""
        n = _check_year(n, "horizon")
        if n:
            self.factor(n - 1)
        return tuple(self._factors[:n])

    def mid_year_factor(self, t: int) -> Decimal:
        """The discount factor for flows in the middle of year ``t``.

        Year ``t``'s flows are taken to occur half a year after its start, so they are
        discounted by half a year more than D_t, at the rate of the year being entered:
        ``D_t / sqrt(1 + r_{t+1})``. It lies between D_t and D_{t+1} (for positive rates),
        and within a band equals ``(1 + r) ** -(t + 1/2)``.
        """
        t = _check_year(t)
        with exact():
            return self.factor(t) / (Decimal(1) + self.rate(t + 1)).sqrt()

    def factor_at(self, t: int, timing: str = "start") -> Decimal:
        """D_t for ``timing="start"`` (the Green Book's convention), or the mid-year factor."""
        if timing == "start":
            return self.factor(t)
        if timing == "mid":
            return self.mid_year_factor(t)
        raise ValueError(f"timing must be one of {', '.join(TIMINGS)}, found {timing!r}")

    def factors_at(self, first: int, n: int, timing: str = "start") -> tuple[Decimal, ...]:
        """The factors of ``n`` consecutive years from year ``first`` (start or mid-year): one
        case's factors, indexed by years since its start. Kept once computed."""
        key = (first, n, timing)
        span = self._spans.get(key)
        if span is None:
            span = tuple(self.factor_at(first + k, timing) for k in range(n))
            with _LOCK:
                self._spans[key] = span
        return span


class _HasTables(Protocol):
    def table(self, name: str, kind: str | None = None) -> ParameterTable: ...


# id(table) -> (table, schedule); the table is kept so that its id cannot be reused.
_SCHEDULES: dict[int, tuple[ParameterTable, DiscountSchedule]] = {}


def schedule_from_rules(rules: _HasTables, name: str) -> DiscountSchedule:
    """The discount schedule called ``name`` among the tables the loaded rules registered.

    The schedule (with its computed factors) is kept for as long as the same table object is
    registered, so repeated appraisals do not rebuild it; a plugin that replaces the table
    gets a new schedule.
    """
    table = rules.table(name, _KIND)
    cached = _SCHEDULES.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    schedule = DiscountSchedule.from_table(table)
    with _LOCK:
        _SCHEDULES[id(table)] = (table, schedule)
    return schedule


def discount_factor(
    t: int,
    schedule: str = "green-book",
    *,
    timing: str = "start",
    rules: Any = None,
) -> float:
    """The discount factor for year ``t`` after the discount base year, as a float.

    A convenience for users: ``discount_factor(10)`` is 0.708919... on the standard Green
    Book schedule. ``schedule`` names a registered ``discount-schedule`` table
    (``green-book``, ``green-book-health``, ``green-book-2026-reduced`` or a plugin's);
    ``timing`` is ``"start"`` (D_t) or ``"mid"`` (mid-year). The appraisal itself works with
    the exact :class:`DiscountSchedule` factors.
    """
    if timing not in TIMINGS:
        raise ValueError(f"timing must be one of {', '.join(TIMINGS)}, found {timing!r}")
    if rules is None:
        from ..plugins import default_rules

        rules = default_rules()
    return float(schedule_from_rules(rules, schedule).factor_at(t, timing))
