"""Plugins: one test per hook, through a small plugin, then loading, isolation and switches.

Each test builds its own rules (``rules_with`` from :mod:`totalplace_cases.testing`) or, for the
command, writes its plugins as files under its own ``tmp_path``: a local plugin is imported
under a module name derived from its path, so no two tests share one. The checks that stderr
carries no traceback run the real command in a subprocess (``python -m totalplace_cases``).

The last section is the acceptance example of docs/plugins.md: a new category with its own
valuation rule, in one plugin file beside a programme. The test reads the files out of the
guide, so the guide's example is known to work.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

import totalplace_cases as tp
from totalplace_cases import (
    Agency,
    BenefitLine,
    BusinessCase,
    Category,
    CostLine,
    FinancialYear,
    Problem,
    Programme,
    Theme,
)
from totalplace_cases.method.valuation import Valuation
from totalplace_cases.parameters import parse_table
from totalplace_cases.plugins import load_rules
from totalplace_cases.registry import UnitCost
from totalplace_cases.reports.formats import OutputFormat
from totalplace_cases.testing import appraise_folder, rules_with

pytest_plugins = ["totalplace_cases.testing"]  # the programme_folder and totalplace_rules fixtures

REPO_ROOT = Path(__file__).resolve().parents[1]
KENT = REPO_ROOT / "cases" / "kent"
GUIDE = REPO_ROOT / "docs" / "plugins.md"
Y0 = FinancialYear(2010)  # 2010-11: year 0 (discount factor 1) in the one-year cases below

AGENCIES = [
    {"id": "borough", "name": "Borough council", "kind": "local"},
    {"id": "police-force", "name": "Police force", "kind": "police"},
]

# A valid one-year community case naming only the agencies above.
COMMUNITY_CASE = """\
    id = "street-team"
    title = "Joint street team"
    category = "community"
    sponsor = "borough"
    start = "2010-11"
    years = 1

    [[costs]]
    id = "team"
    agency = "borough"
    kind = "revenue"
    amounts = { "2010-11" = "1000" }

    [[benefits]]
    id = "fewer-call-outs"
    agency = "police-force"
    value_type = "fiscal"
    cashable = true
    amounts = { "2010-11" = "1000" }
    deadweight = "0.6"
    """


def one_year_case(costs=(), benefits=(), category="community") -> BusinessCase:
    return BusinessCase(
        id="one-year",
        title="One year",
        category=category,
        start=Y0,
        years=1,
        costs=costs,
        benefits=benefits,
    )


def cost_line(amount="1000", **kwargs) -> CostLine:
    return CostLine(agency="borough", kind="revenue", amounts={Y0: Decimal(amount)}, **kwargs)


def benefit_line(line_id="b", amount="1000", **kwargs) -> BenefitLine:
    kwargs.setdefault("amounts", {Y0: Decimal(amount)})
    return BenefitLine(id=line_id, agency="borough", value_type="fiscal", **kwargs)


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real command in a new process; ``env`` is added to this process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "totalplace_cases", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture
def plugin_file(tmp_path):
    """Write a local plugin file ``tmp_path/plugins/NAME.py``; returns its path."""

    def write(name: str, source: str) -> Path:
        folder = tmp_path / "plugins"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.py"
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return path

    return write


# -- registries ------------------------------------------------------------------------------


class Housing:
    """Registers a category and a theme in it."""

    @tp.hookimpl
    def totalplace_register_categories(self, register):
        register(Category("housing", "Housing", "Homelessness and housing advice."))

    @tp.hookimpl
    def totalplace_register_themes(self, register):
        register(Theme("homelessness", "Homelessness prevention", "housing"))


def test_register_categories_adds_a_category_a_case_can_use(programme_folder):
    rules = rules_with(("housing", Housing()))
    assert rules.registry.get("category", "housing").name == "Housing"
    assert rules.registry.owners[("category", "housing")] == "housing"
    folder = programme_folder(
        agencies=AGENCIES,
        cases={"case": COMMUNITY_CASE.replace('"community"', '"housing"')},
    )
    assert tp.load(folder, rules=rules).cases[0].category == "housing"


def test_register_themes_adds_a_theme_with_its_category():
    rules = rules_with(("housing", Housing()))
    theme = rules.registry.get("theme", "homelessness")
    assert (theme.name, theme.category) == ("Homelessness prevention", "housing")
    assert rules.registry.by_plugin("housing") == {
        "category": ["housing"],
        "theme": ["homelessness"],
    }


class Districts:
    @tp.hookimpl
    def totalplace_register_agencies(self, register):
        register(Agency("borough", "Borough council (from the plugin)", "local"))
        register(Agency("police-force", "Police force", "police"))


def test_register_agencies_lets_a_programme_name_agencies_it_does_not_list(programme_folder):
    rules = rules_with(Districts())
    folder = programme_folder(cases={"case": COMMUNITY_CASE})  # no [[agencies]]
    programme = tp.load(folder, rules=rules)
    assert programme.agency("police-force").kind == "police"


def test_an_agency_the_programme_lists_takes_precedence_over_the_plugins(programme_folder):
    rules = rules_with(Districts())
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    assert tp.load(folder, rules=rules).agency("borough").name == "Borough council"


class IncidentCost:
    """A unit cost split between two kinds of body, named as a unit-cost table names them."""

    @tp.hookimpl
    def totalplace_register_unit_costs(self, register):
        register(
            UnitCost(
                key="test:incident",
                value=Decimal(1000),
                price_year=Y0,
                description="An incident",
                shares=(("Police", Decimal("0.25")), ("Council", Decimal("0.75"))),
            )
        )
        register(UnitCost(key="test:visit", value=Decimal(40), price_year=Y0))


def test_register_unit_costs_values_a_line_that_cites_one(programme_folder):
    case = COMMUNITY_CASE.replace(
        'amounts = { "2010-11" = "1000" }\n    deadweight = "0.6"',
        'unit_cost = "test:visit"\n    volumes = { "2010-11" = "5" }',
    )
    folder = programme_folder(agencies=AGENCIES, cases={"case": case})
    result = appraise_folder(folder, IncidentCost()).cases[0]
    assert result.pv_benefits == 200  # 5 visits x 40, in the unit cost's own price year
    assert "test:visit" in result.lines[1].adjustments["valuation"]


TEN_PERCENT = """\
# table: flat-ten
# kind: discount-schedule
# source: a test
# vintage: 2026
from_year,to_year,rate
0,,0.10
"""


class FlatTen:
    @tp.hookimpl
    def totalplace_register_tables(self, register):
        register(parse_table(TEN_PERCENT, origin="test"))


def test_register_tables_adds_a_discount_schedule_a_case_can_name():
    rules = rules_with(FlatTen())
    case = attrs.evolve(
        one_year_case(benefits=[benefit_line(amounts={Y0 + 1: Decimal(1100)})]),
        years=2,
        discount_schedule="flat-ten",
    )
    result = tp.appraise(case, rules=rules)
    assert result.cases[0].pv_benefits == 1000  # 1100 in year 1, discounted at 10%
    assert "flat-ten" in [p.table for p in result.programme.parameters]


FORMAT_PLUGIN = """\
from totalplace_cases import hookimpl
from totalplace_cases.reports.formats import OutputFormat


