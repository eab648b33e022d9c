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
import functools
import sys
import tomllib
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from . import __version__, pipeline
from .display import clean, shown
from .errors import TotalPlaceError
from .io.atomic import check_destination, write_text
from .io.fields import check_id
from .io.tomlwrite import toml_string
from .method.appraisal import statuses_counted
from .method.conventions import Options
from .models import STATUSES, Programme
from .periods import PeriodError, parse_year
from .plugins import Rules
from .resources import bundled

__all__ = ["main"]

EXIT_INPUT = 2
#: An internal error: a bug in the tool or in a plugin (EX_SOFTWARE in sysexits.h).
EXIT_BUG = 70


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print ``text`` with every control character escaped (line breaks and tabs kept)."""
    click.echo(clean(text), err=err, nl=nl)


def internal_error(exc: BaseException, debug: bool) -> None:
    """Report an unexpected exception on one line (its traceback with ``--debug``); exit 70."""
    if debug:
        echo(traceback.format_exc(), err=True, nl=False)
    detail = shown(str(exc), 300)
    echo(
        f"error: internal error (this is a bug): {type(exc).__name__}"
        + (f": {detail}" if detail else "")
        + "; run the command again with --debug to see the traceback, and report it",
        err=True,
    )
    sys.exit(EXIT_BUG)


class Session:
    """What the options common to every command decide: plugins, strictness, debugging.

    Every command reaches its programme and plugins through :mod:`totalplace_cases.pipeline`,
    which reads ``programme.toml`` once.
    """

    def __init__(self, plugins: tuple[str, ...], strict: bool, debug: bool):
        self.plugins = plugins
        self.strict = strict
        self.debug = debug

    def rules(self, path: Path | None = None) -> Rules:
        """The plugins for ``path``'s programme (or none) and ``--plugin``, without the cases."""
        return self._warn(pipeline.plugin_host(path, plugins=self.plugins, strict=self.strict))

    def load(self, path: Path, options: Options | None = None) -> tuple[Programme, Rules]:
        """The programme at ``path``, validated (with ``options``, the choices appraise will
        override), and the plugins it was checked against; its warnings printed."""
        loaded = pipeline.load_programme(
            path, plugins=self.plugins, strict=self.strict, on_plugins=self._warn, options=options
        )
        for warning in loaded.programme.warnings:
            echo(f"warning: {warning}", err=True)
        return loaded.programme, loaded.rules

    def _warn(self, rules: Rules) -> Rules:
        for failure in rules.failures:
            echo(f"warning: {failure} (skipped)", err=True)
            if self.debug and failure.trace:
                echo(failure.trace, err=True)
        return rules


#: What ``--strict`` does on every command; a command that makes more problems fatal says so in
#: its own help (``common_options(command, strict_help=...)``).
STRICT_HELP = "Stop if any plugin fails to load (instead of skipping it with a warning)."


