"""One way to lay out a table of text for every text format (terminal or Markdown).

Cells are shown as given (no number parsing, so "£1,234.50" stays as written). In Markdown a
cell's ``|`` is escaped and line breaks become spaces, so a title or id cannot break the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tabulate import tabulate

__all__ = ["MARKDOWN", "render_rows"]

MARKDOWN = "github"


def _markdown_cell(value: Any) -> str:
    return " ".join(str(value).splitlines()).replace("|", "\\|")


def render_rows(
    rows: Iterable[Sequence[Any]],
    headers: Sequence[str],
    fmt: str = "simple",
    colalign: Sequence[str] | None = None,
) -> str:
    """Rows under headers in tabulate's ``fmt`` (``simple`` or ``github``)."""
    rows = [list(row) for row in rows]
    headers = list(headers)
    if fmt == MARKDOWN:
        rows = [[_markdown_cell(cell) for cell in row] for row in rows]
        headers = [_markdown_cell(h) for h in headers]
    return tabulate(
        rows,
        headers=headers,
        tablefmt=fmt,
        colalign=tuple(colalign) if colalign else None,
        disable_numparse=True,
    )
