"""What an appraisal produces: exact figures per case, per agency, per year, and for the programme.

Amounts are exact :class:`~decimal.Decimal` values; ratios are floats; ``None`` marks a figure
that is undefined (a BCR with no costs, a payback never reached). Rounding to the penny happens
only when a result is shown or exported (:meth:`Appraisal.to_dict`, the reports).
The field names match the JSON contract in ``docs/method.md``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from ..money import money_str
from ..periods import FinancialYear

__all__ = [
    "AgencyResult",
    "Appraisal",
    "CaseAppraisal",
    "Flow",
    "LineResult",
    "ParameterUse",
    "ProgrammeSummary",
    "Totals",
]


@attrs.frozen
class ParameterUse:
    """A parameter table an appraisal used, with its source and vintage."""

    table: str
    source: str
    vintage: str


@attrs.frozen
class Flow:
    """One year of a case, undiscounted (real terms at the price base), with its factor."""

    year: FinancialYear
    t: int
    discount_factor: Decimal
    costs: Decimal
    costs_unadjusted: Decimal
    benefits: Decimal
    fiscal: Decimal
    economic: Decimal
    social: Decimal


@attrs.frozen
class AgencyResult:
    """What one agency pays and receives in present value: the "wrong pocket" view."""

    agency: str
    pv_costs: Decimal
    pv_benefits: Decimal
    pv_fiscal_cashable: Decimal
    pv_fiscal_non_cashable: Decimal
    net: Decimal = attrs.field()

    @net.default
    def _net(self) -> Decimal:
        """Benefits received less costs paid."""
        return self.pv_benefits - self.pv_costs

    @property
    def pv_fiscal(self) -> Decimal:
        return self.pv_fiscal_cashable + self.pv_fiscal_non_cashable

    pv_realigned: Decimal = Decimal(0)

    @property
    def net_fiscal(self) -> Decimal:
        """Fiscal benefits received less costs paid: the agency's own budget position."""
        return self.pv_fiscal - self.pv_costs

    @property
    def net_fiscal_after_realignment(self) -> Decimal:
        """The budget position once realignments have moved budget to or from the agency."""
        return self.net_fiscal + self.pv_realigned


@attrs.frozen
class LineResult:
    """One cost or benefit line's present value and the adjustments applied to it."""

    kind: str  # "cost" or "benefit"
    id: str
    agency: str
    value_type: str | None
    pv: Decimal
    pv_unadjusted: Decimal
    adjustments: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class CaseAppraisal:
    """The Green Book results for one business case (method §5)."""

    id: str
    title: str
    category: str
    theme: str
    sponsor: str | None
    start: FinancialYear
    years: int
    price_base: FinancialYear
    discount_base: FinancialYear
    schedule: str
    timing: str
    pv_costs: Decimal
    pv_costs_unadjusted: Decimal
    pv_benefits: Decimal
    pv_fiscal: Decimal
    pv_fiscal_cashable: Decimal
    pv_fiscal_non_cashable: Decimal
    pv_economic: Decimal
    pv_social: Decimal
    bcr: float | None
    fiscal_roi: float | None
    cashable_roi: float | None
    payback_year: FinancialYear | None
    payback_years: float | None
    vfm_category: str | None
    by_agency: tuple[AgencyResult, ...]
    flows: tuple[Flow, ...]
    lines: tuple[LineResult, ...] = ()
    npsv: Decimal = attrs.field()
    net_budget_impact: Decimal = attrs.field()

    @npsv.default
    def _npsv(self) -> Decimal:
        """Net present social value: PV benefits less PV costs."""
        return self.pv_benefits - self.pv_costs

    @net_budget_impact.default
    def _net_budget_impact(self) -> Decimal:
        """PV of fiscal benefits less PV of costs: the effect on public budgets."""
        return self.pv_fiscal - self.pv_costs


@attrs.frozen
class Totals:
    """The programme's totals, or ``None`` figures with ``note`` saying why cases cannot add."""

    pv_costs: Decimal | None
    pv_benefits: Decimal | None
    npsv: Decimal | None
    bcr: float | None
    fiscal_roi: float | None
    vfm_category: str | None
    note: str | None = None


