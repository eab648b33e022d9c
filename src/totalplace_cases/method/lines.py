"""From each line of a case to its flows in the ledger (method §2, §5-§7, §10).

One small function per kind of line: :func:`post_cost`, :func:`post_benefit` and
:func:`post_realignment` convert the line to real terms at the price base, apply its
adjustments, post the result in the case's :class:`~.ledger.Ledger` and return what the result
reports about the line. The adjustments themselves (explicit, from a confidence grade, a project
type, or a rules plugin's default) are resolved by :func:`cost_adjustment` and
:func:`benefit_adjustments`.

Each posting is two steps: :func:`cost_terms` and :func:`benefit_terms` work out a line's
quantities (its valued gross by year in real terms, its adjustments, its discount schedule and
factors, its agency split, its cohorts) and :func:`post_cost_terms` and
:func:`post_benefit_terms` do the arithmetic on them. The sensitivity tests and the Monte Carlo
engine start from the same quantities (:mod:`.terms`), so whatever values a line (amounts, unit
costs, standard values, cohorts, a plugin's rule) reaches them unchanged.

Everything here runs inside the method's decimal context (:func:`.precision.exact`), entered
once by the appraisal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..errors import AppraisalError, PluginError, TotalPlaceError
from ..models import BenefitLine, CostLine, Realignment
from ..periods import FinancialYear
from .adjustments import (
    BenefitAdjustments,
    CostAdjustment,
    confidence_adjustment,
    optimism_bias_for_types,
)
from .cohorts import cohort_successes, cohort_volumes
from .context import CaseContext
from .discounting import schedule_from_rules
from .ledger import BENEFIT, COST, COST_UNADJUSTED, Ledger, present_value
from .precision import ONE, ZERO
from .results import CohortResult, LineResult, YearValues
from .terms import BenefitTerms, CostTerms
from .valuation import Valuation, unit_cost_value

__all__ = [
    "BENEFIT_FRACTIONS",
    "at",
    "benefit_adjustments",
    "benefit_terms",
    "cost_adjustment",
    "cost_terms",
    "post_benefit",
    "post_benefit_terms",
    "post_cost",
    "post_cost_terms",
    "post_realignment",
    "value_line",
]

BENEFIT_FRACTIONS = ("deadweight", "displacement", "attribution", "optimism_bias", "drop_off")


class at:
    """Name the case, and the field of its file, in any error the block raises.

    A plugin's error already names the plugin and passes unchanged; an error already located
    keeps its place. ``field`` is a path like ``benefits[2].unit_cost``. (A class rather than a
    generator: it wraps every step of every line.)
    """

    __slots__ = ("context", "field")

    def __init__(self, context: CaseContext, field: str | None):
        self.context = context
        self.field = field

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, traceback) -> bool:
        if exc is None or not isinstance(exc, TotalPlaceError) or isinstance(exc, AppraisalError):
            return False
        case = self.context.case.id
        if isinstance(exc, PluginError):
            cause = exc.__cause__
            # The library's own rules are plugins too; a user's mistake they meet (an unknown
            # unit cost, a year the deflator lacks) is the library's error, not a plugin failure.
            if not (exc.plugin.startswith("builtin-") and isinstance(cause, TotalPlaceError)):
                return False
            if isinstance(cause, AppraisalError):
                raise cause from None
            raise AppraisalError(str(cause), case=case, field=self.field) from cause
        raise AppraisalError(str(exc), case=case, field=self.field) from exc


def _prices_field(path: str, line: CostLine | BenefitLine) -> str:
    """The field that says what prices a line's amounts are in."""
    if line.prices == "nominal":
        return f"{path}.prices"
    return f"{path}.price_base" if line.price_base is not None else f"{path}.amounts"


def _offsets(values: Mapping[FinancialYear, Decimal], first: int) -> dict[int, Decimal]:
    """Amounts by year as amounts by offset from the case's first year."""
    return {year.start_year - first: value for year, value in values.items()}


# -- costs --------------------------------------------------------------------------------------


def post_cost(ledger: Ledger, context: CaseContext, index: int, line: CostLine) -> LineResult:
    """A cost line: real terms at the price base, uplifted by its optimism bias."""
    terms = cost_terms(context, index, line)
    adjusted, pv, pv_unadjusted = post_cost_terms(ledger, terms)
    adjustment = terms.adjustment
    return LineResult(
        "cost",
        terms.id,
        line.agency,
        None,
        pv,
        pv_unadjusted,
        {"optimism_bias": adjustment.optimism_bias, "basis": adjustment.basis},
        values=YearValues(context.case.start, adjusted, ledger.years),
        option=_option_id(context),
    )