def common_options(
    command: Callable[..., Any], *, strict_help: str = STRICT_HELP
) -> Callable[..., Any]:
    """``--plugin``, ``--strict`` and ``--debug`` on every command, and clean error exits."""

    @click.option(
        "--plugin",
        "plugins",
        multiple=True,
        type=click.Path(exists=True, path_type=str),
        help="Load a local plugin file or folder (may be repeated).",
    )
    @click.option("--strict", is_flag=True, help=strict_help)
    @click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
    @functools.wraps(command)
    def wrapper(
        *args: Any, plugins: tuple[str, ...], strict: bool, debug: bool, **kwargs: Any
    ) -> Any:
        session = Session(plugins, strict, debug)
        try:
            return command(session, *args, **kwargs)
        except TotalPlaceError as exc:
            if debug:
                echo(traceback.format_exc(), err=True, nl=False)
            echo(f"error: {exc}", err=True)
            sys.exit(EXIT_INPUT)
        except OSError as exc:
            if debug:
                echo(traceback.format_exc(), err=True, nl=False)
            where = f" {exc.filename}" if exc.filename else ""
            echo(f"error:{where}: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_INPUT)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # the last resort: a bug, reported without a traceback
            internal_error(exc, debug)

    return wrapper


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


def _default_path(path: Path | None) -> Path:
    """PATH, or the bundled Kent example when none is given."""
    if path is not None:
        return path
    kent = bundled("cases", "kent")
    echo(f"no PATH given: using the bundled Kent example ({kent})", err=True)
    return kent


def status_option(given: str | None) -> tuple[str, ...] | None:
    """``--status LIST``: the statuses named, comma-separated, each checked (None if not given).

    A list that names none is refused: it would count no case at all."""
    if given is None:
        return None
    named = [s.strip() for s in given.split(",") if s.strip()]
    if not named:
        raise click.BadParameter(
            f"expected one or more statuses, comma-separated (of {', '.join(STATUSES)}), "
            f'found "{shown(given, 60)}"',
            param_hint="--status",
        )
    try:
        return statuses_counted(named)
    except TotalPlaceError as exc:
        raise click.BadParameter(str(exc), param_hint="--status") from None


def appraisal_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that override the case files' own choices, shared by validate and appraise
    (so that validate checks exactly what appraise will compute), handed to the command as one
    ``options`` (:class:`~totalplace_cases.method.conventions.Options`)."""

    @click.option(
        "--schedule",
        help="Discount schedule for every case instead of each case's own (e.g. "
        "green-book-2026-reduced, the long-horizon sensitivity test). Health and life values "
        "take the health rate per benefit line: discount_schedule in the line.",
    )
    @click.option("--price-base", metavar="YYYY-YY", help="Report in this financial year's prices.")
    @click.option("--discount-base", metavar="YYYY-YY", help="Discount every case to this year.")
    @click.option(
        "--timing",
        type=click.Choice(["start", "mid"]),
        help="Discount flows at the start (Green Book default) or middle of each year.",
    )
    @click.option(
        "--status",
        "statuses",
        metavar="LIST",
        help="The statuses whose cases count in the programme totals, comma-separated (of "
        f"{', '.join(STATUSES)}). Default: all but rejected and withdrawn, which are still "
        "appraised and listed.",
    )
    @functools.wraps(command)
    def wrapper(
        *args: Any,
        schedule: str | None,
        price_base: str | None,
        discount_base: str | None,
        timing: str | None,
        statuses: str | None,
        **kwargs: Any,
    ) -> Any:
        years = {}
        for name, value in (("--price-base", price_base), ("--discount-base", discount_base)):
            if value is not None:
                try:
                    years[name[2:].replace("-", "_")] = parse_year(value)
                except PeriodError as exc:
                    raise click.BadParameter(str(exc), param_hint=name) from None
        options = Options(
            schedule=schedule, timing=timing, statuses=status_option(statuses), **years
        )
        return command(*args, options=options, **kwargs)

    return wrapper


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@appraisal_options
@common_options
def validate(session: Session, path: Path | None, options: Options) -> None:
    """Check a programme folder or case file; report every problem with file, line and field.

    Everything appraise would stop on is found here first. Give the options appraise will be
    given (--price-base ...) to check them too. Without PATH, checks the bundled Kent example.
    """
    path = _default_path(path)
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
    type=click.Path(path_type=Path),
    help="Write to this file (atomically) instead of standard output; it must not exist.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the --output file if it exists (never one of the run's own input files).",
)
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
    path = _default_path(path)
    if output is not None:
        check_destination(output, replace=force)  # before the work, as far as it can tell
    programme, rules = session.load(path, options)
    formats = rules.registry.formats()
    if fmt not in formats:
        raise click.BadParameter(
            f"unknown format '{shown(fmt)}'; choose from {', '.join(sorted(formats))}",
            param_hint="--format",
        )
    if output is not None:
        check_destination(output, replace=force, inputs=_inputs(programme))
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
    if output is not None:
        check_destination(output, replace=force, inputs=_inputs(programme))
        write_text(output, text, replace=force)
        echo(f"wrote {output}", err=True)
    else:
        echo(text, nl=False)


def _inputs(programme: Programme) -> list[Path]:
    """The files and plugin folders a run read, which its output must never replace."""
    sources = [programme.source, *(case.source for case in programme.cases)]
    return [p for p in sources if p is not None] + [Path(p) for p in programme.plugins]


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


# Commands that live in their own modules, which use the options above: the benefits register's,
# the count's and the sensitivity tests'.
from .cli_count import count, gains  # noqa: E402
from .cli_sensitivity import sensitivity  # noqa: E402
from .cli_track import track  # noqa: E402

cli.add_command(track)
cli.add_command(count)
cli.add_command(gains)
cli.add_command(sensitivity)


def _register_commands() -> None:
    """Commands that live in their own modules (they import this one for the shared options)."""
    from .cli_cuts import affordability, scenario
    from .cli_evidence import evidence
    from .cli_rollup import rollup

    cli.add_command(evidence)
    cli.add_command(scenario)
    cli.add_command(affordability)
    cli.add_command(rollup)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``totalplace`` console script."""
    try:
        cli.main(args=argv, prog_name="totalplace", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover
        echo("interrupted", err=True)
        sys.exit(130)
