"""The quantities the appraisal works out for each line of a case, before any arithmetic on them.

For a cost line: its amounts in real terms at the price base (by offset from the case's first
year) and its optimism bias. For a benefit line: its valued gross by year (whatever valued it:
amounts, volumes times a unit value or a unit cost, a standard value, a plugin's rule), the
fractions of its benefit chain, its discount schedule and factors, and the agencies that share
it. :mod:`.lines` posts them in the case's ledger; the sensitivity tests (:mod:`.sensitivity`)
post them again with an input changed, and the Monte Carlo engine (:mod:`.vectorised`) reads
them into arrays. Built by :func:`case_terms` from the appraisal's own steps, so all three
start from the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ..models import BenefitLine, CostLine, Programme
from ..plugin import Valuation
from .adjustments import BenefitAdjustments, CostAdjustment
from .results import CohortResult

if TYPE_CHECKING:
    from ..periods import FinancialYear
    from ..plugins import Rules
    from .context import CaseContext
    from .conventions import Options

__all__ = [
    "BenefitTerms",
    "CaseTerms",
    "CostTerms",
    "case_terms",
    "counted_cases",
    "programme_terms",
]


@attrs.frozen
class CostTerms:
    """A cost line's amounts (real terms at the price base, by offset) and optimism bias."""

    index: int
    line: CostLine
    gross: Mapping[int, Decimal]
    adjustment: CostAdjustment
    #: The option the line belongs to, in a case with options.
    option: str | None = None
    #: A line of business as usual, which counts against the preferred option's (method §18).
    counterfactual: bool = False

    @property
    def id(self) -> str:
        return self.line.id or f"costs[{self.index}]"

    @property
    def agency(self) -> str:
        return self.line.agency


@attrs.frozen
class BenefitTerms:
    """A benefit line's valued gross by year, its adjustments, discounting and agency split.

    ``schedule`` is the line's own discount schedule (its own field or a rule's default), None
    when it takes the case's; ``factors`` are the factors it is discounted with.
    """

    index: int
    line: BenefitLine
    valuation: Valuation
    gross: Mapping[int, Decimal]
    adjustments: BenefitAdjustments
    schedule: str | None
    schedule_source: str
    factors: Sequence[Decimal]
    shares: tuple[tuple[str, Decimal], ...]
    #: A cohort line's cohorts (its gross comes from their volumes, which carry its drop-off:
    #: the benefit chain applies no drop-off of its own); None for other lines.
    cohort: CohortResult | None = None
    #: The option the line belongs to, in a case with options.
    option: str | None = None
    #: A line of business as usual, which counts against the preferred option's (method §18).
    counterfactual: bool = False

    @property
    def id(self) -> str:
        return self.line.id

    @property
    def key(self) -> tuple[bool, int]:
        """Which line of its case this is (business as usual's or not, and its place)."""
        return (self.counterfactual, self.index)

    @property
    def transfer(self) -> bool:
        """A transfer counts in the budget figures, not in PV benefits, NPSV or the BCR."""
        return self.line.transfer


@attrs.frozen
class CaseTerms:
    """Every line's quantities for one case, with the conventions the case is appraised under.

    ``shift`` is how many years the case's first year is after its discount base; the case's
    ``factors`` are those of ``schedule`` from there, with ``timing``.
    """

    id: str
    status: str
    years: int
    start: FinancialYear
    price_base: FinancialYear
    discount_base: FinancialYear
    schedule: str
    timing: str
    shift: int
    factors: tuple[Decimal, ...]
    costs: tuple[CostTerms, ...]
    benefits: tuple[BenefitTerms, ...]
    #: Whether the case weighs options: its lines are then its preferred option's and, marked
    #: ``counterfactual``, business as usual's (its figures are the one less the other).
    options: bool = False


def case_terms(context: CaseContext) -> CaseTerms:
    """The quantities of every line of ``context``'s case, as the appraisal works them out:
    for a case with options, its preferred option's lines and business as usual's (marked
    ``counterfactual``), whose difference gives the case's figures (method §18).

    Call inside the method's decimal context (:func:`.precision.exact`).
    """
    from .appraisal import case_factors

    case = context.case
    factors = case_factors(context)
    costs, benefits = _lines(context, factors)
    if case.options:
        where = {option.id: index for index, option in enumerate(case.options)}
        preferred = where[case.preferred]
        costs, benefits = _lines(context.for_option(preferred, case.options[preferred]), factors)
        usual = where[case.business_as_usual]
        against = _lines(context.for_option(usual, case.options[usual]), factors)
        costs += tuple(attrs.evolve(t, counterfactual=True) for t in against[0])
        benefits += tuple(attrs.evolve(t, counterfactual=True) for t in against[1])
    return CaseTerms(
        id=case.id,
        status=case.status,
        years=case.years,
        start=case.start,
        price_base=context.price_base,
        discount_base=context.discount_base,
        schedule=context.schedule,
        timing=context.timing,
        shift=case.start - context.discount_base,
        factors=factors,
        costs=costs,
        benefits=benefits,
        options=bool(case.options),
    )


def _lines(
    context: CaseContext, factors: tuple[Decimal, ...]
) -> tuple[tuple[CostTerms, ...], tuple[BenefitTerms, ...]]:
    """The terms of the lines of ``context``'s case (or of the option it is for)."""
    from .lines import benefit_terms, cost_terms

    case = context.case
    return (
        tuple(cost_terms(context, i, line) for i, line in enumerate(case.costs)),
        tuple(benefit_terms(context, i, line, factors) for i, line in enumerate(case.benefits)),
    )


def programme_terms(
    programme: Programme, rules: Rules, options: Options | None = None
) -> list[CaseTerms]:
    """The line quantities of every case of ``programme``, as the appraisal works them out."""
    from .appraisal import case_context
    from .conventions import Options
    from .precision import exact

    options = options or Options()
    contexts = [case_context(programme, case, rules, options) for case in programme.cases]
    with exact():
        return [case_terms(context) for context in contexts]


def counted_cases(
    cases: Sequence[CaseTerms], statuses: Iterable[str] | None
) -> tuple[list[CaseTerms], str | None]:
    """The cases the programme's figures add up (by status), or none and why: cases in
    different price or discount bases cannot be added."""
    from .appraisal import statuses_counted

    counted = set(statuses_counted(statuses))
    chosen = [terms for terms in cases if terms.status in counted]
    bases = {(t.price_base, t.discount_base) for t in chosen}
    if len(bases) > 1:
        return [], (
            "cases cannot be added: they are in different price bases or discount bases; set "
            "price_base and discount_base in programme.toml (or --price-base and "
            "--discount-base)"
        )
    return chosen, None
