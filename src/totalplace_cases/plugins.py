"""Finding, loading and calling plugins, each in isolation.

Plugins come from three places, loaded in this order: the library's built-in rules
(:data:`BUILTIN_PLUGINS`), installed distributions that declare an entry point in the group
``totalplace_cases``, and local plugin files or folders named by a programme (``plugins = [...]``)
or on the command line (``--plugin PATH``).

A plugin that fails to import, or raises inside a hook, is reported with its name, the hook and
the exception message, and the others carry on (unless ``strict``). Environment switches:

- ``TOTALPLACE_DISABLE_AUTOLOAD=1``: do not load installed entry points;
- ``TOTALPLACE_BLOCK_PLUGINS=name,name``: never load or run these plugins;
- ``TOTALPLACE_TRACE_PLUGINS=1``: trace every hook call to stderr.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pluggy

from . import hookspecs
from .errors import PluginError
from .parameters import ParameterTable
from .registry import HOOKS, Registry

__all__ = [
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "LoadFailure",
    "PluginInfo",
    "Rules",
    "default_rules",
    "get_plugin_manager",
    "load_rules",
]

ENTRY_POINT_GROUP = "totalplace_cases"
BUILTIN_PLUGINS: tuple[str, ...] = (
    "totalplace_cases.rules.categories",
    "totalplace_cases.rules.tables",
    "totalplace_cases.rules.valuation",
    "totalplace_cases.rules.checks",
    "totalplace_cases.rules.exporters",
    "totalplace_cases.rules.standard_values",
)


@attrs.frozen
class LoadFailure:
    """A plugin that could not be loaded or whose hook raised: what, where and why."""

    plugin: str
    hook: str | None
    message: str
    origin: str = ""
    trace: str = ""

    def __str__(self) -> str:
        return str(PluginError(self.plugin, self.hook, self.message))


@attrs.frozen
class PluginInfo:
    """A loaded plugin, for ``totalplace plugins``."""

    name: str
    origin: str  # "built-in", "entry point", or "local: PATH"
    version: str | None
    hooks: tuple[str, ...]


def get_plugin_manager() -> pluggy.PluginManager:
    """A fresh manager that knows the hook specs and nothing else."""
    pm = pluggy.PluginManager("totalplace_cases")
    pm.add_hookspecs(hookspecs)
    return pm


@attrs.define
class Rules:
    """The loaded plugins and what they registered: everything the method looks up.

    Build one with :func:`load_rules`. Hooks are called through :meth:`call_each` and
    :meth:`call_first`, which name the plugin and hook in any error.
    """

    pm: pluggy.PluginManager
    registry: Registry
    infos: dict[str, PluginInfo] = attrs.field(factory=dict)
    failures: list[LoadFailure] = attrs.field(factory=list)
    strict: bool = False
    trace: bool = False

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        # pluggy calls the last registered (and tryfirst) implementations first.
        return list(reversed(getattr(self.pm.hook, hook).get_hookimpls()))

    def _call(self, impl: pluggy.HookImpl, hook: str, kwargs: dict[str, Any]) -> Any:
        if self.trace:
            print(f"[totalplace] {impl.plugin_name}.{hook}({', '.join(kwargs)})", file=sys.stderr)
        args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
        try:
            result = impl.function(**args)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(impl.plugin_name, hook, _exc_message(exc)) from exc
        if self.trace:
            print(f"[totalplace]   -> {result!r}"[:300], file=sys.stderr)
        return result

    def call_each(self, hook: str, **kwargs: Any) -> list[Any]:
        """Call every implementation; the non-None results, in call order."""
        return [result for _, result in self.call_each_by_plugin(hook, **kwargs)]

    def call_each_by_plugin(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation; ``(plugin name, result)`` for each non-None result."""
        results = []
        for impl in self._impls(hook):
            result = self._call(impl, hook, kwargs)
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    def render(self, fmt: Any, *args: Any) -> str:
        """Run an output format's renderer; a failure names the plugin that registered it."""
        owner = self.registry.owners.get(("format", fmt.name), "?")
        try:
            text = fmt.render(*args)
        except Exception as exc:
            raise PluginError(owner, f"format '{fmt.name}'", _exc_message(exc)) from exc
        if not isinstance(text, str):
            raise PluginError(
                owner, f"format '{fmt.name}'", f"expected text, got {type(text).__name__}"
            )
        return text

    def call_first(self, hook: str, **kwargs: Any) -> Any:
        """Call implementations until one returns something other than None."""
        for impl in self._impls(hook):
            result = self._call(impl, hook, kwargs)
            if result is not None:
                return result
        return None

    def table(self, name: str, kind: str | None = None) -> ParameterTable:
        return self.registry.table(name, kind)


