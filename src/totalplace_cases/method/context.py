"""The conventions one case is appraised under, and the look-ups rules need while valuing it.

A :class:`CaseContext` is what valuation and default-adjustment hooks receive: the case, its
programme, the price base and discount base in force, and helpers to convert prices and find
unit costs. It records every parameter table it consults, so the result can name them.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ..errors import TotalPlaceError
from ..models import BusinessCase, CaseOption, Programme
from ..parameters import ParameterTable
from ..periods import FinancialYear
from ..registry import unit_cost_hint
from .conventions import Conventions, line_base_of
from .precision import exact
from .prices import Deflator, deflator_from_table

if TYPE_CHECKING:
    from ..plugins import Rules
    from ..registry import UnitCost

__all__ = ["CaseContext"]


@attrs.define
class CaseContext:
    """Everything the arithmetic of one case depends on besides the case's own lines.

    Built by the appraisal from the case's :class:`~.conventions.Conventions`
    (:meth:`of`); the bases, schedule and timing are also given one by one, as a plugin's test
    may build one.
    """

    programme: Programme
    case: BusinessCase
    rules: Rules
    #: The prices every figure of the case is reported in.
    price_base: FinancialYear
    #: The prices the case's real amounts are written in, where a line gives none.
    input_base: FinancialYear
    discount_base: FinancialYear
    schedule: str
    timing: str
    used_tables: dict[str, ParameterTable] = attrs.field(factory=dict)
    used_unit_costs: dict[str, UnitCost] = attrs.field(factory=dict)
    notes: list[str] = attrs.field(factory=list)
    #: The option being appraised, in a case with options (``case`` then holds its lines).
    option: CaseOption | None = None
    #: Where the lines being appraised are in the case file: ``"options[1]."`` for an
    #: option's, ``""`` for the case's own; every error names its field under it.
    path: str = ""
    _deflator: Deflator | None = attrs.field(default=None, init=False, repr=False)

    @classmethod
    def of(
        cls, programme: Programme, case: BusinessCase, rules: Rules, conventions: Conventions
    ) -> CaseContext:
        return cls(
            programme,
            case,
            rules,
            conventions.price_base,
            conventions.input_base,
            conventions.discount_base,
            conventions.schedule,
            conventions.timing,
        )

    def for_option(self, index: int, option: CaseOption) -> CaseContext:
        """The context of one option of the case (the ``index``-th in its file): the same
        conventions and look-ups, recording into the same tables, with the option's lines."""
        other = CaseContext(
            self.programme,
            self.case.with_lines_of(option),
            self.rules,
            self.price_base,
            self.input_base,
            self.discount_base,
            self.schedule,
            self.timing,
            self.used_tables,
            self.used_unit_costs,
            self.notes,
            option=option,
            path=f"options[{index}]." if self.case.options else "",
        )
        other._deflator = self._deflator
        return other

    @property
    def conventions(self) -> Conventions:
        """The bases, schedule and timing, together (and where a line's prices come from)."""
        return Conventions(
            self.price_base, self.input_base, self.discount_base, self.schedule, self.timing
        )

    def line_base(self, line) -> FinancialYear | None:
        """The prices a line's real amounts are in; None for a nominal line (method §2)."""
        return line_base_of(line, self.input_base)

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
        """The programme's deflator, recorded (with its note) the first time it is needed."""
        if self._deflator is None:
            table = self.table(self.settings.deflator, "deflator")
            deflator = deflator_from_table(table, self.settings.deflator_projection)
            if deflator.basis not in self.notes:
                self.notes.append(deflator.basis)
            self._deflator = deflator
        return self._deflator

    def to_price_base(self, amount: Decimal, prices_of: FinancialYear) -> Decimal:
        """``amount`` in ``prices_of``'s prices, expressed at this case's price base."""
        if prices_of == self.price_base:
            return amount
        ratio = self.deflator.ratio(prices_of, self.price_base)
        with exact():
            return amount * ratio

    def real(
        self, amounts: Mapping[FinancialYear, Decimal], base: FinancialYear | None
    ) -> dict[FinancialYear, Decimal]:
        """Amounts by year in real terms at the price base: all in ``base``'s prices, or (for
        ``None``, a nominal line) each in its own year's prices."""
        price_base = self.price_base
        if base is None:
            return {y: self.to_price_base(v, y) for y, v in amounts.items()}
        if base == price_base:
            return dict(amounts)
        ratio = self.deflator.ratio(base, price_base)
        with exact():
            return {y: v * ratio for y, v in amounts.items()}

    def unit_cost(self, key: str) -> UnitCost:
        """A registered unit cost; a clear error naming what is missing if none is."""
        unit = self.rules.registry.get("unit_cost", key)
        if unit is None:
            raise TotalPlaceError(f'unknown unit cost "{key}"{unit_cost_hint(key)}')
        self.used_unit_costs[key] = unit
        return unit
