"""Reading spend files: every row counted exactly or rejected with its file, line and reason.

The reference for every total here is the file's own lines, added up by hand in the test (or
by Python's csv module and Decimal, independently of the reader).
"""

from __future__ import annotations

import csv
import io
import os
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from totalplace_cases.errors import InputError
from totalplace_cases.io import spend
from totalplace_cases.io.spend import (
    Rejection,
    SpendCheck,
    SpendLine,
    read_spend_lines,
    tally_spend_file,
)

CHECK = SpendCheck(
    categories=frozenset({"public-realm", "community", "individual"}),
    agencies=frozenset({"kcc", "police", "dwp", "district"}),
)
HEADER = "year,agency,category,theme,kind,amount,funded_by,description\n"


def write(tmp_path: Path, text: str, name: str = "spend.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def pounds(tally) -> Decimal:
    return Decimal(tally.total_pence).scaleb(-2)


def test_a_clean_file_is_counted_exactly_by_key(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "2008-09,kcc,individual,high-cost-cases,revenue,1000.10,,placements\n"
        + "2008-09,kcc,individual,high-cost-cases,revenue,0.20,,placements\n"
        + "2008-09,police,community,community-safety,capital,-5,home-office,refund\n",
    )
    tally = tally_spend_file(path, attrs_check(agencies={"kcc", "police", "home-office"}))
    assert (tally.lines, tally.counted, tally.rejected) == (3, 3, [])
    # 1000.10 + 0.20 = 1000.30 for KCC; -5 for the police: 995.30 in all.
    assert tally.pence == {
        ("2008-09", "kcc", "individual", "high-cost-cases", "revenue", "kcc"): 100030,
        ("2008-09", "police", "community", "community-safety", "capital", "home-office"): -500,
    }
    assert pounds(tally) == Decimal("995.30")


def attrs_check(agencies) -> SpendCheck:
    return SpendCheck(categories=CHECK.categories, agencies=frozenset(agencies))


# -- bad rows ----------------------------------------------------------------------------------

BAD = (
    HEADER
    + "2008-09,kcc,individual,t,revenue,100.00,,good\n"  # line 2
    + "2008-09,kcc,individual,t,revenue,,,blank amount\n"  # 3
    + "2008-09,kcc,individual,t,revenue,lots,,non-numeric\n"  # 4
    + "2008-09,nobody,individual,t,revenue,7.00,,unknown agency\n"  # 5
    + "2008,kcc,individual,t,revenue,8.00,,year in the wrong form\n"  # 6
    + HEADER  # 7: a repeated header
    + "2008-09,kcc,individual\n"  # 8: a short row
    + "2008-09,kcc,individual,t,revenue,1.234,,three decimals\n"  # 9
    + "2008-09,kcc,individual,t,revenue,200.50,,good\n"  # 10
)


def test_each_kind_of_bad_row_is_rejected_with_its_line_and_the_good_rows_are_counted(tmp_path):
    path = write(tmp_path, BAD)
    tally = tally_spend_file(path, CHECK)
    reasons = {r.line: r.reason for r in tally.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert reasons[3] == "amount: missing"
    assert 'found "lots"' in reasons[4]
    assert reasons[5] == 'agency: unknown agency "nobody"'
    assert 'expected a financial year like "2008-09", found "2008"' in reasons[6]
    assert reasons[7] == "repeated header"
    assert reasons[8] == "short row: expected 8 fields, found 3"
    assert "3+ decimals" in reasons[9]
    assert all(r.file == str(path) for r in tally.rejected)
    assert (tally.lines, tally.counted, len(tally.rejected)) == (9, 2, 7)
    assert pounds(tally) == Decimal("300.50")  # 100.00 + 200.50
    # Rejected rows whose amount could be read: 7.00 (line 5) + 8.00 (line 6).
    assert tally.rejected_pence == 1500


def test_the_line_by_line_reader_gives_the_same_rows_and_reasons(tmp_path):
    path = write(tmp_path, BAD)
    read = list(read_spend_lines(path, CHECK))
    tally = tally_spend_file(path, CHECK)
    assert [(r.line, r.reason) for r in read if isinstance(r, Rejection)] == [
        (r.line, r.reason) for r in tally.rejected
    ]
    lines = [r for r in read if isinstance(r, SpendLine)]
    assert [(s.line, s.amount) for s in lines] == [(2, Decimal("100.00")), (10, Decimal("200.50"))]
    assert lines[0].funded_by == "kcc"  # no funder: the agency pays for its own spend


def test_a_long_row_and_an_unknown_funder_and_kind_are_rejected(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "2008-09,kcc,individual,t,revenue,1,,a,b\n"
        + "2008-09,kcc,individual,t,revenue,1,nobody,x\n"
        + "2008-09,kcc,individual,t,grant,1,,x\n"
        + "2008-09,kcc,sport,t,revenue,1,,x\n",
    )
    reasons = [r.reason for r in tally_spend_file(path, CHECK).rejected]
    assert reasons == [
        "long row: expected 8 fields, found 9",
        'funded_by: unknown agency "nobody"',
        'kind: expected revenue or capital, found "grant"',
        'category: unknown category "sport"',
    ]


def test_blank_rows_are_skipped_and_not_counted_as_lines(tmp_path):
    path = write(tmp_path, HEADER + "\n,,,,,,,\n2008-09,kcc,individual,t,revenue,1,,x\n\n")
    tally = tally_spend_file(path, CHECK)
    assert (tally.lines, tally.counted, tally.rejected) == (1, 1, [])


# -- encodings, line ends, quoting ---------------------------------------------------------------


def test_a_utf8_bom_and_crlf_line_ends_are_accepted(tmp_path):
    text = (HEADER + "2008-09,kcc,individual,t,revenue,12.34,,£ sign\n").replace("\n", "\r\n")
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    tally = tally_spend_file(path, CHECK)
    assert (tally.counted, pounds(tally)) == (1, Decimal("12.34"))
    (line,) = read_spend_lines(path, CHECK)
    assert line.description == "£ sign"


def test_a_latin1_file_is_named_with_its_line(tmp_path):
    path = write(
        tmp_path,
        HEADER + "2008-09,kcc,individual,t,revenue,1,,ok\n2008-09,kcc,individual,t,revenue,1,,£5\n",
        encoding="latin-1",
    )
    with pytest.raises(InputError) as caught:
        tally_spend_file(path, CHECK)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == (str(path), 3)
    assert "byte 0xa3" in problem.message and "Latin-1" in problem.message


def test_a_utf16_file_is_named(tmp_path):
    path = write(tmp_path, HEADER, encoding="utf-16")
    with pytest.raises(InputError) as caught:
        tally_spend_file(path, CHECK)
    assert "UTF-16" in str(caught.value) and str(path) in str(caught.value)


def test_quoted_fields_may_hold_commas_quotes_and_line_breaks(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + '2008-09,kcc,individual,t,revenue,"1,250.00",,"beds, breakfasts and ""extras"""\n'
        + '2008-09,kcc,individual,t,revenue,2.00,,"two\nlines"\n'
        + "2008-09,nobody,individual,t,revenue,3.00,,after\n",
    )
    tally = tally_spend_file(path, CHECK)
    assert pounds(tally) == Decimal("1252.00")
    assert [(r.line, r.reason) for r in tally.rejected] == [(5, 'agency: unknown agency "nobody"')]
    descriptions = [
        s.description for s in read_spend_lines(path, CHECK) if isinstance(s, SpendLine)
    ]
    assert descriptions == ['beds, breakfasts and "extras"', "two\nlines"]


def test_a_stray_quote_rejects_its_row_and_reading_goes_on(tmp_path):
    rows = ["2008-09,kcc,individual,t,revenue,1.00,,fine"] * (spend.MAX_RECORD_LINES + 5)
    rows[0] = '2008-09,kcc,individual,t,revenue,9.00,,5" pipe'
    path = write(tmp_path, HEADER + "\n".join(rows) + "\n")
    tally = tally_spend_file(path, CHECK)
    assert [r.line for r in tally.rejected] == [2]
    assert "not closed" in tally.rejected[0].reason
    # The stray quote swallowed the lines up to the limit; the rest are counted.
    assert tally.counted == len(rows) - 1 - spend.MAX_RECORD_LINES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "found an empty line (the file is empty)"),
        ("year,agency,amount\n", "missing columns category, theme, kind"),
        ("year,agency,category,theme,kind,amount,Amount\n", 'column "amount" appears twice'),
    ],
)
def test_a_file_without_a_usable_header_is_refused_at_line_1(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        tally_spend_file(path, CHECK)
    assert expected in str(caught.value)
    assert all(p.line == 1 for p in caught.value.problems)


def test_headers_are_matched_by_name_in_any_order_and_case(tmp_path):
    path = write(
        tmp_path,
        "Amount,Kind,Theme,Category,Agency,Year,Cost centre\n"
        "5.50,Revenue,t,community,kcc,2008/09,CC1\n",
    )
    (line,) = read_spend_lines(path, CHECK)
    assert (str(line.year), line.kind, line.amount) == ("2008-09", "revenue", Decimal("5.50"))
    assert line.fields == {"cost_centre": "CC1"}


# -- classification ------------------------------------------------------------------------------


def test_a_line_without_category_or_theme_is_classified_or_counted_as_unclassified(tmp_path):
    path = write(
        tmp_path,
        "year,agency,category,theme,kind,amount,service\n"
        "2008-09,police,,,revenue,10.00,Road policing\n"
        "2008-09,police,,,revenue,20.00,Cake\n"
        "2008-09,police,community,,revenue,40.00,Cake\n",
    )

    def classify(line):
        if line.service == "Road policing":
            return {"category": "public-realm", "theme": "transport"}
        return None

    tally = tally_spend_file(path, CHECK, classify=classify)
    assert tally.pence == {
        ("2008-09", "police", "public-realm", "transport", "revenue", "police"): 1000,
        ("2008-09", "police", "unclassified", "unclassified", "revenue", "police"): 2000,
        ("2008-09", "police", "community", "unclassified", "revenue", "police"): 4000,
    }
    assert [(u.line, u.amount) for u in tally.unclassified] == [
        (3, Decimal("20.00")),
        (4, Decimal("40.00")),
    ]


def test_a_classifying_rule_sees_each_line_at_its_line_in_the_file(tmp_path, monkeypatch):
    # Line 1 is the header; every 50th row from line 2 on has no category or theme, and one
    # quoted description runs over two physical lines (line 6 and 7), so the rows after it sit
    # one line further down than their row number says. Both one process and several
    # processes must hand the rule the line a user would open the file at.
    rows = [
        ("2008-09", "kcc", "" if i % 50 == 0 else "individual", "" if i % 50 == 0 else "a",
         "revenue", f"{i}.00", "", "two\nlines" if i == 4 else f"row {i}")
        for i in range(3000)
    ]  # fmt: skip
    path = write(tmp_path, _as_csv(rows))
    # Row i is on line i + 2 up to the two-line row 4, and on line i + 3 after it.
    expected = [i + 2 if i <= 4 else i + 3 for i in range(3000) if i % 50 == 0]
    text = path.read_text()
    assert text.splitlines()[expected[5] - 1].startswith("2008-09,kcc,,,revenue,250.00,")
    for workers, parallel_bytes in ((1, spend.PARALLEL_BYTES), (3, 0)):
        seen = tmp_path / f"seen-{workers}.txt"  # the workers are processes: they write it down

        def classify(line, seen=seen):
            with open(seen, "a") as out:
                out.write(f"{line.line}\n")
            return None

        monkeypatch.setattr(spend, "PARALLEL_BYTES", parallel_bytes)
        tally = tally_spend_file(path, CHECK, classify=classify, workers=workers)
        assert tally.workers == workers
        assert sorted(map(int, seen.read_text().split())) == expected
        assert [u.line for u in tally.unclassified] == expected


# -- Excel ---------------------------------------------------------------------------------------


def write_xlsx(path: Path, rows: list[list], sheet: str = "count", first: str | None = None):
    import openpyxl

    book = openpyxl.Workbook()
    if first is not None:
        book.active.title = first
        book.active.append(["not", "this", "sheet"])
        target = book.create_sheet(sheet)
    else:
        target = book.active
        target.title = sheet
    for row in rows:
        target.append(row)
    book.save(path)
    return path


def test_an_excel_sheet_named_count_is_read_with_numbers_at_their_shortest_form(tmp_path):
    import datetime

    path = write_xlsx(
        tmp_path / "police.xlsx",
        [
            ["year", "agency", "category", "theme", "kind", "amount"],
            ["2008-09", "kcc", "community", "t", "revenue", 1234.5],  # 2: 1234.50
            ["2008-09", "kcc", "community", "t", "revenue", 7],  # 3: 7.00
            ["2008-09", "kcc", "community", "t", "revenue", 1.005],  # 4: three decimals
            [datetime.datetime(2008, 9, 1), "kcc", "community", "t", "revenue", 1],  # 5
            [None, None, None, None, None, None],  # 6: blank
            ["2008-09", "kcc", "community", "t", "revenue", 0.01],  # 7
        ],
        first="Summary",
    )
    tally = tally_spend_file(path, CHECK)
    assert pounds(tally) == Decimal("1241.51")  # 1234.50 + 7.00 + 0.01
    assert [r.line for r in tally.rejected] == [4, 5]
    assert "3+ decimals" in tally.rejected[0].reason
    assert "the date 2008-09-01" in tally.rejected[1].reason
    assert (tally.lines, tally.counted) == (5, 3)


def test_a_broken_workbook_is_refused_with_its_name(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError) as caught:
        tally_spend_file(path, CHECK)
    assert "not a readable .xlsx workbook" in str(caught.value)


# -- every path through the reader agrees ---------------------------------------------------------

AGENCIES = ["kcc", "police", "dwp", "district", "nobody"]
AMOUNTS = st.one_of(
    st.integers(-(10**9), 10**9).map(lambda p: f"{Decimal(p).scaleb(-2):.2f}"),
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["1.5", "£1,234.50", "", "x", "1.234", "-0.05", "007.10", " 3.00"]),
)
ROWS = st.lists(
    st.tuples(
        st.sampled_from(["2007-08", "2008-09", "2008", "2008/09"]),
        st.sampled_from(AGENCIES),
        st.sampled_from(["individual", "community", "", "sport"]),
        st.sampled_from(["a", "b", "", "a\x1fb", "a\x1f", "a\x1eb", "a\rb"]),
        st.sampled_from(["revenue", "capital", "Capital", "grant", "\x1fb"]),
        AMOUNTS,
        st.sampled_from(["", "dwp", "kcc", "nobody"]),
        st.sampled_from(
            ["plain", 'with "quotes"', "with, comma", "two\nlines", "", "x\x1fy", "x\x1ey", "x\r"]
        ),
    ),
    max_size=60,
)


