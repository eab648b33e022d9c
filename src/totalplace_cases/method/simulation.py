"""Monte Carlo over a programme: the NPSV and BCR of each case and of the programme, in ranges.

Each line's ranges (``uncertainty`` in its case file) are drawn ``draws`` times
(:mod:`.draws`: PCG64 seeded with ``seed``, so the same seed gives the same figures on any
machine) and every case's PV costs and PV benefits computed for all the draws at once by the
vectorised engine (:mod:`.vectorised`), from the same line quantities the exact engine works
out. A case's statistics are those of its own draws; the programme's add up, draw by draw, the
cases its totals count. Draws are computed in chunks, so memory stays bounded, and the figures
do not depend on the chunks.

numpy is needed here only: it is imported when a simulation runs (``pip install
"totalplace-cases[analysis]"``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from ..errors import TotalPlaceError
from ..models import Programme
from ..money import round_money
from .conventions import Options
from .robustness import CaseSimulation, Distribution, Simulation, SimulationResult
from .terms import counted_cases, programme_terms

if TYPE_CHECKING:
    from ..plugins import Rules
    from .terms import CaseTerms

__all__ = ["INSTALL_HINT", "check_run", "simulate_programme", "simulate_terms"]

INSTALL_HINT = (
    'Monte Carlo needs numpy: install the analysis extra, pip install "totalplace-cases[analysis]"'
)
#: About how many values a chunk of draws holds per array (8 bytes each).
CHUNK_VALUES = 500_000


def _numpy_modules():
    try:
        from . import draws, vectorised
    except ImportError as exc:  # numpy is an optional extra
        raise TotalPlaceError(INSTALL_HINT) from exc
    return draws, vectorised


def simulate_programme(
    programme: Programme,
    rules: Rules,
    options: Options | None = None,
    *,
    draws: int,
    seed: int,
    progress: Callable[[int], object] | None = None,
) -> SimulationResult:
    """``draws`` draws of every range of ``programme``'s lines, seeded with ``seed``.

    :param progress: called with the number of draws done after each chunk.
    """
    options = options or Options()
    check_run(draws, seed)
    _numpy_modules()
    terms = programme_terms(programme, rules, options)
    counted, note = counted_cases(terms, options.statuses)
    return simulate_terms(terms, counted, draws=draws, seed=seed, progress=progress, note=note)


def check_run(draws: object, seed: object) -> None:
    """A run needs at least one draw and a seed of 0 or more, both whole numbers."""
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError(f"draws must be a whole number of 1 or more, found {draws!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number of 0 or more, found {seed!r}")


def simulate_terms(
    terms: Sequence[CaseTerms],
    counted: Sequence[CaseTerms],
    *,
    draws: int,
    seed: int,
    progress: Callable[[int], object] | None = None,
    note: str | None = None,
) -> SimulationResult:
    """The simulation of cases already worked out (``counted``: those the programme adds)."""
    sampling, vectorised = _numpy_modules()
    import numpy as np

    model = vectorised.compile_model(terms)
    sources = model.sources
    sampler = sampling.Sampler(
        [s.range for s in sources], [s.stream for s in sources], [s.limits for s in sources]
    )
    width = model.streams + len(sources) + len(terms)
    chunk = max(1, min(draws, CHUNK_VALUES // max(width, 1)))
    rng = sampling.generator(seed)
    n_cases = len(terms)
    costs = np.empty((draws, n_cases))
    benefits = np.empty((draws, n_cases))
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        u = sampling.uniforms(rng, model.streams, n)
        c, b = model.present_values(sampler.values(u))
        costs[start : start + n] = c.T
        benefits[start : start + n] = b.T
        if progress is not None:
            progress(n)
    ranged = [0] * n_cases
    for source in model.sources:
        ranged[source.case] += 1
    cases = []
    for index, case in enumerate(terms):
        c, b = costs[:, index], benefits[:, index]
        found = _statistics(c, b, seed, ranged[index])
        cases.append(CaseSimulation(case.id, found, costs=c, benefits=b))
    if note is not None or not counted:
        return SimulationResult(tuple(cases), None, note=note)
    where = {case.id: index for index, case in enumerate(terms)}
    total_costs, total_benefits = np.zeros(draws), np.zeros(draws)
    for case in counted:  # case by case, in the programme's order: the same sums everywhere
        total_costs += costs[:, where[case.id]]
        total_benefits += benefits[:, where[case.id]]
    counted_ranges = sum(ranged[where[case.id]] for case in counted)
    return SimulationResult(
        tuple(cases),
        _statistics(total_costs, total_benefits, seed, counted_ranges),
        costs=total_costs,
        benefits=total_benefits,
    )


def _statistics(costs, benefits, seed: int, ranged: int) -> Simulation:
    """A case's (or the programme's) statistics from its PV costs and benefits in each draw."""
    import numpy as np

    draws = len(costs)
    npsv = benefits - costs
    defined = costs > 0
    ratios = benefits[defined] / costs[defined]
    undefined = draws - len(ratios)
    return Simulation(
        draws=draws,
        seed=seed,
        npsv=_distribution(npsv, _money),
        bcr=_distribution(ratios, float),
        p_npsv_positive=int(np.count_nonzero(npsv > 0)) / draws,
        p_bcr_at_least_1=(
            int(np.count_nonzero(benefits[defined] >= costs[defined])) / len(ratios)
            if len(ratios)
            else None
        ),
        bcr_undefined_draws=undefined,
        ranged_inputs=ranged,
    )


def _money(value: float) -> Decimal:
    return round_money(Decimal(value))


def _distribution(values, as_figure: Callable[[float], object]) -> Distribution:
    """Mean (a running sum in draw order) and the 10th, 50th and 90th percentiles (linear
    between the two nearest draws, as numpy's default), or all None for no values."""
    import numpy as np

    n = len(values)
    if n == 0:
        return Distribution(None, None, None, None)
    ordered = np.sort(values)
    mean = float(np.cumsum(values)[-1]) / n

    def percentile(p: Fraction) -> float:
        position = (n - 1) * p
        below = int(position)
        part = float(position - below)
        low = float(ordered[below])
        high = float(ordered[min(below + 1, n - 1)])
        return low + part * (high - low)

    quantiles = [percentile(Fraction(k, 10)) for k in (1, 5, 9)]
    return Distribution(as_figure(mean), *(as_figure(q) for q in quantiles))
