"""Every hook's answer is checked against its contract, and a bad one names plugin and hook.

Each test loads one small plugin that answers one hook badly, appraises (or loads) a one-year
case through the host, and expects a :class:`~totalplace_cases.errors.PluginError` whose plugin
and hook are the offender's, with a message saying what was expected. The good answers of the
same shapes are exercised throughout ``tests/test_plugins.py`` and by the bundled Kent programme.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

import totalplace_cases as tp
from totalplace_cases.plugin import (
    Agency,
    BenefitLine,
    BusinessCase,
    Category,
    CostLine,
    EvidenceTable,
    FinancialYear,
    OutputFormat,
    Problem,
    Programme,
    UnitCost,
    Valuation,
    hookimpl,
    parse_table,
)
from totalplace_cases.reports.evidence import collect_evidence
from totalplace_cases.testing import rules_with

pytest_plugins = ["totalplace_cases.testing"]  # the programme_folder fixture

Y0 = FinancialYear(2010)
AGENCIES = (Agency("borough", "Borough", "local"), Agency("police-force", "Police", "police"))


def cost(kind: str = "revenue") -> CostLine:
    return CostLine(agency="borough", kind=kind, amounts={Y0: Decimal(1000)})


def benefit(**fields) -> BenefitLine:
    fields.setdefault("amounts", {Y0: Decimal(1000)})
    return BenefitLine(id="b", agency="borough", value_type="fiscal", **fields)


# The same one-year case as a file, for the checks that run when a programme is read.
CASE = """\
    id = "c"
    title = "C"
    category = "community"
    start = "2010-11"
    years = 1
    """
BENEFIT = """
    [[benefits]]
    id = "b"
    agency = "borough"
    value_type = "fiscal"
    amounts = { "2010-11" = "100" }
    """


def programme(costs=(), benefits=()) -> Programme:
    case = BusinessCase(
        id="c",
        title="C",
        category="community",
        start=Y0,
        years=1,
        costs=costs,
        benefits=benefits,
    )
    return Programme(id="p", agencies=AGENCIES, cases=[case])


def answering(hook: str, value: object) -> object:
    """A plugin object whose ``hook`` answers ``value`` whatever it is asked."""
    # pluggy reads the argument names: give each hook its own.
    arguments = {
        "totalplace_line_defaults": "line, context",
        "totalplace_value_benefit": "line, context",
        "totalplace_agency_for": "label, line, context",
        "totalplace_validate_case": "case, programme, rules",
        "totalplace_evidence_tables": "appraisal, programme",
    }[hook]
    namespace: dict[str, object] = {"value": value}
    exec(f"def {hook}(self, {arguments}):\n    return value\n", namespace)
    return type("Bad", (), {hook: hookimpl(namespace[hook])})()


def bad(hook: str, value: object, match: str, run) -> None:
    rules = rules_with(("bad", answering(hook, value)))
    with pytest.raises(tp.PluginError, match=match) as caught:
        run(rules)
    assert (caught.value.plugin, caught.value.hook) == ("bad", hook)


# -- totalplace_line_defaults ------------------------------------------------------------------


def appraise_cost(rules):
    return tp.appraise(programme(costs=[cost()]), rules=rules)


def appraise_benefit(rules):
    return tp.appraise(programme(benefits=[benefit()]), rules=rules)


@pytest.mark.parametrize(
    ("value", "run", "match"),
    [
        (["deadweight", "0.2"], appraise_benefit, r"expected None or a mapping .* got list"),
        ({"deadwieght": "0.2"}, appraise_benefit, r"'deadwieght' is not a default .*'deadweight'"),
        ({"project_type": "x"}, appraise_benefit, r"'project_type' is not a default for a benef"),
        ({"deadweight": 0.2}, appraise_benefit, r"deadweight is the float 0.2; give a Decimal"),
        ({"deadweight": "1.5"}, appraise_benefit, r"fraction between 0 and 1, found \"1.5\""),
        ({"confidence": 9}, appraise_cost, r"grade 9 is not in table 'cba-local-2014'"),
        ({"confidence": "2"}, appraise_cost, r"expected a whole-number grade, found str"),
        ({"project_type": "castles"}, appraise_cost, r"unknown project type str 'castles'"),
        (
            # The cost line is a revenue line: a capital bound does not apply (method §5).
            {"project_type": "standard-buildings"},
            appraise_cost,
            r"'standard-buildings' is for capital costs, and this is a revenue line; project "
            r"types for revenue lines: outsourcing",
        ),
        (
            {"project_types": {"standard-buildings": Decimal("0.5")}},
            appraise_cost,
            r"the shares add up to 0.5, expected 1",
        ),
        ({"mitigation": -1}, appraise_cost, r"mitigation: expected a fraction"),
        (
            {"discount_schedule": "green-book-heath"},
            appraise_benefit,
            r"discount_schedule: no discount-schedule table called 'green-book-heath'",
        ),
        ({"discount_schedule": 3.5}, appraise_benefit, r"expected the name of a discount schedul"),
        ({"discount_schedule": "green-book"}, appraise_cost, r"not a default for a cost line"),
    ],
)
def test_a_bad_line_default_names_plugin_and_hook(value, run, match):
    bad("totalplace_line_defaults", value, match, run)


def test_good_line_defaults_of_every_kind_are_used():
    class Good:
        @hookimpl
        def totalplace_line_defaults(self, line, context):
            if isinstance(line, CostLine):
                return {"project_types": {"standard-buildings": "1"}, "mitigation": "0.5"}
            return {
                "deadweight": Decimal("0.5"),
                "confidence": 1,
                "discount_schedule": "green-book-health",
            }

    case = programme(costs=[cost("capital")], benefits=[benefit()])
    result = tp.appraise(case, rules=rules_with(Good())).cases[0]
    # Standard buildings' capital upper bound is 24% (on a capital line, method §5), halved by
    # mitigation 0.5: 1000 x 1.12.
    assert result.pv_costs == Decimal("1120.00")
    # Grade 1 is a 0% optimism bias in cba-local-2014; deadweight halves the benefit.
    assert result.pv_benefits == 500


# -- totalplace_value_benefit -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ({Y0: Decimal(1)}, r"returned dict, expected a Valuation"),
        (Valuation({Y0: 1000.0}), r"value for 2010-11 is the float 1000.0; give a Decimal"),
        (Valuation({Y0: Decimal("NaN")}), r"the value for 2010-11 is NaN, not a finite number"),
        (Valuation({"2010-11": Decimal(1)}), r"expected FinancialYear keys, found str"),
        (Valuation({Y0 + 1: Decimal(1)}), r"value for 2011-12, outside the appraisal period"),
        (
            Valuation({Y0: Decimal(1)}, shares=(("borough", Decimal("0.5")),)),
            r"the shares add up to 0.5, expected 1",
        ),
        (
            Valuation({Y0: Decimal(1)}, shares=(("borough", 1.0),)),
            r"the share of 'borough' is the float 1.0",
        ),
        (Valuation({Y0: Decimal(1)}, basis=None), r"basis must be text"),
    ],
)
def test_a_bad_valuation_names_plugin_and_hook(value, match):
    bad("totalplace_value_benefit", value, match, appraise_benefit)


def test_a_valuation_split_among_bodies_no_agency_stands_for_names_plugin_and_hook():
    # The line gives amounts, no unit_cost, so it cannot take an agency_map: the bodies the
    # plugin's valuation splits it among are the plugin's answer, and no rule maps "nobody".
    value = Valuation(
        {Y0: Decimal(1)}, shares=(("borough", Decimal("0.5")), ("nobody", Decimal("0.5")))
    )
    bad(
        "totalplace_value_benefit",
        value,
        r"splits its value among borough, nobody; no agency of the programme stands for nobody",
        appraise_benefit,
    )


# -- totalplace_agency_for --------------------------------------------------------------------


class SplitCost:
    @hookimpl
    def totalplace_register_unit_costs(self, register):
        shares = (("Police", Decimal("0.25")), ("Council", Decimal("0.75")))
        register(UnitCost("test:incident", Decimal(100), Y0, shares=shares))


def appraise_split(rules):
    line = benefit(amounts={}, volumes={Y0: Decimal(1)}, unit_cost="test:incident")
    return tp.appraise(programme(benefits=[line]), rules=rules)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (7, r"expected None or an agency id for '(Police|Council)', got int"),
        ("police", r"answered 'police' for '\w+', which is not an agency .*'police-force'"),
    ],
)
def test_a_bad_agency_answer_names_plugin_and_hook(value, match):
    rules = rules_with(SplitCost(), ("bad", answering("totalplace_agency_for", value)))
    with pytest.raises(tp.PluginError, match=match) as caught:
        appraise_split(rules)
    assert (caught.value.plugin, caught.value.hook) == ("bad", "totalplace_agency_for")


def test_a_good_agency_answer_splits_the_line():
    class Bodies:
        @hookimpl
        def totalplace_agency_for(self, label, line, context):
            return {"Police": "police-force", "Council": "borough"}[label]

    result = appraise_split(rules_with(SplitCost(), Bodies())).cases[0]
    assert {a.agency: a.pv_benefits for a in result.by_agency} == {
        "borough": 75,
        "police-force": 25,
    }


# -- totalplace_validate_case -----------------------------------------------------------------


def validate(rules, folder: Path):
    return tp.load(folder, rules=rules)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (Problem("needs notes", field="title"), r"got a single Problem: return it in a list"),
        (["needs notes"], r"expected a list of Problem objects, got an item str"),
        ({"title": "needs notes"}, r"expected None or a list of Problem objects, got dict"),
        ([Problem("")], r"a Problem needs a message"),
        ([Problem("x", field=3)], r"a Problem's field must be text"),
    ],
)
def test_a_bad_validation_answer_names_plugin_and_hook(value, match, programme_folder):
    folder = programme_folder(agencies=[{"id": "borough", "kind": "local"}], cases={"c": CASE})
    bad("totalplace_validate_case", value, match, lambda rules: validate(rules, folder))


# -- totalplace_evidence_tables ---------------------------------------------------------------


def evidence(rules):
    subject = programme(benefits=[benefit()])
    return collect_evidence(rules, tp.appraise(subject, rules=rules), subject)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (EvidenceTable("T", ("a",), [["x"]]), r"got a single EvidenceTable: return it in a list"),
        ([("a", "tuple")], r"expected a list of EvidenceTable objects, got an item tuple"),
        ([EvidenceTable("T", ("a",), [[0.5]])], r"row 1: a cell is the float 0.5; give a Decim"),
        ([EvidenceTable("T", ("a",), [[None]])], r"row 1: a cell: expected a Decimal, found None"),
    ],
)
def test_a_bad_evidence_answer_names_plugin_and_hook(value, match):
    bad("totalplace_evidence_tables", value, match, evidence)


def test_good_evidence_cells_are_text_ints_and_decimals():
    table = EvidenceTable("T", ("a", "b", "c"), [["x", 2, Decimal("0.125")]])
    rules = rules_with(("good", answering("totalplace_evidence_tables", [table])))
    [found] = evidence(rules)
    assert found.plugin == "good" and found.rows == (("x", 2, Decimal("0.125")),)


# -- the registry hooks and what they register ------------------------------------------------


def registering(kind_hook: str, make):
    class Plugin:
        pass

    def hook(self, register):
        return make(register)

    setattr(Plugin, kind_hook, hookimpl(hook))
    hook.__name__ = kind_hook
    return Plugin()


TABLE = "# table: t\n# kind: {kind}\n# source: s\n# vintage: v\nfrom_year,to_year,rate\n0,,0.1\n"


@pytest.mark.parametrize(
    ("hook", "make", "match"),
    [
        (
            "totalplace_register_categories",
            lambda register: [Category("housing")],
            r"expected nothing \(call register\(...\) for each entry instead\), got list",
        ),
        (
            "totalplace_register_categories",
            lambda register: register(Category("housing", "Housing")) or "done",
            r"expected nothing .* got str 'done'",
        ),
        (
            "totalplace_register_unit_costs",
            lambda register: register(UnitCost("t:x", 4800.0, Y0)),
            r"unit cost 't:x': the value is the float 4800.0; give a Decimal",
        ),
        (
            "totalplace_register_unit_costs",
            lambda register: register(UnitCost("t:x", Decimal(1), "2009-10")),
            r"price_year must be a FinancialYear",
        ),
        (
            "totalplace_register_unit_costs",
            lambda register: register(
                UnitCost("t:x", Decimal(1), Y0, shares=(("NHS", Decimal("0.6")),))
            ),
            r"unit cost 't:x': the shares add up to 0.6, expected 1",
        ),
        (
            "totalplace_register_unit_costs",
            lambda register: register(UnitCost("", Decimal(1), Y0)),
            r"a UnitCost needs a non-empty text key",
        ),
        (
            "totalplace_register_unit_costs",
            lambda register: register(UnitCost("t:x", Decimal(1), True)),
            r"price_year must be a FinancialYear .* or a calendar year \(2010\), found bool",
        ),
        (
            "totalplace_register_unit_costs",
            lambda register: register(
                UnitCost("t:x", None, 2010, by_year=((2010, Decimal(1)), (Y0, Decimal(2))))
            ),
            r"unit cost 't:x': by_year mixes financial and calendar years",
        ),
        (
            "totalplace_register_unit_costs",
            lambda register: register(
                UnitCost("t:x", None, 2010, by_year=((2010, Decimal(1)), (2011, 2.5)))
            ),
            r"the value for 2011 is the float 2.5",
        ),
        (
            "totalplace_register_unit_costs",
            lambda register: register(
                UnitCost("t:x", Decimal(1), 2010, by_year=((2010, Decimal(1)),))
            ),
            r"give a value or values by year \(by_year\), not both",
        ),
        (
            "totalplace_register_unit_costs",
            lambda register: register(
                UnitCost("t:x", None, 2010, by_year=((2010, Decimal(1)), (2010, Decimal(2))))
            ),
            r"by_year gives 2010 twice",
        ),
        (
            "totalplace_register_tables",
            lambda register: register(
                attrs_evolve(parse_table(TABLE.format(kind="discount-schedule")), kind="odd")
            ),
            r"table 't': unknown kind 'odd'",
        ),
        (
            "totalplace_register_formats",
            lambda register: register(OutputFormat("x", "not callable")),
            r"format 'x': render must be callable",
        ),
        (
            "totalplace_register_agencies",
            lambda register: register(Category("kcc")),
            r"register\(\) expected an Agency, got Category",
        ),
    ],
)
def test_a_bad_registration_is_a_load_failure_naming_plugin_and_hook(hook, make, match):
    with pytest.raises(tp.PluginError, match=match) as caught:
        rules_with(("bad", registering(hook, make)))
    assert (caught.value.plugin, caught.value.hook) == ("bad", hook)


def attrs_evolve(table, **changes):
    import attrs

    return attrs.evolve(table, **changes)


def test_a_bad_registration_keeps_nothing_of_the_plugin():
    def make(register):
        register(Category("housing"))
        register(UnitCost("t:x", 4800.0, Y0))

    rules = rules_with(("bad", registering("totalplace_register_categories", make)), strict=False)
    [failure] = rules.failures
    assert failure.plugin == "bad"
    assert rules.registry.category("housing") is None and "bad" not in rules.infos


# -- through the command ------------------------------------------------------------------------


def test_a_bad_answer_exits_2_naming_plugin_and_hook_without_a_traceback(
    tmp_path, programme_folder
):
    plugin = tmp_path / "floaty.py"
    plugin.write_text(
        textwrap.dedent(
            """\
            from totalplace_cases.plugin import hookimpl

            @hookimpl
            def totalplace_line_defaults(line, context):
                return {"deadweight": 0.25}
            """
        ),
        encoding="utf-8",
    )
    folder = programme_folder(
        agencies=[{"id": "borough", "kind": "local"}], cases={"c": CASE + BENEFIT}
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "totalplace_cases",
            "appraise",
            str(folder),
            "--plugin",
            str(plugin),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    # validate finds it first (issue 7.7): at the line whose defaults the plugin gave.
    case_file = folder / "c.toml"
    line = case_file.read_text(encoding="utf-8").splitlines().index("[[benefits]]") + 1
    assert run.stderr == (
        f"error: 1 problem found:\n  {case_file}:{line}: benefits[0]: plugin 'floaty' in hook "
        "totalplace_line_defaults: the default deadweight is the float 0.25; give a Decimal or "
        'a string ("0.25")\n'
    )
