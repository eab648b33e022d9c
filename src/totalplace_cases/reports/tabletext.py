"""Tables of the pack's kind (:class:`~.pack.model.Table`) as text: for a terminal, as Markdown,
or as one CSV.

The commands that are not the evidence pack but print typed tables (``scenario``,
``affordability``, ``rollup``) build :class:`~.pack.model.Table` values, with their control
totals, and write them here: on the terminal in the shared layout
(:mod:`~totalplace_cases.reports.terminal`: fits the width, negatives in brackets, ``--units``),
in Markdown as the pack writes it, in CSV as the pack's CSV files hold cells (plain numbers, text
made inert for spreadsheets).
"""

from __future__ import annotations

import csv
import io
import textwrap
from collections.abc import Sequence

from ..display import clean, markdown_text
from .pack.cells import format_cell
from .pack.model import Table
from .pack.text_formats import csv_value, markdown_table
from .terminal import TextColumn, TextRow, render_text_table, terminal_width

__all__ = ["FORMATS", "render_tables", "tables_csv"]

#: What ``--format`` accepts for the commands whose tables are written here.
FORMATS = ("table", "markdown", "json", "csv")

_RIGHT = frozenset({"money", "ratio", "number", "decimal", "integer", "percent"})


def _terminal(table: Table, units: str, width: int) -> str:
    columns = [TextColumn(c.title, "right" if c.kind in _RIGHT else "left") for c in table.columns]

    def shown(cells: tuple, blank: bool = False) -> tuple[str, ...]:
        """Cells as shown; in a total or a sub-row an empty figure is left blank."""
        return tuple(
            "" if blank and value is None else format_cell(value, column.kind, units)
            for column, value in zip(table.columns, cells, strict=True)
        )

    rows = [TextRow(shown(row.cells, row.level > 0), level=row.level) for row in table.rows]
    total = table.total
    if total is not None:
        rows.append(TextRow(shown(total, blank=True), total=True))
    body = render_text_table(columns, rows, width) if rows else "(none)"
    notes = "\n".join(
        textwrap.fill(clean(note, tabs=False), width, break_on_hyphens=False)
        for note in table.notes
    )
    title = textwrap.fill(clean(table.title, tabs=False), width, break_on_hyphens=False)
    return f"{title}\n\n{body}" + (f"\n\n{notes}" if notes else "")


def render_tables(
    tables: Sequence[Table],
    fmt: str = "table",
    *,
    units: str = "",
    width: int | None = None,
    heading: str = "",
) -> str:
    """``tables`` one after another, for a terminal (``table``) or as Markdown (``markdown``)."""
    if fmt == "markdown":
        parts = [f"# {markdown_text(heading)}"] if heading else []
        parts += [f"## {markdown_text(table.title)}\n\n{markdown_table(table)}" for table in tables]
        return "\n\n".join(parts) + "\n"
    size = terminal_width(width)
    parts = [clean(heading, tabs=False)] if heading else []
    parts += [_terminal(table, units, size) for table in tables]
    return "\n\n".join(parts) + "\n"


def tables_csv(tables: Sequence[Table]) -> str:
    """Every row of every table in one CSV: ``table``, ``row_id``, ``level``, then each table's
    columns by key (the union of them, in order of first appearance); the control totals as rows
    with ``row_id`` ``total``."""
    keys: list[str] = []
    for table in tables:
        keys += [c.key for c in table.columns if c.key not in keys]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "row_id", "level", *keys])
    for table in tables:
        kinds = {c.key: c.kind for c in table.columns}
        rows = [(row.id, row.level, row.cells) for row in table.rows]
        if table.total is not None:
            rows.append(("total", 0, table.total))
        for row_id, level, cells in rows:
            values = dict(zip((c.key for c in table.columns), cells, strict=True))
            writer.writerow(
                [table.key, csv_value(row_id, "text"), level]
                + [csv_value(values.get(k), kinds.get(k, "text")) for k in keys]
            )
    return out.getvalue()
