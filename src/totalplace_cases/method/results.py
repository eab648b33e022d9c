"""What an appraisal produces: exact figures per case, per agency, per year, and for the programme.

Amounts are exact :class:`~decimal.Decimal` values; ratios are floats; ``None`` marks a figure
that is undefined (a BCR with no costs, a payback never reached). Rounding to the penny happens
only when a result is shown or exported (the reports; the JSON contract of ``docs/method.md`` is
written by :mod:`totalplace_cases.reports.json`, whose field names these match).

:meth:`Appraisal.to_dict` is that same JSON, kept on the result for code written against earlier
releases. The arithmetic writes no reports, so it does not import the writer: the package hands it
in when ``totalplace_cases`` is imported (:func:`set_json_writer`).
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, Mapping, ValuesView
from decimal import Decimal
from typing import Any

import attrs

from ..periods import FinancialYear
from .precision import ZERO, exact

VALUE_TYPES = ("fiscal", "economic", "social")

__all__ = [
    "AgencyResult",
    "Appraisal",
    "CaseAppraisal",
    "CohortFigures",
    "CohortResult",
    "Flow",
    "LineResult",
    "OptionFigures",
    "OptionResult",
    "ParameterUse",
    "Period",
    "ProgrammeSummary",
    "Totals",
    "YearValues",
    "set_json_writer",
]

#: What :meth:`Appraisal.to_dict` calls: :func:`totalplace_cases.reports.json.to_dict`, once the
#: package is imported (which importing this module always does first).
_json_writer: Callable[[Appraisal], dict[str, Any]] | None = None


def set_json_writer(writer: Callable[[Appraisal], dict[str, Any]]) -> None:
    """Install the function that writes an appraisal as the JSON contract, for
    :meth:`Appraisal.to_dict`. ``totalplace_cases/__init__.py`` installs
    :func:`totalplace_cases.reports.json.to_dict`; nothing else needs to call this."""
    global _json_writer
    _json_writer = writer


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
    #: Transfers (in ``fiscal``, not in ``benefits``).
    transfers: Decimal = Decimal(0)


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
    #: Transfers the agency gains: in its fiscal figures, not in its PV benefits.
    pv_transfers: Decimal = Decimal(0)

    @property
    def net_fiscal(self) -> Decimal:
        """Fiscal benefits received less costs paid: the agency's own budget position."""
        return self.pv_fiscal - self.pv_costs

    @property
    def net_fiscal_after_realignment(self) -> Decimal:
        """The budget position once realignments have moved budget to or from the agency."""
        return self.net_fiscal + self.pv_realigned


@attrs.frozen
class Period:
    """What a case result keeps to give its flows by year: the years, the discount factors,
    how far the first year is from the discount base, and the costs before optimism bias."""

    years: tuple[FinancialYear, ...]
    shift: int
    factors: tuple[Decimal, ...]
    costs_unadjusted: tuple[Decimal, ...]


def _by_offset(values: Mapping[FinancialYear, Decimal], years: tuple[FinancialYear, ...]):
    """A line's values as a tuple over the period (None where it has none)."""
    if isinstance(values, YearValues) and values._first == years[0]:
        return values.by_offset()
    return tuple(values.get(year) for year in years)