def case_ids(appraisal, evidence):
    return "".join(f"{case.id} {case.vfm_category}\\n" for case in appraisal.cases)


@hookimpl
def totalplace_register_formats(register):
    register(OutputFormat("ids", case_ids, "one line per case: id and VfM category"))
"""


def test_register_formats_adds_a_format_for_appraise(invoke, plugin_file, programme_folder):
    plugin = plugin_file("idformat", FORMAT_PLUGIN)
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    result = invoke("appraise", folder, "--format", "ids", "--plugin", plugin)
    assert result.exit_code == 0, result.output
    assert result.stdout == "street-team poor\n"  # costs 1000, benefits 400


def test_an_unknown_format_lists_the_ones_plugins_added(invoke, plugin_file, programme_folder):
    plugin = plugin_file("idformat", FORMAT_PLUGIN)
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    result = invoke("appraise", folder, "--format", "nope", "--plugin", plugin)
    assert result.exit_code == 2
    assert "ids, json, markdown, table" in result.output


def test_a_format_that_returns_no_text_names_its_plugin(programme_folder):
    class Broken:
        @tp.hookimpl
        def totalplace_register_formats(self, register):
            register(OutputFormat("broken", lambda appraisal, evidence: None))

    rules = rules_with(("broken-format", Broken()))
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    result = tp.appraise(tp.load(folder, rules=rules), rules=rules)
    with pytest.raises(tp.PluginError, match=r"plugin 'broken-format' in hook format 'broken'"):
        rules.render(rules.registry.get("format", "broken"), result, [])


# -- calculation rules -----------------------------------------------------------------------


class CommunityDefaults:
    """Community cases: cost lines take 25% optimism bias, benefit lines 50% deadweight."""

    @tp.hookimpl
    def totalplace_line_defaults(self, line, context):
        if context.case.category != "community":
            return None
        if isinstance(line, CostLine):
            return {"optimism_bias": "0.25"}
        return {"deadweight": "0.5"}


def test_line_defaults_for_a_cost_line():
    rules = rules_with(("community-defaults", CommunityDefaults()))
    result = tp.appraise(one_year_case(costs=[cost_line()]), rules=rules).cases[0]
    assert result.pv_costs == 1250
    assert result.lines[0].adjustments["basis"] == "rule: community-defaults"


def test_line_defaults_for_a_benefit_line():
    rules = rules_with(("community-defaults", CommunityDefaults()))
    result = tp.appraise(one_year_case(benefits=[benefit_line()]), rules=rules).cases[0]
    assert result.pv_benefits == 500
    assert result.lines[0].adjustments["sources"]["deadweight"] == "rule: community-defaults"


def test_a_value_the_line_gives_wins_over_a_default():
    rules = rules_with(CommunityDefaults())
    case = one_year_case(
        costs=[cost_line(optimism_bias=Decimal("0.1"))],
        benefits=[benefit_line(deadweight=Decimal("0.2"))],
    )
    result = tp.appraise(case, rules=rules).cases[0]
    assert (result.pv_costs, result.pv_benefits) == (1100, 800)


def test_line_defaults_apply_only_where_the_rule_says():
    rules = rules_with(CommunityDefaults())
    case = one_year_case(costs=[cost_line()], benefits=[benefit_line()], category="individual")
    result = tp.appraise(case, rules=rules).cases[0]
    assert (result.pv_costs, result.pv_benefits) == (1000, 1000)


class HigherDeadweight:
    @tp.hookimpl
    def totalplace_line_defaults(self, line, context):
        return {"deadweight": "0.9", "displacement": "0.5"}


def test_line_defaults_per_field_the_plugin_called_first_wins():
    # pluggy calls the plugin loaded last first: here "higher", then "community".
    rules = rules_with(("community", CommunityDefaults()), ("higher", HigherDeadweight()))
    result = tp.appraise(one_year_case(benefits=[benefit_line()]), rules=rules).cases[0]
    sources = result.lines[0].adjustments["sources"]
    assert sources == {"deadweight": "rule: higher", "displacement": "rule: higher"}
    assert result.pv_benefits == 50  # 1000 x (1 - 0.9) x (1 - 0.5)


class DoubleSpecial:
    """Values only lines called "special": twice their amounts."""

    @tp.hookimpl
    def totalplace_value_benefit(self, line, context):
        if line.id != "special":
            return None
        return Valuation({y: 2 * v for y, v in line.amounts.items()}, basis="doubled")


class TripleSpecial:
    @tp.hookimpl
    def totalplace_value_benefit(self, line, context):
        if line.id != "special":
            return None
        return Valuation({y: 3 * v for y, v in line.amounts.items()}, basis="tripled")


def test_value_benefit_a_plugins_rule_values_its_lines_and_none_falls_through():
    rules = rules_with(DoubleSpecial())
    case = one_year_case(benefits=[benefit_line("special"), benefit_line("ordinary")])
    result = tp.appraise(case, rules=rules).cases[0]
    valued = {line.id: line.adjustments["valuation"] for line in result.lines}
    assert valued == {"special": "doubled", "ordinary": "amounts"}
    assert result.pv_benefits == 3000


def test_value_benefit_the_first_result_wins():
    rules = rules_with(("double", DoubleSpecial()), ("triple", TripleSpecial()))
    result = tp.appraise(one_year_case(benefits=[benefit_line("special")]), rules=rules)
    assert result.cases[0].pv_benefits == 3000  # "triple", loaded last, is called first


def test_a_valuation_rule_that_returns_the_wrong_type_is_an_error():
    class Wrong:
        @tp.hookimpl
        def totalplace_value_benefit(self, line, context):
            return {Y0: Decimal(1)}

    with pytest.raises(tp.TotalPlaceError, match=r"returned dict, expected a Valuation"):
        tp.appraise(one_year_case(benefits=[benefit_line()]), rules=rules_with(Wrong()))


def test_a_valuation_rule_can_value_volumes_that_give_no_unit(programme_folder):
    # The guide's first idea for a plugin valuation rule: a housing line counts households
    # (volumes) and the plugin holds the cost per household, so the line gives no unit_value.
    # The case-file reader refuses such a line before any plugin can value it.
    class PerHousehold:
        @tp.hookimpl
        def totalplace_value_benefit(self, line, context):
            if line.unit_value is not None or line.unit_cost is not None:
                return None
            return Valuation({y: n * 4800 for y, n in line.volumes.items()}, basis="per household")

    case = COMMUNITY_CASE.replace(
        'amounts = { "2010-11" = "1000" }\n    deadweight = "0.6"',
        'volumes = { "2010-11" = "2" }',
    )
    folder = programme_folder(agencies=AGENCIES, cases={"case": case})
    assert appraise_folder(folder, PerHousehold()).cases[0].pv_benefits == 9600


class PoliceAndCouncil:
    """Says which agency stands for the bodies a unit-cost table names."""

    @tp.hookimpl
    def totalplace_agency_for(self, label, line, context):
        return {"Police": "police-force", "Council": "borough"}.get(label)


def incident_programme(**line_fields) -> Programme:
    line = BenefitLine(
        id="incidents",
        agency="borough",
        value_type="fiscal",
        volumes={Y0: Decimal(1)},
        unit_cost="test:incident",
        **line_fields,
    )
    agencies = [Agency(a["id"], a["name"], a["kind"]) for a in AGENCIES]
    agencies.append(Agency("county", "County council", "local"))
    return Programme(id="p", agencies=agencies, cases=[one_year_case(benefits=[line])])


def test_agency_for_maps_a_split_unit_cost_to_the_programmes_agencies():
    rules = rules_with(IncidentCost(), PoliceAndCouncil())
    result = tp.appraise(incident_programme(), rules=rules).cases[0]
    assert {a.agency: a.pv_benefits for a in result.by_agency} == {
        "borough": 750,
        "police-force": 250,
    }


def test_agency_for_the_lines_own_agency_map_wins():
    rules = rules_with(IncidentCost(), PoliceAndCouncil())
    programme = incident_programme(agency_map={"Council": "county"})
    result = tp.appraise(programme, rules=rules).cases[0]
    assert {a.agency for a in result.by_agency} == {"county", "police-force"}


def test_agency_for_without_an_answer_the_error_says_how_to_map_the_body():
    rules = rules_with(IncidentCost())
    with pytest.raises(tp.TotalPlaceError, match=r"no agency of the programme stands for Police"):
        tp.appraise(incident_programme(), rules=rules)


# -- validation ------------------------------------------------------------------------------


class DeadweightLimit:
    """No benefit line may claim more than half its value would have happened anyway."""

    @tp.hookimpl
    def totalplace_validate_case(self, case, programme, rules):
        return [
            Problem("deadweight above 0.5 needs evidence", field=f"benefits[{i}].deadweight")
            for i, line in enumerate(case.benefits)
            if line.deadweight is not None and line.deadweight > Decimal("0.5")
        ]


def test_validate_case_problems_are_reported_with_file_and_line(programme_folder, line_no):
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    with pytest.raises(tp.InputError) as caught:
        tp.load(folder, rules=rules_with(DeadweightLimit()))
    [problem] = caught.value.problems
    case_file = folder / "case.toml"
    assert problem.file == case_file
    assert problem.line == line_no(case_file, "deadweight")
    assert str(problem) == (
        f"{case_file}:{problem.line}: benefits[0].deadweight: deadweight above 0.5 needs evidence"
    )


def test_validate_case_problems_make_the_command_exit_2(invoke, plugin_file, programme_folder):
    plugin = plugin_file(
        "needs_notes",
        """\
        from totalplace_cases import Problem, hookimpl

        @hookimpl
        def totalplace_validate_case(case, programme, rules):
            if not case.notes:
                return [Problem("a case needs notes", field="title")]
        """,
    )
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    result = invoke("validate", folder, "--plugin", plugin)
    assert result.exit_code == 2
    assert f"{folder / 'case.toml'}:2: title: a case needs notes" in result.stderr


def test_a_validation_rule_that_returns_the_wrong_type_names_plugin_and_hook(
    plugin_file, programme_folder
):
    plugin = plugin_file(
        "wrong_problems",
        """\
        from totalplace_cases import hookimpl

        @hookimpl
        def totalplace_validate_case(case, programme, rules):
            return ["a case needs notes"]  # text, not Problem objects
        """,
    )
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    result = run("validate", folder, "--plugin", plugin)
    assert result.returncode == 2
    assert "error: plugin 'wrong_problems' in hook totalplace_validate_case: " in result.stderr
    assert "Traceback" not in result.stderr


# -- reports ---------------------------------------------------------------------------------

EVIDENCE_PLUGIN = """\
from totalplace_cases import hookimpl
from totalplace_cases.reports.evidence import EvidenceTable