def _as_csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER.strip().split(","))
    writer.writerows(rows)
    return out.getvalue()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS, crlf=st.booleans())
def test_bulk_fast_and_full_readings_agree_with_a_plain_decimal_sum(
    tmp_path, monkeypatch, rows, crlf
):
    text = _as_csv(rows)
    if crlf:
        text = text.replace("\n", "\r\n")
    path = write(tmp_path, text)
    expected: dict = defaultdict(int)
    rejected = []
    for item in read_spend_lines(path, CHECK):
        if isinstance(item, Rejection):
            rejected.append((item.line, item.reason))
        else:
            expected[spend._key(item)] += int(item.amount.scaleb(2))
    # Small blocks and byte ranges, so that every path is taken on a small file.
    monkeypatch.setattr(spend, "PARALLEL_BYTES", 0)
    real_batches = spend._batches
    monkeypatch.setattr(spend, "_batches", lambda text, size=64: real_batches(text, size))
    for workers in (1, 3):
        tally = tally_spend_file(path, CHECK, workers=workers)
        assert tally.pence == {k: v for k, v in expected.items()}
        assert [(r.line, r.reason) for r in tally.rejected] == rejected
        assert tally.lines == tally.counted + len(rejected)


PLAIN = "2008-09,kcc,individual,a,revenue,{},,plain\n"


