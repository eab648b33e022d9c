"""Cuts scenarios on the count: a cut in public spending, shared across the unprotected spend.

Kent's "burning platform" (seed presentation, 5 October 2009): "In the cuts scenario
approximately £700m is lost from Kent public spending per annum....30000 jobs?" and "some
spending areas are unavoidable or politically unacceptable e.g. health or benefits so the % rises
for everyone else". :func:`run_scenario` does that arithmetic on a place's count (method §20):

- the lines of the baseline year that a scenario protects are untouched;
- the cut is shared across the other lines in proportion to their spend (or to weights a plugin
  gives), in whole pence, by the largest-remainder method (:func:`apportion`), so that the
  lines' cuts, and so the cuts by agency, by category and by year, add up to the scenario's
  cut to the penny;
- the effective rate is the cut over the unprotected spend: the "% rises for everyone else"
  figure, beside the overall rate (the cut over the whole count).

Money is exact: pence are integers while the cut is shared, and Decimal pounds after.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import attrs

from ..errors import TotalPlaceError
from ..models import CutScenario
from ..periods import FinancialYear, parse_year
from .count import Count, SpendCell

__all__ = [
    "CutLine",
    "CutRow",
    "ScenarioError",
    "ScenarioResult",
    "YearCut",
    "apportion",
    "proportional_weights",
    "run_scenario",
]

ZERO = Decimal(0)
#: What shares the cut when no plugin says otherwise.
IN_PROPORTION = "in proportion to spend"
#: ``weigh(lines, cut)``: a weight for each unprotected line, and who gave them.
Weigh = Callable[[tuple[SpendCell, ...], Decimal], tuple[Sequence[int | Decimal], str]]


class ScenarioError(TotalPlaceError):
    """A scenario that cannot be run on the count; ``field`` names the scenario's field
    (``scenarios[0].protect[1]``, or a command-line option like ``--protect``)."""

    def __init__(self, message: str, *, field: str | None = None):
        self.detail = message
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


@attrs.frozen
class CutLine:
    """A line of the count (a cell of the baseline year) and the cut it bears."""

    cell: SpendCell
    protected: bool
    cut: Decimal


@attrs.frozen
class CutRow:
    """An agency's or a category's part: its baseline spend, the part protected, its cut."""

    key: str
    baseline: Decimal
    protected: Decimal
    cut: Decimal

    @property
    def unprotected(self) -> Decimal:
        return self.baseline - self.protected

    @property
    def rate(self) -> Decimal | None:
        """The cut as a share of the row's whole baseline spend (None for no spend). No cut on
        a negative baseline (refunds) is 0, not -0, which would print as "-0.0%"."""
        if self.baseline == 0:
            return None
        return Decimal(0) if self.cut == 0 else self.cut / self.baseline


@attrs.frozen
class YearCut:
    """The phasing: the part of the cut taken in ``year`` and the cut reached by then."""

    year: FinancialYear
    cut: Decimal
    cumulative: Decimal


@attrs.frozen
class ScenarioResult:
    """A scenario run on the count of its baseline ``year``."""

    scenario: CutScenario
    year: FinancialYear
    cut: Decimal
    baseline_total: Decimal
    protected_total: Decimal
    lines: tuple[CutLine, ...]
    by_agency: tuple[CutRow, ...]
    by_category: tuple[CutRow, ...]
    by_year: tuple[YearCut, ...]
    shared_by: str = IN_PROPORTION

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def unprotected_total(self) -> Decimal:
        return self.baseline_total - self.protected_total

    @property
    def effective_rate(self) -> Decimal | None:
        """The cut over the unprotected spend: the rate everyone not protected bears."""
        unprotected = self.unprotected_total
        return None if unprotected == 0 else self.cut / unprotected

    @property
    def overall_rate(self) -> Decimal | None:
        """The cut over the whole count of the baseline year."""
        return None if self.baseline_total == 0 else self.cut / self.baseline_total

    @property
    def jobs(self) -> int | None:
        """The cut divided by the cost of a job, to the nearest whole job (None without one)."""
        cost = self.scenario.jobs_cost
        if cost is None:
            return None
        return int((self.cut / cost).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def agency_cut_by_year(self) -> dict[str, list[Decimal]]:
        """Each agency's cut reached by each year of the phasing, its part of the scenario's
        cut reached by then shared as the agencies share the whole cut (to the penny)."""
        agencies = [row for row in self.by_agency if row.cut]
        found: dict[str, list[Decimal]] = {row.key: [] for row in agencies}
        if not agencies:
            return found
        weights = [_pence(row.cut) for row in agencies]
        for step in self.by_year:
            parts = apportion(_pence(step.cumulative), weights)
            for row, part in zip(agencies, parts, strict=True):
                found[row.key].append(_pounds(part))
        return found


def apportion(total: int, weights: Sequence[int | Decimal]) -> list[int]:
    """``total`` (a whole number: pence) shared in proportion to ``weights``, in whole parts
    that add up to ``total`` exactly: the largest-remainder method.

    Each part is first its exact share rounded down; the pence left over (fewer than the number
    of parts) go one each to the parts with the largest remainders, the earlier part first on a
    tie. Worked example in docs/method.md §20.

    :raises ValueError: for a negative weight, or weights that add up to nothing.
    """
    shares = [Fraction(w) for w in weights]
    if any(share < 0 for share in shares):
        raise ValueError("weights must be 0 or more")
    whole = sum(shares, Fraction(0))
    if whole <= 0:
        raise ValueError("the weights add up to nothing")
    exact = [total * share / whole for share in shares]
    parts = [math.floor(x) for x in exact]
    left = total - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def _pence(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_value(rounding=ROUND_HALF_UP))


def _pounds(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)


def proportional_weights(lines: Sequence[SpendCell]) -> list[Decimal]:
    """The default sharing: each line's spend; a line of net income (0 or less) bears no cut."""
    return [max(line.amount, ZERO) for line in lines]


