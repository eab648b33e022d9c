"""Affordability, the financial case: what each agency pays, saves and is given, year by year.

For each business case and for the programme (the cases whose status counts), by agency and by
year, undiscounted (method §21):

- ``costs``: the case's costs the agency pays, after optimism bias (the appraisal's cost flows);
- ``cashable``: the cashable fiscal benefits it gains, after every adjustment (budgets that can
  really be reduced; a capital receipt counts, as cash);
- ``realigned_in`` and ``realigned_out``: budget the case's realignments move to or from it;
- ``net``: ``cashable - costs + realigned_in - realigned_out``, its net budget position; a year
  in which it is below zero is a net cost to the agency, flagged.

Each figure is real (at the case's price base, as the appraisal reports) and nominal (in each
year's own prices, with the programme's GDP deflator: ``real × index[year] / index[price base]``;
``None`` for a year the deflator does not reach, with a note saying so).

The flows are the appraisal's own: each case's lines are posted in a ledger by the appraisal's
functions (:func:`~.appraisal.post_lines`), so the costs by agency add up to the appraisal's
cost flows, and the cashable benefits to its cashable benefit lines, exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ..errors import TotalPlaceError
from ..models import BusinessCase, Programme
from ..periods import FinancialYear
from .appraisal import case_context, case_factors, post_lines, statuses_counted
from .context import CaseContext
from .conventions import Options
from .cuts import ScenarioResult
from .ledger import BENEFIT, COST, Ledger
from .precision import ZERO, exact

if TYPE_CHECKING:
    from ..plugins import Rules

__all__ = [
    "FIGURES",
    "Affordability",
    "AffordabilityRow",
    "CaseAffordability",
    "MeetRow",
    "affordability",
    "against_cut",
    "case_affordability",
]

#: The figures of a row, each real and nominal.
FIGURES = ("costs", "cashable", "realigned_in", "realigned_out", "net")


@attrs.frozen
class AffordabilityRow:
    """One agency's budget position in one year, from one case or the programme's cases.

    Figures are real terms at the price base; ``to_nominal`` is the year's deflator ratio
    (index of the year over index of the price base), or None where the deflator ends.
    """

    agency: str
    year: FinancialYear
    costs: Decimal
    cashable: Decimal
    realigned_in: Decimal
    realigned_out: Decimal
    to_nominal: Decimal | None

    @property
    def net(self) -> Decimal:
        return self.cashable - self.costs + self.realigned_in - self.realigned_out

    @property
    def net_cost(self) -> bool:
        """The agency is worse off this year: it pays more than it saves and is given."""
        return self.net < 0

    def nominal(self, figure: str) -> Decimal | None:
        """A figure (one of :data:`FIGURES`) in the year's own prices, or None."""
        if self.to_nominal is None:
            return None
        with exact():
            return getattr(self, figure) * self.to_nominal


@attrs.frozen
class CaseAffordability:
    """One case's rows, by agency then year, and whether the programme's figures count it."""

    case: str
    title: str
    status: str
    counted: bool
    price_base: FinancialYear
    rows: tuple[AffordabilityRow, ...]


@attrs.frozen
class Affordability:
    """Every case's affordability and the programme's (the counted cases added up).

    ``programme`` is empty, with ``notes`` saying why, when the counted cases are in different
    price bases and so cannot be added.
    """

    cases: tuple[CaseAffordability, ...]
    programme: tuple[AffordabilityRow, ...]
    price_base: FinancialYear | None
    statuses: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def agency_years(self, agency: str) -> dict[FinancialYear, AffordabilityRow]:
        return {row.year: row for row in self.programme if row.agency == agency}


def case_affordability(
    programme: Programme,
    case: BusinessCase,
    rules: Rules,
    options: Options | None = None,
    missing: dict[FinancialYear, str] | None = None,
) -> CaseAffordability:
    """One case's budget position by agency and year (see the module's description).

    :param missing: collects each year the deflator does not reach, with the reason.
    """
    context = case_context(programme, case, rules, options)
    sums: dict[tuple[str, int], list[Decimal]] = {}
    with exact():
        factors = case_factors(context)
        if not case.options:
            _post(context, factors, sums, 1)
        else:
            # The case's figures are its preferred option's less business as usual's (method
            # §18): so is its budget position.
            for index, option in enumerate(case.options):
                sign = (option.id == case.preferred) - (option.id == case.business_as_usual)
                if sign:
                    _post(context.for_option(index, option), factors, sums, sign)
    ratios = []
    for year in case.period:
        try:
            ratios.append(context.deflator.ratio(context.price_base, year))
        except TotalPlaceError as exc:
            ratios.append(None)
            if missing is not None:
                missing.setdefault(year, str(exc))
    rows = tuple(
        AffordabilityRow(agency, case.start + offset, *figures, ratios[offset])
        for (agency, offset), figures in sorted(sums.items())
    )
    return CaseAffordability(case.id, case.title, case.status, False, context.price_base, rows)


