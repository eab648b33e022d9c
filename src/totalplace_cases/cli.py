"""The ``totalplace`` command: validate, appraise, and start programmes and cases.

A user mistake (a bad case file, an unknown option, a missing plugin) is printed as a message
and the command exits with code 2, without a traceback; ``--debug`` shows the traceback. Anything
else that goes wrong is a bug in the tool or a plugin: it is reported on one line as an internal
error with exit code 70, and ``--debug`` shows its traceback too. Everything printed passes
through :func:`~totalplace_cases.display.clean`, so text from a file cannot reach the terminal
as control characters.
"""

from __future__ import annotations

import contextlib
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from . import __version__, pipeline
from .cli_common import (
    EXIT_BUG,
    EXIT_INPUT,
    STRICT_HELP,
    Session,
    appraisal_options,
    check_output,
    common_options,
    default_path,
    echo,
    internal_error,
    layout_options,
    output_options,
    programme_inputs,
    write_output,
)
from .cli_count import count, gains
from .cli_cuts import affordability, scenario
from .cli_evidence import evidence
from .cli_rollup import rollup
from .cli_sensitivity import sensitivity
from .cli_track import track
from .display import clean, shown
from .errors import TotalPlaceError
from .io.atomic import write_text
from .io.fields import check_id
from .io.tomlwrite import toml_string
from .method.conventions import Options
from .resources import bundled

# The shared pieces are importable from here as before (``from totalplace_cases.cli import
# Session``); they live in :mod:`totalplace_cases.cli_common`.
__all__ = [
    "EXIT_BUG",
    "EXIT_INPUT",
    "STRICT_HELP",
    "Session",
    "cli",
    "common_options",
    "echo",
    "internal_error",
    "main",
]


class _CleanStream:
    """A text stream that escapes control characters in the text written to it.

    Every other attribute (``encoding``, ``isatty``, the binary ``buffer`` a command may
    write a workbook to) is the wrapped stream's.
    """

    def __init__(self, stream: Any):
        self._stream = stream

    def write(self, text: Any) -> int:
        return self._stream.write(clean(text) if isinstance(text, str) else text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _clean_output() -> Iterator[None]:
    """Standard output and error cleaned while a command runs: every command, every print."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _CleanStream(stdout), _CleanStream(stderr)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = stdout, stderr


class _Group(click.Group):
    """The command group, whose own errors (click's usage messages) are printed cleaned.

    While a command runs, standard output and error escape control characters
    (:func:`_clean_output`), whichever module prints. click echoes what the user typed ("No such
    option: ...") and the messages commands raise as ``BadParameter``; this prints them cleaned
    too and keeps click's exit codes. An exception that escapes a command's own handling is the
    last-resort internal error.
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            with _clean_output():
                return super().main(*args, standalone_mode=False, **kwargs)
        try:
            with _clean_output():
                result = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.ClickException as exc:
            exc.show(file=_CleanStream(sys.stderr))
            sys.exit(exc.exit_code)
        except click.exceptions.Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):
                echo("interrupted", err=True)
                sys.exit(130)
            echo("Aborted!", err=True)
            sys.exit(1)
        except Exception as exc:
            internal_error(exc, debug=False)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="totalplace")
def cli() -> None:
    """Total Place business cases: count, appraise (HM Treasury Green Book) and report.

    PATH is a programme folder (programme.toml and one .toml file per business case) or a
    single case file. Try: totalplace appraise cases/kent
    """


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@appraisal_options
@common_options
def validate(session: Session, path: Path | None, options: Options) -> None:
    """Check a programme folder or case file; report every problem with file, line and field.

    Everything appraise would stop on is found here first. Give the options appraise will be
    given (--price-base ...) to check them too. Without PATH, checks the bundled Kent example.
    """
    path = default_path(path)
    programme, _ = session.load(path, options)
    cases, agencies = len(programme.cases), len(programme.agencies)
    echo(
        f"{path}: OK ({cases} case{'s' if cases != 1 else ''}, "
        f"{agencies} agenc{'ies' if agencies != 1 else 'y'})"
    )


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    help="Output format: table, markdown, json, or one a plugin adds (see totalplace plugins).",
)
@appraisal_options
@layout_options
@output_options
@common_options
def appraise(
    session: Session,
    path: Path | None,
    fmt: str,
    options: Options,
    units: str | None,
    width: int | None,
    output: Path | None,
    force: bool,
) -> None:
    """Appraise every case in PATH: present values, NPSV, BCR, ROI, payback, VfM, by agency.

    Programme totals count every case but rejected and withdrawn ones (--status chooses);
    those are appraised and listed apart. Without PATH, appraises the bundled Kent example.
    """
    path = default_path(path)
    if output is not None:
        check_output(output, force=force)  # before the work, as far as it can tell
    programme, rules = session.load(path, options)
    formats = rules.registry.formats()
    if fmt not in formats:
        raise click.BadParameter(
            f"unknown format '{shown(fmt)}'; choose from {', '.join(sorted(formats))}",
            param_hint="--format",
        )
    inputs = programme_inputs(programme)
    if output is not None:
        check_output(output, force=force, inputs=inputs)
    result = pipeline.appraise(
        programme,
        rules=rules,
        schedule=options.schedule,
        timing=options.timing,
        price_base=options.price_base,
        discount_base=options.discount_base,
        statuses=options.statuses,
    )
    text = clean(pipeline.render(result, programme, rules, fmt, units=units or "", width=width))
    write_output(output, text, force=force, inputs=inputs)


