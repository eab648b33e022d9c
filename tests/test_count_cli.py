"""``totalplace count`` and ``totalplace gains``: the bundled Kent count, bad rows, --strict.

The Kent control total is checked against the files summed independently (Python's csv module
and openpyxl, with Decimal); the gains figure is worked by hand from the Kent case file.
"""

from __future__ import annotations

import csv
import json
import tomllib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

REPO = Path(__file__).resolve().parents[1]
KENT = REPO / "cases" / "kent"


def kent_baseline_files() -> list[Path]:
    data = tomllib.loads((KENT / "programme.toml").read_text(encoding="utf-8"))
    return [KENT / name for name in data["programme"]["baseline"]]


def independent_sum(path: Path) -> Decimal:
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True)["count"]
        rows = sheet.iter_rows(values_only=True)
        column = next(rows).index("amount")
        return sum((Decimal(repr(row[column])) for row in rows), Decimal(0))
    with path.open(encoding="utf-8", newline="") as handle:
        return sum((Decimal(row["amount"]) for row in csv.DictReader(handle)), Decimal(0))


def test_kent_control_total_equals_the_files_summed_independently(invoke):
    result = invoke("count", KENT, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    files = kent_baseline_files()
    assert len(files) == 5 and any(f.suffix == ".xlsx" for f in files)
    by_path = {Path(f["path"]).name: f for f in data["control"]["files"]}
    for file in files:
        assert Decimal(by_path[file.name]["total"]) == independent_sum(file), file.name
        assert by_path[file.name]["rejected"] == 0
    expected = sum((independent_sum(f) for f in files), Decimal(0))
    # Kent's published count: about £8.3bn a year; the bundled split adds up to it exactly.
    assert expected == Decimal("8300000000.00")
    assert Decimal(data["control"]["total"]) == expected


def test_kent_tables_add_up_and_the_police_file_is_classified_by_the_kent_plugin(invoke):
    data = json.loads(invoke("count", KENT, "--format", "json").output)
    total = Decimal(data["control"]["total"])
    for table in ("by_agency", "by_category", "by_agency_category", "by_category_theme",
                  "by_funder"):  # fmt: skip
        assert sum(Decimal(r["total"]) for r in data[table]) == total, table
    assert data["unclassified"] == []
    police = {(r["category"]) for r in data["by_agency_category"] if r["agency"] == "kent-police"}
    assert police == {"community", "public-realm"}  # road policing is transport: public realm
    # population 1,400,000: £8,300,000,000 / 1,400,000 = £5,928.571... -> £5,928.57
    assert data["per_head"] == [
        {"year": "2008-09", "population": 1400000, "total": "8300000000.00",
         "per_head": "5928.57"}]  # fmt: skip
    shares = [r["share"] for r in data["by_category"]]
    assert sum(shares) == pytest.approx(1, abs=1e-5)


def test_kent_count_prints_control_totals_and_tables(invoke):
    result = invoke("count", KENT)
    assert result.exit_code == 0
    assert "Control totals" in result.output and "£8,300,000,000.00" in result.output
    assert "Spend by funder" in result.output and "Spend per head" in result.output


BAD_FILE = """\
year,agency,category,theme,kind,amount,funded_by
2008-09,lead,individual,care,revenue,100.00,
2008-09,lead,individual,care,revenue,,
2008-09,lead,individual,care,revenue,ten pounds,
2008-09,stranger,individual,care,revenue,5.00,
08-09,lead,individual,care,revenue,6.00,
year,agency,category,theme,kind,amount,funded_by
2008-09,lead
2008-09,partner,community,safety,revenue,50.25,lead
"""

PROGRAMME = """\
[programme]
id = "test"
population = 4
baseline = ["spend.csv"]

[[agencies]]
id = "lead"

[[agencies]]
id = "partner"
"""


@pytest.fixture
def bad_programme(tmp_path) -> Path:
    (tmp_path / "programme.toml").write_text(PROGRAMME, encoding="utf-8")
    (tmp_path / "spend.csv").write_text(BAD_FILE, encoding="utf-8")
    return tmp_path


def test_bad_rows_are_reported_by_file_and_line_and_the_rest_counted(invoke, bad_programme):
    result = invoke("count", bad_programme, "--format", "json")
    assert result.exit_code == 0
    assert "warning: 6 rows rejected" in result.stderr
    data = json.loads(result.stdout)
    spend = str(bad_programme / "spend.csv")
    assert [(r["file"], r["line"]) for r in data["rejected"]] == [
        (spend, n) for n in (3, 4, 5, 6, 7, 8)
    ]
    control = data["control"]
    assert (control["lines"], control["counted"], control["rejected"]) == (8, 2, 6)
    assert control["total"] == "150.25"  # 100.00 + 50.25
    assert control["rejected_total"] == "11.00"  # 5.00 (unknown agency) + 6.00 (bad year)
    # The line funded by "lead" and spent by "partner" is in the total once.
    assert {r["agency"]: r["total"] for r in data["by_agency"]} == {
        "lead": "100.00", "partner": "50.25"}  # fmt: skip
    assert {r["funded_by"]: r["total"] for r in data["by_funder"]} == {"lead": "150.25"}
    assert data["per_head"][0]["per_head"] == "37.56"  # 150.25 / 4 = 37.5625


def test_the_csv_carries_the_control_totals_and_every_bad_row_with_its_line(invoke, bad_programme):
    result = invoke("count", bad_programme, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(result.stdout.splitlines()))
    spend = str(bad_programme / "spend.csv")
    (control,) = [r for r in rows if r["table"] == "control"]
    assert (control["file"], control["lines"], control["counted"], control["rejected"]) == (
        spend, "8", "2", "6")  # fmt: skip
    assert (control["total"], control["rejected_total"]) == ("150.25", "11.00")
    (overall,) = [r for r in rows if r["table"] == "control_total"]
    assert (overall["lines"], overall["total"]) == ("8", "150.25")
    # The spend tables still add up to the control total, to the penny.
    assert sum(Decimal(r["total"]) for r in rows if r["table"] == "by_agency") == Decimal("150.25")
    rejected = [r for r in rows if r["table"] == "rejected"]
    assert [(r["file"], r["line"]) for r in rejected] == [(spend, str(n)) for n in range(3, 9)]
    assert rejected[0]["reason"] == "amount: missing" and rejected[0]["total"] == ""
    assert all(r["reason"] for r in rejected)


def test_the_gains_csv_says_which_row_is_unassigned_and_which_the_total(invoke):
    result = invoke("gains", KENT, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [r["row"] for r in rows[-2:]] == ["unassigned", "total"]
    assert {r["row"] for r in rows[:-2]} == {"reduces"}
    assert rows[-1]["baseline"] == "8300000000.00" and rows[-2]["baseline"] == ""
    # The asset case's ten capital-receipt lines name nothing they reduce; their 2010-11
    # amounts in kent-asset-rationalisation.toml (2009-10 prices, the price base) add up to
    # £75,000,000.
    assert rows[-2]["2010-11"] == "75000000.00"


def test_strict_refuses_a_file_with_bad_rows_and_reports_no_total(invoke, bad_programme):
    result = invoke("count", bad_programme, "--strict")
    assert result.exit_code == 2
    assert f"{bad_programme / 'spend.csv'}:3: amount: missing" in result.output
    assert "150.25" not in result.output and "Control totals" not in result.output


def test_strict_refuses_gains_against_a_count_with_bad_rows(invoke, bad_programme):
    assert invoke("gains", bad_programme).stdout.startswith("Cashable gains")  # without: shown
    result = invoke("gains", bad_programme, "--strict")
    assert result.exit_code == 2
    assert f"{bad_programme / 'spend.csv'}:3: amount: missing" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["count", "gains"])
def test_strict_help_says_it_makes_bad_spend_rows_fatal_where_it_does(invoke, command):
    # On count and gains --strict refuses bad spend rows as well as broken plugins (above);
    # elsewhere it is about plugins only, and the help says so.
    shown = " ".join(invoke(command, "--help").output.split())
    assert "fails to load or any spend row is rejected" in shown
    elsewhere = " ".join(invoke("validate", "--help").output.split())
    assert "Stop if any plugin fails to load" in elsewhere
    assert "spend row" not in elsewhere


def test_a_lone_spend_file_and_csv_output_that_no_spreadsheet_runs(invoke, tmp_path):
    path = tmp_path / "alone.csv"
    path.write_text(
        "year,agency,category,theme,kind,amount\n"
        "2008-09,=HYPERLINK(1),community,t,revenue,-12.50\n",
        encoding="utf-8",
    )
    result = invoke("count", path, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.output.splitlines()))
    agency_row = next(r for r in rows if r["table"] == "by_agency")
    assert agency_row["agency"] == "'=HYPERLINK(1)" and agency_row["total"] == "-12.50"