@hookimpl
def totalplace_evidence_tables(appraisal, programme):
    rows = [[case.id, case.category, case.vfm_category] for case in appraisal.cases]
    return [EvidenceTable("Cases by category", ("Case", "Category", "VfM"), rows, "A note.")]
"""


def test_evidence_tables_appear_in_the_table_output(invoke, plugin_file, programme_folder):
    plugin = plugin_file("by_category", EVIDENCE_PLUGIN)
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    result = invoke("appraise", folder, "--plugin", plugin)
    assert result.exit_code == 0, result.output
    table = result.stdout[result.stdout.index("Cases by category") :]
    assert re.search(r"street-team\s+community\s+poor", table)
    assert "A note." in table


def test_evidence_tables_appear_in_the_json_output(invoke, plugin_file, programme_folder):
    plugin = plugin_file("by_category", EVIDENCE_PLUGIN)
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    result = invoke("appraise", folder, "--format", "json", "--plugin", plugin)
    assert json.loads(result.stdout)["evidence_tables"] == [
        {
            "title": "Cases by category",
            "plugin": "by_category",
            "headers": ["Case", "Category", "VfM"],
            "rows": [["street-team", "community", "poor"]],
            "notes": "A note.",
        }
    ]


def test_an_evidence_table_with_decimal_cells_appears_in_the_json(
    invoke, plugin_file, programme_folder
):
    # Decimal is the library's own number type; a plugin that sums volumes gets one.
    plugin = plugin_file(
        "decimal_cells",
        """\
        from decimal import Decimal
        from totalplace_cases import hookimpl
        from totalplace_cases.reports.evidence import EvidenceTable

        @hookimpl
        def totalplace_evidence_tables(appraisal, programme):
            return [EvidenceTable("Households", ("Case", "Households"), [["x", Decimal(240)]])]
        """,
    )
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    result = invoke("appraise", folder, "--format", "json", "--plugin", plugin)
    assert result.exit_code == 0, result.stderr
    [table] = json.loads(result.stdout)["evidence_tables"]
    assert table["rows"][0][1] in ("240", 240)


def test_an_evidence_table_of_the_wrong_type_names_the_plugin(programme_folder):
    from totalplace_cases.reports.evidence import collect_evidence

    class NotATable:
        @tp.hookimpl
        def totalplace_evidence_tables(self, appraisal, programme):
            return [("a", "tuple")]

    rules = rules_with(("not-a-table", NotATable()))
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    programme = tp.load(folder, rules=rules)
    with pytest.raises(tp.PluginError, match=r"'not-a-table' in hook totalplace_evidence_tables"):
        collect_evidence(rules, tp.appraise(programme, rules=rules), programme)


# -- isolation: plugins that fail ------------------------------------------------------------

GOOD_PLUGIN = """\
from totalplace_cases import Category, hookimpl

