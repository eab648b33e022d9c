"""Cuts scenarios on the count: the cut shared to the penny, protected spend untouched.

Reference figures are worked by hand in the comments beside each test (and in docs/method.md
§20), or come from the seed: "In the cuts scenario approximately £700m is lost from Kent public
spending per annum....30000 jobs?"
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import totalplace_cases as tp
from totalplace_cases.method.count import build_count
from totalplace_cases.method.cuts import ScenarioError, apportion, run_scenario
from totalplace_cases.models import CutScenario, Protect, parse_cut

KENT = Path(__file__).resolve().parents[2] / "cases" / "kent"


def small_count():
    """Four lines of 2008-09, in pence: agency a's health (£600) and safety (£100), agency b's
    safety (£100) and transport (£100). The count keeps them sorted by key."""
    cells = [
        (("2008-09", "a", "individual", "health", "revenue", "a"), 60000),
        (("2008-09", "a", "community", "safety", "revenue", "a"), 10000),
        (("2008-09", "b", "community", "safety", "revenue", "b"), 10000),
        (("2008-09", "b", "public-realm", "transport", "capital", "b"), 10000),
    ]
    return build_count(cells, [])


# -- apportion ----------------------------------------------------------------------------------


def test_apportion_gives_the_leftover_pence_to_the_largest_remainders():
    # docs/method.md §20: £10.00 over spends of £7, £5 and £3 (15 in all): exact shares
    # 466.67p, 333.33p and 200p; rounded down 466 + 333 + 200 = 999p; the 1p left goes to the
    # largest remainder (0.67, the first).
    assert apportion(1000, [700, 500, 300]) == [467, 333, 200]
    # Equal remainders: the earlier part first. £1.00 in three: 34p, 33p, 33p.
    assert apportion(100, [1, 1, 1]) == [34, 33, 33]
    # Exact shares need no adjustment; a zero weight gets nothing.
    assert apportion(900, [Decimal("2.5"), 0, Decimal("0.5")]) == [750, 0, 150]


@pytest.mark.parametrize(
    ("total", "weights"),
    [(70_000_000_000, [3, 7, 11, 13]), (1, [5, 5]), (12345, [Decimal("0.001"), 999, 1])],
)
def test_apportion_adds_up_and_each_part_is_within_a_penny_of_its_exact_share(total, weights):
    parts = apportion(total, weights)
    assert sum(parts) == total
    whole = sum(Fraction(w) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * Fraction(weight) / whole) < 1


def test_apportion_refuses_negative_or_empty_weights():
    with pytest.raises(ValueError, match="0 or more"):
        apportion(100, [1, -1])
    with pytest.raises(ValueError, match="add up to nothing"):
        apportion(100, [0, 0])


# -- the cut ------------------------------------------------------------------------------------


def test_a_protected_theme_is_untouched_and_the_rest_share_the_cut():
    scenario = CutScenario.of("s", "£100", protect=["theme=health"], jobs_cost="20")
    result = run_scenario(small_count(), scenario)
    # By hand: £900 counted, £600 of it health (protected); £300 left bears £100, a third each:
    # £33.333... The pennies: 3333p each, 1p over goes to the first line in key order (a's
    # safety line).
    cuts = {(ln.cell.agency, ln.cell.theme): ln.cut for ln in result.lines}
    assert cuts == {
        ("a", "health"): Decimal("0"),
        ("a", "safety"): Decimal("33.34"),
        ("b", "safety"): Decimal("33.33"),
        ("b", "transport"): Decimal("33.33"),
    }
    assert result.baseline_total == Decimal("900.00")
    assert result.protected_total == Decimal("600.00")
    assert result.unprotected_total == Decimal("300.00")
    assert result.effective_rate == Decimal(1) / 3  # "the % rises for everyone else"
    assert result.overall_rate == Decimal(100) / 900
    assert result.jobs == 5  # £100 / £20 a job
    by_agency = {row.key: (row.baseline, row.protected, row.cut) for row in result.by_agency}
    assert by_agency == {
        "a": (Decimal("700.00"), Decimal("600.00"), Decimal("33.34")),
        "b": (Decimal("200.00"), Decimal("0"), Decimal("66.66")),
    }
    # a bears 33.34 of its 700: under 5%; b bears a third.
    assert result.by_agency[1].rate == Decimal("66.66") / Decimal("200.00")
    assert sum(row.cut for row in result.by_category) == Decimal("100")


def test_a_row_with_negative_spend_and_no_cut_has_a_rate_of_zero_not_minus_zero():
    # Agency b's only line of the year is a refund of £20 (negative spend), protected: it bears
    # no cut, and 0 / -20 is shown as 0.0%, never "-0.0%", in a return to the Treasury.
    cells = [
        (("2008-09", "a", "community", "safety", "revenue", "a"), 50000),
        (("2008-09", "b", "individual", "health", "capital", "b"), -2000),
    ]
    result = run_scenario(build_count(cells, []), CutScenario.of("s", "£48", protect=["agency=b"]))
    rows = {row.key: row for row in result.by_agency + result.by_category}
    assert rows["b"].cut == 0 and rows["individual"].cut == 0
    for key in ("b", "individual"):
        assert rows[key].rate == 0 and not rows[key].rate.is_signed(), key
    assert rows["a"].rate == Decimal("48") / Decimal("500")


def test_a_percentage_cut_is_of_the_whole_count_and_phasing_adds_up():
    scenario = CutScenario.of("s", "10%", over=3)
    result = run_scenario(small_count(), scenario)
    # 10% of £900 is £90, taken in three equal steps from 2009-10 (the year after the count):
    # 3000p each.
    assert result.cut == Decimal("90.00")
    assert [(str(y.year), y.cut, y.cumulative) for y in result.by_year] == [
        ("2009-10", Decimal("30.00"), Decimal("30.00")),
        ("2010-11", Decimal("30.00"), Decimal("60.00")),
        ("2011-12", Decimal("30.00"), Decimal("90.00")),
    ]
    # Nothing protected: every line bears 10%.
    assert [ln.cut for ln in result.lines] == [
        Decimal("10.00"), Decimal("60.00"), Decimal("10.00"), Decimal("10.00")
    ]  # fmt: skip
    # The agencies' cut reached by each year is shared as the whole cut: a bears 7/9, b 2/9.
    reached = result.agency_cut_by_year()
    assert reached["a"] == [Decimal("23.33"), Decimal("46.67"), Decimal("70.00")]
    assert reached["b"] == [Decimal("6.67"), Decimal("13.33"), Decimal("20.00")]


def test_a_protection_that_matches_nothing_or_a_cut_too_deep_is_refused():
    with pytest.raises(ScenarioError, match="theme=helth matches no spend") as caught:
        run_scenario(small_count(), CutScenario.of("s", "£1", protect=["theme=helth"]))
    assert caught.value.field == "--protect"
    assert "health, safety, transport" in str(caught.value)
    too_deep = CutScenario.of("s", "£300.01", protect=["agency=a"])
    with pytest.raises(ScenarioError, match="more than the unprotected spend") as caught:
        run_scenario(small_count(), too_deep, where="scenarios[2]")
    assert caught.value.field == "scenarios[2].cut"
    with pytest.raises(ScenarioError, match="no unprotected spend"):
        run_scenario(small_count(), CutScenario.of("s", "£1", protect=["agency=a", "agency=b"]))
    with pytest.raises(ScenarioError, match="has no 2010-11"):
        run_scenario(small_count(), CutScenario.of("s", "£1", year="2010-11"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("£700m", (Decimal("700000000"), None)),
        ("1.2bn", (Decimal("1200000000"), None)),
        ("250k", (Decimal("250000"), None)),
        ("700,000,000.50", (Decimal("700000000.50"), None)),
        (700000000, (Decimal("700000000"), None)),
        ("8.5%", (None, Decimal("0.085"))),
    ],
)
def test_a_cut_is_written_as_money_or_a_percentage(text, expected):
    assert parse_cut(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lots", "expected an amount a year"),
        ("0", "more than £0"),
        ("120%", "at most 100%"),
        (7.5, "found the float 7.5: quote it"),
        ("0.000000001m", "whole pence"),
    ],
)
def test_a_bad_cut_says_what_was_expected(text, message):
    with pytest.raises(ValueError, match=message):
        parse_cut(text)


def test_a_protection_is_written_dimension_equals_id():
    assert Protect.parse(" theme = health ") == Protect("theme", "health")
    with pytest.raises(
        ValueError, match=r'category=ID or agency=ID or theme=ID .* found "funder=x"'
    ):
        Protect.parse("funder=x")


# -- Kent: the seed's scenario ----------------------------------------------------------------


@pytest.fixture(scope="module")
def seed():
    return tp.scenarios(KENT)[0]


def test_the_seeds_700m_is_shared_across_unprotected_agencies_and_categories_to_the_penny(seed):
    assert seed.name == "The seed's cuts scenario"
    assert seed.cut == Decimal("700000000")
    assert sum(row.cut for row in seed.by_agency) == seed.cut
    assert sum(row.cut for row in seed.by_category) == seed.cut
    assert sum(line.cut for line in seed.lines) == seed.cut
    assert sum(step.cut for step in seed.by_year) == seed.cut
    # "30000 jobs?": £700m at the £23,333.33 a job the seed's two figures imply.
    assert seed.jobs == 30000


def test_the_seeds_protected_lines_are_untouched(seed):
    protected = [ln for ln in seed.lines if ln.cell.theme in ("health", "welfare-benefits")]
    assert protected and all(ln.protected and ln.cut == 0 for ln in protected)
    others = [ln for ln in seed.lines if not ln.protected]
    assert others and all(ln.cell.theme not in ("health", "welfare-benefits") for ln in others)
    # Each unprotected line bears the effective rate, to within a penny.
    for line in others:
        assert abs(line.cut - line.cell.amount * seed.effective_rate) < Decimal("0.01")
    # DWP's count is all benefit payments: it bears nothing.
    dwp = next(row for row in seed.by_agency if row.key == "dwp")
    assert dwp.cut == 0 and dwp.protected == dwp.baseline


def test_protecting_health_and_benefits_raises_the_rate_for_everyone_else(seed):
    unprotected = tp.scenarios(KENT)[1]  # the same £700m, no no-go areas
    # £700m of £8.3bn is 8.43%; with £5,013.2m protected, £700m of £3,286.8m is 21.30%.
    assert unprotected.effective_rate == unprotected.overall_rate == Decimal(700) / Decimal(8300)
    assert seed.effective_rate == Decimal("700000000") / Decimal("3286801702.94")
    assert round(seed.effective_rate, 4) == Decimal("0.2130")
    kcc = {r.name: next(a for a in r.by_agency if a.key == "kcc") for r in (seed, unprotected)}
    assert kcc[seed.name].cut > kcc[unprotected.name].cut
