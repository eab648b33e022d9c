"""The conventions one case is appraised under, and the look-ups rules need while valuing it.

A :class:`CaseContext` is what valuation and default-adjustment hooks receive: the case, its
programme, the price base and discount base in force, and helpers to convert prices and find
unit costs. It records every parameter table it consults, so the result can name them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ..errors import TotalPlaceError
from ..models import BusinessCase, Programme
from ..parameters import ParameterTable
from ..periods import FinancialYear
from ..registry import unit_cost_hint
from .prices import Deflator, deflator_from_table

if TYPE_CHECKING:
    from ..plugins import Rules
    from ..registry import UnitCost

__all__ = ["CaseContext"]


@attrs.define
class CaseContext:
    """Everything the arithmetic of one case depends on besides the case's own lines."""

    programme: Programme
    case: BusinessCase
    rules: Rules
    price_base: FinancialYear
    input_base: FinancialYear
    discount_base: FinancialYear
    schedule: str
    timing: str
    used_tables: dict[str, ParameterTable] = attrs.field(factory=dict)
    used_unit_costs: dict[str, UnitCost] = attrs.field(factory=dict)
    notes: list[str] = attrs.field(factory=list)

    @property
    def settings(self):
        return self.programme.settings

    def table(self, name: str, kind: str | None = None) -> ParameterTable:
        """A registered parameter table, recorded as used by this appraisal."""
        table = self.rules.table(name, kind)
        self.used_tables[table.name] = table
        return table

    @property
    def deflator(self) -> Deflator:
        table = self.table(self.settings.deflator, "deflator")
        deflator = deflator_from_table(table, self.settings.deflator_projection)
        if deflator.basis not in self.notes:
            self.notes.append(deflator.basis)
        return deflator

    def to_price_base(self, amount: Decimal, prices_of: FinancialYear) -> Decimal:
        """``amount`` in ``prices_of``'s prices, expressed at this case's price base."""
        if prices_of == self.price_base:
            return amount
        return self.deflator.rebase(amount, prices_of, self.price_base)

    def unit_cost(self, key: str) -> UnitCost:
        """A registered unit cost; a clear error naming what is missing if none is."""
        unit = self.rules.registry.get("unit_cost", key)
        if unit is None:
            raise TotalPlaceError(
                f"case '{self.case.id}': unknown unit cost '{key}'{unit_cost_hint(key)}"
            )
        self.used_unit_costs[key] = unit
        return unit
