"""The plugin host catches plugin authors' mistakes when it loads them, and has one public call.

- a misspelt hook name is a load failure naming the hook and the closest real one;
- a hook wrapper (``wrapper=True`` or ``hookwrapper=True``) is refused at load with a message;
- a plugin's folder is on ``sys.path`` only while it is imported;
- ``rules.call(hook, ..., first=...)`` says which plugin answered, and is what the library uses;
- an output format that cannot show the data reports the data, not the plugin.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

import totalplace_cases as tp
from totalplace_cases.plugin import (
    BenefitLine,
    BusinessCase,
    Category,
    FinancialYear,
    OutputFormat,
    Programme,
    Valuation,
    hookimpl,
)
from totalplace_cases.plugins import Answer, load_rules
from totalplace_cases.testing import rules_with

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE = REPO_ROOT / "src" / "totalplace_cases"
Y0 = FinancialYear(2010)


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def one_line_programme(line_id: str = "b") -> Programme:
    line = BenefitLine(id=line_id, agency="a", value_type="fiscal", amounts={Y0: Decimal(100)})
    case = BusinessCase(id="c", title="C", category="community", start=Y0, years=1, benefits=[line])
    return Programme(id="p", cases=[case])


# -- misspelt hooks -------------------------------------------------------------------------------

MISSPELT = """\
from totalplace_cases.plugin import Category, hookimpl

@hookimpl
def totalplace_register_categorie(register):
    register(Category("housing"))
