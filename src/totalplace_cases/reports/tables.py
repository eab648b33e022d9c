"""One way to lay out a table of text for every text format (terminal or Markdown).

Cells are shown as given (no number parsing, so "£1,234.50" stays as written). Text from a
file (a title, an id, a plugin's note) goes through :func:`inline`: on one line, and in
Markdown with every character Markdown would interpret escaped, so that it can neither break
the table nor turn into a heading, a link, emphasis or HTML.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tabulate import tabulate

from ..display import markdown_text

__all__ = ["MARKDOWN", "inline", "markdown_text", "render_rows"]

MARKDOWN = "github"


def inline(value: Any, fmt: str = "simple") -> str:
    """Text from a file on one line, escaped for Markdown when ``fmt`` is Markdown."""
    return markdown_text(value) if fmt == MARKDOWN else " ".join(str(value).splitlines())


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
        rows = [[markdown_text(cell) for cell in row] for row in rows]
        headers = [markdown_text(h) for h in headers]
    return tabulate(
        rows,
        headers=headers,
        tablefmt=fmt,
        colalign=tuple(colalign) if colalign else None,
        disable_numparse=True,
    )
