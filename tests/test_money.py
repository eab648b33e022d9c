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


# --- one error type, one way of writing numbers, and bounds (issue 8) ---------------------------


def test_money_error_is_the_projects_own_error():
    from totalplace_cases.errors import TotalPlaceError

    assert issubclass(MoneyError, TotalPlaceError)


@pytest.mark.parametrize(
    "text",
    [
        "1e3",  # an exponent
        "1E-2",
        "1_000",  # Python's digit separator
        "١٢٣",  # Arabic-Indic digits, which Decimal() would read as 123
        "１２",  # fullwidth digits
        "NaN",
        "nan",
        "Infinity",
        "-inf",
        ".5",  # no digit before the point
        "5.",  # none after it
        "0x10",
        "1.2.3",
        "+-1",
        "",
    ],
)
@pytest.mark.parametrize("parse", [parse_money, parse_number, parse_fraction])
def test_numbers_are_written_only_the_way_money_is(parse, text):
    with pytest.raises(MoneyError):
        parse(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("1500", "1500"), ("1,500", "1500"), ("2.5", "2.5"), (" 12 ", "12"), ("-3", "-3")],
)
def test_volumes_accept_the_forms_money_accepts(text, value):
    assert parse_number(text) == parse_money(text) == Decimal(value)


def test_a_fraction_takes_no_thousands_commas():
    assert parse_fraction("0.25") == Decimal("0.25")
    with pytest.raises(MoneyError):
        parse_fraction("0,250")


@pytest.mark.parametrize(
    "value",
    [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"), float("nan")],
)
def test_non_finite_numbers_are_refused_with_the_projects_error(value):
    for parse in (parse_number, parse_fraction):
        with pytest.raises(MoneyError):
            parse(value)
    with pytest.raises(MoneyError):
        parse_money(value)


def test_amounts_are_bounded_and_the_bound_is_named():
    from totalplace_cases.money import MAX_AMOUNT

    assert parse_money(MAX_AMOUNT) == MAX_AMOUNT
    assert parse_money(-MAX_AMOUNT) == -MAX_AMOUNT
    assert parse_money("1,000,000,000,000,000") == MAX_AMOUNT
    with pytest.raises(MoneyError, match="1,000,000,000,000,000"):
        parse_money("1,000,000,000,000,000.01")
    with pytest.raises(MoneyError, match="no further from zero"):
        parse_money(10**18)


def test_volumes_are_bounded():
    from totalplace_cases.money import MAX_VOLUME

    assert parse_number(MAX_VOLUME) == MAX_VOLUME
    with pytest.raises(MoneyError, match="no further from zero"):
        parse_number(MAX_VOLUME + 1)
    with pytest.raises(MoneyError, match="no further from zero"):
        parse_number(1e300)


def test_decimal_places_are_bounded_but_trailing_zeros_do_not_count():
    from totalplace_cases.money import MAX_DECIMALS

    assert parse_money("0." + "0" * (MAX_DECIMALS - 1) + "1") == Decimal(10) ** -MAX_DECIMALS
    assert parse_fraction("0.5" + "0" * 40) == Decimal("0.5")
    with pytest.raises(MoneyError, match=f"at most {MAX_DECIMALS} digits"):
        parse_money("0." + "0" * MAX_DECIMALS + "1")
    with pytest.raises(MoneyError, match=f"at most {MAX_DECIMALS} digits"):
        parse_fraction(1e-30)


def test_a_very_long_value_is_refused_quickly_and_echoed_short():
    text = "9" * 1_000_000
    with pytest.raises(MoneyError) as caught:
        parse_money(text)
    assert len(str(caught.value)) < 300
    assert "1,000,000 characters" in str(caught.value)


def test_control_characters_in_a_bad_value_are_escaped_in_the_message():
    with pytest.raises(MoneyError) as caught:
        parse_money("12\x1b]0;title\x07")
    assert "\x1b" not in str(caught.value)
    assert "\\x1b]0;title\\x07" in str(caught.value)


def test_large_amounts_round_and_show_without_a_decimal_error():
    # Beyond the 28 digits of Python's default decimal context, as programme totals can be.
    amount = Decimal("123456789012345678901234567890.125")
    assert round_money(amount) == Decimal("123456789012345678901234567890.13")
    assert format_gbp(amount).endswith(",890.13")
    assert format_gbp(amount, pence=False).endswith(",890")
