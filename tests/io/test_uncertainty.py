"""Reading ranges on a line's inputs (``uncertainty``) and ``[[sensitivities]]`` scenarios.

Each mistake is reported like any other field's: the file, the line, the field path, what was
expected and what was found; every problem of a file at once.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import totalplace_cases as tp
from totalplace_cases.uncertainty import Range

TRIANGLE = {"dist": "triangular", "low": "0.8", "mode": "1", "high": "1.2"}


def _line(case_data, kind: str) -> dict:
    return case_data["costs" if kind == "cost" else "benefits"][0]


def test_a_valid_range_is_read_with_its_group(write_case, case_data):
    benefit = _line(case_data, "benefit")
    benefit["uncertainty"] = {
        "amounts": TRIANGLE,
        "deadweight": {"dist": "uniform", "low": "0.1", "high": "0.3", "group": "own"},
        "group": "demand",
    }
    _line(case_data, "cost")["uncertainty"] = {
        "amounts": {"dist": "lognormal", "mean": "1.05", "sd": "0.1"},
        "optimism_bias": {"dist": "normal", "mean": 0.1, "sd": 0.05},
    }
    case = tp.load(write_case(case_data)).cases[0]
    ranges = case.benefits[0].uncertainty
    assert ranges["amounts"] == Range("triangular", low="0.8", mode="1", high="1.2", group="demand")
    assert ranges["deadweight"].group == "own"  # a range's own group beats the line's
    cost = case.costs[0].uncertainty
    assert cost["amounts"].mean == Decimal("1.05")
    assert cost["optimism_bias"].sd == Decimal("0.05")  # TOML numbers are read exactly


@pytest.mark.parametrize(
    ("kind", "uncertainty", "field", "fragment"),
    [
        ("benefit", {"amount": TRIANGLE}, "uncertainty.amount", 'did you mean "amounts"'),
        ("benefit", {"amounts": {"dist": "beta"}}, "uncertainty.amounts.dist", "expected one of"),
        (
            "benefit",
            {"amounts": {"dist": "triangular", "low": "0.8", "high": "1.2"}},
            "uncertainty.amounts.mode",
            'a triangular range needs "mode"',
        ),
        (
            "benefit",
            {"amounts": {**TRIANGLE, "sd": "1"}},
            "uncertainty.amounts.sd",
            "a triangular range takes low, mode, high; sd is not one",
        ),
        (
            "benefit",
            {"amounts": {"dist": "triangular", "low": "1.2", "mode": "1", "high": "1.3"}},
            "uncertainty.amounts.mode",
            "expected low <= mode <= high, found 1.2, 1, 1.3",
        ),
        (
            "benefit",
            {"amounts": {"dist": "uniform", "low": "2", "high": "1"}},
            "uncertainty.amounts.high",
            "expected low <= high",
        ),
        (
            "benefit",
            {"amounts": {"dist": "uniform", "low": "-0.5", "high": "1"}},
            "uncertainty.amounts.low",
            "expected a multiplier of the figures as written, 0 or more",
        ),
        (
            "benefit",
            {"deadweight": {"dist": "uniform", "low": "0.1", "high": "1.2"}},
            "uncertainty.deadweight.high",
            "expected a fraction between 0 and 1, found 1.2",
        ),
        (
            "benefit",
            {"deadweight": {"dist": "lognormal", "mean": "0.2", "sd": "0.1"}},
            "uncertainty.deadweight.dist",
            "lognormal is for inputs of 0 or more with no upper limit",
        ),
        (
            "benefit",
            {"amounts": {"dist": "normal", "mean": "1", "sd": "-0.1"}},
            "uncertainty.amounts.sd",
            "expected a standard deviation of 0 or more",
        ),
        (
            "benefit",
            {"amounts": {"dist": "lognormal", "mean": "0", "sd": "0.1"}},
            "uncertainty.amounts.mean",
            "a lognormal range needs a mean above 0",
        ),
        (
            "benefit",
            {"amounts": {"dist": "triangular", "low": "x", "mode": "1", "high": "1.2"}},
            "uncertainty.amounts.low",
            'expected a number, found "x"',
        ),
        (
            "benefit",
            {"volumes": TRIANGLE},
            "uncertainty.volumes",
            "this line has no volumes: give the range for amounts (or value)",
        ),
        (
            "benefit",
            {"unit_value": {"dist": "normal", "mean": "5", "sd": "1"}},
            "uncertainty.unit_value",
            "this line has no unit_value",
        ),
        ("benefit", {"amounts": TRIANGLE, "group": ""}, "uncertainty.group", "non-empty id"),
        ("benefit", {"amounts": "wide"}, "uncertainty.amounts", "expected a table"),
        ("cost", {"volumes": TRIANGLE}, "uncertainty.volumes", "expected one of: amounts"),
        (
            "cost",
            {"optimism_bias": {"dist": "uniform", "low": "-0.1", "high": "0.2"}},
            "uncertainty.optimism_bias.low",
            "expected an uplift of 0 or more",
        ),
    ],
)
def test_a_bad_range_names_its_file_line_and_field(
    write_case, case_data, the_problem, kind, uncertainty, field, fragment
):
    _line(case_data, kind)["uncertainty"] = uncertainty
    path = write_case(case_data)
    problem = the_problem(path)
    prefix = "costs[0]" if kind == "cost" else "benefits[0]"
    assert problem.field == f"{prefix}.{field}"
    assert fragment in problem.message
    assert problem.file == path and isinstance(problem.line, int)
    assert "uncertainty" in path.read_text(encoding="utf-8").splitlines()[problem.line - 1]


def test_every_bad_range_of_a_file_is_reported_at_once(write_case, case_data, problems_of):
    _line(case_data, "cost")["uncertainty"] = {
        "amounts": {"dist": "uniform", "low": "2", "high": "1"}
    }
    _line(case_data, "benefit")["uncertainty"] = {
        "drop_off": {"dist": "uniform", "low": "0", "high": "2"}
    }
    fields = {p.field for p in problems_of(write_case(case_data))}
    assert fields == {"costs[0].uncertainty.amounts.high", "benefits[0].uncertainty.drop_off.high"}


def test_ranges_built_in_python_are_held_to_the_same_rules():
    with pytest.raises(ValueError, match="expected low <= mode <= high"):
        Range("triangular", low="2", mode="1", high="3")
    with pytest.raises(ValueError, match=r"uncertainty\.volumes: this line has no volumes"):
        tp.BenefitLine(
            id="b", agency="a", value_type="fiscal", amounts={"2010-11": "1"},
            uncertainty={"volumes": TRIANGLE},
        )  # fmt: skip
    with pytest.raises(ValueError, match=r"uncertainty\.deadweight\.high: expected a fraction"):
        tp.BenefitLine(
            id="b", agency="a", value_type="fiscal", amounts={"2010-11": "1"},
            uncertainty={"deadweight": {"dist": "uniform", "low": "0", "high": "3"}},
        )  # fmt: skip


# -- [[sensitivities]] ----------------------------------------------------------------------------

PROGRAMME = """\
[programme]
id = "p"
price_base = "2010-11"

