"""The JSON result is a contract other programs read: exact names, money as strings, ratios as
numbers, null where a figure is undefined."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import totalplace_cases as tp

REPO = Path(__file__).resolve().parents[2]
KENT = REPO / "cases" / "kent"
MONEY = re.compile(r"^-?\d+\.\d{2}$")
YEAR = re.compile(r"^\d{4}-\d{2}$")
VFM = {"very poor", "poor", "low", "medium", "high", "very high"}

PROGRAMME_KEYS = {"id", "name", "price_base", "discount_base", "schedule", "parameters"}
CASE_KEYS = {
    "id", "title", "category", "theme", "sponsor", "start", "years", "price_base",
    "discount_base", "schedule", "pv_costs", "pv_costs_unadjusted", "pv_benefits", "pv_fiscal",
    "pv_fiscal_cashable", "pv_fiscal_non_cashable", "pv_economic", "pv_social", "npsv", "bcr",
    "fiscal_roi", "cashable_roi", "net_budget_impact", "payback_year", "payback_years",
    "vfm_category", "by_agency", "flows",
}  # fmt: skip
CASE_MONEY = {
    "pv_costs", "pv_costs_unadjusted", "pv_benefits", "pv_fiscal", "pv_fiscal_cashable",
    "pv_fiscal_non_cashable", "pv_economic", "pv_social", "npsv", "net_budget_impact",
}  # fmt: skip
AGENCY_KEYS = {"agency", "pv_costs", "pv_benefits", "pv_fiscal_cashable",
               "pv_fiscal_non_cashable", "net"}  # fmt: skip
FLOW_KEYS = {"year", "t", "discount_factor", "costs", "costs_unadjusted", "benefits", "fiscal",
             "economic", "social"}  # fmt: skip
TOTAL_KEYS = {"pv_costs", "pv_benefits", "npsv", "bcr", "fiscal_roi", "vfm_category"}


@pytest.fixture(scope="module")
def kent_json() -> dict:
    """What `totalplace appraise cases/kent --format json` prints, parsed."""
    run = subprocess.run(
        [sys.executable, "-m", "totalplace_cases", "appraise", str(KENT), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_programme_object_names_its_conventions_and_parameter_tables(kent_json):
    programme = kent_json["programme"]
    assert set(programme) >= PROGRAMME_KEYS
    assert programme["id"] == "kent-total-place"
    assert YEAR.match(programme["price_base"]) and YEAR.match(programme["discount_base"])
    tables = {p["table"] for p in programme["parameters"]}
    assert {"green-book", "dft-vfm-categories"} <= tables
    for parameter in programme["parameters"]:
        assert set(parameter) == {"table", "source", "vintage"}
        assert parameter["source"] and parameter["vintage"]


def test_every_case_has_the_contract_fields_with_their_types(kent_json):
    assert len(kent_json["cases"]) >= 6
    for case in kent_json["cases"]:
        assert set(case) >= CASE_KEYS, CASE_KEYS - set(case)
        for key in CASE_MONEY:
            assert MONEY.match(case[key]), (case["id"], key, case[key])
        for key in ("bcr", "fiscal_roi", "cashable_roi", "payback_years"):
            assert case[key] is None or isinstance(case[key], int | float), key
        assert case["vfm_category"] is None or case["vfm_category"] in VFM
        assert case["payback_year"] is None or YEAR.match(case["payback_year"])
        assert isinstance(case["years"], int) and YEAR.match(case["start"])
        assert len(case["flows"]) == case["years"]
        for row in case["by_agency"]:
            assert set(row) >= AGENCY_KEYS
            assert all(MONEY.match(row[k]) for k in AGENCY_KEYS - {"agency"})
        for flow in case["flows"]:
            assert set(flow) >= FLOW_KEYS
            assert isinstance(flow["discount_factor"], float) and isinstance(flow["t"], int)
            assert YEAR.match(flow["year"])


def test_money_in_json_is_the_exact_value_rounded_half_up(kent_json):
    result = tp.appraise(tp.load(KENT))
    for exact, exported in zip(result.cases, kent_json["cases"], strict=True):
        assert exported["pv_costs"] == f"{tp.money.round_money(exact.pv_costs):.2f}"
        assert exported["bcr"] == exact.bcr


def test_a_case_s_figures_can_be_reproduced_by_hand_from_its_flows(kent_json):
    # PV = sum_t X_t * D_t; from the rounded flows this lands within a penny a year.
    for case in kent_json["cases"]:
        flows = case["flows"]
        pv = sum(Decimal(f["costs"]) * Decimal(repr(f["discount_factor"])) for f in flows)
        assert abs(pv - Decimal(case["pv_costs"])) <= Decimal("0.01") * len(flows)


def test_totals_are_present_for_kent_whose_cases_share_their_bases(kent_json):
    totals = kent_json["totals"]
    assert set(totals) >= TOTAL_KEYS
    assert MONEY.match(totals["pv_costs"]) and MONEY.match(totals["npsv"])
    # The totals add the cases they count: every status but rejected and withdrawn (issue 7.5).
    counted = [c for c in kent_json["cases"] if c["status"] in totals["statuses_included"]]
    assert len(counted) < len(kent_json["cases"])  # Kent's integrated transport was rejected
    parts = sum(Decimal(c["pv_costs"]) for c in counted)
    assert abs(parts - Decimal(totals["pv_costs"])) <= Decimal("0.01") * len(counted)
    assert totals["vfm_category"] in VFM


def test_undefined_figures_are_null(tmp_path):
    # A case with benefits but no costs: no BCR, no ROI, no VfM category.
    case = tmp_path / "no-costs.toml"
    case.write_text(
        'id = "no-costs"\ncategory = "community"\nstart = "2010-11"\nyears = 2\n'
        '[[benefits]]\nagency = "kcc"\nvalue_type = "social"\n'
        'amounts = { "2010-11" = "100" }\n',
        encoding="utf-8",
    )
    exported = tp.to_dict(tp.appraise(tp.load(case)))["cases"][0]
    assert exported["bcr"] is None and exported["fiscal_roi"] is None
    assert exported["vfm_category"] is None
    assert exported["payback_year"] is None and exported["payback_years"] is None
    assert exported["pv_costs"] == "0.00" and exported["pv_benefits"] == "100.00"


def test_the_table_format_is_a_readable_summary_in_pounds():
    run = subprocess.run(
        [sys.executable, "-m", "totalplace_cases", "appraise", str(KENT), "--format", "table"],
        capture_output=True,
        text=True,
        check=True,
    )
    for case in tp.load(KENT).cases:
        assert case.id in run.stdout
    assert "£" in run.stdout and "NPSV" in run.stdout and "BCR" in run.stdout


def test_command_line_options_override_the_programme_settings(kent_json):
    run = subprocess.run(
        [sys.executable, "-m", "totalplace_cases", "appraise", str(KENT), "--format", "json",
         "--schedule", "green-book-health", "--price-base", "2010-11",
         "--discount-base", "2009-10"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result = json.loads(run.stdout)
    assert {c["schedule"] for c in result["cases"]} == {"green-book-health"}
    assert {c["price_base"] for c in result["cases"]} == {"2010-11"}
    assert {c["discount_base"] for c in result["cases"]} == {"2009-10"}
    # A lower discount rate and a later price base both raise present values.
    assert Decimal(result["totals"]["pv_costs"]) > Decimal(kent_json["totals"]["pv_costs"])
