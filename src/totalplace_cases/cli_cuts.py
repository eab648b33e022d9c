"""``totalplace scenario`` (cuts scenarios on the count) and ``totalplace affordability``.

Registered on the main command group by :mod:`totalplace_cases.cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .cli_common import (
    Session,
    check_output,
    common_options,
    default_path,
    display_options,
    programme_inputs,
    status_option,
    write_output,
    year_option,
)
from .errors import TotalPlaceError
from .models import CutScenario, Protect, parse_cut

__all__ = ["affordability", "scenario"]


def _command_line_scenario(
    name: str,
    cut: str,
    over: int,
    protect: tuple[str, ...],
    jobs_cost: str | None,
    start: str | None,
    year: str | None,
) -> CutScenario:
    """The scenario the options describe; each bad option a usage error naming it."""
    try:
        amount, rate = parse_cut(cut)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--cut") from None
    protects = []
    for text in protect:
        try:
            protects += Protect.parse_all(text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--protect") from None
    try:
        return CutScenario(
            name,
            cut=amount,
            cut_rate=rate,
            over=over,
            protect=protects,
            jobs_cost=jobs_cost,
            start=year_option(start, "--start"),
            year=year_option(year, "--year"),
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--jobs-cost") from None


def _check_protects(scenario: CutScenario, programme: Any, rules: Any) -> None:
    """An agency or category the programme does not know is a usage error, as in a file."""
    agencies = {a.id for a in programme.agencies}
    categories = set(rules.registry.keys("category"))
    for protect in scenario.protect:
        known = {"agency": agencies, "category": categories}.get(protect.dimension)
        if known is not None and protect.value not in known:
            raise click.BadParameter(
                f'unknown {protect.dimension} "{protect.value}"; known: {", ".join(sorted(known))}',
                param_hint="--protect",
            )


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--cut",
    metavar="AMOUNT|PERCENT",
    help='The cut a year: an amount ("£700m", "1.2bn", "700000000") or a share of the whole '
    'count ("8.5%"). Without it, the programme\'s [[scenarios]] are shown side by side.',
)
@click.option(
    "--over",
    type=click.IntRange(1, 50),
    default=1,
    show_default=True,
    help="Reach the cut in equal steps over this many years.",
)
@click.option(
    "--protect",
    multiple=True,
    metavar="DIMENSION=ID",
    help="Leave this spend untouched: category=ID, agency=ID or theme=ID, several ids "
    "separated by commas (theme=health,welfare-benefits); may be repeated.",
)
@click.option("--jobs-cost", metavar="AMOUNT", help="The cost of one job, to show the cut in jobs.")
@click.option(
    "--start",
    metavar="YYYY-YY",
    help="The first year of the cut (default: the year after the count's).",
)
@click.option("--year", metavar="YYYY-YY", help="The count's year to cut (default: its last).")
@click.option("--name", default="command line", show_default=True, help="The scenario's name.")
@display_options()
@common_options
def scenario(
    session: Session,
    path: Path | None,
    cut: str | None,
    over: int,
    protect: tuple[str, ...],
    jobs_cost: str | None,
    start: str | None,
    year: str | None,
    name: str,
    fmt: str,
    units: str | None,
    width: int | None,
    output: Path | None,
    force: bool,
) -> None:
    """Share a cut in public spending across the unprotected spend of PATH's count.

    For each scenario: the cut each agency and category bears, the effective rate on the
    unprotected spend, the phasing by year, an indicative number of jobs, and beside it what
    the cases do for each agency's budget. The cuts add up to the scenario's cut to the penny.
    Without --cut, the programme's [[scenarios]] side by side. Without PATH, the bundled Kent
    example.
    """
    from .baseline import count_programme
    from .method.affordability import affordability as afford_with
    from .reports.cuts import render_scenarios
    from .reports.names import Names
    from .scenarios import beside_cases, run_scenarios

    ctx = click.get_current_context()
    given = [
        f"--{n.replace('_', '-')}"
        for n in ("over", "protect", "jobs_cost", "start", "year", "name")
        if ctx.get_parameter_source(n) is click.core.ParameterSource.COMMANDLINE
    ]
    if cut is None and given:
        raise click.UsageError(f"{', '.join(given)} describe a scenario: give --cut too")
    path = default_path(path)
    if output is not None:
        check_output(output, force=force)  # before the work, as far as it can tell
    if cut is not None:
        chosen = _command_line_scenario(name, cut, over, protect, jobs_cost, start, year)
    programme, rules = session.load(path)
    if cut is not None:
        _check_protects(chosen, programme, rules)
        wanted = [(chosen, "")]
    else:
        wanted = [(item, f"scenarios[{i}]") for i, item in enumerate(programme.scenarios)]
        if not wanted:
            raise TotalPlaceError(
                f"{programme.source or path} has no [[scenarios]]; give one with --cut "
                '(e.g. --cut "£700m" --protect theme=health)'
            )
    count = count_programme(programme, rules)
    results = run_scenarios(programme, rules, count, wanted)
    afford = afford_with(programme, rules)
    beside = beside_cases(programme, rules, results, afford)
    text = render_scenarios(
        results,
        Names(programme, rules.registry),
        fmt,
        beside=beside,
        afford=afford,
        units=units or "",
        width=width,
    )
    write_output(output, text, force=force, inputs=programme_inputs(programme))


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--case", "case_id", metavar="ID", help="Show this case only (and the programme).")
@click.option(
    "--status",
    "statuses",
    metavar="LIST",
    help="The statuses whose cases the programme's figures add up, comma-separated "
    "(default: all but rejected and withdrawn).",
)
@display_options()
@common_options
def affordability(
    session: Session,
    path: Path | None,
    case_id: str | None,
    statuses: str | None,
    fmt: str,
    units: str | None,
    width: int | None,
    output: Path | None,
    force: bool,
) -> None:
    """The financial case: each agency's costs, cashable savings, budget realigned in and out
    and net budget position, year by year, real and nominal, for the programme and each case.

    A year in which an agency pays more than it saves and is given is flagged NET COST.
    Without PATH, the bundled Kent example.
    """
    import attrs

    from .method.affordability import affordability as afford_with
    from .reports.cuts import render_affordability
    from .reports.names import Names

    chosen = status_option(statuses)
    if output is not None:
        check_output(output, force=force)  # before the work, as far as it can tell
    programme, rules = session.load(default_path(path))
    if case_id is not None and case_id not in {c.id for c in programme.cases}:
        known = ", ".join(c.id for c in programme.cases)
        raise click.BadParameter(f'no case "{case_id}"; the cases: {known}', param_hint="--case")
    found = afford_with(programme, rules, statuses=chosen)
    if case_id is not None:
        found = attrs.evolve(found, cases=tuple(c for c in found.cases if c.case == case_id))
    text = render_affordability(
        found, Names(programme, rules.registry), fmt, units=units or "", width=width
    )
    write_output(output, text, force=force, inputs=programme_inputs(programme))
