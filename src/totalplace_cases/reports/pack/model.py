"""What an evidence pack holds, before any format writes it: sections of tables and charts.

A pack is data. Each :class:`Table` has typed columns (text, money, a ratio...), rows with a
stable id (so that two returns can be compared row by row) and a level (a sub-row gives the
detail of the row above it), and a control total that the pack computes itself, exactly, from
the rows it counts. Money stays an exact :class:`~decimal.Decimal` here; every format rounds it
once, to the penny, as it writes it. Every format (HTML, Excel, Markdown, CSV, JSON) is written
from the same pack, so their figures cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs
from attrs import validators as v

__all__ = ["KINDS", "Chart", "Column", "Made", "Pack", "Row", "Section", "Table"]

#: The kinds of column: how a cell is stored, shown and exported.
#: ``text`` (a string), ``money`` (a Decimal in pounds), ``ratio`` (a float, two places),
#: ``number`` (a float, shown to two places), ``decimal`` (an exact Decimal, shown exactly),
#: ``integer`` (an int) and ``percent`` (a fraction, shown as a percentage to one place).
KINDS: tuple[str, ...] = ("text", "money", "ratio", "number", "decimal", "integer", "percent")
#: Kinds whose cells are numbers in a spreadsheet.
NUMERIC: frozenset[str] = frozenset(KINDS) - {"text"}


@attrs.frozen
class Column:
    """A column: its key (JSON, CSV and diff), its heading, its kind, and whether the control
    total adds it up."""

    key: str
    title: str
    kind: str = attrs.field(default="text", validator=v.in_(KINDS))
    total: bool = False


@attrs.frozen
class Row:
    """A row of a table.

    :ivar id: unique within its table, stable between two packs of the same programme.
    :ivar cells: one per column; ``None`` is an empty cell (a figure that is not defined).
    :ivar level: 0 for a row of the table; 1 for a sub-row giving the detail of the row above
        (shown indented, and never added into the total: its parent row already holds it).
    :ivar counted: whether the control total includes this row (a rejected case is listed but
        not counted).
    """

    id: str
    cells: tuple[Any, ...] = attrs.field(converter=tuple)
    level: int = 0
    counted: bool = True


def _totals_are_numbers(instance: Table, _attribute: Any, columns: tuple[Column, ...]) -> None:
    for column in columns:
        if column.total and column.kind not in ("money", "integer"):
            raise ValueError(f"table {instance.key}: only money and integers add up ({column.key})")


@attrs.frozen
class Table:
    """A titled table of the pack, with its control total.

    :ivar key: a short identifier: the CSV file name, the basis of the sheet name, the JSON key.
    :ivar total_label: the first cell of the control total row; None for a table with no total.
    :ivar total_extra: cells of the total row that are not sums (a ratio of the totals, say),
        by column key.
    :ivar plugin: the plugin that added the table, for a plugin's table.
    """

    key: str
    title: str
    columns: tuple[Column, ...] = attrs.field(converter=tuple, validator=_totals_are_numbers)
    rows: tuple[Row, ...] = attrs.field(converter=tuple)
    notes: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    total_label: str | None = "Total"
    total_extra: Mapping[str, Any] = attrs.field(factory=dict)
    plugin: str = ""

    def __attrs_post_init__(self) -> None:
        ids = set()
        for row in self.rows:
            if len(row.cells) != len(self.columns):
                raise ValueError(
                    f"table {self.key}: row {row.id} has {len(row.cells)} cells, "
                    f"expected {len(self.columns)}"
                )
            if row.id in ids:
                raise ValueError(f"table {self.key}: row id {row.id} is used twice")
            ids.add(row.id)

    @property
    def total(self) -> tuple[Any, ...] | None:
        """The control total row: each totalled column added up exactly over the counted rows
        of level 0, the label in the first column, ``total_extra`` where given; None when the
        table has no total."""
        if self.total_label is None or not self.rows:
            return None
        cells: list[Any] = []
        for index, column in enumerate(self.columns):
            if index == 0:
                cells.append(self.total_label)
            elif column.key in self.total_extra:
                cells.append(self.total_extra[column.key])
            elif column.total:
                zero = Decimal(0) if column.kind == "money" else 0
                cells.append(
                    sum(
                        (r.cells[index] or zero for r in self.rows if r.level == 0 and r.counted),
                        zero,
                    )
                )
            else:
                cells.append(None)
        return tuple(cells)

    def index(self, key: str) -> int:
        """The position of the column ``key``."""
        for i, column in enumerate(self.columns):
            if column.key == key:
                return i
        raise KeyError(key)

    def row(self, row_id: str) -> Row:
        for row in self.rows:
            if row.id == row_id:
                return row
        raise KeyError(row_id)


@attrs.frozen
class Chart:
    """A chart of the pack: what it shows (``kind``) and the plain data it is drawn from.

    :ivar description: a sentence saying what the chart shows, for readers who cannot see it
        (the HTML's alternative text).
    """

    key: str
    title: str
    kind: str
    data: Mapping[str, Any]
    description: str = ""


@attrs.frozen
class Section:
    """A numbered section of the pack: an introduction, its tables and its charts."""

    number: int
    key: str
    title: str
    tables: tuple[Table, ...] = attrs.field(default=(), converter=tuple)
    charts: tuple[Chart, ...] = attrs.field(default=(), converter=tuple)
    intro: str = ""


@attrs.frozen
class Made:
    """How and from what the pack was made, so that a reader can tell two packs apart.

    :ivar as_at: the moment the pack is as at (UTC, ``2012-03-31T23:59:59Z``); it also dates
        the pack, so that the same inputs as at the same moment give the same bytes.
    :ivar inputs: ``(name, sha256)`` of every input, names relative to the programme folder.
    :ivar inputs_sha256: one SHA-256 over all of them (see
        :func:`~totalplace_cases.reports.pack.provenance.combined_sha256`).
    :ivar plugins: ``(name, version, origin)`` of every plugin loaded.
    """

    as_at: str
    library_version: str
    inputs: tuple[tuple[str, str], ...]
    inputs_sha256: str
    plugins: tuple[tuple[str, str, str], ...]


@attrs.frozen
class Pack:
    """An evidence return: the programme it is about, how it was made, and its sections.

    ``facts`` are the self-describing headline of the return (place, price base, discount
    schedules, parameter vintages, totals) as the JSON return writes them at its top level,
    so that a program adding returns up (``totalplace rollup``) need not read the tables.
    """

    programme_id: str
    title: str
    made: Made
    sections: tuple[Section, ...] = attrs.field(converter=tuple)
    facts: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]

    @property
    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


def numeric_cells(table: Table) -> Sequence[int]:
    """The positions of the columns whose cells are numbers."""
    return [i for i, c in enumerate(table.columns) if c.kind in NUMERIC]