def cost_terms(context: CaseContext, index: int, line: CostLine) -> CostTerms:
    """A cost line's quantities: its amounts in real terms at the price base, and its
    optimism bias (with the Green Book's bounds, for a line whose bias is a project type's)."""
    path = f"{context.path}costs[{index}]"
    with at(context, _optimism_bias_field(path, line)):
        adjustment = cost_adjustment(context, line)
    with at(context, _prices_field(path, line)):
        real = context.real(line.amounts, context.line_base(line))
    first = context.case.start.start_year
    return CostTerms(index, line, _offsets(real, first), adjustment, _option_id(context))


def post_cost_terms(
    ledger: Ledger, terms: CostTerms
) -> tuple[dict[int, Decimal], Decimal, Decimal]:
    """Post a cost line's amounts after and before optimism bias; returns the adjusted amounts
    and the two present values."""
    factor = terms.adjustment.factor
    adjusted = {k: value * factor for k, value in terms.gross.items()}
    pv = ledger.post(COST, terms.agency, adjusted)
    pv_unadjusted = ledger.post(COST_UNADJUSTED, terms.agency, terms.gross)
    return adjusted, pv, pv_unadjusted


def _option_id(context: CaseContext) -> str | None:
    """The option a line belongs to, in a case with options."""
    return context.option.id if context.path and context.option is not None else None


def cost_adjustment(context: CaseContext, line: CostLine) -> CostAdjustment:
    """The optimism bias of a cost line: the first of its own fields, then a rule's default."""
    if line.optimism_bias is not None:
        return CostAdjustment(line.optimism_bias, "explicit")
    if line.confidence is not None:
        return _confidence_cost(context, line.confidence)
    if line.project_types:
        return _project_type_cost(
            context, line, line.project_types, line.mitigation, "project type"
        )
    defaults = _line_defaults(context, line)
    if "optimism_bias" in defaults:
        value, plugin = defaults["optimism_bias"]
        return CostAdjustment(_fraction(value, plugin, uplift=True), f"rule: {plugin}")
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
            line,
            {k: Decimal(str(v)) for k, v in shares.items()},
            None if mitigation is None else _fraction(mitigation, plugin),
            f"project type (rule: {plugin})",
        )
    return CostAdjustment()


def _optimism_bias_field(path: str, line: CostLine) -> str:
    """The field a cost line gives its optimism bias in (the line itself for a rule's default)."""
    if line.optimism_bias is not None:
        return f"{path}.optimism_bias"
    if line.confidence is not None:
        return f"{path}.confidence"
    if line.project_types:
        return f"{path}.project_type{'s' if len(line.project_types) > 1 else ''}"
    return path


def _confidence_cost(context: CaseContext, grade: int) -> CostAdjustment:
    table = context.table(context.settings.confidence_table, "confidence-grade")
    return CostAdjustment(
        confidence_adjustment(table, grade), f"confidence grade {grade}", table.name
    )


def _project_type_cost(context, line, shares, mitigation, basis) -> CostAdjustment:
    table = context.table(context.settings.optimism_bias_table, "optimism-bias")
    ob = optimism_bias_for_types(table, shares, mitigation, kind=line.kind)
    names = ", ".join(f"{k} {v}" if len(shares) > 1 else k for k, v in shares.items())
    upper = optimism_bias_for_types(table, shares, None, kind=line.kind)
    try:  # the sensitivity tests' lower bound; a plugin's table may not give one
        lower = optimism_bias_for_types(table, shares, None, column="capital_lower", kind=line.kind)
    except TotalPlaceError:
        lower = None
    return CostAdjustment(ob, f"{basis}: {names}", table.name, lower=lower, upper=upper)


# -- benefits -----------------------------------------------------------------------------------


