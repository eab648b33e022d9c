"""Checking entries before they reach the register: references, periods, money and text.

Whatever the source (a command line, a CSV or Excel row), an entry is checked against what the
register tracks for its case: the case's latest baseline, or its case file when it has none.
A bad field is a :class:`~totalplace_cases.errors.Problem` naming the file, line and field, and
nothing is written while any remains.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import attrs

from ...display import shown
from ...errors import Problem
from ...models import Programme
from ...money import PENNY, MoneyError, parse_money
from ...periods import FinancialYear, PeriodError, Quarter, parse_year
from .store import Baseline, NewEntry

__all__ = [
    "KINDS",
    "MAX_AMOUNT",
    "CaseRefs",
    "EntryChecker",
    "RawEntry",
]

KINDS = ("actual", "forecast")
#: The largest amount an entry may hold: a trillion pounds, far above any programme's.
MAX_AMOUNT = Decimal("1000000000000")
MAX_TEXT = 10_000
MAX_NAME = 200


@attrs.frozen
class CaseRefs:
    """What entries for one case may name: its benefit lines, their frequency, its years."""

    case: str
    start: FinancialYear
    years: int
    frequencies: Mapping[str, str]  # benefit id -> "annual" | "quarterly"

    @property
    def end(self) -> FinancialYear:
        return self.start + (self.years - 1)


def refs_of(programme: Programme, baselines: Iterable[Baseline]) -> dict[str, CaseRefs]:
    """Every case entries may be recorded for: from its latest baseline, else its case file."""
    refs = {
        case.id: CaseRefs(
            case.id,
            case.start,
            case.years,
            {b.id: b.frequency for b in case.preferred_option.benefits},
        )
        for case in programme.cases
    }
    for baseline in baselines:  # oldest first, so the latest wins
        refs[baseline.case] = CaseRefs(
            baseline.case,
            parse_year(baseline.start),
            baseline.years,
            {line.benefit: line.frequency for line in baseline.lines},
        )
    return refs


@attrs.frozen
class RawEntry:
    """An entry as written by its author, before checking; ``line`` is where it was read."""

    case: object
    benefit: object
    period: object
    amount: object
    evidence: object
    kind: object = "actual"
    source: object = ""
    recorded_by: object = ""
    supersedes: object = None
    reason: object = None
    file: Path | str | None = None
    line: int | None = None


class EntryChecker:
    """Checks raw entries against the cases a register tracks; collects every problem."""

    def __init__(self, refs: Mapping[str, CaseRefs], *, default_by: str):
        self.refs = refs
        self.default_by = default_by
        # Imports repeat the same few cases, benefits and periods: check each once.
        self._periods: dict[tuple, tuple[str | None, list[tuple[str, str]]]] = {}

    def _period(self, value: object, refs: CaseRefs | None, frequency: str | None, benefit):
        key = (refs.case if refs else None, frequency, value) if isinstance(value, str) else None
        known = self._periods.get(key) if key is not None else None
        if known is not None:
            return known
        messages: list[tuple[str, str]] = []
        period = _period(value, refs, frequency, benefit, lambda f, m: messages.append((f, m)))
        if key is not None and not messages:  # a failure names the benefit: not shared
            self._periods[key] = (period, messages)
        return period, messages

    def check(self, raw: RawEntry, problems: list[Problem]) -> NewEntry | None:
        """The entry to record, or None with its problems appended to ``problems``."""
        found: list[Problem] = []

        def problem(field: str, message: str) -> None:
            found.append(Problem(message, file=raw.file, line=raw.line, field=field))

        case = _name(raw.case, "case", problem)
        benefit = _name(raw.benefit, "benefit", problem)
        refs = self.refs.get(case) if case is not None else None
        if case is not None and refs is None:
            problem("case", f'unknown case "{case}"; {_known("cases", self.refs)}')
        frequency = None
        if refs is not None and benefit is not None:
            frequency = refs.frequencies.get(benefit)
            if frequency is None:
                problem(
                    "benefit",
                    f'case "{case}" has no benefit "{benefit}"; '
                    f"{_known('its benefits', refs.frequencies)}",
                )
        period, messages = self._period(raw.period, refs, frequency, benefit)
        for field, message in messages:
            problem(field, message)
        amount = _amount(raw.amount, problem)
        kind = raw.kind if raw.kind not in (None, "") else "actual"
        if kind not in KINDS:
            problem("kind", f"expected actual or forecast, found {_show(kind)}")
        evidence = _text(raw.evidence, "evidence", problem, required=True, limit=MAX_TEXT)
        source = _text(raw.source, "source", problem, limit=MAX_TEXT, lines=False)
        by = _text(raw.recorded_by, "recorded_by", problem, limit=MAX_NAME, lines=False)
        supersedes, reason = _correction(raw.supersedes, raw.reason, problem)
        if found:
            problems.extend(found)
            return None
        assert case and benefit and period and amount is not None and evidence
        return NewEntry(
            case=case,
            benefit=benefit,
            period=period,
            kind=str(kind),
            amount=amount,
            evidence=evidence,
            source=source or "",
            recorded_by=by or self.default_by,
            supersedes=supersedes,
            reason=reason,
        )


def _show(value: object) -> str:
    if value is None:  # a workbook's empty cell
        return "nothing"
    return f'"{shown(value)}"' if isinstance(value, str) else shown(value)


def _known(what: str, names: Iterable[str]) -> str:
    names = sorted(names)
    if not names:
        return f"there are no {what.split()[-1]}"
    shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    return f"{what}: {shown}"


def _name(value: object, field: str, problem) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= MAX_NAME and value.isprintable():
        text = value.strip()
        if text:
            return text
    if not isinstance(value, str) or not value.strip():
        problem(field, f"expected a {field} id, found {_show(value) if value else 'nothing'}")
        return None
    text = value.strip()
    if len(text) > MAX_NAME or not text.isprintable():
        problem(field, f"expected a {field} id, found {_show(value)}")
        return None
    return text


@functools.lru_cache(maxsize=4096)
def _parse_period(text: str) -> FinancialYear | Quarter:
    from ...method.realisation import parse_period

    return parse_period(text)


def _period(value: object, refs: CaseRefs | None, frequency: str | None, benefit, problem):
    if isinstance(value, _dt.date):
        problem(
            "period",
            f'expected a period written like "2011-12" or "2011-12 Q3", found the date {value}: '
            "Excel turned the period into a date; format the period column as text",
        )
        return None
    if not isinstance(value, str):
        problem(
            "period",
            f'expected a period written like "2011-12" or "2011-12 Q3", found {_show(value)}',
        )
        return None
    try:
        period = _parse_period(value.strip())
    except PeriodError as exc:
        problem("period", str(exc))
        return None
    year = period.year if isinstance(period, Quarter) else period
    if refs is not None and not refs.start <= year <= refs.end:
        problem(
            "period",
            f'{period} is outside case "{refs.case}"\'s years, {refs.start} to {refs.end}',
        )
        return None
    if frequency == "quarterly" and not isinstance(period, Quarter):
        problem(
            "period",
            f'benefit "{benefit}" is measured quarterly (frequency = "quarterly"); '
            f'give a quarter like "{period} Q1", found the year {period}',
        )
        return None
    if frequency == "annual" and isinstance(period, Quarter):
        problem(
            "period",
            f'benefit "{benefit}" is measured annually; give the year "{period.year}", found the '
            f'quarter {period} (set frequency = "quarterly" on the line to record quarters)',
        )
        return None
    return str(period)


def _amount(value: object, problem) -> int | None:
    if value is None:  # a workbook's empty cell (or a formula whose value was never saved)
        problem("amount", "expected an amount of money, found an empty cell")
        return None
    try:
        amount = parse_money(value)
    except MoneyError as exc:
        problem("amount", str(exc))
        return None
    if not amount.is_finite() or amount != amount.quantize(PENNY):
        problem("amount", f"expected pounds and pence (at most two decimals), found {amount}")
        return None
    if abs(amount) >= MAX_AMOUNT:
        problem("amount", f"expected an amount under £1,000,000,000,000, found {amount}")
        return None
    return int(amount * 100)


def _text(
    value: object, field: str, problem, *, required: bool = False, limit: int, lines: bool = True
) -> str | None:
    if value is None or value == "":
        if required:
            problem(field, f"expected some text: {field} is required")
        return None
    if not isinstance(value, str):
        value = str(value)
    allowed = "\n\t" if lines else ""
    if not value.isprintable() and any(not c.isprintable() and c not in allowed for c in value):
        problem(field, f"expected text without control characters, found {_show(value)}")
        return None
    if len(value) > limit:
        problem(field, f"expected at most {limit:,} characters, found {len(value):,}")
        return None
    text = value.strip()
    if required and not text:
        problem(field, f"expected some text: {field} is required")
        return None
    return text


def _correction(supersedes: object, reason: object, problem) -> tuple[int | None, str | None]:
    if supersedes in (None, ""):
        if reason not in (None, ""):
            problem("reason", "a reason goes with a correction: give the entry it supersedes")
        return None, None
    number = supersedes
    if isinstance(supersedes, str) and supersedes.strip().isdigit():
        number = int(supersedes.strip())
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        problem("supersedes", f"expected an entry id (a whole number), found {_show(supersedes)}")
        return None, None
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        problem("reason", "a correction needs a reason (--reason TEXT)")
        return None, None
    text = _text(reason, "reason", problem, limit=MAX_TEXT)
    return (number, text) if text else (None, None)
