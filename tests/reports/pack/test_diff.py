"""``totalplace evidence diff`` lists exactly the figures that differ between two returns."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from totalplace_cases.cli import cli
from totalplace_cases.reports.pack.diff import diff_returns, read_return

KENT = Path(__file__).resolve().parents[3] / "cases" / "kent"


def make(path: Path, out: Path) -> dict:
    result = CliRunner().invoke(
        cli,
        ["evidence", str(path), "--format", "json", "--out", str(out), "--as-at", "2012-03-31"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def two_returns(tmp_path_factory):
    """Kent as it is, and Kent with one realignment changed: the Ministry of Justice's
    2011-12 payment towards the IDVA service raised from £50,000 to £60,000."""
    root = tmp_path_factory.mktemp("diff")
    shutil.copytree(KENT.parent.parent / "plugins", root / "plugins")
    shutil.copytree(KENT, root / "cases" / "kent")
    case = root / "cases" / "kent" / "kent-community-safety.toml"
    text = case.read_text(encoding="utf-8")
    block = text.index('from = "moj"')
    changed = text[:block] + re.sub(
        r'"2011-12" = "50000"', '"2011-12" = "60000"', text[block:], count=1
    )
    assert changed != text
    old = make(KENT, root / "old.json")
    case.write_text(changed, encoding="utf-8")
    new = make(root / "cases" / "kent", root / "new.json")
    return root / "old.json", root / "new.json", old, new


def test_the_diff_lists_exactly_the_figures_a_realignment_moves(two_returns):
    old_path, new_path, _, _ = two_returns
    changes = diff_returns(read_return(old_path), read_return(new_path))
    found = {(c.table, c.row, c.column) for c in changes}
    # By hand: the schedule's row and total; the budget realigned to KCC and from the MoJ, and
    # their positions after realignment, for each agency and its community safety sub-row; the
    # realignments from central departments. Nothing in the summary moves: a realignment is a
    # transfer between bodies, not a cost or a benefit; the agencies' totals still net to zero.
    row = "2011-12/kent-community-safety/2"
    expected = {
        ("realignments", row, "amount"),
        ("realignments", "total", "amount"),
        ("totals", "", "realigned_from_central"),
    }
    for agency in ("kcc", "moj"):
        for row_id in (agency, f"{agency}/kent-community-safety"):
            expected |= {
                ("agencies", row_id, "pv_realigned"),
                ("agencies", row_id, "net_fiscal_after_realignment"),
            }
    # Affordability, real and nominal: £10,000 more realigned in to KCC and out of the MoJ in
    # 2011-12, so their net positions that year and over all years move; in the total, both
    # columns move and the net does not (what one body gains the other loses).
    for table in ("affordability", "affordability_nominal"):
        expected |= {(table, "total", "realigned_in"), (table, "total", "realigned_out")}
        for agency, column in (("kcc", "realigned_in"), ("moj", "realigned_out")):
            for row_id in (agency, f"{agency}/2011-12"):
                expected |= {(table, row_id, column), (table, row_id, "net")}
    assert found == expected
    by = {(c.table, c.row, c.column): c for c in changes}
    moved = by[("realignments", row, "amount")]
    assert (moved.old, moved.new) == ("50000.00", "60000.00")
    # £10,000 in 2011-12, one year after the discount base: £10,000 / 1.035 = £9,661.84
    kcc = by[("agencies", "kcc", "pv_realigned")]
    assert abs(Decimal(kcc.new) - Decimal(kcc.old) - Decimal("9661.84")) <= Decimal("0.01")
    moj = by[("agencies", "moj", "pv_realigned")]
    assert abs(Decimal(moj.new) - Decimal(moj.old) + Decimal("9661.84")) <= Decimal("0.01")


def test_the_command_prints_each_change_and_nothing_for_the_same_return(two_returns):
    old_path, new_path, _, _ = two_returns
    runner = CliRunner()
    same = runner.invoke(cli, ["evidence", "diff", str(old_path), str(old_path)])
    assert same.exit_code == 0 and same.output == "No figure differs.\n"
    result = runner.invoke(cli, ["evidence", "diff", str(old_path), str(new_path)])
    assert result.exit_code == 0, result.output
    # 11 in the appraisal's tables, 10 in each affordability table (real and nominal).
    assert result.output.startswith("31 figures differ:")
    assert (
        "Budget realignment schedule: Amount [2011-12]: £50,000.00 -> £60,000.00" in result.output
    )
    as_json = runner.invoke(
        cli, ["evidence", "diff", str(old_path), str(new_path), "--format", "json"]
    )
    assert len(json.loads(as_json.output)["changes"]) == 31


def test_a_file_that_is_not_a_return_is_named(tmp_path, two_returns):
    old_path = two_returns[0]
    bad = tmp_path / "appraisal.json"
    bad.write_text('{"programme": {}}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["evidence", "diff", str(old_path), str(bad)])
    assert result.exit_code == 2
    assert "appraisal.json" in result.output and "not an evidence return" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "return": \n}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["evidence", "diff", str(broken), str(old_path)])
    assert result.exit_code == 2 and "broken.json:3" in result.output
