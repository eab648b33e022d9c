"""The package's layers, checked on its real import graph.

Every ``import`` and ``from ... import`` statement of every module under ``src/totalplace_cases``
is read with :mod:`ast` (at any depth: imports inside functions and under ``TYPE_CHECKING``
count too), resolved to the module it names, and followed transitively. So a layer that reaches
another through a third module is caught as well as a direct import.

- the arithmetic (``method/``) reads no files and writes no reports: it imports nothing from
  ``io/``, ``reports/``, the ``pipeline`` or the ``cli``;
- the ``registry`` imports no ``reports`` (the types plugins register live in
  ``totalplace_cases.plugin``);
- the public ``plugin`` module, the plugin host and the answer checks import no ``io/`` or
  ``reports/`` either.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "src" / "totalplace_cases"
PACKAGE = "totalplace_cases"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE_ROOT.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The package module ``name`` is, or the package containing it (``a.b.Class`` -> ``a.b``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    """The package modules ``module`` imports directly, anywhere in its source."""
    path = MODULES[module]
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # ``from p import x``: the submodule p.x if there is one, else p itself (x is a
            # name p defines); _resolve climbs from p.x to p.
            names = [f"{origin}.{alias.name}" for alias in node.names]
        for name in names:
            if name == PACKAGE or name.startswith(PACKAGE + "."):
                resolved = _resolve(name)
                if resolved is not None and resolved != module:
                    found.add(resolved)
    # Importing a submodule runs its packages' __init__ first; not the top-level package's,
    # which is the public facade importing everything (an edge to it only counts when a module
    # imports a name from it).
    for name in list(found):
        parent = name.rpartition(".")[0]
        while parent and parent != PACKAGE:
            found.add(parent)
            parent = parent.rpartition(".")[0]
    return found


def reachable_from(start: str) -> dict[str, list[str]]:
    """Every package module ``start`` imports, transitively, with one import chain to each."""
    chains: dict[str, list[str]] = {start: [start]}
    todo = [start]
    while todo:
        current = todo.pop()
        for name in sorted(imports_of(current)):
            if name not in chains:
                chains[name] = [*chains[current], name]
                todo.append(name)
    del chains[start]
    return chains


def in_layer(module: str, layer: str) -> bool:
    full = f"{PACKAGE}.{layer}"
    return module == full or module.startswith(full + ".")


def offending(start: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        " -> ".join(chain)
        for name, chain in sorted(reachable_from(start).items())
        if any(in_layer(name, layer) for layer in forbidden)
    ]


def test_the_walker_sees_imports_at_any_depth_and_follows_them():
    # The CLI imports the pipeline at the top, which imports the readers and the reports.
    reached = reachable_from(f"{PACKAGE}.cli")
    assert f"{PACKAGE}.pipeline" in reached
    assert f"{PACKAGE}.io.casefile" in reached
    assert f"{PACKAGE}.reports.json" in reached
    # discount_factor imports the plugin host inside a function: seen, and followed to the
    # registry, which imports the public plugin module.
    chain = reachable_from(f"{PACKAGE}.method.discounting")[f"{PACKAGE}.plugin"]
    assert chain[:2] == [f"{PACKAGE}.method.discounting", f"{PACKAGE}.plugins"]


METHOD_MODULES = sorted(m for m in MODULES if in_layer(m, "method"))


@pytest.mark.parametrize("module", METHOD_MODULES)
def test_the_method_imports_no_reader_report_pipeline_or_cli(module):
    assert offending(module, ("io", "reports", "pipeline", "cli")) == []


@pytest.mark.parametrize(
    "module", ["registry", "plugin", "plugins", "answers", "hookspecs", "pluginmarker"]
)
def test_the_plugin_system_imports_no_reader_or_report(module):
    assert offending(f"{PACKAGE}.{module}", ("io", "reports", "pipeline", "cli")) == []


def test_every_layer_checked_exists():
    # A renamed module would make the checks above vacuous.
    assert len(METHOD_MODULES) >= 8
    for name in ("registry", "plugin", "plugins", "answers", "pipeline", "reports.json"):
        assert f"{PACKAGE}.{name}" in MODULES


CLI_MODULES = sorted(m for m in MODULES if m.rpartition(".")[2].startswith("cli"))


@pytest.mark.parametrize("module", CLI_MODULES)
def test_each_command_module_imports_alone(module):
    # In a fresh interpreter, with nothing imported first: an import cycle among the command
    # modules (cli importing cli_x importing cli) fails here as it would for a user.
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("module", [m for m in CLI_MODULES if m != f"{PACKAGE}.cli"])
def test_no_command_module_imports_the_command_group(module):
    # The commands share their options through cli_common; only cli gathers them.
    assert f"{PACKAGE}.cli" not in reachable_from(module)


def test_there_are_command_modules_to_check():
    assert {f"{PACKAGE}.cli", f"{PACKAGE}.cli_common", f"{PACKAGE}.cli_cuts"} <= set(CLI_MODULES)
