"""totalplace-cases: Total Place business cases, appraised the Green Book way.

The public API::

    import totalplace_cases as tp

    programme = tp.load("cases/kent")          # a programme folder or one case file
    result = tp.appraise(programme)            # Green Book appraisal of every case
    tp.discount_factor(10)                     # 0.7089188...

Plugins mark their hook implementations with ``@totalplace_cases.hookimpl``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import InputError, PluginError, Problem, TotalPlaceError
from .io import load
from .method import Appraisal, CaseAppraisal, appraise, discount_factor
from .models import (
    Agency,
    BenefitLine,
    BusinessCase,
    Category,
    CostLine,
    Programme,
    Realignment,
    Settings,
    Theme,
)
from .periods import FinancialYear, Quarter, parse_quarter, parse_year, year_of
from .pluginmarker import hookimpl

try:
    __version__ = version("totalplace-cases")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "Agency",
    "Appraisal",
    "BenefitLine",
    "BusinessCase",
    "CaseAppraisal",
    "Category",
    "CostLine",
    "FinancialYear",
    "InputError",
    "PluginError",
    "Problem",
    "Programme",
    "Quarter",
    "Realignment",
    "Settings",
    "Theme",
    "TotalPlaceError",
    "__version__",
    "appraise",
    "discount_factor",
    "hookimpl",
    "load",
    "parse_quarter",
    "parse_year",
    "year_of",
]
