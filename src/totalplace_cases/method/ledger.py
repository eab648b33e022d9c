"""The ledger of one case: every flow, by year, agency, value type, cashability and transfer.

The appraisal fills the ledger line by line (one posting per cost line, one per agency sharing a
benefit line, two per realignment) and then reads every figure of the case out of it: present
values by agency and by kind, undiscounted flows by year, the payback position. Years here are
plain integers, offsets from the case's first year; discount factors come as a tuple indexed the
same way, so the arithmetic never touches a :class:`~totalplace_cases.periods.FinancialYear`.

Each discounted term is quantized to :data:`~.precision.TERM` as it is posted, so every sum the
ledger gives is exact, in any grouping (method §8, §12).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from .precision import TERM, ZERO

__all__ = ["COST", "COST_UNADJUSTED", "Ledger", "Posting", "present_value"]

#: Kinds of posting.
COST = "cost"  # after optimism bias
COST_UNADJUSTED = "cost_unadjusted"  # before it
BENEFIT = "benefit"  # after the benefit chain, one posting per agency sharing the line
REALIGNED = "realigned"  # budget moved to (positive) or from (negative) an agency

Values = Mapping[int, Decimal]


def present_value(values: Values, factors: Sequence[Decimal]) -> Decimal:
    """``Σ_k (value_k × factor_k)``, each term kept to 1e-12 of a pound (call in :func:`exact`)."""
    total = ZERO
    for k, value in values.items():
        total += (value * factors[k]).quantize(TERM)
    return total


class Posting:
    """One flow of the ledger: an amount by year for one agency, with its present value."""

    __slots__ = ("agency", "cashable", "factors", "kind", "pv", "transfer", "value_type", "values")

    def __init__(
        self,
        kind: str,
        agency: str,
        values: Values,
        pv: Decimal,
        value_type: str | None = None,
        cashable: bool = False,
        transfer: bool = False,
        factors: Sequence[Decimal] = (),
    ):
        self.kind = kind
        self.agency = agency
        self.values = values
        self.pv = pv
        self.value_type = value_type
        self.cashable = cashable
        self.transfer = transfer
        self.factors = factors  # a line with its own schedule (method §3) has its own

    def negated(self) -> Posting:
        """The same flow with the opposite sign (exactly: its present value's terms are
        rounded half to even, which is symmetric about zero)."""
        return Posting(
            self.kind,
            self.agency,
            {k: -value for k, value in self.values.items()},
            -self.pv,
            self.value_type,
            self.cashable,
            self.transfer,
            self.factors,
        )


class Ledger:
    """The postings of one case of ``years`` years, discounted with ``factors`` by default."""

    __slots__ = ("factors", "postings", "years")

    def __init__(self, years: int, factors: Sequence[Decimal]):
        self.years = years
        self.factors = factors
        self.postings: list[Posting] = []

    def post(
        self,
        kind: str,
        agency: str,
        values: Values,
        *,
        value_type: str | None = None,
        cashable: bool = False,
        transfer: bool = False,
        factors: Sequence[Decimal] | None = None,
    ) -> Decimal:
        """Record ``values`` (offset -> amount) for ``agency``; returns their present value."""
        factors = self.factors if factors is None else factors
        pv = present_value(values, factors)
        self.postings.append(
            Posting(kind, agency, values, pv, value_type, cashable, transfer, factors)
        )
        return pv

    def less(self, other: Ledger) -> Ledger:
        """A ledger of this one's postings and ``other``'s with the opposite sign: one option's
        flows less business as usual's, from which its incremental figures are read (§18)."""
        combined = Ledger(self.years, self.factors)
        combined.postings = [*self.postings, *(p.negated() for p in other.postings)]
        return combined

    def realign(self, giver: str, taker: str, values: Values) -> Decimal:
        """Budget moved from ``giver`` to ``taker``: what one loses the other gains, exactly."""
        moved = present_value(values, self.factors)
        self.postings.append(Posting(REALIGNED, taker, values, moved))
        self.postings.append(Posting(REALIGNED, giver, {}, -moved))
        return moved

    def pv(self, kind: str, **match: object) -> Decimal:
        """The present value of every posting of ``kind`` whose attributes equal ``match``."""
        return sum((p.pv for p in self._matching(kind, match)), ZERO)

    def by_agency(self) -> dict[str, list[Posting]]:
        """Postings grouped by agency, in order of agency id."""
        groups: dict[str, list[Posting]] = {}
        for posting in self.postings:
            groups.setdefault(posting.agency, []).append(posting)
        return dict(sorted(groups.items()))

    def yearly(self, kind: str, **match: object) -> list[Decimal]:
        """By year, the undiscounted sum of the postings of ``kind`` matching ``match``."""
        totals = [ZERO] * self.years
        for posting in self._matching(kind, match):
            for k, value in posting.values.items():
                totals[k] += value
        return totals

    def discounted_yearly(self, kind: str, **match: object) -> list[Decimal]:
        """By year, the present value of the postings of ``kind`` matching ``match``: their
        undiscounted sum times the year's factor, kept to 1e-12 (per schedule, where a line has
        its own, and then added)."""
        by_schedule: dict[int, tuple[Sequence[Decimal], list[Decimal]]] = {}
        for posting in self._matching(kind, match):
            group = by_schedule.get(id(posting.factors))
            if group is None:
                group = by_schedule[id(posting.factors)] = (posting.factors, [ZERO] * self.years)
            sums = group[1]
            for k, value in posting.values.items():
                sums[k] += value
        totals = [ZERO] * self.years
        for factors, sums in by_schedule.values():
            for k in range(self.years):
                totals[k] += (sums[k] * factors[k]).quantize(TERM)
        return totals

    def _matching(self, kind: str, match: Mapping[str, object]) -> Iterable[Posting]:
        for posting in self.postings:
            if posting.kind == kind and all(getattr(posting, k) == v for k, v in match.items()):
                yield posting
