"""How fast, and in how much memory, the count adds up a large spend file, against pandas.

Run on demand, with pandas installed (``pip install -e ".[bench]"``)::

    .venv/bin/python benchmarks/bench_count.py [--lines 100000 1000000]

It writes spend files of 100,000 and 1,000,000 lines (nine columns, as a ledger extract), then
for each file runs, each in a fresh process: the count (``totalplace_cases.baseline.count_files``,
every core) and the reference, pandas ``read_csv`` plus ``groupby(...).sum()`` on the same keys.
Imports and plugin loading happen before the clock starts, for both.

Each is run ``--repeat`` times (3), alternating, and the fastest run is kept: other work on the
machine only ever slows a run down. Memory is the peak proportional set size (PSS, from
``/proc/PID/smaps_rollup``) of the measured process and all its children, sampled every 5 ms by
this process: shared pages are counted once, so a forked worker costs only what it adds. It
prints the largest peak of any run (``peak``) and that peak less the process's own size before
the work began (``work``), for each. The count's exactness is checked against the exact total
the generator wrote; pandas' float sum is shown beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HEADER = "year,agency,category,theme,kind,amount,funded_by,service,description\n"
AGENCIES = ("kcc", "kent-police", "kfrs", "nhs-eck-pct", "nhs-wk-pct", "jcp", "dwp", "thanet-dc",
            "dover-dc", "ashford-bc")  # fmt: skip
GROUPS = (
    ("public-realm", ("transport", "coastal-defences", "property")),
    ("community", ("community-safety", "housing")),
    ("individual", ("high-cost-cases", "welfare-benefits", "social-care")),
)
KEYS = ["year", "agency", "category", "theme", "kind", "funded_by"]


def generate(path: Path, lines: int, seed: int = 2009) -> int:
    """Write ``lines`` spend lines; returns their exact total in pence."""
    rng = random.Random(seed)
    total = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        buffer = []
        for i in range(lines):
            category, themes = rng.choice(GROUPS)
            pence = rng.randrange(-1_000_000, 100_000_000)
            total += pence
            sign = "-" if pence < 0 else ""
            buffer.append(
                f"{rng.choice(('2007-08', '2008-09'))},{rng.choice(AGENCIES)},{category},"
                f"{rng.choice(themes)},{rng.choice(('revenue', 'capital'))},"
                f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d},"
                f"{rng.choice(('dh', 'home-office', 'clg', ''))},svc{rng.randrange(50)},"
                f"payment {i}\n"
            )
            if len(buffer) == 10_000:
                out.write("".join(buffer))
                buffer.clear()
        out.write("".join(buffer))
    return total


def pss_kib(pid: int) -> int:
    """A process's proportional set size in KiB (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as handle:
                todo += [int(p) for p in handle.read().split()]
        except OSError:
            pass
    return found


# -- the measured work, run in a child process -------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the count's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_count(path: str) -> dict:
    from totalplace_cases import Programme
    from totalplace_cases.baseline import count_files
    from totalplace_cases.plugins import load_rules

    rules = load_rules(entry_points=False)
    before = pss_kib(os.getpid())
    cpu, start = cpu_seconds(), time.perf_counter()
    count = count_files([path], rules, Programme(id="bench"), any_agency=True)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    cells = count.total_by(*KEYS)
    return {"seconds": seconds, "cpu": cpu, "before": before, "total": str(count.total),
            "groups": len(cells)}  # fmt: skip


def run_pandas(path: str) -> dict:
    import pandas

    before = pss_kib(os.getpid())
    cpu, start = cpu_seconds(), time.perf_counter()
    frame = pandas.read_csv(path)
    groups = frame.groupby(KEYS, dropna=False)["amount"].sum()
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return {"seconds": seconds, "cpu": cpu, "before": before, "total": repr(float(groups.sum())),
            "groups": len(groups)}  # fmt: skip


def measure(kind: str, path: Path) -> dict:
    """Run one measurement in a fresh process, sampling its memory from here."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--run", kind, str(path)], stdout=subprocess.PIPE, text=True
    )
    peak = 0
    while child.poll() is None:
        peak = max(peak, sum(pss_kib(pid) for pid in tree(child.pid)))
        time.sleep(0.005)
    output = child.stdout.read() if child.stdout else ""
    if child.returncode:
        raise SystemExit(f"{kind} failed on {path}")
    result = json.loads(output)
    result["peak"] = peak
    return result


def best_of(repeat: int, path: Path) -> tuple[dict, dict]:
    """The fastest of ``repeat`` runs of each (alternating, so both see the same machine), with
    the largest peak memory of any run."""
    runs: dict[str, list[dict]] = {"count": [], "pandas": []}
    for _ in range(repeat):
        for kind in runs:
            runs[kind].append(measure(kind, path))
    best = []
    for results in runs.values():
        fastest = dict(min(results, key=lambda r: r["seconds"]))
        fastest["peak"] = max(r["peak"] for r in results)
        best.append(fastest)
    return best[0], best[1]


def mib(kib: int) -> str:
    return f"{kib / 1024:7.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each, alternating; the fastest is kept"
    )
    parser.add_argument("--run", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        kind, path = args.run
        print(json.dumps(run_count(path) if kind == "count" else run_pandas(path)))
        return
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as folder:
        rows = []
        for lines in args.lines:
            path = Path(folder) / f"spend-{lines}.csv"
            exact = Decimal(generate(path, lines)).scaleb(-2)
            ours, theirs = best_of(args.repeat, path)
            assert Decimal(ours["total"]) == exact, (ours["total"], exact)
            assert ours["groups"] == theirs["groups"]
            rows.append((lines, ours, theirs))
            print(f"\n{lines:,} lines ({path.stat().st_size / 2**20:.0f} MiB), exact total {exact}")
            for name, run, exactness in (("count ", ours, "exact"), ("pandas", theirs, "float")):
                print(
                    f"  {name}: {run['seconds']:6.2f} s (cpu {run['cpu']:5.2f} s)  "
                    f"peak {mib(run['peak'])}  work {mib(run['peak'] - run['before'])}  "
                    f"total {run['total']} ({exactness})"
                )
            print(f"  time ratio count/pandas: {ours['seconds'] / theirs['seconds']:.2f} "
                  f"(target <= 1); peak memory ratio: {ours['peak'] / theirs['peak']:.3f}, "
                  f"work memory ratio: "
                  f"{(ours['peak'] - ours['before']) / (theirs['peak'] - theirs['before']):.3f} "
                  "(target <= 0.1)")  # fmt: skip
        if len(rows) > 1:
            first, last = rows[0][1], rows[-1][1]
            print(f"\ncount peak memory, {rows[0][0]:,} -> {rows[-1][0]:,} lines: "
                  f"{mib(first['peak'])} -> {mib(last['peak'])} "
                  f"(x{last['peak'] / first['peak']:.2f}; flat is x1)")  # fmt: skip


if __name__ == "__main__":
    main()
