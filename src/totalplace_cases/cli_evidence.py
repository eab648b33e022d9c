"""``totalplace evidence``: the evidence return for central government, and ``evidence diff``.

``totalplace evidence [PATH] --format html|xlsx|md|csv|json --out DEST`` writes the pack
(``make`` is the default subcommand); ``totalplace evidence diff OLD.json NEW.json`` lists
every figure that differs between two JSON returns.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import click

from . import pipeline
from .cli import Session, _default_path, common_options
from .errors import TotalPlaceError
from .io.atomic import write_bytes
from .reports.pack import PACK_FORMATS

__all__ = ["evidence"]


class _DefaultMake(click.Group):
    """A group whose first word may be a PATH: with no subcommand named, the words are
    ``make``'s (``totalplace evidence cases/kent ...`` is ``totalplace evidence make ...``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        named = any(arg in self.commands for arg in args)
        if not named and not (args and args[0] in ("-h", "--help")):
            args = ["make", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultMake)
@click.option(
    "--plugin",
    "plugins",
    multiple=True,
    type=click.Path(exists=True, path_type=str),
    help="Load a local plugin file or folder (may be repeated).",
)
@click.option("--strict", is_flag=True, help="Stop if any plugin fails to load.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def evidence(ctx: click.Context, plugins: tuple[str, ...], strict: bool, debug: bool) -> None:
    """The evidence return for central government, in HTML, Excel, Markdown, CSV or JSON.

    \b
    totalplace evidence cases/kent --format xlsx --out kent.xlsx
    totalplace evidence diff OLD.json NEW.json
    """
    ctx.obj = Session(plugins, strict, debug)


def _with_group(session: Session) -> Session:
    """The subcommand's options joined with those given before it (``evidence --plugin P``)."""
    given = click.get_current_context().find_object(Session)
    if given is None or given is session:
        return session
    return Session(
        given.plugins + session.plugins,
        given.strict or session.strict,
        given.debug or session.debug,
    )


def pack_for(
    session: Session,
    path: Path,
    *,
    as_at: str,
    charts: bool = True,
) -> tuple[Any, Any, Any, Any]:
    """Load, appraise and build the pack of the programme at ``path``."""
    from .reports.evidence import collect_evidence
    from .reports.pack.build import build_pack, made_for

    programme, rules = session.load(path)
    appraisal = pipeline.appraise(programme, rules=rules)
    made = made_for(programme, rules, as_at=as_at)
    tables = collect_evidence(rules, appraisal, programme)
    pack = build_pack(programme, rules, appraisal, made, evidence=tables, charts=charts)
    return programme, rules, appraisal, pack


@evidence.command("make")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="html",
    show_default=True,
    help="html, xlsx, md, csv (a folder of files) or json; or a format a plugin adds.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="The file to write (for csv, the folder).",
)
@click.option(
    "--as-at",
    "as_at",
    metavar="WHEN",
    help="Make the pack as at this moment (2012-03-31, or 2012-03-31T12:00 UTC); the same "
    "inputs as at the same moment give the same bytes. Default: now.",
)
@click.option("--force", is_flag=True, help="Replace DEST if it exists.")
@click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False),
    help="A folder of HTML templates to use before the built-in ones "
    "(default: the programme's [evidence] templates).",
)
@common_options
def make(
    session: Session,
    path: Path | None,
    fmt: str,
    out: Path,
    as_at: str | None,
    force: bool,
    templates: Path | None,
) -> None:
    """Write the evidence pack of PATH (default: the bundled Kent example) to --out."""
    session = _with_group(session)
    path = _default_path(path)
    moment = parse_as_at(as_at)
    programme, rules, appraisal, pack = pack_for(session, path, as_at=moment, charts=fmt == "html")
    inputs = [Path(p) for p in _inputs(programme)]
    if fmt in PACK_FORMATS:
        from .reports.pack import render_pack

        folder = templates or programme.evidence_templates
        written = render_pack(pack, fmt, templates=folder)
    else:
        written = _plugin_format(rules, fmt, appraisal, pack)
    if isinstance(written, dict):
        write_folder(out, written, force=force, inputs=inputs)
    else:
        check_destination(out, force=force, inputs=inputs)
        write_bytes(out, written)
    click.echo(f"wrote {out}", err=True)