class YearValues(Mapping[FinancialYear, Decimal]):
    """Amounts by financial year, held compactly over a case's appraisal period.

    A read-only mapping: ``values[FinancialYear(2011)]``, ``dict(values)``, iteration in year
    order. Years with no amount are absent (a year given as zero is present, as zero).

    Every line of every appraised case keeps its values (the benefits register's plan), so they
    are stored as one string of the amounts' exact decimal forms, comma-separated, empty for a
    year without an amount: about a fifth of the memory of a tuple of Decimals (issue 9's
    budget of 20 KB a case). ``Decimal(str(d))`` gives back ``d`` exactly (its digits, exponent
    and sign), so the amounts read back are the ones stored.
    """

    __slots__ = ("_first", "_packed", "_years")

    def __init__(self, first: FinancialYear, values: Mapping[int, Decimal], years: int):
        self._first = first
        self._years = years
        slots = [""] * years
        for offset, value in values.items():
            slots[offset] = str(value)
        self._packed = ",".join(slots)

    def by_offset(self) -> tuple[Decimal | None, ...]:
        """The amounts as a tuple over the period, from its first year (None where absent)."""
        if not self._years:
            return ()
        return tuple(Decimal(text) if text else None for text in self._packed.split(","))

    def negated(self) -> YearValues:
        """The same years with each amount's sign turned (``-value``, in the current context)."""
        offsets = {k: -v for k, v in enumerate(self.by_offset()) if v is not None}
        return YearValues(self._first, offsets, self._years)

    def __getitem__(self, year: FinancialYear) -> Decimal:
        offset = year.start_year - self._first.start_year if isinstance(year, FinancialYear) else -1
        text = self._packed.split(",")[offset] if 0 <= offset < self._years else ""
        if not text:
            raise KeyError(year)
        return Decimal(text)

    def __iter__(self) -> Iterator[FinancialYear]:
        first = self._first
        return (first + k for k, text in enumerate(self._packed.split(",")) if text)

    def __len__(self) -> int:
        return sum(1 for text in self._packed.split(",") if text)

    def items(self) -> ItemsView[FinancialYear, Decimal]:
        return _YearItems(self)

    def values(self) -> ValuesView[Decimal]:
        return _YearAmounts(self)

    def _pairs(self) -> Iterator[tuple[FinancialYear, Decimal]]:
        """(year, amount) in year order, the string decoded once."""
        first = self._first
        return ((first + k, v) for k, v in enumerate(self.by_offset()) if v is not None)

    def __repr__(self) -> str:
        return f"YearValues({dict(self)!r})"


class _YearItems(ItemsView):
    """``YearValues.items()``: a mapping's items view that decodes the amounts once."""

    __slots__ = ()

    def __iter__(self):
        return self._mapping._pairs()


class _YearAmounts(ValuesView):
    """``YearValues.values()``: a mapping's values view that decodes the amounts once."""

    __slots__ = ()

    def __iter__(self):
        return (value for _, value in self._mapping._pairs())


@attrs.frozen
class CohortResult:
    """What a cohort line's volumes were built from (method §19): the participants by year,
    their successes, and the volumes those give by year (within the appraisal period)."""

    participants: Mapping[FinancialYear, Decimal]
    successes: Mapping[FinancialYear, Decimal]
    volumes: Mapping[FinancialYear, Decimal]
    engagement: Decimal
    success: Decimal
    lag: int
    persistence: int
    drop_off: Decimal = Decimal(0)

    @property
    def participants_total(self) -> Decimal:
        return sum(self.participants.values(), ZERO)

    @property
    def engaged_total(self) -> Decimal:
        """The participants who engage: ``participants × engagement``."""
        with exact():
            return self.participants_total * self.engagement

    @property
    def successes_total(self) -> Decimal:
        return sum(self.successes.values(), ZERO)


@attrs.frozen
class CohortFigures:
    """A cohort line's participants and successes, and what its option costs per participant
    and per success: the option's PV costs (after optimism bias) over each total (method §19).
    """

    line: str
    participants: Decimal
    engaged: Decimal
    successes: Decimal
    pv_costs: Decimal

    @property
    def cost_per_participant(self) -> Decimal | None:
        """PV costs per participant; None when there are no participants."""
        return _per(self.pv_costs, self.participants)

    @property
    def cost_per_success(self) -> Decimal | None:
        """PV costs per success; None when there are no successes."""
        return _per(self.pv_costs, self.successes)


def _per(amount: Decimal, count: Decimal) -> Decimal | None:
    if count == 0:
        return None
    with exact():
        return amount / count


