"""Tests of the cleaned Unit Cost Database shipped by totalplace-ucd.

Run with ``-rA`` to see the list of rejected rows printed by ``test_rejected_rows_listed``.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pytest

PLUGIN_ROOT = Path(__file__).resolve().parents[1]

try:
    import totalplace_ucd  # noqa: F401
except ImportError:  # not installed (e.g. plain `pytest` at the repo root): use plugins/ucd/src
    sys.path.insert(0, str(PLUGIN_ROOT / "src"))

from totalplace_ucd import __version__, components, load_entries  # noqa: E402
from totalplace_ucd.entries import UcdEntry, load_rejected, split_checks  # noqa: E402

RAW_DIR = PLUGIN_ROOT / "raw"
BUILD_SCRIPT = PLUGIN_ROOT / "build_data.py"
DATA = files("totalplace_ucd").joinpath("data")
DATA_FILES = ("ucd.csv", "rejected.csv", "splits.csv")

# The counts the build produced from the seven raw files (c. 2014 extract). To recount, run
#     python plugins/ucd/build_data.py
# which prints "rows read / rows loaded / rows rejected" and the rejections by reason; or
# count the data rows of ucd.csv and rejected.csv (lines after the "#" comments and header).
ROWS_READ = 673
ROWS_LOADED = 616
ROWS_REJECTED = 57
# A row may have several problems; each kind is counted once per row.
REJECTED_BY_REASON = {"duplicate code": 57, "cost is zero": 1}


def raw_rows(name: str) -> list[dict[str, str]]:
    """The data rows of a shipped file, as text, without going through the loader."""
    lines = DATA.joinpath(name).read_text(encoding="utf-8").splitlines(keepends=True)
    return list(csv.DictReader(line for line in lines if not line.startswith("#")))


def rejected_listing() -> str:
    return "\n".join(f"{r.file}:{r.line} {r.code or '-'}: {r.reason}" for r in load_rejected())


def test_version():
    assert __version__ == "0.1.0"


def test_counts():
    entries = load_entries()
    rejected = load_rejected()
    assert len(entries) == ROWS_LOADED, f"loaded {len(entries)}"
    assert len(rejected) == ROWS_REJECTED, f"rejected rows:\n{rejected_listing()}"
    assert len(entries) + len(rejected) == ROWS_READ


def test_rejected_rows_listed():
    rejected = load_rejected()
    print(f"\n{len(rejected)} rejected rows:\n{rejected_listing()}")
    assert all(r.reason.strip() for r in rejected), rejected_listing()
    assert all(r.file and r.line > 0 for r in rejected), rejected_listing()
    kinds: Counter = Counter()
    for r in rejected:
        for kind in dict.fromkeys(p.split(":", 1)[0] for p in r.reason.split("; ")):
            kinds[kind] += 1
    assert dict(kinds) == REJECTED_BY_REASON, rejected_listing()


def test_rejected_duplicates_cover_all_their_rows():
    # A duplicated code is ambiguous: all the rows carrying it are rejected, none is loaded.
    entries = load_entries()
    duplicated = {r.code for r in load_rejected() if r.reason.startswith("duplicate code")}
    assert duplicated
    assert not duplicated & entries.keys()
    assert "CR7.0.3" in duplicated
    lines = sorted(r.line for r in load_rejected() if r.code == "CR7.0.3")
    assert lines == [150, 151, 152]  # single-line records; multi-line ones start earlier


def test_line_numbers_are_physical_lines():
    # Records with multi-line descriptions take several physical lines (crime.csv: CR1.0 is
    # on lines 1-3), so the record's start line is not its record number: CR7.1.3's first row
    # is record 67 but starts on line 158. Check each rejected row against the raw file.
    rows = [r for r in load_rejected() if r.code == "CR7.1.3"]
    assert [(r.file, r.line) for r in rows] == [("crime.csv", n) for n in (158, 159, 160)]
    assert RAW_DIR.is_dir(), f"raw UCD data not found at {RAW_DIR}"
    raw = {}
    for r in load_rejected():
        if r.file not in raw:
            raw[r.file] = (RAW_DIR / r.file).read_text(encoding="utf-8").split("\n")
        assert f",{r.code}," in raw[r.file][r.line - 1], r


def test_cr2_components():
    entries = load_entries()
    parent = entries["CR2.0"]
    assert parent.agency == "Multiple"
    assert parent.is_multiple
    assert parent.value == Decimal("2470")
    assert parent.price_year == "2008-09"
    subs = components("CR2.0")
    assert [e.code for e in subs] == [f"CR2.0.{i}" for i in range(1, 6)]
    assert [e.value for e in subs] == [Decimal(v) for v in ("1171", "581", "415", "193", "110")]
    assert sum(e.value for e in subs) == Decimal("2470") == parent.value
    assert {e.price_year for e in subs} == {"2008-09"}
    assert all(e.parent == "CR2.0" for e in subs)
    check = split_checks()["CR2.0"]
    assert check.agrees
    assert check.difference == 0


def test_components_of_non_multiple_and_unknown():
    assert components("CR1.0") == []
    with pytest.raises(KeyError):
        components("XX9.9")


def test_values_are_plain_decimals():
    for r in raw_rows("ucd.csv"):
        assert re.fullmatch(r"\d+(\.\d+)?", r["value"]), r
        assert re.fullmatch(r"(\d+(\.\d+)?)?", r["value_uprated"]), r
        assert "£" not in r["value"] and "," not in r["value"]
    for e in load_entries().values():
        assert isinstance(e.value, Decimal) and e.value > 0
        assert e.value_uprated is None or isinstance(e.value_uprated, Decimal)


def test_price_years():
    for e in load_entries().values():
        m = re.fullmatch(r"(\d{4})-(\d{2})", e.price_year)
        assert m, e
        assert (int(m[1]) + 1) % 100 == int(m[2]), e
        assert 1990 <= int(m[1]) <= 2014, e


def test_codes_unique():
    codes = [r["code"] for r in raw_rows("ucd.csv")]
    assert len(codes) == len(set(codes)) == ROWS_LOADED
    assert all(re.fullmatch(r"[A-Z&]+\d+(\.\d+)*", c) for c in codes)


def test_text_is_clean():
    for r in raw_rows("ucd.csv"):
        for key, text in r.items():
            assert text == text.strip(), (key, r)
            assert "\n" not in text and "  " not in text, (key, r)
            assert text != "-", (key, r)
        assert r["description"], r
        assert r["agency"], r
    for e in load_entries().values():
        assert e.rag in {"R", "A", "G", None}


def test_agency_spellings_merged():
    names = Counter()
    for e in load_entries().values():
        names[e.agency] += 1
        if e.sub_agency:
            names[e.sub_agency] += 1
    folded = Counter(n.casefold() for n in names)
    assert all(n == 1 for n in folded.values()), names
    assert "Local authority" not in names


def test_parents_are_multiple_entries():
    entries = load_entries()
    for e in entries.values():
        if e.parent is not None:
            assert e.code.rpartition(".")[0] == e.parent
            assert entries[e.parent].is_multiple


def test_split_checks_match_entries():
    entries = load_entries()
    checks = split_checks()
    assert set(checks) == {c for c, e in entries.items() if e.is_multiple}
    for code, check in checks.items():
        subs = components(code)
        assert check.components == tuple(e.code for e in subs)
        assert check.value == entries[code].value
        if subs:
            total = sum(e.value for e in subs)
            assert check.components_sum == total
            assert check.difference == total - entries[code].value
        else:
            assert check.components_sum is None and not check.agrees
    agreeing = sorted(c for c, s in checks.items() if s.agrees)
    assert agreeing == sorted(["CR2.0", "E&S1.0", "E&S2.0", "E&E1.0", "E&E2.0", "E&E3.0", "FI1.0"])
    # The CR7.x crime breakdowns lose their Courts/Prisons/Other CJS rows (duplicate codes).
    assert not checks["CR7.0"].agrees
    assert "with them the sum would be 174364" in checks["CR7.0"].note


def test_header_and_attribution():
    text = DATA.joinpath("ucd.csv").read_text(encoding="utf-8").splitlines()
    assert text[0].startswith("# source: ")
    assert "New Economy" in text[0] and "Public Service Transformation Network" in text[0]
    assert "datagovuk-hackcode/early-intervention-unit-cost-database" in text[0]
    assert text[1] == "# vintage: c. 2014 extract"
    header = next(line for line in text if not line.startswith("#"))
    assert header == (
        "code,theme,sub_theme,description,agency,sub_agency,unit,value,price_year,"
        "value_uprated,source,rag,parent"
    )
    rejected_header = next(
        line
        for line in DATA.joinpath("rejected.csv").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    )
    assert rejected_header == "file,line,code,reason"


def test_entries_are_frozen():
    entry = load_entries()["CR2.0"]
    assert isinstance(entry, UcdEntry)
    with pytest.raises(AttributeError):
        entry.value = Decimal(1)  # type: ignore[misc]


def test_rebuild_is_byte_identical(tmp_path):
    assert RAW_DIR.is_dir(), f"raw UCD data not found at {RAW_DIR}"
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), str(RAW_DIR), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"rows read: {ROWS_READ}" in result.stdout
    assert f"rows loaded: {ROWS_LOADED}" in result.stdout
    assert f"rows rejected: {ROWS_REJECTED}" in result.stdout
    for name in DATA_FILES:
        built = (tmp_path / name).read_bytes()
        shipped = DATA.joinpath(name).read_bytes()
        assert built == shipped, f"{name} differs from a fresh build: rerun build_data.py"


def load_build_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("ucd_build_data", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_parsers():
    build = load_build_module()
    assert build.parse_money(" £1,311.50 ") == Decimal("1311.50")
    assert build.money_str(build.parse_money(" £1,311.50 ")) == "1311.50"
    assert build.parse_money("2470") == Decimal("2470")
    assert build.parse_money("13,11") is None
    assert build.parse_money("about 500") is None
    assert build.parse_money("") is None
    assert build.normalise_price_year("2008/09") == "2008-09"
    assert build.normalise_price_year(" 1999/00 ") == "1999-00"
    assert build.normalise_price_year("2008/2009") == "2008-09"
    assert build.normalise_price_year("2008/10") is None
    assert build.normalise_price_year("2008") is None
    assert build.clean_text(" Anti-social behaviour\nwarning\xa0letter ") == (
        "Anti-social behaviour warning letter"
    )
    assert build.clean_text(" - ") == ""


def test_build_rejects_and_numbers_lines(tmp_path):
    # A small raw folder: a multi-line record, then rows with problems, then a duplicate pair.
    build = load_build_module()
    # code, description, agency, sub-agency, cost, price year, uprated cost, RAG
    rows = [
        ("CR1.0", "Multi\nline\ndescription", "Multiple", "", "30", "2008/09", " £33 ", "G"),
        ("CR1.0.1", "a", "Police", "-", " £10 ", "2008/09", "", "A"),
        ("CR1.0.2", "b", "NHS", "", "20", "2008/09", " £22 ", ""),
        ("CR2.0", "no cost", "Police", "", "", "2008/09", "", "R"),
        ("CR3.0", "bad year", "Police", "", "5", "2008", "", "R"),
        ("CR4.0", "dup", "Police", "", "5", "2008/09", "", "R"),
        ("CR4.0", "dup", "Police", "", "6", "2008/09", "", "R"),
    ]
    rows = [
        ["CRIME", "X", code, desc, agency, sub, "Each", cost, year, up, "src", rag, "", ""]
        for code, desc, agency, sub, cost, year, up, rag in rows
    ]
    with (tmp_path / "crime.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    for name in build.RAW_FILES[1:]:
        (tmp_path / name).write_text("", encoding="utf-8")
    result = build.build(tmp_path)
    loaded = {r["code"]: r for r in result["rows"]}
    assert list(loaded) == ["CR1.0", "CR1.0.1", "CR1.0.2"]
    assert loaded["CR1.0"]["description"] == "Multi line description"
    assert loaded["CR1.0.1"]["value"] == Decimal("10")
    assert loaded["CR1.0.1"]["sub_agency"] == ""
    assert loaded["CR1.0.1"]["parent"] == "CR1.0"
    assert loaded["CR1.0.2"]["rag"] == ""
    rejected = [(r["line"], r["code"], "; ".join(r["problems"])) for r in result["rejected"]]
    assert rejected == [
        (6, "CR2.0", "no cost value"),
        (7, "CR3.0", "price year not a financial year: '2008'"),
        (8, "CR4.0", "duplicate code: CR4.0 is on 2 raw rows (also line 9)"),
        (9, "CR4.0", "duplicate code: CR4.0 is on 2 raw rows (also line 8)"),
    ]
    (split,) = result["splits"]
    assert split["parent"] == "CR1.0" and split["agrees"] == "yes"


def test_a_split_with_rejected_sub_rows_leaves_the_rest_unallocated():
    # CR7.0 (174,363) lost its three ".3" sub-rows in cleaning; the sub-rows left (20,240 in
    # all) keep their own share of the whole, and the other 154,123 is left for the case to
    # assign, instead of being spread over the sub-rows that survived.
    from totalplace_ucd import unit_cost_of

    shares = unit_cost_of(load_entries()["CR7.0"]).shares
    left = sum(v for k, v in shares if not k.startswith("unallocated"))
    assert abs(left - Decimal(20240) / Decimal(174363)) < Decimal("1e-25")
    assert dict(shares)["unallocated (CR7.0)"] == 1 - left
    dv = unit_cost_of(load_entries()["CR2.0"]).shares  # its sub-rows add up: all allocated
    assert not any(body.startswith("unallocated") for body, _ in dv)
    assert abs(sum(share for _, share in dv) - 1) < Decimal("1e-25")