def post_benefit(ledger: Ledger, context: CaseContext, index: int, line: BenefitLine) -> LineResult:
    """A benefit line: valued, adjusted, split among the agencies that gain, posted per agency
    (and, for a partly cashable line, into its cashable and non-cashable shares)."""
    terms = benefit_terms(context, index, line, ledger.factors)
    value, pv = post_benefit_terms(ledger, terms)
    adjustments, schedule, cashable = terms.adjustments, terms.schedule, line.cashable_share
    sources = adjustments.sources  # the line's own adjustments': no copy for every line
    if schedule is not None:
        sources = {**sources, "discount_schedule": terms.schedule_source}
    partly = not isinstance(line.cashable, bool) and 0 < cashable < 1
    return LineResult(
        "benefit",
        line.id,
        line.agency,
        line.value_type,
        pv,
        present_value(terms.gross, terms.factors),
        {
            **{k: getattr(adjustments, k) for k in BENEFIT_FRACTIONS},
            "sources": sources,
            "valuation": terms.valuation.basis,
            **({"split": _share_totals(terms.shares)} if terms.valuation.shares else {}),
            **({"discount_schedule": schedule} if schedule is not None else {}),
            **({"cashable": cashable} if partly else {}),
        },
        values=YearValues(context.case.start, value, ledger.years),
        transfer=line.transfer,
        option=_option_id(context),
        cohort=terms.cohort,
        cashable=cashable,
    )


def benefit_terms(
    context: CaseContext, index: int, line: BenefitLine, case_factors: Sequence[Decimal]
) -> BenefitTerms:
    """A benefit line's quantities: its valued gross by year (real terms at the price base; a
    cohort line's from its cohorts' volumes, which carry its drop-off), the fractions of its
    benefit chain, its discount schedule and factors (``case_factors`` unless it has its own),
    and the agencies that share it."""
    path = f"{context.path}benefits[{index}]"
    valuation, cohort, valuer = _value(context, index, line)
    with at(context, path):
        defaults = _line_defaults(context, line)
    with at(context, f"{path}.confidence" if line.confidence is not None else path):
        adjustments = benefit_adjustments(context, line, defaults)
    schedule, source = _line_schedule(line, defaults)
    with at(context, f"{path}.discount_schedule" if line.discount_schedule else path):
        factors = _factors(context, case_factors, schedule)
    with at(context, f"{path}.agency_map" if line.agency_map else f"{path}.unit_cost"):
        shares = _resolve_shares(context, line, valuation.shares, valuer) or ((line.agency, ONE),)
    return BenefitTerms(
        index,
        line,
        valuation,
        _offsets(valuation.gross, context.case.start.start_year),
        adjustments,
        schedule,
        source,
        factors,
        shares,
        cohort,
        _option_id(context),
    )


def post_benefit_terms(ledger: Ledger, terms: BenefitTerms) -> tuple[dict[int, Decimal], Decimal]:
    """Post a benefit line after its benefit chain, one posting per agency sharing it (and per
    cashable and non-cashable share); returns its adjusted values by year and its present
    value."""
    line = terms.line
    # A cohort's volumes already carry its drop-off, cohort by cohort (method §19).
    value = _adjusted(terms.gross, terms.adjustments, drop_off=terms.cohort is None)
    cashable = line.cashable_share
    pv = ZERO
    for agency, part in _split(value, terms.shares).items():
        for is_cashable, values in _cashable_parts(part, cashable):
            pv += ledger.post(
                BENEFIT,
                agency,
                values,
                value_type=line.value_type,
                cashable=is_cashable,
                transfer=line.transfer,
                factors=terms.factors,
            )
    return value, pv


def _cashable_parts(
    values: dict[int, Decimal], share: Decimal
) -> list[tuple[bool, dict[int, Decimal]]]:
    """A line's values as its cashable and non-cashable parts (method §6): all one or the other,
    or ``share`` of each year's value cashable and the exact remainder not."""
    if share == 1:
        return [(True, values)]
    if share == 0:
        return [(False, values)]
    cashable = {k: value * share for k, value in values.items()}
    return [(True, cashable), (False, {k: value - cashable[k] for k, value in values.items()})]


def value_line(context: CaseContext, index: int, line: BenefitLine) -> Valuation:
    """A benefit line's gross value by year (before adjustments, undiscounted, real terms at the
    price base) as the appraisal values it, through the valuation rules; any error names the
    case and the line's field. A cohort line is valued on the volumes its cohorts give (which
    carry its drop-off, method §19). Call inside :func:`.precision.exact`."""
    return _value(context, index, line)[0]


def _value(
    context: CaseContext, index: int, line: BenefitLine
) -> tuple[Valuation, CohortResult | None, str]:
    """:func:`value_line`, what a cohort line's volumes were built from, and the plugin whose
    valuation rule answered."""
    path = f"{context.path}benefits[{index}]"
    cohort = None
    if line.cohort is not None:
        cohort = _cohort(context, path, line)
        line = attrs.evolve(line, cohort=None, volumes=cohort.volumes)
    volumes_field = f"{path}.cohort" if cohort is not None else f"{path}.volumes"
    if line.unit_cost is not None:
        with at(context, f"{path}.unit_cost"):
            unit = context.unit_cost(line.unit_cost)
        with at(context, volumes_field):
            for year in line.volumes if unit.by_year else ():
                unit_cost_value(unit, year)  # a series must have a value for every year
    with at(context, f"{path}.unit_cost" if line.unit_cost else _prices_field(path, line)):
        valuation, valuer = _valuation(context, path, line)
    return valuation, cohort, valuer


