"""The Kent evidence pack in every format, read back with an independent reader, against the
appraisal's own figures to the penny.

Each format is written by ``totalplace evidence`` and read back as a user's program would:
CSV with :mod:`csv`, Excel with openpyxl, HTML with :mod:`html.parser`, Markdown by its pipes,
JSON with :mod:`json`. The expected figures are the appraisal's (``tp.appraise``), rounded
half-up to the penny, never numbers written into the test.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import totalplace_cases as tp
from totalplace_cases.cli import cli
from totalplace_cases.money import round_money

KENT = Path(__file__).resolve().parents[3] / "cases" / "kent"
AS_AT = "2012-03-31"
FORMATS = {
    "html": "kent.html",
    "xlsx": "kent.xlsx",
    "md": "kent.md",
    "csv": "kent-csv",
    "json": "kent.json",
}


def make(path: Path | str, fmt: str, out: Path, *extra: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["evidence", str(path), "--format", fmt, "--out", str(out), "--as-at", AS_AT, *extra],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("packs")
    made = {}
    for fmt, name in FORMATS.items():
        make(KENT, fmt, folder / name)
        made[fmt] = folder / name
    return made


@pytest.fixture(scope="module")
def appraisal():
    return tp.appraise(tp.load(KENT))


@pytest.fixture(scope="module")
def programme():
    return tp.load(KENT)


def pounds(value: Decimal) -> Decimal:
    return round_money(value)


def shown(value: Decimal) -> str:
    """Money as a reader sees it: £, thousands separators, negatives in brackets."""
    rounded = round_money(value)
    body = f"£{abs(rounded):,.2f}"
    return f"({body})" if rounded < 0 else body


def agency_totals(appraisal) -> dict[str, dict[str, Decimal]]:
    """Each agency's present values added over the cases the totals count (the pack's level-0
    agency rows)."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for case in appraisal.counted:
        for row in case.by_agency:
            for key in ("pv_costs", "pv_benefits", "pv_realigned"):
                totals[row.agency][key] += getattr(row, key)
            totals[row.agency]["net_fiscal"] += row.net_fiscal
            totals[row.agency]["after"] += row.net_fiscal_after_realignment
    return totals


# -- readers ----------------------------------------------------------------------------------


class Tables(HTMLParser):
    """Every <table> of a page: its id (from the wrapping div), rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.pending = None
        self.scripts = 0
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("id", "").startswith("table-"):
            self.pending = attrs["id"][len("table-") :]
        elif tag == "table":
            self.current = self.pending
            self.tables[self.current] = []
        elif tag == "tr" and self.current:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "script":
            self.scripts += 1
        elif tag == "img":
            self.images.append(attrs.get("src", ""))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.current].append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_tables(path: Path) -> Tables:
    parser = Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def markdown_tables(path: Path) -> dict[str, list[list[str]]]:
    """Each ``### title`` table of the Markdown pack, as rows of cell texts (header first)."""
    tables: dict[str, list[list[str]]] = {}
    title = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            title = line[4:]
            tables[title] = []
        elif line.startswith("| ") and title is not None:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                tables[title].append(cells)
    return tables


