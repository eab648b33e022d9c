"""The kent plugin: Kent's agencies, its line defaults, the UCD body mapping, its evidence table.

The plugin is used as a module (``totalplace_kent``, imported from ``plugins/kent/src`` when it
is not installed) through ``totalplace_cases.testing``, and, where the bundled programme is the
natural data, through ``cases/kent``, which loads it by path.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

import totalplace_cases as tp
from totalplace_cases import BenefitLine, BusinessCase, CostLine, FinancialYear, Programme
from totalplace_cases.money import round_money
from totalplace_cases.reports.evidence import collect_evidence
from totalplace_cases.testing import appraise_folder, rules_with, write_programme

PLUGIN_ROOT = Path(__file__).resolve().parents[1]
REPO_ROOT = PLUGIN_ROOT.parents[1]
KENT = REPO_ROOT / "cases" / "kent"
UCD = REPO_ROOT / "plugins" / "ucd"

for _src in (PLUGIN_ROOT / "src", UCD / "src"):
    # not installed: import from the source folders, as a programme naming them by path does
    if str(_src) not in sys.path:
        sys.path.append(str(_src))

import totalplace_kent  # noqa: E402
import totalplace_ucd  # noqa: E402

Y0 = FinancialYear(2010)  # year 0 of the small cases below: discount factor 1

DISTRICTS = {
    "ashford-bc",
    "canterbury-cc",
    "dartford-bc",
    "dover-dc",
    "gravesham-bc",
    "maidstone-bc",
    "sevenoaks-dc",
    "shepway-dc",
    "swale-bc",
    "thanet-dc",
    "tonbridge-malling-bc",
    "tunbridge-wells-bc",
}
CENTRAL = {"hmt", "clg", "dcsf", "dh", "home-office", "dwp", "dft", "defra", "moj"}


@pytest.fixture(scope="module")
def rules():
    """The built-ins and the kent plugin."""
    return rules_with(("kent", totalplace_kent))


@pytest.fixture(scope="module")
def kent_and_ucd():
    """The built-ins, kent and ucd: the rules the bundled Kent programme asks for."""
    return rules_with(("kent", totalplace_kent), ("ucd", totalplace_ucd))


@pytest.fixture(scope="module")
def kent_result():
    """The bundled Kent programme, appraised with the plugins it names (kent and ucd)."""
    return appraise_folder(KENT)


def line_of(result, case_id: str, line_id: str):
    [line] = [line for line in result.case(case_id).lines if line.id == line_id]
    return line


# -- agencies ---------------------------------------------------------------------------------


def test_kents_agencies_are_registered_by_the_plugin(rules):
    agencies = rules.registry.entries["agency"]
    assert len(agencies) == len(totalplace_kent.kent_agencies()) == 37
    assert {rules.registry.owners[("agency", a)] for a in agencies} == {"kent"}
    assert agencies["kcc"].name == "Kent County Council"
    assert agencies["kcc"].kind == "local"


def test_the_twelve_districts_and_medway_are_local_councils_funded_by_clg(rules):
    agencies = rules.registry.entries["agency"]
    for district in [*DISTRICTS, "medway"]:
        assert (agencies[district].kind, agencies[district].parent) == ("local", "clg")
    assert len(DISTRICTS) == 12


def test_police_fire_and_the_primary_care_trusts(rules):
    agencies = rules.registry.entries["agency"]
    assert (agencies["kent-police"].kind, agencies["kent-police"].parent) == (
        "police",
        "home-office",
    )
    assert agencies["kfrs"].kind == "fire"
    for pct in ("nhs-eck-pct", "nhs-wk-pct", "nhs-medway-pct"):
        assert (agencies[pct].kind, agencies[pct].parent) == ("health", "dh")


def test_jobcentre_plus_the_environment_agency_and_the_central_departments(rules):
    agencies = rules.registry.entries["agency"]
    assert (agencies["jcp"].kind, agencies["jcp"].parent) == ("central", "dwp")
    assert agencies["environment-agency"].parent == "defra"
    for department in CENTRAL:
        assert (agencies[department].kind, agencies[department].parent) == ("central", None)


def test_every_parent_is_itself_a_registered_agency(rules):
    agencies = rules.registry.entries["agency"]
    assert {a.parent for a in agencies.values() if a.parent} <= set(agencies)


def test_the_margate_task_force_theme(rules):
    assert rules.registry.get("theme", "margate-task-force").category == "community"


def test_the_kent_programme_lists_no_agencies_of_its_own_and_gets_them_all():
    programme = tp.load(KENT)
    assert len(programme.agencies) == len(totalplace_kent.kent_agencies())


# -- line defaults: coastal-defence capital --------------------------------------------------


def in_kent(case: BusinessCase) -> Programme:
    """A case inside a Kent programme: the plugin's rules are Kent's, for Kent's cases only."""
    return Programme(id="kent-test", place="Kent", cases=[case])


