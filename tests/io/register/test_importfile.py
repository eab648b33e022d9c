"""Reading files of actuals (CSV and Excel) and checking each entry: every problem, its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from totalplace_cases.errors import InputError, Problem
from totalplace_cases.io.register.entries import CaseRefs, EntryChecker, RawEntry
from totalplace_cases.io.register.importfile import read_entries
from totalplace_cases.io.register.location import ENV_VAR, locate, parse_location
from totalplace_cases.periods import FinancialYear

REFS = {
    "case-a": CaseRefs(
        "case-a", FinancialYear(2010), 3, {"saving": "annual", "visits": "quarterly"}
    )
}


def check(**fields) -> tuple[object, list[Problem]]:
    values = {"case": "case-a", "benefit": "saving", "period": "2011-12", "amount": "100",
              "evidence": "report", **fields}  # fmt: skip
    problems: list[Problem] = []
    entry = EntryChecker(REFS, default_by="me").check(RawEntry(**values), problems)
    return entry, problems


def only_problem(**fields) -> str:
    entry, problems = check(**fields)
    assert entry is None and len(problems) == 1, problems
    return f"{problems[0].field}: {problems[0].message}"


def test_a_good_entry_is_read_exactly():
    entry, problems = check(amount="£1,234.50", kind="forecast", period="2011/12")
    assert problems == []
    assert (entry.period, entry.amount, entry.kind, entry.recorded_by) == (
        "2011-12",
        123450,
        "forecast",
        "me",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"case": "case-b"}, 'case: unknown case "case-b"; cases: case-a'),
        ({"benefit": "x"}, 'benefit: case "case-a" has no benefit "x"; its benefits: saving,'),
        ({"period": "2013-14"}, 'period: 2013-14 is outside case "case-a"\'s years, 2010-11 to'),
        ({"period": "2009-10"}, "outside case"),
        ({"period": "Q3 2011"}, 'period: expected a period written like "2011-12" or'),
        ({"period": dt.date(2011, 12, 1)}, "Excel turned the period into a date"),
        ({"benefit": "visits"}, 'measured quarterly (frequency = "quarterly"); give a quarter'),
        ({"period": "2011-12 Q2"}, 'measured annually; give the year "2011-12"'),
        ({"amount": "12.345"}, "amount: expected pounds and pence (at most two decimals)"),
        ({"amount": 1.5}, "amount: expected an amount of money as a string or integer"),
        ({"amount": "1e6"}, 'amount: expected an amount of money like "1200000"'),
        ({"amount": None}, "amount: expected an amount of money, found an empty cell"),
        (
            {"period": None},
            'period: expected a period written like "2011-12" or "2011-12 Q3", found nothing',
        ),
        ({"amount": "NaN"}, "amount: expected an amount of money"),
        ({"amount": "1000000000000"}, "amount: expected an amount under £1,000,000,000,000"),
        ({"evidence": "  "}, "evidence: expected some text: evidence is required"),
        ({"evidence": "ok\x1b[31mred"}, "evidence: expected text without control characters"),
        ({"kind": "budget"}, 'kind: expected actual or forecast, found "budget"'),
        ({"recorded_by": "a\nb"}, "recorded_by: expected text without control characters"),
        ({"supersedes": "7"}, "reason: a correction needs a reason"),
        ({"reason": "why"}, "reason: a reason goes with a correction"),
        ({"supersedes": "seven", "reason": "x"}, "supersedes: expected an entry id"),
    ],
)
def test_each_bad_field_is_named(fields, message):
    assert message in only_problem(**fields)


def test_every_problem_of_an_entry_is_reported_at_once():
    entry, problems = check(case="case-b", amount="x", evidence="")
    assert entry is None
    assert [p.field for p in problems] == ["case", "amount", "evidence"]


def test_an_evidence_note_may_have_several_lines():
    entry, problems = check(evidence="line one\nline two")
    assert problems == [] and entry.evidence == "line one\nline two"


def write(tmp_path: Path, text: str | bytes, name: str = "actuals.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_a_csv_file_with_a_byte_order_mark_and_windows_lines_is_read(tmp_path):
    path = write(
        tmp_path,
        "\ufeffevidence,amount,period,benefit,case,source\r\n"
        '"report, page 2",100,2011-12,saving,case-a,\r\n\r\n'
        '"two\r\nlines",-5,2012-13,saving,case-a,ledger\r\n',
    )
    problems: list[Problem] = []
    rows = read_entries(path, problems, default_source="actuals.csv")
    assert problems == []
    assert [(r.line, r.evidence, r.amount, r.source) for r in rows] == [
        (2, "report, page 2", "100", "actuals.csv"),
        (4, "two\r\nlines", "-5", "ledger"),  # a blank line between; the cell spans two lines
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("case,benefit,period,amount\n", "the header has no evidence column"),
        ("case,benefit,period,amount,evidence,colour\n", 'unknown column "colour"'),
        ("case,case,benefit,period,amount,evidence\n", 'column "case" appears twice'),
        ("", "the file is empty"),
        ("case,benefit,period,amount,evidence\nx,y,z,1,e,extra\n", "expected 5 cells"),
        ('case,benefit,period,amount,evidence\n"unclosed,y\n', "not valid CSV"),
        ("case,benefit\x00,period\n", "NUL byte"),
    ],
)
def test_bad_files_are_named(tmp_path, content, message):
    path = write(tmp_path, content)
    problems: list[Problem] = []
    try:
        read_entries(path, problems)
    except InputError as exc:
        problems = exc.problems
    assert any(message in p.message for p in problems), problems
    assert all(p.file == path for p in problems)


def test_a_latin1_or_utf16_file_is_named_as_such(tmp_path):
    latin = write(
        tmp_path, "case,benefit,period,amount,evidence\nc,b,2011-12,1,caf\xe9\n".encode("latin-1")
    )
    with pytest.raises(InputError, match="expected UTF-8 text, found byte 0xe9"):
        read_entries(latin, [])
    utf16 = write(tmp_path, "case,benefit\n".encode("utf-16"), "u16.csv")
    with pytest.raises(InputError, match="found UTF-16 text"):
        read_entries(utf16, [])


def test_other_kinds_of_file_are_refused(tmp_path):
    with pytest.raises(InputError, match=r"expected a \.csv or \.xlsx file"):
        read_entries(write(tmp_path, "x", "actuals.txt"), [])
    with pytest.raises(InputError, match=r"not an Excel \.xlsx workbook"):
        read_entries(write(tmp_path, "not a zip", "actuals.xlsx"), [])
    with pytest.raises(InputError, match="no such file"):
        read_entries(tmp_path / "missing.csv", [])


def test_an_excel_workbook_is_read_from_its_first_sheet(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Case", "benefit", "period", "amount", "evidence", "kind"])
    sheet.append(["case-a", "saving", "2011-12", 1234.5, "report", "actual"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["case-a", "saving", dt.datetime(2012, 12, 1), 7, "report", None])
    sheet.append(["case-a", "saving", "2010-11", 12.345, "report", None])
    path = tmp_path / "actuals.xlsx"
    book.save(path)
    problems: list[Problem] = []
    rows = read_entries(path, problems)
    assert problems == []
    checker = EntryChecker(REFS, default_by="me")
    first = checker.check(rows[0], problems)
    assert first.amount == 123450 and rows[0].line == 2
    assert checker.check(rows[1], problems) is None
    assert checker.check(rows[2], problems) is None
    assert [(p.line, p.field) for p in problems] == [(4, "period"), (5, "amount")]
    assert "Excel turned the period into a date" in problems[0].message
    assert "at most two decimals), found 12.345" in problems[1].message


def test_the_register_location_comes_from_the_option_then_the_environment_then_the_file(
    tmp_path, monkeypatch
):
    programme = tmp_path / "prog" / "programme.toml"
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert locate(programme, None).path == tmp_path / "prog" / "register.db"
    assert locate(programme, "data/reg.db").path == tmp_path / "prog" / "data" / "reg.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV_VAR, "env.db")
    assert locate(programme, "data/reg.db").path == tmp_path / "env.db"
    option = locate(programme, "data/reg.db", "postgresql://u:secret@h/db")
    assert option.engine == "postgresql"
    assert option.sqlalchemy_url == "postgresql+psycopg://u:secret@h/db"
    assert str(option) == "postgresql://u:***@h/db"  # messages never show the password
    assert parse_location("sqlite:///a/b.db", tmp_path).path == tmp_path / "a" / "b.db"
    with pytest.raises(Exception, match="not a SQLite file or a postgresql:// URL"):
        parse_location("mysql://h/db", tmp_path)
