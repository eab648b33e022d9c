"""The national roll-up as a table (terminal, Markdown, CSV) and as JSON.

The JSON field names are a contract (docs/evidence.md, "Adding up returns"): money as strings
with two decimals, ratios as numbers, years as text.
"""

from __future__ import annotations

from typing import Any

from ..method.rollup import MONEY, Rollup, RollupRow
from .json import dumps, money, number
from .pack.model import Column, Row, Table
from .tabletext import render_tables, tables_csv

__all__ = ["render_rollup", "rollup_dict", "rollup_table"]


def _row(row: RollupRow) -> dict[str, Any]:
    return {
        "programme": row.key,
        "place": row.place,
        "population": row.population,
        "cases": row.cases,
        "spend_counted": money(row.spend_counted),
        "spend_year": row.spend_year,
        **{name: money(getattr(row, name)) for name in MONEY},
        "bcr": number(row.bcr),
    }


def rollup_dict(result: Rollup, files: dict[str, str] | None = None) -> dict[str, Any]:
    """The roll-up as the JSON contract."""
    places = []
    for row in result.places:
        data = _row(row)
        if files is not None:
            data["file"] = files.get(row.key)
        places.append(data)
    total = _row(result.total)
    del total["programme"], total["place"]
    total["places"] = len(result.places)
    return {
        "price_base": str(result.price_base),
        "discount_base": None if result.discount_base is None else str(result.discount_base),
        "timing": result.timing,
        "discount_schedules": list(result.schedules),
        "parameters": [{"table": t, "vintage": v} for t, v in result.parameters],
        "statuses_counted": list(result.statuses),
        "rebased": [
            {
                "file": r.file,
                "programme": r.programme,
                "from": str(r.from_base),
                "to": str(r.to_base),
                "ratio": number(r.ratio),
            }
            for r in result.rebased
        ],
        "deflator": None
        if result.deflator is None
        else {"table": result.deflator[0], "vintage": result.deflator[1]},
        "notes": list(result.notes),
        "places": places,
        "totals": total,
    }


def rollup_table(result: Rollup) -> Table:
    """A row per place, then the control total: the exact sum of the places' figures."""
    rows = [
        Row(
            row.key,
            (
                row.place,
                row.key,
                row.spend_counted,
                row.spend_year,
                row.cases,
                *(getattr(row, name) for name in MONEY[:3]),
                row.bcr,
                *(getattr(row, name) for name in MONEY[3:]),
            ),
        )
        for row in result.places
    ]
    notes = [
        f"Present values in real terms at {result.price_base} prices, discounted to "
        f"{result.discount_base or 'each case start'} with "
        f"{', '.join(result.schedules) or 'no schedule'}; the totals count cases that are "
        f"{', '.join(result.statuses)}. Spend counted is each place's count, in the year shown. "
        "Realignments to and from central departments are undiscounted.",
    ]
    for r in result.rebased:
        notes.append(
            f"{r.file} ({r.programme}) rebased from {r.from_base} to {r.to_base} prices with "
            f"{result.deflator[0] if result.deflator else 'the deflator'}: ×{r.ratio:.6f}."
        )
    notes += list(result.notes)
    return Table(
        "rollup",
        "National roll-up of evidence returns",
        (
            Column("place", "Place"),
            Column("programme", "Programme"),
            Column("spend_counted", "Spend counted", "money", total=True),
            Column("spend_year", "Count of"),
            Column("cases", "Cases", "integer", total=True),
            Column("pv_costs", "PV costs", "money", total=True),
            Column("pv_benefits", "PV benefits", "money", total=True),
            Column("npsv", "NPSV", "money", total=True),
            Column("bcr", "BCR", "ratio"),
            Column("cashable_savings", "Cashable savings (PV)", "money", total=True),
            Column("realigned_to_central", "Realigned to central", "money", total=True),
            Column("realigned_from_central", "Realigned from central", "money", total=True),
        ),
        rows,
        notes=notes,
        total_extra={"spend_year": result.total.spend_year, "bcr": result.total.bcr},
    )


def render_rollup(
    result: Rollup,
    fmt: str = "table",
    *,
    files: dict[str, str] | None = None,
    units: str = "",
    width: int | None = None,
) -> str:
    """The roll-up in ``fmt``: ``table``, ``markdown``, ``json`` or ``csv``."""
    if fmt == "json":
        return dumps(rollup_dict(result, files))
    table = rollup_table(result)
    if fmt == "csv":
        return tables_csv([table])
    return render_tables([table], fmt, units=units, width=width)
