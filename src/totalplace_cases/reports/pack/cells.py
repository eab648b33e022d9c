"""How a cell of the pack is shown, and how text from a file is made inert in each format.

Figures are rounded once, here, as they are shown: money half-up to the penny (or to £k or £m
when asked), ratios to two places. Negative amounts are shown in brackets, as accounts show
them: ``(£18,996,942.75)``.

Text comes from files anyone may have written (a case title, an agency name, a plugin's note);
how each format makes it inert (formulas, Markdown, HTML, control characters) is in
:mod:`totalplace_cases.display`, the one place for it.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from ...money import round_money

__all__ = ["UNITS", "format_cell", "format_money"]

#: Units money may be shown in: divisor, places, suffix.
UNITS: dict[str, tuple[Decimal, int, str]] = {
    "": (Decimal(1), 2, ""),
    "k": (Decimal(1000), 0, "k"),
    "m": (Decimal(1_000_000), 2, "m"),
}


def format_money(amount: Decimal, units: str = "") -> str:
    """``-1234.5`` -> ``(£1,234.50)``; in ``k`` -> ``(£1k)``, in ``m`` -> ``(£0.00m)``.

    Rounded half-up once, at this point; a negative that rounds to zero shows as £0.00.
    """
    divisor, places, suffix = UNITS[units]
    scaled = amount if divisor == 1 else amount / divisor
    rounded = (
        round_money(scaled)
        if places == 2
        else scaled.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
    )
    body = f"£{abs(rounded):,.{places}f}{suffix}"
    return f"({body})" if rounded < 0 else body


def format_cell(value: Any, kind: str, units: str = "") -> str:
    """A cell as text for a reader: money, ratios, percentages and counts formatted; an
    undefined figure as ``n/a``; text as given."""
    if value is None:
        return "" if kind == "text" else "n/a"
    if kind == "money":
        return format_money(Decimal(value), units)
    if kind in ("ratio", "number"):
        return f"{Decimal(str(value)).quantize(Decimal('0.01'), decimal.ROUND_HALF_UP):,}"
    if kind == "decimal":
        return str(value)
    if kind == "percent":
        scaled = (Decimal(value) * 100).quantize(Decimal("0.1"), decimal.ROUND_HALF_UP)
        return f"{scaled}%"
    if kind == "integer":
        return f"{value:,}"
    return str(value)
