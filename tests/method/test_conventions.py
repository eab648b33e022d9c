"""Which price base, discount base, schedule and timing a case gets (method §2-§3), in one place."""

from __future__ import annotations

import pytest

from totalplace_cases import BusinessCase, CostLine, FinancialYear, Programme, Settings
from totalplace_cases.method.conventions import Conventions, Options, discount_base_of

START = FinancialYear(2011)


def _case(**fields) -> BusinessCase:
    return BusinessCase(id="c", title="", category="community", start=START, years=3, **fields)


@pytest.mark.parametrize(
    ("option", "programme", "case", "expected"),
    [
        ("2012-13", "2009-10", "2008-09", "2012-13"),  # the option wins
        (None, "2009-10", "2008-09", "2009-10"),  # then the programme's
        (None, None, "2008-09", "2008-09"),  # then the case's
        (None, None, None, "2011-12"),  # then the case's start
    ],
)
def test_the_reporting_price_base(option, programme, case, expected):
    conventions = Conventions.of(
        Programme(id="p", price_base=programme), _case(price_base=case), Options(price_base=option)
    )
    assert str(conventions.price_base) == expected


def test_the_input_price_base_puts_the_case_before_the_programme():
    # A case's price_base says what its money is written in; the programme's what it is shown in.
    programme = Programme(id="p", price_base="2009-10")
    assert str(Conventions.of(programme, _case(price_base="2008-09")).input_base) == "2008-09"
    assert str(Conventions.of(programme, _case()).input_base) == "2009-10"
    assert str(Conventions.of(Programme(id="p"), _case()).input_base) == "2011-12"


def test_a_line_s_own_price_base_beats_the_case_s_and_a_nominal_line_has_none():
    conventions = Conventions.of(Programme(id="p"), _case(price_base="2008-09"))
    line = CostLine(agency="a", kind="revenue", amounts={}, price_base="2007-08")
    assert str(conventions.line_base(line)) == "2007-08"
    assert str(conventions.line_base(CostLine(agency="a", kind="revenue", amounts={}))) == "2008-09"
    nominal = CostLine(agency="a", kind="revenue", amounts={}, prices="nominal")
    assert conventions.line_base(nominal) is None


@pytest.mark.parametrize(
    ("option", "programme", "case", "expected"),
    [
        ("2010-11", "2009-10", "2008-09", "2010-11"),
        (None, "2009-10", "2008-09", "2009-10"),
        (None, None, "2008-09", "2008-09"),
        (None, None, None, "2011-12"),
    ],
)
def test_the_discount_base(option, programme, case, expected):
    as_year = FinancialYear.parse
    found = discount_base_of(
        programme and as_year(programme), case and as_year(case), START, option and as_year(option)
    )
    assert str(found) == expected
    conventions = Conventions.of(
        Programme(id="p", discount_base=programme),
        _case(discount_base=case),
        Options(discount_base=option and as_year(option)),
    )
    assert str(conventions.discount_base) == expected


def test_schedule_and_timing_take_the_option_then_the_case_then_the_settings():
    programme = Programme(id="p", settings=Settings(schedule="green-book", timing="start"))
    case = _case(discount_schedule="green-book-health", timing="mid")
    assert (
        Conventions.of(programme, _case()).schedule,
        Conventions.of(programme, _case()).timing,
    ) == (
        "green-book",
        "start",
    )
    chosen = Conventions.of(programme, case)
    assert (chosen.schedule, chosen.timing) == ("green-book-health", "mid")
    forced = Conventions.of(
        programme, case, Options(schedule="green-book-2026-reduced", timing="start")
    )
    assert (forced.schedule, forced.timing) == ("green-book-2026-reduced", "start")