@attrs.frozen
class LineResult:
    """One cost or benefit line's present value, the adjustments applied to it, and its values.

    ``values`` are the line's undiscounted values by year, in real terms at the price base: for
    a cost line after optimism bias, for a benefit line after every adjustment of the benefit
    chain (all the agencies that share it together).
    """

    kind: str  # "cost" or "benefit"
    id: str
    agency: str
    value_type: str | None
    pv: Decimal
    pv_unadjusted: Decimal
    adjustments: dict[str, Any] = attrs.field(factory=dict)
    #: The line's yearly values after adjustments: real terms at the price base, undiscounted,
    #: all agencies together. The benefits register's plan. Not part of the JSON contract.
    values: Mapping[FinancialYear, Decimal] = attrs.field(factory=dict, eq=False)
    transfer: bool = False
    #: The option the line belongs to, in a case with options (None otherwise).
    option: str | None = None
    #: True for a business-as-usual line in an option's incremental figures: counted with the
    #: opposite sign (its ``pv``, ``pv_unadjusted`` and ``values`` are already negated).
    counterfactual: bool = False
    #: What a cohort line's volumes were built from (None for other lines).
    cohort: CohortResult | None = None
    #: The share of a benefit line's values that is cashable: 1 for ``cashable = true``, 0 for
    #: false (and for costs), the fraction of a partly cashable line (method §6).
    cashable: Decimal = Decimal(0)


@attrs.frozen
class OptionFigures:
    """An option's headline figures, its own or incremental to business as usual."""

    pv_costs: Decimal
    pv_benefits: Decimal
    pv_fiscal: Decimal
    npsv: Decimal
    bcr: float | None
    vfm_category: str | None = None

    @classmethod
    def of(cls, result: CaseAppraisal) -> OptionFigures:
        """The headline figures of an appraisal."""
        return cls(
            result.pv_costs,
            result.pv_benefits,
            result.pv_fiscal,
            result.npsv,
            result.bcr,
            result.vfm_category,
        )


