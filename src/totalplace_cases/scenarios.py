"""Cuts scenarios with the plugins: where the count, a scenario and the rule that shares the cut
meet.

The arithmetic is :mod:`totalplace_cases.method.cuts`; the count comes from
:mod:`totalplace_cases.baseline`; the rule that weighs the unprotected lines is the first
plugin to answer ``totalplace_share_cut`` (the built-in one shares in proportion to spend).
A scenario's problem is reported against its field in ``programme.toml`` (file, line and
field), or against the command-line option it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from .errors import InputError, PluginError, Problem
from .io.fields import parse_path
from .io.toml_lines import FieldLines
from .method.affordability import Affordability, against_cut
from .method.count import Count, SpendCell
from .method.cuts import IN_PROPORTION, ScenarioError, ScenarioResult, run_scenario
from .models import CutScenario, Programme
from .periods import FinancialYear
from .plugins import Rules
from .reports.cuts import Beside

__all__ = [
    "HOOK",
    "beside_cases",
    "run_scenarios",
    "scenario",
    "scenario_problems",
    "scenarios",
    "weigher",
]

HOOK = "totalplace_share_cut"


def weigher(rules: Rules, programme: Programme, chosen: CutScenario):
    """The plugins' rule for sharing ``chosen``'s cut, as the method's ``weigh``."""

    def weigh(lines: tuple[SpendCell, ...], cut: Decimal):
        answer = rules.call(
            HOOK, first=True, scenario=chosen, lines=lines, cut=cut, programme=programme
        )
        if answer is None:
            return [max(line.amount, Decimal(0)) for line in lines], IN_PROPORTION
        who = IN_PROPORTION if answer.plugin == "builtin-cuts" else answer.plugin
        return list(answer.value), who

    return weigh


def _check_shares(result: ScenarioResult) -> None:
    """A plugin's sharing may not cut a line by more than its spend."""
    for line in result.lines:
        if line.cut > max(line.cell.amount, Decimal(0)):
            cell = line.cell
            raise PluginError(
                result.shared_by,
                HOOK,
                f"its weights cut the line {cell.agency}/{cell.category}/{cell.theme}/"
                f"{cell.kind} by £{line.cut:,.2f}, more than its spend of £{cell.amount:,.2f}",
            )


def run_scenarios(
    programme: Programme,
    rules: Rules,
    count: Count,
    chosen: Sequence[tuple[CutScenario, str]],
) -> list[ScenarioResult]:
    """Run each scenario on the count; ``chosen`` pairs a scenario with where it was written
    (``"scenarios[0]"`` in ``programme.toml``, or ``""`` for the command line).

    :raises InputError: every scenario's problem, with its file, line and field.
    :raises PluginError: a plugin's sharing that breaks the hook's contract.
    """
    results, problems = [], []
    for item, where in chosen:
        try:
            result = run_scenario(count, item, weigh=weigher(rules, programme, item), where=where)
        except ScenarioError as exc:
            problems.append(_problem(exc.detail, exc.field, programme if where else None))
            continue
        if result.shared_by != IN_PROPORTION:
            _check_shares(result)
        results.append(result)
    if problems:
        raise InputError(problems)
    return results


def _problem(message: str, field: str | None, programme: Programme | None) -> Problem:
    """A problem placed in ``programme.toml`` (file, line, field), or on an option."""
    if programme is None or programme.source is None or not field:
        return Problem(message, field=field)
    source = Path(programme.source)
    line = FieldLines(source.read_text(encoding="utf-8")).line_of(parse_path(field))
    return Problem(message, file=source, line=line, field=field)


def scenario_problems(programme: Programme, rules: Rules) -> list[Problem]:
    """What ``validate`` can tell of the programme's scenarios without the count: each
    protection names a known agency or a registered category (themes are checked against the
    count, when a scenario is run)."""
    agencies = {a.id for a in programme.agencies}
    categories = set(rules.registry.keys("category"))
    problems = []
    for index, item in enumerate(programme.scenarios):
        for number, protect in enumerate(item.protect):
            known = {"agency": agencies, "category": categories}.get(protect.dimension)
            if known is not None and protect.value not in known:
                problems.append(
                    _problem(
                        f'unknown {protect.dimension} "{protect.value}"; known: '
                        f"{', '.join(sorted(known))}",
                        protect.field(f"scenarios[{index}]", number),
                        programme,
                    )
                )
    return problems


def _loaded(subject: Programme | Path | str, rules: Rules | None) -> tuple[Programme, Rules]:
    from .baseline import _programme_and_rules

    return _programme_and_rules(subject, rules)


def scenarios(
    subject: Programme | Path | str, *, rules: Rules | None = None
) -> list[ScenarioResult]:
    """The programme's own scenarios (``[[scenarios]]``) run on its count:
    ``tp.scenarios("cases/kent")[0].effective_rate``."""
    from .baseline import count_programme

    programme, rules = _loaded(subject, rules)
    count = count_programme(programme, rules)
    chosen = [(item, f"scenarios[{i}]") for i, item in enumerate(programme.scenarios)]
    return run_scenarios(programme, rules, count, chosen)


def scenario(
    subject: Programme | Path | str,
    cut: str | int | Decimal,
    *,
    protect: Iterable[str] = (),
    over: int = 1,
    jobs_cost: str | int | Decimal | None = None,
    start: FinancialYear | str | None = None,
    year: FinancialYear | str | None = None,
    name: str = "scenario",
    rules: Rules | None = None,
) -> ScenarioResult:
    """One scenario on a programme's count, written as on the command line:
    ``tp.scenario("cases/kent", "£700m", protect=["theme=health"]).by_agency``."""
    from .baseline import count_programme

    programme, rules = _loaded(subject, rules)
    item = CutScenario.of(
        name, cut, protect=list(protect), over=over, jobs_cost=jobs_cost, start=start, year=year
    )
    count = count_programme(programme, rules)
    return run_scenarios(programme, rules, count, [(item, "")])[0]


def beside_cases(
    programme: Programme, rules: Rules, results: Sequence[ScenarioResult], afford: Affordability
) -> dict[str, Beside]:
    """For each scenario, its cut beside the counted cases' affordability, agency by agency
    and year by year, with the cut put in the programme's price base by the GDP deflator."""
    from .method.prices import deflator_from_table

    titles = {c.case: c.title for c in afford.cases}
    if afford.price_base is None:
        note = "The cases are in different price bases, so they cannot be set beside the cut."
        return {r.name: Beside(note=note, titles=titles) for r in results}
    settings = programme.settings
    deflator = deflator_from_table(
        rules.table(settings.deflator, "deflator"), settings.deflator_projection
    )
    found = {}
    for result in results:
        ratio = deflator.ratio(result.year, afford.price_base)
        found[result.name] = Beside(
            against_cut(afford, result, ratio), ratio, str(afford.price_base), titles=titles
        )
    return found
