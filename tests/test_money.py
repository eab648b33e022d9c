"""Money as exact decimals: reading amounts and fractions, rounding half-up, showing pounds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from totalplace_cases.money import (
    MoneyError,
    format_gbp,
    parse_fraction,
    parse_money,
    parse_number,
    round_money,
)

# --- reading amounts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("1200000", "1200000"),
        ("1,200,000.50", "1200000.50"),
        (1200000, "1200000"),
        ("£1,200", "1200"),
        ("£1200.07", "1200.07"),
        ("-250", "-250"),
        (" 300 ", "300"),
        (0, "0"),
    ],
)
def test_amounts_are_read_exactly(written, amount):
    value = parse_money(written)
    assert isinstance(value, Decimal)
    assert value == Decimal(amount)


def test_pence_are_kept_exactly():
    # 0.1 + 0.2 is exactly 0.3 in decimal, unlike binary floats.
    assert parse_money("0.10") + parse_money("0.20") == Decimal("0.30")


def test_a_float_is_refused_with_advice_to_quote_it():
    with pytest.raises(MoneyError) as caught:
        parse_money(1200000.5)
    message = str(caught.value)
    assert "float" in message
    assert "quote" in message
    assert '"1200000.5"' in message  # shows the figure as it should be written


@pytest.mark.parametrize("flag", [True, False])
def test_a_boolean_is_not_money(flag):
    with pytest.raises(MoneyError, match="boolean"):
        parse_money(flag)


@pytest.mark.parametrize("text", ["1,20,0", "abc", "", "1.2.3", "12,00", "1e6", "NaN", "£"])
def test_text_that_is_not_an_amount_is_refused(text):
    with pytest.raises(MoneyError) as caught:
        parse_money(text)
    message = str(caught.value)
    assert f'"{text}"' in message
    assert '"1,200,000.50"' in message  # an example of what is expected


@pytest.mark.parametrize("value", [None, [1], {"a": 1}])
def test_other_types_are_not_money(value):
    with pytest.raises(MoneyError, match="expected an amount of money"):
        parse_money(value)


def test_money_error_is_a_value_error():
    assert issubclass(MoneyError, ValueError)


# --- reading fractions --------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["0.1", 0.1, "0.10"])
def test_a_fraction_from_text_or_float_is_the_decimal_written(written):
    # The float 0.1 is really 0.1000000000000000055511151231257827...; the fraction read is the
    # 0.1 the user wrote.
    assert parse_fraction(written) == Decimal("0.1")


@pytest.mark.parametrize(("written", "value"), [(0, "0"), (1, "1"), ("1", "1"), ("0", "0")])
def test_zero_and_one_are_fractions(written, value):
    assert parse_fraction(written) == Decimal(value)


@pytest.mark.parametrize("written", [1.5, -0.1, "1.01", "-0.5", 2])
def test_fractions_outside_0_to_1_are_refused(written):
    with pytest.raises(MoneyError, match="between 0 and 1"):
        parse_fraction(written)


@pytest.mark.parametrize("written", ["ten percent", True, float("nan"), "inf"])
def test_a_fraction_must_be_a_number(written):
    with pytest.raises(MoneyError):
        parse_fraction(written)


# --- rounding and display -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exact", "rounded"),
    [
        ("0.005", "0.01"),  # a half penny rounds up
        ("2.675", "2.68"),  # (the float 2.675 is 2.67499..., the decimal is exactly half)
        ("-0.005", "-0.01"),  # and away from zero when negative
        ("0.0049", "0.00"),
        ("1.234", "1.23"),
        ("-1.236", "-1.24"),
        ("7", "7.00"),
    ],
)
def test_round_money_is_half_up_to_the_penny(exact, rounded):
    result = round_money(Decimal(exact))
    assert result == Decimal(rounded)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("-1234.5", "-£1,234.50"),
        ("1234567.005", "£1,234,567.01"),
        ("0", "£0.00"),
        ("999.999", "£1,000.00"),
        ("-0.004", "£0.00"),  # rounds to zero: no minus sign on nothing
    ],
)
def test_format_gbp(amount, shown):
    assert format_gbp(Decimal(amount)) == shown


def test_format_gbp_in_whole_pounds():
    assert format_gbp(Decimal("1234.5"), pence=False) == "£1,235"
    assert format_gbp(Decimal("-1234.5"), pence=False) == "-£1,235"


def test_commas_are_thousands_separators_or_an_error():
    assert parse_number("1,500") == Decimal(1500)
    with pytest.raises(MoneyError):
        parse_number("1,5")  # a decimal comma would silently read as 15
    with pytest.raises(MoneyError):
        parse_fraction("0,1")  # and as 1 here, wiping out a benefit
