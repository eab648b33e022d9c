"""The evidence pack as Markdown (one document) and as CSV (one file per table, and an index).

Both carry the same tables as every other format, with the same figures: Markdown as a reader
sees them (money with £, negatives in brackets), CSV as a spreadsheet reads them (plain
numbers, full precision for ratios), in UTF-8 with a byte-order mark so that Excel shows £.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from ...display import markdown_text, sheet_text
from ...money import round_money
from .cells import format_cell
from .model import Pack, Table

__all__ = ["CSV_INDEX", "csv_files", "markdown_table", "render_markdown"]

CSV_INDEX = "index.csv"
BOM = "\ufeff"
_RIGHT = frozenset({"money", "ratio", "number", "decimal", "integer", "percent"})


# -- Markdown ---------------------------------------------------------------------------------


def markdown_table(table: Table) -> str:
    """One table as Markdown: cells as a reader sees them, the control total in bold, then
    its notes."""
    headers = [markdown_text(c.title) for c in table.columns]
    align = ["---:" if c.kind in _RIGHT else ":---" for c in table.columns]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]

    def line(cells: tuple, level: int = 0, bold: bool = False) -> str:
        shown = []
        for index, (column, value) in enumerate(zip(table.columns, cells, strict=True)):
            text = markdown_text("" if bold and value is None else format_cell(value, column.kind))
            if index == 0 and level:
                text = "&emsp;" * level + text
            if bold and text:
                text = f"**{text}**"
            shown.append(text)
        return "| " + " | ".join(shown) + " |"

    lines += [line(row.cells, row.level) for row in table.rows]
    total = table.total
    if total is not None:
        lines.append(line(total, bold=True))
    out = "\n".join(lines)
    if not table.rows:
        out = "_No rows._"
    notes = "\n".join(f"- {markdown_text(note)}" for note in table.notes)
    return out + (f"\n\n{notes}" if notes else "")


def render_markdown(pack: Pack) -> bytes:
    """The pack as one Markdown document: a heading per section and per table."""
    made = pack.made
    parts = [
        f"# {markdown_text(pack.title)}",
        f"As at {markdown_text(made.as_at)}; totalplace-cases "
        f"{markdown_text(made.library_version)}; SHA-256 of the inputs {made.inputs_sha256}.",
    ]
    for section in pack.sections:
        parts.append(f"## {section.number}. {markdown_text(section.title)}")
        if section.intro:
            parts.append(markdown_text(section.intro))
        for table in section.tables:
            by = f" (from the plugin {markdown_text(table.plugin)})" if table.plugin else ""
            parts.append(f"### {markdown_text(table.title)}{by}\n\n{markdown_table(table)}")
        if section.charts:
            parts.append(
                "Charts (in the HTML pack): "
                + "; ".join(markdown_text(chart.title) for chart in section.charts)
                + "."
            )
    return ("\n\n".join(parts) + "\n").encode("utf-8")


# -- CSV --------------------------------------------------------------------------------------


def csv_value(value: Any, kind: str) -> str:
    """A cell as CSV holds it: money to the penny as a plain number, a ratio in full, text made
    inert for spreadsheets."""
    if value is None:
        return ""
    if kind == "money":
        return f"{round_money(Decimal(value)):.2f}"
    if kind in ("ratio", "number", "percent"):
        return repr(float(value))
    if kind in ("decimal", "integer"):
        return str(value)
    return sheet_text(str(value))


def _csv_text(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def csv_name(table: Table) -> str:
    return f"{table.key}.csv"


def csv_files(pack: Pack) -> dict[str, bytes]:
    """One CSV file per table (its columns, then ``row_id`` and ``level``; the control total
    last), and ``index.csv`` listing them with their section, title and notes."""
    files: dict[str, bytes] = {}
    index = [["file", "section", "table", "rows", "plugin", "notes"]]
    for section in pack.sections:
        for table in section.tables:
            rows = [[sheet_text(c.title) for c in table.columns] + ["row_id", "level"]]
            for row in table.rows:
                cells = [
                    csv_value(v, c.kind) for c, v in zip(table.columns, row.cells, strict=True)
                ]
                rows.append([*cells, sheet_text(row.id), str(row.level)])
            total = table.total
            if total is not None:
                cells = [csv_value(v, c.kind) for c, v in zip(table.columns, total, strict=True)]
                rows.append([*cells, "total", "0"])
            files[csv_name(table)] = _csv_text(rows)
            index.append(
                [
                    csv_name(table),
                    sheet_text(f"{section.number}. {section.title}"),
                    sheet_text(table.title),
                    str(len(table.rows)),
                    sheet_text(table.plugin),
                    sheet_text(" ".join(table.notes)),
                ]
            )
    made = pack.made
    index.append([])
    index.append(["as_at", made.as_at])
    index.append(["library_version", made.library_version])
    index.append(["inputs_sha256", made.inputs_sha256])
    files[CSV_INDEX] = _csv_text(index)
    return files
