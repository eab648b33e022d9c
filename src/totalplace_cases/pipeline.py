"""One path from files to figures: the programme, its plugins, its cases, the appraisal, the output.

Every command and the Python API (:func:`totalplace_cases.load`,
:func:`totalplace_cases.appraise`) go through here, in this order and once each:

1. find ``programme.toml`` for a path (a programme folder, the file itself, or a case file
   beside it) and read it, once;
2. load the plugins: the built-in ones, the installed ones, the local ones the programme names
   (``plugins = [...]``, each checked to exist) and any given (``--plugin``);
3. read the case files against what the plugins registered, and run every validation rule, so
   that ``validate`` finds everything ``appraise`` would;
4. hand the plugin host to the appraisal (:mod:`totalplace_cases.method`), then to the output
   format that writes the result.

The method never reads files and the readers never appraise: this module is the only place that
knows the order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path

import attrs

from .errors import InputError, Problem, TotalPlaceError
from .io.casefile import PROGRAMME_FILE, ProgrammeRead, load_path
from .io.fields import parse_path
from .io.toml_lines import FieldLines
from .method.appraisal import appraise as appraise_with
from .method.appraisal import statuses_counted
from .method.checks import (
    SETTINGS_TABLES,
    case_problems,
    programme_problems,
    sensitivity_problems,
)
from .method.conventions import Options
from .method.results import Appraisal
from .method.robustness import Sensitivity, SimulationResult
from .models import BusinessCase, Programme
from .periods import FinancialYear, parse_year
from .plugins import Rules, rules_for
from .reports.evidence import collect_evidence
from .scenarios import scenario_problems
from .textfile import read_text

__all__ = [
    "SETTINGS_TABLES",
    "Loaded",
    "affordability",
    "appraise",
    "load",
    "load_programme",
    "local_plugins",
    "plugin_host",
    "programme_file",
    "render",
    "sensitivity",
    "simulate",
]


@attrs.frozen
class Loaded:
    """A programme read and validated, with the plugin host it was checked against."""

    programme: Programme
    rules: Rules


def programme_file(path: Path | str) -> Path:
    """The ``programme.toml`` that governs ``path``: a folder's, the file itself, or a case's.

    The file need not exist (a lone case file has none).
    """
    path = Path(path)
    if path.is_dir():
        return path / PROGRAMME_FILE
    if path.name == PROGRAMME_FILE:
        return path
    return path.parent / PROGRAMME_FILE


def _read_programme(path: Path | str | None) -> ProgrammeRead | None:
    """Step 1: ``programme.toml`` for ``path``, read once; None when there is none."""
    if path is None:
        return None
    file = programme_file(path)
    return ProgrammeRead.of(file) if file.is_file() else None


def _plugin_paths(
    read: ProgrammeRead | None, given: Iterable[str | Path]
) -> tuple[list[str], list[Problem]]:
    """The local plugins to load, absolute: the programme's, then ``given``.

    A path that names no file or folder is an input problem, with the file and line of the
    programme entry that names it (a plugin that exists but fails to import is the host's to
    report, as a warning unless ``strict``).
    """
    local: list[str] = []
    problems: list[Problem] = []
    named = read.programme.plugins if read is not None and read.programme is not None else ()
    lines = None
    for index, entry in enumerate(named):
        if not Path(entry).exists():
            if lines is None:
                lines = FieldLines(_text_of(read.path))
            field = f"programme.plugins[{index}]"
            problems.append(
                Problem(
                    f"no plugin file or folder at {entry}",
                    file=read.path,
                    line=lines.line_of(parse_path(field)),
                    field=field,
                )
            )
        local.append(entry)
    for entry in given:
        if "\0" in str(entry):
            problems.append(Problem("a plugin path cannot hold a NUL character", field="plugins"))
            continue
        resolved = Path(entry).resolve()
        if not resolved.exists():
            problems.append(Problem(f"no plugin file or folder at {resolved}", field="plugins"))
        local.append(str(resolved))
    return list(dict.fromkeys(local)), problems


def _text_of(path: Path) -> str:
    """A file already read once, read again to find a line; empty if it cannot be."""
    try:
        return read_text(path)
    except InputError:
        return ""


def local_plugins(path: Path | str | None, plugins: Iterable[str | Path] = ()) -> list[str]:
    """The local plugins for ``path``'s programme (``plugins = [...]``) and ``plugins``,
    as absolute paths.

    :raises InputError: when one of them names no file or folder.
    """
    local, problems = _plugin_paths(_read_programme(path), plugins)
    if problems:
        raise InputError(problems)
    return local


def plugin_host(
    path: Path | str | None = None, *, plugins: Iterable[str | Path] = (), strict: bool = False
) -> Rules:
    """Steps 1-2 only: the plugins a programme (or none) and ``plugins`` give, loaded once.

    For commands that need the plugins but not the cases (``totalplace plugins``, ``new-case``).

    :raises InputError: when a local plugin path names nothing.
    """
    return rules_for(local_plugins(path, plugins), strict=strict)


def load_programme(
    path: Path | str,
    *,
    plugins: Iterable[str | Path] = (),
    rules: Rules | None = None,
    strict: bool = False,
    on_plugins: Callable[[Rules], object] | None = None,
    options: Options | None = None,
) -> Loaded:
    """Steps 1-3: read ``path`` (a programme folder, its ``programme.toml`` or a case file),
    load its plugins, and validate every case.

    :param plugins: extra local plugin files or folders (as ``--plugin`` gives).
    :param rules: an already loaded plugin host to use instead of loading the plugins.
    :param strict: a plugin that fails to load is an error, not a warning.
    :param on_plugins: called with the plugin host once the plugins are loaded, before the
        cases are read (the command prints the plugins that failed to load, which may be why
        a case does not validate).
    :param options: the choices an appraisal will override (``--price-base`` ...), checked
        with the cases.

    Validation is complete: besides each file's own fields and the plugins' checks, the
    built-in checks take every case through the appraisal's own steps
    (:func:`totalplace_cases.method.checks.case_problems`), so that anything ``appraise`` would
    stop on is reported here, with its file, line and field. Warnings (problems that do not
    stop the appraisal) are kept on ``Programme.warnings``.
    :raises InputError: listing every problem in every file.
    :raises PluginError: when a plugin answers badly or fails (under ``strict``, to load).
    """
    read = _read_programme(path)
    local, problems = _plugin_paths(read, plugins)
    if problems:
        raise InputError(problems)
    if rules is None:
        rules = rules_for(local, strict=strict)
    if on_plugins is not None:
        on_plugins(rules)
    registry = rules.registry
    programme = load_path(
        path,
        categories=frozenset(registry.categories()),
        registered_agencies=dict(registry.agencies()),
        programme_read=read,
    )
    problems = _settings_problems(programme, rules) + scenario_problems(programme, rules)
    options = options or Options()
    problems += [_locate(p, None) for p in programme_problems(programme, rules, options)]
    # A scenario may name cases that a lone case file read beside programme.toml leaves out.
    whole = Path(path).is_dir() or Path(path).name == PROGRAMME_FILE
    problems += [_locate(p, None) for p in sensitivity_problems(programme, rules, whole=whole)]
    for case in programme.cases:
        if options != Options():  # the built-in checks try every case without options
            found = case_problems(programme, case, rules, options)
            problems.extend(_locate(problem, case.source) for problem in found)
        for answer in rules.call(
            "totalplace_validate_case", case=case, programme=programme, rules=rules
        ):
            problems.extend(_locate(problem, case.source) for problem in answer.value)
    problems = list(dict.fromkeys(problems))  # a problem found with and without the options
    errors = [problem for problem in problems if not problem.is_warning]
    if errors:
        raise InputError(errors) from next((p.cause for p in errors if p.cause), None)
    # Remember every local plugin used, so that appraising the programme later loads them too.
    warnings = tuple(problem for problem in problems if problem.is_warning)
    return Loaded(attrs.evolve(programme, plugins=tuple(local), warnings=warnings), rules)


def load(
    path: Path | str,
    *,
    plugins: Iterable[str | Path] = (),
    rules: Rules | None = None,
    strict: bool = False,
) -> Programme:
    """Read a programme folder or a single case file into a :class:`Programme`.

    The public ``totalplace_cases.load``; see :func:`load_programme`.
    """
    return load_programme(path, plugins=plugins, rules=rules, strict=strict).programme


def appraise(
    subject: Programme | BusinessCase | Path | str,
    *,
    rules: Rules | None = None,
    schedule: str | None = None,
    price_base: FinancialYear | str | None = None,
    discount_base: FinancialYear | str | None = None,
    timing: str | None = None,
    statuses: Iterable[str] | None = None,
) -> Appraisal:
    """Step 4: appraise a programme (every case) or a single business case.

    A case read from a file beside a ``programme.toml`` is appraised in that programme (its
    settings, agencies and plugins); any other case on its own with the default settings.
    ``subject`` may also be a path, loaded and validated first as :func:`load` does
    (``tp.appraise("cases/kent")`` is ``tp.appraise(tp.load("cases/kent"))``).

    :param rules: the plugin host; by default the one for the programme's own plugins.
    :param schedule: a discount schedule to use for every case instead of each case's own.
    :param price_base: report every case in this year's prices.
    :param discount_base: discount every case to this year.
    :param timing: ``"start"`` (default) or ``"mid"``-year discounting.
    :param statuses: the statuses whose cases count in the totals; by default every status but
        ``rejected`` and ``withdrawn`` (whose cases are still appraised and listed).
    :raises TotalPlaceError: when a figure cannot be computed (the message says why); no
        partial result is returned.
    """
    if isinstance(subject, Path | str):
        subject, rules = _subject(subject, rules)
    elif isinstance(subject, BusinessCase):
        subject = _programme_of(subject)
    return appraise_with(
        subject,
        rules=rules,
        schedule=schedule,
        price_base=price_base,
        discount_base=discount_base,
        timing=timing,
        statuses=statuses,
    )


def affordability(
    subject: Programme | BusinessCase | Path | str,
    *,
    rules: Rules | None = None,
    statuses: Iterable[str] | None = None,
):
    """The financial case of a programme (or one case, or a path to load): each agency's costs,
    cashable savings, budget realigned in and out and net budget position, by year, real and
    nominal (:mod:`totalplace_cases.method.affordability`)."""
    from .method.affordability import affordability as afford

    programme, rules = _subject(subject, rules)
    return afford(programme, rules, statuses=statuses)


def _options(
    schedule: str | None,
    price_base: FinancialYear | str | None,
    discount_base: FinancialYear | str | None,
    timing: str | None,
    statuses: Iterable[str] | None,
) -> Options:
    if timing is not None and timing not in ("start", "mid"):
        raise TotalPlaceError(f"timing must be 'start' or 'mid', found '{timing}'")
    return Options(
        price_base=None if price_base is None else parse_year(price_base),
        discount_base=None if discount_base is None else parse_year(discount_base),
        schedule=schedule,
        timing=timing,
        statuses=statuses_counted(statuses),
    )


def _subject(
    subject: Programme | BusinessCase | Path | str, rules: Rules | None
) -> tuple[Programme, Rules]:
    """A programme (a case on its own, or a path loaded and validated) and its plugin host."""
    if isinstance(subject, Path | str):
        loaded = load_programme(subject, rules=rules)
        return loaded.programme, loaded.rules
    programme = _programme_of(subject) if isinstance(subject, BusinessCase) else subject
    return programme, rules_for(programme.plugins) if rules is None else rules


def sensitivity(
    subject: Programme | BusinessCase | Path | str,
    *,
    rules: Rules | None = None,
    schedule: str | None = None,
    price_base: FinancialYear | str | None = None,
    discount_base: FinancialYear | str | None = None,
    timing: str | None = None,
    statuses: Iterable[str] | None = None,
    swing: str | float | int | None = "0.2",
    draws: int | None = None,
    seed: int = 0,
    progress: bool = False,
) -> Sensitivity:
    """How robust each case and the programme are (docs/method.md, section 23): switching
    values, a tornado of NPSV at ±``swing`` on each input, the standard tests (optimism bias at
    the Green Book's bounds, every discount schedule, the 50-year test, the programme's
    ``[[sensitivities]]``) and, with ``draws``, a Monte Carlo simulation seeded with ``seed``.

    ``subject`` is a programme, a case, or a path to load (as :func:`load` does). The options
    are those of :func:`appraise`; ``progress`` shows a bar on a terminal for runs over a
    second. Every point figure comes from the exact Decimal engine.
    :raises TotalPlaceError: when a figure cannot be computed, or draws are asked for without
        numpy installed.
    """
    from .method.sensitivity import sensitivity_of

    programme, rules = _subject(subject, rules)
    options = _options(schedule, price_base, discount_base, timing, statuses)
    if draws is None or not progress:
        return sensitivity_of(
            programme, rules, options, swing=Decimal(str(swing)), draws=draws, seed=seed
        )
    from .progress import progress_bar

    with progress_bar(draws, "Monte Carlo") as update:
        return sensitivity_of(
            programme,
            rules,
            options,
            swing=Decimal(str(swing)),
            draws=draws,
            seed=seed,
            progress=update,
        )


def simulate(
    subject: Programme | BusinessCase | Path | str,
    *,
    draws: int = 10_000,
    seed: int = 0,
    rules: Rules | None = None,
    schedule: str | None = None,
    price_base: FinancialYear | str | None = None,
    discount_base: FinancialYear | str | None = None,
    timing: str | None = None,
    statuses: Iterable[str] | None = None,
    progress: bool = False,
) -> SimulationResult:
    """Monte Carlo over the ranges the case files give (``uncertainty`` on their lines):
    ``draws`` draws seeded with ``seed`` (the same seed gives the same figures on any machine),
    the P10, P50 and P90 of NPSV and BCR and the chances that NPSV > 0 and BCR >= 1, per case
    and for the programme. Needs numpy (``pip install "totalplace-cases[analysis]"``).
    """
    from .method.simulation import simulate_programme

    programme, rules = _subject(subject, rules)
    options = _options(schedule, price_base, discount_base, timing, statuses)
    if not progress:
        return simulate_programme(programme, rules, options, draws=draws, seed=seed)
    from .progress import progress_bar

    with progress_bar(draws if isinstance(draws, int) else 0, "Monte Carlo") as update:
        return simulate_programme(
            programme, rules, options, draws=draws, seed=seed, progress=update
        )


def render(
    appraisal: Appraisal,
    programme: Programme,
    rules: Rules,
    fmt: str,
    *,
    units: str = "",
    width: int | None = None,
) -> str:
    """Step 5: the appraisal, with the plugins' evidence tables, in the output format ``fmt``.

    The built-in ``table`` format is the terminal report, given the agencies' names, the
    ``units`` for money (``""``, ``"k"`` or ``"m"``) and the ``width``
    to fit (default: the terminal's, at least 100 columns).

    :raises TotalPlaceError: for a format no plugin registered (listing those that are).
    """
    from .reports.formats import render_table

    formats = rules.registry.formats()
    if fmt not in formats:
        raise TotalPlaceError(f"unknown format '{fmt}'; choose from {', '.join(sorted(formats))}")
    evidence = collect_evidence(rules, appraisal, programme)
    if formats[fmt].render is render_table:
        from .reports.names import Names
        from .reports.report import render_report

        return render_report(
            appraisal,
            evidence,
            names=Names(programme, rules.registry),
            units=units,
            width=width,
        )
    return rules.render(formats[fmt], appraisal, evidence)


def _programme_of(case: BusinessCase) -> Programme:
    """The programme a case was read with (its settings, agencies and plugins), around it alone.

    A case read from a file beside a ``programme.toml`` belongs to that programme; any other
    case is appraised on its own with the default settings.
    """
    if case.source is not None and programme_file(case.source).is_file():
        return attrs.evolve(load(case.source), cases=(case,))
    return Programme(id=case.id, name=case.title, cases=(case,))


def _settings_problems(programme: Programme, rules: Rules) -> list[Problem]:
    """A [settings] entry naming a table that no loaded plugin registered."""
    problems = []
    for key, kind in SETTINGS_TABLES.items():
        name = getattr(programme.settings, key)
        try:
            rules.table(name, kind)
        except TotalPlaceError as exc:
            problem = Problem(str(exc), field=f"settings.{key}")
            problems.append(_locate(problem, programme.source))
    return problems


def _locate(problem: Problem, source: Path | None) -> Problem:
    """Give a rule's problem the file it is about (the case's, unless it names another) and,
    from its field path, the line. A problem with a command-line option is in no file."""
    if (problem.field or "").startswith("--"):
        return problem
    file = problem.file if problem.file is not None else source
    if file is None or problem.line is not None:
        return (
            problem
            if problem.file is not None or file is None
            else attrs.evolve(problem, file=file)
        )
    line = None
    if problem.field:
        line = FieldLines(_text_of(Path(file))).line_of(parse_path(problem.field))
    return attrs.evolve(problem, file=file, line=line)
