"""Volumes from cohorts of participants (method §19), as programme offices model them.

The Greater Manchester CBA model (New Economy, now GMCA's research team, behind HM Treasury's
*cost benefit analysis guidance for local partnerships*, 2014) builds a service's outcomes from
its cohorts: so many participants a year, a share who engage, a share of those who succeed, an
outcome that starts after a lag and lasts a few years. For a cohort of year c::

    successes_c = participants_c × engagement × success

and the line's volume in year y is the sum over the cohorts active in it::

    volume_y = Σ_c successes_c × (1 - drop_off)^(y - c - lag)
               over the cohorts c with c + lag ≤ y < c + lag + persistence

Outcomes that would fall after the appraisal period are not counted. Everything is exact
(:class:`~decimal.Decimal`); call inside :func:`.precision.exact`.
"""

from __future__ import annotations

from decimal import Decimal

from ..models import Cohort
from ..periods import FinancialYear
from .precision import ONE, ZERO

__all__ = ["cohort_successes", "cohort_volumes"]


def cohort_successes(cohort: Cohort) -> dict[FinancialYear, Decimal]:
    """Each participants' year's successes: ``participants × engagement × success``."""
    rate = cohort.engagement * cohort.success
    return {year: count * rate for year, count in cohort.participants.items()}


def cohort_volumes(
    cohort: Cohort, drop_off: Decimal = ZERO, last: FinancialYear | None = None
) -> dict[FinancialYear, Decimal]:
    """The line's volume by year: the successes of every cohort active in the year, each
    counted from ``lag`` years after its participants' year for ``persistence`` years, reduced
    by ``(1 - drop_off)`` for each year after its first; years after ``last`` are left out.

    A year in which some cohort is active is present even if its volume is zero.
    """
    keep = ONE - drop_off
    volumes: dict[FinancialYear, Decimal] = {}
    for year, successes in sorted(cohort_successes(cohort).items()):
        first = year.start_year + cohort.lag
        years = cohort.persistence
        if last is not None:
            years = min(years, last.start_year - first + 1)  # none at all if first is after last
        for k in range(years):
            active = year + (cohort.lag + k)
            value = successes * keep**k if k else successes
            volumes[active] = volumes.get(active, ZERO) + value
    return dict(sorted(volumes.items()))
