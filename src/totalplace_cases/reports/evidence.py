"""Evidence tables: extra tables plugins add to an appraisal's output.

A table is data (a title, column headers, rows of plain values); each output format decides
how to show it, so a plugin's table appears in the terminal, in Markdown and in JSON alike.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

__all__ = ["EvidenceTable", "collect_evidence"]


@attrs.frozen
class EvidenceTable:
    """A titled table of evidence. Cells are strings or numbers; money as formatted text."""

    title: str
    headers: tuple[str, ...] = attrs.field(converter=tuple)
    rows: tuple[tuple[Any, ...], ...] = attrs.field(
        converter=lambda rows: tuple(tuple(r) for r in rows)
    )
    notes: str = ""
    plugin: str = ""

    def __attrs_post_init__(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.headers):
                raise ValueError(
                    f"evidence table '{self.title}': row {number} has {len(row)} cells, "
                    f"expected {len(self.headers)}"
                )

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "plugin": self.plugin,
            "headers": list(self.headers),
            "rows": [[_plain(cell) for cell in row] for row in self.rows],
            "notes": self.notes,
        }


def _plain(cell: Any) -> Any:
    """A cell as JSON can hold it: a Decimal as its exact text ("240", "0.125")."""
    return str(cell) if isinstance(cell, Decimal) else cell


def collect_evidence(rules: Any, appraisal: Any, programme: Any) -> list[EvidenceTable]:
    """Every plugin's evidence tables for this appraisal, each marked with its plugin."""
    from ..errors import PluginError

    tables: list[EvidenceTable] = []
    found = rules.call_each_by_plugin(
        "totalplace_evidence_tables", appraisal=appraisal, programme=programme
    )
    for plugin, result in found:
        items = [result] if isinstance(result, EvidenceTable) else result
        for table in items:
            if not isinstance(table, EvidenceTable):
                raise PluginError(
                    plugin,
                    "totalplace_evidence_tables",
                    f"expected EvidenceTable objects, got {type(table).__name__}",
                )
            tables.append(attrs.evolve(table, plugin=plugin))
    return tables