def _cohort(context: CaseContext, path: str, line: BenefitLine) -> CohortResult:
    """A cohort line's successes and volumes, with its drop-off (the line's own, or a rule's
    default) applied cohort by cohort, up to the end of the appraisal period."""
    cohort = line.cohort
    with at(context, f"{path}.confidence" if line.confidence is not None else path):
        drop_off = benefit_adjustments(context, line).drop_off
    return CohortResult(
        participants=cohort.participants,
        successes=cohort_successes(cohort),
        volumes=cohort_volumes(cohort, drop_off, context.case.end),
        engagement=cohort.engagement,
        success=cohort.success,
        lag=cohort.lag,
        persistence=cohort.persistence,
        drop_off=drop_off,
    )


#: The counterfactual fractions: what would have happened anyway, elsewhere, or by others'
#: work. A transfer (a sale price, a benefit payment) is not an outcome, so a rule's default
#: for these does not apply to it; only the line's own figure does.
COUNTERFACTUAL = ("deadweight", "displacement", "attribution")


def _line_schedule(line: BenefitLine, defaults: dict[str, Any]) -> tuple[str | None, str]:
    """The line's own discount schedule (method §3) and where it came from: the line's, a
    rule's default (the health rate for a QALY, say), or None for the case's schedule."""
    if line.discount_schedule is not None:
        return line.discount_schedule, "explicit"
    if "discount_schedule" in defaults:
        value, plugin = defaults["discount_schedule"]
        return value, f"rule: {plugin}"
    return None, ""


def _factors(
    context: CaseContext, case_factors: Sequence[Decimal], schedule: str | None
) -> Sequence[Decimal]:
    """The discount factors of a line with its own schedule, over the case's period; the case's
    own factors otherwise."""
    if schedule is None or schedule == context.schedule:
        return case_factors
    case = context.case
    found = schedule_from_rules(context, schedule)
    return found.factors_at(case.start - context.discount_base, case.years, context.timing)


def benefit_adjustments(
    context: CaseContext, line: BenefitLine, defaults: dict[str, Any] | None = None
) -> BenefitAdjustments:
    """The fractions of the benefit chain: the line's own, a confidence grade's, a rule's.

    ``defaults`` are the rules' defaults for the line, if already asked for.
    """
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
        defaults = _line_defaults(context, line) if defaults is None else defaults
        for key in missing:
            if line.transfer and key in COUNTERFACTUAL:
                continue
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


def _adjusted(
    gross: Mapping[int, Decimal], adjustments: BenefitAdjustments, *, drop_off: bool = True
) -> dict[int, Decimal]:
    """Apply the benefit chain; drop-off (unless ``drop_off`` is false: a cohort line's volumes
    carry their own) counts from the line's first year with a value."""
    factor = adjustments.factor
    drop_off = adjustments.drop_off if drop_off else ZERO
    started = [k for k in sorted(gross) if gross[k] != 0]
    if not drop_off or not started:
        return {k: value * factor for k, value in gross.items()}
    first = started[0]
    keep = ONE - drop_off
    return {
        k: value * factor * keep ** (k - first) if k > first else value * factor
        for k, value in gross.items()
    }


def _valuation(context: CaseContext, path: str, line: BenefitLine) -> tuple[Valuation, str]:
    """The line's valuation, and the plugin whose rule gave it."""
    answer = context.rules.call("totalplace_value_benefit", first=True, line=line, context=context)
    result = answer.value if answer is not None else None
    case = context.case
    if result is None:
        if line.volumes and line.unit_value is None and line.unit_cost is None:
            raise AppraisalError(
                'volumes need a "unit_value" (or a "unit_cost" reference), or a plugin whose '
                "rule values them",
                case=case.id,
                field=path,
            )
        raise AppraisalError(
            "no valuation rule could value this line (is the plugin that provides its unit "
            "cost loaded?)",
            case=case.id,
            field=path,
        )
    if not isinstance(result, Valuation):
        raise AppraisalError(
            f"a valuation rule returned {type(result).__name__}, expected a Valuation",
            case=case.id,
            field=path,
        )
    first = case.start.start_year
    last = first + case.years - 1
    outside = [y for y in result.gross if not first <= y.start_year <= last]
    if outside:
        raise AppraisalError(
            f"the valuation gave values for {', '.join(map(str, outside))}, outside the "
            f"appraisal period {case.start} to {case.end}",
            case=case.id,
            field=path,
        )
    return result, answer.plugin


