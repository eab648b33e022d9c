"""Build the cleaned Unit Cost Database (UCD) files shipped by the ``totalplace-ucd`` plugin.

Run by hand, from anywhere::

    python plugins/ucd/build_data.py [SRC_DIR] [--out OUT_DIR]

SRC_DIR defaults to ``plugins/ucd/raw`` (found from this script's own location), where the raw
files are kept with their source; OUT_DIR defaults to ``plugins/ucd/src/totalplace_ucd/data``.

It reads the seven raw, header-less CSV files of the UCD (c. 2014 extract) and writes:

* ``ucd.csv``: one cleaned row per usable unit cost;
* ``rejected.csv``: every raw row that could not be used, with file, line and reason;
* ``splits.csv``: for every loaded "Multiple"-agency entry, its sub-rows and whether they
  add up to the entry's own cost (an entry without sub-rows cannot be split).

Cleaning rules (numbered as in plugins/ucd/README.md):

C1  Every text cell is whitespace-normalised: runs of whitespace (spaces, tabs, newlines,
    non-breaking spaces) become one space and the ends are stripped. This is what joins the
    multi-line descriptions into one line.
C2  A cell holding only "-" is a placeholder for "nothing" and becomes empty.
C3  Costs are parsed with ``Decimal``, never float: an optional leading "£", digits with
    thousands separators only where they group by three ("1,311" yes, "13,11" no), an
    optional decimal part. The digits are kept as written ("1311.50" stays "1311.50").
C4  The price year must be a financial year "YYYY/YY" (also accepted: "YYYY-YY",
    "YYYY/YYYY") whose second year follows the first; it is written as "YYYY-YY".
C5  The RAG confidence flag must be R, A or G (or Red/Amber/Green, any case); an absent flag
    is kept as empty (the row is not rejected for it).
C6  Agency and sub-agency spellings that differ only in letter case are merged to the
    spelling used most often across both columns ("Local authority" -> "Local Authority").
C7  ``parent`` is set on a row whose code is ``P.n`` when the row ``P`` is loaded and its
    agency is "Multiple" (CR2.0.3 -> CR2.0).
C8  A "Multiple" split agrees when its loaded sub-rows share the parent's price year and
    unit and their values add up to the parent's value within rounding to whole pounds:
    |sum - value| <= 0.50 * (number of sub-rows + 1).

Repairs (each is counted in the build summary):

R1  A cost written in the own-price-year column in currency format (" £44,676 ", as in all
    of socialservices.csv) is parsed by C3; nothing is moved between columns.
R2  The uprated cost column is optional: blank is kept as empty.

Rejections (reason text before the colon is the reason's kind):

* "blank row", "wrong number of columns", "no code", "code not recognised", "no cost value",
  "cost not a number", "cost is zero", "no price year", "price year not a financial year",
  "uprated cost not a number", "RAG flag not R/A/G";
* "duplicate code": a code carried by more than one raw row is ambiguous, so *all* the rows
  carrying it are rejected (the raw CR7.x crime breakdowns number Courts/legal aid, Prisons
  and Other CJS all as CR7.x.3).

Never invents a number: a value that cannot be read is a rejection, not a guess.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SRC = HERE / "raw"
DEFAULT_OUT = HERE / "src" / "totalplace_ucd" / "data"

RAW_FILES = (
    "crime.csv",
    "education_skills.csv",
    "employment_economy.csv",
    "fire.csv",
    "health.csv",
    "housing.csv",
    "socialservices.csv",
)

SOURCE_LINE = (
    "# source: Unit Cost Database, New Economy (Manchester; now the Greater Manchester "
    "Combined Authority research team) with HM Treasury's Public Service Transformation "
    "Network, as parsed into CSV by datagovuk-hackcode/early-intervention-unit-cost-database"
)
VINTAGE_LINE = "# vintage: c. 2014 extract"
BUILT_LINE = "# built by plugins/ucd/build_data.py from the raw files; do not edit by hand"

UCD_HEADER = (
    "code",
    "theme",
    "sub_theme",
    "description",
    "agency",
    "sub_agency",
    "unit",
    "value",
    "price_year",
    "value_uprated",
    "source",
    "rag",
    "parent",
)
REJECTED_HEADER = ("file", "line", "code", "reason")
SPLITS_HEADER = (
    "parent",
    "price_year",
    "unit",
    "value",
    "components",
    "components_sum",
    "difference",
    "agrees",
    "note",
)

# Raw column positions.
THEME, SUB_THEME, CODE, DESCRIPTION, AGENCY, SUB_AGENCY, UNIT = range(7)
VALUE, PRICE_YEAR, VALUE_UPRATED, SOURCE, RAG, COMMENTS, URL = range(7, 14)
N_COLUMNS = 14

MULTIPLE = "Multiple"
CODE_RE = re.compile(r"^[A-Z&]+\d+(?:\.\d+)*$")
MONEY_RE = re.compile(r"^£?\s*(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?$")
YEAR_RE = re.compile(r"^(?P<start>\d{4})\s*[/-]\s*(?P<end>\d{2}|\d{4})$")
RAG_WORDS = {"R": "R", "A": "A", "G": "G", "RED": "R", "AMBER": "A", "GREEN": "G"}


def clean_text(cell: str) -> str:
    """C1 + C2: collapse whitespace runs to one space, strip, and read a lone "-" as empty."""
    text = " ".join(cell.split())
    return "" if text == "-" else text


def parse_money(cell: str) -> Decimal | None:
    """C3: read a cost cell; None when it is not a plain amount of money."""
    match = MONEY_RE.match(clean_text(cell))
    if match is None:
        return None
    return Decimal(match["int"].replace(",", "") + (match["frac"] or ""))


def money_str(value: Decimal) -> str:
    return format(value, "f")


def normalise_price_year(cell: str) -> str | None:
    """C4: "2008/09" -> "2008-09"; None when the cell is not a financial year."""
    match = YEAR_RE.match(clean_text(cell))
    if match is None:
        return None
    start = int(match["start"])
    end = match["end"]
    if len(end) == 4:
        if int(end) != start + 1:
            return None
    elif int(end) != (start + 1) % 100:
        return None
    return f"{start:04d}-{(start + 1) % 100:02d}"


def code_key(code: str) -> tuple[str, tuple[int, ...]]:
    """Natural order of codes: CR7.2 < CR7.10."""
    prefix = code.rstrip("0123456789.")
    return prefix, tuple(int(p) for p in code[len(prefix) :].split("."))


def read_raw(src: Path) -> list[dict]:
    """Read every raw record; return them parsed, each with its problems and repairs listed."""
    records: list[dict] = []
    for name in RAW_FILES:
        path = src / name
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            previous_end = 0
            for row in reader:
                # reader.line_num is the last physical line of the record just read, so a
                # record starts on the line after the previous record ended.
                start_line = previous_end + 1
                previous_end = reader.line_num
                records.append(parse_record(name, start_line, row))
    return records


def parse_record(name: str, line: int, row: list[str]) -> dict:
    problems: list[str] = []
    repairs: list[str] = []
    cells = list(row) + [""] * (N_COLUMNS - len(row))
    rec = {
        "file": name,
        "line": line,
        "code": clean_text(cells[CODE]),
        "problems": problems,
        "repairs": repairs,
    }
    if not any(c.strip() for c in row):
        problems.append("blank row")
        return rec
    if len(row) != N_COLUMNS:
        problems.append(f"wrong number of columns: {len(row)} instead of {N_COLUMNS}")
    code = rec["code"]
    if not code:
        problems.append("no code")
    elif CODE_RE.match(code) is None:
        problems.append(f"code not recognised: {cells[CODE]!r}")

    raw_value = clean_text(cells[VALUE])
    value = parse_money(raw_value)
    if not raw_value:
        problems.append("no cost value")
    elif value is None:
        problems.append(f"cost not a number: {cells[VALUE]!r}")
    elif value == 0:
        problems.append(f"cost is zero: {cells[VALUE]!r}")
    elif "£" in raw_value or "," in raw_value:
        repairs.append("R1 currency-formatted cost parsed")

    raw_year = clean_text(cells[PRICE_YEAR])
    price_year = normalise_price_year(raw_year)
    if not raw_year:
        problems.append("no price year")
    elif price_year is None:
        problems.append(f"price year not a financial year: {cells[PRICE_YEAR]!r}")

    raw_uprated = clean_text(cells[VALUE_UPRATED])
    uprated = parse_money(raw_uprated)
    if not raw_uprated:
        repairs.append("R2 blank uprated cost kept as empty")
    elif uprated is None:
        problems.append(f"uprated cost not a number: {cells[VALUE_UPRATED]!r}")

    raw_rag = clean_text(cells[RAG])
    rag = RAG_WORDS.get(raw_rag.upper()) if raw_rag else ""
    if rag is None:
        problems.append(f"RAG flag not R/A/G: {cells[RAG]!r}")

    rec.update(
        theme=clean_text(cells[THEME]),
        sub_theme=clean_text(cells[SUB_THEME]),
        description=clean_text(cells[DESCRIPTION]),
        agency=clean_text(cells[AGENCY]),
        sub_agency=clean_text(cells[SUB_AGENCY]),
        unit=clean_text(cells[UNIT]),
        value=value,
        price_year=price_year,
        value_uprated=uprated,
        source=clean_text(cells[SOURCE]),
        rag=rag,
    )
    return rec


def flag_duplicates(records: list[dict]) -> None:
    """Every row whose code is carried by another raw row is ambiguous: reject them all."""
    by_code: dict[str, list[dict]] = defaultdict(list)
    for rec in records:
        if rec["code"]:
            by_code[rec["code"]].append(rec)
    for code, recs in by_code.items():
        if len(recs) < 2:
            continue
        for rec in recs:
            others = ", ".join(
                str(o["line"]) if o["file"] == rec["file"] else f"{o['file']}:{o['line']}"
                for o in recs
                if o is not rec
            )
            where = "lines" if len(recs) > 2 else "line"
            rec["problems"].append(
                f"duplicate code: {code} is on {len(recs)} raw rows (also {where} {others})"
            )


def canonical_agencies(rows: list[dict]) -> tuple[dict[str, str], list[tuple[str, str, int]]]:
    """C6: map each agency/sub-agency spelling to the most used spelling of the same letters."""
    counts: Counter = Counter()
    for rec in rows:
        for key in ("agency", "sub_agency"):
            if rec[key]:
                counts[rec[key]] += 1
    by_fold: dict[str, list[str]] = defaultdict(list)
    for name in counts:
        by_fold[name.casefold()].append(name)
    mapping: dict[str, str] = {}
    merged: list[tuple[str, str, int]] = []
    for names in by_fold.values():
        best = max(names, key=lambda n: (counts[n], n))
        for name in names:
            mapping[name] = best
            if name != best:
                merged.append((name, best, counts[name]))
    return mapping, sorted(merged)


def check_splits(rows: list[dict], rejected: list[dict]) -> list[dict]:
    """For each loaded "Multiple" entry, compare its value with the sum of its loaded sub-rows."""
    children: dict[str, list[dict]] = defaultdict(list)
    for rec in rows:
        if rec["parent"]:
            children[rec["parent"]].append(rec)
    rejected_children: dict[str, list[dict]] = defaultdict(list)
    for rec in rejected:
        parent = rec["code"].rpartition(".")[0]
        if parent:
            rejected_children[parent].append(rec)
    checks = []
    for rec in rows:
        if rec["agency"] != MULTIPLE:
            continue
        kids = children.get(rec["code"], [])
        total = sum((k["value"] for k in kids), Decimal(0))
        difference = total - rec["value"]
        notes = [] if kids else ["no sub-rows: cannot be split"]
        lost = rejected_children.get(rec["code"], [])
        if lost:
            lines = ", ".join(str(r["line"]) for r in lost)
            note = f"{len(lost)} sub-rows rejected (lines {lines})"
            if all(r.get("value") is not None for r in lost):
                with_lost = total + sum((r["value"] for r in lost), Decimal(0))
                note += f"; with them the sum would be {money_str(with_lost)}"
            notes.append(note)
        years = sorted({k["price_year"] for k in kids} - {rec["price_year"]})
        if years:
            notes.append(f"sub-row price years differ: {', '.join(years)}")
        units = sorted({k["unit"] for k in kids} - {rec["unit"]})
        if units:
            notes.append(f"sub-row units differ: {', '.join(units)}")
        # Agree: same price year and unit, and the sum matches to within rounding. The source
        # rounds figures to whole pounds, so each of the n sub-rows and the parent may be off by
        # up to 0.50: |difference| <= 0.50 * (n + 1).
        tolerance = Decimal("0.5") * (len(kids) + 1)
        agrees = bool(kids) and abs(difference) <= tolerance and not years and not units
        checks.append(
            {
                "parent": rec["code"],
                "price_year": rec["price_year"],
                "unit": rec["unit"],
                "value": money_str(rec["value"]),
                "components": " ".join(k["code"] for k in kids),
                "components_sum": money_str(total) if kids else "",
                "difference": money_str(difference) if kids else "",
                "agrees": "yes" if agrees else "no",
                "note": "; ".join(notes),
            }
        )
    return checks


def build(src: Path) -> dict:
    records = read_raw(src)
    flag_duplicates(records)
    rows = [r for r in records if not r["problems"]]
    rejected = [r for r in records if r["problems"]]

    mapping, merged = canonical_agencies(rows)
    for rec in rows:
        for key in ("agency", "sub_agency"):
            if rec[key] and mapping[rec[key]] != rec[key]:
                rec["repairs"].append(f"C6 {rec[key]!r} -> {mapping[rec[key]]!r}")
                rec[key] = mapping[rec[key]]

    by_code = {r["code"]: r for r in rows}
    for rec in rows:
        parent = rec["code"].rpartition(".")[0]
        rec["parent"] = (
            parent if parent in by_code and by_code[parent]["agency"] == MULTIPLE else ""
        )

    return {
        "records": records,
        "rows": rows,
        "rejected": rejected,
        "repairs": Counter(x for r in rows for x in r["repairs"]),
        "merged": merged,
        "splits": check_splits(rows, rejected),
    }


def _writer(fh):
    return csv.writer(fh, lineterminator="\n")


def write_outputs(result: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "ucd.csv").open("w", newline="", encoding="utf-8") as fh:
        fh.write(f"{SOURCE_LINE}\n{VINTAGE_LINE}\n{BUILT_LINE}\n")
        w = _writer(fh)
        w.writerow(UCD_HEADER)
        for r in result["rows"]:
            w.writerow(
                [
                    r["code"],
                    r["theme"],
                    r["sub_theme"],
                    r["description"],
                    r["agency"],
                    r["sub_agency"],
                    r["unit"],
                    money_str(r["value"]),
                    r["price_year"],
                    "" if r["value_uprated"] is None else money_str(r["value_uprated"]),
                    r["source"],
                    r["rag"],
                    r["parent"],
                ]
            )
    with (out / "rejected.csv").open("w", newline="", encoding="utf-8") as fh:
        fh.write(f"{SOURCE_LINE}\n{VINTAGE_LINE}\n{BUILT_LINE}\n")
        w = _writer(fh)
        w.writerow(REJECTED_HEADER)
        for r in result["rejected"]:
            w.writerow([r["file"], r["line"], r["code"], "; ".join(r["problems"])])
    with (out / "splits.csv").open("w", newline="", encoding="utf-8") as fh:
        fh.write(f"{SOURCE_LINE}\n{VINTAGE_LINE}\n{BUILT_LINE}\n")
        w = _writer(fh)
        w.writerow(SPLITS_HEADER)
        for s in result["splits"]:
            w.writerow([s[k] for k in SPLITS_HEADER])


def reason_kind(problem: str) -> str:
    return problem.split(":", 1)[0]


def summary(result: dict) -> str:
    lines = [
        f"rows read: {len(result['records'])}",
        f"rows loaded: {len(result['rows'])}",
        f"rows rejected: {len(result['rejected'])}",
    ]
    kinds: Counter = Counter()
    for r in result["rejected"]:
        for kind in dict.fromkeys(reason_kind(p) for p in r["problems"]):
            kinds[kind] += 1
    for kind, n in sorted(kinds.items()):
        lines.append(f"  rejected with reason {kind!r}: {n}")
    for repair, n in sorted(result["repairs"].items()):
        lines.append(f"repair (loaded rows) {repair}: {n}")
    agree = sum(s["agrees"] == "yes" for s in result["splits"])
    lines.append(f"Multiple splits checked: {len(result['splits'])}, agreeing: {agree}")
    for s in result["splits"]:
        lines.append(
            f"  {s['parent']}: {s['value']} vs sum {s['components_sum']} "
            f"({s['components']}) agrees={s['agrees']} {s['note']}".rstrip()
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", nargs="?", type=Path, default=DEFAULT_SRC, help="raw UCD folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    missing = [n for n in RAW_FILES if not (args.src / n).is_file()]
    if missing:
        print(f"error: {args.src} lacks {', '.join(missing)}", file=sys.stderr)
        return 2
    result = build(args.src)
    write_outputs(result, args.out)
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