def csv_rows(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte-order mark"
    return list(csv.DictReader(data.decode("utf-8-sig").splitlines()))


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(path)
    return list(book[sheet].iter_rows(min_row=4, values_only=True))


# -- each format against the appraisal --------------------------------------------------------


def test_json_summary_and_agencies_are_the_appraisals_to_the_penny(packs, appraisal):
    data = json.loads(packs["json"].read_text(encoding="utf-8"))
    summary = {row["id"]: row for row in data["tables"]["summary"]["rows"]}
    for case in appraisal.cases:
        row = summary[case.id]
        assert Decimal(row["pv_costs"]) == pounds(case.pv_costs)
        assert Decimal(row["pv_benefits"]) == pounds(case.pv_benefits)
        assert Decimal(row["npsv"]) == pounds(case.npsv)
        assert Decimal(row["cashable_savings"]) == pounds(case.pv_fiscal_cashable)
        assert row["bcr"] == case.bcr and row["fiscal_roi"] == case.fiscal_roi
        assert row["vfm_category"] == case.vfm_category
    total = data["tables"]["summary"]["total"]
    assert Decimal(total["pv_costs"]) == pounds(appraisal.totals.pv_costs)
    assert Decimal(total["npsv"]) == pounds(appraisal.totals.npsv)
    assert total["bcr"] == appraisal.totals.bcr
    assert data["totals"]["pv_benefits"] == total["pv_benefits"]
    agencies = {row["id"]: row for row in data["tables"]["agencies"]["rows"]}
    for agency, figures in agency_totals(appraisal).items():
        assert Decimal(agencies[agency]["pv_costs"]) == pounds(figures["pv_costs"])
        assert Decimal(agencies[agency]["pv_realigned"]) == pounds(figures["pv_realigned"])
        assert Decimal(agencies[agency]["net_fiscal_after_realignment"]) == pounds(figures["after"])


def test_json_return_describes_itself(packs, appraisal):
    data = json.loads(packs["json"].read_text(encoding="utf-8"))
    assert data["return"]["format"] == "totalplace-evidence-return"
    assert data["place"] == "Kent"
    assert data["price_base"] == "2009-10" and data["discount_base"] == "2010-11"
    assert {s["name"] for s in data["discount_schedules"]} == {c.schedule for c in appraisal.cases}
    assert {p["table"] for p in data["parameters"]} == {
        u.table for u in appraisal.programme.parameters
    }
    assert all(p["vintage"] for p in data["parameters"])
    assert data["made"]["as_at"].startswith("2012-03-31T23:59:59")
    names = {i["name"] for i in data["made"]["inputs"]}
    assert "programme.toml" in names and "kent-coastal-defences.toml" in names
    assert re.fullmatch(r"[0-9a-f]{64}", data["made"]["inputs_sha256"])


def test_csv_tables_are_the_appraisals_to_the_penny(packs, appraisal):
    folder = packs["csv"]
    index = csv_rows(folder / "index.csv")
    listed = {row["file"] for row in index if row["file"].endswith(".csv")}
    assert {"summary.csv", "agencies.csv", "realignments.csv", "assumptions.csv"} <= listed
    assert all((folder / name).is_file() for name in listed)
    rows = {row["row_id"]: row for row in csv_rows(folder / "summary.csv")}
    for case in appraisal.cases:
        assert Decimal(rows[case.id]["PV costs"]) == pounds(case.pv_costs)
        assert Decimal(rows[case.id]["NPSV"]) == pounds(case.npsv)
        assert float(rows[case.id]["BCR"]) == case.bcr
    assert Decimal(rows["total"]["PV benefits"]) == pounds(appraisal.totals.pv_benefits)
    agencies = {row["row_id"]: row for row in csv_rows(folder / "agencies.csv")}
    for agency, figures in agency_totals(appraisal).items():
        assert agencies[agency]["level"] == "0"
        assert Decimal(agencies[agency]["Pays: PV costs"]) == pounds(figures["pv_costs"])


def test_xlsx_has_numbers_formats_frozen_headers_and_computed_totals(packs, appraisal):
    book = openpyxl.load_workbook(packs["xlsx"])
    sheet = book["1 Summary"]
    assert sheet.freeze_panes == "B5"
    header = [c.value for c in sheet[4]]
    by_case = {row[0].value: row for row in sheet.iter_rows(min_row=5) if row[0].value}
    for case in appraisal.cases:
        cells = by_case[case.title]
        pv_costs = cells[header.index("PV costs")]
        assert pv_costs.data_type == "n" and "£" in pv_costs.number_format
        assert "(" in pv_costs.number_format  # negatives in brackets
        assert Decimal(str(pv_costs.value)) == pounds(case.pv_costs)
        assert Decimal(str(cells[header.index("NPSV")].value)) == pounds(case.npsv)
    total = by_case["Total"]
    for key, figure in (("PV costs", appraisal.totals.pv_costs), ("NPSV", appraisal.totals.npsv)):
        cell = total[header.index(key)]
        assert cell.data_type == "n", "the total is a value, not a formula"
        assert Decimal(str(cell.value)) == pounds(figure)
    assert sheet.column_dimensions["A"].width >= max(len(c.title) for c in appraisal.cases) / 2
    assert "Contents" in book.sheetnames and "7 Assumptions" in book.sheetnames


def test_xlsx_agencies_by_name_with_case_sub_rows(packs, appraisal, programme):
    book = openpyxl.load_workbook(packs["xlsx"])
    sheet = book["3 Agencies"]
    header = [c.value for c in sheet[4]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=5) if row[0].alignment.indent == 0}
    for agency, figures in agency_totals(appraisal).items():
        name = programme.agency(agency).name
        assert Decimal(str(rows[name][header.index("Pays: PV costs")].value)) == pounds(
            figures["pv_costs"]
        )
    indented = [row for row in sheet.iter_rows(min_row=5) if row[0].alignment.indent == 1]
    assert len(indented) == sum(len(case.by_agency) for case in appraisal.counted)


