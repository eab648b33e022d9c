"""Reference output: the JSON of a synthetic programme, kept in a file (Kent's is checked, byte
for byte, by ``tests/test_golden.py``).

``tests/data/golden/synthetic.json`` was written by the code before the appraisal core was
rewritten; the rewrite had to reproduce it exactly, to the penny and to the last digit of every
ratio. It changes only with a deliberate change of method, in a commit of its own that says which
change moved it. To rewrite it (and ``kent.json``) after such a change::

    TOTALPLACE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/method/test_golden.py

The synthetic programme is built through the public API from a seeded random generator, so that
it exercises what Kent does not: nominal prices, line price bases, drop-off, mixed project
types, a split unit cost mapped by ``agency_map``, the health schedule, mid-year timing and a
deflator extended by a projection.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from decimal import Decimal
from pathlib import Path

import pytest

import totalplace_cases as tp
from totalplace_cases.plugins import load_rules
from totalplace_cases.registry import UnitCost
from totalplace_cases.reports.formats import render_json
from totalplace_cases.reports.json import dumps

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
KENT = Path(__file__).resolve().parents[2] / "cases" / "kent"
UPDATE = os.environ.get("TOTALPLACE_UPDATE_GOLDEN", "") not in ("", "0")

AGENCIES = ("county", "district", "police", "health", "fire", "dwp")
PROJECT_TYPES = (
    "standard-buildings",
    "non-standard-buildings",
    "standard-civil-engineering",
    "equipment-development",
    "outsourcing",
)


class GoldenUnitCosts:
    """A plugin registering two unit costs: one for a single body, one split among four."""

    @tp.hookimpl
    def totalplace_register_unit_costs(self, register):
        visit = UnitCost(
            key="golden:visit", value=Decimal("212.40"), price_year=tp.parse_year("2008-09")
        )
        register(visit)
        parts = {"NHS": 1171, "Police": 415, "Council": 303, "Courts": 581}
        total = Decimal(sum(parts.values()))
        register(
            UnitCost(
                key="golden:incident",
                value=total,
                price_year=tp.parse_year("2011-12"),
                shares=tuple((body, Decimal(v) / total) for body, v in parts.items()),
            )
        )


INCIDENT_MAP = {"NHS": "health", "Police": "police", "Council": "county", "Courts": "dwp"}


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high)) + Decimal(rng.randrange(100)) / 100


def _profile(rng: random.Random, start: tp.FinancialYear, years: int, low: int, high: int):
    first = rng.randrange(years)
    last = rng.randrange(first, years)
    return {start + t: _money(rng, low, high) for t in range(first, last + 1)}


def _fraction(rng: random.Random, top: int = 40) -> Decimal:
    return Decimal(rng.randrange(top + 1)) / 100


def _cost(rng: random.Random, index: int, start, years) -> tp.CostLine:
    kind = rng.choice(("revenue", "capital"))
    how = rng.choice(("explicit", "confidence", "type", "types", "none"))
    extra: dict = {}
    if how == "explicit":
        extra["optimism_bias"] = _fraction(rng, 60)
    elif how == "confidence":
        extra["confidence"] = rng.randint(1, 6)
    elif how == "types" and kind == "capital":
        share = Decimal(rng.randrange(1, 10)) / 10
        extra["project_types"] = {"standard-buildings": share, "non-standard-buildings": 1 - share}
    elif how in ("type", "types"):  # a bound for the line's kind of cost (method §5)
        chosen = rng.choice(PROJECT_TYPES[:4]) if kind == "capital" else "outsourcing"
        extra["project_types"] = {chosen: Decimal(1)}
        extra["mitigation"] = _fraction(rng, 90)
    if rng.random() < 0.25:
        extra["prices"] = "nominal"
    elif rng.random() < 0.25:
        extra["price_base"] = start - rng.randint(0, 3)
    return tp.CostLine(
        id=f"cost-{index}" if rng.random() < 0.8 else None,
        agency=rng.choice(AGENCIES),
        kind=kind,
        amounts=_profile(rng, start, years, 10_000, 5_000_000),
        **extra,
    )


def _benefit(rng: random.Random, index: int, start, years) -> tp.BenefitLine:
    value_type = rng.choice(("fiscal", "fiscal", "economic", "social"))
    how = rng.choice(("amounts", "amounts", "unit_value", "visit", "incident"))
    extra: dict = {}
    if how == "amounts":
        extra["amounts"] = _profile(rng, start, years, -50_000, 3_000_000)
    else:
        extra["volumes"] = {
            year: Decimal(rng.randrange(0, 4000)) / rng.choice((1, 2, 10))
            for year in _profile(rng, start, years, 0, 1)
        }
        if how == "unit_value":
            extra["unit_value"] = _money(rng, 50, 20_000)
        else:
            extra["unit_cost"] = f"golden:{how}"
            if how == "incident":
                extra["agency_map"] = INCIDENT_MAP
    for key in ("deadweight", "displacement", "attribution", "drop_off"):
        if rng.random() < 0.5:
            extra[key] = _fraction(rng, 35)
    if rng.random() < 0.4:
        extra["confidence"] = rng.randint(1, 6)
    elif rng.random() < 0.4:
        extra["optimism_bias"] = _fraction(rng, 30)
    if how in ("amounts", "unit_value"):
        if rng.random() < 0.25:
            extra["prices"] = "nominal"
        elif rng.random() < 0.25:
            extra["price_base"] = start + rng.randint(-2, 2)
    return tp.BenefitLine(
        id=f"benefit-{index}",
        agency=rng.choice(AGENCIES),
        value_type=value_type,
        cashable=value_type == "fiscal" and rng.random() < 0.6,
        **extra,
    )


def _realignment(rng: random.Random, start, years) -> tp.Realignment:
    giver, taker = rng.sample(AGENCIES, 2)
    return tp.Realignment(
        from_agency=giver,
        to_agency=taker,
        kind=rng.choice(("revenue", "capital")),
        amounts=_profile(rng, start, years, 1_000, 800_000),
    )


def synthetic_programme(seed: int = 2009, cases: int = 16) -> tp.Programme:
    """A seeded programme of ``cases`` cases built through the public API."""
    rng = random.Random(seed)
    built = []
    for number in range(cases):
        start = tp.FinancialYear(rng.randint(2010, 2014))
        years = rng.choice((1, 3, 5, 10, 10, 15, 25, 40))
        if number == 13:
            years = 40  # into the 3.0% band of the long-term schedule
        options: dict = {}
        if rng.random() < 0.3:
            options["price_base"] = tp.FinancialYear(rng.randint(2008, 2011))
        if number == 3:
            options["discount_schedule"] = "green-book-health"
        if number == 5:
            options["timing"] = "mid"
        built.append(
            tp.BusinessCase(
                id=f"case-{number:02d}",
                title=f"Synthetic case {number}",
                category=rng.choice(("public-realm", "community", "individual")),
                theme="synthetic",
                sponsor=rng.choice(AGENCIES),
                start=start,
                years=years,
                costs=[_cost(rng, i, start, years) for i in range(rng.randint(0, 4))],
                benefits=[_benefit(rng, i, start, years) for i in range(rng.randint(1, 6))],
                realignments=[_realignment(rng, start, years) for _ in range(rng.randint(0, 2))],
                **options,
            )
        )
    return tp.Programme(
        id="synthetic",
        name="Synthetic programme",
        price_base=tp.FinancialYear(2010),
        discount_base=tp.FinancialYear(2010),
        agencies=[tp.Agency(id=a, name=a.title()) for a in AGENCIES],
        cases=built,
        settings=tp.Settings(deflator_projection=Decimal("0.02")),
    )


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no reference output {path}; write it with TOTALPLACE_UPDATE_GOLDEN=1"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(text) == expected


def test_the_synthetic_programme_gives_its_reference_json(invoke):
    if UPDATE:  # Kent's reference is written here too, from the command it is checked against
        run = invoke("appraise", KENT, "--format", "json")
        assert run.exit_code == 0, run.output
        (GOLDEN / "kent.json").write_text(run.stdout, encoding="utf-8")
    rules = load_rules(entry_points=False, extra=[("golden-unit-costs", GoldenUnitCosts())])
    result = tp.appraise(synthetic_programme(), rules=rules)
    _check("synthetic.json", render_json(result))


def test_the_synthetic_programme_covers_what_kent_does_not():
    programme = synthetic_programme()
    costs = [line for case in programme.cases for line in case.costs]
    benefits = [line for case in programme.cases for line in case.benefits]
    assert any(line.prices == "nominal" for line in costs + benefits)
    assert any(line.price_base is not None for line in costs + benefits)
    assert any(line.drop_off for line in benefits)
    assert any(line.agency_map for line in benefits)
    assert any(line.unit_cost == "golden:visit" for line in benefits)
    assert any(len(line.project_types) > 1 for line in costs)
    assert any("outsourcing" in line.project_types for line in costs)
    assert any(case.realignments for case in programme.cases)
    assert max(case.end for case in programme.cases) > tp.FinancialYear(2023)  # projection
    assert max(case.end - programme.discount_base for case in programme.cases) > 30  # 3.0% band


#: The reference files as they stood before cases gained ``options`` (issue 15), at commit
#: 8de29ce: the SHA-256 of each file's bytes. (Kent's was checked the same way when the key was
#: added; since then two of its cases use options and a cohort, so only the synthetic
#: programme, none of whose cases has options, is still the file it was.)
BEFORE_OPTIONS = {
    "synthetic.json": "bb084d9c7406275fd60ffd472254ea6eabdf4b92f60a78654241b42918821e10",
}


@pytest.mark.parametrize("name", sorted(BEFORE_OPTIONS))
def test_cases_without_options_give_the_prior_json_plus_their_one_option(name):
    # Every case of these programmes has no [[options]]: it gained one key, ``options``, holding
    # its one implied option, whose own and incremental figures are the case's. Taking that key
    # away gives the reference file as it was, byte for byte: no other key or value moved.
    data = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    for case in data["cases"]:
        figures = {key: case[key] for key in ("pv_costs", "pv_benefits", "npsv", "bcr")}
        assert case.pop("options") == [
            {
                "id": case["id"],
                "title": case["title"],
                **figures,
                "incremental": figures,
                "preferred": True,
            }
        ]
    before = dumps(data).encode("utf-8")
    assert hashlib.sha256(before).hexdigest() == BEFORE_OPTIONS[name]
