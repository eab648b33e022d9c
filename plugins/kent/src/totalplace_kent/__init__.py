"""Kent Total Place rules for totalplace-cases.

What this plugin adds, so that a Kent programme does not repeat it in every file:

- Kent's public bodies of 2009 and their funding departments (``agencies.toml``);
- the Margate task force theme, and the themes of Kent's count of public spend;
- how to classify spend lines sent in an agency's own coding (``spend_classes.csv``): police
  objective analysis lines for Kent Police, CIPFA service lines for the councils and the fire
  authority (the ``totalplace_classify_spend`` hook);
- category and theme rules: coastal-defence capital schemes default to the Green Book
  *standard civil engineering* optimism-bias type, and high-cost placement outcome lines
  (counted in volumes) default to the deadweight drawn from the programme's evidence;
- which Kent agency stands for a body a split unit cost names (e.g. the UCD's "Police");
- an evidence table of the appraisal by Kent's three counting groups.

Figures here are illustrative unless a comment cites a published source.
"""

from __future__ import annotations

import csv
import functools
import io
import tomllib
from decimal import Decimal
from importlib import resources

from totalplace_cases.plugin import (
    Agency,
    BenefitLine,
    CostLine,
    EvidenceTable,
    Theme,
    hookimpl,
)

__version__ = "0.1.0"

#: The deadweight of high-cost placement outcomes: the share of children who would have stepped
#: down to a lower-cost placement within a year anyway. Illustrative: Kent's programme evidence
#: put it at about a fifth. It is about outcomes for children, so it applies to outcome lines
#: only (counted in volumes: placements, care entries avoided), not to lower fees or officer
#: time, which are not outcomes that "would have happened anyway".
HIGH_COST_DEADWEIGHT = Decimal("0.2")

#: Coastal-defence capital works are Green Book "standard civil engineering" (capital cost upper
#: bound 44%); no mitigation is assumed until a scheme shows its risk management.
COASTAL_PROJECT_TYPE = "standard-civil-engineering"

#: Which Kent agency bears a cost a unit-cost table assigns to a kind of body.
AGENCY_FOR_BODY = {
    "NHS": "nhs-eck-pct",
    "Police": "kent-police",
    "Local Authority": "kcc",
    "Criminal Justice System": "moj",
    "Probation": "kent-probation",
    "Ministry of Justice": "moj",
    "DWP": "dwp",
    "Fire Service": "kfrs",
    "HM Treasury": "hmt",
    "Department for Education": "dcsf",
    "Schools": "kcc",
}

COUNTING_GROUPS = ("public-realm", "community", "individual")

#: The themes of Kent's count beyond the built-in ones: (id, name, category).
COUNT_THEMES = (
    ("property", "Running costs of public buildings", "public-realm"),
    ("environment-and-waste", "Environment and waste", "public-realm"),
    ("housing", "Housing and homelessness", "community"),
    ("regeneration", "Economic development and regeneration", "community"),
    ("culture-and-leisure", "Culture and leisure", "community"),
    ("education", "Education and schools", "individual"),
    ("social-care", "Social care", "individual"),
    ("health", "Health care", "individual"),
    ("welfare-benefits", "Welfare benefits", "individual"),
    ("employment", "Employment support", "individual"),
)

#: Which coding scheme an agency's own spend lines use, by the kind of agency.
SCHEME_FOR_KIND = {"police": "police-objective", "local": "cipfa-service", "fire": "cipfa-service"}


def kent_agencies() -> list[Agency]:
    """The agencies listed in ``agencies.toml``."""
    text = resources.files(__name__).joinpath("agencies.toml").read_text(encoding="utf-8")
    return [Agency(**entry) for entry in tomllib.loads(text)["agencies"]]


def _is_kent(programme) -> bool:
    return programme.place == "Kent" or programme.id.startswith("kent")


@hookimpl
def totalplace_register_agencies(register):
    for agency in kent_agencies():
        register(agency)


@functools.cache
def spend_classes() -> dict[tuple[str, str], tuple[str, str]]:
    """(scheme, service in lower case) -> (category, theme), from ``spend_classes.csv``."""
    text = resources.files(__name__).joinpath("spend_classes.csv").read_text(encoding="utf-8")
    return {
        (row["scheme"], row["service"].strip().lower()): (row["category"], row["theme"])
        for row in csv.DictReader(io.StringIO(text))
    }


@hookimpl
def totalplace_register_themes(register):
    register(Theme("margate-task-force", "Margate task force", "community"))
    for theme_id, name, category in COUNT_THEMES:
        register(Theme(theme_id, name, category))


@hookimpl
def totalplace_classify_spend(line, programme):
    if not _is_kent(programme) or not line.service:
        return None
    agency = programme.agency(line.agency)
    scheme = SCHEME_FOR_KIND.get(agency.kind) if agency is not None else None
    found = spend_classes().get((scheme, line.service.strip().lower())) if scheme else None
    if found is None:
        return None
    return {"category": found[0], "theme": found[1]}


@hookimpl
def totalplace_line_defaults(line, context):
    if not _is_kent(context.programme):
        return None  # Kent's evidence is for Kent's cases only
    theme = context.case.theme
    if theme == "coastal-defences" and isinstance(line, CostLine) and line.kind == "capital":
        return {"project_type": COASTAL_PROJECT_TYPE, "mitigation": "0"}
    if theme == "high-cost-cases" and _is_outcome(line):
        return {"deadweight": HIGH_COST_DEADWEIGHT}
    return None


def _is_outcome(line) -> bool:
    """A benefit line that counts outcomes (volumes of children, placements, care entries times
    a unit value, given by year or built from a cohort of participants), not fees or officer
    time given as amounts, nor a transfer."""
    counts_outcomes = bool(line.volumes) or getattr(line, "cohort", None) is not None
    return isinstance(line, BenefitLine) and counts_outcomes and not line.transfer


@hookimpl
def totalplace_agency_for(label, line, context):
    if not _is_kent(context.programme):
        return None
    agency = AGENCY_FOR_BODY.get(label)
    if agency is None or context.programme.agency(agency) is None:
        return None
    if label == "NHS":
        own = context.programme.agency(line.agency)
        if own is not None and own.kind == "health":
            return own.id  # the line's own trust or PCT, where the line names one
    return agency


@hookimpl
def totalplace_evidence_tables(appraisal, programme):
    if not _is_kent(programme):
        return None
    from totalplace_cases.money import format_gbp
    from totalplace_cases.reports.summary import counted_note

    rows = []
    counted = appraisal.counted  # the programme's totals leave rejected and withdrawn cases out
    for group in COUNTING_GROUPS:
        cases = [c for c in counted if c.category == group]
        costs = sum((c.pv_costs for c in cases), Decimal(0))
        benefits = sum((c.pv_benefits for c in cases), Decimal(0))
        rows.append(
            [
                group,
                len(cases),
                format_gbp(costs),
                format_gbp(benefits),
                format_gbp(benefits - costs),
            ]
        )
    return [
        EvidenceTable(
            title="Kent: appraisal by counting group",
            headers=("Counting group", "Cases", "PV costs", "PV benefits", "NPSV"),
            rows=rows,
            notes=(
                "Kent counted public spend as public realm, community and individual spend. "
                + counted_note(appraisal)
            ),
        )
    ]
