"""The Green Book appraisal of business cases (method §1-§11).

For each case: work out its conventions (:mod:`.conventions`), post every line in a ledger of
flows (:mod:`.ledger`, filled by the per-line functions of :mod:`.lines`: real terms at the
price base, optimism bias on costs, valuation and the benefit chain on benefits, realignments),
and read every figure out of the ledger: present values by agency and in total, ratios,
payback, the value-for-money category. For the programme: add the cases when they share a price
base and a discount base.

Arithmetic is decimal in one 60-digit context (:mod:`.precision`); each discounted term is kept
to 1e-12 of a pound (far below the penny), so that every sum is exact whatever the grouping (by
line, by agency, by year), the figures reconcile, and a user adding them up in Python's default
28-digit decimal context gets the same totals. Ratios are computed in decimal and reported as
floats.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import AppraisalError, TotalPlaceError
from ..models import COUNTED_STATUSES, STATUSES, BusinessCase, Programme
from ..periods import FinancialYear, parse_year
from .context import CaseContext
from .conventions import Conventions, Options, discount_base_field
from .discounting import schedule_from_rules
from .ledger import BENEFIT, COST, COST_UNADJUSTED, REALIGNED, Ledger, Posting
from .lines import at, post_benefit, post_cost, post_realignment
from .precision import ZERO, exact
from .results import (
    AgencyResult,
    Appraisal,
    CaseAppraisal,
    LineResult,
    ParameterUse,
    Period,
    ProgrammeSummary,
    Totals,
)

if TYPE_CHECKING:
    from ..plugins import Rules

__all__ = [
    "appraise",
    "appraise_case",
    "appraise_programme",
    "bcr_exact",
    "bcr_ratio",
    "read_case",
    "statuses_counted",
    "vfm_category",
    "vfm_table_problems",
]


def appraise(
    subject: Programme | BusinessCase,
    *,
    rules: Rules | None = None,
    schedule: str | None = None,
    price_base: FinancialYear | str | None = None,
    discount_base: FinancialYear | str | None = None,
    timing: str | None = None,
    statuses: Iterable[str] | None = None,
) -> Appraisal:
    """Appraise a programme (every case) or a single business case.

    :param schedule: a discount schedule to use for every case instead of each case's own.
    :param price_base: report every case in this year's prices.
    :param discount_base: discount every case to this year.
    :param timing: ``"start"`` (default) or ``"mid"``-year discounting.
    :param statuses: the statuses whose cases count in the totals; by default every status but
        ``rejected`` and ``withdrawn`` (whose cases are still appraised and listed).
    :raises TotalPlaceError: when a figure cannot be computed (the message says why); no
        partial result is returned.
    """
    programme = _programme_of(subject) if isinstance(subject, BusinessCase) else subject
    if rules is None:
        from ..plugins import rules_for

        rules = rules_for(programme.plugins)
    return appraise_programme(
        programme,
        rules,
        schedule=schedule,
        price_base=parse_year(price_base) if price_base is not None else None,
        discount_base=parse_year(discount_base) if discount_base is not None else None,
        timing=timing,
        statuses=statuses,
    )


def _programme_of(case: BusinessCase) -> Programme:
    """A case on its own, with the default settings.

    (:func:`totalplace_cases.appraise` first puts a case read beside a ``programme.toml`` in
    that programme, with its settings, agencies and plugins.)
    """
    return Programme(id=case.id, name=case.title, cases=(case,))


def appraise_programme(
    programme: Programme,
    rules: Rules,
    *,
    schedule: str | None = None,
    price_base: FinancialYear | None = None,
    discount_base: FinancialYear | None = None,
    timing: str | None = None,
    statuses: Iterable[str] | None = None,
) -> Appraisal:
    """Appraise every case of ``programme`` under ``rules`` (see :func:`appraise`)."""
    if timing is not None and timing not in ("start", "mid"):
        raise TotalPlaceError(f"timing must be 'start' or 'mid', found '{timing}'")
    counted = statuses_counted(statuses)
    options = Options(price_base, discount_base, schedule, timing, counted)
    contexts = [case_context(programme, case, rules, options) for case in programme.cases]
    with exact():
        results = tuple(appraise_case(context) for context in contexts)
        vfm_table = rules.table(programme.settings.vfm_table, "vfm-thresholds")
        totals = _totals(tuple(r for r in results if r.status in counted), vfm_table)
        totals = attrs.evolve(totals, statuses_included=counted)
    used: dict[str, Any] = {vfm_table.name: vfm_table}
    unit_costs: dict[str, Any] = {}
    notes: list[str] = []
    for context in contexts:
        used.update(context.used_tables)
        unit_costs.update(context.used_unit_costs)
        notes.extend(n for n in context.notes if n not in notes)
    schedules = sorted({c.schedule for c in contexts}) or [schedule or programme.settings.schedule]
    summary = ProgrammeSummary(
        id=programme.id,
        name=programme.name,
        price_base=price_base or programme.price_base,
        discount_base=discount_base or programme.discount_base,
        schedule=", ".join(schedules),
        parameters=tuple(ParameterUse(t.name, t.source, t.vintage) for t in used.values())
        + tuple(
            ParameterUse(key, unit.source, f"{unit.price_year} prices")
            for key, unit in sorted(unit_costs.items())
        ),
        notes=tuple(notes),
    )
    return Appraisal(programme=summary, cases=results, totals=totals)


def statuses_counted(statuses: Iterable[str] | None) -> tuple[str, ...]:
    """The statuses whose cases count in the totals: those given (each checked), in the order
    of ``STATUSES``, or by default every status but ``rejected`` and ``withdrawn``."""
    if statuses is None:
        return COUNTED_STATUSES
    chosen = [statuses] if isinstance(statuses, str) else list(statuses)
    unknown = [s for s in chosen if s not in STATUSES]
    if unknown:
        raise TotalPlaceError(
            f"unknown status {', '.join(repr(s) for s in unknown)}; the statuses are "
            f"{', '.join(STATUSES)}"
        )
    return tuple(s for s in STATUSES if s in chosen)


def case_context(
    programme: Programme, case: BusinessCase, rules: Rules, options: Options | None = None
) -> CaseContext:
    """The conventions and look-ups ``case`` is appraised with; the case may not start before
    its discount base."""
    conventions = Conventions.of(programme, case, options)
    base = conventions.discount_base
    if case.start < base:
        raise AppraisalError(
            f"the case starts in {case.start}, before the discount base {base}; years before "
            "the discount base cannot be appraised",
            case=case.id,
            field=discount_base_field(programme, case, options and options.discount_base),
        )
    return CaseContext.of(programme, case, rules, conventions)


def case_factors(context: CaseContext) -> tuple[Decimal, ...]:
    """The case's discount factors, one for each year of its period."""
    case = context.case
    field = "discount_schedule" if case.discount_schedule else None
    with at(context, field):
        schedule = schedule_from_rules(context, context.schedule)
    return schedule.factors_at(case.start - context.discount_base, case.years, context.timing)