@hookimpl
def totalplace_register_categories(register):
    register(Category("housing", "Housing"))
"""

BROKEN = {
    "ImportError": ("import totalplace_no_such_module\n", "ModuleNotFoundError: No module named"),
    "SyntaxError": ("def oops(:\n    pass\n", "SyntaxError: "),
}


@pytest.fixture
def housing_programme(programme_folder):
    """A programme whose one case is in the category its local plugin ``good.py`` adds."""
    return programme_folder(
        agencies=AGENCIES,
        plugins=["good.py"],
        files={"good.py": GOOD_PLUGIN},
        cases={"case": COMMUNITY_CASE.replace('"community"', '"housing"')},
    )


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_plugin_that_fails_to_import_is_skipped_with_a_warning(
    kind, plugin_file, housing_programme
):
    source, error = BROKEN[kind]
    broken = plugin_file("broken", source)
    result = run("validate", housing_programme, "--plugin", broken)
    assert result.returncode == 0, result.stderr
    assert "OK (1 case" in result.stdout  # the other plugin's category still works
    assert f"warning: plugin 'broken': {error}" in result.stderr
    assert "(skipped)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_strict_makes_a_plugin_that_fails_to_import_fatal(kind, plugin_file, housing_programme):
    source, error = BROKEN[kind]
    broken = plugin_file("broken", source)
    result = run("validate", housing_programme, "--plugin", broken, "--strict")
    assert result.returncode == 2
    assert f"error: plugin 'broken': {error}" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback_of_a_plugin_that_fails_to_import(plugin_file, housing_programme):
    broken = plugin_file("broken", BROKEN["ImportError"][0])
    result = run("validate", housing_programme, "--plugin", broken, "--debug")
    assert result.returncode == 0
    assert "Traceback" in result.stderr
    assert "import totalplace_no_such_module" in result.stderr


def test_load_rules_collects_a_failure_and_keeps_the_other_plugins(plugin_file):
    broken = plugin_file("broken", BROKEN["ImportError"][0])
    good = plugin_file("good", GOOD_PLUGIN)
    rules = load_rules([broken, good], entry_points=False)
    [failure] = rules.failures
    assert (failure.plugin, failure.hook) == ("broken", None)
    assert failure.message.startswith("ModuleNotFoundError")
    assert "good" in rules.infos and "broken" not in rules.infos
    assert rules.registry.get("category", "housing") is not None


RAISES_IN_HOOK = """\
from totalplace_cases import hookimpl