def _proportional(lines: tuple[SpendCell, ...], _cut: Decimal) -> tuple[list[Decimal], str]:
    return proportional_weights(lines), IN_PROPORTION


def baseline_year(
    count: Count, year: FinancialYear | str | None, field: str | None
) -> FinancialYear:
    """The count's year a scenario cuts: ``year``, or the count's last."""
    if not count.years:
        raise ScenarioError("the count holds no spend to cut", field=field)
    if year is None:
        return count.years[-1]
    chosen = parse_year(year)
    if chosen not in count.years:
        known = ", ".join(map(str, count.years))
        raise ScenarioError(f"the count has no {chosen}; its years: {known}", field=field)
    return chosen


def run_scenario(
    count: Count,
    scenario: CutScenario,
    *,
    year: FinancialYear | str | None = None,
    weigh: Weigh | None = None,
    where: str = "",
) -> ScenarioResult:
    """``scenario`` on the count of ``year`` (default: the count's last year).

    :param year: the count's year to cut; by default the scenario's ``year``, else the count's
        last.
    :param weigh: gives a weight for each unprotected line (and who gave them); by default
        each line's spend (a line of net income bears nothing).
    :param where: the field path of the scenario (``scenarios[0]``) or ``""`` for one given
        on the command line, to name the field of any error.
    :raises ScenarioError: a protection that matches no spend, no unprotected spend, or a cut
        larger than the spend it falls on.
    """
    year = year if year is not None else scenario.year
    chosen = baseline_year(count, year, f"{where}.year" if where else "--year")
    cells = [cell for cell in count.cells if cell.year == chosen]
    for index, protect in enumerate(scenario.protect):
        if not any(protect.matches(cell) for cell in cells):
            known = sorted({getattr(cell, protect.dimension) for cell in cells})
            raise ScenarioError(
                f"{protect} matches no spend in the count for {chosen}; the count's "
                f"{protect.dimension} ids are: {', '.join(known)}",
                field=protect.field(where, index) if where else "--protect",
            )
    protected = [any(p.matches(cell) for p in scenario.protect) for cell in cells]
    baseline_total = sum((cell.amount for cell in cells), ZERO)
    cut = scenario.cut
    cut_field = f"{where}.cut" if where else "--cut"
    if cut is None:
        cut = (scenario.cut_rate * baseline_total).quantize(Decimal("0.01"), ROUND_HALF_UP)
    open_lines = tuple(cell for cell, kept in zip(cells, protected, strict=True) if not kept)
    open_spend = sum((max(cell.amount, ZERO) for cell in open_lines), ZERO)
    if open_spend <= 0:
        raise ScenarioError(
            f"no unprotected spend is left in {chosen} to bear the cut; protect less",
            field=f"{where}.protect" if where else "--protect",
        )
    if cut > open_spend:
        raise ScenarioError(
            f"the cut of £{cut:,.2f} is more than the unprotected spend it falls on "
            f"(£{open_spend:,.2f} in {chosen}); cut less or protect less",
            field=cut_field,
        )
    weights, shared_by = (weigh or _proportional)(open_lines, cut)
    parts = iter(apportion(_pence(cut), weights))
    lines = tuple(
        CutLine(cell, kept, ZERO if kept else _pounds(next(parts)))
        for cell, kept in zip(cells, protected, strict=True)
    )
    steps = apportion(_pence(cut), [1] * scenario.over)
    start = scenario.start or chosen + 1
    by_year, reached = [], 0
    for offset, step in enumerate(steps):
        reached += step
        by_year.append(YearCut(start + offset, _pounds(step), _pounds(reached)))
    return ScenarioResult(
        scenario=scenario,
        year=chosen,
        cut=cut,
        baseline_total=baseline_total,
        protected_total=sum((ln.cell.amount for ln in lines if ln.protected), ZERO),
        lines=lines,
        by_agency=_rows(lines, "agency"),
        by_category=_rows(lines, "category"),
        by_year=tuple(by_year),
        shared_by=shared_by,
    )


def _rows(lines: Sequence[CutLine], dimension: str) -> tuple[CutRow, ...]:
    totals: dict[str, list[Decimal]] = {}
    for line in lines:
        row = totals.setdefault(getattr(line.cell, dimension), [ZERO, ZERO, ZERO])
        row[0] += line.cell.amount
        if line.protected:
            row[1] += line.cell.amount
        row[2] += line.cut
    return tuple(CutRow(key, *figures) for key, figures in sorted(totals.items()))