def test_the_rules_do_not_apply_outside_kent(rules):
    elsewhere = Programme(id="elsewhere", place="Lancashire", cases=[coastal_case(capital())])
    assert tp.appraise(elsewhere, rules=rules).cases[0].pv_costs == 1000


def coastal_case(*costs: CostLine, theme: str = "coastal-defences") -> BusinessCase:
    return BusinessCase(
        id="coast",
        title="Coast",
        category="public-realm",
        theme=theme,
        start=Y0,
        years=1,
        costs=costs,
    )


def capital(**kwargs) -> CostLine:
    return CostLine(
        agency="environment-agency", kind="capital", amounts={Y0: Decimal(1000)}, **kwargs
    )


def test_a_coastal_capital_line_without_optimism_bias_gets_the_civil_engineering_44_percent(
    rules,
):
    result = tp.appraise(in_kent(coastal_case(capital())), rules=rules).cases[0]
    assert result.pv_costs == 1440
    assert result.lines[0].adjustments["basis"] == (
        "project type (rule: kent): standard-civil-engineering"
    )


def test_a_coastal_capital_line_with_its_own_optimism_bias_keeps_it(rules):
    case = coastal_case(capital(optimism_bias=Decimal("0.1")))
    assert tp.appraise(in_kent(case), rules=rules).cases[0].pv_costs == 1100


def test_the_coastal_default_is_for_capital_lines_in_coastal_cases_only(rules):
    revenue = CostLine(agency="kcc", kind="revenue", amounts={Y0: Decimal(1000)})
    assert tp.appraise(in_kent(coastal_case(revenue)), rules=rules).cases[0].pv_costs == 1000
    other_theme = coastal_case(capital(), theme="transport")
    assert tp.appraise(in_kent(other_theme), rules=rules).cases[0].pv_costs == 1000


def test_in_the_kent_programme_hythe_takes_the_default_and_the_main_works_keep_their_own(
    kent_result,
):
    hythe = line_of(kent_result, "kent-coastal-defences", "hythe-early-works")
    assert hythe.adjustments["optimism_bias"] == Decimal("0.44")
    assert hythe.adjustments["basis"] == "project type (rule: kent): standard-civil-engineering"
    works = line_of(kent_result, "kent-coastal-defences", "defence-works")
    # non-standard civil engineering, capital upper bound 66%, mitigated by 60%: 26.4%
    assert works.adjustments["optimism_bias"] == Decimal("0.264")
    assert works.adjustments["basis"] == "project type: non-standard-civil-engineering"


# -- line defaults: high-cost-cases deadweight ------------------------------------------------


def placement_case(line: BenefitLine) -> BusinessCase:
    return BusinessCase(
        id="placements",
        title="Placements",
        category="individual",
        theme="high-cost-cases",
        start=Y0,
        years=1,
        benefits=[line],
    )


def placement_benefit(**kwargs) -> BenefitLine:
    # An outcome line: 2 placements stepped down, at £500 each.
    kwargs.setdefault("volumes", {Y0: Decimal(2)})
    kwargs.setdefault("unit_value", Decimal(500))
    return BenefitLine(id="placements", agency="kcc", value_type="fiscal", **kwargs)


def test_a_high_cost_benefit_without_deadweight_takes_20_percent(rules):
    result = tp.appraise(in_kent(placement_case(placement_benefit())), rules=rules).cases[0]
    assert result.pv_benefits == 800  # 2 x 500 x (1 - 0.2)
    assert result.lines[0].adjustments["sources"]["deadweight"] == "rule: kent"


