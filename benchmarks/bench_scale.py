"""How the appraisal scales: synthetic programmes of 1,000 and 10,000 cases, against references.

Run on demand (numpy is needed for the numpy reference: ``pip install -e ".[bench]"``)::

    .venv/bin/python benchmarks/bench_scale.py            # 1,000 and 10,000 cases
    .venv/bin/python benchmarks/bench_scale.py 2000 5000  # other sizes

Each case has 2 cost lines and 10 benefit lines over 10 years, built through the public API
(``totalplace_cases.BusinessCase`` and friends) from a seeded generator. In the same run the
present values are computed three ways:

- the library: ``totalplace_cases.appraise`` (the exact Decimal engine, every figure it gives);
- a plain exact-Decimal loop following the same rules (optimism bias, the benefit chain with
  drop-off, discount factors, each discounted term kept to 1e-12 of a pound), with nothing else;
- numpy: the same present values with float64 arrays, built from the same cases (the time
  includes reading the cases into arrays; the array arithmetic alone is printed beside it).

It prints the times (CPU time of this process, the best of a few runs), the ratios of the library
to each reference, the time per case at each size
(linear scaling keeps it flat), whether the three agree to the penny, and the peak memory per
appraised case (traced with tracemalloc in a separate run, the programme built beforehand).
Targets (issue 9.7): at most 10x the Decimal loop at 10,000 cases, linear, under 20 KB a case.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import tracemalloc
from decimal import Decimal, localcontext

import totalplace_cases as tp
from totalplace_cases.method.discounting import PRECISION, schedule_from_rules
from totalplace_cases.plugins import load_rules

YEARS = 10
COST_LINES = 2
BENEFIT_LINES = 10
START = tp.FinancialYear(2010)
TERM = Decimal("1e-12")
PENNY = Decimal("0.01")
AGENCIES = ("county", "district", "police", "health", "dwp")


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _fraction(rng: random.Random, top: int) -> Decimal:
    return Decimal(rng.randrange(top + 1)) / 100


def synthetic_case(rng: random.Random, number: int) -> tp.BusinessCase:
    """Two cost lines, then five benefit lines by amounts and five by volumes x unit value."""
    years = [START + t for t in range(YEARS)]
    costs = [
        tp.CostLine(
            id=f"cost-{i}",
            agency=rng.choice(AGENCIES),
            kind=("capital", "revenue")[i % 2],
            amounts={y: _money(rng, 1_000, 900_000) for y in years[: rng.randint(1, YEARS)]},
            optimism_bias=_fraction(rng, 60),
        )
        for i in range(COST_LINES)
    ]
    benefits = []
    for i in range(BENEFIT_LINES):
        value_type = ("fiscal", "fiscal", "economic", "social")[i % 4]
        valued = (
            {"amounts": {y: _money(rng, 0, 400_000) for y in years}}
            if i % 2 == 0
            else {
                "volumes": {y: Decimal(rng.randrange(0, 500)) for y in years},
                "unit_value": _money(rng, 10, 5_000),
            }
        )
        benefits.append(
            tp.BenefitLine(
                id=f"benefit-{i}",
                agency=rng.choice(AGENCIES),
                value_type=value_type,
                cashable=value_type == "fiscal" and i % 3 == 0,
                deadweight=_fraction(rng, 40),
                attribution=_fraction(rng, 30),
                optimism_bias=_fraction(rng, 20),
                drop_off=_fraction(rng, 10) if i % 5 == 0 else None,
                **valued,
            )
        )
    return tp.BusinessCase(
        id=f"case-{number:05d}",
        title=f"Synthetic case {number}",
        category="community",
        start=START,
        years=YEARS,
        costs=costs,
        benefits=benefits,
    )


def synthetic_programme(cases: int, seed: int = 9) -> tp.Programme:
    rng = random.Random(seed)
    return tp.Programme(
        id=f"scale-{cases}",
        price_base=START,
        discount_base=START,
        agencies=[tp.Agency(id=a) for a in AGENCIES],
        cases=[synthetic_case(rng, n) for n in range(cases)],
    )


# -- the references -----------------------------------------------------------------------------


def _line_values(line: tp.BenefitLine) -> list[Decimal]:
    """A benefit line's value by year, after the benefit chain (the same rules as method §6)."""
    gross = [Decimal(0)] * YEARS
    if line.amounts:
        for year, amount in line.amounts.items():
            gross[year - START] = amount
    else:
        for year, volume in line.volumes.items():
            gross[year - START] = volume * line.unit_value
    zero = Decimal(0)
    factor = (
        (1 - (line.deadweight or zero))
        * (1 - (line.displacement or zero))
        * (1 - (line.attribution or zero))
        * (1 - (line.optimism_bias or zero))
    )
    started = [t for t, value in enumerate(gross) if value != 0]
    first = started[0] if started else YEARS
    drop = line.drop_off or zero
    return [
        value * factor * ((1 - drop) ** (t - first) if drop and t > first else 1)
        for t, value in enumerate(gross)
    ]


