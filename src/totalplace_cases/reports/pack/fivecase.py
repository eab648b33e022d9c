"""The evidence pack's sections for the rest of the five-case model: the strategic case,
non-monetised impacts, risks and readiness of each case (section 9), and affordability, the
financial case, by agency and year (section 10).

Like every section, these only arrange what they are given: the case files' own words for the
first, the affordability arithmetic (:mod:`totalplace_cases.method.affordability`) for the
second.
"""

from __future__ import annotations

from typing import Any

from ...models import AIMS, READINESS_DIMENSIONS, Programme
from ..names import Names
from .model import Column, Row, Section, Table

__all__ = ["affordability_section", "five_case_section"]

#: Kent's aims as a reader writes them.
AIM_NAMES = {aim: aim.replace("-", " ").capitalize() for aim in AIMS}


def _strategic(programme: Programme) -> Table:
    rows = [
        Row(
            case.id,
            (
                case.title,
                case.status,
                "; ".join(case.strategic_case.objectives),
                "; ".join(AIM_NAMES[a] for a in case.strategic_case.aims),
                case.strategic_case.case_for_change,
            ),
        )
        for case in programme.cases
        if case.strategic_case is not None
    ]
    return Table(
        "strategic_case",
        "Strategic case: objectives, and which of Kent's aims each case serves",
        (
            Column("case", "Case"),
            Column("status", "Status"),
            Column("objectives", "Objectives"),
            Column("aims", "Aims served"),
            Column("case_for_change", "Case for change"),
        ),
        rows,
        notes=(
            "Kent's aims for Total Place: simpler for the customer, better for the user and "
            "cheaper for the taxpayer.",
        ),
        total_label=None,
    )


def _impacts(programme: Programme) -> Table:
    rows = [
        Row(
            f"{case.id}/{number}",
            (case.title, impact.description, impact.direction, impact.significance, impact.affects),
        )
        for case in programme.cases
        for number, impact in enumerate(case.non_monetised_impacts, start=1)
    ]
    return Table(
        "impacts",
        "Non-monetised impacts",
        (
            Column("case", "Case"),
            Column("impact", "Impact"),
            Column("direction", "Direction"),
            Column("significance", "Significance"),
            Column("affects", "Who it affects"),
        ),
        rows,
        notes=(
            "Effects the cases do not value in money, so left out of every present value; "
            "the Green Book asks for them to be described beside the figures.",
        ),
        total_label=None,
    )


def _risks(programme: Programme) -> Table:
    rows = [
        Row(
            f"{case.id}/{risk.id or number}",
            (
                case.title,
                risk.description,
                risk.likelihood,
                risk.impact,
                risk.score,
                risk.owner,
                risk.mitigation,
            ),
        )
        for case in programme.cases
        for number, risk in enumerate(case.risks, start=1)
    ]
    return Table(
        "risks",
        "Risks",
        (
            Column("case", "Case"),
            Column("risk", "Risk"),
            Column("likelihood", "Likelihood (1-5)", "integer"),
            Column("impact", "Impact (1-5)", "integer"),
            Column("score", "Score (1-25)", "integer"),
            Column("owner", "Owner"),
            Column("mitigation", "Mitigation"),
        ),
        rows,
        notes=(
            "Likelihood and impact are scored 1 (very low) to 5 (very high); the score is their "
            "product, as on a five-by-five risk matrix.",
        ),
        total_label=None,
    )


def _readiness(programme: Programme) -> Table:
    rows = []
    for case in programme.cases:
        readiness = case.readiness
        if readiness is None:
            continue
        scores = readiness.scores()
        rows.append(
            Row(
                case.id,
                (
                    case.title,
                    *(score.score for _, score in scores),
                    "; ".join(
                        f"{name.capitalize()}: {score.note}" for name, score in scores if score.note
                    ),
                ),
            )
        )
    return Table(
        "readiness",
        "Readiness: rational, emotional, political",
        (
            Column("case", "Case"),
            *(
                Column(name, f"{name.capitalize()} (1-5)", "integer")
                for name in READINESS_DIMENSIONS
            ),
            Column("notes", "Notes"),
        ),
        rows,
        notes=(
            'The seed\'s test of whether the partners are "up for this": rational (the evidence '
            "convinces), emotional (people want it), political (members and boards will back "
            "it), each scored 1 (not ready) to 5 (ready).",
        ),
        total_label=None,
    )


def five_case_section(programme: Programme, number: int = 9) -> Section:
    """Each case's strategic case, non-monetised impacts, risks and readiness, as its case file
    gives them (every status listed)."""
    tables = (_strategic(programme), _impacts(programme), _risks(programme), _readiness(programme))
    given = [t for t in tables if t.rows]
    return Section(
        number,
        "five_case",
        "Strategic case, non-monetised impacts, risks and readiness",
        given,
        intro=(
            "The parts of each business case that are not money: why it is made, what it "
            "changes that is not valued, what could go wrong, and whether the partners are "
            "ready."
            if given
            else "No case gives a strategic case, non-monetised impacts, risks or readiness."
        ),
    )


def affordability_section(afford: Any, names: Names, number: int = 10) -> Section:
    """The programme's affordability by agency and year, real and nominal, each agency's years
    below it."""
    from ..cuts import affordability_tables

    tables = affordability_tables(afford, names, cases=False)
    return Section(
        number,
        "affordability",
        "Affordability",
        [t for t in tables],
        intro=(
            "The financial case: what each agency pays, saves and is given by the cases counted, "
            "year by year, undiscounted, and whether a year is a net cost to it."
        ),
    )
