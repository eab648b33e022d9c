"""The roll-up's arithmetic on returns built in Python: exact sums, rebasing, and refusals."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from totalplace_cases.errors import InputError
from totalplace_cases.method.rollup import PlaceReturn, rollup
from totalplace_cases.periods import parse_year


def place(name: str, **changes) -> PlaceReturn:
    fields = {
        "file": f"{name}.json",
        "programme": name,
        "title": f"{name}: evidence return",
        "place": name.capitalize(),
        "population": 1000,
        "price_base": parse_year("2009-10"),
        "discount_base": parse_year("2010-11"),
        "timing": "start",
        "schedules": ("green-book",),
        "parameters": (("green-book", "2022"), ("hmt-gdp-deflator", "2025-12")),
        "statuses": ("approved",),
        "cases": 2,
        "spend_counted": Decimal("100.00"),
        "spend_year": parse_year("2008-09"),
        "pv_costs": Decimal("10.01"),
        "pv_benefits": Decimal("20.02"),
        "npsv": Decimal("10.01"),
        "cashable_savings": Decimal("5.00"),
        "realigned_to_central": Decimal("1.00"),
        "realigned_from_central": Decimal("0.50"),
    }
    fields.update(changes)
    return PlaceReturn(**fields)


def test_the_total_is_the_exact_sum_of_the_places():
    result = rollup([place("kent"), place("devon", pv_costs=Decimal("0.99"), population=None)])
    assert result.total.pv_costs == Decimal("11.00")
    assert result.total.pv_benefits == Decimal("40.04")
    assert result.total.cases == 4
    assert result.total.spend_counted == Decimal("200.00")
    assert result.total.spend_year == "2008-09"
    assert result.total.population is None  # one place gives none: no national figure
    assert result.total.bcr == Decimal("40.04") / Decimal("11.00")


def test_rebasing_multiplies_each_figure_by_the_ratio_and_rounds_once():
    later = place("devon", price_base=parse_year("2010-11"))
    result = rollup(
        [place("kent"), later],
        rebase=True,
        ratio=lambda a, b: Decimal("1.5"),
        deflator=("hmt-gdp-deflator", "2025-12"),
    )
    kent, devon = result.places
    # £10.01 × 1.5 = £15.015, rounded half-up once: £15.02.
    assert kent.pv_costs == Decimal("15.02") and devon.pv_costs == Decimal("10.01")
    assert result.total.pv_costs == Decimal("25.03")
    assert kent.spend_counted == Decimal("100.00")  # cash of its year: never rebased
    (rebased,) = result.rebased
    assert (str(rebased.from_base), str(rebased.to_base), rebased.ratio) == (
        "2009-10",
        "2010-11",
        Decimal("1.5"),
    )


def test_rebasing_with_another_deflator_vintage_is_refused():
    later = place("devon", price_base=parse_year("2010-11"))
    with pytest.raises(InputError, match="used hmt-gdp-deflator of vintage 2025-12"):
        rollup(
            [place("kent"), later],
            rebase=True,
            ratio=lambda a, b: Decimal(1),
            deflator=("hmt-gdp-deflator", "2026-06"),
        )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"discount_base": parse_year("2011-12")}, "discount_base", "different discount bases"),
        ({"timing": "mid"}, "timing", "different discounting timings"),
        ({"statuses": ("approved", "proposed")}, "statuses_counted", "case statuses counted"),
    ],
)
def test_conventions_that_cannot_be_converted_are_refused(changes, field, message):
    with pytest.raises(InputError) as caught:
        rollup([place("kent"), place("devon", **changes)], rebase=True)
    (problem,) = caught.value.problems
    assert problem.field == field and message in problem.message
    assert "kent.json" in problem.message and "devon.json" in problem.message


def test_a_return_without_totals_or_seen_twice_is_refused():
    with pytest.raises(InputError) as caught:
        rollup([place("kent"), attrs.evolve(place("devon"), pv_costs=None), place("kent")])
    messages = [(p.file, p.field) for p in caught.value.problems]
    assert ("devon.json", "totals.pv_costs") in messages
    assert ("kent.json", "programme.id") in messages


def test_different_count_years_are_noted():
    result = rollup([place("kent"), place("devon", spend_year=parse_year("2009-10"))])
    assert result.total.spend_year is None
    assert "counted their spend in different years (2008-09, 2009-10)" in result.notes[0]