@attrs.frozen
class OptionResult:
    """One option of a case: its figures appraised on its own, and incremental to business as
    usual (its flows less business as usual's, method §18); for a case without options, the
    one implied option, whose incremental figures are its own."""

    id: str
    title: str
    own: OptionFigures
    incremental: OptionFigures
    preferred: bool
    business_as_usual: bool = False
    description: str = ""
    #: The option's cohort lines, with its costs per participant and per success.
    cohorts: tuple[CohortFigures, ...] = ()

    @property
    def pv_costs(self) -> Decimal:
        return self.own.pv_costs

    @property
    def pv_benefits(self) -> Decimal:
        return self.own.pv_benefits

    @property
    def npsv(self) -> Decimal:
        return self.own.npsv

    @property
    def bcr(self) -> float | None:
        return self.own.bcr


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
    lines: tuple[LineResult, ...] = ()
    npsv: Decimal = attrs.field()
    net_budget_impact: Decimal = attrs.field()
    _period: Period | None = attrs.field(default=None, eq=False, repr=False, alias="period")
    #: Where the case stands (draft, proposed, approved, ...); decides whether it counts in the
    #: programme totals.
    status: str = "proposed"
    #: Payback counting cashable fiscal benefits only (budgets actually released) against the
    #: costs: what a budget holder can bank on.
    cashable_payback_year: FinancialYear | None = None
    cashable_payback_years: float | None = None
    #: Transfers: in the fiscal figures, payback and budget measures; not in ``pv_benefits``,
    #: ``npsv``, ``bcr`` or the value-for-money category.
    pv_transfers: Decimal = Decimal(0)
    #: A case with options: each option's result, in the case file's order (see ``options``).
    option_results: tuple[OptionResult, ...] = ()
    #: Why the preferred option may not be the one to choose: set when another option has a
    #: higher NPSV and the case gives no ``preferred_reason`` (method §18).
    options_warning: str | None = None

    @property
    def options(self) -> tuple[OptionResult, ...]:
        """Every option of the case, in file order; for a case without options, the one
        implied option (the case's own lines, against an implied counterfactual)."""
        if self.option_results:
            return self.option_results
        figures = OptionFigures.of(self)
        cohorts = cohort_figures(self.lines, self.pv_costs)
        return (OptionResult(self.id, self.title, figures, figures, True, cohorts=cohorts),)

    @property
    def preferred_option(self) -> OptionResult:
        return next(option for option in self.options if option.preferred)

    @property
    def cohorts(self) -> tuple[CohortFigures, ...]:
        """The preferred option's cohort lines: participants, successes, and the option's own
        PV costs per participant and per success."""
        return self.preferred_option.cohorts

    @npsv.default
    def _npsv(self) -> Decimal:
        """Net present social value: PV benefits less PV costs."""
        return self.pv_benefits - self.pv_costs

    @net_budget_impact.default
    def _net_budget_impact(self) -> Decimal:
        """PV of fiscal benefits less PV of costs: the effect on public budgets."""
        return self.pv_fiscal - self.pv_costs

    @property
    def flows(self) -> tuple[Flow, ...]:
        """One :class:`Flow` per year of the appraisal period, added up from the lines' values
        when asked for (a result kept for its headline figures does not hold them)."""
        period = self._period
        if period is None:
            return ()
        n = len(period.years)
        sums = {key: [ZERO] * n for key in ("costs", "benefits", "transfers", *VALUE_TYPES)}
        with exact():
            for line in self.lines:
                if line.kind == "cost":
                    targets = (sums["costs"],)
                elif line.transfer:
                    targets = (sums["transfers"], sums["fiscal"])
                else:
                    targets = (sums["benefits"], sums[line.value_type or "fiscal"])
                for k, value in enumerate(_by_offset(line.values, period.years)):
                    if value is not None:
                        for target in targets:
                            target[k] += value
        return tuple(
            Flow(
                year=period.years[k],
                t=period.shift + k,
                discount_factor=period.factors[k],
                costs=sums["costs"][k],
                costs_unadjusted=period.costs_unadjusted[k],
                benefits=sums["benefits"][k],
                fiscal=sums["fiscal"][k],
                economic=sums["economic"][k],
                social=sums["social"][k],
                transfers=sums["transfers"][k],
            )
            for k in range(n)
        )


def cohort_figures(lines, pv_costs: Decimal) -> tuple[CohortFigures, ...]:
    """The cohort figures of ``lines`` (one option's, not counterfactual) at ``pv_costs``."""
    return tuple(
        CohortFigures(
            line.id,
            line.cohort.participants_total,
            line.cohort.engaged_total,
            line.cohort.successes_total,
            pv_costs,
        )
        for line in lines
        if line.cohort is not None and not line.counterfactual
    )


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
    pv_transfers: Decimal | None = None
    #: The statuses of the cases counted in these totals (the others are appraised and listed,
    #: not added).
    statuses_included: tuple[str, ...] = ()


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

    @property
    def counted(self) -> tuple[CaseAppraisal, ...]:
        """The cases the totals count: those whose status is in ``totals.statuses_included``."""
        included = set(self.totals.statuses_included)
        return tuple(case for case in self.cases if case.status in included)

    @property
    def not_counted(self) -> tuple[CaseAppraisal, ...]:
        """The cases appraised and listed but left out of the totals, by their status."""
        included = set(self.totals.statuses_included)
        return tuple(case for case in self.cases if case.status not in included)

    def case(self, case_id: str) -> CaseAppraisal:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)

    def to_dict(self) -> dict[str, Any]:
        """The appraisal as the JSON contract's object (docs/method.md, section 13), without
        ``evidence_tables``: exactly ``totalplace_cases.to_dict(appraisal)``, which writes it.

        Kept for code written as ``totalplace_cases.appraise(...).to_dict()`` before the JSON
        moved to :mod:`totalplace_cases.reports.json`.
        """
        # Set whenever an appraisal can exist: importing this module imports the package first.
        assert _json_writer is not None, "totalplace_cases sets the JSON writer at import"
        return _json_writer(self)