[[agencies]]
id = "lead-agency"

[[agencies]]
id = "partner-agency"
"""


def test_scenarios_are_read_from_programme_toml(write_case, case_data):
    text = PROGRAMME + (
        '\n[[sensitivities]]\nname = "Costs up a fifth"\ncosts = "0.2"\n'
        '\n[[sensitivities]]\nname = "Late and reduced"\nbenefit_delay = 1\n'
        'schedule = "green-book-2026-reduced"\ncases = ["joint-team"]\n'
    )
    programme = tp.load(write_case(case_data, programme=text).parent)
    first, second = programme.sensitivities
    assert (first.name, first.costs) == ("Costs up a fifth", Decimal("0.2"))
    assert (second.benefit_delay, second.schedule, second.cases) == (
        1,
        "green-book-2026-reduced",
        ("joint-team",),
    )


@pytest.mark.parametrize(
    ("entry", "field", "fragment"),
    [
        ('costs = "0.2"', "sensitivities[0].name", 'missing required field "name"'),
        ('name = "x"', "sensitivities[0]", "a scenario needs at least one change"),
        ('name = "x"\ncosts = "-1.5"', "sensitivities[0].costs", "expected a change of -1"),
        (
            'name = "x"\ncosts = "0.1"\ncost = "0.1"',
            "sensitivities[0].cost",
            'did you mean "costs"',
        ),
        ('name = "x"\nbenefit_delay = -1', "sensitivities[0].benefit_delay", "at least 0"),
        ('name = "x"\nschedule = "nope"', "sensitivities[0].schedule", "no discount-schedule"),
    ],
)
def test_a_bad_scenario_names_its_line_in_programme_toml(
    write_case, case_data, the_problem, entry, field, fragment
):
    text = PROGRAMME + f"\n[[sensitivities]]\n{entry}\n"
    path = write_case(case_data, programme=text)
    problem = the_problem(path.parent)
    assert problem.field == field
    assert fragment in problem.message
    assert problem.file.name == "programme.toml" and isinstance(problem.line, int)


def test_two_scenarios_of_one_name_are_refused(write_case, case_data, the_problem):
    text = PROGRAMME + '\n[[sensitivities]]\nname = "x"\ncosts = "0.1"\n' * 2
    problem = the_problem(write_case(case_data, programme=text).parent)
    assert problem.field == "sensitivities[1].name" and "named twice" in problem.message


def test_a_cohort_lines_drop_off_has_no_range(write_case, case_data, the_problem):
    benefit = case_data["benefits"][0]
    del benefit["amounts"]
    benefit["unit_value"] = "1000"
    benefit["cohort"] = {
        "participants": {"2010-11": "10"}, "engagement": "0.8", "success": "0.5",
        "lag": 1, "persistence": 2,
    }  # fmt: skip
    benefit["uncertainty"] = {"drop_off": {"dist": "uniform", "low": "0", "high": "0.2"}}
    problem = the_problem(write_case(case_data))
    assert problem.field == "benefits[0].uncertainty.drop_off"
    assert "applied cohort by cohort" in problem.message


def test_a_lone_case_file_is_read_beside_scenarios_that_name_other_cases(write_case, case_data):
    # Kent's programme names kent-hcc-placements in a scenario; one of its other case files,
    # read on its own beside it, is still valid, and the scenario does not apply to it.
    text = PROGRAMME + '\n[[sensitivities]]\nname = "x"\ncosts = "0.1"\ncases = ["elsewhere"]\n'
    path = write_case(case_data, programme=text)
    assert [case.id for case in tp.load(path).cases] == ["joint-team"]
    assert [
        t.name for t in tp.sensitivity(path).case("joint-team").tests if t.kind == "scenario"
    ] == []


def test_a_scenario_naming_a_case_the_folder_lacks_is_a_warning(write_case, case_data):
    text = PROGRAMME + '\n[[sensitivities]]\nname = "x"\ncosts = "0.1"\ncases = ["nope"]\n'
    programme = tp.load(write_case(case_data, programme=text).parent)
    (warning,) = [w for w in programme.warnings if w.field == "sensitivities[0].cases"]
    assert (
        "no case 'nope' in the programme, so the scenario does not apply to it" in warning.message
    )
    assert warning.file.name == "programme.toml" and isinstance(warning.line, int)