def decimal_reference(programme: tp.Programme, factors: list[Decimal]) -> list[tuple]:
    """(PV costs, PV benefits) of each case with plain Decimal loops, exact like the engine."""
    results = []
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for case in programme.cases:
            pv_costs = Decimal(0)
            for line in case.costs:
                uplift = 1 + line.optimism_bias
                for year, amount in line.amounts.items():
                    pv_costs += (amount * uplift * factors[year - START]).quantize(TERM)
            pv_benefits = Decimal(0)
            for line in case.benefits:
                for t, value in enumerate(_line_values(line)):
                    pv_benefits += (value * factors[t]).quantize(TERM)
            results.append((pv_costs, pv_benefits))
    return results


def numpy_arrays(programme: tp.Programme):
    """The cases read into float arrays: costs and benefit values by case and year."""
    import numpy as np

    n = len(programme.cases)
    cost_gross = np.zeros((n, COST_LINES, YEARS))
    uplift = np.zeros((n, COST_LINES, 1))
    gross = np.zeros((n, BENEFIT_LINES, YEARS))
    chain = np.zeros((n, BENEFIT_LINES, 1))
    keep = np.ones((n, BENEFIT_LINES, 1))
    for i, case in enumerate(programme.cases):
        for j, line in enumerate(case.costs):
            uplift[i, j] = 1 + float(line.optimism_bias)
            for year, amount in line.amounts.items():
                cost_gross[i, j, year - START] = float(amount)
        for j, line in enumerate(case.benefits):
            if line.amounts:
                for year, amount in line.amounts.items():
                    gross[i, j, year - START] = float(amount)
            else:
                unit = float(line.unit_value)
                for year, volume in line.volumes.items():
                    gross[i, j, year - START] = float(volume) * unit
            chain[i, j] = (
                (1 - float(line.deadweight or 0))
                * (1 - float(line.displacement or 0))
                * (1 - float(line.attribution or 0))
                * (1 - float(line.optimism_bias or 0))
            )
            keep[i, j] = 1 - float(line.drop_off or 0)
    # Drop-off counts from each line's first year with a value.
    first = np.where(gross.any(axis=2), (gross != 0).argmax(axis=2), YEARS)[..., None]
    since = np.maximum(np.arange(YEARS) - first, 0)
    values = gross * chain * keep**since
    return (cost_gross * uplift).sum(axis=1), values.sum(axis=1)


def numpy_reference(arrays, factors):
    costs, benefits = arrays
    return costs @ factors, benefits @ factors


# -- running ------------------------------------------------------------------------------------


def timed(work, repeat: int) -> tuple[float, object]:
    """The fastest of ``repeat`` runs of ``work()`` in seconds of this process's CPU time (so
    that other work on a shared machine counts less), and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        result = work()
        best = min(best, time.process_time() - start)
    return best, result


def peak_memory(work) -> int:
    """Peak bytes allocated while ``work()`` runs (its result held until it returns)."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak


