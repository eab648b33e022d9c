"""Monte Carlo: the vectorised engine against the exact one, the draws, and their statistics."""

from __future__ import annotations

import math
import random
import statistics
from decimal import Decimal

import attrs
import numpy as np
import pytest

import totalplace_cases as tp
from totalplace_cases import pipeline
from totalplace_cases.method import draws as sampling
from totalplace_cases.method import simulation
from totalplace_cases.method.terms import programme_terms
from totalplace_cases.method.vectorised import compile_model
from totalplace_cases.uncertainty import Range

KENT = "cases/kent"
PENNY = 0.01
AGENCIES = ("county", "district", "police", "health")


# -- a synthetic programme with every way of valuing and adjusting a line ------------------------


def _money(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randrange(low * 100, high * 100) / 100:.2f}"


def _fraction(rng: random.Random, top: int) -> str:
    return f"{rng.randrange(top + 1) / 100:.2f}"


def _cost(rng: random.Random, years: list, index: int) -> tp.CostLine:
    kind = ("capital", "revenue")[index % 2]
    bias = [
        {"optimism_bias": _fraction(rng, 80)},
        {"confidence": rng.randint(1, 6)},
        {"project_types": {"standard-buildings": Decimal(1)}, "mitigation": "0.25"}
        if kind == "capital"
        else {"project_types": {"outsourcing": Decimal(1)}},
        {"optimism_bias": "2.0"},
    ][index % 4]
    return tp.CostLine(
        id=f"cost-{index}",
        agency=rng.choice(AGENCIES),
        kind=kind,
        amounts={
            y: _money(rng, 1_000, 500_000) for y in rng.sample(years, rng.randint(1, len(years)))
        },
        prices="nominal" if index % 3 == 2 else "real",
        **bias,
    )


def _benefit(rng: random.Random, years: list, index: int) -> tp.BenefitLine:
    value_type = ("fiscal", "economic", "social")[index % 3]
    way = index % 5
    if way == 0:
        valued = {"amounts": {y: _money(rng, -20_000, 400_000) for y in years}}
    elif way == 1:
        valued = {
            "volumes": {y: rng.randrange(0, 400) for y in years},
            "unit_value": _money(rng, 10, 5_000),
        }
    elif way == 2:  # a standard value: QALYs, at the health rate by the rule's default
        valued = {"volumes": {y: rng.randrange(0, 5) for y in years}, "unit_cost": "gb:qaly"}
    elif way == 3:  # nominal amounts, deflated
        valued = {"amounts": {y: _money(rng, 0, 300_000) for y in years[1:]}, "prices": "nominal"}
    else:  # the health rate named in the line
        valued = {
            "amounts": {y: _money(rng, 0, 100_000) for y in years},
            "discount_schedule": "green-book-health",
        }
    transfer = value_type == "fiscal" and index % 7 == 3
    return tp.BenefitLine(
        id=f"benefit-{index}",
        agency=rng.choice(AGENCIES),
        value_type=value_type,
        cashable=value_type == "fiscal" and index % 2 == 0,
        transfer=transfer,
        deadweight=None if transfer else _fraction(rng, 40),
        displacement=_fraction(rng, 20) if index % 4 == 1 and not transfer else None,
        attribution=None if transfer else _fraction(rng, 30),
        optimism_bias=_fraction(rng, 25),
        drop_off=_fraction(rng, 15) if index % 3 == 1 else None,
        **valued,
    )


def synthetic_programme(cases: int = 12, seed: int = 14) -> tp.Programme:
    """Cases of 3 to 60 years starting 2010-11 to 2014-15, some at mid-year timing."""
    rng = random.Random(seed)
    built = []
    for number in range(cases):
        start = tp.FinancialYear(2010 + number % 5)
        length = rng.choice((3, 10, 25, 60))
        years = [start + k for k in range(length)]
        built.append(
            tp.BusinessCase(
                id=f"case-{number:02d}",
                title=f"Synthetic case {number}",
                category="community",
                start=start,
                years=length,
                timing="mid" if number % 4 == 3 else None,
                costs=[_cost(rng, years, i) for i in range(3)],
                benefits=[_benefit(rng, years, i) for i in range(8)],
            )
        )
    return tp.Programme(
        id="synthetic",
        price_base=tp.FinancialYear(2010),
        discount_base=tp.FinancialYear(2010),
        agencies=[tp.Agency(id=a) for a in AGENCIES],
        cases=built,
        settings=tp.Settings(deflator_projection=Decimal("0.02")),  # nominal years past the series
    )