def post_lines(ledger: Ledger, context: CaseContext) -> list[LineResult]:
    """Post every line of the case in ``ledger``; what the result reports about each line."""
    case = context.case
    lines = [post_cost(ledger, context, i, line) for i, line in enumerate(case.costs)]
    lines += [post_benefit(ledger, context, i, line) for i, line in enumerate(case.benefits)]
    for index, realignment in enumerate(case.realignments):
        post_realignment(ledger, context, index, realignment)
    return lines


def appraise_case(context: CaseContext) -> CaseAppraisal:
    """One case: its lines posted in a ledger, and every figure read out of the ledger; a case
    with options appraises each option, and reports the preferred one incremental to business
    as usual (:mod:`.options`).

    Call inside the method's decimal context (:func:`.precision.exact`).
    """
    case = context.case
    _check_years(case)
    factors = case_factors(context)
    if case.options:
        from .options import appraise_options

        return appraise_options(context, factors)
    ledger = Ledger(case.years, factors)
    return read_case(context, ledger, post_lines(ledger, context))


def read_case(
    context: CaseContext, ledger: Ledger, lines: Iterable[LineResult], **extra: Any
) -> CaseAppraisal:
    """Every figure of a case read out of its ``ledger`` (method §8-§10), with the results of
    its ``lines``; ``extra`` are further fields of the result (a case's options)."""
    case = context.case
    factors = ledger.factors
    shift = case.start - context.discount_base
    by_agency = tuple(_agency_result(a, postings) for a, postings in ledger.by_agency().items())
    pv_costs = sum((a.pv_costs for a in by_agency), ZERO)
    pv_benefits = sum((a.pv_benefits for a in by_agency), ZERO)
    pv_cashable = sum((a.pv_fiscal_cashable for a in by_agency), ZERO)
    pv_non_cashable = sum((a.pv_fiscal_non_cashable for a in by_agency), ZERO)
    pv_fiscal = pv_cashable + pv_non_cashable
    years = period_years(case.start, case.years)
    period = Period(years, shift, tuple(factors), tuple(ledger.yearly(COST_UNADJUSTED)))
    bcr = bcr_ratio(pv_benefits, pv_costs)
    costs_pv = ledger.discounted_yearly(COST)
    payback = _payback(ledger.discounted_yearly(BENEFIT, value_type="fiscal"), costs_pv)
    cashable = ledger.discounted_yearly(BENEFIT, value_type="fiscal", cashable=True)
    cashable_payback = _payback(cashable, costs_pv)
    vfm_table = context.table(context.settings.vfm_table, "vfm-thresholds")
    return CaseAppraisal(
        id=case.id,
        title=case.title,
        category=case.category,
        theme=case.theme,
        sponsor=case.sponsor,
        start=case.start,
        years=case.years,
        price_base=context.price_base,
        discount_base=context.discount_base,
        schedule=context.schedule,
        timing=context.timing,
        pv_costs=pv_costs,
        pv_costs_unadjusted=ledger.pv(COST_UNADJUSTED),
        pv_benefits=pv_benefits,
        pv_fiscal=pv_fiscal,
        pv_fiscal_cashable=pv_cashable,
        pv_fiscal_non_cashable=pv_non_cashable,
        pv_economic=ledger.pv(BENEFIT, value_type="economic"),
        pv_social=ledger.pv(BENEFIT, value_type="social"),
        pv_transfers=sum((a.pv_transfers for a in by_agency), ZERO),
        bcr=bcr,
        fiscal_roi=_ratio(pv_fiscal, pv_costs),
        cashable_roi=_ratio(pv_cashable, pv_costs),
        payback_year=None if payback is None else years[payback[0]],
        payback_years=None if payback is None else payback[1],
        cashable_payback_year=None if cashable_payback is None else years[cashable_payback[0]],
        cashable_payback_years=None if cashable_payback is None else cashable_payback[1],
        vfm_category=vfm_category(bcr_exact(pv_benefits, pv_costs), vfm_table),
        by_agency=by_agency,
        lines=tuple(lines),
        period=period,
        status=case.status,
        **extra,
    )