@hookimpl
def totalplace_value_benefit(line, context):
    raise ValueError(f"no table for {line.id}")
"""


def test_a_plugin_that_raises_in_a_hook_stops_appraise_naming_plugin_and_hook(
    plugin_file, programme_folder
):
    plugin = plugin_file("exploding", RAISES_IN_HOOK)
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    result = run("appraise", folder, "--plugin", plugin)
    assert result.returncode == 2
    assert result.stdout == ""
    # Found when the programme is validated, before any figure is computed, at the line it broke.
    case_file = Path(folder) / "case.toml"
    line = next(
        n for n, t in enumerate(case_file.read_text().splitlines(), 1) if "[[benefits]]" in t
    )
    assert result.stderr == (
        f"error: 1 problem found:\n  {case_file}:{line}: benefits[0]: plugin 'exploding' in hook "
        "totalplace_value_benefit: ValueError: no table for fewer-call-outs\n"
    )


def test_a_plugin_that_raises_in_a_hook_shows_its_traceback_with_debug(
    plugin_file, programme_folder
):
    plugin = plugin_file("exploding", RAISES_IN_HOOK)
    folder = programme_folder(agencies=AGENCIES, cases={"case": COMMUNITY_CASE})
    result = run("appraise", folder, "--plugin", plugin, "--debug")
    assert result.returncode == 2
    assert "Traceback" in result.stderr
    assert 'raise ValueError(f"no table for {line.id}")' in result.stderr


DUPLICATE = """\
from totalplace_cases import Category, hookimpl