@cli.command("plugins")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A readable list, or JSON.",
)
@common_options
def plugins_command(session: Session, path: Path | None, fmt: str) -> None:
    """List every plugin: name, version, origin, hooks, what it registered, load failures.

    With PATH, include the local plugins that programme names.
    """
    from .reports.plugin_list import plugin_report

    rules = session.rules(path)
    echo(plugin_report(rules, fmt), nl=False)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@common_options
def init(session: Session, directory: Path) -> None:
    """Start a new programme folder in DIRECTORY from the template."""
    template = bundled("templates", "programme")
    if directory.exists() and not directory.is_dir():
        raise TotalPlaceError(
            f"{directory} already exists and is not a folder; choose a new folder"
        )
    if directory.is_dir() and any(directory.iterdir()):
        raise TotalPlaceError(f"{directory} already exists and is not empty; choose a new folder")
    directory.mkdir(parents=True, exist_ok=True)
    for source in sorted(template.glob("*.toml")):
        write_text(directory / source.name, source.read_text(encoding="utf-8"), replace=False)
    echo(f"created {directory} (edit programme.toml, then: totalplace validate {directory})")


@cli.command("new-case")
@click.option(
    "--category",
    required=True,
    help="The case's counting category (public-realm, community, individual).",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="The case file to create (it must not exist).",
)
@click.option("--id", "case_id", help="The new case's id (default: the file name).")
@click.option(
    "--options",
    "with_options",
    is_flag=True,
    help="Start a case that weighs options: business as usual and two options.",
)
@common_options
def new_case(
    session: Session, category: str, out: Path, case_id: str | None, with_options: bool
) -> None:
    """Write a new business case file for CATEGORY from a template (with --options, one that
    compares options against business as usual)."""
    rules = session.rules(out.parent if (out.parent / "programme.toml").exists() else None)
    known = rules.registry.keys("category")
    if category not in known:
        raise TotalPlaceError(f'unknown category "{shown(category)}"; known: {", ".join(known)}')
    new_id = case_id if case_id is not None else out.stem
    try:
        check_id(new_id, "a case id")
    except ValueError as exc:
        where = "--id" if case_id is not None else f"the file name {shown(out.name)} (or give --id)"
        raise TotalPlaceError(f"{where}: {exc}") from None
    folder = bundled("templates", "case")
    template = folder / ("options.toml" if with_options else f"{category}.toml")
    if not template.exists():
        template = folder / "community.toml"
    if out.exists() or out.is_symlink():
        raise TotalPlaceError(f"{out} already exists; choose another file name")
    text = template.read_text(encoding="utf-8")
    text = _set_field(text, "id", new_id)
    text = _set_field(text, "category", category)
    written = tomllib.loads(text)  # what the file will say: the values exactly as given
    if (written.get("id"), written.get("category")) != (new_id, category):
        raise AssertionError(f"the template did not take the id and category: {text[:200]!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(out, text, replace=False)
    echo(f"created {out}")


def _set_field(text: str, key: str, value: str) -> str:
    """Set a top-level ``key = "..."`` line of a template to ``value``, escaped as TOML."""
    import re

    line = re.compile(rf'^{key}\s*=\s*"[^"\n]*"', re.MULTILINE)
    return line.sub(lambda _: f"{key} = {toml_string(value)}", text, count=1)


for _command in (track, count, gains, sensitivity, evidence, scenario, affordability, rollup):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``totalplace`` console script."""
    try:
        cli.main(args=argv, prog_name="totalplace", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover
        echo("interrupted", err=True)
        sys.exit(130)
