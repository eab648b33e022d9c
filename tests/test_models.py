"""The models: frozen values that read years and money the way case files do."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

import totalplace_cases as tp
from totalplace_cases import BenefitLine, BusinessCase, CostLine, FinancialYear
from totalplace_cases.money import MoneyError


def test_models_built_in_python_read_years_and_money_like_case_files():
    line = CostLine(
        agency="kcc", kind="revenue", amounts={"2010-11": "1,200", "2011/12": 800},
        optimism_bias="0.1",
    )  # fmt: skip
    assert line.amounts == {FinancialYear(2010): Decimal(1200), FinancialYear(2011): Decimal(800)}
    assert line.optimism_bias == Decimal("0.1")
    case = BusinessCase(id="c", title="C", category="community", start="2010/11", years=2,
                        price_base="2009-10", costs=[line])  # fmt: skip
    assert case.start == FinancialYear(2010) and case.price_base == FinancialYear(2009)
    assert case.end == FinancialYear(2011)


def test_a_float_is_refused_for_money_in_python_too():
    with pytest.raises(MoneyError, match="quote it"):
        CostLine(agency="kcc", kind="revenue", amounts={"2010-11": 1200.5})


def test_fractions_outside_0_to_1_are_refused():
    with pytest.raises(MoneyError):
        BenefitLine(id="b", agency="kcc", value_type="social", deadweight="1.5")


def test_models_are_frozen_values_changed_with_evolve():
    line = BenefitLine(id="b", agency="kcc", value_type="fiscal", amounts={"2010-11": "10"})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        line.agency = "medway"  # type: ignore[misc]
    moved = attrs.evolve(line, agency="medway")
    assert (line.agency, moved.agency) == ("kcc", "medway")
    with pytest.raises(TypeError):
        line.amounts[FinancialYear(2011)] = Decimal(1)  # type: ignore[index]


def test_kinds_and_statuses_are_checked():
    with pytest.raises(ValueError):
        CostLine(agency="kcc", kind="opex", amounts={})
    with pytest.raises(ValueError):
        tp.Agency(id="x", kind="quango")


# --- non-finite numbers are refused with the project's error (issue 8) -------------------------

NON_FINITE = [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), float("nan"), float("inf")]


@pytest.mark.parametrize("value", NON_FINITE, ids=repr)
def test_models_refuse_non_finite_amounts_volumes_and_fractions(value):
    from totalplace_cases.errors import TotalPlaceError

    builds = [
        lambda: CostLine(agency="kcc", kind="revenue", amounts={"2010-11": value}),
        lambda: CostLine(agency="kcc", kind="capital", amounts={}, optimism_bias=value),
        lambda: CostLine(agency="kcc", kind="capital", amounts={}, project_types={"x": value}),
        lambda: BenefitLine(id="b", agency="kcc", value_type="fiscal", amounts={"2010-11": value}),
        lambda: BenefitLine(id="b", agency="kcc", value_type="social", volumes={"2010-11": value}),
        lambda: BenefitLine(id="b", agency="kcc", value_type="social", unit_value=value),
        lambda: BenefitLine(id="b", agency="kcc", value_type="social", deadweight=value),
        lambda: tp.Realignment("a", "b", "revenue", amounts={"2010-11": value}),
        lambda: tp.Settings(deflator_projection=value),
    ]
    for build in builds:
        with pytest.raises(TotalPlaceError):
            build()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2.0, "3", True, 0, 1001])
def test_a_case_needs_a_whole_number_of_years_within_bounds(value):
    with pytest.raises(MoneyError, match="years: expected a whole number"):
        BusinessCase(id="c", title="C", category="community", start="2010-11", years=value)


@pytest.mark.parametrize("value", [float("nan"), 2.5, -1])
def test_whole_numbers_of_models_are_checked(value):
    with pytest.raises(MoneyError, match="expected a whole number"):
        CostLine(agency="kcc", kind="revenue", amounts={}, confidence=value)
    with pytest.raises(MoneyError, match="expected a whole number"):
        tp.Programme(id="p", population=value)


def test_a_spend_line_refuses_a_non_finite_amount():
    from totalplace_cases.models import SpendLine

    year = FinancialYear(2010)
    line = SpendLine(year, "kcc", "community", "safety", "revenue", Decimal("1.50"), "kcc")
    assert line.amount == Decimal("1.50")
    for bad in (Decimal("NaN"), Decimal("Infinity"), 1.5):
        with pytest.raises(MoneyError, match="amount: expected a finite Decimal"):
            SpendLine(year, "kcc", "community", "safety", "revenue", bad, "kcc")
