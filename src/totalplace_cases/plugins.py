"""Finding, loading and calling plugins, each in isolation.

Plugins come from three places, loaded in this order: the library's built-in rules
(:data:`BUILTIN_PLUGINS`), installed distributions that declare an entry point in the group
``totalplace_cases``, and local plugin files or folders named by a programme (``plugins = [...]``)
or on the command line (``--plugin PATH``).

A plugin that fails to import, implements a hook that does not exist (a misspelt name), wraps a
hook (``wrapper=True``/``hookwrapper=True``, which the host does not run) or registers a bad
entry is reported with its name, the hook and what is wrong, and the others carry on (unless
``strict``). At run time every hook is called through :meth:`Rules.call`, which checks each
answer against the hook's contract (:mod:`totalplace_cases.answers`) and names the plugin in any
error. Environment switches:

- ``TOTALPLACE_DISABLE_AUTOLOAD=1``: do not load installed entry points;
- ``TOTALPLACE_BLOCK_PLUGINS=name,name``: never load or run these plugins;
- ``TOTALPLACE_TRACE_PLUGINS=1``: trace every hook call to stderr.
"""

from __future__ import annotations

import decimal
import difflib
import importlib
import importlib.metadata
import importlib.util
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, overload

import attrs
import pluggy

from . import hookspecs
from .answers import BadAnswer, check_answer
from .errors import PluginError, TotalPlaceError
from .parameters import ParameterTable
from .plugin import EvidenceTable, OutputFormat
from .registry import ENTRY_KINDS, Registry

__all__ = [
    "BUILTIN_PLUGINS",
    "ENTRY_POINT_GROUP",
    "Answer",
    "LoadFailure",
    "PluginInfo",
    "Rules",
    "default_rules",
    "get_plugin_manager",
    "load_rules",
    "rules_for",
]

