"""Valuing a benefit line: its gross value by year, in real terms at the case's price base.

The standard rule (method §4): ``amounts`` by year as given, or ``volumes`` by year times a unit
value, either given (``unit_value``, in the case's input prices) or cited from a registered unit
cost (``unit_cost = "ucd:CR2.0.3"``, uprated from its price year with the deflator). A unit cost
that spans several agencies splits the line among them in its shares. A unit cost may be in a
calendar year's prices (``price_year`` an ``int``) and may vary by year (``by_year``, e.g. carbon
values per tonne): each line year then takes its own value (method §17). Plugins may value lines
their own way through ``totalplace_value_benefit``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..errors import TotalPlaceError
from ..periods import FinancialYear
from ..plugin import Valuation
from .precision import exact
from .prices import rebase_with_indices

if TYPE_CHECKING:
    from ..models import BenefitLine
    from ..registry import UnitCost
    from .context import CaseContext

__all__ = ["Valuation", "standard_valuation", "unit_cost_at_price_base", "unit_cost_value"]

#: A financial year's share of its starting calendar year (April to December) and of the next.
_FIRST_SHARE, _SECOND_SHARE = Decimal("0.75"), Decimal("0.25")


def standard_valuation(line: BenefitLine, context: CaseContext) -> Valuation | None:
    """Amounts as given, or volumes times a given or cited unit value."""
    base = context.line_base(line)
    if line.amounts:
        gross = context.real(line.amounts, base)
        return Valuation(gross, basis="amounts" if base else "amounts (nominal, deflated)")
    if line.unit_value is not None:
        if base is None:
            with exact():
                cash = {y: n * line.unit_value for y, n in line.volumes.items()}
            gross = context.real(cash, None)
            return Valuation(gross, basis=f"volumes x unit value {line.unit_value} (nominal)")
        unit = context.to_price_base(line.unit_value, base)
        with exact():
            gross = {y: n * unit for y, n in line.volumes.items()}
        return Valuation(gross, basis=f"volumes x unit value {line.unit_value} ({base} prices)")
    if line.unit_cost is not None:
        cost = context.unit_cost(line.unit_cost)
        if cost.by_year:
            with exact():
                gross = {
                    y: n * unit_cost_at_price_base(cost, unit_cost_value(cost, y), context)
                    for y, n in line.volumes.items()
                }
            basis = (
                f"volumes x unit cost {cost.key} (the value of each year, in {cost.price_year} "
                f"prices, uprated to {context.price_base})"
            )
            return Valuation(gross, shares=tuple(cost.shares), basis=basis)
        unit = unit_cost_at_price_base(cost, cost.value, context)
        with exact():
            gross = {y: n * unit for y, n in line.volumes.items()}
        basis = (
            f"volumes x unit cost {cost.key} ({cost.value} in {cost.price_year} prices, "
            f"{unit.quantize(Decimal('0.01'))} at {context.price_base})"
        )
        return Valuation(gross, shares=tuple(cost.shares), basis=basis)
    return None


def unit_cost_value(cost: UnitCost, year: FinancialYear) -> Decimal:
    """The unit cost's value for a line's ``year``, in the unit cost's own prices.

    A single-valued unit cost has one value for every year. A series keyed by financial year
    gives that year's value; a series keyed by calendar year gives 3/4 of the starting calendar
    year's value plus 1/4 of the next (April to December, then January to March: the rule the
    deflator uses, method §2). A year the series does not cover is an error.
    """
    if not cost.by_year:
        return cost.value
    series = dict(cost.by_year)
    if year in series:
        return series[year]
    start = year.start_year
    if start in series and start + 1 in series:
        return _FIRST_SHARE * series[start] + _SECOND_SHARE * series[start + 1]
    years = sorted(series, key=lambda k: k if isinstance(k, int) else k.start_year)
    calendar = isinstance(years[0], int)
    need = f"calendar years {start} and {start + 1}" if calendar else str(year)
    raise TotalPlaceError(
        f"unit cost '{cost.key}' has no value for {year}: its series covers "
        f"{years[0]} to {years[-1]}{' (calendar years)' if calendar else ''}, and {year} "
        f"needs {need}"
    )


def unit_cost_at_price_base(cost: UnitCost, amount: Decimal, context: CaseContext) -> Decimal:
    """``amount``, in the unit cost's price year's prices, uprated to the case's price base.

    A calendar price year C (an ``int``) is rebased with the deflator's calendar index:
    ``amount x I(price base) / C(C)``; this needs a calendar-year deflator series that has C.
    """
    if not isinstance(cost.price_year, int):
        return context.to_price_base(amount, cost.price_year)
    deflator = context.deflator
    calendar = deflator.calendar or {}
    if cost.price_year not in calendar:
        raise TotalPlaceError(
            f"unit cost '{cost.key}' is in calendar {cost.price_year} prices, and deflator "
            f"'{deflator.name}' has no calendar-year index for {cost.price_year}: supply a "
            f"calendar-year deflator series that covers it"
        )
    return rebase_with_indices(
        amount, calendar[cost.price_year], deflator.index(context.price_base)
    )
