"""The evidence return as JSON: self-describing, for programs (``evidence diff``, ``rollup``).

The top level says what the return is (``return``), which programme and place it is about,
the conventions every figure rests on (price base, discount base and schedules, parameter
tables with their vintages, the statuses counted), the totals, how it was made (``made``: as
at when, library and plugin versions, each input's SHA-256), then every table of the pack
under ``tables``, keyed by table, with typed columns and rows keyed by column.

Numbers follow the project's JSON policy (:mod:`totalplace_cases.reports.json`): money is a
string with two decimals (``"8480099.75"``), ratios and fractions are numbers, an exact
decimal from a plugin is its text, an undefined figure is ``null``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..json import dumps, money, number
from .build import PACK_FORMAT, PACK_VERSION
from .model import Pack, Row, Table

__all__ = ["cell_json", "pack_to_dict", "render_json_return", "table_to_dict"]


def cell_json(value: Any, kind: str) -> Any:
    """A cell as the return writes it, by its column's kind."""
    if value is None:
        return None
    if kind == "money":
        return money(Decimal(value))
    if kind in ("ratio", "number", "percent"):
        return number(value)
    if kind == "decimal":
        return str(value)
    if kind == "integer":
        return int(value)
    return str(value)


def _row(table: Table, row: Row | None, cells: tuple, row_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": row_id}
    if row is not None:
        out["level"] = row.level
        out["counted"] = row.counted
    for column, value in zip(table.columns, cells, strict=True):
        out[column.key] = cell_json(value, column.kind)
    return out


def table_to_dict(table: Table, section: str) -> dict[str, Any]:
    """A table: title, section, plugin, columns with their kinds, rows, control total, notes."""
    total = table.total
    return {
        "title": table.title,
        "section": section,
        "plugin": table.plugin or None,
        "columns": [{"key": c.key, "title": c.title, "kind": c.kind} for c in table.columns],
        "rows": [_row(table, row, row.cells, row.id) for row in table.rows],
        "total": None if total is None else _row(table, None, total, "total"),
        "notes": list(table.notes),
    }


def pack_to_dict(pack: Pack) -> dict[str, Any]:
    """The whole return as a JSON object."""
    made = pack.made
    return {
        "return": {"format": PACK_FORMAT, "version": PACK_VERSION},
        "programme": {"id": pack.programme_id, "title": pack.title},
        **pack.facts,
        "made": {
            "as_at": made.as_at,
            "library_version": made.library_version,
            "plugins": [
                {"name": name, "version": version or None, "origin": origin}
                for name, version, origin in made.plugins
            ],
            "inputs": [{"name": name, "sha256": sha} for name, sha in made.inputs],
            "inputs_sha256": made.inputs_sha256,
        },
        "sections": [
            {
                "number": s.number,
                "key": s.key,
                "title": s.title,
                "intro": s.intro,
                "tables": [t.key for t in s.tables],
                "charts": [{"key": c.key, "title": c.title} for c in s.charts],
            }
            for s in pack.sections
        ],
        "tables": {
            table.key: table_to_dict(table, section.key)
            for section in pack.sections
            for table in section.tables
        },
    }


def render_json_return(pack: Pack) -> bytes:
    """The return as UTF-8 JSON text."""
    return dumps(pack_to_dict(pack)).encode("utf-8")