@pytest.mark.parametrize(
    "odd",
    [
        # A short row and a long row in one block: as many commas as two good rows, so the
        # bulk path must see each row's width, not the block's total.
        "2008-09,kcc,individual,a,revenue,5.00,plain\n2008-09,kcc,individual,a,revenue,6.00,,x,y\n",
        # ... arranged so that, shifted by one cell, the long row reads as a known key and a
        # plain amount: only the row ends show that neither row is as wide as the header.
        "2008-09,kcc,individual,a,revenue,5.00,\njunk,2008-09,kcc,individual,a,revenue,6.00,,x\n",
        "2008-09,kcc,individual,a,revenue,7.00,,x\x1ey\n",  # the bulk path's row marker, unquoted
        "2008-09,kcc,individual,a,revenue,8.00,,x\ry\n",  # a carriage return inside a line
        "2008-09,kcc,individual,a\r,revenue,9.00,,x\n",  # ... in a key column
        "2008-09,kcc,individual,a,revenue,10.00,,x\r\r\n",  # two before the line end
        "2008-09,kcc,individual,a,revenue,11.00\n",  # a short row alone
        "\n",  # a blank line
    ],
)
@pytest.mark.parametrize("size", [64, 1 << 17])
def test_the_bulk_path_counts_a_block_with_odd_rows_as_the_full_reading_does(
    tmp_path, monkeypatch, odd, size
):
    # Plain rows before and after, so that the key is known when the odd block is reached.
    text = HEADER + PLAIN.format("1.00") * 8 + odd + PLAIN.format("2.00") * 8
    path = write(tmp_path, text)
    expected: dict = defaultdict(int)
    rejected = []
    for item in read_spend_lines(path, CHECK):
        if isinstance(item, Rejection):
            rejected.append((item.line, item.reason))
        else:
            expected[spend._key(item)] += int(item.amount.scaleb(2))
    real_batches = spend._batches
    monkeypatch.setattr(spend, "_batches", lambda text, size=size: real_batches(text, size))
    tally = tally_spend_file(path, CHECK, workers=1)
    assert tally.pence == dict(expected)
    assert [(r.line, r.reason) for r in tally.rejected] == rejected
    assert tally.lines == tally.counted + len(rejected)
    assert sum(expected.values()) >= 8 * 100 + 8 * 200  # the plain rows, at least


