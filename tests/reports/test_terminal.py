"""The terminal report a finance reader likes: the programme summary first, agencies by name,
£ with negatives in brackets (or £k/£m with --units), sub-rows indented, and every line within
the width (100 columns, or the terminal's when wider)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import totalplace_cases as tp
from totalplace_cases.cli import cli
from totalplace_cases.reports.terminal import TextColumn, TextRow, render_text_table

KENT = Path(__file__).resolve().parents[2] / "cases" / "kent"


@pytest.fixture(scope="module")
def appraisal():
    return tp.appraise(tp.load(KENT))


def appraise(*args: str, columns: str | None = None) -> str:
    # a terminal narrower than 100 columns: the report still takes 100
    env = {"COLUMNS": columns or "80"}
    result = CliRunner().invoke(cli, ["appraise", str(KENT), *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def bracketed(amount: Decimal) -> str:
    rounded = amount.quantize(Decimal("0.01"), ROUND_HALF_UP)
    body = f"£{abs(rounded):,.2f}"
    return f"({body})" if rounded < 0 else body


def test_fits_100_columns_by_default_and_a_wider_terminal(appraisal):
    narrow = appraise()
    assert max(len(line) for line in narrow.splitlines()) <= 100
    wide = appraise(columns="200")
    assert max(len(line) for line in wide.splitlines()) <= 200
    # at 200 columns each case's agency table is one block: one heading row per case
    assert wide.count("Budget after realignment") == len(appraisal.cases)
    assert narrow.count("Agency  ") > wide.count("Agency  ")  # split into column groups
    given = appraise("--width", "120")
    assert max(len(line) for line in given.splitlines()) <= 120


def test_the_summary_comes_first_with_the_totals(appraisal):
    text = appraise()
    summary = text.index("Programme summary")
    first_case = text.index(f"{appraisal.cases[0].id}: ")
    assert summary < first_case
    total = next(line for line in text.splitlines() if line.startswith("Total "))
    assert bracketed(appraisal.totals.npsv) in total


def test_agencies_by_name_and_negatives_in_brackets(appraisal):
    text = appraise(columns="300")
    programme = tp.load(KENT)
    for case in appraisal.cases:
        part = text[text.index(f"{case.id}: ") :]
        for row in case.by_agency:
            name = programme.agency(row.agency).name
            line = next(line for line in part.splitlines() if line.startswith(name + "  "))
            assert bracketed(row.pv_realigned) in line
    negative = [c for c in appraisal.cases if c.npsv < 0]
    assert negative, "Kent has a case with a negative NPSV"
    assert bracketed(negative[0].npsv) in text and f"-£{abs(negative[0].npsv):,.2f}" not in text


def test_units_in_thousands_and_millions(appraisal):
    def shown(amount: Decimal, places: str, suffix: str) -> str:
        rounded = amount.quantize(Decimal(places), ROUND_HALF_UP)
        body = f"£{abs(rounded):,}{suffix}"
        return f"({body})" if rounded < 0 else body

    thousands = appraise("--units", "k", columns="200")
    millions = appraise("--units", "m", columns="200")
    assert "£k (thousands)" in thousands and "£m (millions)" in millions
    for case in appraisal.cases:
        assert shown(case.npsv / 1000, "1", "k") in thousands
        assert shown(case.npsv / 1_000_000, "0.01", "m") in millions


def test_sub_rows_keep_their_indent():
    lines = appraise().splitlines()
    assert "  fiscal, cashable" in [line[:18] for line in lines]
    assert any(line.startswith("  before optimism bias") for line in lines)


def test_a_table_too_wide_splits_and_repeats_its_key_column():
    columns = [TextColumn("Agency")] + [TextColumn(f"Figure {i}", "right") for i in range(8)]
    figures = [f"£{i},000,000.00" for i in range(8)]
    rows = [TextRow(("A very long agency name that wraps", *figures))]
    text = render_text_table(columns, rows, width=60)
    assert max(len(line) for line in text.splitlines()) <= 60
    blocks = text.split("\n\n")
    assert len(blocks) > 1 and all(block.startswith("Agency") for block in blocks)
    for i in range(8):
        assert sum(f"Figure {i}" in block for block in blocks) == 1


def test_count_and_gains_fit_the_terminal_with_agencies_by_name():
    count = tp.count(KENT)
    for command in ("count", "gains"):
        result = CliRunner().invoke(cli, [command, str(KENT)], env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        assert max(len(line) for line in result.stdout.splitlines()) <= 100
        assert "Kent County Council" in result.stdout
    text = CliRunner().invoke(cli, ["count", str(KENT), "--units", "m"], env={"COLUMNS": "80"})
    shown = (count.total / 1_000_000).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert f"£{shown:,}m" in text.stdout
