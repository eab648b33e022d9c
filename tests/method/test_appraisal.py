"""The appraisal engine: method.md's worked checks, exactness, and properties of the results."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from attrs import evolve as attrs_evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import totalplace_cases as tp
from totalplace_cases import (
    BenefitLine,
    BusinessCase,
    CostLine,
    FinancialYear,
    Programme,
    TotalPlaceError,
)
from totalplace_cases.method.adjustments import optimism_bias_for_types
from totalplace_cases.money import round_money
from totalplace_cases.plugins import load_rules
from totalplace_cases.registry import UnitCost

Y0 = FinancialYear(2010)  # 2010-11 is year 0 in these examples


@pytest.fixture(scope="module")
def rules():
    return load_rules(entry_points=False)


def by_year(values, start=Y0) -> dict[FinancialYear, Decimal]:
    """A profile of amounts from year 0 on: [100, 50] -> {2010-11: 100, 2011-12: 50}."""
    return {start + i: Decimal(v) for i, v in enumerate(values) if v is not None}


def make_case(costs=(), benefits=(), *, years=10, start=Y0, **kwargs) -> BusinessCase:
    return BusinessCase(
        id=kwargs.pop("id", "worked"),
        title="Worked example",
        category="community",
        start=start,
        years=years,
        costs=costs,
        benefits=benefits,
        **kwargs,
    )


def cost(values, agency="kcc", start=Y0, kind="revenue", **kwargs) -> CostLine:
    return CostLine(agency=agency, kind=kind, amounts=by_year(values, start), **kwargs)


def benefit(values, agency="kcc", value_type="fiscal", line_id="b", **kwargs) -> BenefitLine:
    return BenefitLine(
        id=line_id, agency=agency, value_type=value_type, amounts=by_year(values), **kwargs
    )


# -- method §5 worked check -------------------------------------------------------------------

# Discounted at 3.5%, years 0-9: costs 100, 50, 50; benefits 30 a year in years 3-9.
#   PVC = 100 + 50/1.035 + 50/1.035^2 = 100 + 48.309179 + 46.675535 = 194.984714
#   PVB = 30 * sum_{t=3..9} 1/1.035^t = 30 * 5.707992 = 171.239767
#   NPSV = 171.239767 - 194.984714 = -23.744947; BCR = 0.878221 (poor: 0 < BCR < 1)
WORKED_COSTS = [100, 50, 50]
WORKED_BENEFITS = [0, 0, 0, 30, 30, 30, 30, 30, 30, 30]


def test_worked_example_of_method_section_5(rules):
    case = make_case([cost(WORKED_COSTS)], [benefit(WORKED_BENEFITS, cashable=True)])
    result = tp.appraise(case, rules=rules).cases[0]
    assert float(result.pv_costs) == pytest.approx(194.984714, abs=1e-6)
    assert float(result.pv_benefits) == pytest.approx(171.239767, abs=1e-6)
    assert float(result.npsv) == pytest.approx(-23.744947, abs=1e-6)
    assert result.bcr == pytest.approx(0.878221, abs=1e-6)
    assert result.vfm_category == "poor"


def test_worked_example_with_a_25_5_percent_cost_uplift(rules):
    # PVC = 194.984714 * 1.255 = 244.705816; BCR = 171.239767 / 244.705816 = 0.699778
    case = make_case(
        [cost(WORKED_COSTS, optimism_bias=Decimal("0.255"))],
        [benefit(WORKED_BENEFITS, cashable=True)],
    )
    result = tp.appraise(case, rules=rules).cases[0]
    assert float(result.pv_costs) == pytest.approx(244.705816, abs=1e-6)
    assert float(result.pv_costs_unadjusted) == pytest.approx(194.984714, abs=1e-6)
    assert result.bcr == pytest.approx(0.699778, abs=1e-6)


def test_worked_example_payback_is_never_reached(rules):
    # Cumulative discounted benefits (171.24) never reach cumulative costs (194.98).
    case = make_case([cost(WORKED_COSTS)], [benefit(WORKED_BENEFITS)])
    result = tp.appraise(case, rules=rules).cases[0]
    assert result.payback_year is None
    assert result.payback_years is None


# -- optimism bias (method §3) ----------------------------------------------------------------


def test_mixed_project_types_weight_the_upper_bounds(rules):
    # 30% non-standard buildings (51%) and 70% standard buildings (24%):
    # 0.3 * 51 + 0.7 * 24 = 15.3 + 16.8 = 32.1%
    table = rules.table("green-book-optimism-bias", "optimism-bias")
    shares = {"non-standard-buildings": Decimal("0.3"), "standard-buildings": Decimal("0.7")}
    assert optimism_bias_for_types(table, shares, None) == Decimal("0.321")


def test_a_mixed_project_uplifts_its_costs_by_32_1_percent(rules):
    shares = {"non-standard-buildings": Decimal("0.3"), "standard-buildings": Decimal("0.7")}
    case = make_case([cost([1000], kind="capital", project_types=shares)], years=1)
    result = tp.appraise(case, rules=rules).cases[0]
    assert result.pv_costs == Decimal("1321.000")  # 1000 * 1.321, year 0 undiscounted


def test_mitigation_reduces_the_upper_bound(rules):
    # standard civil engineering, capital: 44% upper bound; mitigated by half: 22%
    case = make_case(
        [
            cost(
                [1000],
                kind="capital",
                project_types={"standard-civil-engineering": Decimal(1)},
                mitigation=Decimal("0.5"),
            )
        ],
        years=1,
    )
    assert tp.appraise(case, rules=rules).cases[0].pv_costs == Decimal("1220")


def test_an_optimism_bias_of_2_triples_the_cost(rules):
    # Green Book equipment/development capital: upper bound 200%, so 1000 x (1 + 2.0) = 3000.
    case = make_case([cost([1000], optimism_bias="2.0")], years=1)
    result = tp.appraise(case, rules=rules).cases[0]
    assert (result.pv_costs, result.pv_costs_unadjusted) == (3000, 1000)


def test_a_rule_may_give_a_cost_an_optimism_bias_above_1():
    class HeavyUplift:
        @tp.hookimpl
        def totalplace_line_defaults(self, line, context):
            return {"optimism_bias": "1.5"} if isinstance(line, CostLine) else None

    rules = load_rules(entry_points=False, extra=[("heavy", HeavyUplift())])
    result = tp.appraise(make_case([cost([1000])], years=1), rules=rules).cases[0]
    assert result.pv_costs == 2500  # 1000 x (1 + 1.5)
    assert result.lines[0].adjustments["basis"] == "rule: heavy"


def test_outsourcing_is_the_project_type_for_revenue_costs(rules):
    # Outsourcing's 41% is an operating-cost bound: 1000 x 1.41 on a revenue line.
    case = make_case([cost([1000], project_types={"outsourcing": Decimal(1)})], years=1)
    assert tp.appraise(case, rules=rules).cases[0].pv_costs == 1410


def test_a_revenue_line_with_a_capital_only_project_type_is_refused(rules):
    case = make_case([cost([1000], project_types={"standard-buildings": Decimal(1)})], years=1)
    with pytest.raises(TotalPlaceError) as caught:
        tp.appraise(case, rules=rules)
    assert str(caught.value) == (
        "case 'worked', costs[0].project_type: the optimism-bias bound of project type "
        '"standard-buildings" is for capital costs, and this is a revenue line; project types '
        "for revenue lines: outsourcing (or give optimism_bias or confidence instead)"
    )
    capital = make_case([cost([1000], kind="capital", project_types={"outsourcing": 1})], years=1)
    with pytest.raises(TotalPlaceError, match="project types for capital lines: equipment-develop"):
        tp.appraise(capital, rules=rules)


def test_a_confidence_grade_sets_the_optimism_bias(rules):
    # cba-local-2014: grade 5 is 25%
    case = make_case([cost([1000], confidence=5)], years=1)
    assert tp.appraise(case, rules=rules).cases[0].pv_costs == Decimal("1250")


# -- the benefit chain (method §4) ------------------------------------------------------------


def test_benefit_chain_applies_every_adjustment(rules):
    # 10 units x £1,000 = £10,000 gross in year 0;
    # x (1-0.1) deadweight x (1-0.2) displacement x (1-0.25) attribution x (1-0.05) ob
    # = 10000 * 0.9 * 0.8 * 0.75 * 0.95 = 5130
    line = BenefitLine(
        id="b",
        agency="kcc",
        value_type="social",
        volumes={Y0: Decimal(10)},
        unit_value=Decimal(1000),
        deadweight=Decimal("0.1"),
        displacement=Decimal("0.2"),
        attribution=Decimal("0.25"),
        optimism_bias=Decimal("0.05"),
    )
    result = tp.appraise(make_case([], [line], years=1), rules=rules).cases[0]
    assert result.pv_benefits == Decimal("5130")
    assert result.pv_social == Decimal("5130")
    assert result.bcr is None  # no costs: the BCR is undefined
    assert result.vfm_category is None


def test_drop_off_counts_from_the_line_s_first_year(rules):
    # 100 a year from year 1 with a 20% drop-off: 100, 80, 64 (year 0 has nothing).
    line = benefit([None, 100, 100, 100], drop_off=Decimal("0.2"))
    result = tp.appraise(make_case([], [line], years=4), rules=rules).cases[0]
    assert [f.benefits for f in result.flows] == [0, 100, 80, 64]


def test_confidence_grade_on_a_benefit_is_its_optimism_bias(rules):
    # grade 3 is 10%: 1000 -> 900
    line = benefit([1000], confidence=3)
    assert tp.appraise(make_case([], [line], years=1), rules=rules).cases[0].pv_benefits == 900


# -- the domestic-violence agency split (method §4) -------------------------------------------


class DomesticViolenceUnitCost:
    """A test plugin: the fiscal cost of a domestic-violence incident, 2008-09 prices."""

    @tp.hookimpl
    def totalplace_register_unit_costs(self, register):
        parts = {"nhs": 1171, "cjs": 581, "police": 415, "la-children": 193, "la-housing": 110}
        register(
            UnitCost(
                key="test:DV",
                value=Decimal(2470),
                price_year=FinancialYear(2008),
                shares=tuple((a, Decimal(v) / Decimal(2470)) for a, v in parts.items()),
            )
        )


def test_a_multi_agency_unit_cost_splits_the_benefit_in_its_shares():
    # 1 incident avoided in 2008-09, valued in 2008-09 prices at 2,470 =
    # NHS 1,171 + criminal justice 581 + police 415 + LA children's 193 + LA housing 110.
    rules = load_rules(entry_points=False, extra=[("dv", DomesticViolenceUnitCost())])
    line = BenefitLine(
        id="dv",
        agency="nhs",
        value_type="fiscal",
        volumes={FinancialYear(2008): Decimal(1)},
        unit_cost="test:DV",
    )
    case = make_case([], [line], years=1, start=FinancialYear(2008))
    result = tp.appraise(case, rules=rules).cases[0]
    split = {a.agency: round_money(a.pv_benefits) for a in result.by_agency}
    assert split == {
        "nhs": Decimal("1171.00"),
        "cjs": Decimal("581.00"),
        "police": Decimal("415.00"),
        "la-children": Decimal("193.00"),
        "la-housing": Decimal("110.00"),
    }
    assert result.pv_benefits == 2470


def test_a_unit_cost_no_plugin_provides_is_named_in_the_error(rules):
    line = BenefitLine(
        id="x", agency="kcc", value_type="fiscal", volumes={Y0: Decimal(1)}, unit_cost="ucd:ZZ9"
    )
    with pytest.raises(TotalPlaceError, match=r"unknown unit cost \"ucd:ZZ9\".*'ucd:'"):
        tp.appraise(make_case([], [line], years=1), rules=rules)


def test_amounts_outside_the_appraisal_period_are_refused(rules):
    case = make_case([cost([100, 100])], years=1)
    with pytest.raises(TotalPlaceError, match=r"2011-12.*outside the appraisal period"):
        tp.appraise(case, rules=rules)


# -- prices (method §1) -----------------------------------------------------------------------


def test_inputs_in_another_price_base_are_rebased_with_the_deflator(rules):
    # Programme price base 2010-11; the case's inputs are in 2009-10 prices.
    # Financial-year indices from the calendar series (3/4 + 1/4):
    #   2009-10: 0.75*68.217 + 0.25*69.1217 = 68.443175
    #   2010-11: 0.75*69.1217 + 0.25*70.834 = 69.549775
    # £1,000,000 in 2009-10 prices = 1,000,000 * 69.549775 / 68.443175 = £1,016,168.157 -> .16
    case = make_case([cost([1_000_000])], years=1, price_base=FinancialYear(2009))
    programme = Programme(id="p", price_base=Y0, cases=[case])
    result = tp.appraise(programme, rules=rules)
    assert round_money(result.cases[0].pv_costs) == Decimal("1016168.16")
    assert any("3/4" in note for note in result.programme.notes)
    assert "hmt-gdp-deflator" in [p.table for p in result.programme.parameters]


def test_nominal_inputs_are_converted_to_real_terms(rules):
    # £1,000 nominal paid in 2011-12, price base 2010-11:
    #   2011-12 index: 0.75*70.834 + 0.25*71.9294 = 71.10785
    #   1000 * 69.549775 / 71.10785 = 978.088...
    case = make_case([cost([None, 1000], prices="nominal")], years=2)
    flows = tp.appraise(case, rules=rules).cases[0].flows
    expected = Decimal(1000) * Decimal("69.549775") / Decimal("71.10785")
    assert abs(flows[1].costs - expected) < Decimal("1e-11")


# -- discounting options ----------------------------------------------------------------------


def test_a_common_discount_base_discounts_later_cases_further(rules):
    # A case starting in 2012-11 discounted to 2010-11: its year 0 is t = 2.
    case = make_case([cost([100], start=FinancialYear(2012))], years=1, start=FinancialYear(2012))
    result = tp.appraise(case, rules=rules, discount_base="2010-11").cases[0]
    assert result.flows[0].t == 2
    assert float(result.pv_costs) == pytest.approx(100 / 1.035**2, rel=1e-12)


def test_a_discount_base_after_the_start_is_an_error(rules):
    case = make_case([cost([100])], years=1)
    with pytest.raises(TotalPlaceError, match="before the discount base 2011-12"):
        tp.appraise(case, rules=rules, discount_base="2011-12")


def test_mid_year_timing_discounts_each_year_half_a_year_further(rules):
    # Year 0 flows at mid-year: 100 / 1.035^0.5 = 98.295
    case = make_case([cost([100])], years=1)
    result = tp.appraise(case, rules=rules, timing="mid").cases[0]
    assert float(result.pv_costs) == pytest.approx(100 / 1.035**0.5, rel=1e-12)


def test_the_health_schedule_can_be_chosen_for_a_case(rules):
    # health D_30 = 1/1.015^30 = 0.639762
    case = make_case([cost([None] * 30 + [100])], years=31, discount_schedule="green-book-health")
    result = tp.appraise(case, rules=rules).cases[0]
    assert float(result.pv_costs) == pytest.approx(63.9762, abs=1e-4)
    assert result.schedule == "green-book-health"


# -- payback (method §5) ----------------------------------------------------------------------


def test_payback_interpolates_within_the_payback_year(rules):
    # Costs 100 in year 0; fiscal benefits 60 in years 1 and 2 (discounted 3.5%):
    #   after year 1: -100 + 60/1.035 = -42.0290; after year 2: -42.0290 + 60/1.035^2 = 14.0106
    #   payback in year 2 (2012-13), which runs from 2 to 3 years after the start:
    #   2 + 42.0290 / 56.0397 = 2.74998 years
    case = make_case([cost([100])], [benefit([0, 60, 60])], years=3)
    result = tp.appraise(case, rules=rules).cases[0]
    assert result.payback_year == FinancialYear(2012)
    d1, d2 = 1 / 1.035, 1 / 1.035**2
    shortfall = 100 - 60 * d1
    assert result.payback_years == pytest.approx(2 + shortfall / (60 * d2), rel=1e-12)


def test_more_cost_never_brings_payback_forward(rules):
    # No costs: payback at the start of the first benefit's year (2 years); a £1 cost in year 0
    # makes it a little later (2 + 1/1000 of the way into 2012-13), never earlier.
    free = make_case([], [benefit([0, 0, 1000])], years=3)
    costly = make_case([cost([1])], [benefit([0, 0, 1000])], years=3)
    assert tp.appraise(free, rules=rules).cases[0].payback_years == 2.0
    later = tp.appraise(costly, rules=rules).cases[0].payback_years
    assert later == pytest.approx(2 + 1 / (1000 / 1.035**2), rel=1e-12)


def test_payback_counts_fiscal_benefits_only(rules):
    case = make_case([cost([100])], [benefit([0, 500], value_type="social")], years=2)
    assert tp.appraise(case, rules=rules).cases[0].payback_year is None


# -- programme totals -------------------------------------------------------------------------


def test_totals_add_cases_that_share_a_price_and_discount_base(rules):
    a = make_case([cost([100])], [benefit([300])], years=1, id="a")
    b = make_case([cost([50])], [benefit([0])], years=1, id="b")
    programme = Programme(id="p", price_base=Y0, discount_base=Y0, cases=[a, b])
    totals = tp.appraise(programme, rules=rules).totals
    assert (totals.pv_costs, totals.pv_benefits, totals.npsv) == (150, 300, 150)
    assert totals.bcr == 2.0
    assert totals.vfm_category == "high"  # 2 <= BCR < 4
    assert totals.note is None


def test_totals_are_refused_with_a_reason_when_bases_differ(rules):
    a = make_case([cost([100])], years=1, id="a")
    later = FinancialYear(2011)
    b = make_case([cost([100], start=later)], years=1, id="b", start=later)
    totals = tp.appraise(Programme(id="p", cases=[a, b]), rules=rules).totals
    assert totals.pv_costs is None and totals.bcr is None and totals.vfm_category is None
    assert "discount bases (2010-11, 2011-12)" in totals.note


# -- accuracy: exact to the penny, ratios to 1e-9 ---------------------------------------------

GREEN_BOOK_BANDS = [
    (30, Fraction(35, 1000)),
    (75, Fraction(30, 1000)),
    (125, Fraction(25, 1000)),
    (200, Fraction(20, 1000)),
    (300, Fraction(15, 1000)),
    (None, Fraction(1, 100)),
]


def exact_factors(n: int) -> list[Fraction]:
    """D_0..D_{n-1} of the Green Book schedule, as exact fractions."""
    factors, d = [Fraction(1)], Fraction(1)
    for t in range(1, n):
        rate = next(r for last, r in GREEN_BOOK_BANDS if last is None or t <= last)
        d /= 1 + rate
        factors.append(d)
    return factors


def half_up(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def test_ten_billion_a_year_for_400_years_is_exact_to_the_penny(rules):
    amounts = [10_000_000_000 - 7_919 * t for t in range(400)]  # distinct, near £10bn a year
    case = make_case([cost(amounts)], [benefit([a // 3 for a in amounts])], years=400)
    result = tp.appraise(case, rules=rules).cases[0]
    d = exact_factors(400)
    exact_costs = sum(Fraction(a) * d[t] for t, a in enumerate(amounts))
    exact_benefits = sum(Fraction(a // 3) * d[t] for t, a in enumerate(amounts))
    assert round_money(result.pv_costs) == half_up(exact_costs)
    assert round_money(result.pv_benefits) == half_up(exact_benefits)
    assert result.bcr == pytest.approx(float(exact_benefits / exact_costs), rel=1e-9)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(st.integers(0, 10_000_000_000_00), min_size=1, max_size=60),
    pence=st.integers(0, 99),
)
def test_present_values_match_exact_arithmetic(rules, amounts, pence):
    values = [Decimal(a) / 100 + Decimal(pence) / 100 for a in amounts]
    case = make_case([cost(values)], years=len(values))
    result = tp.appraise(case, rules=rules).cases[0]
    d = exact_factors(len(values))
    exact = sum(Fraction(v) * d[t] for t, v in enumerate(values))
    assert round_money(result.pv_costs) == half_up(exact)


# -- properties (hypothesis) ------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=10**10, places=2, allow_nan=False)
profiles = st.lists(money, min_size=1, max_size=40)
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(xs=profiles, k=st.integers(1, 1000))
def test_present_value_is_linear_in_the_flows(rules, xs, k):
    one = tp.appraise(make_case([cost(xs)], years=len(xs)), rules=rules).cases[0].pv_costs
    scaled = [x * k for x in xs]
    many = tp.appraise(make_case([cost(scaled)], years=len(xs)), rules=rules).cases[0].pv_costs
    doubled = tp.appraise(make_case([cost(xs), cost(xs)], years=len(xs)), rules=rules)
    tolerance = Decimal("1e-12") * len(xs) * k  # each discounted term is kept to 1e-12
    assert abs(many - k * one) <= tolerance
    assert abs(doubled.cases[0].pv_costs - 2 * one) <= tolerance


@PROPERTY
@given(xs=profiles)
def test_benefits_equal_to_costs_give_npsv_0_and_bcr_1(rules, xs):
    if not any(xs):
        xs = [*xs[:-1], Decimal(1)]
    case = make_case([cost(xs)], [benefit(xs)], years=len(xs))
    result = tp.appraise(case, rules=rules).cases[0]
    assert result.npsv == 0
    assert result.bcr == 1.0
    assert result.vfm_category == "low"  # 1 <= BCR < 1.5


@PROPERTY
@given(costs=profiles, benefits=profiles)
def test_payback_never_precedes_the_first_benefit(rules, costs, benefits):
    years = max(len(costs), len(benefits))
    case = make_case([cost(costs)], [benefit(benefits)], years=years)
    result = tp.appraise(case, rules=rules).cases[0]
    if result.payback_year is not None:
        first = min(f.year for f in result.flows if f.fiscal > 0)
        assert result.payback_year >= first
        k = result.payback_year - case.start
        assert k <= result.payback_years <= k + 1  # a fraction inside the payback year


agencies = st.sampled_from(["kcc", "kent-police", "nhs-wk-pct", "medway", "jcp"])


@PROPERTY
@given(
    lines=st.lists(
        st.tuples(agencies, agencies, profiles, profiles, st.booleans()), min_size=1, max_size=5
    ),
    ob=st.decimals(min_value=0, max_value=1, places=3),
)
def test_agency_figures_add_up_to_the_case_totals_to_the_penny(rules, lines, ob):
    years = max(max(len(c), len(b)) for _, _, c, b, _ in lines)
    costs = [cost(c, agency=payer, optimism_bias=ob) for payer, _, c, _, _ in lines]
    benefits = [
        benefit(b, agency=gainer, line_id=f"b{i}", cashable=cashable, deadweight=Decimal("0.1"))
        for i, (_, gainer, _, b, cashable) in enumerate(lines)
    ]
    result = tp.appraise(make_case(costs, benefits, years=years), rules=rules)
    case = result.cases[0]
    assert sum(a.pv_costs for a in case.by_agency) == case.pv_costs
    assert sum(a.pv_benefits for a in case.by_agency) == case.pv_benefits
    assert sum(a.net for a in case.by_agency) == case.npsv
    # As exported, each figure is rounded half-up on its own, so the shown agency figures add up
    # to the shown case figure within half a penny per agency, plus half for the total.
    exported = tp.to_dict(result)["cases"][0]
    rows = exported["by_agency"]
    for field, total in (
        ("pv_costs", "pv_costs"),
        ("pv_benefits", "pv_benefits"),
        ("net", "npsv"),
        ("pv_fiscal_cashable", "pv_fiscal_cashable"),
    ):
        parts = sum(Decimal(row[field]) for row in rows)
        assert abs(parts - Decimal(exported[total])) <= Decimal("0.005") * (len(rows) + 1), field


# -- appraising a case read from a programme --------------------------------------------------

KENT = __import__("pathlib").Path(__file__).resolve().parents[2] / "cases" / "kent"


def test_a_case_appraised_alone_keeps_its_programme_s_settings_and_plugins():
    # Community safety cites ucd: unit costs, which only the programme's plugins provide, and is
    # reported in the programme's price base and discount base.
    programme = tp.load(KENT)
    whole = tp.appraise(programme).case("kent-community-safety")
    alone = tp.appraise(programme.case("kent-community-safety")).cases[0]
    assert (alone.price_base, alone.discount_base) == (whole.price_base, whole.discount_base)
    assert alone.pv_costs == whole.pv_costs and alone.pv_benefits == whole.pv_benefits


def test_plugins_given_to_load_are_used_by_appraise(tmp_path):
    plugin = tmp_path / "flat_rate.py"
    plugin.write_text(
        "from decimal import Decimal\n"
        "from totalplace_cases import hookimpl\n"
        "from totalplace_cases.method.valuation import Valuation\n\n"
        "@hookimpl\n"
        "def totalplace_value_benefit(line, context):\n"
        "    if line.unit_value is None and line.unit_cost is None and line.volumes:\n"
        "        return Valuation({y: n * Decimal(10) for y, n in line.volumes.items()})\n",
        encoding="utf-8",
    )
    case = tmp_path / "case.toml"
    case.write_text(
        'id = "c"\ncategory = "community"\nstart = "2010-11"\nyears = 1\n'
        '[[benefits]]\nagency = "kcc"\nvalue_type = "social"\nvolumes = { "2010-11" = "3" }\n',
        encoding="utf-8",
    )
    programme = tp.load(case, plugins=[plugin])
    assert tp.appraise(programme).cases[0].pv_benefits == 30  # 3 x £10, the plugin's rate


def test_realignments_move_budget_between_agencies_without_changing_the_totals(rules):
    # KCC pays 100 and gains nothing; the PCT gains 300. Moving £100 a year from the PCT to KCC
    # in years 0 and 1: PV 100 + 100/1.035 = 196.618357 leaves the PCT and reaches KCC.
    from totalplace_cases import Realignment

    case = make_case(
        [cost([100], agency="kcc")],
        [benefit([300], agency="pct")],
        years=2,
        realignments=[Realignment("pct", "kcc", "revenue", {Y0: 100, Y0 + 1: 100})],
    )
    result = tp.appraise(case, rules=rules).cases[0]
    rows = {row.agency: row for row in result.by_agency}
    moved = Decimal(100) + Decimal(100) / Decimal("1.035")
    assert abs(rows["kcc"].pv_realigned - moved) < Decimal("1e-11")
    assert rows["pct"].pv_realigned == -rows["kcc"].pv_realigned
    assert rows["kcc"].net_fiscal == -100  # the wrong pocket, before realignment
    assert rows["kcc"].net_fiscal_after_realignment > 0
    assert (result.pv_costs, result.pv_benefits) == (100, 300)  # a transfer adds nothing


# -- each line's values by year (LineResult.values) -------------------------------------------


def test_a_cost_line_s_values_are_its_real_cost_after_optimism_bias(rules):
    # 100 and 200 uplifted by 25%: 125 and 250, undiscounted; the line's pv discounts them.
    case = make_case([cost([100, 200], optimism_bias=Decimal("0.25"))], years=3)
    line = tp.appraise(case, rules=rules).cases[0].lines[0]
    assert dict(line.values) == {Y0: Decimal(125), Y0 + 1: Decimal(250)}
    assert Y0 + 2 not in line.values  # a year the line gives nothing for is absent
    assert line.pv == Decimal("366.545893719807")  # 125 + 250 / 1.035, kept to 1e-12


def test_a_benefit_line_s_values_are_after_every_adjustment_all_agencies_together():
    # 2 incidents x 2,470 = 4,940 gross, deadweight 0.2 -> 3,952 in 2008-09, split among five
    # bodies in the agencies' rows but whole in the line's values.
    rules = load_rules(entry_points=False, extra=[("dv", DomesticViolenceUnitCost())])
    line = BenefitLine(
        id="dv",
        agency="nhs",
        value_type="fiscal",
        volumes={FinancialYear(2008): Decimal(2)},
        unit_cost="test:DV",
        deadweight=Decimal("0.2"),
    )
    result = tp.appraise(make_case([], [line], years=1, start=FinancialYear(2008)), rules=rules)
    values = result.cases[0].lines[0].values
    assert dict(values) == {FinancialYear(2008): Decimal(3952)}
    assert len(result.cases[0].by_agency) == 5


def test_drop_off_shows_in_a_benefit_line_s_values(rules):
    # 100 a year from year 1 with a 20% drop-off and 10% deadweight: 90, 72, 57.6.
    line = benefit([None, 100, 100, 100], drop_off=Decimal("0.2"), deadweight=Decimal("0.1"))
    values = tp.appraise(make_case([], [line], years=4), rules=rules).cases[0].lines[0].values
    assert list(values.items()) == [(Y0 + 1, 90), (Y0 + 2, 72), (Y0 + 3, Decimal("57.6"))]


def test_the_flows_are_the_lines_values_added_up_by_year(rules):
    case = make_case(
        [cost([100, 50], optimism_bias=Decimal("0.1")), cost([None, 20])],
        [benefit([10, 10], line_id="f"), benefit([0, 7], line_id="s", value_type="social")],
        years=2,
    )
    result = tp.appraise(case, rules=rules).cases[0]
    flows = result.flows
    assert [(f.costs, f.costs_unadjusted) for f in flows] == [(110, 100), (75, 70)]
    assert [(f.benefits, f.fiscal, f.social, f.economic) for f in flows] == [
        (10, 10, 0, 0),
        (17, 10, 7, 0),
    ]
    assert [f.t for f in flows] == [0, 1]
    assert [float(f.discount_factor) for f in flows] == pytest.approx([1.0, 1 / 1.035], rel=1e-15)


def test_the_figures_do_not_depend_on_the_caller_s_decimal_context(rules):
    # The method computes in its own 60-digit context (method §12), whatever the caller set.
    from decimal import ROUND_DOWN, localcontext

    case = make_case([cost(WORKED_COSTS, optimism_bias=Decimal("0.255"))],
                     [benefit(WORKED_BENEFITS, drop_off=Decimal("0.03"))])  # fmt: skip
    expected = tp.to_dict(tp.appraise(case, rules=rules))
    with localcontext() as context:
        context.prec, context.rounding = 6, ROUND_DOWN
        assert tp.to_dict(tp.appraise(case, rules=rules)) == expected


# -- transfers (issue 7.1) --------------------------------------------------------------------


def test_a_transfer_changes_the_fiscal_and_budget_figures_but_not_npsv(rules):
    # Costs 100 in year 0; social value 150 in year 1; and a capital receipt of 200 in year 0,
    # a transfer from the buyer (Green Book 6.7): no social value, but real money to the seller.
    #   without the receipt: PV benefits = 150 / 1.035 = 144.927536, NPSV = 44.927536
    #   with it: the same PV benefits and NPSV; PV fiscal and net budget impact up by 200.
    social = benefit([None, 150], value_type="social", line_id="wellbeing")
    receipt = benefit([200], line_id="receipt", agency="district", cashable=True, transfer=True)
    without = tp.appraise(make_case([cost([100])], [social], years=2), rules=rules).cases[0]
    case = make_case([cost([100])], [social, receipt], years=2)
    result = tp.appraise(case, rules=rules).cases[0]
    assert (result.pv_benefits, result.npsv, result.bcr) == (
        without.pv_benefits,
        without.npsv,
        without.bcr,
    )
    assert result.vfm_category == without.vfm_category
    assert result.pv_fiscal == without.pv_fiscal + 200 == result.pv_fiscal_cashable
    assert result.net_budget_impact == without.net_budget_impact + 200
    assert result.pv_transfers == 200
    assert result.cashable_roi == 2.0  # 200 / 100
    district = {row.agency: row for row in result.by_agency}["district"]
    assert (district.pv_transfers, district.pv_benefits, district.net_fiscal) == (200, 0, 200)
    assert [f.transfers for f in result.flows] == [200, 0]
    assert [f.benefits for f in result.flows] == [0, 150]  # benefits flow: social value only
    assert result.payback_year == Y0  # the receipt pays the costs back in year 0


def test_a_rule_s_default_deadweight_does_not_reach_a_transfer():
    class Deadweight:
        @tp.hookimpl
        def totalplace_line_defaults(self, line, context):
            return {"deadweight": "0.5", "optimism_bias": "0.1"}

    rules = load_rules(entry_points=False, extra=[("dw", Deadweight())])
    outcome = benefit([100], line_id="outcome")
    receipt = benefit([100], line_id="receipt", transfer=True)
    result = tp.appraise(make_case([], [outcome, receipt], years=1), rules=rules).cases[0]
    values = {line.id: line.values[Y0] for line in result.lines}
    assert values == {"outcome": 45, "receipt": 90}  # 100 x 0.5 x 0.9; 100 x 0.9 (no deadweight)
    explicit = benefit([100], line_id="receipt", transfer=True, deadweight=Decimal("0.2"))
    given = tp.appraise(make_case([], [explicit], years=1), rules=rules).cases[0]
    assert given.lines[0].values[Y0] == 72  # its own deadweight applies: 100 x 0.8 x 0.9


def test_a_transfer_must_be_a_fiscal_line():
    # The model refuses it (as the case-file reader does), so no appraisal ever meets one.
    with pytest.raises(ValueError, match=r"a transfer moves money .* this line is economic"):
        benefit([100], value_type="economic", transfer=True)


# -- the health discount rate per line (issue 7.4) --------------------------------------------


def test_a_benefit_line_on_the_health_schedule_is_discounted_at_1_5_percent(rules):
    # Costs 100 in year 1 stay at the case's 3.5%: 100 / 1.035 = 96.618357...
    # A QALY-valued benefit of 100 in year 1 on green-book-health: 100 / 1.015 = 98.522167...
    # A second benefit of 100 in year 1 without a schedule of its own: 96.618357 again.
    health = benefit([None, 100], line_id="qalys", value_type="social")
    health = attrs_evolve(health, discount_schedule="green-book-health")
    other = benefit([None, 100], line_id="fees")
    result = tp.appraise(make_case([cost([None, 100])], [health, other], years=2), rules=rules)
    case = result.cases[0]
    assert case.schedule == "green-book"
    assert float(case.pv_costs) == pytest.approx(100 / 1.035, abs=1e-9)
    pvs = {line.id: float(line.pv) for line in case.lines if line.kind == "benefit"}
    assert pvs == pytest.approx({"qalys": 100 / 1.015, "fees": 100 / 1.035}, abs=1e-9)
    assert float(case.pv_benefits) == pytest.approx(100 / 1.015 + 100 / 1.035, abs=1e-9)
    qalys = case.lines[1]
    assert qalys.adjustments["discount_schedule"] == "green-book-health"
    assert qalys.adjustments["sources"]["discount_schedule"] == "explicit"
    assert "green-book-health" in [p.table for p in result.programme.parameters]


def test_a_qaly_valued_line_takes_the_health_rate_from_the_standard_values(rules):
    # The Green Book's QALY (gb:qaly) names the health schedule as its default (method §17).
    line = BenefitLine(
        id="qalys",
        agency="kcc",
        value_type="social",
        volumes={Y0 + 1: Decimal(1)},
        unit_cost="gb:qaly",
    )
    case = tp.appraise(make_case([], [line], years=2), rules=rules).cases[0]
    assert case.lines[0].adjustments["discount_schedule"] == "green-book-health"
    assert case.lines[0].pv == (case.lines[0].values[Y0 + 1] / Decimal("1.015")).quantize(
        Decimal("1e-12")
    )


def test_payback_discounts_each_line_with_its_own_schedule(rules):
    # Costs 100 in year 0; fiscal benefits of 102 in year 1: at 3.5% they are worth 98.55 (no
    # payback); on the health schedule, 102 / 1.015 = 100.49, which pays back in year 1.
    saving = attrs_evolve(benefit([None, 102]), discount_schedule="green-book-health")
    case = make_case([cost([100])], [saving], years=2)
    assert tp.appraise(case, rules=rules).cases[0].payback_year == Y0 + 1
    plain = make_case([cost([100])], [benefit([None, 102])], years=2)
    assert tp.appraise(plain, rules=rules).cases[0].payback_year is None


# -- case status (issue 7.5) ------------------------------------------------------------------


def _statuses_programme():
    # Three one-year cases in year 0 (undiscounted): costs 100, 50 and 20; benefits 300, 0, 10.
    approved = make_case([cost([100])], [benefit([300])], years=1, id="a", status="approved")
    rejected = make_case([cost([50])], [benefit([0])], years=1, id="r", status="rejected")
    withdrawn = make_case([cost([20])], [benefit([10])], years=1, id="w", status="withdrawn")
    return Programme(id="p", cases=[approved, rejected, withdrawn])


def test_a_rejected_case_is_appraised_and_listed_but_not_in_the_totals(rules):
    result = tp.appraise(_statuses_programme(), rules=rules)
    assert [c.id for c in result.cases] == ["a", "r", "w"]  # every case appraised and listed
    assert [c.status for c in result.cases] == ["approved", "rejected", "withdrawn"]
    assert result.cases[1].pv_costs == 50
    t = result.totals
    assert (t.pv_costs, t.pv_benefits, t.npsv, t.bcr) == (100, 300, 200, 3.0)  # case a alone
    assert "rejected" not in t.statuses_included and "withdrawn" not in t.statuses_included
    assert t.statuses_included == ("draft", "proposed", "approved", "in-delivery", "closed")
    assert [c.id for c in result.counted] == ["a"]
    assert [c.id for c in result.not_counted] == ["r", "w"]


def test_the_caller_chooses_which_statuses_count(rules):
    every = tp.appraise(_statuses_programme(), rules=rules, statuses=["approved", "rejected"])
    assert (every.totals.pv_costs, every.totals.pv_benefits) == (150, 300)
    assert every.totals.statuses_included == ("approved", "rejected")
    with pytest.raises(TotalPlaceError, match=r"unknown status 'done'; the statuses are draft"):
        tp.appraise(_statuses_programme(), rules=rules, statuses=["done"])


# -- cashable payback (issue 7.6) -------------------------------------------------------------


def test_cashable_payback_counts_only_the_budgets_actually_released(rules):
    # Costs 100 in year 0. Fiscal benefits: cashable 40 in each of years 1-3, and capacity freed
    # (non-cashable) of 80 in year 1. At 3.5%:
    #   all fiscal: year 1 brings 120 / 1.035 = 115.942029, so payback is in year 1, at
    #     1 + 100 / 115.942029 = 1.862500 years;
    #   cashable only: 40/1.035 + 40/1.035^2 = 76.010 by the end of year 2 (23.990 short); year 3
    #     brings 40/1.035^3 = 36.077, so 3 + 23.990 / 36.077 = 3.664958 years.
    cashable = benefit([None, 40, 40, 40], line_id="cash", cashable=True)
    capacity = benefit([None, 80], line_id="time", cashable=False)
    result = tp.appraise(make_case([cost([100])], [cashable, capacity], years=4), rules=rules)
    case = result.cases[0]
    d = [1 / 1.035**t for t in range(4)]
    assert case.payback_year == Y0 + 1
    assert case.payback_years == pytest.approx(1 + 100 / (120 * d[1]), rel=1e-12)
    assert case.cashable_payback_year == Y0 + 3
    shortfall = 100 - 40 * (d[1] + d[2])
    assert case.cashable_payback_years == pytest.approx(3 + shortfall / (40 * d[3]), rel=1e-12)
    row = tp.to_dict(result)["cases"][0]
    assert (row["cashable_payback_year"], row["payback_year"]) == ("2013-14", "2011-12")