def _inputs(programme: Any) -> list[Path]:
    from .reports.pack.build import input_files

    return input_files(programme)


def _plugin_format(rules: Any, fmt: str, appraisal: Any, pack: Any) -> bytes:
    """A format a plugin registered, given the pack's tables as evidence tables."""
    from .reports.pack.plugins import pack_evidence_tables

    formats = rules.registry.formats()
    known = sorted(set(PACK_FORMATS) | (set(formats) - {"table", "markdown", "json"}))
    if fmt not in formats or fmt in ("table", "markdown"):
        raise click.BadParameter(
            f"unknown format '{fmt}'; choose from {', '.join(known)}", param_hint="--format"
        )
    return rules.render(formats[fmt], appraisal, pack_evidence_tables(pack)).encode("utf-8")


def parse_as_at(text: str | None) -> str:
    """``--as-at`` as a UTC moment in the register's form (``2012-03-31T23:59:59.999999Z``);
    a date alone is the end of that day; none is now."""
    import datetime as _dt

    import pendulum

    form = "%Y-%m-%dT%H:%M:%S.%fZ"
    if text is None:
        return pendulum.now("UTC").strftime(form)
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = _dt.date.fromisoformat(raw)
            moment = pendulum.datetime(day.year, day.month, day.day, 23, 59, 59, 999999)
        else:
            moment = pendulum.parse(raw, tz="UTC")
    except Exception:  # pendulum raises several kinds of parser error
        raise TotalPlaceError(
            f'--as-at: expected a moment like "2012-03-31T12:00" (UTC), '
            f'"2012-03-31T12:00+01:00" or "2012-03-31", found "{text}"'
        ) from None
    if not isinstance(moment, pendulum.DateTime):
        raise TotalPlaceError(f'--as-at: expected a date and time, found "{text}"')
    return moment.in_timezone("UTC").strftime(form)


def check_destination(out: Path, *, force: bool, inputs: list[Path]) -> None:
    """Refuse to write over an input, a folder, or (without --force) an existing file."""
    for source in inputs:
        if out.exists() and source.exists() and out.resolve() == source.resolve():
            raise TotalPlaceError(f"{out} is one of this pack's inputs; write the pack elsewhere")
    if out.is_dir():
        raise TotalPlaceError(f"{out} is a folder; give a file name (a folder is for --format csv)")
    if out.exists() and not force:
        raise TotalPlaceError(f"{out} already exists; pass --force to replace it")
    if not out.parent.is_dir():
        raise TotalPlaceError(f"cannot write {out}: the folder {out.parent} does not exist")


def write_folder(out: Path, files: dict[str, bytes], *, force: bool, inputs: list[Path]) -> None:
    """Write ``files`` into the folder ``out`` whole or not at all: into a new folder beside
    it, then moved into place (an existing folder is replaced only with --force)."""
    resolved = out.resolve()
    for source in inputs:
        if resolved == source.resolve() or resolved in source.resolve().parents:
            raise TotalPlaceError(f"{out} holds this pack's inputs; write the pack elsewhere")
    if out.exists() and not out.is_dir():
        raise TotalPlaceError(f"{out} is a file; --format csv writes a folder")
    if out.exists() and any(out.iterdir()) and not force:
        raise TotalPlaceError(f"{out} already exists and is not empty; pass --force to replace it")
    if not out.parent.is_dir():
        raise TotalPlaceError(f"cannot write {out}: the folder {out.parent} does not exist")
    import os
    import secrets

    staging = out.parent / f".{out.name}.{secrets.token_hex(6)}.tmp"
    staging.mkdir(mode=0o777)
    try:
        for name, data in files.items():
            write_bytes(staging / name, data)
        if out.exists():
            old = out.parent / f".{out.name}.{secrets.token_hex(6)}.old"
            os.replace(out, old)
            os.replace(staging, out)
            shutil.rmtree(old)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


@evidence.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A readable list, or JSON.",
)
@common_options
def diff(session: Session, old: Path, new: Path, fmt: str) -> None:
    """List every figure that differs between two JSON returns (OLD and NEW)."""
    from .reports.pack.diff import diff_returns, read_return, render_diff

    changes = diff_returns(read_return(old), read_return(new))
    click.echo(render_diff(changes, fmt), nl=False)