def _post(
    context: CaseContext,
    factors: tuple[Decimal, ...],
    sums: dict[tuple[str, int], list[Decimal]],
    sign: int,
) -> None:
    """Add ``sign`` times the case's (or an option's) flows to ``sums``, by agency and year
    offset: its lines posted by the appraisal's own functions, and its realignments converted
    to the price base as the appraisal converts them (method §10)."""

    def add(agency: str, values: Mapping[int, Decimal], slot: int) -> None:
        for offset, value in values.items():
            figures = sums.setdefault((agency, offset), [ZERO, ZERO, ZERO, ZERO])
            figures[slot] += value * sign

    case = context.case
    ledger = Ledger(case.years, factors)
    post_lines(ledger, context)
    for posting in ledger.postings:
        if posting.kind == COST:
            add(posting.agency, posting.values, 0)
        elif posting.kind == BENEFIT and posting.cashable and posting.value_type == "fiscal":
            add(posting.agency, posting.values, 1)
    first = case.start.start_year
    for realignment in case.realignments:
        real = context.real(realignment.amounts, context.input_base)
        moved = {year.start_year - first: amount for year, amount in real.items()}
        add(realignment.to_agency, moved, 2)
        add(realignment.from_agency, moved, 3)


def _missing_note(missing: Mapping[FinancialYear, str]) -> list[str]:
    """One note for the years with no nominal figures: which, and why (the first reason)."""
    if not missing:
        return []
    years = sorted(missing)
    span = str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}"
    return [f"No nominal figures for {span}: {missing[years[0]]}"]


def affordability(
    programme: Programme,
    rules: Rules,
    *,
    options: Options | None = None,
    statuses: Iterable[str] | None = None,
) -> Affordability:
    """Every case's affordability, and the programme's: the cases whose status counts (by
    default all but rejected and withdrawn) added up by agency and year."""
    options = options or Options()
    counted = statuses_counted(statuses if statuses is not None else options.statuses)
    missing: dict[FinancialYear, str] = {}
    cases = []
    for case in programme.cases:
        found = case_affordability(programme, case, rules, options, missing)
        cases.append(attrs.evolve(found, counted=case.status in counted))
    notes = _missing_note(missing)
    included = [c for c in cases if c.counted]
    bases = {c.price_base for c in included}
    if len(bases) > 1:
        notes.insert(
            0,
            "The programme's figures are not added up: its cases are in different price bases "
            f"({', '.join(sorted(map(str, bases)))}); set price_base in programme.toml.",
        )
        return Affordability(tuple(cases), (), None, counted, tuple(notes))
    totals: dict[tuple[str, FinancialYear], list[Decimal]] = {}
    ratio: dict[FinancialYear, Decimal | None] = {}
    for found in included:
        for row in found.rows:
            figures = totals.setdefault((row.agency, row.year), [ZERO, ZERO, ZERO, ZERO])
            for slot, name in enumerate(FIGURES[:4]):
                figures[slot] += getattr(row, name)
            ratio[row.year] = row.to_nominal
    rows = tuple(
        AffordabilityRow(agency, year, *figures, ratio[year])
        for (agency, year), figures in sorted(totals.items())
    )
    return Affordability(tuple(cases), rows, bases.pop() if bases else None, counted, tuple(notes))


# -- beside a cuts scenario -----------------------------------------------------------------


@attrs.frozen
class MeetRow:
    """An agency's cut in one year of a scenario beside what the cases do for its budget.

    ``cut`` is the agency's part of the scenario's cut reached by ``year``, and ``net`` the
    counted cases' net budget position for it that year (``cases``: each case's part), both in
    real terms at the programme's price base.
    """

    agency: str
    year: FinancialYear
    cut: Decimal
    net: Decimal
    cases: tuple[tuple[str, Decimal], ...] = ()

    @property
    def met(self) -> Decimal | None:
        """The share of the cut the cases' net position meets (None when there is no cut)."""
        return None if self.cut <= 0 else self.net / self.cut

    @property
    def net_cost(self) -> bool:
        return self.net < 0


def against_cut(
    afford: Affordability, result: ScenarioResult, to_price_base: Decimal
) -> tuple[MeetRow, ...]:
    """Each agency's cut in each year of ``result``'s phasing beside the counted cases' net
    budget position for it, so that a reader sees which cases help an agency meet its cut.

    :param to_price_base: the GDP deflator's ratio from the count's year to the programme's
        price base, that puts the cut (in the count's prices) beside the cases' real figures.
    """
    cuts = result.agency_cut_by_year()
    years = [step.year for step in result.by_year]
    per_case: dict[tuple[str, FinancialYear], list[tuple[str, Decimal]]] = {}
    for found in afford.cases:
        if not found.counted:
            continue
        for row in found.rows:
            if row.year in years:
                per_case.setdefault((row.agency, row.year), []).append((found.case, row.net))
    agencies = sorted(set(cuts) | {agency for agency, _ in per_case})
    rows = []
    with exact():
        for agency in agencies:
            reached = cuts.get(agency, [ZERO] * len(years))
            for year, cut in zip(years, reached, strict=True):
                parts = per_case.get((agency, year), [])
                if not cut and not parts:
                    continue
                net = sum((net for _, net in parts), ZERO)
                rows.append(MeetRow(agency, year, cut * to_price_base, net, tuple(parts)))
    return tuple(rows)
