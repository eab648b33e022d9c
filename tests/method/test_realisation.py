"""Benefits realisation arithmetic, each figure worked by hand in the comment beside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from totalplace_cases.method.realisation import (
    LinePlan,
    achievement,
    line_status,
    parse_period,
    period_end,
    plan_by_period,
    rag,
    to_pence,
    totals,
)
from totalplace_cases.models import Tolerances
from totalplace_cases.periods import FinancialYear, PeriodError, Quarter

Y10, Y11, Y12 = FinancialYear(2010), FinancialYear(2011), FinancialYear(2012)
END_2011_12 = dt.date(2012, 3, 31)


def plan(values: dict, frequency: str = "annual", **fields) -> LinePlan:
    years = [Y10, Y11, Y12]
    return LinePlan(
        case=fields.pop("case", "c"),
        benefit=fields.pop("benefit", "b"),
        agency=fields.pop("agency", "kcc"),
        group=fields.pop("group", "individual"),
        value_type=fields.pop("value_type", "fiscal"),
        cashable=fields.pop("cashable", True),
        frequency=frequency,
        plan=plan_by_period(values, years, frequency),
        **fields,
    )


def test_periods_are_years_or_quarters():
    assert parse_period("2011-12") == Y11
    assert parse_period("2011-12 Q3") == Quarter(Y11, 3)
    assert parse_period("2011/12 q4") == Quarter(Y11, 4)
    with pytest.raises(PeriodError, match='like "2011-12" or "2011-12 Q3", found "2011"'):
        parse_period("2011")
    with pytest.raises(PeriodError, match="2010-12"):
        parse_period("2010-12")  # not a financial year: the message says how to write it


def test_period_ends_agree_with_the_calendar():
    for year in (Y10, Y11, FinancialYear(2099)):
        assert period_end(year) == year.last_day
        for quarter in year.quarters():
            assert period_end(quarter) == quarter.last_day
    assert period_end(Quarter(Y11, 3)) == period_end("2011-12 Q3") == dt.date(2011, 12, 31)


def test_plan_is_frozen_to_the_penny_half_up():
    # 1234.565 -> 1234.57 (half-up); -0.005 -> -0.01 (away from zero); 0 where no value.
    values = {Y10: Decimal("1234.565"), Y11: Decimal("-0.005")}
    assert plan_by_period(values, [Y10, Y11, Y12], "annual") == {
        "2010-11": 123457,
        "2011-12": -1,
        "2012-13": 0,
    }
    assert to_pence(Decimal("0.004")) == 0


def test_quarters_split_evenly_with_the_odd_pence_in_the_last():
    # £100.03 = 10003p: 2500p, 2500p, 2500p and 2503p (the remainder); the quarters add up.
    quarters = plan_by_period({Y11: Decimal("100.03")}, [Y11], "quarterly")
    assert list(quarters.values()) == [2500, 2500, 2500, 2503]
    assert list(quarters) == ["2011-12 Q1", "2011-12 Q2", "2011-12 Q3", "2011-12 Q4"]
    # A dis-benefit of -£100.03 splits the same way, with the sign.
    negative = plan_by_period({Y11: Decimal("-100.03")}, [Y11], "quarterly")
    assert list(negative.values()) == [-2500, -2500, -2500, -2503]


@given(st.integers(min_value=-(10**14), max_value=10**14))
def test_quarters_always_add_up_to_the_year(pence):
    quarters = plan_by_period({Y11: Decimal(pence) / 100}, [Y11], "quarterly")
    assert sum(quarters.values()) == pence
    assert max(quarters.values()) - min(quarters.values()) <= 3


def test_achievement_is_actual_over_plan_for_a_benefit():
    assert achievement(1000, 950) == Decimal("0.95")
    assert achievement(0, 10) is None


def test_achievement_of_a_dis_benefit_falls_as_it_gets_worse():
    # Plan -100 (a loss of £1). Actual -120: 20 worse than plan, 20% of the plan's size -> 0.8.
    assert achievement(-100, -120) == Decimal("0.8")
    # Actual -50: 50 better -> 1.5.
    assert achievement(-100, -50) == Decimal("1.5")


@pytest.mark.parametrize(
    ("plan_pence", "actual", "expected"),
    [
        (1000, 950, "green"),  # exactly 95%: green
        (1000, 949, "amber"),  # 94.9%
        (1000, 800, "amber"),  # exactly 80%: amber
        (1000, 799, "red"),  # 79.9%
        (1000, 1500, "green"),  # over plan
        (1000, -10, "red"),  # a loss where a saving was planned
        (0, 0, "green"),  # nothing planned, nothing lost
        (0, -1, "red"),  # nothing planned, a loss
        (-100, -105, "green"),  # dis-benefit 5% worse: 0.95
        (-100, -106, "amber"),  # 6% worse: 0.94
        (-100, -121, "red"),  # 21% worse: 0.79
    ],
)
def test_rag_thresholds(plan_pence, actual, expected):
    assert rag(plan_pence, actual, Tolerances()) == expected


def test_rag_thresholds_can_be_set():
    strict = Tolerances(green=Decimal("0.99"), amber=Decimal("0.9"))
    assert rag(1000, 980, strict) == "amber"  # 98% is amber under 99%/90%
    assert rag(1000, 980, Tolerances()) == "green"
    assert rag(1000, 2000, strict, missing=True) == "no-data"


def test_tolerances_refuse_amber_above_green():
    with pytest.raises(ValueError, match="above the green"):
        Tolerances(green=Decimal("0.8"), amber=Decimal("0.9"))


def test_line_status_adds_plan_and_actual_to_the_end_of_the_reporting_period():
    # Plan 2010-11 £0, 2011-12 £1,000, 2012-13 £2,000. Reporting to 31 March 2012 (2011-12).
    line = plan({Y11: Decimal(1000), Y12: Decimal(2000)})
    status = line_status(line, {"2011-12": 90000}, {}, END_2011_12)
    assert status.plan_to_date == 100000  # £1,000: 2010-11 (nothing) + 2011-12
    assert status.actual_to_date == 90000
    assert status.variance == -10000
    assert status.achievement == Decimal("0.9")
    assert status.rag == "amber"
    assert status.periods_due == 1  # 2010-11 had no plan yet: not due
    assert status.missing == ()
    # Outturn: actual 2011-12 £900 + plan 2012-13 £2,000 (no forecast) = £2,900.
    assert status.forecast_outturn == 290000
    assert status.plan_total == 300000


def test_a_due_period_without_an_actual_is_no_data():
    line = plan({Y10: Decimal(500), Y11: Decimal(1000)})
    status = line_status(line, {"2011-12": 100000}, {}, END_2011_12)
    assert status.rag == "no-data"
    assert status.missing == ("2010-11",)
    assert status.actual_to_date == 100000  # what is known still adds up
    # Outturn: 2010-11 has no actual: its plan £500; 2011-12 actual £1,000; 2012-13 plan £0.
    assert status.forecast_outturn == 150000


def test_forecasts_replace_plan_for_periods_without_an_actual():
    line = plan({Y11: Decimal(1000), Y12: Decimal(2000)})
    status = line_status(line, {"2011-12": 100000}, {"2011-12": 1, "2012-13": 150000}, END_2011_12)
    # 2011-12: the actual (£1,000) beats the forecast; 2012-13: forecast £1,500. Outturn £2,500.
    assert status.forecast_outturn == 250000


def test_actuals_after_the_reporting_period_do_not_count_to_date():
    line = plan({Y11: Decimal(1000), Y12: Decimal(2000)})
    status = line_status(line, {"2011-12": 100000, "2012-13": 10}, {}, END_2011_12)
    assert status.actual_to_date == 100000
    assert status.forecast_outturn == 300000  # 2012-13 not yet ended: its plan, not the 10p


def test_quarterly_lines_are_due_quarter_by_quarter():
    # £1,000 in 2011-12, quarterly: £250 a quarter. To 31 December 2011 (Q3): plan £750.
    line = plan({Y11: Decimal(1000)}, "quarterly")
    actuals = {"2011-12 Q1": 25000, "2011-12 Q2": 25000}
    status = line_status(line, actuals, {}, dt.date(2011, 12, 31))
    assert status.plan_to_date == 75000
    assert status.actual_to_date == 50000
    assert status.missing == ("2011-12 Q3",)
    assert status.rag == "no-data"


def test_a_negative_line_is_a_dis_benefit():
    line = plan({Y11: Decimal(-1000)}, value_type="social", cashable=False)
    status = line_status(line, {"2011-12": -110000}, {}, END_2011_12)
    assert status.dis_benefit
    assert status.achievement == Decimal("0.9")  # 10% worse than the planned loss
    assert status.rag == "amber"
    assert line.category == "social"


def test_original_plan_is_reported_beside_the_current_one():
    first = plan_by_period({Y11: Decimal(800)}, [Y10, Y11, Y12], "annual")
    line = plan({Y11: Decimal(1000)}, original_plan=first)
    status = line_status(line, {"2011-12": 90000}, {}, END_2011_12)
    assert status.original_plan_to_date == 80000
    assert status.plan_to_date == 100000


def test_totals_add_lines_and_report_no_data_if_any_line_lacks_it():
    a = line_status(plan({Y11: Decimal(1000)}, benefit="a"), {"2011-12": 100000}, {}, END_2011_12)
    b = line_status(plan({Y11: Decimal(500)}, benefit="b", agency="pct"), {}, {}, END_2011_12)
    c = line_status(
        plan({Y11: Decimal(1000)}, benefit="c", cashable=False), {"2011-12": 70000}, {}, END_2011_12
    )
    by_agency = totals([a, b, c], lambda s: s.line.agency, Tolerances())
    assert [t.key for t in by_agency] == ["kcc", "pct"]
    kcc = by_agency[0]
    # kcc: plan £1,000 + £1,000 = £2,000; actual £1,000 + £700 = £1,700 -> 85%: amber.
    assert (kcc.plan_to_date, kcc.actual_to_date, kcc.variance) == (200000, 170000, -30000)
    assert kcc.rag == "amber"
    assert kcc.rag_counts == {"green": 1, "amber": 0, "red": 1, "no-data": 0}
    assert by_agency[1].rag == "no-data"
    by_category = totals([a, b, c], lambda s: s.line.category, Tolerances())
    assert {t.key: t.lines for t in by_category} == {"cashable": 2, "non-cashable": 1}
