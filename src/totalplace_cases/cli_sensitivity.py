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
from .cli_common import (
    Session,
    appraisal_options,
    check_output,
    common_options,
    default_path,
    echo,
    layout_options,
    output_options,
    programme_inputs,
    write_output,
)
from .method.conventions import Options
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
    "histogram of each simulation) as PNG files in this folder (made if need be; a chart "
    "file already there is replaced only with --force).",
)
@appraisal_options
@layout_options
@output_options
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
    force: bool,
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
    path = default_path(path)
    if output is not None:
        check_output(output, force=force)  # before the work, as far as it can tell
    programme, rules = session.load(path, options)
    inputs = programme_inputs(programme)
    if output is not None:
        check_output(output, force=force, inputs=inputs)
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

        drawn = list(charts(result))
        chart_dir.mkdir(parents=True, exist_ok=True)
        # Every chart's file checked before the first is written: all of them, or none.
        for name, _ in drawn:
            check_output(chart_dir / name, force=force, inputs=inputs)
        for name, data in drawn:
            write_output(chart_dir / name, data, force=force, inputs=inputs, quiet=True)
        echo(f"wrote {len(drawn)} charts in {chart_dir}", err=True)
    write_output(output, text, force=force, inputs=inputs)
