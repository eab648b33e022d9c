"""The models: frozen values that read years and money the way case files do."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

import totalplace_cases as tp
from totalplace_cases import BenefitLine, BusinessCase, CostLine, FinancialYear
from totalplace_cases.money import MoneyError


def test_models_built_in_python_read_years_and_money_like_case_files():
    line = CostLine(
        agency="kcc", kind="revenue", amounts={"2010-11": "1,200", "2011/12": 800},
        optimism_bias="0.1",
    )  # fmt: skip
    assert line.amounts == {FinancialYear(2010): Decimal(1200), FinancialYear(2011): Decimal(800)}
    assert line.optimism_bias == Decimal("0.1")
    case = BusinessCase(id="c", title="C", category="community", start="2010/11", years=2,
                        price_base="2009-10", costs=[line])  # fmt: skip
    assert case.start == FinancialYear(2010) and case.price_base == FinancialYear(2009)
    assert case.end == FinancialYear(2011)


def test_a_float_is_refused_for_money_in_python_too():
    with pytest.raises(MoneyError, match="quote it"):
        CostLine(agency="kcc", kind="revenue", amounts={"2010-11": 1200.5})


def test_fractions_outside_0_to_1_are_refused():
    with pytest.raises(MoneyError):
        BenefitLine(id="b", agency="kcc", value_type="social", deadweight="1.5")


def test_models_are_frozen_values_changed_with_evolve():
    line = BenefitLine(id="b", agency="kcc", value_type="fiscal", amounts={"2010-11": "10"})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        line.agency = "medway"  # type: ignore[misc]
    moved = attrs.evolve(line, agency="medway")
    assert (line.agency, moved.agency) == ("kcc", "medway")
    with pytest.raises(TypeError):
        line.amounts[FinancialYear(2011)] = Decimal(1)  # type: ignore[index]


def test_kinds_and_statuses_are_checked():
    with pytest.raises(ValueError):
        CostLine(agency="kcc", kind="opex", amounts={})
    with pytest.raises(ValueError):
        tp.Agency(id="x", kind="quango")


# --- non-finite numbers are refused with the project's error (issue 8) -------------------------

NON_FINITE = [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), float("nan"), float("inf")]


@pytest.mark.parametrize("value", NON_FINITE, ids=repr)
def test_models_refuse_non_finite_amounts_volumes_and_fractions(value):
    from totalplace_cases.errors import TotalPlaceError

    builds = [
        lambda: CostLine(agency="kcc", kind="revenue", amounts={"2010-11": value}),
        lambda: CostLine(agency="kcc", kind="capital", amounts={}, optimism_bias=value),
        lambda: CostLine(agency="kcc", kind="capital", amounts={}, project_types={"x": value}),
        lambda: BenefitLine(id="b", agency="kcc", value_type="fiscal", amounts={"2010-11": value}),
        lambda: BenefitLine(id="b", agency="kcc", value_type="social", volumes={"2010-11": value}),
        lambda: BenefitLine(id="b", agency="kcc", value_type="social", unit_value=value),
        lambda: BenefitLine(id="b", agency="kcc", value_type="social", deadweight=value),
        lambda: tp.Realignment("a", "b", "revenue", amounts={"2010-11": value}),
        lambda: tp.Settings(deflator_projection=value),
    ]
    for build in builds:
        with pytest.raises(TotalPlaceError):
            build()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2.0, "3", True, 0, 1001])
def test_a_case_needs_a_whole_number_of_years_within_bounds(value):
    with pytest.raises(MoneyError, match="years: expected a whole number"):
        BusinessCase(id="c", title="C", category="community", start="2010-11", years=value)


@pytest.mark.parametrize("value", [float("nan"), 2.5, -1])
def test_whole_numbers_of_models_are_checked(value):
    with pytest.raises(MoneyError, match="expected a whole number"):
        CostLine(agency="kcc", kind="revenue", amounts={}, confidence=value)
    with pytest.raises(MoneyError, match="expected a whole number"):
        tp.Programme(id="p", population=value)


def test_a_spend_line_refuses_a_non_finite_amount():
    from totalplace_cases.models import SpendLine

    year = FinancialYear(2010)
    line = SpendLine(year, "kcc", "community", "safety", "revenue", Decimal("1.50"), "kcc")
    assert line.amount == Decimal("1.50")
    for bad in (Decimal("NaN"), Decimal("Infinity"), 1.5):
        with pytest.raises(MoneyError, match="amount: expected a finite Decimal"):
            SpendLine(year, "kcc", "community", "safety", "revenue", bad, "kcc")


# --- mapping-valued fields built in Python read as case files do ------------------------------


def _capital(**fields) -> CostLine:
    return CostLine(agency="lead-agency", kind="capital", amounts={"2010-11": "1000"}, **fields)


def test_project_types_built_in_python_are_the_case_file_s(write_case, case_data):
    # The same shares as text in a case file and as strings in Python: equal lines, Decimals.
    shares = {"non-standard-buildings": "0.3", "standard-buildings": "0.7"}
    case_data["costs"][0].update(kind="capital", project_types=shares)
    del case_data["costs"][0]["confidence"]
    read = tp.load(write_case(case_data)).cases[0].costs[0]
    built = CostLine(
        id="staff", agency="lead-agency", kind="capital",
        amounts={"2010-11": "150000", "2011-12": "150000"}, project_types=shares,
    )  # fmt: skip
    assert built == read
    assert dict(built.project_types) == {
        "non-standard-buildings": Decimal("0.3"),
        "standard-buildings": Decimal("0.7"),
    }
    assert all(type(share) is Decimal for share in built.project_types.values())
    assert _capital(project_types={"x": "1"}).project_types == {"x": Decimal(1)}
    with pytest.raises(TypeError):
        built.project_types["x"] = Decimal(1)  # type: ignore[index]


def test_project_types_built_in_python_are_checked_like_a_case_file_s(
    write_case, case_data, the_problem
):
    # 0.3 + 0.3: the reader refuses it; so does the constructor, with the same words.
    case_data["costs"][0].update(kind="capital", project_types={"a": "0.3", "b": "0.3"})
    del case_data["costs"][0]["confidence"]
    problem = the_problem(write_case(case_data))
    assert problem.field == "costs[0].project_types"
    assert "expected shares adding up to 1, found 0.6" in problem.message
    with pytest.raises(
        MoneyError, match=r"project_types: expected shares adding up to 1, found 0\.6"
    ):
        _capital(project_types={"a": "0.3", "b": "0.3"})
    with pytest.raises(MoneyError):
        _capital(project_types={"a": "1.5"})  # a share is a fraction
    for name in ("", "  ", 7, None):
        with pytest.raises(ValueError, match="project_types: expected a project type name"):
            _capital(project_types={name: "1"})
    assert _capital(project_types=None).project_types == {}


def test_an_agency_map_built_in_python_holds_ids_only():
    line = BenefitLine(
        id="b", agency="kcc", value_type="fiscal", volumes={"2010-11": "2"},
        unit_cost="ucd:X", agency_map={"Police": "kent-police", "Council": "kcc"},
    )  # fmt: skip
    assert list(line.agency_map.items()) == [("Council", "kcc"), ("Police", "kent-police")]
    with pytest.raises(TypeError):
        line.agency_map["NHS"] = "pct"  # type: ignore[index]
    for bad, match in (
        ({"Police": 3}, "agency_map.Police: expected an agency id, found 3"),
        ({"Police": ""}, "agency_map.Police: expected an agency id"),
        ({5: "kcc"}, "agency_map: expected a body's name, found 5"),
        ("Police=kcc", "agency_map: expected a table of"),
    ):
        with pytest.raises(ValueError, match=match):
            BenefitLine(id="b", agency="kcc", value_type="fiscal", agency_map=bad)


# --- what the case-file reader refuses, a line built in Python refuses too --------------------


def test_a_cost_line_gives_optimism_bias_one_way_only():
    assert _capital(optimism_bias="0.5").optimism_bias == Decimal("0.5")
    assert _capital(confidence=3).confidence == 3
    assert _capital(project_types={"standard-buildings": "1"}, mitigation="0.2").mitigation
    for given, found in (
        ({"optimism_bias": "0.5", "confidence": 3}, "optimism_bias and confidence"),
        ({"confidence": 3, "project_types": {"x": "1"}}, "confidence and project_types"),
        ({"optimism_bias": "0", "project_types": {"x": "1"}, "confidence": 1},
         "optimism_bias and confidence and project_types"),
    ):  # fmt: skip
        with pytest.raises(ValueError, match="give optimism bias one way only") as caught:
            _capital(**given)
        assert str(caught.value).endswith(f"found {found}")
    # An empty table of project types is no way of giving optimism bias.
    assert _capital(confidence=3, project_types={}).confidence == 3


def test_a_cost_line_s_mitigation_needs_a_project_type():
    for project_types in (None, {}):
        with pytest.raises(
            ValueError,
            match="mitigation applies to a Green Book project_type; give project_type too",
        ):
            _capital(mitigation="0.2", project_types=project_types)


def _benefit(**fields) -> BenefitLine:
    return BenefitLine(id="b", agency="kcc", **{"value_type": "fiscal", **fields})


COHORT = {"participants": {"2010-11": "10"}}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value_type": "social", "cashable": True, "amounts": {"2010-11": "1"}},
         "only fiscal benefits can be cashable; this line is social"),
        ({"value_type": "economic", "cashable": "0.5", "amounts": {"2010-11": "1"}},
         "only fiscal benefits can be cashable; this line is economic"),
        ({"value_type": "social", "transfer": True, "amounts": {"2010-11": "1"}},
         "a transfer moves money between bodies or people, so it is a fiscal line"),
        ({"amounts": {"2010-11": "1"}, "volumes": {"2010-11": "2"}, "unit_value": "3"},
         "give either amounts by year, or volumes .or a cohort. with a unit_value or unit_cost"),
        ({"amounts": {"2010-11": "1"}, "unit_cost": "ucd:X"}, "give either amounts by year"),
        ({"amounts": {"2010-11": "1"}, "cohort": COHORT, "unit_value": "3"},
         "give either amounts by year"),
        ({"cohort": COHORT}, 'a cohort gives volumes: value them with "unit_value" or "unit_cost"'),
        ({"volumes": {"2010-11": "2"}, "unit_value": "3", "unit_cost": "ucd:X"},
         "give unit_value or unit_cost, not both"),
        ({"amounts": {"2010-11": "1"}, "optimism_bias": "0.1", "confidence": 2},
         "give benefit optimism bias one way only: optimism_bias or confidence"),
        ({"volumes": {"2010-11": "2"}, "unit_value": "3", "agency_map": {"Police": "kcc"}},
         "agency_map applies to a line valued with a unit_cost"),
    ],
)  # fmt: skip
def test_a_benefit_line_is_checked_across_fields_like_a_case_file_s(fields, message):
    with pytest.raises(ValueError, match=f"benefit 'b': {message}"):
        _benefit(**fields)


def test_benefit_lines_the_reader_accepts_are_built_in_python():
    assert _benefit(cashable="0.6", amounts={"2010-11": "1"}).cashable == Decimal("0.6")
    assert _benefit(value_type="social", cashable=False, amounts={"2010-11": "1"})
    assert _benefit(value_type="social", cashable="0", amounts={"2010-11": "1"})
    assert _benefit(transfer=True, amounts={"2010-11": "1"}).transfer
    assert _benefit(cohort=COHORT, unit_value="3").cohort is not None
    line = _benefit(volumes={"2010-11": "2"}, unit_cost="ucd:X", agency_map={"Police": "kcc"})
    assert dict(line.agency_map) == {"Police": "kcc"}


def test_a_realignment_moves_budget_between_two_bodies():
    assert tp.Realignment("kcc", "medway", "revenue", amounts={"2010-11": "1"}).to_agency
    with pytest.raises(
        ValueError, match='a realignment moves budget between two bodies; found "from" and "to"'
    ):
        tp.Realignment("kcc", "kcc", "revenue", amounts={"2010-11": "1"})


def test_amounts_and_volumes_are_0_or_more_as_in_a_case_file():
    with pytest.raises(MoneyError, match="expected a cost of 0 or more, found -1; a saving is a"):
        CostLine(agency="kcc", kind="capital", amounts={"2010-11": "-1"})
    with pytest.raises(MoneyError, match='found -5; to move budget the other way, swap "from"'):
        tp.Realignment("kcc", "medway", "revenue", amounts={"2010-11": "-5"})
    with pytest.raises(MoneyError, match="expected a volume of 0 or more, found -2"):
        _benefit(volumes={"2010-11": "-2"}, unit_value="1")
    zero = CostLine(agency="kcc", kind="capital", amounts={"2010-11": "0"})
    assert zero.amounts == {FinancialYear(2010): Decimal(0)}


def test_line_ids_differ_within_a_case_or_option_and_case_ids_within_a_programme():
    cost = _capital(id="works")
    benefit = _benefit(amounts={"2010-11": "1"})
    case = dict(id="c", title="C", category="community", start="2010-11", years=2)
    with pytest.raises(
        ValueError,
        match=r"""case 'c': cost id "works" is used twice in this case \(also costs\[0\]\)""",
    ):
        BusinessCase(**case, costs=[cost, cost])
    with pytest.raises(
        ValueError, match="""option 'o': benefit id "b" is used twice in this option"""
    ):
        tp.CaseOption(id="o", benefits=[benefit, benefit])
    # A cost line may give no id: two such lines are no clash.
    assert len(BusinessCase(**case, costs=[_capital(), _capital()]).costs) == 2
    with pytest.raises(ValueError, match='case id "c" is used twice in this programme'):
        tp.Programme(id="p", cases=[BusinessCase(**case), BusinessCase(**case)])
    kcc = tp.Agency(id="kcc")
    with pytest.raises(ValueError, match='agency "kcc" is defined twice'):
        tp.Programme(id="p", agencies=[kcc, tp.Agency(id="kcc", name="Kent")])