@pytest.fixture(scope="module")
def kent():
    loaded = pipeline.load_programme(KENT)
    return loaded.programme, loaded.rules


# -- the vectorised engine agrees with the exact one ----------------------------------------------


def _agreement(programme: tp.Programme, rules) -> float:
    """The largest difference between the engines' PV costs and PV benefits over every case,
    with every input of every line given to the vectorised engine at its point value."""
    appraisal = tp.appraise(programme, rules=rules)
    model = compile_model(programme_terms(programme, rules), every_input=True)
    costs, benefits = model.present_values(model.point_values())
    worst = 0.0
    for index, case in enumerate(appraisal.cases):
        worst = max(
            worst,
            abs(float(case.pv_costs) - costs[index, 0]),
            abs(float(case.pv_benefits) - benefits[index, 0]),
        )
    return worst


def test_the_vectorised_engine_agrees_with_the_exact_one_on_kent(kent):
    programme, rules = kent
    assert _agreement(programme, rules) < PENNY


def test_the_vectorised_engine_agrees_with_the_exact_one_on_a_synthetic_programme():
    programme = synthetic_programme()
    rules = pipeline.plugin_host()
    assert _agreement(programme, rules) < PENNY
    # The programme exercises what it claims to: long cases, mid-year timing, own schedules,
    # drop-off, transfers, nominal prices and standard values.
    lines = [line for case in programme.cases for line in case.benefits]
    assert {case.years for case in programme.cases} >= {3, 60}
    assert any(case.timing == "mid" for case in programme.cases)
    assert any(line.transfer for line in lines) and any(line.drop_off for line in lines)
    assert any(line.unit_cost == "gb:qaly" for line in lines)
    assert any(line.prices == "nominal" for line in lines)


def test_the_engine_with_draws_at_point_values_is_the_exact_npsv(kent):
    # Kent's own ranges, each drawn at the line's point value: the simulation's statistics are
    # then the exact NPSV to the penny.
    programme, rules = kent
    model = compile_model(programme_terms(programme, rules))
    assert model.sources  # Kent gives ranges
    costs, benefits = model.present_values(model.point_values())
    for index, case in enumerate(tp.appraise(programme, rules=rules).cases):
        assert abs((benefits[index, 0] - costs[index, 0]) - float(case.npsv)) < PENNY


# -- draws ---------------------------------------------------------------------------------------


def _with_ranges(programme: tp.Programme, benefit_range, cost_range=None) -> tp.Programme:
    """Every line of every case (and of every option of a case with options) given ranges."""

    def lines(holder):
        benefits = [attrs.evolve(b, uncertainty=benefit_range(b)) for b in holder.benefits]
        costs = [
            attrs.evolve(c, uncertainty=cost_range(c) if cost_range else {}) for c in holder.costs
        ]
        return attrs.evolve(holder, benefits=benefits, costs=costs)

    cases = [
        attrs.evolve(case, options=[lines(o) for o in case.options])
        if case.options
        else lines(case)
        for case in programme.cases
    ]
    return attrs.evolve(programme, cases=cases)


def test_narrow_symmetric_ranges_give_a_mean_near_the_point_figure(kent):
    # Every benefit's value within ±1% (triangular), every cost's amounts within ±1% (uniform)
    # and every deadweight within ±0.005: independent and symmetric, so the expected NPSV is the
    # point NPSV; with 20,000 draws the mean is within 0.05% of PV benefits of it.
    programme, rules = kent

    def benefit(line):
        found = {"value": Range("triangular", low="0.99", mode="1", high="1.01")}
        if line.deadweight and line.deadweight >= Decimal("0.005"):
            d = line.deadweight
            found["deadweight"] = Range(
                "uniform", low=d - Decimal("0.005"), high=d + Decimal("0.005")
            )
        return found

    narrow = _with_ranges(
        programme, benefit, lambda c: {"amounts": Range("uniform", low="0.99", high="1.01")}
    )
    appraisal = tp.appraise(narrow, rules=rules)
    result = tp.simulate(narrow, rules=rules, draws=20_000, seed=7)
    for case, exact in zip(result.cases, appraisal.cases, strict=True):
        gap = abs(case.simulation.npsv.mean - exact.npsv)
        assert gap <= Decimal("0.0005") * exact.pv_benefits, case.id
        assert case.simulation.npsv.p10 < exact.npsv < case.simulation.npsv.p90
    programme_gap = abs(result.programme.npsv.mean - appraisal.totals.npsv)
    assert programme_gap <= Decimal("0.0005") * appraisal.totals.pv_benefits