@hookimpl
def totalplace_register_categories(register):
    register(Category("housing", "Housing ({which})"))
"""


def test_two_plugins_registering_one_category_the_message_names_both(plugin_file):
    first = plugin_file("first_housing", DUPLICATE.format(which="first"))
    second = plugin_file("second_housing", DUPLICATE.format(which="second"))
    rules = load_rules([first, second], entry_points=False)
    [failure] = rules.failures
    assert failure.plugin == "second_housing"
    assert failure.hook == "totalplace_register_categories"
    assert "category 'housing' is already registered by plugin 'first_housing'" in str(failure)
    # the first plugin's entry is kept, and nothing of the second
    assert rules.registry.get("category", "housing").name == "Housing (first)"
    assert "second_housing" not in rules.infos


def test_two_plugins_registering_one_category_the_command_warns_without_traceback(plugin_file):
    first = plugin_file("first_housing", DUPLICATE.format(which="first"))
    second = plugin_file("second_housing", DUPLICATE.format(which="second"))
    result = run("plugins", "--plugin", first, "--plugin", second)
    assert result.returncode == 0
    warning = result.stderr.splitlines()[0]
    assert warning.startswith("warning: plugin 'second_housing' in hook ")
    assert "already registered by plugin 'first_housing'" in warning
    assert "Traceback" not in result.stderr


def test_two_plugins_registering_one_category_is_fatal_with_strict(plugin_file):
    first = plugin_file("first_housing", DUPLICATE.format(which="first"))
    second = plugin_file("second_housing", DUPLICATE.format(which="second"))
    with pytest.raises(tp.PluginError, match=r"already registered by plugin 'first_housing'"):
        load_rules([first, second], entry_points=False, strict=True)


def test_replace_true_replaces_another_plugins_entry():
    class Rename:
        @tp.hookimpl
        def totalplace_register_categories(self, register):
            register(Category("community", "Community and neighbourhoods"), replace=True)

    rules = rules_with(("rename", Rename()))
    assert rules.registry.get("category", "community").name == "Community and neighbourhoods"
    assert rules.registry.owners[("category", "community")] == "rename"
    assert ("category", "community", "builtin-categories", "rename") in rules.registry.replaced


# -- environment switches --------------------------------------------------------------------

IMPORT_MARKER = """\
from pathlib import Path

Path(__file__).with_suffix(".imported").touch()
"""


def test_blocked_plugins_are_not_loaded(plugin_file, monkeypatch):
    blocked = plugin_file("blocked_one", IMPORT_MARKER)
    allowed = plugin_file("allowed_one", IMPORT_MARKER)
    monkeypatch.setenv("TOTALPLACE_BLOCK_PLUGINS", "blocked_one, builtin-exporters")
    rules = load_rules([blocked, allowed], entry_points=False)
    assert not blocked.with_suffix(".imported").exists()  # not even imported
    assert allowed.with_suffix(".imported").exists()
    assert "blocked_one" not in rules.infos and "allowed_one" in rules.infos
    assert "builtin-exporters" not in rules.infos
    assert rules.registry.keys("format") == []


def test_trace_prints_every_hook_call_to_stderr(monkeypatch, capsys):
    monkeypatch.setenv("TOTALPLACE_TRACE_PLUGINS", "1")
    rules = load_rules(entry_points=False)
    tp.appraise(one_year_case(benefits=[benefit_line()]), rules=rules)
    err = capsys.readouterr().err
    assert "[totalplace] builtin-categories.totalplace_register_categories(register)" in err
    assert "[totalplace] builtin-valuation.totalplace_value_benefit(line, context)" in err
    assert "[totalplace]   -> Valuation(" in err


def test_no_trace_without_the_switch(monkeypatch, capsys):
    monkeypatch.delenv("TOTALPLACE_TRACE_PLUGINS", raising=False)
    load_rules(entry_points=False)
    assert capsys.readouterr().err == ""


FAKE_PLUGIN = """\
from totalplace_cases import Category, hookimpl

@hookimpl
def totalplace_register_categories(register):
    register(Category("fake-category", "Fake category"))
