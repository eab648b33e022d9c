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
        yearly = ledger.yearly()
    assert yearly[COST] == [100, 0, 0]
    assert yearly[BENEFIT] == [0, 100, 40]
    assert yearly["fiscal"] == [0, 60, 0] and yearly["social"] == [0, 40, 40]
    groups = ledger.by_agency()
    assert list(groups) == ["kcc", "pct"]  # in order of agency id
    realigned = {a: sum(p.pv for p in ps if p.kind == "realigned") for a, ps in groups.items()}
    assert realigned == {"kcc": moved, "pct": -moved}  # what one loses the other gains
