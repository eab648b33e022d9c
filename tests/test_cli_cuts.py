"""``totalplace scenario`` and ``totalplace affordability`` as a programme officer runs them."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from totalplace_cases.cli import cli

KENT = Path(__file__).resolve().parents[1] / "cases" / "kent"
CONTRACT = {
    "name", "cut", "baseline_total", "protected_total", "unprotected_total", "effective_rate",
    "jobs", "by_agency", "by_category", "by_year",
}  # fmt: skip


def run(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def kent_json() -> dict:
    result = run("scenario", KENT, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_seeds_scenario_as_json_follows_the_contract(kent_json):
    seed, cbi = kent_json["scenarios"]
    assert set(seed) >= CONTRACT
    assert seed["cut"] == "700000000.00"
    assert seed["baseline_total"] == "8300000000.00"
    assert Decimal(seed["protected_total"]) + Decimal(seed["unprotected_total"]) == Decimal(
        seed["baseline_total"]
    )
    assert isinstance(seed["effective_rate"], float)
    assert seed["effective_rate"] == pytest.approx(700e6 / float(seed["unprotected_total"]))
    assert seed["jobs"] == 30000
    for key, name in (("by_agency", "agency"), ("by_category", "category")):
        rows = seed[key]
        assert all(set(row) == {name, "baseline", "protected", "cut", "rate"} for row in rows)
        assert sum(Decimal(row["cut"]) for row in rows) == Decimal("700000000.00")
    assert seed["by_year"] == [
        {"year": "2010-11", "cut": "700000000.00", "cumulative": "700000000.00"}
    ]
    dwp = next(row for row in seed["by_agency"] if row["agency"] == "dwp")
    assert (dwp["cut"], dwp["rate"]) == ("0.00", 0.0)
    assert cbi["effective_rate"] == pytest.approx(700 / 8300)
    # The cases' affordability is beside each scenario, and in full.
    beside = seed["affordability"]["rows"]
    kcc = next(r for r in beside if r["agency"] == "kcc")
    assert Decimal(kcc["cases_net"]) == sum(Decimal(c["net"]) for c in kcc["cases"])
    assert kent_json["affordability"]["price_base"] == "2009-10"


def test_the_table_shows_the_split_and_the_effective_rate_within_100_columns():
    result = run("scenario", KENT, "--width", "100")
    assert result.exit_code == 0, result.output
    text = result.output
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "Kent County Council" in text  # agencies by name
    assert "21.3%" in text and "8.4%" in text  # the rate for everyone else, and overall
    # The control total of the cut by agency and by category: the scenario's cut exactly.
    totals = [line for line in text.splitlines() if line.startswith("Total ")]
    assert sum("£700,000,000.00" in line for line in totals) >= 4
    assert "NET COST" in text and "(£" in text  # negatives in brackets, net costs flagged


def test_a_scenario_on_the_command_line(tmp_path):
    out = tmp_path / "s.json"
    result = run(
        "scenario", KENT, "--cut", "10%", "--over", "2", "--protect", "agency=dwp",
        "--start", "2011-12", "--name", "Deeper, harder, faster", "--format", "json",
        "--output", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (found,) = json.loads(out.read_text(encoding="utf-8"))["scenarios"]
    # 10% of the £8.3bn count, in two steps.
    assert found["name"] == "Deeper, harder, faster"
    assert found["cut"] == "830000000.00" and found["cut_rate"] == 0.1
    assert [y["cut"] for y in found["by_year"]] == ["415000000.00", "415000000.00"]
    assert [y["year"] for y in found["by_year"]] == ["2011-12", "2012-13"]


def test_csv_and_markdown():
    result = run("scenario", KENT, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    totals = [
        r
        for r in rows
        if r["table"].endswith("-by-agency")
        and r["table"] != "scenarios-by-agency"
        and r["row_id"] == "total"
    ]
    assert [r["cut"] for r in totals] == ["700000000.00", "700000000.00"]
    markdown = run("scenario", KENT, "--format", "markdown").output
    assert "## The seed's cuts scenario: the cut by agency (2008-09 count)" in markdown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--cut", "lots"), "Invalid value for --cut"),
        (("--cut", "£1m", "--protect", "funder=dwp"), "Invalid value for --protect"),
        (("--cut", "£1m", "--protect", "agency=nobody"), 'unknown agency "nobody"'),
        (("--cut", "£1m", "--protect", "theme=helth"), "--protect: theme=helth matches no spend"),
        (("--cut", "£9bn"), "--cut: the cut of £9,000,000,000.00 is more than the unprotected"),
        (("--over", "2"), "--over describe a scenario: give --cut too"),
        (("--cut", "£1m", "--year", "2010-11"), "--year: the count has no 2010-11"),
    ],
)
def test_a_bad_option_is_a_clear_error(args, message):
    result = run("scenario", KENT, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_programme_without_scenarios_asks_for_a_cut(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "programme.toml").write_text(
        '[programme]\nid = "p"\nbaseline = ["s.csv"]\n[[agencies]]\nid = "a"\n', encoding="utf-8"
    )
    (folder / "s.csv").write_text(
        "year,agency,category,theme,kind,amount\n2008-09,a,community,x,revenue,10\n",
        encoding="utf-8",
    )
    result = run("scenario", folder)
    assert result.exit_code == 2 and "has no [[scenarios]]; give one with --cut" in result.output
    ok = run("scenario", folder, "--cut", "£1", "--format", "json")
    assert json.loads(ok.output)["scenarios"][0]["effective_rate"] == 0.1


def test_affordability_by_agency_and_year():
    result = run(
        "affordability", KENT, "--case", "kent-gateway-customer-access", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["case"] for c in data["cases"]] == ["kent-gateway-customer-access"]
    row = data["programme"][0]
    assert set(row) == {
        "agency", "year", "costs", "cashable", "realigned_in", "realigned_out", "net",
        "costs_nominal", "cashable_nominal", "realigned_in_nominal", "realigned_out_nominal",
        "net_nominal", "net_cost",
    }  # fmt: skip
    for r in data["cases"][0]["rows"]:
        net = (Decimal(r["cashable"]) - Decimal(r["costs"]) + Decimal(r["realigned_in"])
               - Decimal(r["realigned_out"]))  # fmt: skip
        assert abs(net - Decimal(r["net"])) <= Decimal("0.02")
        assert r["net_cost"] == (Decimal(r["net"]) < 0)
    table = run("affordability", KENT, "--case", "kent-gateway-customer-access", "--units", "k")
    assert table.exit_code == 0
    assert max(len(line) for line in table.output.splitlines()) <= 100
    assert "Affordability of Gateway: one front door" in table.output
    assert "nominal (each year's own prices)" in table.output
    bad = run("affordability", KENT, "--case", "nothing")
    assert bad.exit_code == 2 and 'no case "nothing"' in bad.output


def test_output_never_overwrites_an_input():
    result = run("scenario", KENT, "--output", KENT / "programme.toml")
    assert result.exit_code == 2
    assert "is one of this run's inputs" in result.output
