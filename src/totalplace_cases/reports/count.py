"""The count and the gains as tables (terminal, Markdown), JSON and CSV.

The JSON field names are a contract (``docs/case-files.md``, "The count"): money as strings
with two decimals, shares and rates as numbers (decimal fractions rounded to six places),
written by :func:`totalplace_cases.reports.json.dumps` under the project's one JSON policy.
Text read from spend files is shown with control characters escaped (in every format), and
CSV cells that a spreadsheet would take for a formula are quoted with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..display import clean, one_line, sheet_text
from ..method.count import Change, Count, share
from ..method.gains import GainRow, Gains
from ..money import format_gbp, money_str
from .json import dumps
from .names import Names
from .pack.cells import format_money
from .tables import render_rows
from .terminal import TextColumn, TextRow, render_text_table, terminal_width

__all__ = [
    "Display",
    "count_dict",
    "gains_dict",
    "render_count",
    "render_gains",
]

SHARE_PLACES = Decimal("0.000001")
#: What ``--format`` accepts for ``count`` and ``gains``.
FORMATS = ("table", "markdown", "json", "csv")


def _fraction(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(SHARE_PLACES))


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def csv_cell(value: Any) -> str:
    """A CSV cell that no spreadsheet will run as a formula (a number, ``-5``, is left as one)."""
    text = str(value)
    return text if _is_number(text) else sheet_text(text)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return not unicodedata.category(text[-1:] or "x").startswith("L")


# -- JSON ----------------------------------------------------------------------------------


def count_dict(count: Count, year: str | None = None) -> dict[str, Any]:
    """The count as the JSON contract; with ``year``, the tables of that year only."""
    view = count.for_year(year)
    totals = {key[0]: amount for key, amount in view.total_by("year").items()}

    def rows(dimensions: Sequence[str], with_share: bool) -> list[dict[str, Any]]:
        found = []
        for key, amount in view.total_by("year", *dimensions).items():
            row: dict[str, Any] = {"year": str(key[0])}
            row.update(zip(dimensions, key[1:], strict=True))
            row["total"] = money_str(amount)
            if with_share:
                row["share"] = _fraction(share(amount, totals[key[0]]))
            found.append(row)
        return found

    files = count.files
    return {
        "year": None if year is None else str(view.years[0]) if view.years else str(year),
        "years": [str(y) for y in count.years],
        "control": {
            "files": [
                {
                    "path": f.path,
                    "lines": f.lines,
                    "counted": f.counted,
                    "rejected": f.rejected,
                    "total": money_str(f.total),
                    "rejected_total": money_str(f.rejected_total),
                }
                for f in files
            ],
            "lines": sum(f.lines for f in files),
            "counted": sum(f.counted for f in files),
            "rejected": sum(f.rejected for f in files),
            "total": money_str(sum((f.total for f in files), Decimal(0))),
            "rejected_total": money_str(sum((f.rejected_total for f in files), Decimal(0))),
        },
        "totals": [{"year": str(y), "total": money_str(t)} for y, t in totals.items()],
        "by_agency": rows(("agency",), True),
        "by_category": rows(("category",), True),
        "by_agency_category": rows(("agency", "category"), False),
        "by_category_theme": rows(("category", "theme"), False),
        "by_funder": rows(("funded_by",), False),
        "per_head": None
        if not count.population
        else [
            {
                "year": str(y),
                "population": count.population,
                "total": money_str(t),
                "per_head": money_str(count.per_head(t) or Decimal(0)),
            }
            for y, t in totals.items()
        ],
        "changes": {
            "total": [_change(c, ()) for c in count.changes()],
            "by_agency": [_change(c, ("agency",)) for c in count.changes("agency")],
            "by_category": [_change(c, ("category",)) for c in count.changes("category")],
        },
        "rejected": [
            {
                "file": r.file,
                "line": r.line,
                "reason": r.reason,
                "amount": None if r.amount is None else money_str(r.amount),
            }
            for r in count.rejected
        ],
        "unclassified": [
            {
                "file": u.file,
                "line": u.line,
                "agency": u.agency,
                "service": u.service,
                "description": u.description,
                "amount": money_str(u.amount),
            }
            for u in count.unclassified
        ],
    }


def _change(change: Change, dimensions: Sequence[str]) -> dict[str, Any]:
    return {
        **dict(zip(dimensions, change.key, strict=True)),
        "from_year": str(change.from_year),
        "to_year": str(change.to_year),
        "from_total": money_str(change.before),
        "to_total": money_str(change.after),
        "change": money_str(change.change),
        "rate": _fraction(change.rate),
    }


def gains_dict(gains: Gains) -> dict[str, Any]:
    """The gains as the JSON contract."""
    return {
        "year": None if gains.year is None else str(gains.year),
        "gains": [_gain_row(row) for row in gains.rows],
        "unassigned": {
            **_gain_row(gains.unassigned),
            "baseline": None,
            "share": None,
            "exceeds_baseline": False,
        },
        "total": _gain_row(gains.total),
    }


def _gain_row(row: GainRow) -> dict[str, Any]:
    return {
        "agency": row.agency,
        "category": row.category,
        "theme": row.theme,
        "baseline": money_str(row.baseline),
        "gains": {str(year): money_str(amount) for year, amount in row.gains.items()},
        "peak": money_str(row.peak),
        "share": _fraction(row.share),
        "exceeds_baseline": row.exceeds_baseline,
        "lines": [{"case": case, "line": line} for case, line in row.lines],
    }


# -- text ----------------------------------------------------------------------------------


@attrs.frozen
class Display:
    """How the terminal tables show the count: agencies and categories by name, money in
    ``units`` (``""``, ``"k"``, ``"m"``) with negatives in brackets, within ``width``."""

    names: Names | None = None
    units: str = ""
    width: int | None = None

    def money(self, text: str | None) -> str:
        return "" if text is None else format_money(Decimal(text), self.units)

    def agency(self, agency_id: str) -> str:
        return self.names.agency(agency_id) if self.names is not None else agency_id

    def category(self, category_id: str) -> str:
        return self.names.category(category_id) if self.names is not None else category_id


def _table(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    display: Display | None = None,
) -> str:
    right = ["right" if h in _NUMERIC or h[:4].isdigit() else "left" for h in headers]
    if fmt == "simple":  # the terminal: the shared layout, within the terminal's width
        columns = [TextColumn(h, a) for h, a in zip(headers, right, strict=True)]
        width = terminal_width(display.width if display is not None else None)
        body = [TextRow(tuple(str(c) for c in row)) for row in rows]
        return (
            f"{_fill_title(clean(title, tabs=False), width)}\n\n"
            + render_text_table(columns, body, width)
            + "\n"
        )
    body = [[one_line(c) for c in row] for row in rows]
    heading = f"## {title}" if fmt == "github" else title
    return f"{heading}\n\n" + render_rows(body, headers, fmt, colalign=right) + "\n"


def _fill_title(title: str, width: int) -> str:
    """A (cleaned) title within ``width``; a closing "(2008-09 spend)" kept on one line."""
    head, bracket, tail = title.rpartition(" (")
    if bracket and tail.endswith(")"):  # no NUL is left in cleaned text to mistake for these
        title = head + bracket + tail.replace(" ", "\x00")
    return textwrap.fill(title, width, break_on_hyphens=False).replace("\x00", " ")


_NUMERIC = {"Lines", "Counted", "Rejected", "Total", "Rejected total", "Share", "Per head",
            "Population", "Baseline", "Change", "Rate", "Amount", "Line", "Peak share"}  # fmt: skip


def render_count(
    count: Count, fmt: str = "table", year: str | None = None, display: Display | None = None
) -> str:
    """The count as text (``table`` or ``markdown``), JSON or CSV; ``display`` says how the
    terminal table shows names and money."""
    if fmt == "json":
        return dumps(count_dict(count, year))
    if fmt == "csv":
        return _count_csv(count_dict(count, year))
    style = "github" if fmt == "markdown" else "simple"
    data = count_dict(count, year)
    shown = display if style == "simple" else None
    _gbp = shown.money if shown is not None else _gbp_text
    named = {
        "agency": shown.agency if shown is not None else str,
        "funded_by": shown.agency if shown is not None else str,
        "category": shown.category if shown is not None else str,
        "theme": str,
    }
    control = data["control"]
    parts = [
        _table(
            "Control totals (tie these out to each agency's ledger)",
            ("File", "Lines", "Counted", "Rejected", "Total", "Rejected total"),
            [
                [
                    f["path"],
                    f["lines"],
                    f["counted"],
                    f["rejected"],
                    _gbp(f["total"]),
                    _gbp(f["rejected_total"]),
                ]
                for f in control["files"]
            ]
            + [
                [
                    "all files",
                    control["lines"],
                    control["counted"],
                    control["rejected"],
                    _gbp(control["total"]),
                    _gbp(control["rejected_total"]),
                ]
            ],
            style,
            shown,
        )
    ]
    sections = (
        ("Spend by agency", "by_agency", ("agency",), True),
        ("Spend by category", "by_category", ("category",), True),
        ("Spend by agency and category", "by_agency_category", ("agency", "category"), False),
        ("Spend by category and theme", "by_category_theme", ("category", "theme"), False),
        ("Spend by funder (who pays for it)", "by_funder", ("funded_by",), False),
    )
    for title, key, dims, with_share in sections:
        headers = ["Year", *(d.replace("_", " ").capitalize() for d in dims), "Total"]
        headers += ["Share"] if with_share else []
        rows = [
            [r["year"], *(named[d](r[d]) for d in dims), _gbp(r["total"])]
            + ([_share(r["share"])] if with_share else [])
            for r in data[key]
        ]
        parts.append(_table(title, headers, rows, style, shown))
    if data["per_head"]:
        parts.append(
            _table(
                "Spend per head",
                ("Year", "Population", "Total", "Per head"),
                [
                    [r["year"], f"{r['population']:,}", _gbp(r["total"]), _gbp(r["per_head"])]
                    for r in data["per_head"]
                ],
                style,
                shown,
            )
        )
    changes = data["changes"]
    if changes["total"]:
        rows = [
            [c["from_year"], c["to_year"], label, _gbp(c["from_total"]), _gbp(c["to_total"]),
             _gbp(c["change"]), _share(c["rate"])]
            for label, group in (("total", changes["total"]),)
            for c in group
        ] + [
            [c["from_year"], c["to_year"], f"{dim}: {c[dim]}", _gbp(c["from_total"]),
             _gbp(c["to_total"]), _gbp(c["change"]), _share(c["rate"])]
            for dim, group in (("category", changes["by_category"]),
                               ("agency", changes["by_agency"]))
            for c in group
        ]  # fmt: skip
        parts.append(
            _table(
                "Change between years",
                ("From", "To", "Of", "Before", "After", "Change", "Rate"),
                rows,
                style,
                shown,
            )
        )
    if data["unclassified"]:
        parts.append(
            _table(
                "Unclassified lines (no rule gave a category or theme; counted as unclassified)",
                ("File", "Line", "Agency", "Service", "Description", "Amount"),
                [
                    [
                        u["file"],
                        u["line"],
                        u["agency"],
                        u["service"],
                        u["description"],
                        _gbp(u["amount"]),
                    ]
                    for u in data["unclassified"]
                ],
                style,
                shown,
            )
        )
    if data["rejected"]:
        parts.append(
            _table(
                "Rejected rows (not counted)",
                ("File", "Line", "Reason", "Amount"),
                [
                    [r["file"], r["line"], r["reason"], _gbp(r["amount"]) if r["amount"] else ""]
                    for r in data["rejected"]
                ],
                style,
                shown,
            )
        )
    return "\n".join(parts)


def _gbp_text(text: str | None) -> str:
    return "" if text is None else format_gbp(Decimal(text))


def _share(value: float | None) -> str:
    return "" if value is None else _percent(Decimal(str(value)))


#: The columns of ``count --format csv``: the tables' own, then the control totals' and the
#: listed rows' (``file``, ``line``, ``reason``: where a rejected or unclassified row is).
COUNT_CSV_COLUMNS = ("table", "year", "agency", "category", "theme", "funded_by", "total",
                     "share", "file", "line", "lines", "counted", "rejected", "rejected_total",
                     "reason")  # fmt: skip


def _count_csv(data: dict[str, Any]) -> str:
    """Every table of the count in one long CSV, one row per table row.

    After the spend tables come the control totals (``control``: one row per file, then
    ``control_total`` for all files), so that a spreadsheet can tie the count out to the
    ledgers, and the rows the count lists: ``rejected`` (not counted; ``total`` is the amount
    where it could be read) and ``unclassified`` (counted as unclassified).
    """
    columns = COUNT_CSV_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)

    def write(table: str, row: dict[str, Any]) -> None:
        cells = {"table": table, **row}
        writer.writerow([csv_cell("" if cells.get(c) is None else cells[c]) for c in columns])

    for table in ("by_agency", "by_category", "by_agency_category", "by_category_theme",
                  "by_funder"):  # fmt: skip
        for row in data[table]:
            write(table, row)
    control = data["control"]
    for row in control["files"]:
        write("control", {**row, "file": row["path"]})
    write("control_total", {k: v for k, v in control.items() if k != "files"})
    for row in data["rejected"]:
        write("rejected", {**row, "total": row["amount"]})
    for row in data["unclassified"]:
        write("unclassified", {**row, "total": row["amount"]})
    return out.getvalue()


def _spend_reduced(row: dict[str, Any], named: dict[str, Any]) -> str:
    """What a row's lines reduce, as a reader names it: ``Kent County Council (theme:
    property)``; ``all agencies (category: Individual)`` when no agency is given."""
    agency = named["agency"](row["agency"]) if row["agency"] else "all agencies"
    rest = [f"{k}: {named[k](row[k])}" for k in ("category", "theme") if row[k]]
    return agency + (f" ({'; '.join(rest)})" if rest else "")


def render_gains(gains: Gains, fmt: str = "table", display: Display | None = None) -> str:
    """The gains as text (``table`` or ``markdown``), JSON or CSV; ``display`` says how the
    terminal table shows names and money."""
    data = gains_dict(gains)
    if fmt == "json":
        return dumps(data)
    shown = [*data["gains"], data["unassigned"], data["total"]]
    years = sorted({y for row in shown for y in row["gains"]})
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        # ``row`` says what each row is: the spend a group of lines reduces, the lines that
        # name nothing they reduce, or the programme total (the last two have no keys).
        writer.writerow(["agency", "category", "theme", "baseline", *years, "share",
                         "exceeds_baseline", "row"])  # fmt: skip
        for row in shown:
            kind = (
                "total" if row is data["total"]
                else "unassigned" if row is data["unassigned"]
                else "reduces"
            )  # fmt: skip
            writer.writerow(
                [csv_cell(row[k] or "") for k in ("agency", "category", "theme")]
                + [row["baseline"] or "", *(row["gains"].get(y, "0.00") for y in years)]
                + ["" if row["share"] is None else row["share"], row["exceeds_baseline"], kind]
            )
        return out.getvalue()
    style = "github" if fmt == "markdown" else "simple"
    terminal = display if style == "simple" else None
    _gbp = terminal.money if terminal is not None else _gbp_text
    # Names as a reader knows them, in Markdown too (ids when no display is given).
    named = {
        "agency": display.agency if display is not None else str,
        "category": display.category if display is not None else str,
        "theme": str,
    }
    rows = []
    for row in shown:
        if row is data["total"]:
            target = "programme total"
        elif row is data["unassigned"]:
            target = "not assigned (lines naming no spend they reduce)"
        else:
            target = _spend_reduced(row, named)
        rows.append(
            [target, _gbp(row["baseline"])]
            + [_gbp(row["gains"][y]) if y in row["gains"] else "" for y in years]
            + [
                _share(row["share"]),
                "EXCEEDS BASELINE"
                if row["exceeds_baseline"] and row is not data["unassigned"]
                else "",
            ]
        )
    year = data["year"] or "no count"
    text = _table(
        "Cashable gains of approved, in-delivery and closed cases against the counted baseline "
        f"({year} spend)",
        ("Spend reduced", "Baseline", *years, "Peak share", "Flag"),
        rows,
        style,
        terminal,
    )
    note = (
        "\nGains: the cashable benefit lines of the cases approved, in delivery or closed, by "
        "year: gross (before deadweight, optimism bias and the other adjustments), undiscounted, "
        f"in real terms at the price base. Baseline: the spend counted in {year} on what each "
        "row's lines reduce (the programme total: the whole count). Peak share: the largest "
        "year's gains as a share of that baseline; EXCEEDS BASELINE marks a row whose gains "
        "in some year are more than its baseline, which no case can save.\n"
    )
    if terminal is not None:
        note = "\n" + textwrap.fill(note.strip(), terminal_width(terminal.width)) + "\n"
    return text + note
