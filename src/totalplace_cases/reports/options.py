"""A case's options compared, and its cohorts, as tables (method §19, §18).

Both are built from the case's result (:attr:`~totalplace_cases.method.results.CaseAppraisal.
options` and ``cohorts``) as :class:`~totalplace_cases.plugin.EvidenceTable` values, so that
every output (the terminal and Markdown tables here, an evidence pack) shows the same rows.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..method.options import ranked
from ..method.results import CaseAppraisal, OptionResult
from ..money import format_gbp
from ..plugin import EvidenceTable

__all__ = [
    "cohorts_table",
    "column_alignment",
    "option_role",
    "options_table",
    "plain_count",
]

OPTION_HEADERS = (
    "Rank",
    "Option",
    "PV costs",
    "PV benefits",
    "NPSV",
    "BCR",
    "Incremental PV costs",
    "Incremental PV benefits",
    "Incremental NPSV",
    "Incremental BCR",
    "Role",
)
COHORT_HEADERS = (
    "Benefit line",
    "Participants",
    "Engaged",
    "Successes",
    "Cost per participant",
    "Cost per success",
)


def column_alignment(table: EvidenceTable) -> tuple[str, ...]:
    """Names and labels to the left, figures to the right."""
    left = 2 if table.headers[:1] == ("Rank",) else 1
    right = len(table.headers) - left - (table.headers[-1] == "Role")
    return ("left",) * left + ("right",) * right + ("left",) * (table.headers[-1] == "Role")


def _ratio(value: float | None) -> Decimal | None:
    """A ratio to two places, exactly as shown; None (shown "n/a") when undefined."""
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def option_role(option: OptionResult) -> str:
    """What the option is to its case: "preferred", "business as usual", both, or nothing."""
    roles = (("preferred", option.preferred), ("business as usual", option.business_as_usual))
    return ", ".join(role for role, on in roles if on)


def options_table(case: CaseAppraisal) -> EvidenceTable | None:
    """The case's options ranked by NPSV incremental to business as usual (then by BCR): each
    option's own figures and its incremental ones; the warning, if any, as the table's notes.
    None for a case without ``[[options]]``."""
    if not case.option_results:
        return None
    rows = []
    for rank, option in enumerate(ranked(case.option_results), start=1):
        own, incremental = option.own, option.incremental
        label = option.title if option.title == option.id else f"{option.title} ({option.id})"
        rows.append(
            (
                rank,
                label,
                format_gbp(own.pv_costs),
                format_gbp(own.pv_benefits),
                format_gbp(own.npsv),
                _ratio(own.bcr),
                format_gbp(incremental.pv_costs),
                format_gbp(incremental.pv_benefits),
                format_gbp(incremental.npsv),
                _ratio(incremental.bcr),
                option_role(option),
            )
        )
    notes = (
        "Incremental: the option's flows less business as usual's. The case's figures are the "
        "preferred option's incremental figures."
    )
    if case.options_warning:
        notes += f"\n\nWarning: {case.options_warning}."
    return EvidenceTable(f"{case.id}: options compared", OPTION_HEADERS, rows, notes)


def plain_count(value: Decimal) -> Decimal:
    """A number of people, as exact as it is, without trailing zeros after the point."""
    text = f"{value:f}"
    return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)


def cohorts_table(case: CaseAppraisal) -> EvidenceTable | None:
    """The preferred option's cohort lines: participants, those who engage, successes, and the
    option's PV costs per participant and per success. None when it has no cohort line."""
    if not case.cohorts:
        return None
    rows = [
        (
            c.line,
            plain_count(c.participants),
            plain_count(c.engaged),
            plain_count(c.successes),
            None if c.cost_per_participant is None else format_gbp(c.cost_per_participant),
            None if c.cost_per_success is None else format_gbp(c.cost_per_success),
        )
        for c in case.cohorts
    ]
    notes = (
        "Costs per participant and per success: the PV of the option's costs (after optimism "
        "bias) over the line's participants and their successes."
    )
    return EvidenceTable(f"{case.id}: cohorts", COHORT_HEADERS, rows, notes)
