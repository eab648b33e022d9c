"""Property tests of every parser: round trips, and no input that escapes the project's errors.

For money, fractions, numbers, years, quarters, the line-finder and whole case files,
hypothesis generates inputs (valid ones, near misses and arbitrary text) and checks that each
parser either returns a value within its documented bounds or raises the project's own error,
and that what the tool writes (``format_gbp``, ``str(year)``) reads back to the same value.
"""

from __future__ import annotations

import contextlib
import tomllib
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import totalplace_cases as tp
from totalplace_cases.errors import InputError
from totalplace_cases.io.toml_lines import FieldLines
from totalplace_cases.money import (
    MAX_AMOUNT,
    MAX_DECIMALS,
    MAX_VOLUME,
    MoneyError,
    format_gbp,
    parse_fraction,
    parse_money,
    parse_number,
    round_money,
)
from totalplace_cases.periods import (
    FIRST_START_YEAR,
    LAST_START_YEAR,
    FinancialYear,
    PeriodError,
    Quarter,
    parse_quarter,
    parse_year,
)

# Text that looks like numbers and years, mixed with anything at all.
NUMBERISH = st.text(alphabet="0123456789,.-+£ eE_١٢ \t", max_size=30)
YEARISH = st.text(alphabet="0123456789-/ Qq", max_size=16)
ANYTHING = st.one_of(
    st.text(max_size=50),
    NUMBERISH,
    YEARISH,
    st.integers(),
    st.floats(),
    st.decimals(),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
AMOUNTS = st.decimals(
    min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, allow_nan=False, allow_infinity=False, places=2
)
EXACT = st.integers(min_value=0, max_value=MAX_DECIMALS).flatmap(
    lambda places: st.decimals(
        min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT, places=places, allow_nan=False
    )
)


# --- money --------------------------------------------------------------------------------------


@given(AMOUNTS)
def test_money_reads_back_what_format_gbp_writes(amount):
    assert parse_money(format_gbp(amount)) == amount


@given(EXACT)
def test_money_reads_back_any_amount_written_with_thousands_commas(amount):
    assert parse_money(f"{amount:,f}") == amount
    assert parse_money(f"{amount:f}") == amount


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_format_gbp_shows_any_finite_amount_and_it_reads_back_rounded(amount):
    if amount.copy_abs() > MAX_AMOUNT:
        return
    assert parse_money(format_gbp(amount)) == round_money(amount)


@given(ANYTHING)
def test_money_is_read_or_refused_with_the_projects_error(value):
    try:
        amount = parse_money(value)
    except MoneyError:
        return
    assert isinstance(amount, Decimal) and amount.is_finite()
    assert amount.copy_abs() <= MAX_AMOUNT


# --- numbers and fractions ----------------------------------------------------------------------


@given(st.one_of(NUMBERISH, st.text(max_size=30)))
def test_numbers_accept_exactly_the_forms_money_accepts(text):
    if "£" in text:
        return  # the pound sign is money's alone
    try:
        money: Decimal | None = parse_money(text)
    except MoneyError:
        money = None
    try:
        number: Decimal | None = parse_number(text, limit=MAX_AMOUNT)
    except MoneyError:
        number = None
    assert money == number


@given(ANYTHING)
def test_numbers_are_read_or_refused_with_the_projects_error(value):
    try:
        number = parse_number(value)
    except MoneyError:
        return
    assert number.is_finite() and number.copy_abs() <= MAX_VOLUME


@given(st.decimals(min_value=0, max_value=1, places=MAX_DECIMALS))
def test_fractions_read_back_as_written(fraction):
    assert parse_fraction(f"{fraction:f}") == fraction  # str() could give "0E-18"


@given(st.floats(min_value=0, max_value=1))
def test_a_float_fraction_is_its_shortest_decimal(value):
    try:
        fraction = parse_fraction(value)
    except MoneyError as exc:
        assert "digits after the decimal point" in str(exc)  # e.g. 1e-30
        return
    assert fraction == Decimal(repr(value))


@given(ANYTHING)
def test_fractions_are_between_0_and_1_or_refused(value):
    try:
        fraction = parse_fraction(value)
    except MoneyError:
        return
    assert 0 <= fraction <= 1


# --- years and quarters -------------------------------------------------------------------------

YEARS = st.integers(min_value=FIRST_START_YEAR, max_value=LAST_START_YEAR).map(FinancialYear)


@given(YEARS)
def test_years_read_back_as_written(year):
    assert parse_year(str(year)) == year
    assert parse_year(str(year).replace("-", "/")) == year
    assert parse_year(f"  {year.start_year} - {str(year)[-2:]} ") == year


@given(YEARS, st.integers(min_value=1, max_value=4))
def test_quarters_read_back_as_written(year, number):
    quarter = Quarter(year, number)
    assert parse_quarter(str(quarter)) == quarter
    assert parse_quarter(str(quarter).lower()) == quarter


@given(st.one_of(YEARISH, ANYTHING))
def test_years_and_quarters_are_read_or_refused_with_the_projects_error(value):
    for parse, kind in ((parse_year, FinancialYear), (parse_quarter, Quarter)):
        with contextlib.suppress(PeriodError):
            assert isinstance(parse(value), kind)


# --- the line-finder and whole files ------------------------------------------------------------

TOML_PIECES = st.lists(
    st.sampled_from(
        ['[costs]', '[[costs]]', 'a = 1', '"q" = "v"', "k = { a = 1, b = { c = [1, 2] } }",
         'n = """', '"""', "'''", "x.y.z = 'l'", "# c", "[a.b]", "= 3", '{', '"\\', "\t", ""]
    ) | st.text(max_size=20),
    max_size=30,
)  # fmt: skip


@given(TOML_PIECES)
def test_the_line_finder_never_fails_and_names_lines_of_the_text(pieces):
    text = "\n".join(pieces)
    lines = FieldLines(text)
    count = len(text.splitlines())
    assert all(1 <= line <= count for line in lines.lines.values())


@given(TOML_PIECES)
def test_the_line_finder_agrees_with_tomllib_on_the_keys_of_valid_text(pieces):
    text = "\n".join(pieces)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    lines = FieldLines(text)
    for key in data:
        assert lines.line_of((key,)) is not None, key


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300), TOML_PIECES.map(lambda p: "\n".join(p).encode())))
def test_any_bytes_as_a_case_file_are_read_or_refused_with_problems(tmp_path, data):
    path: Path = tmp_path / "case.toml"
    path.write_bytes(data)
    try:
        tp.load(path)
    except InputError as exc:
        assert exc.problems
        assert all(p.file == path for p in exc.problems)
