"""Discount factors: the reference figures of method §2, exact arithmetic, and properties."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace_cases.errors import InputError
from totalplace_cases.method.discounting import (
    DiscountSchedule,
    discount_factor,
    schedule_from_rules,
)
from totalplace_cases.parameters import builtin_tables, parse_table
from totalplace_cases.plugins import load_rules

BUILTIN_SCHEDULES = ("green-book", "green-book-health", "green-book-2026-reduced")


@pytest.fixture(scope="module")
def rules():
    return load_rules(entry_points=False)


@pytest.fixture(scope="module")
def green_book(rules) -> DiscountSchedule:
    return schedule_from_rules(rules, "green-book")


def _schedule(name: str) -> DiscountSchedule:
    table = next(t for t in builtin_tables() if t.name == name)
    return DiscountSchedule.from_table(table)


SCHEDULES = {name: _schedule(name) for name in BUILTIN_SCHEDULES}


# Method §2 checks, by hand:
#   D_1  = 1/1.035                          = 0.9661836
#   D_10 = 1/1.035^10 = 1/1.4105988         = 0.7089188
#   D_30 = 1/1.035^30 = 1/2.8067937         = 0.3562784
#   D_31 = D_30/1.03  (year 31 is in the 3.0% band)          = 0.3459014
#   D_75 = 1/(1.035^30 * 1.03^45) = 1/(2.8067937 * 3.7816355) = 0.0942138
#   D_76 = D_75/1.025 (year 76 is in the 2.5% band)         = 0.0919159
@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (0, "1"),
        (1, "0.966184"),
        (10, "0.708919"),
        (30, "0.356278"),
        (31, "0.345901"),
        (75, "0.094214"),
        (76, "0.091916"),
    ],
)
def test_green_book_reference_factors(green_book, t, expected):
    assert green_book.factor(t).quantize(Decimal("0.000001")) == Decimal(expected)
    assert discount_factor(t) == pytest.approx(float(expected), abs=5e-7)


def test_d31_is_d30_discounted_at_the_second_band_rate(green_book):
    assert green_book.factor(31) * Decimal("1.03") == pytest.approx(green_book.factor(30))
    assert green_book.rate(30) == Decimal("0.035")
    assert green_book.rate(31) == Decimal("0.030")


def test_health_schedule(rules):
    # 1/1.015^30 = 1/1.5630802 = 0.6397624
    assert discount_factor(30, "green-book-health", rules=rules) == pytest.approx(
        0.639762, abs=1e-6
    )


def _exact(rates: list[tuple[int, int | None, Fraction]], t: int) -> Fraction:
    """D_t with exact rational arithmetic: the product of 1/(1 + r_k) for k = 1..t."""
    factor = Fraction(1)
    for k in range(1, t + 1):
        rate = next(r for first, last, r in rates if first <= k and (last is None or k <= last))
        factor /= 1 + rate
    return factor


@pytest.mark.parametrize("name", BUILTIN_SCHEDULES)
def test_factors_agree_with_exact_fractions(name):
    schedule = SCHEDULES[name]
    rates = [(first, last, Fraction(rate)) for first, last, rate in schedule.bands]
    for t in (1, 30, 31, 75, 76, 125, 126, 200, 201, 300, 301, 400):
        exact = _exact(rates, t)
        relative = abs(Fraction(schedule.factor(t)) - exact) / exact
        assert relative < Fraction(1, 10**30), (name, t, float(relative))


def test_factors_lists_the_first_n_years(green_book):
    assert green_book.factors(0) == ()
    assert green_book.factors(3) == (
        Decimal(1),
        green_book.factor(1),
        green_book.factor(2),
    )


def test_long_horizons_are_quick(green_book):
    # Year 1000 is well inside the 1% band: D_1000 = D_300 / 1.01^700.
    assert green_book.factor(1000) == pytest.approx(
        green_book.factor(300) / Decimal("1.01") ** 700, rel=Decimal("1e-40")
    )


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(BUILTIN_SCHEDULES), t=st.integers(min_value=0, max_value=499))
def test_factors_strictly_decrease(name, t):
    schedule = SCHEDULES[name]
    assert schedule.factor(t + 1) < schedule.factor(t)


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(BUILTIN_SCHEDULES), t=st.integers(min_value=0, max_value=499))
def test_successive_factors_differ_by_the_rate_of_the_next_year(name, t):
    schedule = SCHEDULES[name]
    ratio = schedule.factor(t) / schedule.factor(t + 1)
    assert ratio == pytest.approx(1 + schedule.rate(t + 1), rel=Decimal("1e-25"))


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(BUILTIN_SCHEDULES), t=st.integers(min_value=0, max_value=499))
def test_mid_year_factor_lies_between_the_years(name, t):
    schedule = SCHEDULES[name]
    assert schedule.factor(t + 1) < schedule.mid_year_factor(t) < schedule.factor(t)


def test_mid_year_factor_within_a_band(green_book, rules):
    # Half a year at 3.5%: D_0.5 = 1/sqrt(1.035) = 0.98295
    assert green_book.mid_year_factor(0) == pytest.approx(
        Decimal(1) / Decimal("1.035").sqrt(), rel=Decimal("1e-25")
    )
    assert discount_factor(0, timing="mid", rules=rules) == pytest.approx(0.982946, abs=1e-6)


@pytest.mark.parametrize("t", [-1, -30, 1.0, "3", True, None])
def test_bad_years_are_refused(green_book, t):
    with pytest.raises(ValueError, match="discount year"):
        green_book.factor(t)


def test_unknown_timing_is_refused(rules):
    with pytest.raises(ValueError, match="timing"):
        discount_factor(1, timing="end", rules=rules)


def test_unknown_schedule_names_the_known_ones(rules):
    with pytest.raises(Exception, match="green-book-health"):
        discount_factor(1, "no-such-schedule", rules=rules)


def test_schedule_is_built_once_per_table(rules):
    assert schedule_from_rules(rules, "green-book") is schedule_from_rules(rules, "green-book")


def _table(rows: str, name: str = "my-schedule"):
    text = (
        f"# table: {name}\n# kind: discount-schedule\n# source: test\n# vintage: 2024\n"
        f"from_year,to_year,rate\n{rows}"
    )
    return parse_table(text, origin=f"{name}.csv")


def test_a_schedule_with_a_gap_is_refused_naming_the_table():
    table = _table("0,30,0.035\n35,,0.03\n", name="gappy")
    with pytest.raises(InputError) as caught:
        DiscountSchedule.from_table(table)
    message = str(caught.value)
    assert "gappy" in message
    assert "31-34 are in no band" in message


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("1,30,0.035\n31,,0.03\n", "start at year 0"),
        ("0,30,0.035\n31,75,0.03\n", "last band must be open-ended"),
        ("0,,0.035\n31,,0.03\n", "only the last band may be open-ended"),
        ("0,30,0.035\n25,,0.03\n", "overlap"),
        ("0,30,-1\n31,,0.03\n", "above -1"),
        ("0,30,3.5%\n31,,0.03\n", "decimal fraction"),
        ("0,thirty,0.035\n31,,0.03\n", "whole numbers"),
        ("", "no bands"),
    ],
)
def test_malformed_schedules_are_refused(rows, expected):
    with pytest.raises(InputError, match=expected) as caught:
        DiscountSchedule.from_table(_table(rows))
    assert "my-schedule" in str(caught.value)


def test_bands_may_be_listed_in_any_order():
    schedule = DiscountSchedule.from_table(_table("31,,0.03\n0,30,0.035\n"))
    assert schedule.rate(31) == Decimal("0.03")
    assert schedule.source == "test"
    assert schedule.vintage == "2024"