ENTRY_POINT_GROUP = "totalplace_cases"
BUILTIN_PLUGINS: tuple[str, ...] = (
    "totalplace_cases.rules.categories",
    "totalplace_cases.rules.tables",
    "totalplace_cases.rules.valuation",
    "totalplace_cases.rules.checks",
    "totalplace_cases.rules.exporters",
    "totalplace_cases.rules.standard_values",
    "totalplace_cases.rules.cuts",
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


@attrs.frozen
class Answer:
    """One plugin's answer to a hook: which plugin answered, and what (never None)."""

    plugin: str
    value: Any


@attrs.define
class Rules:
    """The plugin host: the loaded plugins and what they registered.

    Build one with :func:`load_rules`. Every hook is called through :meth:`call`, which checks
    each answer against the hook's contract and names the plugin and hook in any error; an
    output format's renderer runs through :meth:`render`.
    """

    pm: pluggy.PluginManager
    registry: Registry
    infos: dict[str, PluginInfo] = attrs.field(factory=dict)
    failures: list[LoadFailure] = attrs.field(factory=list)
    strict: bool = False
    trace: bool = False

    @overload
    def call(self, hook: str, /, *, first: Literal[False] = ..., **kwargs: Any) -> list[Answer]: ...

    @overload
    def call(self, hook: str, /, *, first: Literal[True], **kwargs: Any) -> Answer | None: ...

    def call(self, hook: str, /, *, first: bool = False, **kwargs: Any) -> Any:
        """Call ``hook``'s implementations in call order with ``kwargs``.

        :param first: stop at the first plugin that answers something other than None and
            return its :class:`Answer` (None if no plugin answers); otherwise call every
            implementation and return the :class:`Answer` of each that answered.
        :raises PluginError: naming the plugin and the hook, when an implementation raises or
            answers something the hook's contract does not allow.
        """
        answers = []
        for impl in self._impls(hook):
            value = self._run(impl, hook, kwargs)
            if value is None:
                continue
            answer = Answer(impl.plugin_name, value)
            if first:
                return answer
            answers.append(answer)
        return None if first else answers

    def implementers(self, hook: str) -> list[str]:
        """The names of the plugins that implement ``hook``, in call order."""
        return [impl.plugin_name for impl in self._impls(hook)]

    def render(self, fmt: OutputFormat, appraisal: Any, evidence: Sequence[EvidenceTable]) -> str:
        """Run an output format's renderer.

        A :class:`~totalplace_cases.errors.TotalPlaceError` from the renderer (or a figure out
        of Decimal's range) is about the data, and is reported as such; any other failure, or
        an answer that is not text, names the plugin that registered the format.
        """
        owner = self.registry.owners.get(("format", fmt.name), "?")
        where = f"format '{fmt.name}'"
        try:
            text = fmt.render(appraisal, evidence)
        except TotalPlaceError:
            raise
        except decimal.DecimalException as exc:
            raise TotalPlaceError(
                f"cannot write the appraisal as '{fmt.name}': a figure is out of range "
                f"({_exc_message(exc)})"
            ) from exc
        except Exception as exc:
            raise PluginError(owner, where, _exc_message(exc)) from exc
        if not isinstance(text, str):
            raise PluginError(owner, where, f"expected text, got {type(text).__name__}")
        return text

    def table(self, name: str, kind: str | None = None) -> ParameterTable:
        return self.registry.table(name, kind)

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        # pluggy calls the last registered (and tryfirst) implementations first.
        return list(reversed(getattr(self.pm.hook, hook).get_hookimpls()))

    def _run(self, impl: pluggy.HookImpl, hook: str, kwargs: dict[str, Any]) -> Any:
        """One implementation, isolated: its exception or bad answer becomes a PluginError."""
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
        if result is not None:
            try:
                check_answer(hook, result, kwargs)
            except BadAnswer as exc:
                raise PluginError(impl.plugin_name, hook, str(exc)) from None
        return result


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
            _check_hookimpls(pm, name, plugin)
            pm.register(plugin, name=name)
            pm.check_pending()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit too: a plugin must not end the program
            if pm.has_plugin(name):
                pm.unregister(name=name)
            fail(name, exc.hook if isinstance(exc, PluginError) else None, exc, origin)
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
    staged = rules.registry.copy()
    for kind in ENTRY_KINDS.values():
        for impl in getattr(rules.pm.hook, kind.hook).get_hookimpls():
            if impl.plugin is not plugin:
                continue
            try:
                rules._run(impl, kind.hook, {"register": staged.registrar(kind.name, name)})
            except PluginError as exc:
                fail(name, kind.hook, exc, origin)
                return False
    rules.registry.entries = staged.entries
    rules.registry.owners = staged.owners
    rules.registry.replaced = staged.replaced
    return True


def _check_hookimpls(pm: pluggy.PluginManager, name: str, plugin: object) -> None:
    """Refuse, before registering, what pluggy would accept quietly or fail on later.

    A marked implementation of a hook that does not exist (a misspelt name) would never be
    called, and pluggy only notices in ``check_pending``; a hook wrapper would run outside the
    host's isolation and answer checks. Both are load failures naming the hook.
    """
    specs = sorted(n for n in vars(hookspecs) if n.startswith("totalplace_"))
    for attr in dir(plugin):
        opts = pm.parse_hookimpl_opts(plugin, attr)
        if opts is None:
            continue
        hook = opts.get("specname") or attr
        if opts.get("wrapper") or opts.get("hookwrapper"):
            flag = "wrapper=True" if opts.get("wrapper") else "hookwrapper=True"
            raise PluginError(
                name,
                hook,
                f"hook wrappers (@hookimpl({flag})) are not supported: implement the hook "
                "plainly (each plugin is called on its own, so that its answer can be checked); "
                "to run before or after other plugins, use tryfirst=True or trylast=True",
            )
        if hook not in specs and not opts.get("optionalhook"):
            # Compared without the prefix every hook shares, so that only a real likeness counts.
            prefix = "totalplace_"
            close = difflib.get_close_matches(
                hook.removeprefix(prefix), [s.removeprefix(prefix) for s in specs], n=1
            )
            hint = f"; did you mean '{prefix}{close[0]}'?" if close else ""
            raise PluginError(
                name,
                hook,
                f"no such hook{hint} (every hook is listed in docs/plugins.md)",
            )
        caller = getattr(pm.hook, hook, None)
        if caller is not None and caller.spec is not None:
            impl = pluggy.HookImpl(plugin, name, getattr(plugin, attr), opts)
            given = caller.spec.argnames
            unknown = [arg for arg in impl.argnames if arg not in given]
            if unknown:
                raise PluginError(
                    name,
                    hook,
                    f"takes {', '.join(repr(a) for a in unknown)}, which the hook does not "
                    f"give; it gives {', '.join(given)} (leave out any you do not use)",
                )


_CACHE: dict[tuple, Rules] = {}


def rules_for(local: Iterable[str | Path] = (), *, strict: bool = False) -> Rules:
    """The built-in, installed and ``local`` plugins, loaded once per set in this process.

    The environment switches are part of the key, so changing one loads the plugins again.
    """
    env = os.environ
    key = (
        tuple(str(p) for p in local),
        strict,
        env.get("TOTALPLACE_DISABLE_AUTOLOAD", ""),
        env.get("TOTALPLACE_BLOCK_PLUGINS", ""),
        env.get("TOTALPLACE_TRACE_PLUGINS", ""),
    )
    if key not in _CACHE:
        _CACHE[key] = load_rules(local, strict=strict)
    return _CACHE[key]


def default_rules() -> Rules:
    """The built-in and installed plugins, loaded once: for the convenience API."""
    return rules_for()


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
            # is the same module whether it is installed or loaded from here. The folder is on
            # sys.path only while the package is imported, so that it cannot shadow another
            # module for the rest of the run (the package keeps its own __path__).
            src = str(target.parent.parent)
            added = src not in sys.path
            if added:
                sys.path.insert(0, src)
            try:
                return importlib.import_module(target.parent.name)
            finally:
                if added and src in sys.path:
                    sys.path.remove(src)
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
