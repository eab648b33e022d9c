"""Benchmark: the Kent evidence pack in every format, against the appraisal alone.

Each format is made in this process from the loaded programme (as ``totalplace evidence``
does after reading the files): the appraisal, the count, the pack and the format's writer (for
HTML, matplotlib's charts and Jinja2). The reference is the appraisal of the same programme in
the same run, so the ratio says what the pack costs on top of the figures. The fastest of
three runs of each is reported, as the machine may be shared.

    .venv/bin/python benchmarks/bench_evidence.py
"""

from __future__ import annotations

import time
from pathlib import Path

import totalplace_cases.cli  # noqa: F401  (the commands, in the order the CLI loads them)
from totalplace_cases import pipeline
from totalplace_cases.cli import Session
from totalplace_cases.cli_evidence import pack_for
from totalplace_cases.reports.pack import PACK_FORMATS, render_pack

KENT = Path(__file__).resolve().parents[1] / "cases" / "kent"
AS_AT = "2012-03-31T23:59:59.999999Z"
RUNS = 3


def fastest(action) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    session = Session((), False, False)
    loaded = pipeline.load_programme(KENT)
    reference = fastest(lambda: pipeline.appraise(loaded.programme, rules=loaded.rules))
    print(f"appraisal of Kent (reference): {reference:.3f} s")
    print(f"{'format':<8}{'pack':>10}{'ratio':>10}")
    for fmt in PACK_FORMATS:

        def make(fmt: str = fmt) -> None:
            made = pack_for(session, KENT, as_at=AS_AT)
            render_pack(made.pack, fmt)

        seconds = fastest(make)
        print(f"{fmt:<8}{seconds:>9.3f}s{seconds / reference:>10.1f}")


if __name__ == "__main__":
    main()
