"""The Green Book appraisal of business cases (method §1-§5).

For each case: convert every line to real terms at the price base, uplift costs by optimism
bias, value benefits (through the valuation rules) and apply the benefit chain, discount each
year's flows, and derive the present values, ratios, payback, value-for-money category and the
split by agency. For the programme: add the cases when they share a price base and a discount
base.

Arithmetic is decimal at 60 significant digits; each discounted term is kept to 1e-12 of a pound
(far below the penny), so that every sum is exact whatever the grouping (by line, by agency, by
year), the figures reconcile, and a user adding them up in Python's default 28-digit decimal
context gets the same totals. Ratios are computed in decimal and reported as floats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import PluginError, TotalPlaceError
from ..models import BenefitLine, BusinessCase, CostLine, Programme
from ..periods import FinancialYear, parse_year
from .adjustments import (
    BenefitAdjustments,
    CostAdjustment,
    benefit_persistence,
    confidence_adjustment,
    optimism_bias_for_types,
)
from .context import CaseContext
from .discounting import schedule_from_rules
from .results import (
    AgencyResult,
    Appraisal,
    CaseAppraisal,
    Flow,
    LineResult,
    ParameterUse,
    ProgrammeSummary,
    Totals,
)
from .valuation import Valuation

if TYPE_CHECKING:
    from ..plugins import Rules

__all__ = ["appraise", "appraise_programme", "vfm_category"]

PRECISION = 60
TERM = Decimal("1e-12")
ZERO = Decimal(0)
ONE = Decimal(1)
BENEFIT_FRACTIONS = ("deadweight", "displacement", "attribution", "optimism_bias", "drop_off")


def appraise(
    subject: Programme | BusinessCase,
    *,
    rules: Rules | None = None,
    schedule: str | None = None,
    price_base: FinancialYear | str | None = None,
    discount_base: FinancialYear | str | None = None,
    timing: str | None = None,
) -> Appraisal:
    """Appraise a programme (every case) or a single business case.

    :param schedule: a discount schedule to use for every case instead of each case's own.
    :param price_base: report every case in this year's prices.
    :param discount_base: discount every case to this year.
    :param timing: ``"start"`` (default) or ``"mid"``-year discounting.
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
) -> Appraisal:
    """Appraise every case of ``programme`` under ``rules`` (see :func:`appraise`)."""
    if timing is not None and timing not in ("start", "mid"):
        raise TotalPlaceError(f"timing must be 'start' or 'mid', found '{timing}'")
    contexts = [
        _context(programme, case, rules, schedule, price_base, discount_base, timing)
        for case in programme.cases
    ]
    with localcontext() as ctx:
        ctx.prec = PRECISION
        results = tuple(_appraise_case(context) for context in contexts)
        vfm_table = rules.table(programme.settings.vfm_table, "vfm-thresholds")
        totals = _totals(results, vfm_table)
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


def _context(
    programme: Programme,
    case: BusinessCase,
    rules: Rules,
    schedule: str | None,
    price_base: FinancialYear | None,
    discount_base: FinancialYear | None,
    timing: str | None,
) -> CaseContext:
    base = discount_base or programme.discount_base or case.discount_base or case.start
    if case.start < base:
        raise TotalPlaceError(
            f"case '{case.id}' starts in {case.start}, before the discount base {base}; "
            "years before the discount base cannot be appraised"
        )
    return CaseContext(
        programme=programme,
        case=case,
        rules=rules,
        price_base=price_base or programme.price_base or case.price_base or case.start,
        input_base=case.price_base or programme.price_base or case.start,
        discount_base=base,
        schedule=schedule or case.discount_schedule or programme.settings.schedule,
        timing=timing or case.timing or programme.settings.timing,
    )


