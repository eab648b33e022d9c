"""Efficiency gains against the baseline: what the cases in delivery save, set beside the spend.

Each cashable benefit line of a case approved or later (status ``approved``, ``in-delivery`` or
``closed``: :data:`GAINS_STATUSES`) that names the spend it ``reduces`` (any of agency, category
and theme) is set against that part of the count. Lines that reduce the same spend form one row:
its baseline (the count's total of the matching lines in the baseline year), the gains by year, and
the largest year's gains as a share of the baseline. A row whose gains exceed its baseline in any
year is flagged: a case cannot save more than is spent. Cashable lines that name nothing they
reduce (a capital receipt, say) are gathered as ``unassigned``; the programme total includes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from ..models import Reduces
from ..periods import FinancialYear
from .count import ZERO, Count, share

__all__ = ["GAINS_STATUSES", "GainLine", "GainRow", "Gains", "gains_against"]

#: The case statuses whose gains are set against the baseline: approved and later. Narrower
#: than :data:`totalplace_cases.models.COUNTED_STATUSES`, the statuses the appraisal's totals
#: count (every one but rejected and withdrawn): a proposed case is appraised, but saves nothing
#: yet.
GAINS_STATUSES: tuple[str, ...] = ("approved", "in-delivery", "closed")


@attrs.frozen
class GainLine:
    """One cashable benefit line's gains by year, and the spend it reduces."""

    case: str
    line: str
    reduces: Reduces | None
    gains: Mapping[FinancialYear, Decimal]


def _add_years(rows: Iterable[Mapping[FinancialYear, Decimal]]) -> dict[FinancialYear, Decimal]:
    totals: dict[FinancialYear, Decimal] = {}
    for row in rows:
        for year, amount in row.items():
            totals[year] = totals.get(year, ZERO) + amount
    return dict(sorted(totals.items()))


@attrs.frozen
class GainRow:
    """The gains of every line that reduces the same spend, against that spend."""

    agency: str | None
    category: str | None
    theme: str | None
    baseline: Decimal
    gains: Mapping[FinancialYear, Decimal]
    lines: tuple[tuple[str, str], ...] = ()

    @property
    def peak(self) -> Decimal:
        """The largest year's gains."""
        return max(self.gains.values(), default=ZERO)

    @property
    def share(self) -> Decimal | None:
        """The largest year's gains as a fraction of the baseline (None for no baseline)."""
        return share(self.peak, self.baseline)

    @property
    def exceeds_baseline(self) -> bool:
        return any(amount > self.baseline for amount in self.gains.values())


@attrs.frozen
class Gains:
    """Every row of gains against the baseline year's spend, the lines set against nothing
    (``unassigned``, whose baseline is zero), and the programme's total."""

    year: FinancialYear | None
    rows: tuple[GainRow, ...]
    unassigned: GainRow
    total: GainRow


def _matches(reduces: Reduces, agency: str, category: str, theme: str) -> bool:
    return (
        reduces.agency in (None, agency)
        and reduces.category in (None, category)
        and reduces.theme in (None, theme)
    )


def gains_against(
    count: Count, lines: Iterable[GainLine], year: FinancialYear | None = None
) -> Gains:
    """The gains of ``lines`` against ``count``'s spend in ``year`` (default: its last year)."""
    if year is None and count.years:
        year = count.years[-1]
    spend = count.for_year(year).total_by("agency", "category", "theme") if year else {}
    lines = list(lines)
    groups: dict[tuple, list[GainLine]] = {}
    for line in lines:
        r = line.reduces
        if r is not None:
            groups.setdefault((r.agency, r.category, r.theme), []).append(line)
    loose = [line for line in lines if line.reduces is None]
    unassigned = GainRow(
        None,
        None,
        None,
        ZERO,
        _add_years(m.gains for m in loose),
        tuple((m.case, m.line) for m in loose),
    )

    def baseline(r: Reduces) -> Decimal:
        return sum((v for k, v in spend.items() if _matches(r, *k)), ZERO)

    rows = []
    for (agency, category, theme), members in sorted(groups.items(), key=lambda g: _order(g[0])):
        reduces = Reduces(agency, category, theme)
        rows.append(
            GainRow(
                agency,
                category,
                theme,
                baseline(reduces),
                _add_years(m.gains for m in members),
                tuple((m.case, m.line) for m in members),
            )
        )
    total = GainRow(
        None,
        None,
        None,
        sum(spend.values(), ZERO),
        _add_years(m.gains for m in lines),
        tuple((m.case, m.line) for m in lines),
    )
    return Gains(year, tuple(rows), unassigned, total)


def _order(key: tuple) -> tuple:
    return tuple("" if part is None else part for part in key)