def test_html_tables_show_the_appraisals_figures(packs, appraisal, programme):
    page = html_tables(packs["html"])
    assert page.scripts == 0
    summary = page.tables["summary"]
    header, rows = summary[0], {row[0]: row for row in summary[1:]}
    for case in appraisal.cases:
        row = rows[case.title]
        assert row[header.index("PV costs")] == shown(case.pv_costs)
        assert row[header.index("NPSV")] == shown(case.npsv)
    assert rows["Total"][header.index("PV benefits")] == shown(appraisal.totals.pv_benefits)
    agencies = page.tables["agencies"]
    header, rows = agencies[0], {row[0]: row for row in agencies[1:]}
    for agency, figures in agency_totals(appraisal).items():
        row = rows[programme.agency(agency).name]
        assert row[header.index("Budget realigned")] == shown(figures["pv_realigned"])
    charts = json.loads(packs["json"].read_text(encoding="utf-8"))["sections"]
    # a chart per case, the agencies', the count's
    assert len(page.images) == sum(len(s["charts"]) for s in charts) == len(appraisal.cases) + 2
    assert all(src.startswith("data:image/svg+xml;base64,") for src in page.images)


def test_markdown_tables_show_the_appraisals_figures(packs, appraisal):
    tables = markdown_tables(packs["md"])
    summary = tables["Programme summary"]
    header, rows = summary[0], {row[0]: row for row in summary[1:]}
    for case in appraisal.cases:
        row = rows[case.title]
        assert row[header.index("PV costs")] == shown(case.pv_costs)
        assert row[header.index("NPSV")] == shown(case.npsv)
    assert rows["**Total**"][header.index("NPSV")] == f"**{shown(appraisal.totals.npsv)}**"


def test_realignment_schedule_adds_up_to_the_case_files(packs, programme, appraisal):
    data = json.loads(packs["json"].read_text(encoding="utf-8"))
    table = data["tables"]["realignments"]
    counted = {case.id for case in appraisal.counted}
    lines = [r for case in programme.cases if case.id in counted for r in case.realignments]
    moved = sum((amount for r in lines for amount in r.amounts.values()), Decimal(0))
    assert Decimal(table["total"]["amount"]) == moved.quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert len(table["rows"]) == sum(len(r.amounts) for r in lines)
    assert {row["from"] for row in table["rows"]} <= {a.name for a in programme.agencies}


def test_gains_by_year_add_up_to_the_fiscal_flows(packs, appraisal):
    """Fiscal benefits by year, summed over the lines, are the appraisal's fiscal flows."""
    data = json.loads(packs["json"].read_text(encoding="utf-8"))
    rows = {row["id"]: row for row in data["tables"]["gains_by_year"]["rows"]}
    flows: dict[str, Decimal] = defaultdict(Decimal)
    for case in appraisal.counted:
        for flow in case.flows:
            flows[str(flow.year)] += flow.fiscal
    for year, fiscal in flows.items():
        if fiscal:
            assert Decimal(rows[year]["total"]) == pounds(fiscal)
    by_agency = data["tables"]["gains_by_agency"]
    assert by_agency["total"]["total"] == data["tables"]["gains_by_year"]["total"]["total"]


