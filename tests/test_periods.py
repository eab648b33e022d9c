"""UK financial years (1 April to 31 March) and their quarters: parsing, boundaries, arithmetic."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from totalplace_cases.periods import (
    FinancialYear,
    PeriodError,
    Quarter,
    parse_quarter,
    parse_year,
    year_of,
    year_range,
)

FY = FinancialYear


# --- reading and writing a year ---------------------------------------------------------------


def test_dash_and_slash_spellings_are_the_same_year():
    assert parse_year("2010-11") == parse_year("2010/11") == FY(2010)


def test_a_year_prints_with_a_dash():
    assert str(parse_year("2010/11")) == "2010-11"


def test_the_end_year_wraps_round_the_century():
    # 1999-00 runs from 1 April 1999 to 31 March 2000.
    year = parse_year("1999-00")
    assert year == FY(1999)
    assert year.end_year == 2000
    assert str(year) == "1999-00"


def test_year_parse_classmethod_reads_the_same_text():
    assert FinancialYear.parse("2011-12") == FY(2011)


@pytest.mark.parametrize("text", ["2010-12", "2010", "10-11", "2010-2011", "", "2010-11-12"])
def test_badly_written_years_are_refused_with_the_expected_form(text):
    with pytest.raises(PeriodError) as caught:
        parse_year(text)
    message = str(caught.value)
    assert "2010-11" in message  # the form expected (or, for "2010-12", the year meant)
    assert f'"{text}"' in message  # and what was found


def test_a_mistyped_end_year_suggests_the_year_meant():
    with pytest.raises(PeriodError, match=r'write "2015-16"'):
        parse_year("2015-17")


@pytest.mark.parametrize("value", [None, 2010, 2010.0])
def test_a_year_that_is_not_text_is_refused(value):
    with pytest.raises(PeriodError) as caught:
        parse_year(value)
    message = str(caught.value)
    assert '"2010-11"' in message
    assert repr(value) in message


def test_period_error_is_a_value_error():
    # so that callers catching ValueError for bad input catch it too
    assert issubclass(PeriodError, ValueError)


# --- which year a date is in --------------------------------------------------------------------


def test_31_march_is_the_last_day_of_the_year_that_started_the_april_before():
    assert year_of(dt.date(2011, 3, 31)) == parse_year("2010-11")


def test_1_april_starts_a_new_year():
    assert year_of(dt.date(2011, 4, 1)) == parse_year("2011-12")


def test_year_of_reads_iso_date_strings():
    assert year_of("2011-03-31") == parse_year("2010-11")
    assert year_of("2011-04-01") == parse_year("2011-12")


def test_year_of_takes_pendulum_dates_and_datetimes():
    assert year_of(pendulum.date(2011, 3, 31)) == parse_year("2010-11")
    assert year_of(pendulum.date(2011, 4, 1)) == parse_year("2011-12")
    assert year_of(pendulum.datetime(2011, 3, 31, 23, 59)) == parse_year("2010-11")
    assert year_of(dt.datetime(2011, 4, 1, 0, 0)) == parse_year("2011-12")


def test_financial_year_of_is_year_of():
    assert FinancialYear.of(dt.date(2012, 1, 1)) == parse_year("2011-12")


@pytest.mark.parametrize("bad", ["31/03/2011", "2011-02-30", "soon"])
def test_year_of_refuses_text_that_is_not_a_date(bad):
    with pytest.raises(PeriodError, match="2011-03-31"):
        year_of(bad)


def test_year_of_refuses_a_number():
    with pytest.raises(PeriodError):
        year_of(20110331)  # type: ignore[arg-type]


def test_first_and_last_day_of_a_year():
    year = parse_year("2010-11")
    assert year.first_day == dt.date(2010, 4, 1)
    assert year.last_day == dt.date(2011, 3, 31)


def test_a_year_holding_29_february_has_366_days():
    # 2011-12 runs 1 April 2011 to 31 March 2012 and so includes 29 February 2012.
    year = parse_year("2011-12")
    assert (year.last_day - year.first_day).days + 1 == 366


def test_a_date_is_in_its_year_and_no_other():
    year = parse_year("2010-11")
    assert dt.date(2011, 3, 31) in year
    assert dt.date(2011, 4, 1) not in year
    assert "2010-06-01" not in year  # only dates are members


# --- quarters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (dt.date(2011, 4, 1), "2011-12 Q1"),  # Q1: April to June
        (dt.date(2011, 6, 30), "2011-12 Q1"),
        (dt.date(2011, 7, 1), "2011-12 Q2"),  # Q2: July to September
        (dt.date(2011, 9, 30), "2011-12 Q2"),
        (dt.date(2011, 10, 1), "2011-12 Q3"),  # Q3: October to December
        (dt.date(2011, 12, 31), "2011-12 Q3"),
        (dt.date(2012, 1, 1), "2011-12 Q4"),  # Q4: January to March, of the year before
        (dt.date(2012, 3, 31), "2011-12 Q4"),
    ],
)
def test_quarter_of_a_date(day, quarter):
    assert str(Quarter.of(day)) == quarter


def test_quarter_of_reads_date_strings():
    assert Quarter.of("2012-01-01") == Quarter(parse_year("2011-12"), 4)


def test_parse_a_quarter():
    quarter = parse_quarter("2011-12 Q3")
    assert quarter.year == parse_year("2011-12")
    assert quarter.number == 3
    assert Quarter.parse("2011/12 q3") == quarter


@pytest.mark.parametrize("text", ["2011-12 Q5", "2011-12 Q0", "2011-12", "Q3 2011-12", ""])
def test_badly_written_quarters_are_refused(text):
    with pytest.raises(PeriodError, match="2011-12 Q3"):
        parse_quarter(text)


def test_a_quarter_in_a_badly_written_year_is_refused():
    with pytest.raises(PeriodError, match="2011-13"):
        parse_quarter("2011-13 Q1")


def test_a_quarter_prints_as_year_and_number():
    assert str(Quarter(parse_year("2011-12"), 3)) == "2011-12 Q3"


@pytest.mark.parametrize(
    ("quarter", "first", "last"),
    [
        ("2011-12 Q1", dt.date(2011, 4, 1), dt.date(2011, 6, 30)),
        ("2011-12 Q2", dt.date(2011, 7, 1), dt.date(2011, 9, 30)),
        ("2011-12 Q3", dt.date(2011, 10, 1), dt.date(2011, 12, 31)),
        ("2011-12 Q4", dt.date(2012, 1, 1), dt.date(2012, 3, 31)),
    ],
)
def test_first_and_last_day_of_a_quarter(quarter, first, last):
    q = parse_quarter(quarter)
    assert q.first_day == first
    assert q.last_day == last


def test_a_year_has_four_quarters_in_order():
    assert [str(q) for q in parse_year("2011-12").quarters()] == [
        "2011-12 Q1",
        "2011-12 Q2",
        "2011-12 Q3",
        "2011-12 Q4",
    ]


# --- arithmetic and order -----------------------------------------------------------------------


def test_adding_years():
    assert parse_year("2010-11") + 1 == parse_year("2011-12")
    assert 3 + parse_year("2010-11") == parse_year("2013-14")
    assert parse_year("2010-11") - 1 == parse_year("2009-10")


def test_years_between_two_years_is_a_number():
    difference = parse_year("2014-15") - parse_year("2010-11")
    assert difference == 4
    assert isinstance(difference, int)


def test_adding_a_year_that_is_not_a_whole_number_fails():
    with pytest.raises(TypeError):
        parse_year("2010-11") + 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        parse_year("2010-11") + True  # type: ignore[operator]


def test_next_quarter_after_q4_is_q1_of_the_next_year():
    assert parse_quarter("2011-12 Q4") + 1 == parse_quarter("2012-13 Q1")


def test_quarter_before_q1_is_q4_of_the_year_before():
    assert parse_quarter("2011-12 Q1") - 1 == parse_quarter("2010-11 Q4")


def test_four_quarters_on_is_the_same_quarter_next_year():
    assert parse_quarter("2011-12 Q3") + 4 == parse_quarter("2012-13 Q3")


def test_quarters_between_two_quarters():
    # 2011-12 Q3 -> Q4 -> 2012-13 Q1 -> Q2: three steps.
    assert parse_quarter("2012-13 Q2") - parse_quarter("2011-12 Q3") == 3
    assert parse_quarter("2011-12 Q3") - parse_quarter("2012-13 Q2") == -3


def test_year_range():
    assert year_range("2010-11", 3) == [
        parse_year("2010-11"),
        parse_year("2011-12"),
        parse_year("2012-13"),
    ]
    assert year_range(parse_year("2010-11"), 0) == []


def test_year_range_refuses_a_negative_count():
    with pytest.raises(PeriodError, match="-1"):
        year_range("2010-11", -1)


def test_years_sort_in_time_order():
    years = [parse_year(t) for t in ("2012-13", "2009-10", "2010/11")]
    assert [str(y) for y in sorted(years)] == ["2009-10", "2010-11", "2012-13"]
    assert parse_year("2009-10") < parse_year("2010-11") <= parse_year("2010/11")


def test_quarters_sort_in_time_order():
    assert parse_quarter("2011-12 Q4") < parse_quarter("2012-13 Q1")
    assert parse_quarter("2011-12 Q2") < parse_quarter("2011-12 Q3")
    assert max(parse_quarter("2011-12 Q4"), parse_quarter("2011-12 Q1")) == parse_quarter(
        "2011-12 Q4"
    )


def test_years_and_quarters_are_hashable_values():
    assert {parse_year("2010-11"), parse_year("2010/11")} == {FY(2010)}
    assert len({parse_quarter("2011-12 Q1"), parse_quarter("2011/12 Q1")}) == 1


# --- properties ---------------------------------------------------------------------------------

start_years = st.integers(min_value=1000, max_value=9998)


@given(start_years, st.data())
def test_every_day_of_a_year_belongs_to_that_year(start, data):
    year = FY(start)
    days = (year.last_day - year.first_day).days
    offset = data.draw(st.integers(min_value=0, max_value=days))
    day = year.first_day.add(days=offset)
    assert year_of(day) == year
    assert year.first_day <= day <= year.last_day


@given(st.dates(min_value=dt.date(1001, 1, 1), max_value=dt.date(9998, 12, 31)))
def test_every_date_lies_between_the_first_and_last_day_of_its_year(day):
    year = year_of(day)
    assert year.first_day <= day <= year.last_day
    quarter = Quarter.of(day)
    assert quarter.year == year
    assert quarter.first_day <= day <= quarter.last_day


@given(start_years)
def test_the_days_after_and_before_a_year_are_in_the_neighbouring_years(start):
    year = FY(start)
    if start < 9998:  # 9998-99 is the last year the type holds
        assert year_of(year.last_day.add(days=1)) == year + 1
    if start > 1000:
        assert year_of(year.first_day.subtract(days=1)) == year - 1


@given(start_years)
def test_a_year_survives_printing_and_parsing(start):
    year = FY(start)
    assert parse_year(str(year)) == year
    assert parse_year(str(year).replace("-", "/")) == year


@given(start_years, st.integers(min_value=1, max_value=4))
def test_a_quarter_survives_printing_and_parsing(start, number):
    quarter = Quarter(FY(start), number)
    assert parse_quarter(str(quarter)) == quarter


@given(start_years, st.integers(min_value=1, max_value=4), st.integers(-400, 400))
def test_quarter_addition_and_subtraction_agree(start, number, steps):
    quarter = Quarter(FY(start), number)
    assume(1000 * 4 <= start * 4 + (number - 1) + steps <= 9998 * 4 + 3)  # supported years
    later = quarter + steps
    assert later - quarter == steps
    assert later - steps == quarter


def test_years_compare_and_hash_on_their_start_year_alone():
    # The appraisal keys every amount by year: equal start years are the same key, whatever
    # object holds them, and a year is never equal to a bare number.
    assert FY(2010) == parse_year("2010/11") and hash(FY(2010)) == hash(parse_year("2010-11"))
    assert FY(2010) != FY(2011) and (FY(2010) != FY(2010)) is False
    assert FY(2010) != 2010 and {FY(2010): "a"}.get(2010) is None
    assert FY(2009) < FY(2010) <= FY(2010) < FY(2011) and FY(2011) > FY(2010) >= FY(2010)
    with pytest.raises(TypeError):
        FY(2010) < 2011  # noqa: B015


# --- one error type and the supported range (issue 8) -------------------------------------------


def test_period_error_is_the_projects_own_error():
    from totalplace_cases.errors import TotalPlaceError

    assert issubclass(PeriodError, TotalPlaceError)


def test_the_supported_range_is_the_range_financial_year_accepts():
    from totalplace_cases.periods import FIRST_START_YEAR, LAST_START_YEAR

    assert str(FinancialYear(FIRST_START_YEAR)) == "1000-01"
    assert str(FinancialYear(LAST_START_YEAR)) == "9998-99"
    assert parse_year("9998-99") == FinancialYear(LAST_START_YEAR)
    for outside in (FIRST_START_YEAR - 1, LAST_START_YEAR + 1):
        with pytest.raises(PeriodError, match="out of range"):
            FinancialYear(outside)
    with pytest.raises(PeriodError, match="out of range"):
        parse_year("9999-00")
    # What was expected, and what was found (issue 8: a message a user can act on).
    with pytest.raises(PeriodError, match=r"expected a financial year from 1000-01 to 9998-99"):
        parse_year("0999-00")
    with pytest.raises(PeriodError, match="out of range"):
        FinancialYear(LAST_START_YEAR) + 1


@pytest.mark.parametrize("parse", [parse_year, parse_quarter, year_of])
def test_long_or_hostile_text_is_refused_with_a_short_escaped_echo(parse):
    for text in ("2010-11" + " " * 100_000 + "x", "2010-11\x1b[2J", "٢٠١٠-١١"):
        with pytest.raises(PeriodError) as caught:
            parse(text)
        message = str(caught.value)
        assert len(message) < 300
        assert "\x1b" not in message


def test_a_range_of_years_needs_a_whole_number():
    with pytest.raises(PeriodError, match="whole number"):
        year_range("2010-11", "3")  # type: ignore[arg-type]
