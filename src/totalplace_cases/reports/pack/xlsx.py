"""The evidence pack as one Excel workbook: a contents sheet, then a sheet per table.

Written with XlsxWriter (imported here only). Numbers are stored as numbers with a number
format (money ``£#,##0.00`` with negatives in brackets), header rows are frozen, columns are as
wide as their contents, sub-rows are indented, and each table's control total is written as a
value the pack computed (no formula for Excel to recalculate). Text is always written as text,
its control characters written out as :func:`~totalplace_cases.display.clean` writes them;
a text cell that a spreadsheet could take for a formula also carries Excel's "quote prefix",
so that editing the cell does not turn it into one. The workbook's dates are the pack's as-at
moment, so the same pack gives the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from decimal import Decimal
from typing import Any

from ...display import FORMULA_STARTS, clean
from ...money import round_money
from .cells import format_cell
from .model import Pack, Table

__all__ = ["MONEY_FORMAT", "render_xlsx", "sheet_names"]

MONEY_FORMAT = '"£"#,##0.00_);("£"#,##0.00)'
NUMBER_FORMATS = {
    "money": MONEY_FORMAT,
    "ratio": "0.00",
    "number": "0.00",
    "decimal": "General",
    "integer": "#,##0",
    "percent": "0.0%",
}
HEADER_ROW = 3  # zero-based: title, section, blank, then the header
MAX_WIDTH = 60
_BAD_SHEET = re.compile(r"[\[\]:*?/\\']")


def sheet_names(pack: Pack) -> dict[str, str]:
    """A sheet name (at most 31 characters, unique, none of ``[]:*?/\\'``) for each table."""
    names: dict[str, str] = {}
    used = {"contents"}
    for section in pack.sections:
        for table in section.tables:
            label = table.key.replace("_", " ").replace("-", " ")
            base = _BAD_SHEET.sub(" ", f"{section.number} {label[:1].upper()}{label[1:]}")[:31]
            name, n = base, 2
            while name.lower() in used:
                suffix = f" ({n})"
                name, n = base[: 31 - len(suffix)] + suffix, n + 1
            used.add(name.lower())
            names[table.key] = name
    return names


def _moment(as_at: str) -> _dt.datetime:
    text = as_at.rstrip("Z")
    try:
        return _dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return _dt.datetime(2000, 1, 1)


class _Formats:
    def __init__(self, book: Any):
        self.book = book
        self.cache: dict[tuple, Any] = {}

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format(props)
        return self.cache[key]


def _write_cell(sheet, formats: _Formats, row: int, col: int, value: Any, kind: str, **style):
    if value is None:
        sheet.write_blank(row, col, None, formats.get(**style))
        return
    if kind == "text" or kind not in NUMBER_FORMATS:
        text = clean(str(value))
        if text.startswith(FORMULA_STARTS):
            style["quote_prefix"] = True
        sheet.write_string(row, col, text, formats.get(**style))
        return
    if kind == "money":
        number: float = float(round_money(Decimal(value)))
    else:
        number = float(value)
    sheet.write_number(row, col, number, formats.get(num_format=NUMBER_FORMATS[kind], **style))


def _table_sheet(book, formats: _Formats, name: str, table: Table, section: str) -> None:
    sheet = book.add_worksheet(name)
    columns = table.columns
    _write_cell(sheet, formats, 0, 0, table.title, "text", bold=True, font_size=13)
    by = f" (from the plugin {table.plugin})" if table.plugin else ""
    _write_cell(sheet, formats, 1, 0, section + by, "text")
    widths = [len(c.title) for c in columns]
    header = {
        "bold": True,
        "bottom": 1,
        "text_wrap": True,
        "valign": "bottom",
        "bg_color": "#E8EEF4",
    }
    for col, column in enumerate(columns):
        _write_cell(sheet, formats, HEADER_ROW, col, column.title, "text", **header)
    line = HEADER_ROW + 1
    for row in table.rows:
        for col, (column, value) in enumerate(zip(columns, row.cells, strict=True)):
            style: dict[str, Any] = {}
            if col == 0 and row.level:
                style["indent"] = row.level
            if not row.counted:
                style["font_color"] = "#666666"
            _write_cell(sheet, formats, line, col, value, column.kind, **style)
            shown = len(format_cell(value, column.kind)) + 2 * (row.level if col == 0 else 0)
            widths[col] = max(widths[col], shown)
        line += 1
    total = table.total
    if total is not None:
        for col, (column, value) in enumerate(zip(columns, total, strict=True)):
            _write_cell(sheet, formats, line, col, value, column.kind, bold=True, top=1, bottom=6)
            widths[col] = max(widths[col], len(format_cell(value, column.kind)))
        line += 1
    if not table.rows:
        sheet.write_string(line, 0, "No rows.")
        line += 1
    line += 1
    for note in table.notes:
        _write_cell(sheet, formats, line, 0, note, "text")
        line += 1
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(MAX_WIDTH, width + 2))
    sheet.freeze_panes(HEADER_ROW + 1, 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)


def render_xlsx(pack: Pack) -> bytes:
    """The pack as an ``.xlsx`` workbook's bytes."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    moment = _moment(pack.made.as_at)
    book.set_properties(
        {"title": clean(pack.title), "created": moment, "comments": f"as at {pack.made.as_at}"}
    )
    formats = _Formats(book)
    names = sheet_names(pack)
    contents = book.add_worksheet("Contents")
    _write_cell(contents, formats, 0, 0, pack.title, "text", bold=True, font_size=14)
    made = pack.made
    facts = [
        ("As at", made.as_at),
        ("totalplace-cases", made.library_version),
        ("SHA-256 of the inputs", made.inputs_sha256),
    ]
    for i, (label, value) in enumerate(facts, start=2):
        contents.write_string(i, 0, label, formats.get(bold=True))
        contents.write_string(i, 1, value)
    line = len(facts) + 3
    head = formats.get(bold=True, bottom=1)
    for col, title in enumerate(("Section", "Table", "Sheet")):
        contents.write_string(line, col, title, head)
    line += 1
    for section in pack.sections:
        if not section.tables:
            _write_cell(contents, formats, line, 0, f"{section.number}. {section.title}", "text")
            _write_cell(contents, formats, line, 1, section.intro, "text")
            line += 1
        for table in section.tables:
            _write_cell(contents, formats, line, 0, f"{section.number}. {section.title}", "text")
            _write_cell(contents, formats, line, 1, table.title, "text")
            contents.write_url(
                line, 2, f"internal:'{names[table.key]}'!A1", string=names[table.key]
            )
            line += 1
    contents.set_column(0, 0, 34)
    contents.set_column(1, 1, 70)
    contents.set_column(2, 2, 28)
    for section in pack.sections:
        for table in section.tables:
            _table_sheet(
                book, formats, names[table.key], table, f"{section.number}. {section.title}"
            )
    book.close()
    return buffer.getvalue()