def load_rules(
    local: Iterable[str | Path] = (),
    *,
    builtins: Sequence[str] = BUILTIN_PLUGINS,
    entry_points: bool | None = None,
    strict: bool = False,
    trace: bool | None = None,
    blocked: Iterable[str] | None = None,
    extra: Iterable[tuple[str, object]] = (),
) -> Rules:
    """Load the built-in, installed and local plugins and fill the registry.

    :param local: plugin files or folders to load by path.
    :param entry_points: load installed plugins (default: unless TOTALPLACE_DISABLE_AUTOLOAD).
    :param strict: raise :class:`PluginError` on the first failure instead of skipping.
    :param extra: ``(name, plugin object)`` pairs to register, e.g. from tests.
    """
    env = os.environ
    if entry_points is None:
        entry_points = env.get("TOTALPLACE_DISABLE_AUTOLOAD", "") in ("", "0")
    if trace is None:
        trace = env.get("TOTALPLACE_TRACE_PLUGINS", "") not in ("", "0")
    if blocked is None:
        blocked = [n.strip() for n in env.get("TOTALPLACE_BLOCK_PLUGINS", "").split(",")]
    blocked_names = {name for name in blocked if name}

    pm = get_plugin_manager()
    rules = Rules(pm=pm, registry=Registry(), strict=strict, trace=trace)

    def fail(name: str, hook: str | None, exc: BaseException, origin: str) -> None:
        message = exc.detail if isinstance(exc, PluginError) else _exc_message(exc)
        failure = LoadFailure(name, hook, message, origin, traceback.format_exc())
        if strict:
            raise PluginError(name, hook, failure.message) from exc
        rules.failures.append(failure)

    candidates: list[tuple[str, str, Callable[[], object], str | None]] = []
    for module_name in builtins:
        short = module_name.rsplit(".", 1)[-1]
        candidates.append((f"builtin-{short}", "built-in", _importer(module_name), _own_version()))
    if entry_points:
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = getattr(ep, "dist", None)
            candidates.append(
                (ep.name, f"entry point ({ep.value})", ep.load, dist.version if dist else None)
            )
    for path in local:
        path = Path(path)
        candidates.append((_local_name(path), f"local: {path}", _path_importer(path), None))
    for name, plugin in extra:
        candidates.append((name, "given", lambda plugin=plugin: plugin, None))

    for name, origin, loader, version in candidates:
        if name in blocked_names:
            continue
        if pm.has_plugin(name):
            if origin == rules.infos[name].origin or (
                origin.startswith("local") and not rules.infos[name].origin.startswith("local")
            ):
                continue  # the same plugin named twice, or installed and also named by path
            loaded = rules.infos[name].origin
            fail(
                name,
                None,
                RuntimeError(f"a plugin called '{name}' is already loaded ({loaded})"),
                origin,
            )
            continue
        try:
            plugin = loader()
            pm.register(plugin, name=name)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit too: a plugin must not end the program
            fail(name, None, exc, origin)
            continue
        version = version or getattr(plugin, "__version__", None)
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ()))
        rules.infos[name] = PluginInfo(name, origin, version, hooks)
        if not _fill_registry(rules, name, plugin, fail, origin):
            pm.unregister(plugin)
            del rules.infos[name]
    return rules


def _fill_registry(rules: Rules, name: str, plugin: object, fail, origin: str) -> bool:
    """Let one plugin register its entries; on any error, keep none of them."""
    staged = Registry(
        entries={kind: dict(items) for kind, items in rules.registry.entries.items()},
        owners=dict(rules.registry.owners),
        replaced=list(rules.registry.replaced),
    )
    for kind, hook in HOOKS.items():
        for impl in getattr(rules.pm.hook, hook).get_hookimpls():
            if impl.plugin is not plugin:
                continue
            try:
                rules._call(impl, hook, {"register": staged.registrar(kind, name)})
            except PluginError as exc:
                fail(name, hook, exc, origin)
                return False
    rules.registry.entries = staged.entries
    rules.registry.owners = staged.owners
    rules.registry.replaced = staged.replaced
    return True


_DEFAULT: Rules | None = None


def default_rules() -> Rules:
    """The built-in and installed plugins, loaded once: for the convenience API."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_rules()
    return _DEFAULT


def _importer(module_name: str) -> Callable[[], ModuleType]:
    return lambda: importlib.import_module(module_name)


def _local_name(path: Path) -> str:
    name = path.stem if path.suffix == ".py" else path.name
    return name or str(path)


def _path_importer(path: Path) -> Callable[[], ModuleType]:
    def load() -> ModuleType:
        target = _module_file(path)
        if target.name == "__init__.py" and target.parent.parent.name == "src":
            # A distribution's source folder: import the package under its own name, so it
            # is the same module whether it is installed or loaded from here.
            src = str(target.parent.parent)
            if src not in sys.path:
                sys.path.insert(0, src)
            return importlib.import_module(target.parent.name)
        module_name = f"totalplace_local_{abs(hash(str(target.resolve())))}"
        if module_name in sys.modules:
            return sys.modules[module_name]
        is_package = target.name == "__init__.py"
        spec = importlib.util.spec_from_file_location(
            module_name,
            target,
            submodule_search_locations=[str(target.parent)] if is_package else None,
        )
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import a plugin from {target}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[module_name]
            raise
        return module

    return load


def _module_file(path: Path) -> Path:
    """The Python file that is the plugin at ``path`` (a file, a package or a distribution)."""
    if path.is_file():
        if path.suffix != ".py":
            raise ImportError(f"{path} is not a Python file")
        return path
    if not path.is_dir():
        raise ImportError(f"no plugin file or folder at {path}")
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    packages = sorted((path / "src").glob("*/__init__.py")) if (path / "src").is_dir() else []
    packages += sorted(p for p in path.glob("*/__init__.py") if p.parent.name != "tests")
    if len(packages) == 1:
        return packages[0]
    modules = [p for p in path.glob("*.py") if not p.name.startswith(("test_", "setup"))]
    if len(modules) == 1:
        return modules[0]
    raise ImportError(
        f"cannot tell which module is the plugin in {path}: expected __init__.py, "
        f"one package under src/, or one .py file"
    )


def _exc_message(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _own_version() -> str | None:
    try:
        return importlib.metadata.version("totalplace-cases")
    except importlib.metadata.PackageNotFoundError:
        return None
