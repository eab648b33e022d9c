"""How long an appraisal takes, against a plain-float reference computed in the same run.

Run on demand: ``python benchmarks/bench_appraisal.py``. It times (1) appraising the bundled
Kent programme and (2) a large synthetic case (50 cost and 50 benefit lines over 400 years),
and, as the reference, the same discounting done with floats in a bare loop. The printed ratio
(exact decimal appraisal / float reference) is what to watch between versions: the machine's
speed cancels out.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import totalplace_cases as tp
from totalplace_cases.plugins import load_rules, rules_for

REPO = Path(__file__).resolve().parents[1]


def best_of(runs: int, work) -> float:
    """The fastest of ``runs`` timings of ``work()``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def synthetic_case(lines: int = 50, years: int = 400) -> tp.BusinessCase:
    start = tp.FinancialYear(2010)
    profile = {start + t: Decimal(1_000_000 + 37 * t) for t in range(years)}
    costs = [tp.CostLine(agency=f"a{i % 7}", kind="revenue", amounts=profile) for i in range(lines)]
    benefits = [
        tp.BenefitLine(id=f"b{i}", agency=f"a{i % 5}", value_type="fiscal", amounts=profile,
                       deadweight=Decimal("0.1"))
        for i in range(lines)
    ]  # fmt: skip
    return tp.BusinessCase(id="big", title="Big", category="community", start=start,
                           years=years, costs=costs, benefits=benefits)  # fmt: skip


def float_reference(case: tp.BusinessCase) -> float:
    """PV of every line with float factors: the cheapest possible version of the same sums."""
    factors, d = [], 1.0
    for t in range(case.years):
        if t:
            d /= 1.035 if t <= 30 else 1.03 if t <= 75 else 1.025 if t <= 125 else 1.02
        factors.append(d)
    total = 0.0
    for line in (*case.costs, *case.benefits):
        for year, amount in line.amounts.items():
            total += float(amount) * factors[year - case.start]
    return total


def main() -> None:
    rules = load_rules(entry_points=False)
    kent = tp.load(REPO / "cases" / "kent")
    kent_rules = rules_for(kent.plugins)
    big = synthetic_case()
    tp.appraise(big, rules=rules)  # warm the discount-factor cache

    kent_time = best_of(5, lambda: tp.appraise(kent, rules=kent_rules))
    big_time = best_of(3, lambda: tp.appraise(big, rules=rules))
    reference = best_of(3, lambda: float_reference(big))
    print(f"appraise cases/kent ({len(kent.cases)} cases):   {kent_time * 1000:8.1f} ms")
    print(f"appraise 100 lines x 400 years:       {big_time * 1000:8.1f} ms")
    print(f"float reference, same 100 x 400 sums: {reference * 1000:8.1f} ms")
    print(f"ratio (exact appraisal / float reference): {big_time / reference:.1f}x")


if __name__ == "__main__":
    main()
