"""Price bases: the deflator examples of method §1, the financial-year rule and projection."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest

from totalplace_cases.errors import InputError, TotalPlaceError
from totalplace_cases.method.prices import Deflator, rebase_with_indices
from totalplace_cases.money import PENNY
from totalplace_cases.parameters import parse_table
from totalplace_cases.periods import FinancialYear, parse_year
from totalplace_cases.plugins import load_rules


@pytest.fixture(scope="module")
def hmt() -> Deflator:
    rules = load_rules(entry_points=False)
    return Deflator.from_table(rules.table("hmt-gdp-deflator", "deflator"))


def _table(header: str, rows: str, name: str = "test-deflator"):
    text = f"# table: {name}\n# kind: deflator\n# source: test\n# vintage: 2024\n{header}\n{rows}"
    return parse_table(text, origin=f"{name}.csv")


def test_hm_treasury_example():
    # £7.4m in 1998-99 prices (index 91.031) in 2003-04 prices (index 102.789):
    #   7,400,000 * 102.789 / 91.031 = 7,400,000 * 1.1291647 = 8,355,819.45, i.e. £8.36m.
    value = rebase_with_indices(Decimal("7400000"), Decimal("91.031"), Decimal("102.789"))
    assert value.quantize(PENNY) == Decimal("8355819.45")
    assert round(value, -4) == Decimal("8360000")


def test_green_book_table_1():
    # A financial-year deflator growing 2% a year from 100 in 2010-11 (year 0):
    # 100, 102, 104.04, 106.1208, 108.243216, 110.40808032. Nominal £1,000 paid in year k is
    # 1000 * 100 / index_k = 1000 / 1.02^k in year-0 prices:
    #   1000, 980.392, 961.169, 942.322, 923.845, 905.731.
    indices = ["100", "102", "104.04", "106.1208", "108.243216", "110.40808032"]
    rows = "".join(f"{FinancialYear(2010 + k)},{index}\n" for k, index in enumerate(indices))
    deflator = Deflator.from_table(_table("financial_year,index", rows))
    assert not deflator.uses_calendar_rule
    base = parse_year("2010-11")
    real = [deflator.real(Decimal(1000), base + k, base).quantize(PENNY) for k in range(6)]
    assert real == [
        Decimal(x) for x in ("1000.00", "980.39", "961.17", "942.32", "923.85", "905.73")
    ]


def test_financial_year_from_calendar_years(hmt):
    # 2009-10 = 3/4 * calendar 2009 + 1/4 * calendar 2010 = 0.75 * 68.217 + 0.25 * 69.1217
    #         = 51.16275 + 17.280425 = 68.443175
    assert hmt.index("2009-10") == Decimal("68.443175")
    assert hmt.index(FinancialYear(2009)) == Decimal("68.443175")
    assert hmt.uses_calendar_rule
    assert "3/4" in hmt.basis


def test_covered_range(hmt):
    # Calendar 1990-2024 gives financial years 1990-91 to 2023-24.
    assert hmt.first_year == FinancialYear(1990)
    assert hmt.last_year == FinancialYear(2023)


def test_rebase_between_financial_years(hmt):
    # The domestic violence unit cost of method §4, £2,470 in 2008-09 prices, in 2013-14 prices:
    #   2008-09 = 0.75 * 66.89 + 0.25 * 68.217 = 50.1675 + 17.05425 = 67.22175
    #   2013-14 = 0.75 * 73.4795 + 0.25 * 74.6524 = 55.109625 + 18.6631 = 73.772725
    #   2470 * 73.772725 / 67.22175 = 2470 * 1.0974532 = 2,710.709 -> £2,710.71
    value = hmt.rebase(Decimal(2470), "2008-09", "2013-14")
    assert value.quantize(PENNY) == Decimal("2710.71")
    assert hmt.rebase(value, "2013-14", "2008-09") == pytest.approx(Decimal(2470))


def test_missing_year_says_what_is_covered_and_how_to_project(hmt):
    with pytest.raises(TotalPlaceError) as caught:
        hmt.index("2030-31")
    message = str(caught.value)
    assert "hmt-gdp-deflator" in message
    assert "2030-31" in message
    assert "1990-91 to 2023-24" in message
    assert "projection" in message


def test_missing_year_before_the_series(hmt):
    with pytest.raises(TotalPlaceError, match="1985-86 is before"):
        hmt.index("1985-86")


def test_projection_extends_both_ways(hmt):
    projected = hmt.with_projection(Decimal("0.02"))
    last = hmt.index("2023-24")  # 0.75 * 96.2507 + 0.25 * 100 = 97.188025
    assert last == Decimal("97.188025")
    assert projected.index("2025-26") == last * Decimal("1.02") ** 2
    first = hmt.index("1990-91")
    assert projected.index("1988-89") == pytest.approx(first / Decimal("1.0404"))
    # Years the series covers are not affected by the projection.
    assert projected.index("2009-10") == hmt.index("2009-10")
    assert "0.02" in projected.basis


def test_projection_given_to_from_table():
    deflator = Deflator.from_table(_table("year,index", "2020,90\n2021,100\n"), projection="0.1")
    # 2020-21 = 0.75 * 90 + 0.25 * 100 = 92.5; 2021-22 = 92.5 * 1.1 = 101.75
    assert deflator.index("2021-22") == Decimal("101.75")


def test_financial_series_takes_precedence_over_the_calendar_rule():
    deflator = Deflator(
        "mixed",
        calendar={2020: Decimal(90), 2021: Decimal(100), 2022: Decimal(110)},
        financial={FinancialYear(2020): Decimal(93)},
    )
    assert deflator.index("2020-21") == Decimal(93)
    assert deflator.index("2021-22") == Decimal("102.50")
    assert deflator.uses_calendar_rule


@pytest.mark.parametrize(
    ("header", "rows", "expected"),
    [
        ("year,index", "2020,90\n2022,100\n", "missing 2021"),
        ("year,index", "2020,90\n2020,100\n", "more than once"),
        ("year,index", "20,90\n", "calendar year like 2010"),
        ("year,index", "2020,-5\n", "positive number"),
        ("financial_year,index", "2020-22,90\n", "financial year like 2010-11"),
        ("year,value", "2020,90\n", "expected the columns"),
    ],
)
def test_malformed_deflator_tables_are_refused(header, rows, expected):
    with pytest.raises(InputError, match=expected) as caught:
        Deflator.from_table(_table(header, rows))
    assert "test-deflator" in str(caught.value)


def test_projection_must_be_above_minus_one():
    with pytest.raises(ValueError, match="above -1"):
        Deflator("d", calendar={2020: Decimal(1), 2021: Decimal(1)}, financial=None, projection=-1)


def test_the_ratio_of_two_years_is_computed_once_and_kept(hmt):
    # 2009-10 -> 2012-13: 72.316925 / 68.443175 (method §2), the factor Kent's money is moved
    # by with --price-base 2012-13.
    ratio = hmt.ratio("2009-10", "2012-13")
    with localcontext() as context:
        context.prec = 60  # the method's precision
        assert ratio == Decimal("72.316925") / Decimal("68.443175")
    assert hmt.ratio(parse_year("2009-10"), parse_year("2012-13")) is ratio
    assert hmt.with_projection("0.02").ratio("2009-10", "2012-13") == ratio  # a fresh cache
