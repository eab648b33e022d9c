"""``totalplace track``: the benefits register, from the command line.

Each command finds its programme the way git finds a repository (the current folder or the
nearest parent holding ``programme.toml``) unless given ``--programme PATH``, and its register
from ``--register URL``, ``TOTALPLACE_REGISTER``, or the programme's ``register`` setting. The
database libraries are imported only when one of these commands runs.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

import click

from .cli_common import (
    FORCE_HELP,
    Session,
    check_output,
    common_options,
    layout_options,
    programme_inputs,
    write_output,
)
from .errors import TotalPlaceError

__all__ = ["track"]


def _register_options(command: Any) -> Any:
    command = click.option(
        "--register",
        "register_url",
        metavar="URL",
        help="The register: a SQLite file or a postgresql:// URL (default: the programme's).",
    )(command)
    return click.option(
        "--programme",
        "programme_path",
        type=click.Path(path_type=Path),
        help="The programme folder (default: the nearest one holding programme.toml).",
    )(command)


def _who(by: str | None) -> str:
    if by is not None:
        return by
    name = os.environ.get("TOTALPLACE_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown"


class Context:
    """A programme, its plugins and its register's location, as a track command needs them."""

    def __init__(self, session: Session, programme_path: Path | None, register_url: str | None):
        from .io.register.location import locate
        from .io.register.tracking import find_programme

        folder = find_programme(programme_path)
        self.programme, self.rules = session.load(folder)
        self.location = locate(folder / "programme.toml", self.programme.register, register_url)
        #: What a command reads, which no file it writes may replace: the programme's files
        #: and the register (when it is a file).
        self.inputs = programme_inputs(self.programme, register_url)
        if self.location.path is not None:
            self.inputs.append(self.location.path)

    def open(self, *, create: bool = False, allow_old: bool = False):
        from .io.register.store import open_register

        return open_register(self.location, create=create, allow_old=allow_old)


@click.group()
def track() -> None:
    """The benefits register: plan against actual, append-only, readable as at any moment.

    Record actuals and forecasts (record, import), freeze each case's plan at approval
    (baseline), and report plan against actual with RAG (status). Nothing is ever changed or
    deleted: a correction is a new entry that supersedes an old one.
    """


@track.command()
@click.argument("case")
@click.option("--approved-by", required=True, metavar="NAME", help="Who approved the plan.")
@click.option("--reason", help="Why the plan is re-baselined (needed after the first baseline).")
@click.option("--by", metavar="NAME", help="Who records it (default: your user name).")
@_register_options
@common_options
def baseline(
    session: Session,
    case: str,
    approved_by: str,
    reason: str | None,
    by: str | None,
    programme_path: Path | None,
    register_url: str | None,
) -> None:
    """Freeze CASE's plan and tolerances in the register, so later edits cannot move them."""
    from .io.register.tracking import baseline_case

    context = Context(session, programme_path, register_url)
    status = next((c.status for c in context.programme.cases if c.id == case), None)
    if status in ("rejected", "withdrawn"):
        click.echo(
            f"warning: {case} is {status}, so it is left out of the programme's totals; "
            "its plan is baselined all the same",
            err=True,
        )
    frozen = baseline_case(
        context.programme,
        context.rules,
        case,
        approved_by=approved_by,
        recorded_by=_who(by),
        reason=reason,
    )
    with context.open(create=True) as register:
        number = register.add_baseline(frozen)
    kind = "re-baselined" if reason else "baselined"
    click.echo(
        f"{kind} {case} (baseline {number}): {len(frozen.lines)} benefit lines, green at "
        f"{frozen.green:%} of plan, amber from {frozen.amber:%}; in {context.location}"
    )