def test_the_same_seed_gives_the_same_figures_and_another_seed_others(kent, monkeypatch):
    programme, rules = kent
    first = tp.simulate(programme, rules=rules, draws=3_000, seed=11)
    assert tp.simulate(programme, rules=rules, draws=3_000, seed=11) == first
    assert tp.simulate(programme, rules=rules, draws=3_000, seed=12) != first
    # However the draws are split into chunks (memory), the figures are the same.
    monkeypatch.setattr(simulation, "CHUNK_VALUES", 500)
    assert tp.simulate(programme, rules=rules, draws=3_000, seed=11) == first


def test_a_group_draws_once_for_every_range_in_it():
    ranges = [
        Range("triangular", low="0.5", mode="1", high="1.5", group="g"),
        Range("triangular", low="0.5", mode="1", high="1.5", group="g"),
        Range("triangular", low="0.5", mode="1", high="1.5"),
        Range("uniform", low="10", high="20", group="g"),
    ]
    sampler = sampling.Sampler(ranges, [0, 0, 1, 0], [(0.0, None)] * 4)
    u = sampling.uniforms(sampling.generator(3), 2, 1_000)
    values = sampler.values(u)
    assert np.array_equal(values[0], values[1])  # the same range in one group: the same draws
    assert not np.array_equal(values[0], values[2])
    # A member with another distribution moves with the group: the same rank in every draw.
    assert np.array_equal(np.argsort(values[0]), np.argsort(values[3]))


def test_grouped_lines_move_together_and_widen_the_spread():
    def case(group):
        line = {"dist": "triangular", "low": "0.5", "mode": "1", "high": "1.5", "group": group}
        benefits = [
            tp.BenefitLine(
                id=i,
                agency="a",
                value_type="fiscal",
                amounts={"2010-11": "100"},
                uncertainty={"value": line},
            )
            for i in ("one", "two")
        ]
        cost = tp.CostLine(
            agency="a", kind="revenue", amounts={"2010-11": "150"}, optimism_bias="0"
        )
        return tp.BusinessCase(
            id="c", title="c", category="community", start="2010-11", years=1, benefits=benefits,
            costs=[cost],
        )  # fmt: skip

    together = tp.simulate(case("g"), draws=20_000, seed=5).case("c").simulation
    apart = tp.simulate(case(None), draws=20_000, seed=5).case("c").simulation
    # Together, NPSV = 200 m - 150 for one multiplier m: its P10 is 200 x (m's P10) - 150, here
    # 200 x 0.7236 - 150 = -5.28 (the triangular's 10th percentile, 0.5 + sqrt(0.1 x 0.5), by
    # hand); the sampling error of a P10 of 20,000 draws is about 0.5.
    q10 = 0.5 + math.sqrt(0.1 * 0.5)
    assert abs(float(together.npsv.p10) - (200 * q10 - 150)) < 2
    assert together.npsv.p90 - together.npsv.p10 > apart.npsv.p90 - apart.npsv.p10


@pytest.mark.parametrize(
    ("found", "mean", "sd"),
    [
        (
            Range("triangular", low="0", mode="1", high="5"),
            2.0,
            math.sqrt((0 + 1 + 25 - 0 - 0 - 5) / 18),
        ),
        (Range("uniform", low="2", high="4"), 3.0, 2 / math.sqrt(12)),
        (Range("normal", mean="10", sd="2"), 10.0, 2.0),
        (Range("lognormal", mean="1.2", sd="0.3"), 1.2, 0.3),
    ],
)
def test_each_distribution_has_its_mean_and_spread(found, mean, sd):
    sampler = sampling.Sampler([found], [0], [(None, None)])
    values = sampler.values(sampling.uniforms(sampling.generator(1), 1, 200_000))[0]
    assert abs(values.mean() - mean) < 0.02 * sd * 5
    assert abs(values.std() - sd) < 0.02 * sd


def test_a_normal_is_clipped_to_the_values_its_input_can_take():
    # A deadweight of mean 0.05, sd 0.1: draws below 0 are kept at 0 (about 31% of them).
    sampler = sampling.Sampler([Range("normal", mean="0.05", sd="0.1")], [0], [(0.0, 1.0)])
    values = sampler.values(sampling.uniforms(sampling.generator(2), 1, 50_000))[0]
    assert values.min() == 0.0 and values.max() <= 1.0
    assert abs((values == 0).mean() - statistics.NormalDist(0.05, 0.1).cdf(0)) < 0.01