def test_a_large_file_split_across_processes_gives_the_same_tally(tmp_path, monkeypatch):
    rows = [
        ("2008-09", AGENCIES[i % 4], "individual", "a", "revenue", f"{i * 7 % 1000}.{i % 100:02d}",
         "", f"row {i}")
        for i in range(4000)
    ]  # fmt: skip
    rows[1234] = ("2008-09", "nobody", "individual", "a", "revenue", "1.00", "", "bad")
    path = write(tmp_path, _as_csv(rows))
    one = tally_spend_file(path, CHECK, workers=1)
    monkeypatch.setattr(spend, "PARALLEL_BYTES", 0)
    two = tally_spend_file(path, CHECK, workers=2)
    assert two.workers == 2 and one.workers == 1
    assert (two.pence, two.lines, two.counted) == (one.pence, one.lines, one.counted)
    assert [(r.line, r.reason) for r in two.rejected] == [(1236, 'agency: unknown agency "nobody"')]
    expected = sum(Decimal(r[5]) for r in rows if r[1] != "nobody")
    assert pounds(two) == expected


def test_a_file_that_cannot_be_read_is_the_projects_own_error(tmp_path, monkeypatch):
    path = write(tmp_path, HEADER)

    def refuse(name, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(name))

    monkeypatch.setattr(spend, "open", refuse, raising=False)
    for read in (tally_spend_file, lambda p, c: list(read_spend_lines(p, c))):
        with pytest.raises(InputError) as caught:
            read(path, CHECK)
        (problem,) = caught.value.problems
        assert (problem.file, problem.message) == (
            str(path), "cannot read the file: Permission denied")  # fmt: skip


def _die(*_args):
    os._exit(3)  # a worker killed mid-count (out of memory, say)


def test_a_worker_that_dies_leaves_the_count_to_one_process(tmp_path, monkeypatch):
    rows = [
        ("2008-09", "kcc", "individual", "a", "revenue", f"{i}.25", "", "x") for i in range(500)
    ]
    path = write(tmp_path, _as_csv(rows))
    monkeypatch.setattr(spend, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(spend, "_worker", _die)
    tally = tally_spend_file(path, CHECK, workers=2)
    assert tally.workers == 1
    assert pounds(tally) == sum(Decimal(r[5]) for r in rows)  # 0.25 + 1.25 + ... + 499.25
