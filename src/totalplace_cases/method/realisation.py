"""Benefits realisation: plan against actual, RAG and forecast outturn (pure arithmetic, no I/O).

The plan of a benefit line is its yearly value as the appraisal computes it (real terms at the
price base, undiscounted, after adjustments), frozen to the penny and, for a line measured
quarterly, split evenly into quarters (the pence that do not divide go to the last quarter, so
that the quarters add up to the year exactly). Actuals and forecasts are whole pence. Everything
here adds integers of pence, so totals reconcile exactly; percentages are exact decimals, rounded
only when shown.

RAG compares achievement with plan: green at ``green`` (default 95%) of plan or more, amber from
``amber`` (80%) up to green, red below. For a dis-benefit (a negative plan) the same tolerances
apply to how far the outcome is worse than planned: achievement is ``1 + (actual - plan) / |plan|``,
which is ``actual / plan`` for an ordinary benefit. A line with a period that is due and has no
actual is ``no-data`` whatever its figures.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

import attrs

from ..display import shown
from ..models import Tolerances
from ..periods import FinancialYear, PeriodError, Quarter, parse_quarter, parse_year

__all__ = [
    "RAGS",
    "LinePlan",
    "LineStatus",
    "Period",
    "Total",
    "achievement",
    "line_status",
    "parse_period",
    "period_end",
    "periods_of",
    "plan_by_period",
    "pounds",
    "rag",
    "to_pence",
    "totals",
]

Period = FinancialYear | Quarter
RAGS: tuple[str, ...] = ("green", "amber", "red", "no-data")
HUNDRED = Decimal(100)
_QUARTER = re.compile(r"\s+Q[1-4]\s*$", re.IGNORECASE)


@functools.lru_cache(maxsize=65536)
def parse_period(text: object) -> Period:
    """A financial year (``2011-12``) or a quarter of one (``2011-12 Q3``)."""
    if isinstance(text, FinancialYear | Quarter):
        return text
    # Only short text is searched: the pattern would take quadratic time over a long cell.
    if isinstance(text, str) and len(text) <= 40 and _QUARTER.search(text):
        return parse_quarter(text)
    try:
        return parse_year(text)
    except PeriodError:
        found = (
            f'"{shown(text)}"' if isinstance(text, str) else f"{type(text).__name__} {shown(text)}"
        )
        raise PeriodError(
            f'expected a period written like "2011-12" or "2011-12 Q3", found {found}'
        ) from None


_QUARTER_ENDS = {1: (0, 6, 30), 2: (0, 9, 30), 3: (0, 12, 31), 4: (1, 3, 31)}


@functools.lru_cache(maxsize=65536)
def period_end(period: Period | str) -> _dt.date:
    """The last day of a year (31 March) or a quarter (30 June, 30 September, 31 December,
    31 March), given as a period or as its text."""
    if isinstance(period, str):
        period = parse_period(period)
    if isinstance(period, Quarter):
        years, month, day = _QUARTER_ENDS[period.number]
        return _dt.date(period.year.start_year + years, month, day)
    return _dt.date(period.start_year + 1, 3, 31)


def periods_of(years: Iterable[FinancialYear], frequency: str) -> list[Period]:
    """The periods in which a line measured ``annual``-ly or ``quarterly`` is recorded."""
    if frequency == "quarterly":
        return [quarter for year in years for quarter in year.quarters()]
    return list(years)


def to_pence(amount: Decimal) -> int:
    """Pounds to whole pence, half-up (away from zero on a tie)."""
    return int((amount * HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pounds(pence: int) -> Decimal:
    """Whole pence as pounds, exactly."""
    return Decimal(pence) / HUNDRED


def plan_by_period(
    values: Mapping[FinancialYear, Decimal], years: Iterable[FinancialYear], frequency: str
) -> dict[str, int]:
    """A line's plan in pence for every period of ``years``, keyed by the period as written
    (``2011-12`` or ``2011-12 Q3``, which sort in time order): zero where it has no value."""
    plan: dict[str, int] = {}
    for year in years:
        pence = to_pence(values.get(year, Decimal(0)))
        if frequency != "quarterly":
            plan[str(year)] = pence
            continue
        part = abs(pence) // 4 * (1 if pence >= 0 else -1)
        for quarter in year.quarters():
            plan[str(quarter)] = part if quarter.number < 4 else pence - 3 * part
    return plan


@attrs.frozen
class LinePlan:
    """What a benefit line promises, and what status reports need to know about it."""

    case: str
    benefit: str
    agency: str
    group: str  # the case's category: Kent's counting groups
    value_type: str
    cashable: bool
    frequency: str
    plan: Mapping[str, int]  # pence by period ("2011-12", "2011-12 Q3"), every period of the case
    tolerances: Tolerances = attrs.field(factory=Tolerances)
    owner: str | None = None
    measure: str | None = None
    original_plan: Mapping[str, int] | None = None  # the first baseline, when re-baselined
    baseline: str | None = None  # when the plan was frozen (None: read from the case file)
    #: The share of the line's value that is cashable, 0 to 1 (1 or 0 from ``cashable`` when
    #: not given): a partly cashable line is ``cashable`` with a share below 1.
    cashable_share: Decimal = attrs.field(
        default=attrs.Factory(
            lambda line: Decimal(1) if line.cashable else Decimal(0), takes_self=True
        )
    )

    @property
    def category(self) -> str:
        """The benefit category: cashable, non-cashable, economic or social."""
        if self.value_type == "fiscal":
            return "cashable" if self.cashable else "non-cashable"
        return self.value_type


@attrs.frozen
class LineStatus:
    """Plan against actual for one benefit line, to the end of the reporting period."""

    line: LinePlan
    plan_to_date: int
    actual_to_date: int
    forecast_outturn: int
    plan_total: int
    rag: str
    periods_due: int
    missing: tuple[str, ...]
    original_plan_to_date: int | None = None

    @property
    def variance(self) -> int:
        return self.actual_to_date - self.plan_to_date

    @property
    def achievement(self) -> Decimal | None:
        return achievement(self.plan_to_date, self.actual_to_date)

    @property
    def dis_benefit(self) -> bool:
        return self.plan_total < 0


def achievement(plan: int, actual: int) -> Decimal | None:
    """How much of plan was achieved, as a fraction: ``1 + (actual - plan) / |plan|``.

    For a benefit (plan above zero) this is ``actual / plan``; for a dis-benefit it falls below 1
    as the outcome gets worse than planned. ``None`` when nothing was planned.
    """
    if plan == 0:
        return None
    return 1 + Decimal(actual - plan) / Decimal(abs(plan))


def rag(plan: int, actual: int, tolerances: Tolerances, *, missing: bool = False) -> str:
    """``green``, ``amber``, ``red`` or ``no-data`` for a plan and an actual to date."""
    if missing:
        return "no-data"
    level = achievement(plan, actual)
    if level is None:  # nothing planned: on plan unless the outcome is a loss
        return "green" if actual >= 0 else "red"
    if level >= tolerances.green:
        return "green"
    if level >= tolerances.amber:
        return "amber"
    return "red"


def line_status(
    line: LinePlan,
    actuals: Mapping[str, int],
    forecasts: Mapping[str, int],
    reporting_end: _dt.date,
) -> LineStatus:
    """Status of one line to ``reporting_end`` (the last day of the reporting period).

    A period is due when it has ended by then and the plan has started (a period at or after the
    first one with a value). Actual to date adds the latest actual of every period that has ended;
    forecast outturn adds, for every period of the case, its actual (if ended), else its latest
    forecast, else its plan.
    """
    started = False
    plan_to_date = actual_to_date = outturn = due = 0
    missing: list[str] = []
    for period, planned in line.plan.items():
        started = started or planned != 0
        ended = period_end(period) <= reporting_end
        actual = actuals.get(period) if ended else None
        if ended:
            plan_to_date += planned
            if actual is not None:
                actual_to_date += actual
            if started:
                due += 1
                if actual is None:
                    missing.append(period)
        outturn += actual if actual is not None else forecasts.get(period, planned)
    original = None
    if line.original_plan is not None:
        original = sum(v for p, v in line.original_plan.items() if period_end(p) <= reporting_end)
    return LineStatus(
        line=line,
        plan_to_date=plan_to_date,
        actual_to_date=actual_to_date,
        forecast_outturn=outturn,
        plan_total=sum(line.plan.values()),
        rag=rag(plan_to_date, actual_to_date, line.tolerances, missing=bool(missing)),
        periods_due=due,
        missing=tuple(missing),
        original_plan_to_date=original,
    )


@attrs.frozen
class Total:
    """Lines added up under one key (a case, a category, an agency, a group, or everything)."""

    key: str
    lines: int
    plan_to_date: int
    actual_to_date: int
    forecast_outturn: int
    plan_total: int
    rag: str
    rag_counts: Mapping[str, int]

    @property
    def variance(self) -> int:
        return self.actual_to_date - self.plan_to_date

    @property
    def achievement(self) -> Decimal | None:
        return achievement(self.plan_to_date, self.actual_to_date)


def totals(
    statuses: Sequence[LineStatus],
    key: Callable[[LineStatus], str],
    tolerances: Tolerances,
) -> list[Total]:
    """Totals by ``key``, in order of first appearance. A total with a line lacking data is
    ``no-data``; otherwise its RAG is that of its summed plan and actual."""
    groups: dict[str, list[LineStatus]] = {}
    for status in statuses:
        groups.setdefault(key(status), []).append(status)
    result = []
    for name, members in groups.items():
        plan = sum(s.plan_to_date for s in members)
        actual = sum(s.actual_to_date for s in members)
        counts = {r: sum(1 for s in members if s.rag == r) for r in RAGS}
        result.append(
            Total(
                key=name,
                lines=len(members),
                plan_to_date=plan,
                actual_to_date=actual,
                forecast_outturn=sum(s.forecast_outturn for s in members),
                plan_total=sum(s.plan_total for s in members),
                rag=rag(plan, actual, tolerances, missing=counts["no-data"] > 0),
                rag_counts=counts,
            )
        )
    return result
