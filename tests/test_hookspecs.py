"""Self-checks of the hook specs, as datasette and pytest keep theirs.

- every hook is documented in docs/plugins.md, under its own heading, with the spec's signature;
- every hook's docstring says how results combine and what it returns;
- every hook is exercised by at least one test.

A new hook in ``hookspecs.py`` fails these until it is documented and tested.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from totalplace_cases import hookspecs

REPO_ROOT = Path(__file__).resolve().parents[1]
GUIDE = REPO_ROOT / "docs" / "plugins.md"
TESTS = Path(__file__).resolve().parent


def spec_functions() -> dict[str, object]:
    return {
        name: function
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("totalplace_")
    }


HOOKS = sorted(spec_functions())


def spec_args(name: str) -> list[str]:
    return list(inspect.signature(spec_functions()[name]).parameters)


def code_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", markdown, flags=re.DOTALL | re.MULTILINE)


def documented_defs(code: str) -> list[tuple[str, list[str]]]:
    """``(name, argument names)`` of each ``def totalplace_...(...)`` in a piece of code."""
    found = []
    for match in re.finditer(r"^\s*def (totalplace_\w+)\((.*?)\)\s*:", code, flags=re.MULTILINE):
        args = [a.strip().split(":")[0].split("=")[0].strip() for a in match.group(2).split(",")]
        found.append((match.group(1), [a for a in args if a and a != "self"]))
    return found


def hook_sections(markdown: str) -> dict[str, str]:
    """The text under each ``### totalplace_...`` heading, up to the next heading."""
    parts = re.split(r"^(#{1,3} .*)$", markdown, flags=re.MULTILINE)
    sections = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        match = re.fullmatch(r"### (totalplace_\w+)", heading.strip())
        if match:
            sections[match.group(1)] = body
    return sections


def test_every_function_in_hookspecs_is_a_marked_hook_spec():
    functions = [
        name
        for name, value in vars(hookspecs).items()
        if inspect.isfunction(value) and value.__module__ == hookspecs.__name__
    ]
    assert sorted(functions) == HOOKS
    for name in HOOKS:
        assert hasattr(spec_functions()[name], "totalplace_cases_spec"), f"{name} is not a spec"


# -- (a) documented with the same signature --------------------------------------------------


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_with_its_signature(hook):
    sections = hook_sections(GUIDE.read_text(encoding="utf-8"))
    assert hook in sections, f"docs/plugins.md has no '### {hook}' section"
    blocks = code_blocks(sections[hook])
    assert blocks, f"the '{hook}' section of docs/plugins.md has no code block"
    defs = documented_defs(blocks[0])
    assert defs and defs[0][0] == hook, f"the first code block under '{hook}' must define it"
    assert defs[0][1] == spec_args(hook), (
        f"docs/plugins.md documents def {hook}({', '.join(defs[0][1])}); "
        f"the spec is def {hook}({', '.join(spec_args(hook))})"
    )


def test_the_guide_documents_no_hook_that_does_not_exist():
    text = GUIDE.read_text(encoding="utf-8")
    assert set(hook_sections(text)) <= set(HOOKS)
    for block in code_blocks(text):
        for name, args in documented_defs(block):
            assert name in HOOKS, f"docs/plugins.md implements an unknown hook {name}"
            # an implementation may leave arguments out, but not rename or reorder them
            spec = spec_args(name)
            assert args == [a for a in spec if a in args] and set(args) <= set(spec), (
                f"docs/plugins.md: def {name}({', '.join(args)}) does not match the spec "
                f"def {name}({', '.join(spec)})"
            )


# -- (b) docstrings ---------------------------------------------------------------------------


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_docstring_says_what_it_returns(hook):
    doc = inspect.getdoc(spec_functions()[hook]) or ""
    assert ":returns:" in doc, f"{hook}'s docstring does not say what it returns"
    for arg in spec_args(hook):
        assert f":param {arg}:" in doc, f"{hook}'s docstring does not describe '{arg}'"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_docstring_says_how_results_combine(hook):
    doc = " ".join((inspect.getdoc(spec_functions()[hook]) or "").split())
    says_first = "first non-None result" in doc
    says_all = "All implementations are called" in doc
    assert says_first != says_all, f"{hook}'s docstring must say how results combine, once"


@pytest.mark.parametrize("hook", HOOKS)
def test_a_hook_that_stops_at_the_first_result_is_declared_firstresult(hook):
    # The docstring and the spec must agree, or a caller using ``pm.hook`` directly gets a
    # list where the docs promise one answer.
    doc = " ".join((inspect.getdoc(spec_functions()[hook]) or "").split())
    opts = getattr(spec_functions()[hook], "totalplace_cases_spec", {})
    assert bool(opts.get("firstresult")) == ("first non-None result" in doc), (
        f"{hook}: the docstring and @hookspec(firstresult=...) disagree"
    )


# -- (c) tested ------------------------------------------------------------------------------


def other_test_modules() -> dict[Path, str]:
    """The text of every test module under tests/ but this one."""
    return {
        path: path.read_text(encoding="utf-8")
        for path in sorted(TESTS.rglob("test_*.py"))
        if path.resolve() != Path(__file__).resolve()
    }


def names_in(source: str) -> set[str]:
    """Every identifier and string constant in a test module: hook names used as functions,
    methods or strings (``rules.call("totalplace_...")``)."""
    tree = ast.parse(source)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.update(re.findall(r"totalplace_\w+", node.value))
        elif isinstance(node, ast.Name | ast.Attribute):
            names.add(node.id if isinstance(node, ast.Name) else node.attr)
    return names


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook):
    sources = other_test_modules()
    users = [path.relative_to(TESTS) for path, text in sources.items() if hook in names_in(text)]
    assert users, f"no test under tests/ implements or calls {hook}"