@track.command(context_settings={"ignore_unknown_options": True})
@click.argument("case")
@click.argument("benefit")
@click.argument("period")
@click.argument("amount")
@click.option("--evidence", required=True, help="What the figure rests on (a report, a return).")
@click.option("--by", metavar="NAME", help="Who records it (default: your user name).")
@click.option("--forecast", is_flag=True, help="A forecast for the period, not an actual.")
@click.option("--source", default="", help="Where the figure came from (a system, a file).")
@click.option("--supersedes", type=int, metavar="ID", help="The entry this one corrects.")
@click.option("--reason", help="Why the entry is corrected (with --supersedes).")
@_register_options
@common_options
def record(
    session: Session,
    case: str,
    benefit: str,
    period: str,
    amount: str,
    evidence: str,
    by: str | None,
    forecast: bool,
    source: str,
    supersedes: int | None,
    reason: str | None,
    programme_path: Path | None,
    register_url: str | None,
) -> None:
    """Record an actual (or --forecast) AMOUNT for a benefit line in a PERIOD.

    PERIOD is a financial year (2011-12) or, for a line measured quarterly, a quarter
    (2011-12 Q3). A negative AMOUNT (a dis-benefit, or a shortfall) is written as it is: -5000.
    """
    from .io.register.entries import RawEntry
    from .io.register.tracking import record as record_entry

    context = Context(session, programme_path, register_url)
    raw = RawEntry(
        case=case,
        benefit=benefit,
        period=period,
        amount=amount,
        evidence=evidence,
        kind="forecast" if forecast else "actual",
        source=source,
        recorded_by=_who(by),
        supersedes=supersedes,
        reason=reason,
    )
    with context.open(create=True) as register:
        number = record_entry(register, context.programme, raw, default_by=_who(by))
    click.echo(f"recorded entry {number} in {context.location}")


@track.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@click.option("--by", metavar="NAME", help="Who records rows without recorded_by.")
@_register_options
@common_options
def import_command(
    session: Session,
    file: Path,
    dry_run: bool,
    by: str | None,
    programme_path: Path | None,
    register_url: str | None,
) -> None:
    """Import actuals (and forecasts) from a .csv or .xlsx FILE, all or nothing.

    Header: case,benefit,period,amount,evidence (and optionally kind,source,recorded_by).
    """
    from .io.register.tracking import import_file

    context = Context(session, programme_path, register_url)
    with context.open(create=not dry_run) as register:
        result = import_file(
            register,
            context.programme,
            file,
            default_by=_who(by),
            dry_run=dry_run,
            progress=lambda text: click.echo(text, err=True),
        )
    rows = f"{result.actuals:,} actuals and {result.forecasts:,} forecasts"
    if dry_run:
        click.echo(f"{file}: OK, {rows} would be recorded (dry run: nothing written)")
    else:
        click.echo(f"imported {rows} from {file} into {context.location}")