@pytest.mark.parametrize(
    "line",
    [
        # lower fees, or officer time, given as amounts: not outcomes that would happen anyway
        {"amounts": {Y0: Decimal(1000)}, "volumes": {}, "unit_value": None},
        # a transfer takes no counterfactual default at all
        {"transfer": True, "cashable": True},
    ],
    ids=["fees-or-time", "transfer"],
)
def test_the_high_cost_deadweight_is_for_outcome_lines_only(rules, line):
    result = tp.appraise(in_kent(placement_case(placement_benefit(**line))), rules=rules).cases[0]
    assert result.lines[0].adjustments["deadweight"] == 0
    assert "deadweight" not in result.lines[0].adjustments["sources"]


def test_a_cohort_of_outcomes_takes_the_high_cost_deadweight_too(rules):
    # 4 children engaged, half of them stepped down: 2 placements at £500 in the first year, an
    # outcome counted from a cohort rather than by year (method §19).
    cohort = tp.Cohort(participants={Y0: Decimal(4)}, success=Decimal("0.5"))
    line = placement_benefit(volumes={}, cohort=cohort)
    result = tp.appraise(in_kent(placement_case(line)), rules=rules).cases[0]
    assert result.pv_benefits == 800  # 2 x 500 x (1 - 0.2)
    assert result.lines[0].adjustments["sources"]["deadweight"] == "rule: kent"


def test_an_explicit_deadweight_wins_over_the_high_cost_default(rules):
    line = placement_benefit(deadweight=Decimal("0.1"))
    result = tp.appraise(in_kent(placement_case(line)), rules=rules).cases[0]
    assert result.pv_benefits == 900
    assert result.lines[0].adjustments["sources"]["deadweight"] == "explicit"


def test_in_the_kent_programme_the_high_cost_default_and_an_explicit_deadweight(kent_result):
    cited = line_of(kent_result, "kent-hcc-placements", "care-entries-avoided")
    assert cited.adjustments["deadweight"] == Decimal("0.2")
    assert cited.adjustments["sources"]["deadweight"] == "rule: kent"
    explicit = line_of(kent_result, "kent-hcc-placements", "children-home-to-kent")
    assert explicit.adjustments["deadweight"] == Decimal("0.1")
    assert explicit.adjustments["sources"]["deadweight"] == "explicit"
    for fees_or_time in ("framework-prices-kcc", "fewer-disputed-cases"):
        line = line_of(kent_result, "kent-hcc-placements", fees_or_time)
        assert line.adjustments["deadweight"] == 0, fees_or_time


# -- the UCD's bodies as Kent agencies --------------------------------------------------------

DV_CASE = """\
    id = "dv"
    title = "Domestic violence incidents avoided"
    category = "community"
    start = "2008-09"
    years = 1

    [[benefits]]
    id = "dv"
    agency = "{agency}"
    value_type = "fiscal"
    unit_cost = "ucd:CR2.0"
    volumes = {{ "2008-09" = "1" }}
    """


def dv_split(tmp_path: Path, agency: str) -> dict[str, Decimal]:
    """One CR2.0 incident, in CR2.0's own prices (2008-09), on a line of ``agency``."""
    folder = write_programme(
        tmp_path / agency,
        programme={"id": "kent-test", "place": "Kent", "price_base": "2008-09"},
        cases={"dv": DV_CASE.format(agency=agency)},
    )
    result = appraise_folder(folder, ("kent", totalplace_kent), ("ucd", totalplace_ucd)).cases[0]
    return {a.agency: round_money(a.pv_benefits) for a in result.by_agency}


def test_the_ucd_split_puts_the_nhs_share_on_the_lines_own_pct(tmp_path):
    # CR2.0, £2,470 in 2008-09: NHS 1,171; criminal justice 581; police 415; council 193 + 110.
    assert dv_split(tmp_path, "nhs-wk-pct") == {
        "nhs-wk-pct": Decimal("1171.00"),
        "moj": Decimal("581.00"),
        "kent-police": Decimal("415.00"),
        "kcc": Decimal("303.00"),
    }


def test_the_ucd_split_on_a_line_of_a_body_that_is_not_health_puts_the_nhs_on_east_kent(
    tmp_path,
):
    assert dv_split(tmp_path, "kent-police") == {
        "nhs-eck-pct": Decimal("1171.00"),
        "moj": Decimal("581.00"),
        "kent-police": Decimal("415.00"),
        "kcc": Decimal("303.00"),
    }


