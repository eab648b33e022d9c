"""The count's arithmetic: exact totals of public spend by agency, category, theme and funder.

A :class:`Count` holds the spend of a place as cells: the exact total of every line with the
same year, agency, category, theme, kind and funder (:class:`SpendCell`). Every table is a sum
of cells, so the rows of each table add up to the year's total exactly, and the tables by
spending agency and by funder add up to the same total (each line is counted once, under the
agency that spends it; ``funded_by`` only says who pays for it).

Money is exact :class:`~decimal.Decimal` (pounds and pence); shares and per-head figures are
computed in decimal and rounded only when shown.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs

from ..periods import FinancialYear, parse_year

__all__ = ["DIMENSIONS", "Change", "Count", "FileControl", "SpendCell", "build_count", "share"]

#: What a cell is keyed by; any of them can be a table's rows.
DIMENSIONS: tuple[str, ...] = ("year", "agency", "category", "theme", "kind", "funded_by")
ZERO = Decimal(0)


@attrs.frozen
class SpendCell:
    """The exact total of the count's lines that share a year, agency, category, theme, kind
    and funder. ``funded_by`` is the spending agency itself when a line names no funder."""

    year: FinancialYear
    agency: str
    category: str
    theme: str
    kind: str
    funded_by: str
    amount: Decimal


@attrs.frozen
class FileControl:
    """A spend file's control totals, to tie out to the agency's own ledger.

    ``lines`` rows were read: ``counted`` of them (adding up to ``total``) and ``rejected``
    (adding up to ``rejected_total``, for those whose amount could be read).
    """

    path: str
    lines: int
    counted: int
    rejected: int
    total: Decimal
    rejected_total: Decimal


@attrs.frozen
class Change:
    """How a row's total moved from one year to the next it holds."""

    key: tuple[str, ...]
    from_year: FinancialYear
    to_year: FinancialYear
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before

    @property
    def rate(self) -> Decimal | None:
        return share(self.change, self.before)


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole``, or None when ``whole`` is zero."""
    return None if whole == 0 else part / whole


@attrs.frozen
class Count:
    """The spend of a place: cells, the control totals of each file, and the rows set aside.

    ``rejected`` and ``unclassified`` hold the rows to list (their file, line and reason);
    ``population`` (when the programme gives one) turns totals into spend per head.
    """

    files: tuple[FileControl, ...]
    cells: tuple[SpendCell, ...]
    rejected: tuple = ()
    unclassified: tuple = ()
    population: int | None = None

    @property
    def total(self) -> Decimal:
        """Every counted line of every year: the sum of the files' control totals."""
        return sum((cell.amount for cell in self.cells), ZERO)

    @property
    def years(self) -> list[FinancialYear]:
        return sorted({cell.year for cell in self.cells})

    def for_year(self, year: FinancialYear | str | None) -> Count:
        """The count of one year (all of it when ``year`` is None)."""
        if year is None:
            return self
        wanted = parse_year(year)
        return attrs.evolve(self, cells=tuple(c for c in self.cells if c.year == wanted))

    def total_by(self, *dimensions: str) -> dict[tuple, Decimal]:
        """Totals keyed by the values of ``dimensions`` (names from :data:`DIMENSIONS`),
        in sorted key order. With no dimensions: ``{(): total}``."""
        unknown = [d for d in dimensions if d not in DIMENSIONS]
        if unknown:
            raise ValueError(f"unknown dimension {unknown[0]!r}; expected one of {DIMENSIONS}")
        totals: dict[tuple, Decimal] = {}
        for cell in self.cells:
            key = tuple(getattr(cell, d) for d in dimensions)
            totals[key] = totals.get(key, ZERO) + cell.amount
        return dict(sorted(totals.items()))

    def per_head(self, amount: Decimal) -> Decimal | None:
        """``amount`` per resident, or None when the programme gives no population."""
        if not self.population:
            return None
        return amount / self.population

    def changes(self, *dimensions: str) -> list[Change]:
        """Each row's move between consecutive years the count holds (a row missing in a year
        counts as zero there)."""
        years = self.years
        by = self.total_by("year", *dimensions)
        keys = sorted({key[1:] for key in by})
        return [
            Change(key, before, after, by.get((before, *key), ZERO), by.get((after, *key), ZERO))
            for before, after in itertools.pairwise(years)
            for key in keys
        ]


def build_count(
    cells: Iterable[tuple[Sequence[str], int]],
    files: Iterable[FileControl],
    *,
    rejected: Iterable = (),
    unclassified: Iterable = (),
    population: int | None = None,
) -> Count:
    """A :class:`Count` from ``(key, pence)`` pairs, keys in :data:`DIMENSIONS` order (the year
    as text, e.g. ``"2008-09"``). Pairs with the same key are added together."""
    pence: dict[tuple, int] = {}
    for key, amount in cells:
        key = tuple(key)
        pence[key] = pence.get(key, 0) + amount
    years: dict[str, FinancialYear] = {}
    made = []
    for key, amount in sorted(pence.items()):
        year = years.setdefault(key[0], parse_year(key[0]))
        made.append(SpendCell(year, *key[1:], amount=Decimal(amount).scaleb(-2)))
    return Count(
        files=tuple(files),
        cells=tuple(made),
        rejected=tuple(rejected),
        unclassified=tuple(unclassified),
        population=population,
    )
