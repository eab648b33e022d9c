"""Tables for a terminal that a finance reader likes, shared by every command that prints one
(``appraise``, ``count``, ``track status``).

- A table fits the width it is given (:func:`terminal_width`: 100 columns, or the terminal's
  width when wider). Text columns wrap first; a table still too wide is split into column
  groups, each repeating the key column(s), one under the other. Nothing overflows.
- Amounts are shown in £ with thousands separators and negatives in brackets, in pounds and
  pence by default or in £k or £m (:func:`~totalplace_cases.reports.pack.cells.format_money`).
- Sub-rows keep their indent; a total row is set off by a rule.
- Text from files has its control characters written out (:func:`clean`), so it cannot move
  the cursor, recolour the screen or hide what follows.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence

import attrs

from ..display import clean

__all__ = ["MIN_WIDTH", "TextColumn", "TextRow", "render_text_table", "terminal_width"]

#: The width a report fits by default, and at least.
MIN_WIDTH = 100
GAP = 2
INDENT = "  "


def terminal_width(given: int | None = None) -> int:
    """``given``, or 100 columns, or the terminal's width when it is wider (``COLUMNS`` too)."""
    if given:
        return given
    return max(MIN_WIDTH, shutil.get_terminal_size((MIN_WIDTH, 24)).columns)


@attrs.frozen
class TextColumn:
    """A column: its heading and alignment (figures right, text left)."""

    title: str
    align: str = "left"

    @property
    def wraps(self) -> bool:
        return self.align == "left"


@attrs.frozen
class TextRow:
    """A row of shown cells; ``level`` indents its first cell; ``total`` sets it off by a rule."""

    cells: tuple[str, ...] = attrs.field(
        converter=lambda cells: tuple(clean(c, tabs=False) for c in cells)
    )
    level: int = 0
    total: bool = False


def _words_width(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _cells_width(columns: Sequence[TextColumn], rows: Sequence[TextRow]) -> list[int]:
    """The widest cell of each column (and the longest word of its heading)."""
    widths = [max(_words_width(c.title), 1) for c in columns]
    for row in rows:
        for i, cell in enumerate(row.cells):
            shown = len(cell) + (len(INDENT) * row.level if i == 0 else 0)
            widths[i] = max(widths[i], shown)
    return widths


def _natural(columns: Sequence[TextColumn], cells: list[int]) -> list[int]:
    """Each column as wide as its widest cell and its heading on one line."""
    return [max(width, len(column.title)) for column, width in zip(columns, cells, strict=True)]


def _floor(column: TextColumn, cells: int, row_words: int) -> int:
    """How narrow a column may get: a figure to its widest cell (its heading then wraps);
    text to its longest word (at most 20 characters, so that one long word does not hold the
    whole table wide) or 12."""
    if not column.wraps:
        return cells
    return min(cells, max(12, min(row_words, 20)))


def _fits(widths: Sequence[int], width: int) -> bool:
    return sum(widths) + GAP * (len(widths) - 1) <= width


def _fit(columns: Sequence[TextColumn], widths: list[int], floors: list[int], width: int):
    """Narrow the text columns, widest first, until the table fits or none can give more."""
    widths = list(widths)
    while not _fits(widths, width):
        candidates = [i for i in range(len(widths)) if widths[i] > floors[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _lines(text: str, width: int, indent: int = 0, hang: str = " ") -> list[str]:
    """``text`` wrapped to ``width``, indented ``indent`` levels; continuation lines hang."""
    pad = INDENT * indent
    if len(pad) + len(text) <= width:
        return [pad + text]
    return textwrap.wrap(
        text, width, initial_indent=pad, subsequent_indent=pad + hang, break_on_hyphens=False
    ) or [pad]


def _longest_words(columns: Sequence[TextColumn], rows: Sequence[TextRow]) -> list[int]:
    longest = [_words_width(c.title) for c in columns]
    for row in rows:
        for i, text in enumerate(row.cells):
            longest[i] = max(
                longest[i], _words_width(text) + (len(INDENT) * row.level if i == 0 else 0)
            )
    return longest


def _block(columns: Sequence[TextColumn], rows: Sequence[TextRow], widths: list[int]) -> str:
    def cell(text: str, i: int) -> str:
        return text.rjust(widths[i]) if columns[i].align == "right" else text.ljust(widths[i])

    def physical(cells: list[list[str]], bottom: bool = False) -> list[str]:
        height = max(len(c) for c in cells)
        if bottom:
            cells = [[""] * (height - len(c)) + c for c in cells]
        return [
            (" " * GAP)
            .join(cell(c[k] if k < len(c) else "", i) for i, c in enumerate(cells))
            .rstrip()
            for k in range(height)
        ]

    out = physical(
        [_lines(c.title, widths[i], hang="") for i, c in enumerate(columns)], bottom=True
    )
    rule = (" " * GAP).join("-" * w for w in widths)
    out.append(rule)
    for row in rows:
        if row.total:
            out.append(rule)
        out += physical(
            [
                _lines(text, widths[i], row.level if i == 0 else 0) if columns[i].wraps else [text]
                for i, text in enumerate(row.cells)
            ]
        )
    return "\n".join(out)


def _even(
    groups: list[list[int]], widths: list[int], key_width: int, width: int
) -> list[list[int]]:
    """The same number of groups with their sizes as even as possible (4 and 3 columns rather
    than 6 and 1), where they still fit."""
    rest = [i for group in groups for i in group]
    count = len(groups)
    size, extra = divmod(len(rest), count)
    even, start = [], 0
    for k in range(count):
        end = start + size + (1 if k < extra else 0)
        even.append(rest[start:end])
        start = end
    fits = all(key_width + sum(widths[i] + GAP for i in g) - GAP <= width for g in even)
    return even if fits else groups


def render_text_table(
    columns: Sequence[TextColumn],
    rows: Sequence[TextRow],
    width: int = MIN_WIDTH,
    *,
    keys: int = 1,
) -> str:
    """``rows`` under ``columns``, within ``width`` characters.

    :param keys: how many leading columns identify a row; a table split into column groups
        repeats them in each group.
    """
    cells = _cells_width(columns, rows)
    natural = _natural(columns, cells)
    floors = [
        _floor(c, n, w)
        for c, n, w in zip(columns, cells, _longest_words(columns, rows), strict=True)
    ]
    widths = _fit(columns, natural, floors, width)
    if _fits(widths, width) or len(columns) <= keys + 1:
        return _block(columns, rows, widths)
    # Too wide even with its text wrapped: groups of columns, each with the key columns first
    # (text at most 28 wide), one under the other.
    capped = [
        min(n, max(f, 28)) if c.wraps else max(f, min(n, 16))
        for c, n, f in zip(columns, natural, floors, strict=True)
    ]
    key_width = sum(capped[:keys]) + GAP * keys
    groups: list[list[int]] = [[]]
    used = key_width
    for i in range(keys, len(columns)):
        if groups[-1] and used + capped[i] > width:
            groups.append([])
            used = key_width
        groups[-1].append(i)
        used += capped[i] + GAP
    groups = _even(groups, capped, key_width, width)
    blocks = []
    for group in groups:
        chosen = list(range(keys)) + group
        blocks.append(
            _block(
                [columns[i] for i in chosen],
                [attrs.evolve(row, cells=tuple(row.cells[i] for i in chosen)) for row in rows],
                _fit(
                    [columns[i] for i in chosen],
                    [capped[i] for i in chosen],
                    [floors[i] for i in chosen],
                    width,
                ),
            )
        )
    return "\n\n".join(blocks)