def _agency_result(agency: str, postings: list[Posting]) -> AgencyResult:
    """One agency's present values, from its postings in the ledger."""
    keys = ("cost", "benefit", "cashable", "non_cashable", "realigned", "transfer")
    figures = dict.fromkeys(keys, ZERO)
    for p in postings:
        if p.kind == BENEFIT:
            figures["transfer" if p.transfer else "benefit"] += p.pv  # a transfer: no value
            if p.value_type == "fiscal":  # but it counts in the budgets
                figures["cashable" if p.cashable else "non_cashable"] += p.pv
        elif p.kind in (COST, REALIGNED):
            figures[p.kind] += p.pv
    return AgencyResult(
        agency=agency,
        pv_costs=figures["cost"],
        pv_benefits=figures["benefit"],
        pv_fiscal_cashable=figures["cashable"],
        pv_fiscal_non_cashable=figures["non_cashable"],
        pv_realigned=figures["realigned"],
        pv_transfers=figures["transfer"],
    )


def _check_years(case: BusinessCase) -> None:
    """Lines built in Python are not checked by the file reader: refuse years out of period."""
    first, last = case.start.start_year, case.start.start_year + case.years - 1
    for index, option in enumerate(case.options or (case,)):
        prefix = f"options[{index}]." if case.options else ""
        kinds = (
            ("cost", option.costs),
            ("benefit", option.benefits),
            ("realignment", option.realignments),
        )
        for kind, lines in kinds:
            for number, line in enumerate(lines):
                cohort = getattr(line, "cohort", None)
                outside = [
                    y
                    for years in (
                        line.amounts,
                        getattr(line, "volumes", ()),
                        cohort.participants if cohort is not None else (),
                    )
                    for y in years
                    if not first <= y.start_year <= last
                ]
                if outside:
                    outside = sorted(set(outside))
                    raise AppraisalError(
                        f"{', '.join(map(str, outside))} outside the appraisal period "
                        f"{case.start} to {case.end}",
                        case=case.id,
                        field=f"{prefix}{kind}s[{number}]",
                    )


@functools.lru_cache(maxsize=4096)
def period_years(start: FinancialYear, years: int) -> tuple[FinancialYear, ...]:
    """The financial years of a period, made once for every case that shares it."""
    return tuple(start + k for k in range(years))


def bcr_exact(benefits: Decimal, costs: Decimal) -> Decimal | None:
    """The benefit-cost ratio, exactly; undefined when the costs are zero or less (an option
    cheaper than business as usual is compared by its NPSV, method §18)."""
    return None if costs <= 0 else benefits / costs


def bcr_ratio(benefits: Decimal, costs: Decimal) -> float | None:
    """:func:`bcr_exact` as the float the results report."""
    return None if costs <= 0 else float(benefits / costs)


def _ratio(numerator: Decimal, denominator: Decimal) -> float | None:
    return None if denominator == 0 else float(numerator / denominator)