@attrs.frozen
class ProgrammeSummary:
    """The programme's identity and the conventions every figure was computed under."""

    id: str
    name: str
    price_base: FinancialYear | None
    discount_base: FinancialYear | None
    schedule: str
    parameters: tuple[ParameterUse, ...]
    notes: tuple[str, ...] = ()


@attrs.frozen
class Appraisal:
    """A programme's appraisal: every case, and the totals where they can be added."""

    programme: ProgrammeSummary
    cases: tuple[CaseAppraisal, ...]
    totals: Totals

    def case(self, case_id: str) -> CaseAppraisal:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: money as strings with two decimals, ratios as numbers."""
        p = self.programme
        return {
            "programme": {
                "id": p.id,
                "name": p.name,
                "price_base": _year(p.price_base),
                "discount_base": _year(p.discount_base),
                "schedule": p.schedule,
                "parameters": [attrs.asdict(use) for use in p.parameters],
                "notes": list(p.notes),
            },
            "cases": [_case_dict(case) for case in self.cases],
            "totals": {
                "pv_costs": _money(self.totals.pv_costs),
                "pv_benefits": _money(self.totals.pv_benefits),
                "npsv": _money(self.totals.npsv),
                "bcr": self.totals.bcr,
                "fiscal_roi": self.totals.fiscal_roi,
                "vfm_category": self.totals.vfm_category,
                "note": self.totals.note,
            },
        }


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else money_str(amount)


def _year(year: FinancialYear | None) -> str | None:
    return None if year is None else str(year)


def _case_dict(case: CaseAppraisal) -> dict[str, Any]:
    money_fields = (
        "pv_costs", "pv_benefits", "pv_fiscal_cashable", "pv_fiscal_non_cashable", "net",
        "pv_fiscal", "net_fiscal", "pv_realigned", "net_fiscal_after_realignment",
    )  # fmt: skip
    return {
        "id": case.id,
        "title": case.title,
        "category": case.category,
        "theme": case.theme,
        "sponsor": case.sponsor,
        "start": str(case.start),
        "years": case.years,
        "price_base": str(case.price_base),
        "discount_base": str(case.discount_base),
        "schedule": case.schedule,
        "timing": case.timing,
        "pv_costs": money_str(case.pv_costs),
        "pv_costs_unadjusted": money_str(case.pv_costs_unadjusted),
        "pv_benefits": money_str(case.pv_benefits),
        "pv_fiscal": money_str(case.pv_fiscal),
        "pv_fiscal_cashable": money_str(case.pv_fiscal_cashable),
        "pv_fiscal_non_cashable": money_str(case.pv_fiscal_non_cashable),
        "pv_economic": money_str(case.pv_economic),
        "pv_social": money_str(case.pv_social),
        "npsv": money_str(case.npsv),
        "bcr": case.bcr,
        "fiscal_roi": case.fiscal_roi,
        "cashable_roi": case.cashable_roi,
        "net_budget_impact": money_str(case.net_budget_impact),
        "payback_year": _year(case.payback_year),
        "payback_years": case.payback_years,
        "vfm_category": case.vfm_category,
        "by_agency": [
            {"agency": row.agency, **{name: money_str(getattr(row, name)) for name in money_fields}}
            for row in case.by_agency
        ],
        "flows": [
            {
                "year": str(flow.year),
                "t": flow.t,
                "discount_factor": float(flow.discount_factor),
                "costs": money_str(flow.costs),
                "costs_unadjusted": money_str(flow.costs_unadjusted),
                "benefits": money_str(flow.benefits),
                "fiscal": money_str(flow.fiscal),
                "economic": money_str(flow.economic),
                "social": money_str(flow.social),
            }
            for flow in case.flows
        ],
        "lines": [
            {
                "kind": line.kind,
                "id": line.id,
                "agency": line.agency,
                "value_type": line.value_type,
                "pv": money_str(line.pv),
                "pv_unadjusted": money_str(line.pv_unadjusted),
                "adjustments": {k: _plain(v) for k, v in line.adjustments.items()},
            }
            for line in case.lines
        ],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, FinancialYear):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
