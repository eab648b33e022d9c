"""``totalplace track``: every command on a copy of the Kent programme, on both engines."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import totalplace_cases as tp
from totalplace_cases.money import round_money

GATEWAY = "kent-gateway-customer-access"
ASSETS = "kent-asset-rationalisation"
Y11 = tp.FinancialYear(2011)


@pytest.fixture
def track(invoke, kent_copy, register_url):
    """Run ``totalplace track ...`` against the Kent copy and the test's register."""

    def run(*args: str | Path):
        return invoke("track", *args, "--programme", kent_copy, "--register", register_url)

    return run


def status_json(track, *args: str) -> dict:
    result = track("status", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def plan_of(folder: Path, case: str, benefit: str, years) -> Decimal:
    """The plan as the appraisal computes it: the line's values for ``years``, to the penny."""
    appraisal = tp.appraise(tp.load(folder))
    line = next(x for x in appraisal.case(case).lines if x.kind == "benefit" and x.id == benefit)
    return sum((round_money(line.values.get(y, Decimal(0))) for y in years), Decimal(0))


def by_benefit(data: dict) -> dict[str, dict]:
    return {row["benefit"]: row for row in data["benefits"]}


def test_the_kent_story_shows_benefits_on_track_amber_red_and_without_data(track, kent_copy):
    result = track("import", kent_copy / "actuals-2010-12.csv")
    assert result.exit_code == 0, result.output
    assert "imported 44 actuals" in result.output
    data = status_json(track)
    assert data["period"] == "2011-12"
    assert data["reporting_period_end"] == "2012-03-31"
    rows = by_benefit(data)
    assert rows["thanet-reception-closure"]["rag"] == "green"
    assert rows["dover-reception-closure"]["rag"] == "amber"
    assert rows["avoided-repeat-contacts"]["rag"] == "red"
    assert rows["residents-time-saved"]["rag"] == "no-data"
    assert rows["residents-time-saved"]["missing_periods"] == ["2011-12"]
    rags = [row["rag"] for row in data["benefits"]]
    assert rags.count("amber") == 1 and rags.count("red") == 1 and rags.count("no-data") == 1
    assert rags.count("green") >= 3
    # The plan to date is the appraisal's value of 2011-12 (benefits start then).
    dover = rows["dover-reception-closure"]
    plan = plan_of(kent_copy, GATEWAY, "dover-reception-closure", [Y11])
    assert Decimal(dover["plan_to_date"]) == plan
    assert dover["actual_to_date"] == "190000.00"
    assert Decimal(dover["variance"]) == Decimal("190000") - plan
    assert dover["percent"] == float(round(Decimal(190000) / plan * 100, 1))
    expected = {"case", "benefit", "agency", "owner", "cashable", "plan_to_date",
                "actual_to_date", "variance", "percent", "rag", "forecast_outturn"}  # fmt: skip
    assert expected <= set(dover)
    assert dover["owner"] == "Dover DC Director of Finance"
    assert dover["cashable"] is True
    assert dover["agency"] == "dover-dc"
    # Money is strings; the totals add up the lines to the penny.
    cases = {row["case"]: row for row in data["totals"]["by_case"]}
    gateway_actual = sum(
        Decimal(r["actual_to_date"]) for r in data["benefits"] if r["case"] == GATEWAY
    )
    assert Decimal(cases[GATEWAY]["actual_to_date"]) == gateway_actual == Decimal("1080000")
    assert set(data["totals"]) >= {"programme", "by_case", "by_category", "by_agency", "by_group"}


def test_the_status_table_puts_the_programme_summary_first_and_says_what_is_cashable(
    track, kent_copy
):
    track("import", kent_copy / "actuals-2010-12.csv")
    text = track("status", "--case", GATEWAY).output
    lines = text.splitlines()
    # The summary (totals by case, with the programme's row) comes before the benefit lines.
    summary = lines.index("Totals by case (programme summary)")
    assert summary < lines.index("Benefit lines") < lines.index("Totals by counting group")
    assert any(line.startswith("Programme ") for line in lines[summary : summary + 20])
    # Each line says whether it is cashable: Dover's reception saving is, GP signposting
    # (fiscal, not cashable) and residents' time (social) are not.
    first = lines.index("Benefit lines") + 2
    table = lines[first : lines.index("", first)]  # the first table of the lines, to its end
    at = table[0].index("Cashable")
    cashable = {line.split()[0]: line[at:].strip() for line in table[2:]
                if line.startswith("  ") and line[at:].strip()}  # fmt: skip
    assert cashable["dover-reception-closure"] == "yes"
    assert cashable["gp-signposting"] == "no"
    assert cashable["residents-time-saved"] == "no"
    assert max(map(len, lines)) <= 100
    narrow = track("status", "--case", GATEWAY, "--width", "40").output.splitlines()
    assert max(map(len, narrow)) <= 40 and "Benefit lines" in narrow


def test_a_quarterly_line_takes_quarters_and_its_plan_splits_evenly(track, kent_copy):
    track("import", kent_copy / "actuals-2010-12.csv")
    thanet = by_benefit(status_json(track))["thanet-reception-closure"]
    assert thanet["frequency"] == "quarterly"
    assert thanet["actual_to_date"] == "280000.00"  # 66,000 + 68,500 + 71,000 + 74,500
    year = plan_of(kent_copy, GATEWAY, "thanet-reception-closure", [Y11])
    assert Decimal(thanet["plan_to_date"]) == year  # four quarters add up to the year
    to_q2 = status_json(track, "--period", "2011-12 Q2")
    row = by_benefit(to_q2)["thanet-reception-closure"]
    assert Decimal(row["plan_to_date"]) == year / 2  # two quarters of four, split evenly
    assert row["actual_to_date"] == "134500.00"
    result = track("record", GATEWAY, "thanet-reception-closure", "2012-13", "1", "--evidence", "x")
    assert result.exit_code == 2
    assert "measured quarterly" in result.output and 'like "2012-13 Q1"' in result.output


def test_record_checks_references_and_writes_nothing_when_wrong(track):
    cases = [
        (("no-such-case", "x", "2011-12", "1"), 'unknown case "no-such-case"'),
        ((GATEWAY, "no-such-benefit", "2011-12", "1"), 'has no benefit "no-such-benefit"'),
        ((GATEWAY, "dover-reception-closure", "2011", "1"), 'like "2011-12" or "2011-12 Q3"'),
        ((GATEWAY, "dover-reception-closure", "2030-31", "1"), "outside case"),
        ((GATEWAY, "dover-reception-closure", "2011-12", "1.2m"), "amount: expected an amount"),
        ((GATEWAY, "dover-reception-closure", "2011-12", "10.001"), "at most two decimals"),
        ((GATEWAY, "dover-reception-closure", "2011-12 Q1", "10"), "measured annually"),
    ]
    for args, message in cases:
        result = track("record", *args, "--evidence", "report")
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, result.output
        assert "Traceback" not in result.output
    data = status_json(track)
    assert data["benefits"] == []  # nothing was written


def test_record_a_correction_then_read_its_history_and_the_audit_export(track, tmp_path):
    first = track(
        "record", GATEWAY, "dover-reception-closure", "2011-12", "150000",
        "--evidence", "=HYPERLINK(\"http://example.invalid\")", "--by", "Dover finance",
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    assert "recorded entry 1" in first.output
    fix = track(
        "record", GATEWAY, "dover-reception-closure", "2011-12", "190000",
        "--evidence", "restated outturn", "--supersedes", "1", "--reason", "late invoices",
    )  # fmt: skip
    assert fix.exit_code == 0, fix.output
    negative = track(
        "record", GATEWAY, "avoided-repeat-contacts", "2012-13", "-5000", "--evidence",
        "x", "--forecast",
    )  # fmt: skip
    assert negative.exit_code == 0, negative.output
    history = track("history", GATEWAY, "dover-reception-closure")
    assert history.exit_code == 0, history.output
    assert "superseded by 2" in history.output and "corrects 1: late invoices" in history.output
    dover = by_benefit(status_json(track))["dover-reception-closure"]
    assert dover["actual_to_date"] == "190000.00"
    out = tmp_path / "audit.csv"
    result = track("export", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["evidence"].startswith("'=")  # not a formula in a spreadsheet
    assert rows[1]["supersedes"] == "1" and rows[1]["reason"] == "late invoices"
    assert rows[2]["amount"] == "-5000.00" and rows[2]["kind"] == "forecast"
    assert track("export", out).exit_code == 2  # never clobbers a file without --force
    assert track("export", out, "--force").exit_code == 0


def test_history_of_a_line_nobody_knows_is_refused_and_of_a_quiet_line_is_empty(track):
    quiet = track("history", GATEWAY, "swale-reception-closure")
    assert quiet.exit_code == 0 and "No entries recorded." in quiet.output
    for case, benefit, message in (
        ("nope", "dover-reception-closure", 'unknown case "nope"'),
        (GATEWAY, "dover-reception", f'case "{GATEWAY}" has no benefit "dover-reception"'),
    ):
        result = track("history", case, benefit)
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output


def test_history_fits_the_terminal_and_shows_a_negative_in_brackets(track):
    long_note = "Restated from the landlord's final account, " * 4
    for amount, evidence in (("-5000", long_note), ("1250.5", "a plain note")):
        result = track("record", GATEWAY, "avoided-repeat-contacts", "2012-13", amount,
                       "--evidence", evidence, "--forecast")  # fmt: skip
        assert result.exit_code == 0, result.output
    history = track("history", GATEWAY, "avoided-repeat-contacts")
    assert history.exit_code == 0, history.output
    lines = history.output.splitlines()
    assert max(map(len, lines)) <= 100
    assert "(£5,000.00)" in history.output and "-£5,000.00" not in history.output
    assert "£1,250.50" in history.output
    # The long note is wrapped, not cut: every word of it is there.
    words = " ".join(lines).split()
    assert words.count("landlord's") == 4


def test_status_as_at_is_byte_identical_after_later_corrections(track):
    track("record", GATEWAY, "dover-reception-closure", "2011-12", "150000", "--evidence", "a")
    from totalplace_cases.io.register.store import now_text

    moment = now_text()[:-1] + "+00:00"
    before = track("status", "--as-at", moment, "--format", "json")
    table = track("status", "--as-at", moment)
    assert before.exit_code == 0 and table.exit_code == 0, before.output
    track(
        "record", GATEWAY, "dover-reception-closure", "2011-12", "200000", "--evidence", "b",
        "--supersedes", "1", "--reason", "audit",
    )  # fmt: skip
    track("record", GATEWAY, "thanet-reception-closure", "2011-12 Q1", "1", "--evidence", "c")
    assert track("status", "--as-at", moment, "--format", "json").output == before.output
    assert track("status", "--as-at", moment).output == table.output
    now = by_benefit(status_json(track))["dover-reception-closure"]
    assert now["actual_to_date"] == "200000.00"
    assert json.loads(before.output)["as_at"] == moment.replace("+00:00", "Z")


def test_as_at_in_the_future_or_unreadable_is_refused(track):
    for when, message in (("2999-01-01", "in the future"), ("yesterday", "expected a moment")):
        result = track("status", "--as-at", when)
        assert result.exit_code == 2 and message in result.output


def test_baseline_freezes_the_plan_against_later_edits_of_the_case_file(track, kent_copy):
    result = track("baseline", GATEWAY, "--approved-by", "Kent Public Service Board")
    assert result.exit_code == 0, result.output
    track("record", GATEWAY, "dover-reception-closure", "2011-12", "200000", "--evidence", "x")
    frozen = by_benefit(status_json(track))["dover-reception-closure"]
    case_file = kent_copy / f"{GATEWAY}.toml"
    text = case_file.read_text(encoding="utf-8")
    case_file.write_text(text.replace('"2011-12" = "250000"', '"2011-12" = "200000"'), "utf-8")
    assert plan_of(kent_copy, GATEWAY, "dover-reception-closure", [Y11]) == Decimal("180000")
    after_edit = by_benefit(status_json(track))["dover-reception-closure"]
    assert after_edit["plan_to_date"] == frozen["plan_to_date"] == "225000.00"
    again = track("baseline", GATEWAY, "--approved-by", "Board")
    assert again.exit_code == 2 and "--reason" in again.output
    rebaselined = track("baseline", GATEWAY, "--approved-by", "Board", "--reason", "late start")
    assert rebaselined.exit_code == 0, rebaselined.output
    data = status_json(track)
    row = by_benefit(data)["dover-reception-closure"]
    assert row["plan_to_date"] == "180000.00"
    assert row["original_plan_to_date"] == "225000.00"
    assert any("re-baselined" in note for note in data["notes"])
    table = track("status")
    assert "Original plan" in table.output and "£225,000.00" in table.output


def test_status_finds_the_programme_from_a_subfolder(invoke, kent_copy, register_url, monkeypatch):
    sub = kent_copy / "returns" / "2012"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    monkeypatch.setenv("TOTALPLACE_REGISTER", register_url)
    result = invoke("track", "record", GATEWAY, "dover-reception-closure", "2011-12", "5",
                    "--evidence", "x")  # fmt: skip
    assert result.exit_code == 0, result.output
    csv_out = invoke("track", "status", "--format", "csv")
    assert csv_out.exit_code == 0, csv_out.output
    rows = list(csv.DictReader(io.StringIO(csv_out.output)))
    assert rows[0]["case"] == GATEWAY and rows[0]["rag"] in ("red", "green", "amber", "no-data")


def test_outside_a_programme_the_commands_say_how_to_find_one(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("track", "status")
    assert result.exit_code == 2
    assert "no programme.toml" in result.output and "--programme PATH" in result.output


def test_import_dry_run_writes_nothing(track, kent_copy):
    result = track("import", kent_copy / "actuals-2010-12.csv", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would be recorded" in result.output
    assert status_json(track)["benefits"] == []


def test_backup_and_upgrade(track, tmp_path, register_url, engine_name):
    track("record", GATEWAY, "dover-reception-closure", "2011-12", "5", "--evidence", "x")
    destination = tmp_path / "copy.backup"
    result = track("backup", destination)
    assert result.exit_code == 0, result.output
    assert destination.stat().st_size > 0
    assert track("backup", destination).exit_code == 2  # never overwrites
    current = track("upgrade")
    assert current.exit_code == 0 and "already at schema version" in current.output


def test_upgrade_of_an_older_sqlite_register_backs_it_up_first(invoke, kent_copy, tmp_path):
    import sqlalchemy as sa

    from totalplace_cases.io.register.location import parse_location
    from totalplace_cases.io.register.schema import HEAD
    from totalplace_cases.io.register.store import open_register

    path = tmp_path / "old.db"
    location = parse_location(str(path), tmp_path)
    with open_register(location, create=True) as register, register.engine.begin() as c:
        c.execute(sa.text("DROP TABLE returns"))  # as version 0001 left it
        c.execute(sa.text("ALTER TABLE baseline_lines DROP COLUMN cashable_share"))
        c.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    args = ("--programme", kent_copy, "--register", path)
    refused = invoke("track", "status", *args)
    assert refused.exit_code == 2 and "track upgrade" in refused.output
    result = invoke("track", "upgrade", *args)
    assert result.exit_code == 0, result.output
    assert f"from schema version 0001 to {HEAD}" in result.output
    backups = list(tmp_path.glob("old.db.backup-*"))
    assert len(backups) == 1
    with open_register(parse_location(str(backups[0]), tmp_path), allow_old=True) as copy:
        assert copy.version == "0001"
    assert invoke("track", "status", *args).exit_code == 0


def test_appraise_does_not_load_the_database_libraries():
    code = (
        "import sys; from totalplace_cases.cli import main\n"
        "try:\n    main(['appraise', '--format', 'json'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'alembic', 'psycopg', 'openpyxl')), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr


def test_a_case_with_options_tracks_its_preferred_option_s_benefits(track, kent_copy):
    # Kent's coastal defences weigh three options; the register plans the one it recommends,
    # at that option's own values (not business as usual's, counted against it in the case's
    # figures). Its actuals name those lines.
    coastal = "kent-coastal-defences"
    result = track("baseline", coastal, "--approved-by", "Kent Public Service Board")
    assert result.exit_code == 0, result.output
    recorded = track(
        "record", coastal, "damages-avoided-thanet", "2014-15", "1000", "--evidence", "x"
    )
    assert recorded.exit_code == 0, recorded.output
    refused = track(
        "record", coastal, "damages-avoided-patching", "2014-15", "1", "--evidence", "x"
    )
    assert refused.exit_code == 2  # business as usual's line is not one the case delivers
    rows = {row["benefit"]: row for row in status_json(track)["benefits"] if row["case"] == coastal}
    case = tp.load(kent_copy).case(coastal)
    assert set(rows) == {line.id for line in case.preferred_option.benefits}
    planned = plan_of(kent_copy, coastal, "damages-avoided-thanet", [tp.FinancialYear(2014)])
    assert planned == Decimal("1125000")  # £1.5m × (1 - 0.25, confidence grade 5)
    assert rows["damages-avoided-thanet"]["plan_total"] != "0.00"


def test_export_to_standard_output_with_a_dash(track, kent_copy):
    recorded = track(
        "record", GATEWAY, "dover-reception-closure", "2011-12", "150000", "--evidence", "outturn"
    )  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    result = track("export", "-")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["id"], r["amount"]) for r in rows] == [("1", "150000.00")]
    assert not Path("-").exists() and not (kent_copy / "-").exists()


def test_baselining_a_rejected_case_warns_that_it_is_not_counted(track):
    result = track("baseline", "kent-integrated-transport", "--approved-by", "Programme board")
    assert result.exit_code == 0, result.output
    assert "warning: kent-integrated-transport is rejected" in result.stderr
    assert "baselined kent-integrated-transport" in result.stdout
    quiet = track("baseline", ASSETS, "--approved-by", "Programme board")
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
