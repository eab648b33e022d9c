"""Gains against the baseline, worked by hand from case lines written in the test."""

from __future__ import annotations

from decimal import Decimal

from totalplace_cases import BenefitLine, BusinessCase, Programme, Reduces
from totalplace_cases.baseline import gain_lines
from totalplace_cases.method.count import build_count
from totalplace_cases.method.gains import GAINS_STATUSES, GainLine, gains_against
from totalplace_cases.models import COUNTED_STATUSES
from totalplace_cases.periods import FinancialYear
from totalplace_cases.plugins import load_rules

Y = FinancialYear
COUNT = build_count(
    [
        (("2008-09", "kcc", "individual", "high-cost-cases", "revenue", "kcc"), 6_000_000_00),
        (("2008-09", "kcc", "individual", "social-care", "revenue", "kcc"), 4_000_000_00),
        (("2008-09", "pct", "individual", "high-cost-cases", "revenue", "dh"), 1_000_000_00),
        (("2007-08", "kcc", "individual", "high-cost-cases", "revenue", "kcc"), 9_000_000_00),
    ],
    [],
)


def test_lines_reducing_the_same_spend_are_one_row_against_the_latest_year():
    lines = [
        GainLine("a", "x", Reduces(agency="kcc", theme="high-cost-cases"),
                 {Y(2011): Decimal("300000"), Y(2012): Decimal("600000")}),
        GainLine("b", "y", Reduces(agency="kcc", theme="high-cost-cases"),
                 {Y(2012): Decimal("150000")}),
        GainLine("b", "z", Reduces(theme="high-cost-cases"), {Y(2012): Decimal("2000000")}),
        GainLine("c", "receipts", None, {Y(2010): Decimal("5")}),
    ]  # fmt: skip
    gains = gains_against(COUNT, lines)
    assert gains.year == Y(2008)  # the count's last year, not 2007-08
    any_agency, kcc = gains.rows  # sorted by what they reduce, "any agency" first
    # KCC's high-cost cases: baseline £6m; gains 300,000 then 600,000 + 150,000 = 750,000.
    assert (kcc.agency, kcc.category, kcc.theme) == ("kcc", None, "high-cost-cases")
    assert kcc.baseline == Decimal("6000000.00")
    assert kcc.gains == {Y(2011): Decimal("300000"), Y(2012): Decimal("750000")}
    assert kcc.share == Decimal("0.125")  # 750,000 / 6,000,000
    assert not kcc.exceeds_baseline
    # Every agency's high-cost cases: £6m + £1m = £7m baseline.
    assert any_agency.baseline == Decimal("7000000.00")
    assert any_agency.lines == (("b", "z"),)
    # A line that names nothing it reduces is unassigned, but in the programme total.
    assert gains.unassigned.lines == (("c", "receipts"),)
    assert gains.total.baseline == Decimal("11000000.00")  # all of 2008-09
    assert gains.total.gains[Y(2012)] == Decimal("2750000")  # 750,000 + 2,000,000
    assert gains.total.gains[Y(2010)] == Decimal("5")


def test_gains_above_the_baseline_are_flagged_and_a_missing_baseline_has_no_share():
    lines = [
        GainLine("a", "x", Reduces(agency="pct"), {Y(2011): Decimal("1000000.01")}),
        GainLine("a", "y", Reduces(agency="nobody"), {Y(2011): Decimal("1")}),
    ]
    none, over = gains_against(COUNT, lines, Y(2008)).rows  # sorted: "nobody" before "pct"
    assert over.exceeds_baseline and over.baseline == Decimal("1000000.00")
    assert none.baseline == 0 and none.share is None and none.exceeds_baseline


def test_only_cashable_lines_of_approved_and_later_cases_count():
    def case(case_id: str, status: str) -> BusinessCase:
        return BusinessCase(
            id=case_id, title=case_id, category="individual", start="2010-11", years=3,
            status=status,
            benefits=[
                BenefitLine(id="cash", agency="kcc", value_type="fiscal", cashable=True,
                            amounts={"2011-12": "1000"}, reduces={"agency": "kcc"},
                            deadweight="0.5"),
                BenefitLine(id="time", agency="kcc", value_type="fiscal",
                            amounts={"2011-12": "7"}),
            ],
        )  # fmt: skip

    statuses = ("proposed", "approved", "in-delivery", "closed", "rejected")
    programme = Programme(id="p", cases=[case(s, s) for s in statuses])
    found = gain_lines(programme, load_rules(entry_points=False))
    assert [(g.case, g.line) for g in found] == [
        ("approved", "cash"), ("in-delivery", "cash"), ("closed", "cash")]  # fmt: skip
    assert tuple(g.case for g in found) == GAINS_STATUSES
    # Narrower than the statuses the appraisal's totals count, which take in a proposed case.
    assert "proposed" in COUNTED_STATUSES and "proposed" not in GAINS_STATUSES
    # The gross value as the line gives it: deadweight is an appraisal adjustment, not applied.
    assert found[0].gains == {Y(2011): Decimal("1000")}
    assert found[0].reduces == Reduces(agency="kcc")
