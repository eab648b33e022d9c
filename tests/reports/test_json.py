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
