"""Affordability, the financial case: each agency's costs, cashable savings, budget realigned in
and out, and net budget position by year, real and nominal.

The figures add up to the appraisal's own undiscounted flows, for every agency and year, and
discounted with the case's factors they give the appraisal's present values by agency.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

import totalplace_cases as tp
from totalplace_cases.periods import parse_year

KENT = Path(__file__).resolve().parents[2] / "cases" / "kent"

SMALL_CASE = {
    "id": "small",
    "category": "individual",
    "start": "2010-11",
    "years": 3,
    "costs": [
        {
            "agency": "lead-agency",
            "kind": "revenue",
            "amounts": {"2010-11": "100000", "2011-12": "100000"},
            "optimism_bias": "0.2",
        }
    ],
    "benefits": [
        {
            "id": "placements",
            "agency": "partner-agency",
            "value_type": "fiscal",
            "cashable": True,
            "amounts": {"2011-12": "200000", "2012-13": "200000"},
            "deadweight": "0.25",
        },
        {
            "id": "capacity",
            "agency": "lead-agency",
            "value_type": "fiscal",
            "amounts": {"2011-12": "50000"},
        },
    ],
    "realignments": [
        {"from": "partner-agency", "to": "lead-agency", "kind": "revenue",
         "amounts": {"2011-12": "50000"}},
    ],
}  # fmt: skip


def test_a_small_case_by_hand(write_case):
    found = tp.affordability(tp.load(write_case(SMALL_CASE)))
    rows = {(r.agency, str(r.year)): r for r in found.programme}
    # By hand: the lead agency pays £100,000 a year uplifted by 20% (£120,000) and is given the
    # partner's £50,000 in 2011-12; its £50,000 of capacity released is not cashable. The
    # partner saves £200,000 less a 25% deadweight (£150,000) a year and gives £50,000.
    expected = {
        ("lead-agency", "2010-11"): ("120000", "0", "0", "0", "-120000"),
        ("lead-agency", "2011-12"): ("120000", "0", "50000", "0", "-70000"),
        ("partner-agency", "2011-12"): ("0", "150000", "0", "50000", "100000"),
        ("partner-agency", "2012-13"): ("0", "150000", "0", "0", "150000"),
    }
    assert set(rows) == set(expected)
    for key, figures in expected.items():
        row = rows[key]
        got = (row.costs, row.cashable, row.realigned_in, row.realigned_out, row.net)
        assert got == tuple(Decimal(f) for f in figures), key
    assert [k for k, r in rows.items() if r.net_cost] == [
        ("lead-agency", "2010-11"),
        ("lead-agency", "2011-12"),
    ]
    # Nominal, from the programme's 2010-11 prices with the GDP deflator (calendar indices
    # 2010 69.1217, 2011 70.834, 2012 71.9294; a financial year is 3/4 of its first calendar
    # year and 1/4 of the next): 2010-11 is 69.549775, 2011-12 is 71.10785.
    assert rows[("lead-agency", "2010-11")].nominal("costs") == Decimal("120000")
    ratio = Decimal("71.10785") / Decimal("69.549775")
    lead = rows[("lead-agency", "2011-12")]
    assert abs(lead.nominal("costs") - Decimal("120000") * ratio) < Decimal("1e-20")
    assert abs(lead.nominal("net") - Decimal("-70000") * ratio) < Decimal("1e-20")


@pytest.fixture(scope="module")
def kent():
    programme = tp.load(KENT)
    return programme, tp.appraise(programme), tp.affordability(programme)


def test_kent_adds_up_to_the_appraisals_flows_for_every_agency_and_year(kent):
    _, appraisal, found = kent
    assert any(case.option_results for case in appraisal.cases)  # options are covered too
    for case, afford in zip(appraisal.cases, found.cases, strict=True):
        assert case.id == afford.case
        flows = {flow.year: flow for flow in case.flows}
        # The appraisal's own figures by agency and year, from its line results (for a case
        # with options: the preferred option's lines and business as usual's, negated): costs
        # after optimism bias; the cashable share of fiscal benefits after adjustments, shared
        # among agencies as the line's split says.
        costs: dict = defaultdict(Decimal)
        cashable: dict = defaultdict(Decimal)
        cashable_by_year: dict = defaultdict(Decimal)
        for line in case.lines:
            if line.kind == "cost":
                for year, value in line.values.items():
                    costs[(line.agency, year)] += value
            elif line.value_type == "fiscal" and line.cashable:
                split = line.adjustments.get("split") or {line.agency: 1}
                for year, value in line.values.items():
                    cashable_by_year[year] += value * line.cashable
                    for agency, share in split.items():
                        cashable[(agency, year)] += value * line.cashable * Decimal(str(share))
        mine_costs: dict = defaultdict(Decimal)
        mine_cashable: dict = defaultdict(Decimal)
        for row in afford.rows:
            mine_costs[(row.agency, row.year)] += row.costs
            mine_cashable[(row.agency, row.year)] += row.cashable
        for key in set(costs) | set(mine_costs):
            assert mine_costs[key] == costs[key], (case.id, key)
        for key in set(cashable) | set(mine_cashable):
            assert abs(mine_cashable[key] - cashable[key]) < Decimal("1e-9"), (case.id, key)
        # And year by year, over every agency, exactly the case's flows.
        for year, flow in flows.items():
            rows = [r for r in afford.rows if r.year == year]
            assert sum((r.costs for r in rows), Decimal(0)) == flow.costs
            assert sum((r.cashable for r in rows), Decimal(0)) == cashable_by_year[year]
            # Budget moved between bodies: what one gains the others lose.
            assert sum((r.realigned_in for r in rows), Decimal(0)) == sum(
                (r.realigned_out for r in rows), Decimal(0)
            )


def test_kent_discounted_gives_the_appraisals_present_values_by_agency(kent):
    _, appraisal, found = kent
    for case, afford in zip(appraisal.cases, found.cases, strict=True):
        factors = {flow.year: flow.discount_factor for flow in case.flows}
        for agency in case.by_agency:
            rows = [r for r in afford.rows if r.agency == agency.agency]
            pv_costs = sum((r.costs * factors[r.year] for r in rows), Decimal(0))
            moved = sum(
                ((r.realigned_in - r.realigned_out) * factors[r.year] for r in rows), Decimal(0)
            )
            assert abs(pv_costs - agency.pv_costs) < Decimal("1e-6"), (case.id, agency.agency)
            assert abs(moved - agency.pv_realigned) < Decimal("1e-6"), (case.id, agency.agency)


def test_the_programme_adds_up_the_counted_cases_only(kent):
    programme, _, found = kent
    counted = [c for c in found.cases if c.counted]
    assert [c.case for c in found.cases if not c.counted] == ["kent-integrated-transport"]
    assert all(programme.case(c.case).status not in ("rejected", "withdrawn") for c in counted)
    for row in found.programme:
        parts = [r for c in counted for r in c.rows if (r.agency, r.year) == (row.agency, row.year)]
        for name in ("costs", "cashable", "realigned_in", "realigned_out"):
            assert getattr(row, name) == sum((getattr(p, name) for p in parts), Decimal(0))
    # The deflator ends with 2023-24: later years have no nominal figures, and a note says why.
    late = [r for r in found.programme if r.year >= parse_year("2024-25")]
    assert late and all(r.nominal("net") is None for r in late)
    assert found.notes[0].startswith("No nominal figures for 2024-25 to 2040-41: deflator")
