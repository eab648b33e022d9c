"""What every ``totalplace`` command shares: its session, its common options, and its output.

The commands live in ``cli.py`` and ``cli_*.py``; each imports what it shares from here, and
``cli.py`` gathers them into one group. Nothing here imports a command module, so any of them
can be imported on its own (no import cycle).

Output to a file (``-o``/``--output``, ``--out``, ``--chart``, ``track export``) goes through
:func:`check_output` and :func:`write_output`: written atomically with the user's umask
(:mod:`totalplace_cases.io.atomic`), never over one of the run's inputs (case files,
``programme.toml``, spend files, plugin folders, the register), and over an existing file only
with ``--force``.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from . import pipeline
from .display import clean, shown
from .errors import TotalPlaceError
from .method.appraisal import statuses_counted
from .method.conventions import Options
from .models import STATUSES, Programme
from .periods import PeriodError, parse_year
from .plugins import Rules
from .resources import bundled

__all__ = [
    "EXIT_BUG",
    "EXIT_INPUT",
    "FORCE_HELP",
    "STRICT_HELP",
    "Session",
    "appraisal_options",
    "check_output",
    "common_options",
    "default_path",
    "display_options",
    "echo",
    "internal_error",
    "layout_options",
    "output_options",
    "programme_inputs",
    "session_options",
    "status_option",
    "write_output",
    "year_option",
]

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


def session_options(
    command: Callable[..., Any], *, strict_help: str = STRICT_HELP
) -> Callable[..., Any]:
    """The options a :class:`Session` is made of: ``--plugin``, ``--strict`` and ``--debug``
    (on every command through :func:`common_options`, and on a group such as ``evidence``)."""
    command = click.option("--debug", is_flag=True, help="Show tracebacks for errors.")(command)
    command = click.option("--strict", is_flag=True, help=strict_help)(command)
    return click.option(
        "--plugin",
        "plugins",
        multiple=True,
        type=click.Path(exists=True, path_type=str),
        help="Load a local plugin file or folder (may be repeated).",
    )(command)


def common_options(
    command: Callable[..., Any], *, strict_help: str = STRICT_HELP
) -> Callable[..., Any]:
    """``--plugin``, ``--strict`` and ``--debug`` on every command, and clean error exits."""

    @functools.partial(session_options, strict_help=strict_help)
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


def default_path(path: Path | None) -> Path:
    """PATH, or the bundled Kent example when none is given."""
    if path is not None:
        return path
    kent = bundled("cases", "kent")
    echo(f"no PATH given: using the bundled Kent example ({kent})", err=True)
    return kent


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
        chosen = status_option(statuses)
        options = Options(schedule=schedule, timing=timing, statuses=chosen, **years)
        return command(*args, options=options, **kwargs)

    return wrapper


def status_option(statuses: str | None) -> tuple[str, ...] | None:
    """``--status LIST``: the statuses named, comma-separated, each checked (None if not given).

    An unknown status is a usage error, and so is a list that names none: it would count no
    case at all."""
    if statuses is None:
        return None
    named = [s.strip() for s in statuses.split(",") if s.strip()]
    if not named:
        raise click.BadParameter(
            f"expected one or more statuses, comma-separated (of {', '.join(STATUSES)}), "
            f'found "{shown(statuses, 60)}"',
            param_hint="--status",
        )
    try:
        return statuses_counted(named)
    except TotalPlaceError as exc:
        raise click.BadParameter(str(exc), param_hint="--status") from None


def year_option(value: str | None, option: str):
    """A ``YYYY-YY`` option's financial year (None when not given); a bad one a usage error."""
    if value is None:
        return None
    try:
        return parse_year(value)
    except PeriodError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


# --- output files ------------------------------------------------------------------------------

#: ``--force``'s help wherever a command writes a file.
FORCE_HELP = "Replace the output file if it exists (never one of the run's own input files)."


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``-o``/``--output FILE`` and ``--force``, as every command that prints a report has them
    (handed to the command as ``output`` and ``force``)."""
    command = click.option("--force", is_flag=True, help=FORCE_HELP)(command)
    return click.option(
        "--output",
        "-o",
        type=click.Path(path_type=Path),
        help="Write to this file (atomically) instead of standard output; it must not exist "
        "unless --force.",
    )(command)


def layout_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--units`` and ``--width``: how the table format shows money and how wide it is."""
    command = click.option(
        "--width",
        type=click.IntRange(40, 1000),
        help="Fit the table format to this many columns (default: 100, or the terminal's "
        "width when wider).",
    )(command)
    return click.option(
        "--units",
        type=click.Choice(["k", "m"]),
        help="Show amounts in £k or £m in the table format (default: pounds and pence).",
    )(command)


def display_options(
    format_help: str = "Tables for a terminal or Markdown, the JSON contract, or one long CSV.",
    formats: Iterable[str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format``, ``--units``, ``--width``, ``--output`` and ``--force`` (shared by ``count``,
    ``gains``, ``scenario``, ``affordability`` and ``rollup``)."""
    from .reports.tabletext import FORMATS

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = layout_options(output_options(command))
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(list(formats or FORMATS)),
            default="table",
            show_default=True,
            help=format_help,
        )(command)

    return decorate


def programme_inputs(programme: Programme, register_url: str | None = None) -> list[Path]:
    """Every file a run on ``programme`` reads, which its output must never replace:
    ``programme.toml``, the case files, the count's spend files, the plugin files and folders,
    and the benefits register when it is a file (``register_url`` as ``--register`` gives it)."""
    from .io.digest import input_files

    files = input_files(programme) + [Path(plugin) for plugin in programme.plugins]
    if programme.source is not None:
        from .io.register.location import locate

        try:
            location = locate(Path(programme.source), programme.register, register_url)
        except TotalPlaceError:
            location = None  # a bad location is the register commands' to report
        if location is not None and location.path is not None:
            files.append(location.path)
    return list(dict.fromkeys(files))


def check_output(path: Path, *, force: bool, inputs: Iterable[Path | str] | None = None) -> None:
    """Refuse an output that would lose something (see
    :func:`totalplace_cases.io.atomic.check_destination`).

    With ``inputs`` None (before the work, when the inputs are not yet known) only what can be
    told without them: a symbolic link, a folder, a folder that does not exist. An existing
    file is judged once they are, so that an input is named as one (not "pass --force").
    """
    from .io.atomic import check_destination

    if inputs is None:
        check_destination(path, replace=True)
    else:
        check_destination(path, replace=force, inputs=inputs)


def write_output(
    output: Path | None,
    data: str | bytes,
    *,
    force: bool,
    inputs: Iterable[Path | str] = (),
    quiet: bool = False,
) -> None:
    """``data`` to standard output, or to the file ``output``: checked again against the
    run's ``inputs`` and an existing file, then written atomically with the user's umask, and
    "wrote FILE" said on standard error (unless ``quiet``)."""
    from .io.atomic import write_bytes

    if output is None:
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        echo(data, nl=False)
        return
    check_output(output, force=force, inputs=inputs)
    write_bytes(output, data.encode("utf-8") if isinstance(data, str) else data, replace=force)
    if not quiet:
        echo(f"wrote {output}", err=True)