def test_plugin_tables_appear_in_every_format(packs):
    title = "Kent: appraisal by counting group"
    data = json.loads(packs["json"].read_text(encoding="utf-8"))
    plugin = [t for t in data["tables"].values() if t["plugin"] == "kent"]
    assert [t["title"] for t in plugin] == [title]
    assert plugin[0]["columns"][2]["kind"] == "money"  # money text became a figure
    page = html_tables(packs["html"])
    assert page.tables["plugin-kent-1"][0] == [
        "Counting group",
        "Cases",
        "PV costs",
        "PV benefits",
        "NPSV",
    ]
    assert any(name.startswith(title) for name in markdown_tables(packs["md"]))
    assert "plugin-kent-1.csv" in {r["file"] for r in csv_rows(packs["csv"] / "index.csv")}
    assert "8 Plugin kent 1" in openpyxl.load_workbook(packs["xlsx"]).sheetnames


def test_as_at_twice_gives_the_same_bytes(tmp_path, packs):
    for fmt, name in FORMATS.items():
        again = tmp_path / name
        make(KENT, fmt, again)
        if fmt == "csv":
            files = sorted(p.name for p in again.iterdir())
            assert files == sorted(p.name for p in packs[fmt].iterdir())
            for file in files:
                assert (again / file).read_bytes() == (packs[fmt] / file).read_bytes(), file
        else:
            assert again.read_bytes() == packs[fmt].read_bytes(), fmt


def test_an_existing_file_is_not_replaced_without_force(tmp_path):
    out = tmp_path / "pack.md"
    out.write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evidence", str(KENT), "--format", "md", "--out", str(out)])
    assert result.exit_code == 2 and "--force" in result.output
    assert out.read_text(encoding="utf-8") == "keep me"
    make(KENT, "md", out, "--force")
    assert out.read_text(encoding="utf-8").startswith("# Kent Total Place")


def test_a_case_file_is_never_the_output(tmp_path):
    case = KENT / "kent-community-safety.toml"
    before = case.read_bytes()
    result = CliRunner().invoke(
        cli, ["evidence", str(KENT), "--format", "md", "--out", str(case), "--force"]
    )
    assert result.exit_code == 2 and "inputs" in result.output
    assert case.read_bytes() == before


def test_the_count_and_its_control_totals_are_the_counts(packs):
    """Section 5 against the count's own API (``tp.count``), to the penny."""
    count = tp.count(KENT)
    year = count.years[-1]
    view = count.for_year(year)
    data = json.loads(packs["json"].read_text(encoding="utf-8"))
    table = data["tables"]["count_by_agency"]
    rows = {row["id"]: row for row in table["rows"]}
    for (agency,), amount in view.total_by("agency").items():
        assert Decimal(rows[agency]["spend"]) == pounds(amount)
    for (agency, category), amount in view.total_by("agency", "category").items():
        assert Decimal(rows[f"{agency}/{category}"]["spend"]) == pounds(amount)
    assert Decimal(table["total"]["spend"]) == pounds(view.total)
    assert data["totals"]["spend_counted"] == table["total"]["spend"]
    files = data["tables"]["count_files"]
    assert Decimal(files["total"]["total"]) == pounds(
        sum((f.total for f in count.files), Decimal(0))
    )
    assert files["total"]["lines"] == sum(f.lines for f in count.files)
    csv_total = csv_rows(packs["csv"] / "count_by_category.csv")[-1]
    assert csv_total["row_id"] == "total" and Decimal(csv_total["Spend"]) == pounds(view.total)


def test_gains_against_the_baseline_are_the_counts_gains(packs):
    gains = tp.gains(KENT)
    data = json.loads(packs["json"].read_text(encoding="utf-8"))
    table = data["tables"]["gains_baseline"]
    assert Decimal(table["total"]["baseline"]) == pounds(gains.total.baseline)
    assert Decimal(table["total"]["peak"]) == pounds(gains.total.peak)
    rows = {row["id"]: row for row in table["rows"]}
    for row in gains.rows:
        key = "/".join(part or "*" for part in (row.agency, row.category, row.theme))
        assert Decimal(rows[key]["baseline"]) == pounds(row.baseline)
        assert Decimal(rows[key]["peak"]) == pounds(row.peak)
