"""Which price base, discount base, schedule and timing a case is appraised under (method §2-§3).

The precedence is worked out here and nowhere else: the appraisal, the validation of case files
and the checks of command-line options all ask these functions. For each case, the first that is
set of:

- reporting price base: the ``--price-base`` option, the programme's ``price_base``, the case's
  ``price_base``, the case's ``start``;
- input price base (what a case's real amounts are written in): the case's ``price_base``, the
  programme's ``price_base``, the case's ``start``; a line's own ``price_base`` beats it;
- discount base: the ``--discount-base`` option, the programme's ``discount_base``, the case's
  ``discount_base``, the case's ``start``;
- schedule: the ``--schedule`` option, the case's ``discount_schedule``, the programme's
  ``settings.schedule``; timing likewise with ``timing``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from ..periods import FinancialYear

if TYPE_CHECKING:
    from ..models import BenefitLine, BusinessCase, CostLine, Programme

__all__ = [
    "HEALTH_SCHEDULE",
    "Conventions",
    "Options",
    "discount_base_field",
    "discount_base_of",
    "health_schedule_warning",
    "input_base_of",
    "line_base_of",
    "reporting_base_of",
]


#: The Green Book's health discount schedule (Table 8): for benefits valued in health or lives,
#: set per benefit line; for a whole case it also discounts the costs at the health rate.
HEALTH_SCHEDULE = "green-book-health"


def health_schedule_warning(where: str) -> str:
    """What to say when a whole case (or programme) is put on the health schedule."""
    return (
        f"{where} discounts the costs and every benefit at the Green Book's health rate "
        f"(1.5%), which is for benefits valued in health or lives (Table 8). To discount only "
        f'those, set discount_schedule = "{HEALTH_SCHEDULE}" on their [[benefits]] lines and '
        "leave the case on the standard schedule"
    )


@attrs.frozen
class Options:
    """What the caller asks for every case instead of the files' own choices (``None``: keep)."""

    price_base: FinancialYear | None = None
    discount_base: FinancialYear | None = None
    schedule: str | None = None
    timing: str | None = None
    #: The statuses whose cases count in the programme's totals (None: every status but
    #: ``rejected`` and ``withdrawn``).
    statuses: tuple[str, ...] | None = None

    def field_of(self, name: str) -> str:
        """How to name an option in a message: ``--price-base`` for ``price_base``."""
        return "--" + name.replace("_", "-")


def reporting_base_of(
    programme: Programme, case: BusinessCase, option: FinancialYear | None = None
) -> FinancialYear:
    """The prices every figure of ``case`` is reported in."""
    return option or programme.price_base or case.price_base or case.start


def input_base_of(programme: Programme, case: BusinessCase) -> FinancialYear:
    """The prices ``case``'s real amounts are written in, where a line gives none."""
    return case.price_base or programme.price_base or case.start


def discount_base_of(
    programme_base: FinancialYear | None,
    case_base: FinancialYear | None,
    start: FinancialYear,
    option: FinancialYear | None = None,
) -> FinancialYear:
    """Year 0 of discounting: the option, the programme's, the case's, else the case's start."""
    return option or programme_base or case_base or start


def discount_base_field(
    programme: Programme, case: BusinessCase, option: FinancialYear | None = None
) -> str:
    """The field that set a case's discount base, to name in a message about it."""
    if option is not None:
        return "--discount-base"
    if programme.discount_base is None and case.discount_base is not None:
        return "discount_base"
    return "start"


@attrs.frozen
class Conventions:
    """The bases, schedule and timing one case is appraised under."""

    price_base: FinancialYear
    input_base: FinancialYear
    discount_base: FinancialYear
    schedule: str
    timing: str

    @classmethod
    def of(
        cls, programme: Programme, case: BusinessCase, options: Options | None = None
    ) -> Conventions:
        options = options or Options()
        settings = programme.settings
        return cls(
            price_base=reporting_base_of(programme, case, options.price_base),
            input_base=input_base_of(programme, case),
            discount_base=discount_base_of(
                programme.discount_base, case.discount_base, case.start, options.discount_base
            ),
            schedule=options.schedule or case.discount_schedule or settings.schedule,
            timing=options.timing or case.timing or settings.timing,
        )

    def line_base(self, line: CostLine | BenefitLine) -> FinancialYear | None:
        """The prices a line's real amounts are in (see :func:`line_base_of`)."""
        return line_base_of(line, self.input_base)


def line_base_of(line: CostLine | BenefitLine, input_base: FinancialYear) -> FinancialYear | None:
    """The prices a line's real amounts (or unit value) are in: its own ``price_base``, else the
    case's input base; None for a nominal line, whose amounts are each in their own year's
    prices."""
    if line.prices == "nominal":
        return None
    return line.price_base or input_base