def test_agency_for_answers_only_for_bodies_it_knows():
    context = SimpleNamespace(programme=tp.load(KENT))
    line = BenefitLine(id="x", agency="kcc", value_type="fiscal", amounts={Y0: Decimal(1)})
    ask = totalplace_kent.totalplace_agency_for
    assert ask(label="Criminal Justice System", line=line, context=context) == "moj"
    assert ask(label="Police", line=line, context=context) == "kent-police"
    assert ask(label="Local Authority", line=line, context=context) == "kcc"
    assert ask(label="Society / Economic", line=line, context=context) is None


def test_in_the_kent_programme_the_dv_lines_split_by_their_pct(kent_result):
    east = line_of(kent_result, "kent-community-safety", "dv-fiscal-east")
    west = line_of(kent_result, "kent-community-safety", "dv-fiscal-west")
    assert set(east.adjustments["split"]) == {"nhs-eck-pct", "moj", "kent-police", "kcc"}
    assert set(west.adjustments["split"]) == {"nhs-wk-pct", "moj", "kent-police", "kcc"}
    # the two council shares (children's services 193, housing 110) both go to KCC
    assert float(west.adjustments["split"]["kcc"]) == pytest.approx(303 / 2470)


# -- the evidence table -----------------------------------------------------------------------


def test_the_kent_evidence_table_sums_the_appraisal_by_counting_group(kent_and_ucd):
    programme = tp.load(KENT, rules=kent_and_ucd)
    result = tp.appraise(programme, rules=kent_and_ucd)
    tables = collect_evidence(kent_and_ucd, result, programme)
    [table] = [t for t in tables if t.plugin == "kent"]
    assert table.title == "Kent: appraisal by counting group"
    assert [row[0] for row in table.rows] == ["public-realm", "community", "individual"]
    # Every case the totals count (all but the rejected integrated-transport case), once.
    assert sum(row[1] for row in table.rows) == len(result.counted) == len(programme.cases) - 1
    assert "not counted: kent-integrated-transport (rejected)" in table.notes


def test_there_is_no_kent_evidence_table_for_another_place(rules, tmp_path):
    folder = write_programme(
        tmp_path / "elsewhere",
        programme={"id": "testshire", "place": "Testshire"},
        agencies=[{"id": "testshire-cc", "kind": "local"}],
        cases={
            "case": """\
                id = "c"
                title = "A case"
                category = "community"
                start = "2010-11"
                years = 1

                [[benefits]]
                id = "b"
                agency = "testshire-cc"
                value_type = "fiscal"
                amounts = { "2010-11" = "100" }
                """
        },
    )
    programme = tp.load(folder, rules=rules)
    result = tp.appraise(programme, rules=rules)
    assert collect_evidence(rules, result, programme) == []


# -- classifying the count ------------------------------------------------------------------------


def spend_line(agency: str, service: str, **fields):
    from totalplace_cases.plugin import SpendLine

    return SpendLine(
        year=FinancialYear(2008), agency=agency, category="", theme="", kind="revenue",
        amount=Decimal(1), funded_by=agency, service=service, **fields,
    )  # fmt: skip


def test_police_objective_and_cipfa_service_lines_are_classified_for_kent(rules):
    kent = tp.load(KENT)
    classify = totalplace_kent.totalplace_classify_spend
    assert classify(spend_line("kent-police", "Road policing"), kent) == {
        "category": "public-realm", "theme": "transport"}  # fmt: skip
    assert classify(spend_line("kent-police", " local POLICING "), kent) == {
        "category": "community", "theme": "community-safety"}  # fmt: skip
    assert classify(spend_line("kcc", "Adult social care"), kent) == {
        "category": "individual", "theme": "social-care"}  # fmt: skip
    # A council's line in police coding, an unknown service, and a health body: not its business.
    assert classify(spend_line("kcc", "Road policing"), kent) is None
    assert classify(spend_line("kent-police", "Cake"), kent) is None
    assert classify(spend_line("nhs-eck-pct", "Adult social care"), kent) is None
    assert classify(spend_line("kent-police", "Road policing"), Programme(id="surrey")) is None


def test_every_class_names_a_registered_category_and_theme(rules):
    categories = set(rules.registry.keys("category"))
    themes = set(rules.registry.keys("theme"))
    for category, theme in totalplace_kent.spend_classes().values():
        assert category in categories and theme in themes, (category, theme)
