"""Benefits built from cohorts of participants (issue 15.2, method §19).

The worked example: 100 participants in 2010-11 and 50 in 2011-12; 80% engage and half of
those succeed, so 100 × 0.8 × 0.5 = 40 and 50 × 0.8 × 0.5 = 20 successes. Each year's
successes count from a year later (lag 1) for two years (persistence 2):

| year    | 2010-11 cohort | 2011-12 cohort | volume |
| ------- | -------------- | -------------- | ------ |
| 2010-11 |                |                | (none) |
| 2011-12 | 40             |                | 40     |
| 2012-13 | 40             | 20             | 60     |
| 2013-14 |                | 20             | 20     |

With a drop-off of 0.1, each cohort's second year counts 0.9 of its first: 40, 40 × 0.9 + 20
= 56, 20 × 0.9 = 18.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import totalplace_cases as tp
from totalplace_cases.method.cohorts import cohort_successes, cohort_volumes
from totalplace_cases.models import Cohort
from totalplace_cases.money import money_str
from totalplace_cases.reports.json import to_dict
from totalplace_cases.reports.options import cohorts_table

Y = tp.FinancialYear
COHORT = {
    "participants": {"2010-11": "100", "2011-12": "50"},
    "engagement": "0.8",
    "success": "0.5",
    "lag": 1,
    "persistence": 2,
}


def test_two_years_of_participants_with_a_lag_of_one_and_persistence_of_two():
    cohort = Cohort(**COHORT)
    assert cohort_successes(cohort) == {Y(2010): 40, Y(2011): 20}
    assert cohort_volumes(cohort) == {Y(2011): 40, Y(2012): 60, Y(2013): 20}


def test_drop_off_counts_from_each_cohort_s_own_first_year():
    volumes = cohort_volumes(Cohort(**COHORT), Decimal("0.1"))
    assert volumes == {Y(2011): 40, Y(2012): Decimal(56), Y(2013): Decimal(18)}


def test_outcomes_after_the_appraisal_period_are_not_counted():
    assert cohort_volumes(Cohort(**COHORT), last=Y(2012)) == {Y(2011): 40, Y(2012): 60}
    late = Cohort(participants={"2012-13": "10"}, lag=3)
    assert cohort_volumes(late, last=Y(2014)) == {}


def _case(case_data, **benefit) -> dict:
    case_data["costs"] = [
        {
            "id": "team",
            "agency": "lead-agency",
            "kind": "revenue",
            "amounts": {"2010-11": "3000", "2011-12": "1035"},  # PV 3,000 + 1,000 = 4,000
        }
    ]
    case_data["benefits"] = [
        {
            "id": "families",
            "agency": "partner-agency",
            "value_type": "fiscal",
            "unit_value": "100",
            "deadweight": "0.25",
            "cohort": COHORT,
            **benefit,
        }
    ]
    case_data.pop("realignments", None)
    return case_data


def test_a_cohort_line_is_valued_on_its_volumes_and_adjusted_once(write_case, case_data):
    case = tp.appraise(tp.load(write_case(_case(case_data, drop_off="0.1")))).cases[0]
    (line,) = [line for line in case.lines if line.kind == "benefit"]
    # volumes 40, 56, 18 (drop-off in the volumes) × £100 × (1 - 0.25): drop-off not again.
    assert dict(line.values) == {Y(2011): 3000, Y(2012): 4200, Y(2013): 1350}
    assert [f.benefits for f in case.flows] == [0, 3000, 4200, 1350, 0]
    assert line.cohort.volumes == {Y(2011): 40, Y(2012): 56, Y(2013): 18}
    assert line.adjustments["drop_off"] == Decimal("0.1")


def test_the_case_shows_participants_successes_and_costs_per_head(write_case, case_data):
    result = tp.appraise(tp.load(write_case(_case(case_data))))
    case = result.cases[0]
    (figures,) = case.cohorts
    assert (figures.line, figures.participants, figures.engaged, figures.successes) == (
        "families",
        150,
        120,
        60,
    )
    assert money_str(case.pv_costs) == "4000.00"
    assert money_str(figures.cost_per_participant) == "26.67"  # 4,000 / 150
    assert money_str(figures.cost_per_success) == "66.67"  # 4,000 / 60
    assert cohorts_table(case).rows == (("families", 150, 120, 60, "£26.67", "£66.67"),)
    (line,) = [line for line in to_dict(result)["cases"][0]["lines"] if "cohort" in line]
    assert line["cohort"] == {
        "participants": {"2010-11": "100", "2011-12": "50"},
        "engagement": 0.8,
        "success": 0.5,
        "lag": 1,
        "persistence": 2,
        "successes": {"2010-11": "40.00", "2011-12": "20.00"},
        "volumes": {"2011-12": "40.00", "2012-13": "60.00", "2013-14": "20.00"},
        "participants_total": "150",
        "successes_total": "60.00",
        "cost_per_participant": "26.67",
        "cost_per_success": "66.67",
    }


def test_the_command_shows_the_cohort_table(invoke, write_case, case_data):
    result = invoke("appraise", write_case(_case(case_data)))
    assert result.exit_code == 0, result.output
    assert "joint-team: cohorts" in result.stdout
    assert "£26.67" in result.stdout and "£66.67" in result.stdout
    data = json.loads(invoke("appraise", write_case(_case(case_data)), "--format", "json").stdout)
    assert "cohort" in data["cases"][0]["lines"][1]


def test_a_cohort_can_count_a_standard_value(write_case, case_data):
    # QALYs gained by the successes: the value comes through the unit cost and its uprating,
    # and the line takes the QALY's health discount rate, as a volumes line would.
    benefit = _case(case_data)["benefits"][0]
    del benefit["unit_value"]
    benefit.update(unit_cost="gb:qaly", value_type="social", cohort={**COHORT, "success": "0.05"})
    case = tp.appraise(tp.load(write_case(case_data))).cases[0]
    (line,) = [line for line in case.lines if line.kind == "benefit"]
    assert line.cohort.volumes == {Y(2011): 4, Y(2012): 6, Y(2013): 2}
    assert line.adjustments["discount_schedule"] == "green-book-health"
    # The same QALYs given as volumes are worth exactly the same.
    volumes_line = tp.BenefitLine(
        id="same",
        agency="partner-agency",
        value_type="social",
        unit_cost="gb:qaly",
        deadweight="0.25",
        volumes={"2011-12": 4, "2012-13": 6, "2013-14": 2},
    )
    same = tp.BusinessCase(
        id="same", title="same", category="individual", start="2010-11", years=5,
        benefits=[volumes_line],
    )  # fmt: skip
    assert tp.appraise(same).cases[0].lines[0].pv == line.pv


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"volumes": {"2011-12": "1"}}, "benefits[0].cohort", "give volumes or a cohort, not both"),
        ({"unit_value": None}, "benefits[0].cohort", 'value them with "unit_value" or "unit_cost"'),
        ({"cohort": {**COHORT, "participants": {"2030-31": "5"}}},
         'benefits[0].cohort.participants."2030-31"', "outside the appraisal period"),
        ({"cohort": {**COHORT, "lag": -1}}, "benefits[0].cohort.lag", "at least 0"),
        ({"cohort": {**COHORT, "persistence": 0}}, "benefits[0].cohort.persistence", "at least 1"),
        ({"cohort": {**COHORT, "success": "1.5"}}, "benefits[0].cohort.success",
         "between 0 and 1"),
        ({"cohort": {**COHORT, "participants": {"2010-11": "-3"}}},
         'benefits[0].cohort.participants."2010-11"', "0 or more"),
        ({"cohort": {"engagement": "0.5"}}, "benefits[0].cohort.participants",
         'missing required field "participants"'),
        ({"cohort": {**COHORT, "retention": "0.5"}}, "benefits[0].cohort.retention",
         "unknown field"),
    ],
)  # fmt: skip
def test_a_bad_cohort_is_named_with_its_field(
    write_case, problems_of, case_data, change, field, message
):
    data = _case(case_data)
    data["benefits"][0].update(change)
    data["benefits"][0] = {k: v for k, v in data["benefits"][0].items() if v is not None}
    found = {p.field: p for p in problems_of(write_case(data))}
    assert field in found, found
    assert message in found[field].message
    assert isinstance(found[field].line, int)


def test_a_cohort_in_python_is_checked():
    with pytest.raises(ValueError, match="between 0 and 1"):
        Cohort(participants={"2010-11": 1}, engagement="2")
    with pytest.raises(ValueError, match="persistence"):
        Cohort(participants={"2010-11": 1}, persistence=0)
    with pytest.raises(ValueError, match="volumes or a cohort, not both"):
        tp.BenefitLine(
            id="b", agency="a", value_type="fiscal", unit_value="1",
            volumes={"2010-11": 1}, cohort=Cohort(participants={"2010-11": 1}),
        )  # fmt: skip


def test_kent_s_margate_families_are_a_cohort(kent_dir):
    # The figures of docs/method.md, section 19.
    case = tp.appraise(tp.load(kent_dir)).case("kent-margate-task-force")
    (figures,) = case.cohorts
    assert (figures.line, figures.participants, figures.engaged, figures.successes) == (
        "family-wellbeing",
        380,
        304,
        152,
    )
    assert money_str(figures.cost_per_participant) == "22316.05"
    assert money_str(figures.cost_per_success) == "55790.13"
    (line,) = [line for line in case.lines if line.id == "family-wellbeing"]
    # 24 successes from 2010-11's 60 families count from 2011-12; the later cohorts join them.
    assert line.cohort.volumes[Y(2011)] == 24
    assert line.cohort.volumes[Y(2012)] == Decimal("24") * Decimal("0.8") + 32