@track.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--case", "case_id", metavar="ID", help="Only this case.")
@click.option("--as-at", "as_at", metavar="WHEN", help="The register as known then (UTC).")
@click.option("--period", metavar="PERIOD", help="To the end of this year or quarter.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@layout_options
@_register_options
@common_options
def status(
    session: Session,
    path: Path | None,
    case_id: str | None,
    as_at: str | None,
    period: str | None,
    fmt: str,
    units: str | None,
    width: int | None,
    programme_path: Path | None,
    register_url: str | None,
) -> None:
    """Plan against actual for every tracked benefit line: variance, %, RAG, forecast outturn.

    PATH (or --programme) is the programme folder.
    """
    from .io.register.tracking import parse_moment
    from .io.register.tracking import status as make_status
    from .reports.realisation import status_csv, status_json, status_text

    if path is not None and programme_path is not None and path != programme_path:
        raise click.UsageError("give the programme once: PATH or --programme")
    moment = parse_moment(as_at) if as_at is not None else None
    context = Context(session, path or programme_path, register_url)
    with context.open() as register:
        report = make_status(
            register, context.programme, context.rules, as_at=moment, period=period, case=case_id
        )
    if fmt == "table":
        from .reports.names import Names

        text = status_text(
            report,
            names=Names(context.programme, context.rules.registry),
            titles={case.id: case.title for case in context.programme.cases},
            units=units or "",
            width=width,
        )
    else:
        text = {"json": status_json, "csv": status_csv}[fmt](report)
    click.echo(text, nl=False)


@track.command()
@click.argument("case")
@click.argument("benefit")
@click.option("--as-at", "as_at", metavar="WHEN", help="The register as known then (UTC).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@_register_options
@common_options
def history(
    session: Session,
    case: str,
    benefit: str,
    as_at: str | None,
    fmt: str,
    programme_path: Path | None,
    register_url: str | None,
) -> None:
    """Every entry ever recorded for a benefit line, corrections and what they replaced."""
    from .io.register.tracking import history as line_history
    from .io.register.tracking import parse_moment
    from .reports.realisation import entries_csv, entries_json, history_text

    moment = parse_moment(as_at) if as_at is not None else None
    context = Context(session, programme_path, register_url)
    with context.open() as register:
        entries, corrected_by = line_history(register, case, benefit, as_at=moment)
    if not entries:
        _known_line(context.programme, case, benefit)
    if fmt == "json":
        click.echo(entries_json(entries, corrected_by), nl=False)
    elif fmt == "csv":
        click.echo(entries_csv(entries), nl=False)
    else:
        click.echo(history_text(case, benefit, entries, corrected_by), nl=False)


def _known_line(programme: Any, case: str, benefit: str) -> None:
    """Refuse a case or benefit line that neither the programme nor the register knows."""
    found = next((c for c in programme.cases if c.id == case), None)
    if found is None:
        raise TotalPlaceError(f'unknown case "{case}", and the register has no entries for it')
    benefits = sorted(b.id for b in found.preferred_option.benefits)
    if benefit not in benefits:
        raise TotalPlaceError(
            f'case "{case}" has no benefit "{benefit}", and the register has no entries for it; '
            f"its benefits: {', '.join(benefits) or 'none'}"
        )


@track.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--as-at", "as_at", metavar="WHEN", help="Only what was recorded by then (UTC).")
@click.option("--force", is_flag=True, help=FORCE_HELP)
@_register_options
@common_options
def export(
    session: Session,
    file: Path,
    as_at: str | None,
    force: bool,
    programme_path: Path | None,
    register_url: str | None,
) -> None:
    """Write every entry, superseded ones too, to a CSV FILE for audit (``-``: standard
    output)."""
    from .io.register.tracking import parse_moment
    from .reports.realisation import entries_csv

    moment = parse_moment(as_at) if as_at is not None else None
    context = Context(session, programme_path, register_url)
    if str(file) == "-":
        with context.open() as register:
            entries = register.entries(as_at=moment)
        click.echo(entries_csv(entries), nl=False)
        return
    check_output(file, force=force, inputs=context.inputs)
    with context.open() as register:
        entries = register.entries(as_at=moment)
    write_output(file, entries_csv(entries), force=force, inputs=context.inputs, quiet=True)
    click.echo(f"wrote {len(entries):,} entries to {file}")


@track.command()
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help=FORCE_HELP)
@_register_options
@common_options
def backup(
    session: Session,
    dest: Path,
    force: bool,
    programme_path: Path | None,
    register_url: str | None,
) -> None:
    """Copy the register to DEST, consistently even while others record (SQLite's online
    backup; pg_dump for PostgreSQL)."""
    from .io.register.migrate import backup as make_backup

    context = Context(session, programme_path, register_url)
    check_output(dest, force=force, inputs=context.inputs)
    with context.open(allow_old=True) as register:
        make_backup(register, dest, replace=force)
    click.echo(f"backed up {context.location} to {dest}")


@track.command()
@click.option("--no-backup", is_flag=True, help="Do not back up first (you have a backup).")
@_register_options
@common_options
def upgrade(
    session: Session, no_backup: bool, programme_path: Path | None, register_url: str | None
) -> None:
    """Bring the register's schema up to this library's version, backing it up first."""
    from .io.register.migrate import backup as make_backup
    from .io.register.migrate import default_backup_path
    from .io.register.migrate import upgrade as migrate
    from .io.register.schema import HEAD

    context = Context(session, programme_path, register_url)
    with context.open(allow_old=True) as register:
        if register.empty:
            raise TotalPlaceError(f"there is no register at {context.location} to upgrade")
        if register.version == HEAD:
            click.echo(f"{context.location} is already at schema version {HEAD}")
            return
        if not no_backup:
            destination = default_backup_path(register)
            make_backup(register, destination)
            click.echo(f"backed up {context.location} to {destination}", err=True)
        before, after = migrate(register)
    click.echo(f"upgraded {context.location} from schema version {before} to {after}")
