"""Prices: converting amounts between price bases with a GDP deflator (method §1).

An amount in year A's prices is worth ``value * index[B] / index[A]`` in year B's prices. The
appraisal works in financial years; HM Treasury's published deflator (bundled as the table
``hmt-gdp-deflator``) is a calendar-year series, so a financial year's index is taken as

    index[2010-11] = 3/4 * calendar[2010] + 1/4 * calendar[2011]

(April to December of its first calendar year, January to March of the next) unless a
financial-year series is supplied. Results must say when this rule was used:
:attr:`Deflator.uses_calendar_rule`.

A table is a calendar series when its header is ``year,index`` with four-digit years, and a
financial-year series when it is ``financial_year,index`` with years like ``2010-11``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import attrs

from ..errors import InputError, Problem, TotalPlaceError
from ..parameters import ParameterTable
from ..periods import FinancialYear, PeriodError, parse_year
from .precision import PRECISION, exact

__all__ = [
    "PRECISION",
    "Deflator",
    "DeflatorRangeError",
    "deflator_from_table",
    "rebase_with_indices",
]

_KIND = "deflator"
_FIRST_SHARE = Decimal("0.75")  # April-December of the starting calendar year
_SECOND_SHARE = Decimal("0.25")  # January-March of the next


def _as_decimal(value: object, what: str) -> Decimal:
    """An exact Decimal from a Decimal, int or string (a float via its shortest repr)."""
    if isinstance(value, bool):
        raise TypeError(f"expected {what} as a number, found the boolean {value}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float | str):
        try:
            number = Decimal(repr(value) if isinstance(value, float) else value.strip())
        except InvalidOperation:
            raise ValueError(f"expected {what} as a number, found {value!r}") from None
    else:
        raise TypeError(f"expected {what} as a number, found {type(value).__name__} {value!r}")
    if not number.is_finite():
        raise ValueError(f"expected {what} as a finite number, found {value!r}")
    return number


def _as_year(year: FinancialYear | str) -> FinancialYear:
    return parse_year(year)


def rebase_with_indices(
    value: Decimal | int | str, from_index: Decimal | int | str, to_index: Decimal | int | str
) -> Decimal:
    """``value`` at a price level of ``from_index``, re-expressed at ``to_index``.

    ``value * to_index / from_index`` to 60 significant digits: e.g. £7.4m at index 91.031 is
    £8,355,819.45 at index 102.789 (HM Treasury's example).
    """
    amount = _as_decimal(value, "an amount")
    old = _as_decimal(from_index, "a price index")
    new = _as_decimal(to_index, "a price index")
    if old <= 0 or new <= 0:
        raise ValueError(f"price indices must be positive, found {old} and {new}")
    with exact():
        return amount * new / old


def _copied_mapping(value: Mapping | None) -> Mapping | None:
    # A private sorted copy (a plain dict, so that a Deflator can be pickled for worker
    # processes): later changes to the caller's mapping do not reach the deflator.
    return None if value is None else dict(sorted(value.items()))


def _projection(value: object) -> Decimal | None:
    if value is None:
        return None
    rate = _as_decimal(value, "a deflator projection (an annual inflation rate)")
    if rate <= -1:
        raise ValueError(f"a deflator projection must be above -1, found {rate}")
    return rate


class DeflatorRangeError(TotalPlaceError):
    """A deflator has no index for ``year``: the message says which years it covers and how to
    extend it; ``year`` lets a check name the field that asked for that year."""

    def __init__(self, year: FinancialYear, message: str):
        self.year = year
        super().__init__(message)


@attrs.frozen(eq=False)
class Deflator:
    """A price index by year, from a calendar-year and/or a financial-year series.

    ``index(year)`` is the financial-year value if the series has one, else the calendar rule
    (3/4 of the starting calendar year plus 1/4 of the next). Beyond the series the index is
    extended geometrically at ``projection`` (an annual inflation rate, e.g. ``0.02``) if one is
    set, and is otherwise an error that says what is missing.
    """

    name: str
    calendar: Mapping[int, Decimal] | None = attrs.field(converter=_copied_mapping)
    financial: Mapping[FinancialYear, Decimal] | None = attrs.field(converter=_copied_mapping)
    source: str = ""
    vintage: str = ""
    projection: Decimal | None = attrs.field(default=None, converter=_projection)
    # (from start year, to start year) -> index ratio, each computed once (see ratio()).
    _ratios: dict[tuple[int, int], Decimal] = attrs.field(init=False, factory=dict, repr=False)

    def __attrs_post_init__(self) -> None:
        if not self.calendar and not self.financial:
            raise ValueError(f"deflator '{self.name}' has no index values")
        for values in (self.calendar or {}, self.financial or {}):
            for year, value in values.items():
                if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                    raise ValueError(
                        f"deflator '{self.name}': the index for {year} must be a positive "
                        f"Decimal, found {value!r}"
                    )

    @classmethod
    def from_table(
        cls, table: ParameterTable, projection: Decimal | int | str | None = None
    ) -> Deflator:
        """Read a ``deflator`` table: ``year,index`` (calendar) or ``financial_year,index``.

        Years must be consecutive and unique and every index positive; anything else raises an
        :class:`~totalplace_cases.errors.InputError` naming the table.
        """
        where = f"deflator table '{table.name}'"

        def problem(message: str) -> Problem:
            return Problem(f"{where}: {message}", file=table.origin or None)

        if table.kind != _KIND:
            raise InputError([problem(f"expected kind '{_KIND}', found '{table.kind}'")])
        columns = set(table.columns)
        if columns == {"year", "index"}:
            basis = "calendar"
        elif columns == {"financial_year", "index"}:
            basis = "financial"
        else:
            raise InputError(
                [
                    problem(
                        "expected the columns year,index (a calendar-year series) or "
                        f"financial_year,index (a financial-year series), found "
                        f"{','.join(table.columns)}"
                    )
                ]
            )
        problems: list[Problem] = []
        values: dict = {}
        for number, row in enumerate(table.rows, start=1):
            text = row["year" if basis == "calendar" else "financial_year"]
            try:
                if basis == "calendar":
                    if not (len(text) == 4 and text.isdigit()):
                        raise ValueError(text)
                    year: int | FinancialYear = int(text)
                else:
                    year = parse_year(text)
            except (ValueError, PeriodError):
                expected = (
                    "a calendar year like 2010"
                    if basis == "calendar"
                    else "a financial year like 2010-11"
                )
                problems.append(problem(f"row {number}: expected {expected}, found {text!r}"))
                continue
            try:
                index = Decimal(row["index"])
                if not index.is_finite() or index <= 0:
                    raise InvalidOperation
            except InvalidOperation:
                problems.append(
                    problem(
                        f"row {number}: the index must be a positive number, found {row['index']!r}"
                    )
                )
                continue
            if year in values:
                problems.append(problem(f"row {number}: {year} appears more than once"))
                continue
            values[year] = index
        if not values and not problems:
            problems.append(problem("the table has no rows"))
        if values and not problems:
            first, last = min(values), max(values)
            missing = [first + i for i in range(last - first + 1) if first + i not in values]
            if missing:
                problems.append(
                    problem(
                        "the years must be consecutive; missing "
                        + ", ".join(str(y) for y in missing[:5])
                        + (" ..." if len(missing) > 5 else "")
                    )
                )
        if problems:
            raise InputError(problems)
        return cls(
            table.name,
            calendar=values if basis == "calendar" else None,
            financial=values if basis == "financial" else None,
            source=table.source,
            vintage=table.vintage,
            projection=projection,
        )

    def with_projection(self, projection: Decimal | int | str | None) -> Deflator:
        """The same series, extended beyond its ends at ``projection`` a year (None: not)."""
        return attrs.evolve(self, projection=projection)

    def _available(self, year: FinancialYear) -> Decimal | None:
        if self.financial and year in self.financial:
            return self.financial[year]
        calendar = self.calendar
        if calendar and year.start_year in calendar and year.start_year + 1 in calendar:
            with exact():
                return (
                    _FIRST_SHARE * calendar[year.start_year]
                    + _SECOND_SHARE * calendar[year.start_year + 1]
                )
        return None

    def _covered(self) -> list[FinancialYear]:
        years = set(self.financial or ())
        calendar = self.calendar or {}
        years.update(FinancialYear(y) for y in calendar if y + 1 in calendar)
        return sorted(years)

    @property
    def first_year(self) -> FinancialYear:
        """The first financial year the series gives an index for (without projection)."""
        covered = self._covered()
        if not covered:
            raise TotalPlaceError(
                f"deflator '{self.name}' covers no whole financial year: a calendar series "
                f"needs two consecutive calendar years"
            )
        return covered[0]

    @property
    def last_year(self) -> FinancialYear:
        """The last financial year the series gives an index for (without projection)."""
        covered = self._covered()
        if not covered:
            return self.first_year  # raises the explanatory error
        return covered[-1]

    @property
    def uses_calendar_rule(self) -> bool:
        """True when some financial-year indices are derived from calendar years (3/4 + 1/4).

        An output that used such a deflator must say so (method §1).
        """
        calendar = self.calendar or {}
        financial = self.financial or {}
        return any(y + 1 in calendar and FinancialYear(y) not in financial for y in calendar)

    @property
    def basis(self) -> str:
        """A sentence for the output: how the financial-year indices were obtained."""
        if self.uses_calendar_rule:
            text = (
                f"GDP deflator '{self.name}' is a calendar-year series: a financial year's "
                "index is 3/4 of its starting calendar year's plus 1/4 of the next"
            )
        else:
            text = f"GDP deflator '{self.name}' is a financial-year series"
        if self.projection is not None:
            text += (
                f"; extended beyond {self.first_year}..{self.last_year} at {self.projection} a year"
            )
        return text

    def index(self, year: FinancialYear | str) -> Decimal:
        """The index for financial year ``year``.

        From the financial-year series if it has the year, else by the calendar rule; beyond
        the series, extended at ``projection`` a year from the nearest covered year, or a
        :class:`~totalplace_cases.errors.TotalPlaceError` if no projection is set.
        """
        year = _as_year(year)
        value = self._available(year)
        if value is not None:
            return value
        first, last = self.first_year, self.last_year
        if first < year < last:
            raise DeflatorRangeError(
                year,
                f"deflator '{self.name}' has no index for {year}, inside the years it covers "
                f"({first} to {last}): supply a complete series",
            )
        if self.projection is None:
            side = "after" if year > last else "before"
            raise DeflatorRangeError(
                year,
                f"deflator '{self.name}' has no index for {year}: it covers {first} to {last}"
                f"{self._derived_note()}, and {year} is {side} that. Supply a deflator series "
                f"that covers {year}, or set a projection, an assumed annual inflation rate "
                f'used to extend the series (e.g. deflator_projection = "0.02" in the '
                f'programme\'s settings, or Deflator.with_projection(Decimal("0.02")))',
            )
        with exact():
            growth = Decimal(1) + self.projection
            if year > last:
                return self._available(last) * growth ** (year - last)
            return self._available(first) / growth ** (first - year)

    def _derived_note(self) -> str:
        if self.calendar and not self.financial:
            years = sorted(self.calendar)
            return f" (financial years derived from calendar years {years[0]} to {years[-1]})"
        return ""

    def rebase(
        self,
        value: Decimal | int | str,
        from_year: FinancialYear | str,
        to_year: FinancialYear | str,
    ) -> Decimal:
        """``value`` in ``from_year``'s prices, expressed in ``to_year``'s prices.

        ``value * index[to_year] / index[from_year]`` to 60 significant digits.
        """
        return rebase_with_indices(value, self.index(from_year), self.index(to_year))

    def ratio(self, from_year: FinancialYear | str, to_year: FinancialYear | str) -> Decimal:
        """``index[to_year] / index[from_year]``: what one pound of ``from_year``'s prices is
        worth in ``to_year``'s prices. Computed once per pair of years and kept, so that an
        appraisal converting thousands of amounts divides once for each pair it meets."""
        from_year, to_year = _as_year(from_year), _as_year(to_year)
        key = (from_year.start_year, to_year.start_year)
        ratio = self._ratios.get(key)
        if ratio is None:
            new, old = self.index(to_year), self.index(from_year)
            with exact():
                ratio = new / old
            self._ratios[key] = ratio
        return ratio

    def real(
        self, value: Decimal | int | str, year: FinancialYear | str, base: FinancialYear | str
    ) -> Decimal:
        """A nominal ``value`` paid in ``year``, in real terms at ``base`` year prices."""
        return self.rebase(value, year, base)


# (id(table), projection) -> (table, deflator); the table is kept so that its id cannot be reused.
_DEFLATORS: dict[tuple[int, Decimal | None], tuple[ParameterTable, Deflator]] = {}


def deflator_from_table(table: ParameterTable, projection: Decimal | None = None) -> Deflator:
    """The :class:`Deflator` of a registered table, built once per table and projection.

    Validation and every appraisal of a run use the same one; a plugin that replaces the
    table gets a new deflator.
    """
    key = (id(table), projection)
    cached = _DEFLATORS.get(key)
    if cached is None or cached[0] is not table:
        cached = (table, Deflator.from_table(table, projection=projection))
        _DEFLATORS[key] = cached
    return cached[1]
