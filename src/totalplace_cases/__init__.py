"""totalplace-cases: Total Place business cases, appraised the Green Book way.

The public API::

    import totalplace_cases as tp

    programme = tp.load("cases/kent")          # a programme folder or one case file
    result = tp.appraise(programme)            # Green Book appraisal of every case
    tp.appraise("cases/kent")                  # the same, from a path (loaded and validated)
    tp.discount_factor(10)                     # 0.7089188...
    tp.to_dict(result)                         # the JSON contract (docs/method.md, section 13)
    result.to_dict()                           # the same, for code written before tp.to_dict
    tp.count("cases/kent").total               # the count of public spend: Decimal pounds
    tp.gains("cases/kent")                     # the cases' cashable gains against the count
    tp.scenarios("cases/kent")                 # the programme's cuts scenarios on the count
    tp.scenario("cases/kent", "£700m", protect=["theme=health"])  # one scenario
    tp.affordability(programme)                # each agency's budget position, year by year
    tp.sensitivity(programme)                  # switching values and the standard tests
    tp.simulate(programme, draws=10_000, seed=1)  # Monte Carlo over the files' ranges
    tp.to_dict(tp.sensitivity(programme))     # any of these results as its command's JSON

Both ``load`` and ``appraise`` go through :mod:`totalplace_cases.pipeline`, as the command does.
Plugins mark their hook implementations with ``@totalplace_cases.hookimpl``; everything else a
plugin gives or takes is in :mod:`totalplace_cases.plugin`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .baseline import count, gains
from .errors import AppraisalError, InputError, PluginError, Problem, TotalPlaceError
from .method import Appraisal, CaseAppraisal, discount_factor
from .method import results as _results
from .models import (
    Agency,
    BenefitLine,
    BusinessCase,
    CaseOption,
    Category,
    Cohort,
    CostLine,
    Programme,
    Realignment,
    Reduces,
    Settings,
    Theme,
)
from .periods import FinancialYear, Quarter, parse_quarter, parse_year, year_of
from .pipeline import affordability, appraise, load, sensitivity, simulate
from .pluginmarker import hookimpl
from .reports.json import to_dict
from .scenarios import scenario, scenarios

# Appraisal.to_dict() is tp.to_dict(appraisal); the arithmetic imports no reports, so the writer
# is handed to it here.
_results.set_json_writer(to_dict)

try:
    __version__ = version("totalplace-cases")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "Agency",
    "Appraisal",
    "AppraisalError",
    "BenefitLine",
    "BusinessCase",
    "CaseAppraisal",
    "CaseOption",
    "Category",
    "Cohort",
    "CostLine",
    "FinancialYear",
    "InputError",
    "PluginError",
    "Problem",
    "Programme",
    "Quarter",
    "Realignment",
    "Reduces",
    "Settings",
    "Theme",
    "TotalPlaceError",
    "__version__",
    "affordability",
    "appraise",
    "count",
    "discount_factor",
    "gains",
    "hookimpl",
    "load",
    "parse_quarter",
    "parse_year",
    "scenario",
    "scenarios",
    "sensitivity",
    "simulate",
    "to_dict",
    "year_of",
]