def _payback(fiscal: list[Decimal], costs: list[Decimal]) -> tuple[int, float] | None:
    """The year (an offset) cumulative discounted fiscal benefits reach cumulative discounted
    costs, and the payback in years from the start of the case's first year.

    ``fiscal`` and ``costs`` are each year's present values. Year ``k`` runs from time ``k`` to
    ``k + 1``, and within the payback year the position is taken to move linearly, so payback
    comes ``shortfall / net_k`` of the way through it: ``k + shortfall / net_k``.
    """
    net_before = ZERO
    fiscal_so_far = ZERO
    for k, (fiscal_pv, cost_pv) in enumerate(zip(fiscal, costs, strict=True)):
        fiscal_so_far += fiscal_pv
        net = net_before + fiscal_pv - cost_pv
        if fiscal_so_far > 0 and net >= 0:
            if net_before >= 0:
                return k, float(k)
            return k, float(Decimal(k) + (-net_before) / (net - net_before))
        net_before = net
    return None


def vfm_category(bcr: Decimal | float | None, table) -> str | None:
    """The DfT value-for-money category of a BCR, from a ``vfm-thresholds`` table."""
    if bcr is None:
        return None
    value = Decimal(str(bcr)) if isinstance(bcr, float) else bcr
    for row in table.rows:
        lower, upper = row["lower"], row["upper"]
        if lower:
            bound = Decimal(lower)
            if value < bound or (value == bound and row["lower_inclusive"] != "true"):
                continue
        if upper:
            bound = Decimal(upper)
            if value > bound or (value == bound and row["upper_inclusive"] != "true"):
                continue
        return row["category"]
    raise TotalPlaceError(f"value-for-money table '{table.name}' has no category for BCR {bcr}")


def vfm_table_problems(table) -> list[str]:
    """What stops a ``vfm-thresholds`` table giving every BCR one category: its rows, taken in
    order of their lower bounds, must run from minus infinity (an empty ``lower``) to plus
    infinity (an empty ``upper``), each starting where the one before ends, with the boundary
    in exactly one of them. Empty when the table is usable."""

    def bound(text: str) -> Decimal | None:
        return Decimal(text) if text else None

    try:
        rows = [
            (bound(r["lower"]), r["lower_inclusive"] == "true", bound(r["upper"]),
             r["upper_inclusive"] == "true", r["category"])
            for r in table.rows
        ]  # fmt: skip
    except (KeyError, ArithmeticError, ValueError) as exc:
        return [f"value-for-money table '{table.name}' cannot be read: {exc}"]
    rows.sort(key=lambda r: (r[0] is not None, r[0] or 0))
    problems: list[str] = []
    edge: Decimal | None = None  # None: minus infinity
    edge_taken = False  # whether the row before took its upper bound itself
    for number, (lower, lower_in, upper, upper_in, category) in enumerate(rows):
        starts_right = lower == edge and (number == 0 or lower_in != edge_taken)
        if not starts_right:
            where = "minus infinity"
            if edge is not None:
                where = f"BCR {edge} ({'exclusive' if edge_taken else 'inclusive'})"
            problems.append(
                f"value-for-money table '{table.name}': category '{category}' should start at "
                f"{where}; every BCR must fall in exactly one category"
            )
        edge, edge_taken = upper, upper_in
        if upper is None:
            break
    if edge is not None or not rows:
        problems.append(
            f"value-for-money table '{table.name}' has no category for BCRs above "
            f"{edge if edge is not None else 'minus infinity'}: its last category needs an "
            "empty upper bound"
        )
    return problems


def _totals(results: tuple[CaseAppraisal, ...], vfm_table) -> Totals:
    bases = {(r.price_base, r.discount_base) for r in results}
    if len(bases) > 1:
        price = sorted({str(r.price_base) for r in results})
        disc = sorted({str(r.discount_base) for r in results})
        return Totals(
            None,
            None,
            None,
            None,
            None,
            None,
            note=(
                "cases cannot be added: they are in different price bases "
                f"({', '.join(price)}) or discount bases ({', '.join(disc)}); set price_base "
                "and discount_base in programme.toml (or --price-base and --discount-base)"
            ),
        )
    pv_costs = sum((r.pv_costs for r in results), ZERO)
    pv_benefits = sum((r.pv_benefits for r in results), ZERO)
    pv_fiscal = sum((r.pv_fiscal for r in results), ZERO)
    return Totals(
        pv_costs=pv_costs,
        pv_benefits=pv_benefits,
        npsv=pv_benefits - pv_costs,
        bcr=bcr_ratio(pv_benefits, pv_costs),
        fiscal_roi=_ratio(pv_fiscal, pv_costs),
        vfm_category=vfm_category(bcr_exact(pv_benefits, pv_costs), vfm_table),
        pv_transfers=sum((r.pv_transfers for r in results), ZERO),
    )
