"""The pack and the benefits register: plan against actual as at a moment (section 6), the
register as one of the pack's inputs, and certified returns that can be made again byte for
byte."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from totalplace_cases.cli import cli
from totalplace_cases.io.register.location import locate
from totalplace_cases.io.register.store import open_register

KENT = Path(__file__).resolve().parents[3] / "cases" / "kent"
CASE = "kent-gateway-customer-access"


def run(*args: str | Path, ok: bool = True):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def tracked(tmp_path, monkeypatch) -> Path:
    """Kent, copied, with the gateway case baselined and the 2010-12 actuals imported."""
    monkeypatch.delenv("TOTALPLACE_REGISTER", raising=False)
    shutil.copytree(KENT.parents[1] / "plugins", tmp_path / "plugins")
    shutil.copytree(KENT, tmp_path / "cases" / "kent")
    folder = tmp_path / "cases" / "kent"
    run("track", "baseline", CASE, "--approved-by", "Kent PSB", "--programme", folder)
    run("track", "import", folder / "actuals-2010-12.csv", "--programme", folder)
    return folder


def returns(folder: Path):
    location = locate(folder / "programme.toml", None, None)
    with open_register(location) as register:
        return register.returns()


def test_realisation_is_the_registers_status_to_the_penny(tracked, tmp_path):
    run("evidence", tracked, "--format", "json", "--out", tmp_path / "pack.json")
    pack = json.loads((tmp_path / "pack.json").read_text(encoding="utf-8"))
    status = json.loads(run("track", "status", tracked, "--format", "json").output)
    table = pack["tables"]["realisation"]
    rows = {row["id"]: row for row in table["rows"]}
    assert status["benefits"], "the register tracks lines"
    for line in status["benefits"]:
        row = rows[f"{line['case']}/{line['benefit']}"]
        assert row["level"] == 1 and row["rag"] == line["rag"]
        for key in ("plan_to_date", "actual_to_date", "forecast_outturn"):
            assert Decimal(row[key]) == Decimal(line[key]), key
    programme = status["totals"]["programme"]
    assert Decimal(table["total"]["actual_to_date"]) == Decimal(programme["actual_to_date"])
    assert table["total"]["rag"] == programme["rag"]
    names = [i["name"] for i in pack["made"]["inputs"]]
    assert any(name.startswith("register as at ") for name in names)


def test_the_register_as_at_a_moment_before_the_actuals_has_none(tracked, tmp_path):
    before = "2000-01-01"
    run("evidence", tracked, "--format", "json", "--out", tmp_path / "old.json", "--as-at", before)
    pack = json.loads((tmp_path / "old.json").read_text(encoding="utf-8"))
    assert "realisation" not in pack["tables"]
    section = next(s for s in pack["sections"] if s["key"] == "realisation")
    assert "tracks no benefit line" in section["intro"]


def test_a_certified_return_is_recorded_and_made_again_byte_for_byte(tracked, tmp_path):
    out = tmp_path / "return.xlsx"
    result = run(
        "evidence", tracked, "--format", "xlsx", "--out", out, "--certify", "--by", "A. Officer"
    )
    assert "certified return 1 by A. Officer" in result.output
    [certified] = returns(tracked)
    data = out.read_bytes()
    assert certified.sha256 == hashlib.sha256(data).hexdigest()
    assert certified.certified_by == "A. Officer" and certified.format == "xlsx"
    names = {i["name"] for i in json.loads(certified.inputs)}
    assert "programme.toml" in names and f"{CASE}.toml" in names
    again = tmp_path / "again.xlsx"
    run("evidence", tracked, "--format", "xlsx", "--out", again, "--as-at", certified.as_at)
    assert again.read_bytes() == data


def test_a_resubmission_supersedes_with_a_reason(tracked, tmp_path):
    first = tmp_path / "first"
    run("evidence", tracked, "--format", "csv", "--out", first, "--certify", "--by", "A. Officer")
    second = tmp_path / "second"
    refused = run(
        "evidence", tracked, "--format", "csv", "--out", second, "--certify", "--by", "B. Officer",
        ok=False,
    )  # fmt: skip
    assert refused.exit_code == 2 and "give --reason" in refused.output
    assert not second.exists(), "nothing is written when the return cannot be certified"
    run(
        "evidence", tracked, "--format", "csv", "--out", second, "--certify", "--by", "B. Officer",
        "--reason", "Q3 actuals corrected",
    )  # fmt: skip
    one, two = returns(tracked)
    assert two.supersedes == one.id and two.reason == "Q3 actuals corrected"
    files = sorted(second.iterdir())
    listing = "".join(f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n" for f in files)
    assert two.sha256 == hashlib.sha256(listing.encode()).hexdigest()


def test_certify_needs_an_officer(tracked, tmp_path):
    result = run(
        "evidence", tracked, "--format", "md", "--out", tmp_path / "p.md", "--certify", ok=False
    )
    assert result.exit_code == 2 and "--by NAME" in result.output


def test_track_status_fits_the_terminal_with_agencies_by_name(tracked):
    result = CliRunner().invoke(cli, ["track", "status", str(tracked)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    found = r"^  thanet-reception-closure +Thanet District Council"
    assert any(re.match(found, line) for line in lines)
    assert "Gateway: one front door to" in result.output  # the case by its title
    thousands = CliRunner().invoke(
        cli, ["track", "status", str(tracked), "--units", "k"], env={"COLUMNS": "80"}
    )
    assert "k " in thousands.output and ".00 " not in thousands.output
