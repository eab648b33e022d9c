"""The pack's tables as :class:`~totalplace_cases.plugin.EvidenceTable`, for a plugin's format.

A format a plugin registers (``totalplace_register_formats``) renders ``(appraisal,
evidence_tables)``; for ``totalplace evidence --format NAME`` it is given every table of the
pack this way, in order: titled ``"<section>. <table>"``, money as exact Decimals rounded to
the penny, ratios as Decimals, undefined figures as empty text, and the control total as the
last row.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...money import round_money
from ...plugin import EvidenceTable
from .model import Pack

__all__ = ["pack_evidence_tables"]


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "money":
        return round_money(Decimal(value))
    if kind in ("ratio", "number", "percent"):
        return Decimal(repr(float(value)))
    if kind in ("decimal", "integer"):
        return value
    return str(value)


def pack_evidence_tables(pack: Pack) -> list[EvidenceTable]:
    tables = []
    for section in pack.sections:
        for table in section.tables:
            rows = [
                [_cell(v, c.kind) for c, v in zip(table.columns, row.cells, strict=True)]
                for row in table.rows
            ]
            total = table.total
            if total is not None:
                rows.append([_cell(v, c.kind) for c, v in zip(table.columns, total, strict=True)])
            tables.append(
                EvidenceTable(
                    title=f"{section.number}. {table.title}",
                    headers=tuple(c.title for c in table.columns),
                    rows=rows,
                    notes=" ".join(table.notes),
                    plugin=table.plugin,
                )
            )
    return tables
