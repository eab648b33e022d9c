"""Helpers for testing a totalplace plugin: rules with your plugin loaded, programme folders.

Plain functions, usable from any test runner::

    from totalplace_cases.testing import appraise_folder, rules_with, write_programme

    rules = rules_with(my_plugin)                   # the built-ins plus your plugin
    folder = write_programme(tmp_path / "p", cases={"case": CASE_TOML})
    result = appraise_folder(folder, my_plugin)     # load and appraise, your plugin loaded

and two pytest fixtures, ``totalplace_rules`` and ``programme_folder``, made available by
naming this module in your top-level ``conftest.py``::

    pytest_plugins = ["totalplace_cases.testing"]

pytest is imported only if it is installed; the functions do not need it. This module makes no
assertions of its own, so pytest need not rewrite it: PYTEST_DONT_REWRITE (which also lets a test
module import helpers from it and name it in ``pytest_plugins`` without a warning).

Every helper loads plugins without the installed entry points unless asked
(``entry_points=True``), so a test sees exactly the plugins it names, and strictly: a plugin that
fails to load raises :class:`~totalplace_cases.errors.PluginError` instead of being skipped.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from .method.results import Appraisal
from .models import Agency
from .pipeline import appraise, load, local_plugins
from .plugins import Rules, load_rules

__all__ = [
    "DEFAULT_PROGRAMME",
    "appraise_folder",
    "plugin_name",
    "rules_with",
    "write_programme",
]

#: The ``[programme]`` fields :func:`write_programme` writes unless told otherwise.
DEFAULT_PROGRAMME: Mapping[str, Any] = {
    "id": "test-programme",
    "name": "Test programme",
    "price_base": "2010-11",
}

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def plugin_name(plugin: object) -> str:
    """The name a plugin is registered under when a test gives none.

    A module is named after the last part of its ``__name__`` (``my_pkg.rules`` -> ``rules``);
    a class or instance after its class, in lower case; anything else after ``repr``.
    """
    if isinstance(plugin, ModuleType):
        return plugin.__name__.rsplit(".", 1)[-1]
    cls = plugin if isinstance(plugin, type) else type(plugin)
    if cls.__module__ != "builtins":
        return cls.__name__.lower()
    return repr(plugin)


def _named(plugins: Iterable[object]) -> list[tuple[str, object]]:
    """``(name, plugin)`` pairs: a pair is kept as given, a bare plugin is named for it."""
    named: list[tuple[str, object]] = []
    seen: set[str] = set()
    for plugin in plugins:
        if isinstance(plugin, tuple) and len(plugin) == 2 and isinstance(plugin[0], str):
            name, obj = plugin
        else:
            name, obj = plugin_name(plugin), plugin
            base, number = name, 2
            while name in seen:  # two unnamed plugins of the same class
                name, number = f"{base}-{number}", number + 1
        seen.add(name)
        named.append((name, obj))
    return named


def rules_with(
    *plugins: object,
    entry_points: bool = False,
    local: Iterable[str | Path] = (),
    strict: bool = True,
) -> Rules:
    """The built-in rules plus ``plugins``, loaded the way the command loads them.

    :param plugins: plugin modules, classes or objects with ``@hookimpl`` functions, each
        named by :func:`plugin_name`; or ``(name, plugin)`` pairs to choose the name (the name
        is what error messages, ``totalplace plugins`` and ``TOTALPLACE_BLOCK_PLUGINS`` use).
    :param entry_points: also load installed plugins (off, so a test sees only its own).
    :param local: plugin files or folders to load by path, as ``--plugin`` does.
    :param strict: raise :class:`~totalplace_cases.errors.PluginError` if a plugin fails to
        load (on); with ``strict=False`` failures are collected in ``rules.failures``.
    :returns: the loaded :class:`~totalplace_cases.plugins.Rules`.
    """
    return load_rules(local, entry_points=entry_points, strict=strict, extra=_named(plugins))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, Mapping):
        return (
            "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"write_programme cannot write {value!r} as TOML; give text instead")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _table(header: str, fields: Mapping[str, Any]) -> str:
    body = "".join(
        f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in fields.items() if v is not None
    )
    return f"{header}\n{body}"


def _agency_fields(agency: Agency | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(agency, Agency):
        return {"id": agency.id, "name": agency.name, "kind": agency.kind, "parent": agency.parent}
    return agency


def write_programme(
    folder: str | Path,
    programme: str | Mapping[str, Any] | None = None,
    agencies: Iterable[Agency | Mapping[str, Any]] = (),
    cases: Mapping[str, str] | None = None,
    plugins: Iterable[str | Path] = (),
    files: Mapping[str, str] | None = None,
) -> Path:
    """Lay out a programme folder: ``programme.toml``, case files and any other files.

    :param folder: the folder to write into (created if need be; files in it are overwritten).
    :param programme: the ``[programme]`` fields as a mapping, merged over
        :data:`DEFAULT_PROGRAMME`; or the whole text of ``programme.toml`` (then ``agencies``
        and ``plugins`` must be empty: put them in the text).
    :param agencies: ``[[agencies]]`` to list, as :class:`~totalplace_cases.models.Agency`
        objects or mappings of their fields.
    :param cases: case files, ``{file name: TOML text}``; ``.toml`` is added to a name without
        it, and the text is dedented, so a triple-quoted string may be indented.
    :param plugins: the programme's ``plugins = [...]``: paths relative to the folder (as a
        programme file gives them) or absolute paths.
    :param files: other files to write, ``{relative path: text}`` (dedented), e.g. a local
        plugin ``{"housing_rule.py": SOURCE}`` that ``plugins`` names.
    :returns: the folder, ready for :func:`totalplace_cases.load` or ``totalplace validate``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    agencies = list(agencies)
    plugins = [str(p) for p in plugins]
    if isinstance(programme, str):
        if agencies or plugins:
            raise ValueError("give agencies and plugins inside the programme text, not as well")
        text = textwrap.dedent(programme).lstrip("\n")
    else:
        fields = {**DEFAULT_PROGRAMME, **(programme or {})}
        if plugins:
            fields["plugins"] = plugins
        text = _table("[programme]", fields)
        for agency in agencies:
            text += "\n" + _table("[[agencies]]", _agency_fields(agency))
    (folder / "programme.toml").write_text(text, encoding="utf-8")
    for name, case_text in (cases or {}).items():
        file = folder / (name if name.endswith(".toml") else f"{name}.toml")
        file.write_text(textwrap.dedent(case_text).lstrip("\n"), encoding="utf-8")
    for name, file_text in (files or {}).items():
        file = folder / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(textwrap.dedent(file_text).lstrip("\n"), encoding="utf-8")
    return folder


