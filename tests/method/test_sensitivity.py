"""Switching values, the standard tests and programme scenarios, against cases solved by hand.

Every hand case here is discounted to its own first year, so a flow in that year counts at its
face value (D_0 = 1) and one a year later at 1 / 1.035.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import totalplace_cases as tp
from totalplace_cases.uncertainty import Scenario

KENT = "cases/kent"
Y0, Y1 = "2010-11", "2011-12"


def _cost(amount, *, year=Y0, **fields) -> tp.CostLine:
    fields.setdefault("optimism_bias", "0")
    return tp.CostLine(
        agency="a", kind=fields.pop("kind", "revenue"), amounts={year: amount}, **fields
    )


def _benefit(line_id, amount, *, year=Y0, **fields) -> tp.BenefitLine:
    return tp.BenefitLine(
        id=line_id, agency="a", value_type="fiscal", amounts={year: amount}, **fields
    )


def _case(case_id="hand", *, costs, benefits, years=2, **fields) -> tp.BusinessCase:
    return tp.BusinessCase(
        id=case_id,
        title=case_id,
        category="community",
        start=Y0,
        years=years,
        costs=costs,
        benefits=benefits,
        **fields,
    )


def _programme(*cases, **fields) -> tp.Programme:
    return tp.Programme(
        id="p", price_base=Y0, discount_base=Y0, agencies=[tp.Agency(id="a")], cases=cases, **fields
    )


def _switching(found) -> dict[str, tp.method.robustness.Switching]:
    return {item.input: item for item in found.switching}


# -- switching values solved in closed form -------------------------------------------------------

# Costs: 50,000 uplifted by an optimism bias of 100% = 100,000. Benefits: line A, 125,000 gross
# with a deadweight of 0.2 = 100,000, and line B, 23,500. NPSV = 123,500 - 100,000 = 23,500;
# BCR = 1.235. Solved by hand, the change s of each input that takes the NPSV to zero:
#   costs             23,500 - 100,000 s = 0          -> s = 0.235
#   benefits          23,500 + 123,500 s = 0          -> s = -23,500 / 123,500 = -0.190283...
#   line A's amounts  23,500 + 100,000 s = 0          -> s = -0.235
#   line B's amounts  23,500 +  23,500 s = 0          -> s = -1 (the edge of the range: reached)
#   deadweight        A = 125,000 (1 - 0.2 (1 + s)): 23,500 - 25,000 s = 0 -> s = 0.94
#   cost ob           C = 50,000 (1 + 1 (1 + s)):    23,500 - 50,000 s = 0 -> s = 0.47
# Displacement and attribution are 0 on every line, and every flow is in year 0 (factor 1), so
# no change of them, or of the discount rates, moves the NPSV: not reached.
HAND = _case(
    costs=[_cost("50000", optimism_bias="1.0")],
    benefits=[_benefit("a-line", "125000", deadweight="0.2"), _benefit("b-line", "23500")],
)


@pytest.fixture(scope="module")
def hand():
    return tp.sensitivity(_programme(HAND)).case("hand")


def test_the_point_figures_are_the_appraisals(hand):
    assert hand.npsv == Decimal("23500")
    assert hand.bcr == Decimal("1.235")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("costs", Decimal("0.235")),
        ("benefits", Decimal("-0.190283")),  # -23,500 / 123,500 to a millionth
        ("benefits.a-line.amounts", Decimal("-0.235")),
        ("benefits.b-line.amounts", Decimal("-1")),
        ("deadweight", Decimal("0.94")),
        ("optimism_bias", Decimal("0.47")),
    ],
)
def test_linear_inputs_are_solved_exactly(hand, name, expected):
    found = _switching(hand)[name]
    assert found.solved == "exact"
    assert found.npsv_zero_change == expected
    # BCR = PV benefits / PV costs reaches 1 exactly where the NPSV reaches 0 (costs positive).
    assert found.bcr_one_change == expected


@pytest.mark.parametrize("name", ["displacement", "attribution", "discount_schedule"])
def test_an_input_that_cannot_move_the_npsv_is_not_reached(hand, name):
    found = _switching(hand)[name]
    assert found.npsv_zero_change is None and found.bcr_one_change is None
    assert found.npsv_down == found.npsv_up == Decimal("23500")


def test_the_tornado_gives_the_npsv_at_minus_and_plus_twenty_per_cent(hand):
    costs = _switching(hand)["costs"]
    assert costs.npsv_down == Decimal("43500")  # 123,500 - 80,000
    assert costs.npsv_up == Decimal("3500")  # 123,500 - 120,000
    line_a = _switching(hand)["benefits.a-line.amounts"]
    assert (line_a.npsv_down, line_a.npsv_up) == (Decimal("3500"), Decimal("43500"))


def test_a_change_beyond_a_hundred_per_cent_is_not_reached():
    # Costs of 10,000 against benefits of 123,500: costs would have to rise by 1,135%.
    case = _case(costs=[_cost("10000")], benefits=[_benefit("b", "123500")])
    found = _switching(tp.sensitivity(_programme(case)).case("hand"))
    assert found["costs"].npsv_zero_change is None
    assert found["benefits"].npsv_zero_change == Decimal("-0.919028")  # -113,500 / 123,500


def test_the_swing_of_the_tornado_is_a_choice():
    found = _switching(tp.sensitivity(_programme(HAND), swing="0.5").case("hand"))
    assert found["costs"].npsv_down == Decimal("73500")  # 123,500 - 50,000


# -- switching values found by bracketing ---------------------------------------------------------


def test_the_discount_rates_switching_value_is_bracketed():
    # Costs of 100,000 now, a benefit of 103,000 a year later: the NPSV is zero at a rate of
    # exactly 3%, i.e. the Green Book's 3.5% changed by 0.03 / 0.035 - 1 = -0.142857...
    case = _case(costs=[_cost("100000")], benefits=[_benefit("b", "103000", year=Y1)])
    found = _switching(tp.sensitivity(_programme(case)).case("hand"))["discount_schedule"]
    assert found.solved == "bracketed"
    assert found.npsv_zero_change == Decimal("-0.142857")
    assert found.bcr_one_change == Decimal("-0.142857")


def test_a_fraction_that_would_pass_one_is_bracketed():
    # Line A: 250,000 gross with a deadweight of 0.6 = 100,000. Doubling the deadweight would
    # take it past 1 (kept at 1), so the NPSV is not linear in its change; the root is where
    # 250,000 (1 - 0.6 (1 + s)) = 76,500: 0.6 (1 + s) = 0.694, s = 0.156666...
    case = _case(
        costs=[_cost("100000")],
        benefits=[_benefit("a", "250000", deadweight="0.6"), _benefit("b", "23500")],
    )
    found = _switching(tp.sensitivity(_programme(case)).case("hand"))["deadweight"]
    assert found.solved == "bracketed"
    assert found.npsv_zero_change == Decimal("0.156667")
    # At +20% the deadweight is 0.72: A = 70,000, NPSV = 93,500 - 100,000.
    assert found.npsv_up == Decimal("-6500")


def test_a_transfer_has_no_switching_value_and_is_not_in_the_npsv():
    case = _case(
        costs=[_cost("100000")],
        benefits=[_benefit("b", "123500"), _benefit("sale", "50000", transfer=True)],
    )
    found = tp.sensitivity(_programme(case)).case("hand")
    assert found.npsv == Decimal("23500")
    assert "benefits.sale.amounts" not in _switching(found)


# -- the standard tests ---------------------------------------------------------------------------


def test_optimism_bias_at_the_green_books_bounds():
    # Standard buildings: upper bound 24%, lower 2% (method §5); with a mitigation of 0.5 the
    # case's own uplift is 12%. A line with an explicit uplift keeps it in both tests.
    case = _case(
        costs=[
            tp.CostLine(
                agency="a",
                kind="capital",
                amounts={Y0: "100000"},
                project_types={"standard-buildings": Decimal(1)},
                mitigation="0.5",
            ),
            _cost("10000", optimism_bias="0.1"),
        ],
        benefits=[_benefit("b", "150000")],
    )
    found = tp.sensitivity(_programme(case)).case("hand")
    assert found.npsv == Decimal("150000") - Decimal("112000") - Decimal("11000")
    tests = {t.name: t for t in found.tests}
    upper, lower = tests["optimism bias: upper bound"], tests["optimism bias: lower bound"]
    assert upper.kind == lower.kind == "optimism_bias"
    assert upper.npsv == Decimal("150000") - Decimal("124000") - Decimal("11000")
    assert lower.npsv == Decimal("150000") - Decimal("102000") - Decimal("11000")
    assert float(upper.bcr) == 150000 / 135000


@pytest.fixture(scope="module")
def kent():
    programme = tp.load(KENT)
    return programme, tp.sensitivity(programme), tp.appraise(programme)


def test_kents_point_figures_are_the_exact_engines(kent):
    _, found, appraisal = kent
    for case, appraised in zip(found.cases, appraisal.cases, strict=True):
        assert case.npsv == appraised.npsv
        assert float(case.bcr) == appraised.bcr
    assert found.programme.npsv == appraisal.totals.npsv


@pytest.mark.parametrize("schedule", ["green-book", "green-book-2026-reduced", "green-book-health"])
def test_each_schedule_test_is_the_appraisal_with_that_schedule(kent, schedule):
    programme, found, _ = kent
    appraised = tp.appraise(programme, schedule=schedule)
    for case, expected in zip(found.cases, appraised.cases, strict=True):
        test = {t.name: t for t in case.tests}[f"schedule: {schedule}"]
        assert test.kind == "schedule"
        assert test.npsv == expected.npsv
        assert float(test.bcr) == expected.bcr
    programme_test = {t.name: t for t in found.programme.tests}[f"schedule: {schedule}"]
    assert programme_test.npsv == appraised.totals.npsv


def test_the_fifty_year_test_is_for_cases_over_fifty_years():
    long = _case(
        "long", costs=[_cost("100000")], benefits=[_benefit("b", "3000", year="2070-71")], years=61
    )
    short = _case("short", costs=[_cost("1000")], benefits=[_benefit("b", "1500")])
    programme = _programme(long, short)
    found = tp.sensitivity(programme)
    name = "50-year test: green-book-2026-reduced"
    assert name not in {t.name for t in found.case("short").tests}
    test = {t.name: t for t in found.case("long").tests}[name]
    reduced = tp.appraise(programme, schedule="green-book-2026-reduced")
    assert test.kind == "fifty_year"
    assert test.npsv == reduced.case("long").npsv
    # The programme: the long case at the reduced rates, the short one as it stands.
    programme_test = {t.name: t for t in found.programme.tests}[name]
    assert programme_test.npsv == reduced.case("long").npsv + Decimal("500")


def test_a_programme_scenario_changes_every_case_it_names():
    one = _case("one", costs=[_cost("100000")], benefits=[_benefit("b", "123500")])
    two = _case("two", costs=[_cost("10000")], benefits=[_benefit("b", "20000")])
    scenarios = [
        Scenario(name="costs up a fifth", costs="0.2"),
        Scenario(name="case one's benefits a year late", benefit_delay=1, cases=["one"]),
    ]
    found = tp.sensitivity(_programme(one, two, sensitivities=scenarios))
    up = {t.name: t for t in found.case("two").tests}["costs up a fifth"]
    assert up.kind == "scenario"
    assert up.npsv == Decimal("20000") - Decimal("12000")
    late = {t.name: t for t in found.case("one").tests}["case one's benefits a year late"]
    assert late.npsv == round(Decimal("123500") / Decimal("1.035"), 12) - Decimal("100000")
    assert "case one's benefits a year late" not in {t.name for t in found.case("two").tests}
    programme_late = {t.name: t for t in found.programme.tests}["case one's benefits a year late"]
    assert programme_late.npsv == late.npsv + Decimal("10000")


def test_the_programme_adds_the_counted_cases_only():
    one = _case("one", costs=[_cost("100000")], benefits=[_benefit("b", "123500")])
    gone = _case(
        "gone", costs=[_cost("10")], benefits=[_benefit("b", "1000000")], status="rejected"
    )
    found = tp.sensitivity(_programme(one, gone))
    assert found.programme.npsv == Decimal("23500")
    assert _switching(found.programme)["costs"].npsv_zero_change == Decimal("0.235")
    assert found.case("gone").status == "rejected"


def test_cases_in_different_bases_give_no_programme_figures():
    one = _case("one", costs=[_cost("100")], benefits=[_benefit("b", "200")])
    other = _case(
        "other", costs=[_cost("100")], benefits=[_benefit("b", "200")], discount_base="2009-10"
    )
    programme = tp.Programme(id="p", agencies=[tp.Agency(id="a")], cases=[one, other])
    found = tp.sensitivity(programme)
    assert found.programme.npsv is None and found.note
    assert found.case("one").npsv == Decimal("100")


def test_a_case_with_options_is_tested_as_its_preferred_option_against_business_as_usual():
    # The preferred option: costs 100,000, benefits 150,000. Business as usual: costs 20,000,
    # benefits 40,000. The case's figures are the difference: PV costs 80,000, PV benefits
    # 110,000, NPSV 30,000. Every input changes in both options: costs by s, 110,000 - 80,000
    # (1 + s) = 0 at s = 0.375; the preferred option's benefit line, 150,000 (1 + s) - 40,000 -
    # 80,000 = 0 at s = -0.2; business as usual's, 150,000 - 40,000
    # (1 + s) - 80,000 = 0 at s = 0.75.
    case = tp.BusinessCase(
        id="hand",
        title="hand",
        category="community",
        start=Y0,
        years=2,
        options=[
            tp.CaseOption(id="bau", costs=[_cost("20000")], benefits=[_benefit("kept", "40000")]),
            tp.CaseOption(id="new", costs=[_cost("100000")], benefits=[_benefit("won", "150000")]),
        ],
        business_as_usual="bau",
        preferred="new",
    )
    programme = _programme(case)
    found = tp.sensitivity(programme).case("hand")
    assert found.npsv == Decimal("30000") == tp.appraise(programme).case("hand").npsv
    switching = _switching(found)
    assert switching["costs"].npsv_zero_change == Decimal("0.375")
    assert switching["options.new.benefits.won.amounts"].npsv_zero_change == Decimal("-0.2")
    assert switching["options.bau.benefits.kept.amounts"].npsv_zero_change == Decimal("0.75")
    assert "(business as usual)" in switching["options.bau.benefits.kept.amounts"].label
