"""``totalplace rollup``: evidence returns from several places added up into one national table.

Registered on the main command group by :mod:`totalplace_cases.cli`.
"""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import (
    Session,
    check_output,
    common_options,
    display_options,
    write_output,
    year_option,
)

__all__ = ["rollup"]


@click.command()
@click.argument("returns", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--rebase",
    is_flag=True,
    help="Put returns in different price bases into one with the GDP deflator (other "
    "differences cannot be converted and are still refused).",
)
@click.option(
    "--price-base",
    metavar="YYYY-YY",
    help="With --rebase, the price base to put every return in (default: the latest of theirs).",
)
@display_options("A table for a terminal or Markdown, the JSON contract, or CSV.")
@common_options
def rollup(
    session: Session,
    returns: tuple[Path, ...],
    rebase: bool,
    price_base: str | None,
    fmt: str,
    units: str | None,
    width: int | None,
    output: Path | None,
    force: bool,
) -> None:
    """Add up evidence returns (RETURN.json, from totalplace evidence --format json) of several
    places into one national table: spend counted, cases, present values, cashable savings and
    realignments to and from central departments, by place and in total.

    Returns made with different price bases, discount bases or schedules, parameter vintages
    or case statuses are refused, naming them; --rebase puts different price bases into one.
    """
    from .io.returns import read_returns
    from .method.prices import deflator_from_table
    from .method.rollup import rollup as add_up
    from .models import Settings
    from .reports.rollup import render_rollup

    if output is not None:
        check_output(output, force=force, inputs=returns)
    target = year_option(price_base, "--price-base")
    if target is not None and not rebase:
        raise click.UsageError("--price-base goes with --rebase")
    found = read_returns(returns)
    ratio = deflator = None
    if rebase:
        rules = session.rules()
        table = rules.table(Settings().deflator, "deflator")
        converter = deflator_from_table(table)
        ratio, deflator = converter.ratio, (table.name, table.vintage)
    result = add_up(found, rebase=rebase, price_base=target, ratio=ratio, deflator=deflator)
    files = {item.programme: item.file for item in found}
    text = render_rollup(result, fmt, files=files, units=units or "", width=width)
    write_output(output, text, force=force, inputs=returns)