def appraise_folder(
    path: str | Path, *plugins: object, entry_points: bool = False, **options: Any
) -> Appraisal:
    """Load a programme folder (or case file) and appraise it, with ``plugins`` loaded too.

    The programme's own local plugins (``plugins = [...]`` in its ``programme.toml``) are
    loaded as the command would load them; ``plugins`` are added as in :func:`rules_with`.

    :param options: passed to :func:`totalplace_cases.appraise` (``schedule``,
        ``price_base``, ``discount_base``, ``timing``).
    :raises InputError: when the programme does not validate, listing every problem.
    :raises PluginError: when a plugin fails to load or raises in a hook.
    :returns: the :class:`~totalplace_cases.method.results.Appraisal`.
    """
    rules = rules_with(*plugins, entry_points=entry_points, local=local_plugins(path))
    programme = load(path, rules=rules)
    return appraise(programme, rules=rules, **options)


# -- pytest fixtures -----------------------------------------------------------------------------

try:  # pytest is needed for the fixtures only
    import pytest
except ImportError:  # pragma: no cover
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def totalplace_rules() -> Rules:
        """The built-in rules only (no installed or local plugins), freshly loaded."""
        return load_rules(entry_points=False, strict=True)

    @pytest.fixture
    def programme_folder(tmp_path: Path) -> Callable[..., Path]:
        """A factory for programme folders under ``tmp_path``.

        ``programme_folder(name="programme", **kwargs)`` calls :func:`write_programme` on
        ``tmp_path / name`` and returns the folder; use a new ``name`` for each folder.
        """

        def make(name: str = "programme", **kwargs: Any) -> Path:
            return write_programme(tmp_path / name, **kwargs)

        return make
