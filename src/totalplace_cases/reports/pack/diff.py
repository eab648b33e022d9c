"""Every figure that differs between two evidence returns (their JSON form).

Tables are matched by key, rows by id and columns by key, so a figure is compared with the
same figure of the other return; a row only one return has is listed as added or removed.
Figures are the cells of every column that is not text (money compared exactly, to the penny
as the returns hold it) and the return's totals; text (titles, names, digests) is context,
shown in the heading, not listed.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from ...display import clean
from ...errors import InputError, Problem
from .build import PACK_FORMAT
from .cells import format_cell

__all__ = ["Change", "diff_returns", "read_return", "render_diff"]


@attrs.frozen
class Change:
    """One figure that differs: where (table, row, column), its kind, and both values
    (``None`` where a return does not have it)."""

    table: str
    row: str
    column: str
    kind: str
    old: Any
    new: Any
    label: str = ""  # the row as a reader knows it (its first cell)
    title: str = ""  # the table's title and the column's heading


def read_return(path: Path | str) -> dict[str, Any]:
    """A JSON evidence return, checked to be one.

    :raises InputError: naming the file (and line) when it is not JSON or not a return.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise InputError([Problem(f"not JSON: {exc.msg}", file=path, line=exc.lineno)]) from None
    except UnicodeDecodeError:
        raise InputError([Problem("not UTF-8 text (is it a JSON return?)", file=path)]) from None
    kind = data.get("return", {}).get("format") if isinstance(data, dict) else None
    if kind != PACK_FORMAT or not isinstance(data.get("tables"), dict):
        raise InputError(
            [
                Problem(
                    f'not an evidence return: expected "return": {{"format": "{PACK_FORMAT}"}} '
                    "and tables (make one with totalplace evidence --format json)",
                    file=path,
                    field="return.format",
                )
            ]
        )
    return data


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in ("money", "decimal"):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return value
    return value


def _rows(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = {row["id"]: row for row in table.get("rows", [])}
    if table.get("total"):
        rows["total"] = table["total"]
    return rows


def diff_returns(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every figure of ``old`` and ``new`` that differs, in the order of ``new``'s tables."""
    changes: list[Change] = []
    old_totals, new_totals = old.get("totals") or {}, new.get("totals") or {}
    for key in dict.fromkeys([*new_totals, *old_totals]):
        a, b = old_totals.get(key), new_totals.get(key)
        kind = "money" if isinstance(a or b, str) else "number"
        if _value(a, kind) != _value(b, kind):
            changes.append(Change("totals", "", key, kind, a, b, key, f"Totals: {key}"))
    old_tables, new_tables = old["tables"], new["tables"]
    for key in dict.fromkeys([*new_tables, *old_tables]):
        before, after = old_tables.get(key), new_tables.get(key)
        table = after or before
        title = table.get("title", key)
        columns = [c for c in table.get("columns", []) if c.get("kind") != "text"]
        label_key = table["columns"][0]["key"] if table.get("columns") else None
        rows_before = _rows(before) if before else {}
        rows_after = _rows(after) if after else {}
        for row_id in dict.fromkeys([*rows_after, *rows_before]):
            a, b = rows_before.get(row_id), rows_after.get(row_id)
            row = b or a
            label = str(row.get(label_key, row_id)) if label_key else row_id
            for column in columns:
                ckey, kind = column["key"], column["kind"]
                va = _value(a.get(ckey), kind) if a is not None else None
                vb = _value(b.get(ckey), kind) if b is not None else None
                if va != vb:
                    changes.append(
                        Change(
                            key,
                            row_id,
                            ckey,
                            kind,
                            a.get(ckey) if a is not None else None,
                            b.get(ckey) if b is not None else None,
                            label,
                            f"{title}: {column.get('title', ckey)}",
                        )
                    )
    return changes


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "money":
        return format_cell(Decimal(str(value)), "money")
    if kind in ("ratio", "number", "percent") and isinstance(value, int | float):
        return format_cell(value, kind)
    return str(value)


def render_diff(changes: list[Change], fmt: str = "table") -> str:
    """The changes as readable lines, or as JSON (``{"changes": [...]}``)."""
    if fmt == "json":
        return (
            json.dumps(
                {
                    "changes": [
                        {
                            "table": c.table,
                            "row": c.row,
                            "column": c.column,
                            "old": c.old,
                            "new": c.new,
                        }
                        for c in changes
                    ]
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    if not changes:
        return "No figure differs.\n"
    lines = [f"{len(changes)} figure{'s' if len(changes) != 1 else ''} differ:"]
    for c in changes:
        where = f"{c.title} [{c.label}]" if c.row else c.title
        lines.append(
            f"  {clean(where, tabs=False)}: {_shown(c.old, c.kind)} -> {_shown(c.new, c.kind)}"
        )
    return "\n".join(lines) + "\n"
