"""The ``totalplace count`` and ``totalplace gains`` commands: the baseline and the gains.

Registered on the main command group by :mod:`totalplace_cases.cli`.
"""

from __future__ import annotations

from collections.abc import Callable
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
    write_output,
)
from .errors import InputError, Problem
from .io.casefile import PROGRAMME_FILE
from .method.count import Count
from .periods import FinancialYear, PeriodError, parse_year
from .reports.count import FORMATS, Display, render_count, render_gains

__all__ = ["count", "gains"]

SPEND_SUFFIXES = (".csv", ".xlsx")


def _year(value: str | None) -> FinancialYear | None:
    if value is None:
        return None
    try:
        return parse_year(value)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint="--year") from None


def _count(session: Session, path: Path) -> tuple[Count, object, object]:
    """The count of a programme folder, its programme.toml, or one spend file."""
    from .baseline import count_files, count_programme
    from .models import Programme

    if path.is_file() and path.suffix.lower() in SPEND_SUFFIXES:
        beside = path.parent / PROGRAMME_FILE
        if beside.is_file():
            programme, rules = session.load(beside)
            return count_files([path], rules, programme), programme, rules
        rules = session.rules()
        lone = Programme(id=path.stem)
        return count_files([path], rules, lone, any_agency=True), lone, rules
    programme, rules = session.load(path)
    return count_programme(programme, rules), programme, rules


def _inputs(path: Path, programme: Any) -> list[Path]:
    """What the run read: PATH when it is a file (a lone spend file), and the programme's."""
    return ([path] if path.is_file() else []) + programme_inputs(programme)


def _check_year(count: Count, year: FinancialYear | None) -> None:
    if year is not None and year not in count.years:
        known = ", ".join(map(str, count.years)) or "none"
        raise click.BadParameter(
            f"the count has no {year}; its years: {known}", param_hint="--year"
        )


def _refuse_bad_rows(count: Count) -> None:
    """``--strict``: any rejected row is fatal, and no total is reported."""
    if count.rejected:
        raise InputError(
            Problem(f"{r.reason} (--strict: no total is reported)", file=r.file, line=r.line)
            for r in count.rejected
        )


#: ``--strict`` on ``count`` and ``gains``: a bad spend row is fatal too, not only a plugin.
STRICT_HELP = "Stop, reporting nothing, if any plugin fails to load or any spend row is rejected."


def _options(year_help: str, format_help: str) -> Callable[[Callable], Callable]:
    """PATH, ``--year`` and ``--format``, shared by ``count`` and ``gains``."""

    def decorate(command: Callable) -> Callable:
        command = common_options(command, strict_help=STRICT_HELP)
        command = display_options(format_help, FORMATS)(command)
        command = click.option("--year", metavar="YYYY-YY", help=year_help)(command)
        command = click.argument("path", required=False, type=click.Path(path_type=Path))(command)
        return click.command()(command)

    return decorate


@_options(
    "Show this financial year only.",
    "Tables for a terminal or Markdown, the JSON contract, or one long CSV.",
)
def count(
    session: Session,
    path: Path | None,
    year: str | None,
    fmt: str,
    units: str | None,
    width: int | None,
    output: Path | None,
    force: bool,
) -> None:
    """Count the public spend in the place: PATH's baseline spend files, or one spend file.

    Prints each file's control totals (lines read, counted, rejected; totals) and the spend by
    agency, category, theme and funder, with shares, per head and the change between years.
    Bad rows are listed with file and line and not counted; with --strict any bad row is fatal.
    Without PATH, counts the bundled Kent example.
    """
    chosen = _year(year)
    path = default_path(path)
    if output is not None:
        check_output(output, force=force)  # before the work, as far as it can tell
    result, programme, rules = _count(session, path)
    if session.strict:
        _refuse_bad_rows(result)
    _check_year(result, chosen)
    if result.rejected:
        click.echo(
            f"warning: {len(result.rejected)} row{'s' if len(result.rejected) != 1 else ''} "
            "rejected and not counted (listed in the output with their file and line)",
            err=True,
        )
    display = _display(programme, rules, units, width)
    chosen_year = None if chosen is None else str(chosen)
    text = render_count(result, fmt, chosen_year, display)
    write_output(output, text, force=force, inputs=_inputs(path, programme))


def _display(programme: Any, rules: Any, units: str | None, width: int | None) -> Display:
    """Names, units and width for the terminal tables."""
    from .reports.names import Names

    return Display(Names(programme, rules.registry), units or "", width)


@_options(
    "The baseline year (default: the count's last).",
    "A table for a terminal or Markdown, the JSON contract, or CSV.",
)
def gains(
    session: Session,
    path: Path | None,
    year: str | None,
    fmt: str,
    units: str | None,
    width: int | None,
    output: Path | None,
    force: bool,
) -> None:
    """Show the cashable gains of the cases approved, in delivery or closed, against the
    counted baseline spend they reduce.

    Per agency, category and theme: the baseline, the gains by year from cases approved, in
    delivery or closed, and the gains as a share of the baseline; a row whose gains exceed its
    baseline is flagged. Without PATH, uses the bundled Kent example.
    """
    from .baseline import count_programme, programme_gains

    chosen = _year(year)
    path = default_path(path)
    if output is not None:
        check_output(output, force=force)  # before the work, as far as it can tell
    programme, rules = session.load(path)
    result = count_programme(programme, rules)
    if session.strict:
        _refuse_bad_rows(result)
    _check_year(result, chosen)
    found = programme_gains(programme, result, rules, chosen)
    text = render_gains(found, fmt, _display(programme, rules, units, width))
    write_output(output, text, force=force, inputs=_inputs(path, programme))