def agree(engine, reference, tolerance: Decimal) -> tuple[bool, Decimal]:
    """Whether every case's PV costs and PV benefits match a reference's within ``tolerance``."""
    worst = Decimal(0)
    for case, pvs in zip(engine.cases, reference, strict=True):
        for ours, theirs in zip((case.pv_costs, case.pv_benefits), pvs, strict=True):
            exact = Decimal(repr(theirs)) if isinstance(theirs, float) else theirs
            worst = max(worst, abs(ours - exact))
    return worst <= tolerance, worst


def run(sizes: list[int]) -> None:
    import numpy as np

    rules = load_rules(entry_points=False)
    schedule = schedule_from_rules(rules, "green-book")
    factors = list(schedule.factors(YEARS))
    float_factors = np.array([float(f) for f in factors])
    tp.appraise(synthetic_programme(20), rules=rules)  # warm the caches
    per_case: dict[int, float] = {}
    loop_per_case: dict[int, float] = {}
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}; each case "
          f"{COST_LINES} cost + {BENEFIT_LINES} benefit lines x {YEARS} years")  # fmt: skip
    for n in sizes:
        programme = synthetic_programme(n)
        repeat = 3 if n <= 2000 else 2
        engine_time, result = timed(lambda p=programme: tp.appraise(p, rules=rules), repeat)
        loop_time, loop = timed(lambda p=programme: decimal_reference(p, factors), repeat)
        numpy_time, arrays = timed(lambda p=programme: numpy_arrays(p), repeat)
        sums_time, (np_costs, np_benefits) = timed(
            lambda a=arrays: numpy_reference(a, float_factors), max(repeat, 5)
        )
        numpy_time += sums_time
        numpy_pvs = [(float(c), float(b)) for c, b in zip(np_costs, np_benefits, strict=True)]
        exact, exact_gap = agree(result, loop, Decimal(0))
        close, numpy_gap = agree(result, numpy_pvs, PENNY / 2)
        del result, loop
        peak = peak_memory(lambda p=programme: tp.appraise(p, rules=rules))
        per_case[n] = engine_time / n
        loop_per_case[n] = loop_time / n
        print(f"\n{n:,} cases")
        print(f"  library (exact Decimal engine): {engine_time:9.3f} s  "
              f"{engine_time / n * 1e6:8.1f} us/case")  # fmt: skip
        print(f"  plain exact-Decimal loop:       {loop_time:9.3f} s  "
              f"{loop_time / n * 1e6:8.1f} us/case")  # fmt: skip
        print(f"  numpy (float64):                {numpy_time:9.3f} s  "
              f"{numpy_time / n * 1e6:8.1f} us/case  (of which the array sums "
              f"{sums_time / n * 1e6:.3f} us/case)")  # fmt: skip
        print(f"  ratio library / Decimal loop:   {engine_time / loop_time:9.1f}x  (target <= 10x)")
        print(f"  ratio library / numpy:          {engine_time / numpy_time:9.1f}x  "
              f"({engine_time / sums_time:.0f}x the array sums alone)")  # fmt: skip
        print(f"  Decimal loop agrees exactly:    {exact} (largest difference {exact_gap})")
        print(f"  numpy agrees to the penny:      {close} (largest difference "
              f"{numpy_gap.quantize(Decimal('1e-6'))})")  # fmt: skip
        print(f"  peak memory:                    {peak / 2**20:9.1f} MiB  "
              f"{peak / n / 1024:8.1f} KB/case (target < 20 KB)")  # fmt: skip
    if len(per_case) > 1:
        small, large = min(per_case), max(per_case)
        growth = per_case[large] / per_case[small]
        loop_growth = loop_per_case[large] / loop_per_case[small]
        print(f"\nscaling: time per case at {large:,} / at {small:,} cases = {growth:.2f} "
              f"(1.00 is linear); the Decimal loop's, in the same run: {loop_growth:.2f}; "
              f"the library's relative to the loop's: {growth / loop_growth:.2f}")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    run(parser.parse_args(argv).sizes)


if __name__ == "__main__":
    main()
