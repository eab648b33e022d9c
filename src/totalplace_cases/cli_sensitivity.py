"""The ``totalplace sensitivity`` command: switching values, standard tests, Monte Carlo, charts.

Registered on the main command group by :mod:`totalplace_cases.cli`. It validates the programme
as ``validate`` does, then asks the pipeline (:func:`totalplace_cases.pipeline.sensitivity`),
and writes the result as a table, JSON or CSV, and with ``--chart DIR`` the tornado and
histogram charts.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from . import pipeline
from .cli import Session, _default_path, appraisal_options, common_options
from .errors import TotalPlaceError
from .io.atomic import write_bytes, write_text
from .method.conventions import Options
from .models import Programme
from .reports.sensitivity import FORMATS, render_sensitivity

__all__ = ["sensitivity"]


def _swing(value: str) -> Decimal:
    try:
        swing = Decimal(value)
    except InvalidOperation:
        swing = Decimal("NaN")
    if not swing.is_finite() or not 0 < swing <= 1:
        raise click.BadParameter(
            f"expected a change above 0 and at most 1 (0.2 for ±20%), found {value!r}",
            param_hint="--swing",
        )
    return swing


def _inputs(programme: Programme) -> set[Path]:
    files = {case.source for case in programme.cases if case.source is not None}
    if programme.source is not None:
        files.add(programme.source)
    return {file.resolve() for file in files}


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--draws",
    type=click.IntRange(min=1),
    help="Run a Monte Carlo simulation of this many draws over the ranges the case files give "
    "(uncertainty on their lines). Needs numpy: the analysis extra.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="The simulation's seed: the same seed gives the same figures on any machine.",
)
@click.option(
    "--swing",
    default="0.2",
    show_default=True,
    help="The change of each input for the tornado figures and chart (0.2: ±20%).",
)
@click.option(
    "--chart",
    "chart_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a tornado chart per case and for the programme (and, with --draws, a "
    "histogram of each simulation) as PNG files in this folder.",
)
@appraisal_options
@click.option(
    "--units",
    type=click.Choice(["k", "m"]),
    help="Show amounts in £k or £m in the table format (default: pounds and pence).",
)
@click.option(
    "--width",
    type=click.IntRange(40, 1000),
    help="Fit the table format to this many columns (default: 100, or the terminal's width "
    "when wider).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of standard output.",
)
@common_options
def sensitivity(
    session: Session,
    path: Path | None,
    fmt: str,
    draws: int | None,
    seed: int,
    swing: str,
    chart_dir: Path | None,
    options: Options,
    units: str | None,
    width: int | None,
    output: Path | None,
) -> None:
    """How robust each case in PATH is, and the programme: switching values, the standard tests
    and, with --draws, Monte Carlo.

    Switching values: the change in each main input (costs, each benefit line, deadweight,
    displacement, attribution, cost optimism bias, the discount rates) that takes NPSV to zero
    and BCR to 1, "not within ±100%" where none does. Tests: optimism bias at the Green Book's
    upper and lower bounds, every discount schedule, the 50-year test for cases over 50 years,
    and the programme's [[sensitivities]]. Every point figure comes from the exact engine.
    Without PATH, uses the bundled Kent example.
    """
    change = _swing(swing)
    path = _default_path(path)
    programme, rules = session.load(path, options)
    if output is not None and output.resolve() in _inputs(programme):
        raise TotalPlaceError(f"{output} is one of the programme's own files; choose another")
    result = pipeline.sensitivity(
        programme,
        rules=rules,
        schedule=options.schedule,
        timing=options.timing,
        price_base=options.price_base,
        discount_base=options.discount_base,
        statuses=options.statuses,
        swing=change,
        draws=draws,
        seed=seed,
        progress=True,
    )
    text = render_sensitivity(result, fmt, units=units or "", width=width)
    if chart_dir is not None:
        from .reports.sensitivity_charts import charts

        chart_dir.mkdir(parents=True, exist_ok=True)
        written = 0
        for name, data in charts(result):
            write_bytes(chart_dir / name, data)
            written += 1
        click.echo(f"wrote {written} charts in {chart_dir}", err=True)
    if output is not None:
        write_text(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
