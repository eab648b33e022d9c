"""Valuing a benefit line: its gross value by year, in real terms at the case's price base.

The standard rule (method §4): ``amounts`` by year as given, or ``volumes`` by year times a unit
value, either given (``unit_value``, in the case's input prices) or cited from a registered unit
cost (``unit_cost = "ucd:CR2.0.3"``, uprated from its price year with the deflator). A unit cost
that spans several agencies splits the line among them in its shares. Plugins may value lines
their own way through ``totalplace_value_benefit``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ..periods import FinancialYear

if TYPE_CHECKING:
    from ..models import BenefitLine
    from .context import CaseContext

__all__ = ["Valuation", "standard_valuation"]


@attrs.frozen
class Valuation:
    """A benefit line's gross value by year before adjustments, and how it splits.

    :ivar gross: financial year -> value in real terms at the case's price base.
    :ivar shares: ``(agency id, fraction)`` pairs adding to 1, or empty for the line's agency.
    :ivar basis: how the value was obtained, for the evidence trail.
    """

    gross: dict[FinancialYear, Decimal]
    shares: tuple[tuple[str, Decimal], ...] = ()
    basis: str = ""


def standard_valuation(line: BenefitLine, context: CaseContext) -> Valuation | None:
    """Amounts as given, or volumes times a given or cited unit value."""
    if line.amounts:
        if line.prices == "nominal":
            gross = {y: context.to_price_base(v, y) for y, v in line.amounts.items()}
            return Valuation(gross, basis="amounts (nominal, deflated)")
        base = line.price_base or context.input_base
        gross = {y: context.to_price_base(v, base) for y, v in line.amounts.items()}
        return Valuation(gross, basis="amounts")
    if line.unit_value is not None:
        if line.prices == "nominal":
            gross = {
                y: context.to_price_base(n * line.unit_value, y) for y, n in line.volumes.items()
            }
            return Valuation(gross, basis=f"volumes x unit value {line.unit_value} (nominal)")
        base = line.price_base or context.input_base
        unit = context.to_price_base(line.unit_value, base)
        gross = {y: n * unit for y, n in line.volumes.items()}
        return Valuation(gross, basis=f"volumes x unit value {line.unit_value} ({base} prices)")
    if line.unit_cost is not None:
        cost = context.unit_cost(line.unit_cost)
        unit = context.to_price_base(cost.value, cost.price_year)
        gross = {y: n * unit for y, n in line.volumes.items()}
        basis = (
            f"volumes x unit cost {cost.key} ({cost.value} in {cost.price_year} prices, "
            f"{unit.quantize(Decimal('0.01'))} at {context.price_base})"
        )
        return Valuation(gross, shares=tuple(cost.shares), basis=basis)
    return None