def test_the_maths_is_ieee_arithmetic_close_to_the_libraries():
    x = np.concatenate([np.logspace(-300, 300, 2001), np.linspace(0.01, 10, 2001)])
    assert np.max(np.abs(sampling.log(x) - np.log(x)) / np.abs(np.log(x)).clip(1)) < 1e-15
    y = np.linspace(-700, 700, 4001)
    assert np.max(np.abs(sampling.exp(y) - np.exp(y)) / np.exp(y)) < 1e-15
    u = np.linspace(1e-6, 1 - 1e-6, 2001)
    expected = np.array([statistics.NormalDist().inv_cdf(p) for p in u])
    assert np.max(np.abs(sampling.normal_quantile(u) - expected)) < 1e-8


def test_uniforms_come_from_the_generators_raw_bits_and_never_touch_zero_or_one():
    raw = np.random.PCG64(9).random_raw(6)
    u = sampling.uniforms(sampling.generator(9), 3, 2)
    # Draw i takes raw outputs 3i, 3i + 1, 3i + 2: the top 53 bits over 2**53.
    expected = (raw >> np.uint64(11)).astype(float) / 2.0**53
    assert np.array_equal(u.T.ravel(), expected)
    assert (u > 0).all() and (u < 1).all()
    zero = sampling.uniforms(_Zeros(), 1, 3)
    assert (zero == 2.0**-54).all()


class _Zeros:
    """A generator whose every draw is 0, the one value outside (0, 1) PCG64's can give."""

    def random(self, shape):
        return np.zeros(shape)


# -- statistics ----------------------------------------------------------------------------------


def test_the_programme_adds_its_counted_cases_draw_by_draw(kent):
    programme, rules = kent
    result = tp.simulate(programme, rules=rules, draws=2_000, seed=3)
    counted = {case.id for case in tp.appraise(programme, rules=rules).counted}
    assert len(counted) < len(result.cases)  # Kent has a case the totals leave out
    total = sum(case.npsv_draws for case in result.cases if case.id in counted)
    assert np.allclose(result.programme_npsv_draws, total, rtol=0, atol=1e-6)
    ordered = np.sort(result.programme_npsv_draws)
    # The P50 of 2,000 draws lies halfway between the 1,000th and 1,001st.
    assert abs(float(result.programme.npsv.p50) - (ordered[999] + ordered[1000]) / 2) <= 0.005
    assert result.programme.p_npsv_positive == (ordered > 0).mean()
    ranged = sum(c.simulation.ranged_inputs for c in result.cases if c.id in counted)
    assert result.programme.ranged_inputs == ranged


def test_a_case_without_costs_has_no_bcr_statistics():
    line = tp.BenefitLine(id="b", agency="a", value_type="fiscal", amounts={"2010-11": "5"})
    case = tp.BusinessCase(
        id="c", title="c", category="community", start="2010-11", years=1, benefits=[line]
    )
    found = tp.simulate(case, draws=10, seed=0).case("c").simulation
    assert found.bcr.mean is None and found.p_bcr_at_least_1 is None
    assert found.bcr_undefined_draws == 10
    assert found.npsv.p50 == Decimal("5.00") and found.ranged_inputs == 0


def test_sensitivity_with_draws_carries_the_same_simulation(kent):
    programme, rules = kent
    found = tp.sensitivity(programme, rules=rules, draws=500, seed=4)
    simulated = tp.simulate(programme, rules=rules, draws=500, seed=4)
    for case, alone in zip(found.cases, simulated.cases, strict=True):
        assert case.simulation == alone.simulation
    assert found.programme.simulation == simulated.programme


def test_a_path_is_loaded_and_a_cases_figures_read_straight_off_it(kent):
    programme, rules = kent
    from_path = tp.simulate(KENT, draws=200, seed=8)
    assert from_path == tp.simulate(programme, rules=rules, draws=200, seed=8)
    case = from_path.case("kent-hcc-placements")
    assert (
        case.npsv == case.simulation.npsv
        and case.p_npsv_positive == case.simulation.p_npsv_positive
    )
    assert tp.sensitivity(KENT).programme.npsv == tp.appraise(programme, rules=rules).totals.npsv
