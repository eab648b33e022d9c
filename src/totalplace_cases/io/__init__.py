"""Reading and writing files: case files and programmes (and later the baseline and register)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

import attrs

from ..errors import InputError, PluginError, Problem, TotalPlaceError
from ..models import Programme
from ..plugins import Rules, load_rules
from .casefile import PROGRAMME_FILE, load_path
from .fields import parse_path
from .toml_lines import FieldLines

__all__ = ["load", "programme_plugin_paths", "rules_for"]

_RULES_CACHE: dict[tuple, Rules] = {}


def programme_plugin_paths(path: Path | str) -> list[str]:
    """The local plugins a programme names (``plugins = [...]``), resolved to absolute paths.

    Read before the programme itself, because the plugins decide which categories and agencies
    the case files may use. Problems in the file are left to :func:`load` to report.
    """
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    programme_file = folder / PROGRAMME_FILE
    try:
        data = tomllib.loads(programme_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    entries = data.get("programme", {}).get("plugins", []) if isinstance(data, dict) else []
    if not isinstance(entries, list):
        return []
    return [str((folder / e).resolve()) for e in entries if isinstance(e, str)]


def rules_for(local: Iterable[str | Path] = (), *, strict: bool = False) -> Rules:
    """The rules for a set of local plugins, loaded once per set in this process."""
    import os

    key = (
        tuple(str(p) for p in local),
        strict,
        os.environ.get("TOTALPLACE_DISABLE_AUTOLOAD", ""),
        os.environ.get("TOTALPLACE_BLOCK_PLUGINS", ""),
        os.environ.get("TOTALPLACE_TRACE_PLUGINS", ""),
    )
    if key not in _RULES_CACHE:
        _RULES_CACHE[key] = load_rules(local, strict=strict)
    return _RULES_CACHE[key]


def load(
    path: Path | str, *, plugins: Iterable[str | Path] = (), rules: Rules | None = None
) -> Programme:
    """Read a programme folder or a single case file into a :class:`Programme`.

    :param plugins: extra local plugin files or folders (as ``--plugin`` gives).
    :param rules: loaded plugins to check against; by default the programme's own.
    :raises InputError: listing every problem in every file.
    """
    local = [*programme_plugin_paths(path), *(str(Path(p).resolve()) for p in plugins)]
    if rules is None:
        rules = rules_for(local)
    registry = rules.registry
    programme = load_path(
        path,
        categories=frozenset(registry.keys("category")),
        registered_agencies=dict(registry.entries["agency"]),
    )
    problems = _settings_problems(programme, rules)
    for case in programme.cases:
        for plugin, found in rules.call_each_by_plugin(
            "totalplace_validate_case", case=case, programme=programme, rules=rules
        ):
            for problem in [found] if isinstance(found, Problem) else found:
                if not isinstance(problem, Problem):
                    raise PluginError(
                        plugin,
                        "totalplace_validate_case",
                        f"expected None or a list of Problem objects, got {problem!r}",
                    )
                problems.append(_locate(problem, case.source))
    if problems:
        raise InputError(problems)
    # Remember every local plugin used, so that appraising the programme later loads them too.
    return attrs.evolve(programme, plugins=tuple(dict.fromkeys(local)))


#: The [settings] that name a parameter table, and the kind of table each must name.
SETTINGS_TABLES = {
    "schedule": "discount-schedule",
    "confidence_table": "confidence-grade",
    "optimism_bias_table": "optimism-bias",
    "vfm_table": "vfm-thresholds",
    "deflator": "deflator",
}


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
    """Give a plugin's problem the case file and, from its field path, the line."""
    if not isinstance(problem, Problem):
        raise TypeError(f"a validation rule returned {problem!r}, expected Problem objects")
    if problem.file is not None or source is None:
        return problem
    line = problem.line
    if line is None and problem.field:
        try:
            text = source.read_text(encoding="utf-8")
        except OSError:
            text = ""
        line = FieldLines(text).line_of(parse_path(problem.field))
    return attrs.evolve(problem, file=source, line=line)
