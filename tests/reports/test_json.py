"""The JSON contract is written in one place, under one policy for Decimals.

Money is a string with two decimals (rounded half-up), any other Decimal a plugin puts in an
evidence table is its exact text, and the contract's numbers (ratios, discount factors, the
fractions of a line's adjustments) are named field by field. A Decimal nothing names is refused
rather than written in some form the contract does not promise.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import totalplace_cases as tp
from totalplace_cases.method import results
from totalplace_cases.plugin import BenefitLine, BusinessCase, EvidenceTable, FinancialYear
from totalplace_cases.reports.json import dumps, evidence_to_dict, render_json, to_dict

Y0 = FinancialYear(2010)


@pytest.fixture(scope="module")
def appraisal() -> results.Appraisal:
    # One year, no discounting (year 0): 1000.005 of fiscal benefit with 20% deadweight is
    # 800.004 exactly, which rounds half-up to "800.00"; 0.125 of a pound rounds to "0.13".
    line = BenefitLine(
        id="b",
        agency="a",
        value_type="fiscal",
        amounts={Y0: Decimal("1000.005")},
        deadweight=Decimal("0.2"),
    )
    other = BenefitLine(id="c", agency="a", value_type="social", amounts={Y0: Decimal("0.125")})
    case = BusinessCase(id="k", title="K", category="community", start=Y0, years=1,
                        benefits=[line, other])  # fmt: skip
    return tp.appraise(case)


def test_money_is_a_string_with_two_decimals_rounded_half_up(appraisal):
    case = to_dict(appraisal)["cases"][0]
    assert case["pv_fiscal"] == "800.00"
    assert case["pv_social"] == "0.13"
    assert case["flows"][0]["social"] == "0.13"
    assert to_dict(appraisal)["totals"]["pv_benefits"] == "800.13"  # 800.004 + 0.125 = 800.129


def test_the_contracts_numbers_are_numbers(appraisal):
    case = to_dict(appraisal)["cases"][0]
    assert case["flows"][0]["discount_factor"] == 1.0
    assert case["lines"][0]["adjustments"]["deadweight"] == 0.2
    assert case["bcr"] is None  # no costs: undefined


def test_an_evidence_tables_decimal_cell_is_its_exact_text():
    table = EvidenceTable("T", ("n", "share"), [[240, Decimal("0.125")]], plugin="p")
    assert evidence_to_dict(table) == {
        "title": "T",
        "plugin": "p",
        "headers": ["n", "share"],
        "rows": [[240, "0.125"]],
        "notes": "",
    }


def test_a_decimal_no_rule_names_is_refused():
    with pytest.raises(TypeError, match=r"a Decimal has no JSON form in the contract"):
        dumps({"new_field": Decimal("1.5")})


def test_render_json_is_to_dict_with_the_evidence_tables(appraisal):
    table = EvidenceTable("T", ("a",), [["x"]], plugin="p")
    data = json.loads(render_json(appraisal, [table]))
    assert data.pop("evidence_tables") == [evidence_to_dict(table)]
    assert data == to_dict(appraisal)


def test_to_dict_lives_in_the_reports_not_in_the_method():
    assert tp.to_dict is to_dict
    assert to_dict.__module__ == "totalplace_cases.reports.json"


@pytest.mark.parametrize("which", ["small", "kent"])
def test_an_appraisals_own_to_dict_is_exactly_tp_to_dict(appraisal, kent_dir, which):
    # appraise(...).to_dict(), the form docs/method.md gave before tp.to_dict, still works and
    # gives the same object, to the byte once written.
    result = appraisal if which == "small" else tp.appraise(tp.load(kent_dir))
    assert result.to_dict() == tp.to_dict(result)
    assert dumps(result.to_dict()) == dumps(tp.to_dict(result))


def test_an_appraisals_to_dict_only_hands_over_to_the_reports_writer(appraisal, monkeypatch):
    # The method does not import the reports (tests/test_import_graph.py): importing the package
    # hands the writer in, and the method calls whatever it was given, adding nothing.
    monkeypatch.setattr(results, "_json_writer", lambda a: {"written for": a})
    assert appraisal.to_dict() == {"written for": appraisal}


# -- tp.to_dict of every result of the Python API: the same objects as the commands' JSON ------


def test_to_dict_of_a_sensitivity_and_a_simulation_is_the_commands_json(invoke, kent_dir):
    programme = tp.load(kent_dir)
    command = json.loads(
        invoke("sensitivity", kent_dir, "--draws", "300", "--seed", "5", "--format", "json").output
    )
    assert tp.to_dict(tp.sensitivity(programme, draws=300, seed=5)) == command
    simulated = tp.to_dict(tp.simulate(programme, draws=300, seed=5))
    assert simulated["cases"] == [
        {"id": case["id"], "simulation": case["simulation"]} for case in command["cases"]
    ]
    assert simulated["programme"] == {
        "simulation": command["programme"]["simulation"],
        "note": command["programme"]["note"],
    }


def test_to_dict_of_scenarios_and_affordability_is_the_commands_json(invoke, kent_dir):
    command = json.loads(invoke("scenario", kent_dir, "--format", "json").output)
    found = tp.scenarios(kent_dir)
    # The command adds what the cases do for each agency beside each scenario; the rest is the
    # scenario's own contract.
    own = [{k: v for k, v in s.items() if k != "affordability"} for s in command["scenarios"]]
    assert tp.to_dict(found) == {"scenarios": own}
    assert tp.to_dict(found[0]) == own[0]
    assert tp.to_dict(found[0])["cut"] == "700000000.00"
    afford = json.loads(invoke("affordability", kent_dir, "--format", "json").output)
    assert tp.to_dict(tp.affordability(tp.load(kent_dir))) == afford


def test_to_dict_names_what_it_takes(appraisal):
    assert tp.to_dict(appraisal) == to_dict(appraisal)
    with pytest.raises(TypeError, match=r"takes an appraisal, a sensitivity.*found int"):
        tp.to_dict(3)


def test_to_dict_of_a_roll_up_is_the_commands_json_without_file_names(invoke, kent_dir, tmp_path):
    from totalplace_cases.io.returns import read_returns
    from totalplace_cases.method.rollup import rollup

    kent = tmp_path / "kent.json"
    invoke("evidence", kent_dir, "--format", "json", "--out", kent, "--as-at", "2012-03-31")
    devon = tmp_path / "devon.json"
    data = json.loads(kent.read_text(encoding="utf-8"))
    data["programme"]["id"], data["place"] = "devon", "Devon"
    devon.write_text(json.dumps(data), encoding="utf-8")
    command = json.loads(invoke("rollup", kent, devon, "--format", "json").output)
    for row in command["places"]:
        del row["file"]
    found = tp.to_dict(rollup(read_returns([kent, devon])))
    assert found == command
    # Two places alike: the national total is twice Kent's own.
    assert found["totals"]["pv_costs"] == f"{2 * Decimal(data['totals']['pv_costs']):.2f}"
