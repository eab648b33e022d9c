"""Monte Carlo speed: 10,000 draws over Kent, 100,000 over a synthetic 100-case programme.

Run on demand (numpy is needed: ``pip install -e ".[analysis]"``)::

    .venv/bin/python benchmarks/bench_montecarlo.py              # both runs
    .venv/bin/python benchmarks/bench_montecarlo.py --draws 10000 --cases 100 --big-draws 100000

For each programme it times, in the same process and on the same programme:

- one exact appraisal (``tp.appraise``: the Decimal engine that gives every reported figure),
  the reference of the ratio;
- the simulation (``tp.simulate``: the line quantities worked out once by the exact engine's
  steps, the draws, the vectorised present values and the statistics);

and prints wall and CPU time (CPU time of this process counts less of what other work on a
shared machine takes; the best of a few runs), the ratio of the simulation to one exact
appraisal, the time the same draws would take by re-running the exact engine once per draw,
the peak memory of the simulation (tracemalloc, numpy's arrays included), the machine's load
average, and whether the vectorised engine agrees with the exact one to the penny with every
input at its point value. Kent's target (issue 14): under 2 seconds for 10,000 draws.

The synthetic programme is benchmarks/bench_scale.py's (2 cost and 10 benefit lines over 10
years per case) with a range on every line: each cost's amounts (lognormal) and optimism bias
(triangular), each benefit's value (triangular; every third line in one of five groups) and
deadweight (uniform).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import attrs

import totalplace_cases as tp
from totalplace_cases import pipeline
from totalplace_cases.method.terms import programme_terms
from totalplace_cases.method.vectorised import compile_model

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import synthetic_programme

KENT = Path(__file__).resolve().parents[1] / "cases" / "kent"


def with_ranges(programme: tp.Programme) -> tp.Programme:
    """Every line of every case given a range (see the module's notes)."""
    cases = []
    for case in programme.cases:
        costs = [
            attrs.evolve(
                line,
                uncertainty={
                    "amounts": {"dist": "lognormal", "mean": "1", "sd": "0.15"},
                    "optimism_bias": {
                        "dist": "triangular",
                        "low": "0",
                        "mode": str(line.optimism_bias),
                        "high": str(line.optimism_bias * 2 + Decimal("0.1")),
                    },
                },
            )
            for line in case.costs
        ]
        benefits = []
        for index, line in enumerate(case.benefits):
            value = {"dist": "triangular", "low": "0.6", "mode": "1", "high": "1.2"}
            if index % 3 == 0:
                value["group"] = f"driver-{index % 5}"
            d = line.deadweight or Decimal(0)
            ranges = {
                "value": value,
                "deadweight": {"dist": "uniform", "low": str(d / 2), "high": str(min(1, d * 2))},
            }
            benefits.append(attrs.evolve(line, uncertainty=ranges))
        cases.append(attrs.evolve(case, costs=costs, benefits=benefits))
    return attrs.evolve(programme, cases=cases)


def timed(work, repeat: int) -> tuple[float, float, object]:
    """The best wall time and the best CPU time of ``repeat`` runs of ``work()``, and its result."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def peak_memory(work) -> int:
    gc.collect()
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def agreement(programme: tp.Programme, rules) -> float:
    """The largest gap, in pounds, between the engines' PV costs and PV benefits of any case
    with every input of every line at its point value."""
    appraisal = tp.appraise(programme, rules=rules)
    model = compile_model(programme_terms(programme, rules), every_input=True)
    costs, benefits = model.present_values(model.point_values())
    return max(
        max(abs(float(c.pv_costs) - costs[i, 0]), abs(float(c.pv_benefits) - benefits[i, 0]))
        for i, c in enumerate(appraisal.cases)
    )


def report(name: str, programme: tp.Programme, rules, draws: int, repeat: int) -> None:
    print(f"\n{name}: {len(programme.cases)} cases, {draws:,} draws")
    tp.appraise(programme, rules=rules)  # warm the caches
    wall_a, cpu_a, _ = timed(lambda: tp.appraise(programme, rules=rules), max(repeat, 3))
    wall_s, cpu_s, result = timed(
        lambda: tp.simulate(programme, rules=rules, draws=draws, seed=1), repeat
    )
    peak = peak_memory(lambda: tp.simulate(programme, rules=rules, draws=draws, seed=1))
    gap = agreement(programme, rules)
    ranged = sum(case.simulation.ranged_inputs for case in result.cases)
    print(f"  inputs with a range (in the figures of a case): {ranged}")
    print(f"  one exact appraisal:            {wall_a:9.4f} s wall {cpu_a:9.4f} s CPU")
    print(f"  simulation of {draws:>7,} draws:   {wall_s:9.4f} s wall {cpu_s:9.4f} s CPU")
    print(f"  ratio simulation / one exact appraisal: {cpu_s / cpu_a:8.1f} (CPU)"
          f" {wall_s / wall_a:8.1f} (wall)")  # fmt: skip
    print(f"  the exact engine once per draw would take about {cpu_a * draws:,.0f} s CPU:"
          f" {cpu_a * draws / cpu_s:,.0f} times longer")  # fmt: skip
    print(f"  peak memory of the simulation:  {peak / 2**20:9.1f} MiB")
    print(f"  vectorised = exact to the penny at point values: {gap < 0.01} "
          f"(largest gap {gap:.2e} pounds)")  # fmt: skip
    npsv = result.programme.npsv
    print(f"  programme NPSV P10 / P50 / P90: {npsv.p10:,} / {npsv.p50:,} / {npsv.p90:,}; "
          f"P(NPSV > 0) = {result.programme.p_npsv_positive:.3f}")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=10_000, help="draws over Kent")
    parser.add_argument("--cases", type=int, default=100, help="cases of the synthetic programme")
    parser.add_argument("--big-draws", type=int, default=100_000, help="draws over it")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    import numpy as np

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    loaded = pipeline.load_programme(KENT)
    report("Kent", loaded.programme, loaded.rules, args.draws, args.repeat)
    synthetic = with_ranges(synthetic_programme(args.cases))
    rules = pipeline.plugin_host()
    report("synthetic", synthetic, rules, args.big_draws, max(1, args.repeat - 1))
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