def test_year_selects_one_year_and_an_unknown_year_is_refused(invoke, bad_programme):
    assert invoke("count", bad_programme, "--year", "2008-09").exit_code == 0
    result = invoke("count", bad_programme, "--year", "2009-10")
    assert result.exit_code == 2 and "the count has no 2009-10" in result.output


def test_kent_gains_against_the_count_one_figure_by_hand(invoke):
    result = invoke("gains", KENT, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    row = next(
        r for r in data["gains"] if (r["agency"], r["theme"]) == ("nhs-eck-pct", "high-cost-cases")
    )
    # kent-hcc-placements (approved): framework-prices-east, reduces nhs-eck-pct high-cost-cases,
    # gives "2014-15" = "450000" (2009-10 prices, the programme's price base: no conversion).
    assert row["gains"]["2014-15"] == "450000.00"
    # Its baseline: the East and Coastal Kent PCT's continuing healthcare line in
    # baseline/nhs-2008-09.xlsx.
    sheet = openpyxl.load_workbook(KENT / "baseline" / "nhs-2008-09.xlsx", read_only=True)["count"]
    baseline = sum(
        Decimal(repr(r[5]))
        for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[1] == "nhs-eck-pct" and r[3] == "high-cost-cases"
    )
    assert Decimal(row["baseline"]) == baseline
    assert row["share"] == pytest.approx(float(Decimal("450000") / baseline), abs=1e-6)
    assert [line["case"] for line in row["lines"]] == ["kent-hcc-placements"]
    # The rejected integrated-transport case is not counted.
    cases = {line["case"] for r in data["gains"] for line in r["lines"]}
    assert "kent-integrated-transport" not in cases
    assert data["total"]["baseline"] == "8300000000.00"


def test_kent_gains_table_flags_nothing_and_names_the_year(invoke):
    result = invoke("gains", KENT)
    assert result.exit_code == 0
    assert "2008-09 spend" in result.output and "programme total" in result.output
    assert "EXCEEDS BASELINE" not in result.output


@pytest.mark.parametrize("command", ["count", "gains"])
@pytest.mark.parametrize("width", [40, 100])
def test_the_terminal_tables_and_their_titles_fit_the_width(invoke, command, width):
    result = invoke(command, KENT, "--width", str(width))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(map(len, lines)) <= width
    assert any(line.startswith("2008-09") or "2008-09" in line for line in lines)


def test_a_programme_without_spend_files_is_told_how_to_name_them(invoke, tmp_path):
    (tmp_path / "programme.toml").write_text('[programme]\nid = "p"\n', encoding="utf-8")
    result = invoke("count", tmp_path)
    assert result.exit_code == 2
    assert "programme.baseline: the programme names no spend files" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_kent_gains_say_what_they_are_for_a_finance_reader(invoke, fmt):
    # The gains are the cases' (approved, in delivery or closed), measured against the spend
    # counted in the baseline year; rows name the agency as the reader knows it, not its id.
    wide = ["--width", "400"] if fmt == "table" else []  # rows on one line each
    text = invoke("gains", KENT, "--format", fmt, *wide).stdout
    first = " ".join(text.lstrip("# ").split("\n\n")[0].split())  # a title wraps in a terminal
    assert first == (
        "Cashable gains of approved, in-delivery and closed cases against the counted baseline "
        "(2008-09 spend)"
    )
    assert "counted cases" not in text
    assert "Spend reduced" in text
    assert "Kent County Council (theme: property)" in text
    assert "agency kcc" not in text and "| kcc" not in text
    assert "Baseline: the spend counted in 2008-09" in " ".join(text.split())
