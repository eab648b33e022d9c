"""The ledger of a case: postings by agency, kind and year, and the sums read out of it."""

from __future__ import annotations

from decimal import Decimal

from totalplace_cases.method.ledger import BENEFIT, COST, Ledger, present_value
from totalplace_cases.method.precision import exact

FACTORS = (Decimal(1), Decimal(1) / Decimal("1.035"), Decimal(1) / Decimal("1.035") ** 2)


def test_a_present_value_keeps_each_discounted_term_to_1e_12():
    # 1/1.035 = 0.966183574879227...; x 100 -> 96.618357487922705 kept as 96.618357487923.
    with exact():
        assert present_value({1: Decimal(100)}, FACTORS) == Decimal("96.618357487923")
        assert present_value({0: Decimal(5), 1: Decimal(100)}, FACTORS) == Decimal(
            "101.618357487923"
        )


def test_sums_read_out_of_the_ledger_by_kind_agency_and_year():
    with exact():
        ledger = Ledger(3, FACTORS)
        ledger.post(COST, "kcc", {0: Decimal(100)})
        ledger.post(BENEFIT, "kcc", {1: Decimal(60)}, value_type="fiscal", cashable=True)
        ledger.post(BENEFIT, "pct", {1: Decimal(40), 2: Decimal(40)}, value_type="social")
        moved = ledger.realign("pct", "kcc", {1: Decimal(10)})
        assert ledger.pv(COST) == 100
        assert ledger.pv(BENEFIT, value_type="social") == (
            (Decimal(40) * FACTORS[1]).quantize(Decimal("1e-12"))
            + (Decimal(40) * FACTORS[2]).quantize(Decimal("1e-12"))
        )
        assert moved == Decimal("9.661835748792")
        assert ledger.yearly(COST) == [100, 0, 0]
        assert ledger.yearly(BENEFIT) == [0, 100, 40]
        assert ledger.yearly(BENEFIT, value_type="social") == [0, 40, 40]
        # Discounted by year: each year's sum times its factor, kept to 1e-12.
        assert ledger.discounted_yearly(BENEFIT, value_type="fiscal") == [
            0,
            (Decimal(60) * FACTORS[1]).quantize(Decimal("1e-12")),
            0,
        ]
    groups = ledger.by_agency()
    assert list(groups) == ["kcc", "pct"]  # in order of agency id
    realigned = {a: sum(p.pv for p in ps if p.kind == "realigned") for a, ps in groups.items()}
    assert realigned == {"kcc": moved, "pct": -moved}  # what one loses the other gains


def test_a_posting_with_its_own_factors_is_discounted_with_them():
    # A line on the health schedule (1.5%) beside one on the case's 3.5%: each year's present
    # value adds each schedule's own discounted sum.
    health = (Decimal(1), Decimal(1) / Decimal("1.015"), Decimal(1) / Decimal("1.015") ** 2)
    with exact():
        ledger = Ledger(3, FACTORS)
        ledger.post(BENEFIT, "pct", {1: Decimal(100)}, value_type="fiscal", factors=health)
        ledger.post(BENEFIT, "kcc", {1: Decimal(100)}, value_type="fiscal")
        year_1 = ledger.discounted_yearly(BENEFIT, value_type="fiscal")[1]
        pvs = sorted(p.pv for p in ledger.postings)
    assert pvs == [Decimal("96.618357487923"), Decimal("98.522167487685")]  # 100/1.035, 100/1.015
    assert year_1 == sum(pvs)
