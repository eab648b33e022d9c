"""Everything the appraisal of a case would stop on, found before appraising (``validate``).

:func:`case_problems` runs the appraisal's own steps on one case (its conventions, its discount
factors, every line through the same per-line functions, into a ledger that is then dropped)
and turns each error into a :class:`~totalplace_cases.errors.Problem` naming the field of the
case file that caused it. Because the checks *are* the appraisal's arithmetic, whatever would
stop ``appraise`` stops ``validate`` first; and because each line is tried on its own, one run
reports every line's problem, not just the first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import AppraisalError, InputError, Problem, TotalPlaceError
from ..models import BusinessCase, Programme
from ..periods import FinancialYear
from .appraisal import appraise_case, case_context, case_factors, vfm_table_problems
from .context import CaseContext
from .conventions import HEALTH_SCHEDULE, Options, health_schedule_warning
from .ledger import Ledger
from .lines import post_benefit, post_cost, post_realignment
from .precision import exact
from .prices import DeflatorRangeError

if TYPE_CHECKING:
    from ..plugins import Rules

__all__ = ["SETTINGS_TABLES", "case_problems", "programme_problems", "sensitivity_problems"]

#: The [settings] that name a parameter table, and the kind of table each must name.
SETTINGS_TABLES = {
    "schedule": "discount-schedule",
    "confidence_table": "confidence-grade",
    "optimism_bias_table": "optimism-bias",
    "vfm_table": "vfm-thresholds",
    "deflator": "deflator",
}


def programme_problems(programme: Programme, rules: Rules, options: Options) -> list[Problem]:
    """What is wrong with the programme's choices as a whole (the options themselves, a
    value-for-money table that leaves some BCR without a category), before any case is tried."""
    problems = []
    try:
        vfm = rules.table(programme.settings.vfm_table, "vfm-thresholds")
    except TotalPlaceError:
        vfm = None  # reported against [settings] already
    if vfm is not None:
        problems += [
            Problem(message, file=programme.source, field="settings.vfm_table")
            for message in vfm_table_problems(vfm)
        ]
    if options.timing is not None and options.timing not in ("start", "mid"):
        problems.append(
            Problem(f"expected start or mid, found '{options.timing}'", field="--timing")
        )
    if options.schedule is not None:
        try:
            rules.table(options.schedule, "discount-schedule")
        except TotalPlaceError as exc:
            problems.append(Problem(str(exc), field="--schedule"))
    if options.schedule == HEALTH_SCHEDULE:
        message = health_schedule_warning(f"--schedule {HEALTH_SCHEDULE}")
        problems.append(Problem(message, field="--schedule", severity="warning"))
    return problems


def sensitivity_problems(
    programme: Programme, rules: Rules, *, whole: bool = True
) -> list[Problem]:
    """A ``[[sensitivities]]`` scenario naming a schedule no plugin registered (an error), or
    (when ``whole``: every case of the programme was read, not one case file) a case the
    programme does not have: a warning, as a folder may hold some of a programme's cases, and
    the scenario then applies to the cases it does hold."""
    problems = []
    cases = {case.id for case in programme.cases}
    for index, scenario in enumerate(programme.sensitivities):
        where = f"sensitivities[{index}]"
        if scenario.schedule is not None:
            try:
                rules.table(scenario.schedule, "discount-schedule")
            except TotalPlaceError as exc:
                problems.append(Problem(str(exc), file=programme.source, field=f"{where}.schedule"))
        unknown = [case for case in scenario.cases if case not in cases]
        if unknown and whole:
            problems.append(
                Problem(
                    f"no case {', '.join(repr(c) for c in unknown)} in the programme, so the "
                    f"scenario does not apply to it; its cases: "
                    f"{', '.join(sorted(cases)) or 'none'}",
                    file=programme.source,
                    field=f"{where}.cases",
                    severity="warning",
                )
            )
    return problems


def case_problems(
    programme: Programme, case: BusinessCase, rules: Rules, options: Options | None = None
) -> list[Problem]:
    """Every problem appraising ``case`` would hit, each with the field that causes it.

    Problems whose field is in the case file have no ``file`` (the caller knows the case's
    file); a problem with the programme's ``price_base`` names ``programme.toml``; one caused by
    an option names the option (``--price-base``). A [settings] table that no plugin registers
    is left to the caller, which reports it against ``programme.toml`` once.
    """
    for key, kind in SETTINGS_TABLES.items():
        try:
            rules.table(getattr(programme.settings, key), kind)
        except TotalPlaceError:
            return []
    options = options or Options()
    if any(not p.is_warning for p in programme_problems(programme, rules, options)):
        return []
    problems: list[Problem] = []

    def attempt(step: Callable[[], Any], field: str | None) -> Any:
        try:
            return step()
        except TotalPlaceError as exc:
            problems.extend(_problems(exc, field, programme, case, options))
            return None

    context = attempt(lambda: case_context(programme, case, rules, options), "start")
    if context is None:
        return problems
    with exact():
        factors = attempt(lambda: case_factors(context), None)
        if factors is None:
            return problems
        for index, option in enumerate(case.as_options):
            lines = context.for_option(index, option)
            _try_lines(attempt, Ledger(case.years, factors), lines)
        if case.options and not problems:
            # Every option appraises: whether the preferred one is the best (method §18).
            warning = attempt(lambda: appraise_case(context).options_warning, None)
            if warning:
                problems.append(Problem(warning, field="preferred", severity="warning"))
    return _unique(problems)


def _try_lines(attempt: Callable, ledger: Ledger, context: CaseContext) -> None:
    """Each line of ``context.case`` (an option's lines, in a case with options) through the
    appraisal's own steps, each problem placed at the line's field."""
    case, path = context.case, context.path
    for index, cost in enumerate(case.costs):
        attempt(lambda i=index, c=cost: post_cost(ledger, context, i, c), f"{path}costs[{index}]")
    for index, benefit in enumerate(case.benefits):
        attempt(
            lambda i=index, b=benefit: post_benefit(ledger, context, i, b),
            f"{path}benefits[{index}]",
        )
    for index, moved in enumerate(case.realignments):
        attempt(
            lambda i=index, r=moved: post_realignment(ledger, context, i, r),
            f"{path}realignments[{index}]",
        )


def _problems(
    exc: TotalPlaceError,
    field: str | None,
    programme: Programme,
    case: BusinessCase,
    options: Options,
) -> list[Problem]:
    """The problem(s) an error stands for, placed at the field that caused it."""
    cause = exc.__cause__ if isinstance(exc.__cause__, TotalPlaceError) else exc
    if isinstance(exc, AppraisalError):
        field = exc.field or field
    if isinstance(cause, InputError):
        # A plugin's parameter table in bad shape: each of its problems, at the field that asked
        # for the table, naming the table's own file.
        return [
            Problem(
                f"{p.message} ({p.file}{f', line {p.line}' if p.line else ''})"
                if p.file
                else p.message,
                field=field,
                cause=exc,
            )
            for p in cause.problems
        ]
    if isinstance(exc, AppraisalError):
        message = exc.detail
        if (field or "").startswith("--"):  # an option: no file to point at, so name the case
            message = f"case '{case.id}': {message}"
    else:
        message = str(exc)
    if isinstance(cause, DeflatorRangeError):
        found = _deflator_problem(cause, field, programme, case, options)
    else:
        found = Problem(message, field=field)
    return [attrs.evolve(found, cause=exc)]


def _deflator_problem(
    exc: DeflatorRangeError,
    field: str | None,
    programme: Programme,
    case: BusinessCase,
    options: Options,
) -> Problem:
    """A year the deflator lacks, named where it was asked for: the reporting price base (an
    option, the programme's or the case's), the case's own price base or start, or the line."""
    year: FinancialYear = exc.year
    message = str(exc)
    if options.price_base == year:
        return Problem(message, field="--price-base")
    if options.price_base is None and programme.price_base == year:
        return Problem(message, file=programme.source, field="programme.price_base")
    if case.price_base == year:
        return Problem(message, field="price_base")
    if case.start == year and not (field or "").endswith((".prices", ".price_base")):
        return Problem(message, field="start")
    return Problem(message, field=field)


def _unique(problems: list[Problem]) -> list[Problem]:
    """Each problem once: several lines can meet the same missing year of the same field."""
    return list(dict.fromkeys(problems))
