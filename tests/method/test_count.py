"""The count's arithmetic: tables that add up, each line counted once, shares and per head.

Every expected figure is worked by hand from the cells written in the test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from totalplace_cases.method.count import FileControl, build_count

# (year, agency, category, theme, kind, funded_by) -> pence
CELLS = [
    (("2007-08", "kcc", "individual", "care", "revenue", "kcc"), 100_000),  # £1,000.00
    (("2008-09", "kcc", "individual", "care", "revenue", "kcc"), 150_000),  # £1,500.00
    (
        ("2008-09", "kcc", "community", "safety", "revenue", "police"),
        25_050,
    ),  # £250.50, police pays
    (("2008-09", "police", "community", "safety", "capital", "home-office"), 74_950),  # £749.50
]
FILES = [FileControl("a.csv", 4, 4, 0, Decimal("3500.00"), Decimal(0))]


@pytest.fixture
def count():
    return build_count(CELLS, FILES, population=10)


def test_every_table_adds_up_to_the_year_total(count):
    # 2008-09: 1,500.00 + 250.50 + 749.50 = 2,500.00
    year = count.for_year("2008-09")
    assert year.total == Decimal("2500.00")
    for dimensions in (("agency",), ("category",), ("agency", "category"), ("category", "theme"),
                       ("funded_by",), ("kind",)):  # fmt: skip
        assert sum(year.total_by(*dimensions).values()) == Decimal("2500.00"), dimensions
    assert count.total == Decimal("3500.00")  # with 2007-08's 1,000.00


def test_a_line_funded_by_one_agency_and_spent_by_another_is_counted_once(count):
    year = count.for_year("2008-09")
    assert year.total_by("agency") == {
        ("kcc",): Decimal("1750.50"),  # 1,500.00 + 250.50, spent by KCC
        ("police",): Decimal("749.50"),
    }
    assert year.total_by("funded_by") == {
        ("home-office",): Decimal("749.50"),
        ("kcc",): Decimal("1500.00"),
        ("police",): Decimal("250.50"),  # paid for by the police: still once in the total
    }


def test_per_head_and_change_between_years(count):
    assert count.per_head(Decimal("2500.00")) == Decimal("250")  # £2,500 / 10 residents
    assert build_count(CELLS, FILES).per_head(Decimal(1)) is None
    (total,) = count.changes()
    assert (str(total.from_year), str(total.to_year)) == ("2007-08", "2008-09")
    assert (total.before, total.after, total.change) == (
        Decimal("1000.00"), Decimal("2500.00"), Decimal("1500.00"))  # fmt: skip
    assert total.rate == Decimal("1.5")
    by_category = {c.key: c for c in count.changes("category")}
    assert by_category[("community",)].before == 0  # no community spend in 2007-08
    assert by_category[("community",)].rate is None


def test_cells_with_the_same_key_are_added_and_an_unknown_dimension_is_refused():
    key = ("2008-09", "kcc", "individual", "care", "revenue", "kcc")
    count = build_count([(key, 1), (key, 2)], [])
    assert len(count.cells) == 1 and count.cells[0].amount == Decimal("0.03")
    with pytest.raises(ValueError, match="unknown dimension 'colour'"):
        count.total_by("colour")