"""


def test_a_misspelt_hook_is_a_load_failure_naming_it_and_the_closest_hook(tmp_path):
    plugin = write(tmp_path / "typo.py", MISSPELT)
    rules = load_rules([plugin], entry_points=False)
    [failure] = rules.failures
    assert (failure.plugin, failure.hook) == ("typo", "totalplace_register_categorie")
    assert failure.message == (
        "no such hook; did you mean 'totalplace_register_categories'? "
        "(every hook is listed in docs/plugins.md)"
    )
    assert "typo" not in rules.infos
    assert not rules.pm.has_plugin("typo")  # nothing of it stays registered


def test_a_misspelt_hook_stops_the_command_with_strict(tmp_path, kent_dir):
    plugin = write(tmp_path / "typo.py", MISSPELT)
    command = ("validate", str(kent_dir), "--plugin", str(plugin), "--strict")
    run = subprocess.run(
        [sys.executable, "-m", "totalplace_cases", *command],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr.startswith(
        "error: plugin 'typo' in hook totalplace_register_categorie: no such hook; "
        "did you mean 'totalplace_register_categories'?"
    )
    assert "Traceback" not in run.stderr


def test_a_hook_name_like_no_other_gets_no_suggestion():
    class Stray:
        @hookimpl
        def totalplace_make_coffee(self):
            return None

    with pytest.raises(tp.PluginError) as caught:
        rules_with(("stray", Stray()))
    assert caught.value.hook == "totalplace_make_coffee"
    assert caught.value.detail == "no such hook (every hook is listed in docs/plugins.md)"


def test_an_optional_hook_that_does_not_exist_is_allowed():
    # pluggy's own marker for hooks another plugin may specify: check_pending accepts it.
    class Optional:
        @hookimpl(optionalhook=True)
        def totalplace_from_another_plugin(self):
            return None

    assert "optional" in rules_with(("optional", Optional())).infos


def test_an_argument_the_hook_does_not_have_is_a_load_failure():
    class Asks:
        @hookimpl
        def totalplace_value_benefit(self, line, ctx):
            return None

    with pytest.raises(tp.PluginError) as caught:
        rules_with(("asks", Asks()))
    assert (caught.value.plugin, caught.value.hook) == ("asks", "totalplace_value_benefit")
    assert caught.value.detail == (
        "takes 'ctx', which the hook does not give; it gives line, context "
        "(leave out any you do not use)"
    )


# -- hook wrappers ----------------------------------------------------------------------------


class NewStyleWrapper:
    @hookimpl(wrapper=True)
    def totalplace_value_benefit(self, line, context):
        valuation = yield
        return Valuation({y: 2 * v for y, v in valuation.gross.items()}, basis="doubled")


class OldStyleWrapper:
    @hookimpl(hookwrapper=True)
    def totalplace_value_benefit(self, line, context):
        yield


@pytest.mark.parametrize(
    ("plugin", "flag"),
    [(NewStyleWrapper(), "wrapper=True"), (OldStyleWrapper(), "hookwrapper=True")],
)
def test_a_hook_wrapper_is_refused_at_load_with_a_message(plugin, flag):
    with pytest.raises(tp.PluginError) as caught:
        rules_with(("wrapping", plugin))
    assert (caught.value.plugin, caught.value.hook) == ("wrapping", "totalplace_value_benefit")
    assert caught.value.detail.startswith(
        f"hook wrappers (@hookimpl({flag})) are not supported: implement the hook plainly"
    )
    assert "tryfirst=True or trylast=True" in caught.value.detail


def test_a_refused_wrapper_leaves_the_appraisal_to_the_other_plugins():
    rules = rules_with(("wrapping", NewStyleWrapper()), strict=False)
    [failure] = rules.failures
    assert failure.plugin == "wrapping"
    result = tp.appraise(one_line_programme(), rules=rules)
    assert result.cases[0].pv_benefits == 100  # valued by the built-in rule, not doubled


# -- sys.path ---------------------------------------------------------------------------------


def test_a_distribution_folder_leaves_sys_path_as_it_found_it(tmp_path):
    folder = tmp_path / "totalplace-tenancy"
    write(
        folder / "src" / "totalplace_tenancy" / "__init__.py",
        """\
        from totalplace_cases.plugin import Category, hookimpl

        @hookimpl
        def totalplace_register_categories(register):
            from .names import NAME  # a submodule imported after loading still resolves
            register(Category(NAME))
        """,
    )
    write(folder / "src" / "totalplace_tenancy" / "names.py", 'NAME = "tenancy"\n')
    write(folder / "src" / "helper_beside_it.py", "SHADOW = True\n")
    before = list(sys.path)
    try:
        rules = load_rules([folder], entry_points=False, strict=True)
        assert sys.path == before
        assert rules.registry.category("tenancy") is not None
        with pytest.raises(ModuleNotFoundError):
            __import__("helper_beside_it")  # the folder no longer shadows other modules
    finally:
        for name in ("totalplace_tenancy", "totalplace_tenancy.names"):
            sys.modules.pop(name, None)


def test_a_folder_already_on_sys_path_stays_there(tmp_path, monkeypatch):
    folder = tmp_path / "dist"
    write(folder / "src" / "totalplace_kept" / "__init__.py", "VALUE = 1\n")
    monkeypatch.syspath_prepend(str(folder / "src"))
    try:
        load_rules([folder], entry_points=False, strict=True)
        assert str(folder / "src") in sys.path
    finally:
        sys.modules.pop("totalplace_kept", None)


# -- one public call --------------------------------------------------------------------------


class Labels:
    def __init__(self, answer):
        self.answer = answer

    @hookimpl
    def totalplace_validate_case(self, case, programme, rules):
        return self.answer


def test_call_returns_each_answer_with_the_plugin_that_gave_it():
    rules = rules_with(("quiet", Labels(None)), ("one", Labels([])), ("two", Labels([])))
    programme = one_line_programme()
    answers = rules.call(
        "totalplace_validate_case", case=programme.cases[0], programme=programme, rules=rules
    )
    # In call order (the plugin loaded last first); "quiet" answered None, so it is left out;
    # the built-in checks answer an empty list.
    assert answers == [Answer("two", []), Answer("one", []), Answer("builtin-checks", [])]
    assert rules.implementers("totalplace_validate_case") == [
        "two",
        "one",
        "quiet",
        "builtin-checks",
    ]


def test_call_first_returns_the_first_answer_and_who_gave_it():
    class Half:
        @hookimpl
        def totalplace_value_benefit(self, line, context):
            return Valuation({y: v / 2 for y, v in line.amounts.items()}, basis="half")

    rules = rules_with(("half", Half()))
    programme = one_line_programme()
    context = _context(programme, rules)
    line = programme.cases[0].benefits[0]
    answer = rules.call("totalplace_value_benefit", first=True, line=line, context=context)
    assert answer.plugin == "half" and answer.value.gross == {Y0: Decimal(50)}
    assert (
        rules.call("totalplace_agency_for", first=True, label="x", line=line, context=context)
        is None
    )


def _context(programme, rules):
    from totalplace_cases.plugin import CaseContext

    case = programme.cases[0]
    return CaseContext(programme, case, rules, Y0, Y0, Y0, "green-book", "start")


def test_nothing_outside_the_host_reaches_into_its_private_parts():
    # The library calls hooks only through the host's public API: no `rules._impls`,
    # `rules._call`/`_run` or `rules.pm.hook` outside plugins.py.
    offenders = []
    for path in sorted(SOURCE.rglob("*.py")):
        if path.name == "plugins.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and (
                node.attr in ("_impls", "_call", "_run")
                or (
                    node.attr == "hook"
                    and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "pm"
                )
            ):
                offenders.append(f"{path.relative_to(SOURCE)}:{node.lineno}: .{node.attr}")
    assert offenders == []


# -- output formats: the data's failure or the plugin's ---------------------------------------


def formats(render):
    class Format:
        @hookimpl
        def totalplace_register_formats(self, register):
            register(OutputFormat("odd", render))

    return rules_with(("odd-format", Format()))


def test_a_format_that_cannot_show_the_data_reports_the_data():
    def render(appraisal, evidence):
        raise tp.TotalPlaceError("case 'c': a title longer than a page cannot be typeset")

    rules = formats(render)
    result = tp.appraise(one_line_programme(), rules=rules)
    with pytest.raises(tp.TotalPlaceError) as caught:
        rules.render(rules.registry.format("odd"), result, [])
    assert not isinstance(caught.value, tp.PluginError)
    assert str(caught.value) == "case 'c': a title longer than a page cannot be typeset"


def test_a_figure_beyond_decimal_range_is_reported_against_the_data():
    def render(appraisal, evidence):
        return str(Decimal("1e999999").quantize(Decimal("0.01")))

    rules = formats(render)
    result = tp.appraise(one_line_programme(), rules=rules)
    with pytest.raises(tp.TotalPlaceError, match=r"cannot write the appraisal as 'odd': a figure"):
        rules.render(rules.registry.format("odd"), result, [])


def test_a_format_that_breaks_names_the_plugin():
    def render(appraisal, evidence):
        return appraisal.no_such_field

    rules = formats(render)
    result = tp.appraise(one_line_programme(), rules=rules)
    with pytest.raises(tp.PluginError) as caught:
        rules.render(rules.registry.format("odd"), result, [])
    assert (caught.value.plugin, caught.value.hook) == ("odd-format", "format 'odd'")
    assert caught.value.detail.startswith("AttributeError")


def test_the_registry_kinds_and_their_getters_agree():
    from totalplace_cases.registry import ENTRY_KINDS, HOOKS, KINDS

    rules = rules_with()
    assert tuple(ENTRY_KINDS) == KINDS
    assert set(HOOKS.values()) == {
        "totalplace_register_categories",
        "totalplace_register_themes",
        "totalplace_register_agencies",
        "totalplace_register_unit_costs",
        "totalplace_register_tables",
        "totalplace_register_formats",
    }
    registry = rules.registry
    assert isinstance(registry.category("community"), Category)
    assert registry.theme("transport").category == "public-realm"
    assert registry.format("json").name == "json" and set(registry.formats()) >= {"json", "table"}
    assert registry.find_table("green-book").kind == "discount-schedule"
    assert registry.find_table("no-such-table") is None
    assert registry.unit_cost("ucd:CR2.0") is None  # the ucd plugin is not loaded here
    assert dict(registry.categories()) == registry.entries["category"]