def _appraise_case(context: CaseContext) -> CaseAppraisal:
    case = context.case
    discount = schedule_from_rules(context, context.schedule)
    period = case.period
    _check_years(case)
    factors = {
        year: discount.factor_at(year - context.discount_base, context.timing) for year in period
    }

    def pv(values: Mapping[FinancialYear, Decimal]) -> Decimal:
        return sum(((values[y] * factors[y]).quantize(TERM) for y in values), ZERO)

    yearly: dict[str, dict[FinancialYear, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    agencies: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    lines: list[LineResult] = []
    by_type: dict[str, Decimal] = defaultdict(Decimal)

    for index, cost in enumerate(case.costs):
        adjustment = _cost_adjustment(context, cost)
        unadjusted = _real_amounts(context, cost)
        adjusted = {y: v * adjustment.factor for y, v in unadjusted.items()}
        line_pv, line_pv_unadjusted = pv(adjusted), pv(unadjusted)
        for y in unadjusted:
            yearly["costs"][y] += adjusted[y]
            yearly["costs_unadjusted"][y] += unadjusted[y]
        agencies[cost.agency]["pv_costs"] += line_pv
        by_type["costs_unadjusted"] += line_pv_unadjusted
        lines.append(
            LineResult(
                "cost",
                cost.id or f"costs[{index}]",
                cost.agency,
                None,
                line_pv,
                line_pv_unadjusted,
                {"optimism_bias": adjustment.optimism_bias, "basis": adjustment.basis},
                values=adjusted,
            )
        )

    for line in case.benefits:
        valuation = _valuation(context, line)
        adjustments = _benefit_adjustments(context, line)
        value = _adjusted_benefit(valuation.gross, adjustments)
        shares = _resolve_shares(context, line, valuation.shares) or ((line.agency, ONE),)
        split = _split(value, shares)
        line_pv = ZERO
        line_pv_unadjusted = pv(valuation.gross)
        for agency, part in split.items():
            part_pv = pv(part)
            line_pv += part_pv
            agencies[agency]["pv_benefits"] += part_pv
            by_type[line.value_type] += part_pv
            if line.value_type == "fiscal":
                key = "pv_fiscal_cashable" if line.cashable else "pv_fiscal_non_cashable"
                agencies[agency][key] += part_pv
            for y, amount in part.items():
                yearly["benefits"][y] += amount
                yearly[line.value_type][y] += amount
        lines.append(
            LineResult(
                "benefit",
                line.id,
                line.agency,
                line.value_type,
                line_pv,
                line_pv_unadjusted,
                {
                    **{k: getattr(adjustments, k) for k in BENEFIT_FRACTIONS},
                    "sources": dict(adjustments.sources),
                    "valuation": valuation.basis,
                    **({"split": _share_totals(shares)} if valuation.shares else {}),
                },
                values=value,
            )
        )

    for realignment in case.realignments:
        # Budget moved between bodies: a transfer, so it adds nothing to the case's totals, but
        # it changes each body's own position (method §6). In the case's input prices.
        moved = pv(
            {
                y: context.to_price_base(v, context.input_base)
                for y, v in realignment.amounts.items()
            }
        )
        agencies[realignment.to_agency]["pv_realigned"] += moved
        agencies[realignment.from_agency]["pv_realigned"] -= moved

    by_agency = tuple(
        AgencyResult(
            agency=agency,
            pv_costs=figures["pv_costs"],
            pv_benefits=figures["pv_benefits"],
            pv_fiscal_cashable=figures["pv_fiscal_cashable"],
            pv_fiscal_non_cashable=figures["pv_fiscal_non_cashable"],
            pv_realigned=figures["pv_realigned"],
        )
        for agency, figures in sorted(agencies.items())
    )
    pv_costs = sum((a.pv_costs for a in by_agency), ZERO)
    pv_benefits = sum((a.pv_benefits for a in by_agency), ZERO)
    pv_cashable = sum((a.pv_fiscal_cashable for a in by_agency), ZERO)
    pv_non_cashable = sum((a.pv_fiscal_non_cashable for a in by_agency), ZERO)
    pv_fiscal = pv_cashable + pv_non_cashable
    flows = tuple(
        Flow(
            year=y,
            t=y - context.discount_base,
            discount_factor=factors[y],
            costs=yearly["costs"].get(y, ZERO),
            costs_unadjusted=yearly["costs_unadjusted"].get(y, ZERO),
            benefits=yearly["benefits"].get(y, ZERO),
            fiscal=yearly["fiscal"].get(y, ZERO),
            economic=yearly["economic"].get(y, ZERO),
            social=yearly["social"].get(y, ZERO),
        )
        for y in period
    )
    bcr = _ratio(pv_benefits, pv_costs)
    payback_year, payback_years = _payback(flows)
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
        pv_costs_unadjusted=by_type["costs_unadjusted"],
        pv_benefits=pv_benefits,
        pv_fiscal=pv_fiscal,
        pv_fiscal_cashable=pv_cashable,
        pv_fiscal_non_cashable=pv_non_cashable,
        pv_economic=by_type["economic"],
        pv_social=by_type["social"],
        bcr=bcr,
        fiscal_roi=_ratio(pv_fiscal, pv_costs),
        cashable_roi=_ratio(pv_cashable, pv_costs),
        payback_year=payback_year,
        payback_years=payback_years,
        vfm_category=vfm_category(bcr_exact(pv_benefits, pv_costs), vfm_table),
        by_agency=by_agency,
        flows=flows,
        lines=tuple(lines),
    )


def _check_years(case: BusinessCase) -> None:
    """Lines built in Python are not checked by the file reader: refuse years out of period."""
    kinds = (("cost", case.costs), ("benefit", case.benefits), ("realignment", case.realignments))
    for kind, lines in kinds:
        for index, line in enumerate(lines):
            years = set(line.amounts) | set(getattr(line, "volumes", {}))
            outside = sorted(y for y in years if not case.start <= y <= case.end)
            if outside:
                raise TotalPlaceError(
                    f"case '{case.id}', {kind} line {index}: {', '.join(map(str, outside))} "
                    f"outside the appraisal period {case.start} to {case.end}"
                )


def _real_amounts(context: CaseContext, line: CostLine | BenefitLine) -> dict:
    """A line's amounts in real terms at the case's price base."""
    amounts = line.amounts
    if line.prices == "nominal":
        return {y: context.to_price_base(v, y) for y, v in amounts.items()}
    base = line.price_base or context.input_base
    return {y: context.to_price_base(v, base) for y, v in amounts.items()}


def _line_defaults(context: CaseContext, line: CostLine | BenefitLine) -> dict[str, Any]:
    """Defaults from rules plugins for fields the line leaves out; first plugin wins per field."""
    merged: dict[str, Any] = {}
    # The host checks each answer (a mapping of known fields to valid values) and names the
    # plugin of a bad one.
    for answer in context.rules.call("totalplace_line_defaults", line=line, context=context):
        for key, value in answer.value.items():
            merged.setdefault(key, (value, answer.plugin))
    return merged


def _cost_adjustment(context: CaseContext, line: CostLine) -> CostAdjustment:
    if line.optimism_bias is not None:
        return CostAdjustment(line.optimism_bias, "explicit")
    if line.confidence is not None:
        return _confidence_cost(context, line.confidence)
    if line.project_types:
        return _project_type_cost(context, line.project_types, line.mitigation, "project type")
    defaults = _line_defaults(context, line)
    if "optimism_bias" in defaults:
        value, plugin = defaults["optimism_bias"]
        return CostAdjustment(_fraction(value, plugin), f"rule: {plugin}")
    if "confidence" in defaults:
        value, plugin = defaults["confidence"]
        found = _confidence_cost(context, int(value))
        return attrs.evolve(found, basis=f"{found.basis} (rule: {plugin})")
    if "project_types" in defaults or "project_type" in defaults:
        value, plugin = defaults.get("project_types") or defaults["project_type"]
        shares = value if isinstance(value, Mapping) else {value: ONE}
        mitigation = defaults.get("mitigation", (None, plugin))[0]
        return _project_type_cost(
            context,
            {k: Decimal(str(v)) for k, v in shares.items()},
            None if mitigation is None else _fraction(mitigation, plugin),
            f"project type (rule: {plugin})",
        )
    return CostAdjustment()


def _confidence_cost(context: CaseContext, grade: int) -> CostAdjustment:
    table = context.table(context.settings.confidence_table, "confidence-grade")
    return CostAdjustment(
        confidence_adjustment(table, grade), f"confidence grade {grade}", table.name
    )


def _project_type_cost(context, shares, mitigation, basis) -> CostAdjustment:
    table = context.table(context.settings.optimism_bias_table, "optimism-bias")
    ob = optimism_bias_for_types(table, shares, mitigation)
    names = ", ".join(f"{k} {v}" if len(shares) > 1 else k for k, v in shares.items())
    return CostAdjustment(ob, f"{basis}: {names}", table.name)


def _benefit_adjustments(context: CaseContext, line: BenefitLine) -> BenefitAdjustments:
    values: dict[str, Decimal] = {}
    sources: dict[str, str] = {}
    missing = [k for k in BENEFIT_FRACTIONS if getattr(line, k) is None]
    if line.confidence is not None and "optimism_bias" in missing:
        table = context.table(context.settings.confidence_table, "confidence-grade")
        values["optimism_bias"] = confidence_adjustment(table, line.confidence)
        sources["optimism_bias"] = f"confidence grade {line.confidence}"
        missing.remove("optimism_bias")
    for key in BENEFIT_FRACTIONS:
        if key not in missing and key not in values:
            values[key] = getattr(line, key)
            sources[key] = "explicit"
    if missing:
        defaults = _line_defaults(context, line)
        for key in missing:
            if key in defaults:
                value, plugin = defaults[key]
                values[key] = _fraction(value, plugin)
                sources[key] = f"rule: {plugin}"
        if (
            "optimism_bias" in missing
            and "optimism_bias" not in values
            and "confidence" in defaults
        ):
            value, plugin = defaults["confidence"]
            table = context.table(context.settings.confidence_table, "confidence-grade")
            values["optimism_bias"] = confidence_adjustment(table, int(value))
            sources["optimism_bias"] = f"confidence grade {value} (rule: {plugin})"
    return BenefitAdjustments(
        **{k: values.get(k, ZERO) for k in BENEFIT_FRACTIONS}, sources=sources
    )


def _fraction(value: Any, plugin: str) -> Decimal:
    from ..money import MoneyError, parse_fraction

    try:
        return parse_fraction(value)
    except MoneyError as exc:
        raise PluginError(plugin, "totalplace_line_defaults", str(exc)) from None


def _valuation(context: CaseContext, line: BenefitLine) -> Valuation:
    answer = context.rules.call("totalplace_value_benefit", first=True, line=line, context=context)
    result = answer.value if answer is not None else None
    if result is None:
        raise TotalPlaceError(
            f"case '{context.case.id}', benefit '{line.id}': no valuation rule could value "
            "this line (is the plugin that provides its unit cost loaded?)"
        )
    if not isinstance(result, Valuation):
        raise TotalPlaceError(
            f"case '{context.case.id}', benefit '{line.id}': a valuation rule returned "
            f"{type(result).__name__}, expected a Valuation"
        )
    outside = [y for y in result.gross if not context.case.start <= y <= context.case.end]
    if outside:
        raise TotalPlaceError(
            f"case '{context.case.id}', benefit '{line.id}': the valuation gave values for "
            f"{', '.join(map(str, outside))}, outside the appraisal period"
        )
    return result


def _resolve_shares(
    context: CaseContext, line: BenefitLine, shares: Iterable[tuple[str, Decimal]]
) -> tuple[tuple[str, Decimal], ...]:
    """Turn the bodies a split unit cost names into the programme's agencies.

    The line's ``agency_map`` first, then an agency of that id, then the plugins'
    ``totalplace_agency_for`` rules. A programme that lists no agencies takes labels as ids.
    """
    known = {a.id for a in context.programme.agencies}
    resolved: list[tuple[str, Decimal]] = []
    missing: list[str] = []
    for label, share in shares:
        agency = line.agency_map.get(label)
        if agency is None and (label in known or not known):
            agency = label
        if agency is None:
            answer = context.rules.call(
                "totalplace_agency_for", first=True, label=label, line=line, context=context
            )
            agency = answer.value if answer is not None else None
        if agency is None:
            missing.append(label)
        else:
            resolved.append((agency, share))
    if missing:
        raise TotalPlaceError(
            f"case '{context.case.id}', benefit '{line.id}': unit cost {line.unit_cost} splits "
            f"its value among {', '.join(label for label, _ in shares)}; no agency of the "
            f"programme stands for {', '.join(missing)}. Map each in the line, e.g. "
            f'agency_map = {{ "{missing[0]}" = "agency-id" }}, or load a plugin that does'
        )
    return tuple(resolved)


def _adjusted_benefit(
    gross: Mapping[FinancialYear, Decimal], adjustments: BenefitAdjustments
) -> dict[FinancialYear, Decimal]:
    """Apply the benefit chain; drop-off counts from the line's first year with a value."""
    started = [y for y in sorted(gross) if gross[y] != 0]
    first = started[0] if started else None
    factor = adjustments.factor
    result = {}
    for year, value in gross.items():
        persistence = ONE
        if adjustments.drop_off and first is not None and year > first:
            persistence = benefit_persistence(adjustments.drop_off, year - first)
        result[year] = value * factor * persistence
    return result


def _share_totals(shares: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Each agency's whole share, where several of the bodies split among map to it."""
    totals: dict[str, Decimal] = {}
    for agency, share in shares:
        totals[agency] = totals.get(agency, ZERO) + share
    return totals


def _split(
    values: Mapping[FinancialYear, Decimal], shares: Iterable[tuple[str, Decimal]]
) -> dict[str, dict[FinancialYear, Decimal]]:
    """Share a line's values among agencies; the last share takes the remainder exactly."""
    shares = list(shares)
    result: dict[str, dict[FinancialYear, Decimal]] = defaultdict(dict)
    for year, value in values.items():
        given = ZERO
        for i, (agency, share) in enumerate(shares):
            part = value - given if i == len(shares) - 1 else value * share
            given += part
            result[agency][year] = result[agency].get(year, ZERO) + part
    return result


def bcr_exact(benefits: Decimal, costs: Decimal) -> Decimal | None:
    return None if costs == 0 else benefits / costs


def _ratio(numerator: Decimal, denominator: Decimal) -> float | None:
    return None if denominator == 0 else float(numerator / denominator)


def _payback(flows: tuple[Flow, ...]) -> tuple[FinancialYear | None, float | None]:
    """First year cumulative discounted fiscal benefits reach cumulative discounted costs.

    Also as years from the start of the case's first year: year ``k`` runs from time ``k`` to
    ``k + 1``, and within the payback year the position is taken to move linearly, so payback
    comes ``shortfall / net_k`` of the way through it: ``k + shortfall / net_k``.
    """
    net_before = ZERO
    fiscal_so_far = ZERO
    for k, flow in enumerate(flows):
        fiscal_pv = (flow.fiscal * flow.discount_factor).quantize(TERM)
        cost_pv = (flow.costs * flow.discount_factor).quantize(TERM)
        fiscal_so_far += fiscal_pv
        net = net_before + fiscal_pv - cost_pv
        if fiscal_so_far > 0 and net >= 0:
            if net_before >= 0:
                return flow.year, float(k)
            return flow.year, float(Decimal(k) + (-net_before) / (net - net_before))
        net_before = net
    return None, None


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
        bcr=_ratio(pv_benefits, pv_costs),
        fiscal_roi=_ratio(pv_fiscal, pv_costs),
        vfm_category=vfm_category(bcr_exact(pv_benefits, pv_costs), vfm_table),
    )
