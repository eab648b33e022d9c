"""A line's values by year (``LineResult.values``): a compact read-only mapping that gives back
exactly the amounts the appraisal stored, digits, exponent and sign."""

from __future__ import annotations

import sys
from collections.abc import ItemsView, Mapping, ValuesView
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from totalplace_cases import FinancialYear
from totalplace_cases.method.precision import exact
from totalplace_cases.method.results import YearValues

Y0 = FinancialYear(2010)

# Amounts as the engine makes them: many digits, trailing zeros, exponents, a negative zero.
AMOUNTS = {
    0: Decimal("123456.789012345678901234567890123"),
    1: Decimal("0.10"),
    3: Decimal("-0"),
    4: Decimal("1E+3"),
    5: Decimal("-7.25E-14"),
    6: Decimal(0),
}


def test_it_reads_as_a_mapping_of_years_in_year_order_with_absent_years_missing():
    values = YearValues(Y0, AMOUNTS, 8)
    assert isinstance(values, Mapping)
    assert list(values) == [Y0, Y0 + 1, Y0 + 3, Y0 + 4, Y0 + 5, Y0 + 6]
    assert len(values) == 6
    assert Y0 + 2 not in values and Y0 + 7 not in values  # no amount: absent, not zero
    assert Y0 + 6 in values and values[Y0 + 6] == 0  # a zero given is present
    assert values == {Y0 + k: v for k, v in AMOUNTS.items()}
    with pytest.raises(KeyError):
        values[Y0 + 2]
    with pytest.raises(KeyError):
        values[Y0 + 8]  # after the period
    with pytest.raises(KeyError):
        values[Y0 - 1]  # before it
    assert values.get(2010) is None  # not a FinancialYear


def test_amounts_come_back_exactly_digits_exponent_and_sign():
    values = YearValues(Y0, AMOUNTS, 8)
    for k, amount in AMOUNTS.items():
        back = values[Y0 + k]
        assert back.as_tuple() == amount.as_tuple()  # not just equal: the same representation
    assert [v.as_tuple() for v in values.values()] == [a.as_tuple() for a in AMOUNTS.values()]
    assert [(y, v.as_tuple()) for y, v in values.items()] == [
        (Y0 + k, a.as_tuple()) for k, a in AMOUNTS.items()
    ]


def test_items_and_values_are_the_mapping_views():
    values = YearValues(Y0, {0: Decimal(5), 2: Decimal(7)}, 3)
    assert isinstance(values.items(), ItemsView) and isinstance(values.values(), ValuesView)
    assert (Y0 + 2, Decimal(7)) in values.items()
    assert len(values.items()) == len(values.values()) == 2
    assert values.items() & {(Y0, Decimal(5))} == {(Y0, Decimal(5))}
    assert Decimal(7) in values.values()


def test_by_offset_gives_the_whole_period_with_none_where_absent():
    values = YearValues(Y0, {1: Decimal("2.5")}, 3)
    assert values.by_offset() == (None, Decimal("2.5"), None)
    assert YearValues(Y0, {}, 0).by_offset() == () and len(YearValues(Y0, {}, 0)) == 0


def test_negated_turns_every_sign_and_keeps_the_years():
    with exact():
        values = YearValues(Y0, {0: Decimal("1.50"), 2: Decimal("-3")}, 4).negated()
    assert dict(values) == {Y0: Decimal("-1.50"), Y0 + 2: Decimal(3)}
    assert values.by_offset() == (Decimal("-1.50"), None, Decimal(3), None)


def test_it_is_smaller_than_a_tuple_of_decimals():
    # Issue 9's budget of 20 KB a case: ten amounts of 15-20 digits as one string take about a
    # quarter of ten Decimal objects (104 bytes each) and their tuple.
    amounts = {k: Decimal("1234567.891234567891") * (k + 1) for k in range(10)}
    values = YearValues(Y0, amounts, 10)
    held = sum(sys.getsizeof(getattr(values, slot)) for slot in ("_packed",))
    as_decimals = sys.getsizeof(tuple(amounts.values())) + sum(
        sys.getsizeof(v) for v in amounts.values()
    )
    assert held < as_decimals / 3


finite = st.decimals(allow_nan=False, allow_infinity=False, places=None)


@given(st.dictionaries(st.integers(0, 11), finite, max_size=12))
def test_any_amounts_round_trip_exactly(amounts):
    values = YearValues(Y0, amounts, 12)
    assert {y.start_year - 2010: v.as_tuple() for y, v in values.items()} == {
        k: v.as_tuple() for k, v in amounts.items()
    }