def _resolve_shares(
    context: CaseContext,
    line: BenefitLine,
    shares: Iterable[tuple[str, Decimal]],
    valuer: str = "",
) -> tuple[tuple[str, Decimal], ...]:
    """Turn the bodies a split unit cost (or a plugin's valuation, by ``valuer``) names into the
    programme's agencies.

    The line's ``agency_map`` first, then an agency of that id, then the plugins'
    ``totalplace_agency_for`` rules. A programme that lists no agencies takes labels as ids. A
    body that none of them maps is the case file's to map when the split is its unit cost's;
    when the split is a plugin's own valuation of a line without one (which cannot take an
    ``agency_map``), it is that plugin's answer, and the error names it.
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
        bodies = list(dict.fromkeys(label for label, _ in shares))  # each body named once
        missing = list(dict.fromkeys(missing))
        if line.unit_cost is None and valuer:
            raise PluginError(
                valuer,
                "totalplace_value_benefit",
                f"the valuation of benefit '{line.id}' splits its value among "
                f"{', '.join(bodies)}; no agency of the programme stands for "
                f"{', '.join(missing)}: answer agency ids of the programme, or labels that a "
                "totalplace_agency_for rule maps to them",
            )
        raise TotalPlaceError(
            f"unit cost {line.unit_cost} splits its value among {', '.join(bodies)}; no agency "
            f"of the programme stands for {', '.join(missing)}. Map each in the line, e.g. "
            f'agency_map = {{ "{missing[0]}" = "agency-id" }}, or load a plugin that does'
        )
    return tuple(resolved)


def _share_totals(shares: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Each agency's whole share, where several of the bodies split among map to it."""
    totals: dict[str, Decimal] = {}
    for agency, share in shares:
        totals[agency] = totals.get(agency, ZERO) + share
    return totals


def _split(
    values: Mapping[int, Decimal], shares: tuple[tuple[str, Decimal], ...]
) -> dict[str, dict[int, Decimal]]:
    """Share a line's values among agencies; the last share takes the remainder exactly."""
    if len(shares) == 1:
        return {shares[0][0]: dict(values)}
    result: dict[str, dict[int, Decimal]] = {}
    last = len(shares) - 1
    for k, value in values.items():
        given = ZERO
        for i, (agency, share) in enumerate(shares):
            part = value - given if i == last else value * share
            given += part
            parts = result.setdefault(agency, {})
            parts[k] = parts.get(k, ZERO) + part
    return result


# -- realignments -------------------------------------------------------------------------------


def post_realignment(
    ledger: Ledger, context: CaseContext, index: int, realignment: Realignment
) -> None:
    """Budget moved between bodies (method §10): in the case's input prices, discounted with the
    case's factors. It changes each body's position and nothing in the case's totals."""
    with at(context, f"{context.path}realignments[{index}].amounts"):
        real = context.real(realignment.amounts, context.input_base)
    moved = _offsets(real, context.case.start.start_year)
    ledger.realign(realignment.from_agency, realignment.to_agency, moved)


# -- defaults from rules plugins ----------------------------------------------------------------


def _line_defaults(context: CaseContext, line: CostLine | BenefitLine) -> dict[str, Any]:
    """Defaults from rules plugins for fields the line leaves out; first plugin wins per field."""
    merged: dict[str, Any] = {}
    # The host checks each answer (a mapping of known fields to valid values) and names the
    # plugin of a bad one.
    for answer in context.rules.call("totalplace_line_defaults", line=line, context=context):
        for key, value in answer.value.items():
            merged.setdefault(key, (value, answer.plugin))
    return merged


def _fraction(value: Any, plugin: str, *, uplift: bool = False) -> Decimal:
    """A plugin's default fraction, read as a case file's is: an uplift on costs may exceed 1."""
    from ..money import MoneyError, parse_fraction, parse_uplift

    try:
        return parse_uplift(value) if uplift else parse_fraction(value)
    except MoneyError as exc:
        raise PluginError(plugin, "totalplace_line_defaults", str(exc)) from None
