"""The Green Book's standard values (issue 15, point 4): tables, citations and valuation.

Every figure below is worked by hand in a comment from the shipped tables and the bundled GDP
deflator (``hmt-gdp-deflator``, calendar years, 2024 = 100): C(2010) = 69.1217,
C(2011) = 70.834, C(2020) = 85.2137, C(2021) = 85.6358, and a financial year's index is
I(Y-Y+1) = 3/4 C(Y) + 1/4 C(Y+1) (method §2).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import totalplace_cases as tp
from totalplace_cases.errors import InputError, TotalPlaceError
from totalplace_cases.method.valuation import unit_cost_value
from totalplace_cases.models import BenefitLine, BusinessCase, Programme
from totalplace_cases.parameters import builtin_tables, parse_table
from totalplace_cases.periods import FinancialYear
from totalplace_cases.pluginmarker import hookimpl
from totalplace_cases.rules import checks, standard_values
from totalplace_cases.testing import rules_with

Y0 = FinancialYear(2010)  # 2010-11
PENNY = Decimal("0.01")


def case_with(*benefits: BenefitLine, years: int = 1) -> BusinessCase:
    return BusinessCase(
        id="values", title="Values", category="community", start=Y0, years=years, benefits=benefits
    )


def line(unit_cost: str, volumes: dict) -> BenefitLine:
    return BenefitLine(
        id="line", agency="borough", value_type="social", unit_cost=unit_cost, volumes=volumes
    )


def only_line(result):
    (case,) = result.cases
    (found,) = [x for x in case.lines if x.kind == "benefit"]
    return found


# -- the tables ------------------------------------------------------------------------------


def test_each_standard_values_table_is_read_with_its_citation():
    tables = {t.name: t for t in builtin_tables() if t.kind == "standard-values"}
    assert set(tables) == {"green-book-values", "dft-tag-casualty-values"}
    for table in tables.values():
        assert table.vintage and table.title
        assert "Verified" in table.notes  # each table says what was checked and how
        assert all(row["reference"] and row["price_year"] for row in table.rows)
    qaly = tables["green-book-values"]
    assert qaly.source.startswith("HM Treasury, The Green Book")
    assert "£70,000" in qaly.source and "2020-21 prices" in qaly.source  # the quoted words
    assert [(r["key"], r["value"], r["price_year"]) for r in qaly.rows] == [
        ("qaly", "70000", "2020-21")
    ]
    vpf = tables["dft-tag-casualty-values"]
    assert "Table A4.1.1" in vpf.source and "£1,632,892 (in 2010 prices" in vpf.source
    assert [(r["key"], r["value"], r["price_year"]) for r in vpf.rows] == [
        ("vpf", "1632892", "2010")
    ]


def test_the_values_are_registered_as_gb_unit_costs_with_their_source():
    registry = rules_with().registry
    qaly = registry.get("unit_cost", "gb:qaly")
    assert (qaly.value, qaly.price_year) == (Decimal("70000"), FinancialYear(2020))
    assert "QALY" in qaly.unit and "HL5283" in qaly.source
    vpf = registry.get("unit_cost", "gb:vpf")
    assert (vpf.value, vpf.price_year) == (Decimal("1632892"), 2010)  # calendar 2010 prices
    assert "A4.1.1" in vpf.source and "203070" in vpf.source
    assert registry.owners[("unit_cost", "gb:qaly")] == "builtin-standard_values"
    # Values that could not be verified from their publication are not shipped.
    assert not {"gb:wellby", "gb:casualty-serious", "gb:casualty-slight"} & set(
        registry.keys("unit_cost")
    )
    assert not [k for k in registry.keys("unit_cost") if k.startswith("gb:carbon")]


# -- valuation: uprated to the price base ----------------------------------------------------


def test_a_qaly_valued_line_is_uprated_to_the_price_base():
    # 3 QALYs in 2010-11, reported in 2010-11 prices (a lone case's start):
    #   I(2020-21) = 0.75 x 85.2137 + 0.25 x 85.6358 = 63.910275 + 21.40895 = 85.319225
    #   I(2010-11) = 0.75 x 69.1217 + 0.25 x 70.834  = 51.841275 + 17.7085  = 69.549775
    #   one QALY at 2010-11 prices = 70,000 x 69.549775 / 85.319225 = £57,061.98...
    #   3 QALYs = 210,000 x 69.549775 / 85.319225 = £171,185.95
    result = tp.appraise(case_with(line("gb:qaly", {Y0: "3"})), rules=rules_with())
    found = only_line(result)
    assert found.pv_unadjusted.quantize(PENNY) == Decimal("171185.95")
    assert (
        "gb:qaly (70000 in 2020-21 prices, 57061.98 at 2010-11)" in found.adjustments["valuation"]
    )
    cited = {p.table: p for p in result.programme.parameters}
    assert cited["gb:qaly"].vintage == "2020-21 prices" and "HL5283" in cited["gb:qaly"].source


def test_a_value_in_calendar_year_prices_uses_that_years_index():
    # 1 fatality prevented in 2010-11; the VPF is in calendar 2010 prices, so
    #   1,632,892 x I(2010-11) / C(2010) = 1,632,892 x 69.549775 / 69.1217 = £1,643,004.60
    result = tp.appraise(case_with(line("gb:vpf", {Y0: "1"})), rules=rules_with())
    assert only_line(result).pv_unadjusted.quantize(PENNY) == Decimal("1643004.60")
    assert "2010 prices" in only_line(result).adjustments["valuation"]


# -- year-varying series (how a carbon series would be cited) --------------------------------

# An illustrative table, not published figures: the mechanism a verified carbon table would use.
SERIES_TABLE = """\
# table: test-series
# kind: standard-values
# source: illustrative figures for a test
# vintage: test
key,year,value,unit,price_year,schedule,reference
carbon-test,2010,100,per tonne CO2e,2010-11,,test
carbon-test,2011,120,per tonne CO2e,2010-11,,test
carbon-test,2012,160,per tonne CO2e,2010-11,,test
fy-test,2010-11,7,per tonne CO2e,2010-11,,test
fy-test,2011-12,9,per tonne CO2e,2010-11,,test
"""


class SeriesPlugin:
    @hookimpl
    def totalplace_register_unit_costs(self, register):
        for cost in standard_values.unit_costs_from_table(parse_table(SERIES_TABLE), "test"):
            register(cost)


def test_a_calendar_year_series_gives_each_line_year_its_own_value():
    # In 2010-11 prices already, so no uprating. A financial year takes 3/4 of its starting
    # calendar year's value and 1/4 of the next's:
    #   2010-11: 2 t x (0.75 x 100 + 0.25 x 120) = 2 x 105 = 210
    #   2011-12: 1 t x (0.75 x 120 + 0.25 x 160) = 90 + 40 = 130
    result = tp.appraise(
        case_with(line("test:carbon-test", {Y0: "2", Y0 + 1: "1"}), years=2),
        rules=rules_with(SeriesPlugin()),
        schedule="green-book",
    )
    # discounted at 3.5%: 210 + 130 / 1.035 = 210 + 125.6038... = 335.60
    assert only_line(result).pv_unadjusted.quantize(PENNY) == Decimal("335.60")


def test_a_financial_year_series_is_read_as_given():
    cost = {c.key: c for c in standard_values.unit_costs_from_table(parse_table(SERIES_TABLE))}
    fy = cost["gb:fy-test"]
    assert fy.value is None and dict(fy.by_year) == {Y0: Decimal(7), Y0 + 1: Decimal(9)}
    assert unit_cost_value(fy, Y0 + 1) == Decimal(9)
    with pytest.raises(TotalPlaceError, match=r"no value for 2012-13: its series covers 2010-11"):
        unit_cost_value(fy, Y0 + 2)


def test_a_year_the_series_does_not_cover_is_found_by_validate_and_appraise():
    case = case_with(line("test:carbon-test", {Y0 + 2: "1"}), years=3)  # 2012-13 needs 2013
    rules = rules_with(SeriesPlugin())
    problems = checks.totalplace_validate_case(case, Programme(id="p", cases=(case,)), rules)
    message = "unit cost 'test:carbon-test' has no value for 2012-13"
    assert [p.field for p in problems if message in p.message] == ["benefits[0].volumes"]
    assert "calendar years 2012 and 2013" in str(problems[-1])
    with pytest.raises(TotalPlaceError, match=message):
        tp.appraise(case, rules=rules)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("qaly,,seventy,per QALY,2020-21,,r", "row 1, column value: expected an amount"),
        ("qaly,,70000,per QALY,2020/22,,r", "row 1, column price_year: expected a calendar"),
        ("QALY!,,70000,per QALY,2020-21,,r", "row 1, column key: expected a key"),
        ("c,2010,1,t,2020-21,,r\nc,,2,t,2020-21,,r", "row 2, column year: 'c' has a row"),
        ("c,2010,1,t,2020-21,,r\nc,2010,2,t,2020-21,,r", "a year of 'c' appears more than once"),
        ("c,2010,1,t,2020-21,,r\nc,2011-12,2,t,2020-21,,r", "mix calendar and financial"),
        ("c,2010,1,t,2020-21,,r\nc,2011,2,kg,2020-21,,r", "row 2, column unit: every row"),
    ],
)
def test_a_bad_table_names_the_table_row_and_column(row, expected):
    text = SERIES_TABLE.split("carbon-test,2010")[0] + row + "\n"
    with pytest.raises(InputError, match=expected):
        standard_values.unit_costs_from_table(parse_table(text, origin="my-values.csv"))


# -- the health discount rate ----------------------------------------------------------------


def test_qaly_and_life_values_name_the_health_discount_schedule():
    assert standard_values.health_schedule_for("gb:qaly") == "green-book-health"
    assert standard_values.health_schedule_for("gb:vpf") == "green-book-health"
    assert standard_values.health_schedule_for("ucd:CR2.0") is None
    hook = standard_values.totalplace_line_defaults
    assert hook(line("gb:qaly", {Y0: "1"}), None) == {"discount_schedule": "green-book-health"}
    assert hook(line("ucd:CR2.0", {Y0: "1"}), None) is None


def test_validate_finds_a_calendar_price_year_the_deflator_does_not_have():
    # A financial-year deflator series has no calendar index for the VPF's 2010 prices.
    class FinancialDeflator:
        @hookimpl
        def totalplace_register_tables(self, register):
            text = (
                "# table: hmt-gdp-deflator\n# kind: deflator\n# source: test\n# vintage: test\n"
                "financial_year,index\n2009-10,68\n2010-11,70\n"
            )
            register(parse_table(text), replace=True)

    case = case_with(line("gb:vpf", {Y0: "1"}))
    rules = rules_with(FinancialDeflator())
    problems = checks.totalplace_validate_case(case, Programme(id="p", cases=(case,)), rules)
    message = "unit cost 'gb:vpf' is in calendar 2010 prices, and deflator 'hmt-gdp-deflator'"
    assert [p.field for p in problems if message in p.message] == ["benefits[0].unit_cost"]
    with pytest.raises(TotalPlaceError, match=message):
        tp.appraise(case, rules=rules)
