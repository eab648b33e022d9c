"""``totalplace evidence``: the evidence return for central government, and ``evidence diff``.

``totalplace evidence [PATH] --format html|xlsx|md|csv|json --out DEST`` writes the pack
(``make`` is the default subcommand); ``totalplace evidence diff OLD.json NEW.json`` lists
every figure that differs between two JSON returns.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import attrs
import click

from . import pipeline
from .cli_common import (
    FORCE_HELP,
    Session,
    check_output,
    common_options,
    default_path,
    programme_inputs,
    session_options,
    write_output,
)
from .errors import InputError, Problem, TotalPlaceError
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
@session_options
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


@attrs.define
class Made:
    """A pack and what it was made from: the programme, its plugins, its appraisal, and the
    register it read (its location, and whether there was one)."""

    programme: Any
    rules: Any
    appraisal: Any
    pack: Any
    location: Any = None


def pack_for(
    session: Session,
    path: Path,
    *,
    as_at: str,
    register_url: str | None = None,
    charts: bool = True,
) -> Made:
    """Load, appraise, read the register as at ``as_at`` and build the pack of ``path``."""
    from .io.digest import file_sha256, input_name
    from .method.affordability import affordability
    from .reports.evidence import collect_evidence
    from .reports.pack.build import build_pack, made_for, programme_folder
    from .textfile import CHANGED_WHILE_READ, recording

    # The pack names each input by the digest of the bytes its figures were read from: the
    # case files as read, and a spend file (streamed by the count) refused if it changed
    # while it was being counted.
    with recording() as read:
        programme, rules = session.load(path)
    appraisal = pipeline.appraise(programme, rules=rules)
    count = gains = None
    if programme.baseline:
        from .baseline import count_programme, programme_gains

        spend_before = {Path(f): file_sha256(f) for f in programme.baseline}
        count = count_programme(programme, rules)
        gains = programme_gains(programme, count, rules)
        for spend, digest in spend_before.items():
            if file_sha256(spend) != digest:
                raise InputError([Problem(CHANGED_WHILE_READ, file=spend)])
            read.setdefault(spend.resolve(), digest)
    location, report, note, digest = _register_status(programme, rules, as_at, register_url)
    extra = [(f"register as at {as_at}", digest)] if digest else []
    made = made_for(programme, rules, as_at=as_at, extra_inputs=extra, read=read)
    if note is not None and location is not None and location.path is not None:
        note = note.format(where=input_name(location.path, programme_folder(programme)))
    pack = build_pack(
        programme,
        rules,
        appraisal,
        made,
        evidence=collect_evidence(rules, appraisal, programme),
        realisation=report,
        realisation_note=note or "",
        count=count,
        gains=gains,
        charts=charts,
        affordability=affordability(programme, rules),
    )
    return Made(programme, rules, appraisal, pack, location)


def _register_status(programme: Any, rules: Any, as_at: str, register_url: str | None):
    """The register's location, its status as at ``as_at`` and its digest; or, when there is
    no register yet, a note saying so (with ``{where}`` for its name)."""
    from .io.register.location import locate

    if programme.source is None:
        return None, None, "A single case file has no benefits register.", None
    location = locate(Path(programme.source), programme.register, register_url)
    if location.path is not None and not location.path.exists():
        return location, None, "No benefits register yet ({where}): nothing is tracked.", None
    from .io.register.snapshot import register_digest
    from .io.register.store import open_register
    from .io.register.tracking import status

    with open_register(location) as register:
        if register.empty:
            return location, None, "The benefits register is empty: nothing is tracked.", None
        report = status(register, programme, rules, as_at=as_at)
        return location, report, None, register_digest(register, as_at)


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
@click.option("--force", is_flag=True, help=FORCE_HELP)
@click.option(
    "--register",
    "register_url",
    metavar="URL",
    help="The benefits register: a SQLite file or a postgresql:// URL (default: the programme's).",
)
@click.option(
    "--certify",
    is_flag=True,
    help="Record the pack in the register as a certified return (its SHA-256, who, when, as at).",
)
@click.option("--by", metavar="NAME", help="The officer who certifies the return (--certify).")
@click.option(
    "--reason",
    help="Why a return is certified again (a resubmission supersedes the last certified one).",
)
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
    register_url: str | None,
    certify: bool,
    by: str | None,
    reason: str | None,
    templates: Path | None,
) -> None:
    """Write the evidence pack of PATH (default: the bundled Kent example) to --out.

    With --certify --by NAME, the pack is also recorded in the benefits register as a
    certified return; it can be made again, byte for byte, with the same inputs and --as-at.
    """
    from .io.register.tracking import parse_moment

    session = _with_group(session)
    if certify and not by:
        raise click.UsageError("--certify needs --by NAME: the officer who certifies the return")
    if (by or reason) and not certify:
        raise click.UsageError("--by and --reason go with --certify")
    path = default_path(path)
    if fmt != "csv":
        check_output(out, force=force)  # before the work, as far as it can tell
    moment = parse_moment(as_at) if as_at is not None else _now()
    made = pack_for(session, path, as_at=moment, register_url=register_url)
    programme, rules, appraisal, pack = made.programme, made.rules, made.appraisal, made.pack
    previous = _previous_return(made, fmt, reason) if certify else None
    inputs = programme_inputs(programme, register_url)
    if fmt in PACK_FORMATS:
        from .reports.pack import render_pack

        folder = templates or programme.evidence_templates
        written = render_pack(pack, fmt, templates=folder)
    else:
        written = _plugin_format(rules, fmt, appraisal, pack)
    if isinstance(written, dict):
        write_folder(out, written, force=force, inputs=inputs)
        click.echo(f"wrote {out}", err=True)
    else:
        write_output(out, written, force=force, inputs=inputs)
    if certify:
        number, sha = _certify(made, fmt, written, by or "", reason, previous)
        click.echo(
            f"certified return {number} by {by}: SHA-256 {sha}, as at {moment}"
            + (f" (supersedes return {previous})" if previous else "")
            + f"; in {made.location}"
        )


def _now() -> str:
    from .io.register.store import now_text

    return now_text()


def pack_sha256(written: bytes | dict[str, bytes]) -> str:
    """A pack's SHA-256: of its bytes, or (a folder of CSV files) of the ``sha256sum`` list of
    its files."""
    import hashlib

    from .io.digest import combined_sha256

    if isinstance(written, bytes):
        return hashlib.sha256(written).hexdigest()
    return combined_sha256(
        (name, hashlib.sha256(data).hexdigest()) for name, data in written.items()
    )


def _previous_return(made: Made, fmt: str, reason: str | None) -> int | None:
    """The programme's last certified return in ``fmt`` (which a new one supersedes); a
    resubmission needs a reason, checked before anything is written."""
    if made.location is None:
        raise TotalPlaceError("a single case file has no register to certify a return in")
    from .io.register.store import open_register

    with open_register(made.location) as register:
        returns = [
            r
            for r in register.returns()
            if r.programme == made.pack.programme_id and r.format == fmt
        ]
    superseded = {r.supersedes for r in returns}
    latest = [r for r in returns if r.id not in superseded]
    if latest and not reason:
        last = latest[-1]
        raise TotalPlaceError(
            f"return {last.id} ({fmt}, as at {last.as_at}, certified by {last.certified_by}) "
            "is already certified; a resubmission supersedes it: give --reason"
        )
    if reason and not latest:
        raise TotalPlaceError("--reason is for a resubmission; no return is certified yet")
    return latest[-1].id if latest else None


def _certify(
    made: Made,
    fmt: str,
    written: bytes | dict[str, bytes],
    by: str,
    reason: str | None,
    previous: int | None,
) -> tuple[int, str]:
    import json as _json

    from .io.register.store import CertifiedReturn, open_register

    pack = made.pack
    sha = pack_sha256(written)
    inputs = _json.dumps(
        [{"name": name, "sha256": digest} for name, digest in pack.made.inputs],
        separators=(",", ":"),
    )
    record = CertifiedReturn(
        programme=pack.programme_id,
        format=fmt,
        sha256=sha,
        as_at=pack.made.as_at,
        inputs=inputs,
        library_version=pack.made.library_version,
        certified_by=by,
        supersedes=previous,
        reason=reason if previous else None,
    )
    with open_register(made.location, create=True) as register:
        return register.add_return(record), sha


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


def write_folder(out: Path, files: dict[str, bytes], *, force: bool, inputs: list[Path]) -> None:
    """Write ``files`` into the folder ``out`` whole or not at all: into a new folder beside
    it, then moved into place (an existing folder is replaced only with --force)."""
    if out.is_symlink():
        raise TotalPlaceError(f"{out} is a symbolic link; write the folder elsewhere")
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
