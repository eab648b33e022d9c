"""The evidence pack's section 11: each case's options against business as usual, and its
cohorts, in the return that goes to central government as in the terminal report.

The figures are worked by hand beside the case (method §18, §19), or are the appraisal's own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import totalplace_cases as tp
from totalplace_cases.cli import cli

KENT = Path(__file__).resolve().parents[3] / "cases" / "kent"

# Business as usual costs £100 a year for two years; "small" costs £150 then £50 and saves £207
# (60% cashable) in 2011-12; "big" costs £300 up front and saves £414. Green Book 3.5%, start
# of year: 2011-12's factor is 1/1.035.
OPTIONS_CASE = """\
id = "choice"
title = "A choice of teams"
category = "individual"
start = "2010-11"
years = 2
business_as_usual = "bau"
preferred = "small"

[[options]]
id = "bau"
title = "Carry on"

[[options.costs]]
agency = "lead-agency"
kind = "revenue"
amounts = { "2010-11" = "100", "2011-12" = "100" }
optimism_bias = "0"

[[options]]
id = "small"
title = "A small team"

[[options.costs]]
agency = "lead-agency"
kind = "revenue"
amounts = { "2010-11" = "150", "2011-12" = "50" }
optimism_bias = "0"

[[options.benefits]]
agency = "lead-agency"
value_type = "fiscal"
cashable = "0.6"
amounts = { "2011-12" = "207" }

[[options]]
id = "big"
title = "A big team"

[[options.costs]]
agency = "lead-agency"
kind = "revenue"
amounts = { "2010-11" = "300" }
optimism_bias = "0"

[[options.benefits]]
agency = "lead-agency"
value_type = "fiscal"
cashable = true
amounts = { "2011-12" = "414" }
"""


def make(path: Path, fmt: str, out: Path) -> Path:
    result = CliRunner().invoke(
        cli,
        ["evidence", str(path), "--format", fmt, "--out", str(out), "--as-at", "2012-03-31"],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def choice(write_case) -> Path:
    return write_case(OPTIONS_CASE).parent


def test_the_return_ranks_each_option_with_its_own_and_incremental_figures(choice, tmp_path):
    data = json.loads(make(choice, "json", tmp_path / "p.json").read_text(encoding="utf-8"))
    section = next(s for s in data["sections"] if s["key"] == "options")
    assert section["number"] == 11 and section["tables"] == ["options"]  # no cohort line
    rows = data["tables"]["options"]["rows"]
    # By hand. Own: carry on 100 + 100/1.035 = 196.62; small 150 + 50/1.035 = 198.31 against
    # 207/1.035 = 200.00; big 300 against 414/1.035 = 400.00. Incremental (less carry on's):
    # small 1.69 and 200.00, NPSV 198.31; big 103.38 and 400.00, NPSV 296.62: big ranks first.
    assert [(r["id"], r["rank"], r["role"]) for r in rows] == [
        ("choice/big", 1, ""),
        ("choice/small", 2, "preferred"),
        ("choice/bau", 3, "business as usual"),
    ]
    big, small, bau = rows
    assert (big["pv_costs"], big["pv_benefits"], big["npsv"]) == ("300.00", "400.00", "100.00")
    assert (small["incremental_pv_costs"], small["incremental_npsv"]) == ("1.69", "198.31")
    assert (big["incremental_pv_costs"], big["incremental_npsv"]) == ("103.38", "296.62")
    assert (bau["pv_costs"], bau["incremental_npsv"], bau["incremental_bcr"]) == (
        "196.62",
        "0.00",
        None,
    )
    # The preferred option is not the best by NPSV, and no preferred_reason is given: the
    # return carries the warning beside the table.
    notes = " ".join(data["tables"]["options"]["notes"])
    assert 'the preferred option "small"' in notes and "preferred_reason" in notes


def test_the_return_shows_kents_options_and_cohort_as_the_appraisal_gives_them(tmp_path):
    data = json.loads(make(KENT, "json", tmp_path / "k.json").read_text(encoding="utf-8"))
    appraisal = tp.appraise(tp.load(KENT))
    coastal = appraisal.case("kent-coastal-defences")
    rows = {r["id"]: r for r in data["tables"]["options"]["rows"]}
    # Only the case that weighs options is listed, each of its options once.
    assert set(rows) == {f"kent-coastal-defences/{o.id}" for o in coastal.option_results}
    for option in coastal.option_results:
        row = rows[f"kent-coastal-defences/{option.id}"]
        assert row["npsv"] == f"{option.own.npsv:.2f}"
        assert row["incremental_npsv"] == f"{option.incremental.npsv:.2f}"
    # method §18: the preferred one programme's incremental NPSV; §19: Margate's families.
    assert rows["kent-coastal-defences/one-programme"]["incremental_npsv"] == "44153365.48"
    (cohort,) = data["tables"]["cohorts"]["rows"]
    assert cohort["id"] == "kent-margate-task-force/family-wellbeing"
    assert (cohort["participants"], cohort["engaged"], cohort["successes"]) == ("380", "304", "152")
    assert (cohort["cost_per_participant"], cohort["cost_per_success"]) == (
        "22316.05",
        "55790.13",
    )


def test_every_format_shows_the_section(choice, tmp_path):
    html = make(choice, "html", tmp_path / "p.html").read_text(encoding="utf-8")
    md = make(choice, "md", tmp_path / "p.md").read_text(encoding="utf-8")
    for text in (html, md):
        assert "Options against business as usual, ranked by incremental NPSV" in text
        assert "A small team" in text and "£296.62" in text
    folder = make(choice, "csv", tmp_path / "p-csv")
    assert "198.31" in (folder / "options.csv").read_text(encoding="utf-8")


def test_a_programme_without_options_or_cohorts_says_so(write_case, case_data, tmp_path):
    data = json.loads(
        make(write_case(case_data).parent, "json", tmp_path / "p.json").read_text(encoding="utf-8")
    )
    section = next(s for s in data["sections"] if s["key"] == "options")
    assert section["tables"] == []
    assert section["intro"] == "No case weighs options or builds its benefits from cohorts."
