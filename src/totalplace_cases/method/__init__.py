"""The arithmetic of the Green Book appraisal."""

from .appraisal import appraise, vfm_category
from .discounting import DiscountSchedule, discount_factor, schedule_from_rules
from .prices import Deflator, rebase_with_indices
from .results import Appraisal, CaseAppraisal

__all__ = [
    "Appraisal",
    "CaseAppraisal",
    "Deflator",
    "DiscountSchedule",
    "appraise",
    "discount_factor",
    "rebase_with_indices",
    "schedule_from_rules",
    "vfm_category",
]