"""


@pytest.fixture
def fake_distribution(tmp_path, monkeypatch):
    """An installed distribution ``fake-dist 1.0`` declaring a totalplace entry point.

    Faked with metadata files on ``sys.path``: ``fake_dist-1.0.dist-info/`` (METADATA and
    entry_points.txt) and the module ``fake_plugin_mod.py`` beside it. Returns the folder.
    """
    site = tmp_path / "site"
    info = site / "fake_dist-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fake-dist\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[totalplace_cases]\nfakeplug = fake_plugin_mod\n", encoding="utf-8"
    )
    (site / "fake_plugin_mod.py").write_text(FAKE_PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("TOTALPLACE_DISABLE_AUTOLOAD", raising=False)
    yield site
    sys.modules.pop("fake_plugin_mod", None)


def test_an_installed_entry_point_is_loaded(fake_distribution):
    rules = load_rules()
    info = rules.infos["fakeplug"]
    assert info.origin == "entry point (fake_plugin_mod)"
    assert info.version == "1.0"
    assert info.hooks == ("totalplace_register_categories",)
    assert rules.registry.owners[("category", "fake-category")] == "fakeplug"


def test_disable_autoload_stops_entry_points(fake_distribution, monkeypatch):
    monkeypatch.setenv("TOTALPLACE_DISABLE_AUTOLOAD", "1")
    rules = load_rules()
    assert "fakeplug" not in rules.infos
    assert rules.registry.get("category", "fake-category") is None


def test_the_plugins_command_lists_an_installed_entry_point(fake_distribution):
    result = run("plugins", env={"PYTHONPATH": str(fake_distribution)})
    assert result.returncode == 0, result.stderr
    [row] = [line for line in result.stdout.splitlines() if line.startswith("fakeplug ")]
    assert row.split()[:4] == ["fakeplug", "1.0", "entry", "point"]
    assert "category: fake-category" in row


def test_the_plugins_command_with_autoload_disabled_leaves_it_out(fake_distribution):
    env = {"PYTHONPATH": str(fake_distribution), "TOTALPLACE_DISABLE_AUTOLOAD": "1"}
    result = run("plugins", "--format", "json", env=env)
    names = [p["name"] for p in json.loads(result.stdout)["plugins"]]
    assert "fakeplug" not in names


# -- a plugin a case needs is missing --------------------------------------------------------


def test_a_case_in_a_category_no_plugin_provides_names_the_category(programme_folder):
    folder = programme_folder(
        agencies=AGENCIES, cases={"case": COMMUNITY_CASE.replace('"community"', '"housing"')}
    )
    with pytest.raises(tp.InputError) as caught:
        tp.load(folder, rules=rules_with())
    [problem] = caught.value.problems
    assert problem.field == "category"
    assert problem.message.startswith('unknown category "housing"; known categories: ')
    assert "(a plugin may add more)" in problem.message


def test_kent_without_the_kent_plugin_names_the_missing_agencies(invoke, monkeypatch):
    monkeypatch.setenv("TOTALPLACE_BLOCK_PLUGINS", "kent")
    result = invoke("validate", KENT)
    assert result.exit_code == 2
    assert 'sponsor: unknown agency "kcc"; the programme does not define it' in result.stderr
    assert "or load the plugin that registers it" in result.stderr
    assert "Traceback" not in result.stderr


def test_kent_without_the_ucd_plugin_names_the_missing_unit_costs(invoke, monkeypatch):
    monkeypatch.setenv("TOTALPLACE_BLOCK_PLUGINS", "ucd")
    result = invoke("validate", KENT)
    assert result.exit_code == 2
    assert (
        'benefits[0].unit_cost: unknown unit cost "ucd:CR2.0"; '
        "is the plugin that provides 'ucd:' unit costs loaded?"
    ) in result.stderr
    assert "Traceback" not in result.stderr


def test_appraising_a_unit_cost_no_plugin_provides_names_the_prefix():
    line = benefit_line(amounts={}, volumes={Y0: Decimal(1)}, unit_cost="housing:prevention")
    with pytest.raises(tp.TotalPlaceError, match=r'"housing:prevention".*\'housing:\' unit costs'):
        tp.appraise(one_year_case(benefits=[line]), rules=rules_with())


# -- totalplace plugins ----------------------------------------------------------------------


def test_the_plugins_command_shows_the_builtins_kent_and_ucd(invoke):
    result = invoke("plugins", KENT, "--format", "json")
    assert result.exit_code == 0, result.stderr
    plugins = {p["name"]: p for p in json.loads(result.stdout)["plugins"]}
    assert {
        "builtin-categories",
        "builtin-tables",
        "builtin-valuation",
        "builtin-checks",
        "builtin-exporters",
        "kent",
        "ucd",
    } <= set(plugins)
    assert plugins["builtin-categories"]["origin"] == "built-in"
    assert "totalplace_register_agencies" in plugins["kent"]["hooks"]
    assert "ucd:CR2.0" in plugins["ucd"]["registered"]["unit_cost"]


def test_the_plugins_command_table(invoke):
    result = invoke("plugins", KENT)
    names = [line.split()[0] for line in result.stdout.splitlines()[2:] if line[:1].strip()]
    assert names[:5] == [
        "builtin-categories",
        "builtin-tables",
        "builtin-valuation",
        "builtin-checks",
        "builtin-exporters",
    ]
    assert {"kent", "ucd"} <= set(names)


# -- the guide's worked example: a new category with its own valuation rule ------------------


def guide_blocks(kind: str) -> dict[str, str]:
    """The code blocks of docs/plugins.md marked ``<!-- KIND: NAME -->``, by NAME."""
    text = GUIDE.read_text(encoding="utf-8")
    pattern = rf"<!-- {kind}: (.+?) -->\s*```[a-z]*\n(.*?)```"
    return dict(re.findall(pattern, text, flags=re.DOTALL))


def in_order(excerpt: str, text: str) -> bool:
    """Every line of ``excerpt`` occurs in ``text``, in that order (but "...", and the command)."""
    lines = text.splitlines()
    position = 0
    for wanted in excerpt.splitlines():
        if wanted.strip() in ("...", "") or wanted.startswith("$ "):
            continue
        try:
            position = lines.index(wanted, position) + 1
        except ValueError:
            return False
    return True


@pytest.fixture
def worked_example(tmp_path) -> Path:
    """The guide's programme folder, written from its code blocks into ``tmp_path``."""
    files = guide_blocks("file")
    assert set(files) == {
        "my-programme/programme.toml",
        "my-programme/prevention.toml",
        "my-programme/housing_rule.py",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / "my-programme"


def test_the_worked_example_plugin_is_one_short_file(worked_example):
    source = (worked_example / "housing_rule.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 80
    assert 'plugins = ["housing_rule.py"]' in (worked_example / "programme.toml").read_text()


def test_the_worked_example_table_output_is_the_guides(invoke, worked_example):
    result = invoke("appraise", worked_example)
    assert result.exit_code == 0, result.output
    shown = guide_blocks("output")["totalplace appraise my-programme"]
    assert in_order(shown, result.stdout), result.stdout
    # the new category, the plugin's own valuation and its evidence table
    assert "Housing / homelessness" in result.stdout
    assert "Housing: households kept out of temporary accommodation" in result.stdout


def test_the_worked_example_json_output_is_the_guides(invoke, worked_example):
    result = invoke("appraise", worked_example, "--format", "json")
    assert result.exit_code == 0, result.output
    shown = guide_blocks("output")["totalplace appraise my-programme --format json"]
    assert in_order(shown, result.stdout), result.stdout
    data = json.loads(result.stdout)
    [case] = data["cases"]
    assert case["category"] == "housing"
    valuation = {line["id"]: line["adjustments"].get("valuation") for line in case["lines"]}
    assert valuation["thanet-households"].startswith("households x thanet-dc's own cost 5600")
    assert valuation["dover-households"].startswith("volumes x unit cost housing:prevention")
    [table] = data["evidence_tables"]
    assert table["plugin"] == "housing_rule"


def test_the_worked_example_figures(worked_example):
    # Discounted to 2010-11 at 3.5%; the programme's prices are the plugin's (2009-10).
    result = appraise_folder(worked_example).cases[0]
    pv = {line.id: float(line.pv) for line in result.lines}
    assert pv["thanet-households"] == pytest.approx(5600 * (40 + 60 / 1.035 + 60 / 1.035**2))
    assert pv["dover-households"] == pytest.approx(4800 * (20 + 30 / 1.035 + 30 / 1.035**2))


# -- local plugins with the same name, and plugins that try to end the program -----------------


def test_two_local_plugins_with_the_same_name_are_not_silently_merged(tmp_path):
    first, second = tmp_path / "a" / "rules.py", tmp_path / "b" / "rules.py"
    for path, category in ((first, "cat-a"), (second, "cat-b")):
        path.parent.mkdir()
        path.write_text(
            "from totalplace_cases import Category, hookimpl\n\n"
            "@hookimpl\n"
            "def totalplace_register_categories(register):\n"
            f"    register(Category({category!r}))\n",
            encoding="utf-8",
        )
    rules = load_rules([first, second], entry_points=False)
    assert "cat-a" in rules.registry.keys("category")
    assert "cat-b" not in rules.registry.keys("category")
    [failure] = rules.failures
    assert failure.plugin == "rules" and "already loaded" in failure.message
    assert str(first) in failure.message


def test_the_same_local_plugin_named_twice_loads_once(tmp_path):
    path = tmp_path / "once.py"
    path.write_text("VALUE = 1\n", encoding="utf-8")
    rules = load_rules([path, path], entry_points=False)
    assert rules.failures == [] and "once" in rules.infos


def test_a_plugin_that_calls_sys_exit_on_import_is_reported_not_obeyed(tmp_path):
    path = tmp_path / "quitter.py"
    path.write_text("import sys\nsys.exit(3)\n", encoding="utf-8")
    rules = load_rules([path], entry_points=False)
    [failure] = rules.failures
    assert failure.plugin == "quitter" and "SystemExit" in failure.message
