"""The evidence pack's section 11: the economic case's comparison of options, and cohorts.

A Green Book business case is a choice between options, each against business as usual; the
economic case is that comparison (method §18). The terminal report shows it for each case
(:mod:`totalplace_cases.reports.options`); the return that goes to central government shows the
same figures, for every case that weighs options, with the cohorts its benefits are built from
(method §19). Like every section, this only arranges the appraisal's own results.
"""

from __future__ import annotations

from ...method.options import ranked
from ...method.results import Appraisal
from ..options import option_role, plain_count
from .model import Column, Row, Section, Table

__all__ = ["options_section"]


def _options(appraisal: Appraisal) -> Table:
    rows: list[Row] = []
    warnings: list[str] = []
    for case in appraisal.cases:
        if not case.option_results:
            continue
        for rank, option in enumerate(ranked(case.option_results), start=1):
            own, incremental = option.own, option.incremental
            rows.append(
                Row(
                    f"{case.id}/{option.id}",
                    (
                        case.title,
                        rank,
                        option.title,
                        option_role(option),
                        own.pv_costs,
                        own.pv_benefits,
                        own.npsv,
                        own.bcr,
                        incremental.pv_costs,
                        incremental.pv_benefits,
                        incremental.npsv,
                        incremental.bcr,
                    ),
                )
            )
        if case.options_warning:
            warnings.append(f"{case.title}: {case.options_warning}.")
    return Table(
        "options",
        "Options against business as usual, ranked by incremental NPSV",
        (
            Column("case", "Case"),
            Column("rank", "Rank", "integer"),
            Column("option", "Option"),
            Column("role", "Role"),
            Column("pv_costs", "PV costs", "money"),
            Column("pv_benefits", "PV benefits", "money"),
            Column("npsv", "NPSV", "money"),
            Column("bcr", "BCR", "ratio"),
            Column("incremental_pv_costs", "Incremental PV costs", "money"),
            Column("incremental_pv_benefits", "Incremental PV benefits", "money"),
            Column("incremental_npsv", "Incremental NPSV", "money"),
            Column("incremental_bcr", "Incremental BCR", "ratio"),
        ),
        rows,
        notes=(
            "Each option appraised on its own, and incremental to business as usual (its flows "
            "less business as usual's); ranked by incremental NPSV, then BCR. The case's "
            "figures in the other sections are its preferred option's incremental figures. There "
            "is no BCR (n/a) where the costs are zero or less.",
            *warnings,
        ),
        total_label=None,
    )


def _cohorts(appraisal: Appraisal) -> Table:
    rows = [
        Row(
            f"{case.id}/{cohort.line}",
            (
                case.title,
                cohort.line,
                plain_count(cohort.participants),
                plain_count(cohort.engaged),
                plain_count(cohort.successes),
                cohort.cost_per_participant,
                cohort.cost_per_success,
            ),
        )
        for case in appraisal.cases
        for cohort in case.cohorts
    ]
    return Table(
        "cohorts",
        "Cohorts: participants, successes and costs per head",
        (
            Column("case", "Case"),
            Column("line", "Benefit line"),
            Column("participants", "Participants", "decimal"),
            Column("engaged", "Engaged", "decimal"),
            Column("successes", "Successes", "decimal"),
            Column("cost_per_participant", "Cost per participant", "money"),
            Column("cost_per_success", "Cost per success", "money"),
        ),
        rows,
        notes=(
            "Benefit lines built from cohorts (method §19), of each case's preferred option: "
            "participants, those who engage, those who succeed, and the PV of the option's "
            "costs (after optimism bias) per participant and per success.",
        ),
        total_label=None,
    )


def options_section(appraisal: Appraisal, number: int = 11) -> Section:
    """Every case's options compared against business as usual (cases that weigh options), and
    every cohort line of the cases' preferred options; a table no case gives is left out."""
    tables = [t for t in (_options(appraisal), _cohorts(appraisal)) if t.rows]
    return Section(
        number,
        "options",
        "Options against business as usual, and cohorts",
        tables,
        intro=(
            "The economic case: each case that weighs options, every option appraised on its "
            "own and against business as usual, and the cohorts the benefits are built from."
            if tables
            else "No case weighs options or builds its benefits from cohorts."
        ),
    )
