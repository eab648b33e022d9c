"""The pack's efficiency gains split each fiscal line as the appraisal did (issue 15.1, 15.3).

A partly cashable line's value goes 60/40 into the cashable and non-cashable columns, and in a
case with options the gains are the preferred option's less business as usual's, cashable by
each line's own share: the same figures as the case's fiscal flows and PVs.
"""

from __future__ import annotations

from decimal import Decimal

import totalplace_cases as tp
from totalplace_cases.reports.names import Names
from totalplace_cases.reports.pack.sections import gains_section

OPTIONS_CASE = """\
id = "choice"
category = "community"
status = "approved"
start = "2010-11"
years = 2
business_as_usual = "bau"
preferred = "hub"

[[options]]
id = "bau"

[[options.benefits]]
id = "old-saving"
agency = "lead-agency"
value_type = "fiscal"
cashable = true
amounts = { "2010-11" = "100" }

[[options]]
id = "hub"

[[options.benefits]]
id = "saving"
agency = "lead-agency"
value_type = "fiscal"
cashable = "0.6"
amounts = { "2010-11" = "1000", "2011-12" = "500" }
"""


def _rows(path) -> dict[str, tuple]:
    programme = tp.load(path)
    appraisal = tp.appraise(programme)
    section = gains_section(appraisal, programme, Names(programme))
    table = next(t for t in section.tables if t.key == "gains_by_year")
    return {row.id: tuple(row.cells[1:]) for row in table.rows}, appraisal


def test_a_partly_cashable_option_less_business_as_usual(write_case):
    rows, appraisal = _rows(write_case(OPTIONS_CASE))
    # 2010-11: the hub's 1,000 (600 cashable, 400 not) less business as usual's 100 (cashable).
    assert rows["2010-11"] == (Decimal(500), Decimal(400), Decimal(900))
    assert rows["2011-12"] == (Decimal(300), Decimal(200), Decimal(500))
    case = appraisal.cases[0]
    assert [flow.fiscal for flow in case.flows] == [Decimal(900), Decimal(500)]
    # PV: 500 + 300 / 1.035 = 789.86 (each term kept to 1e-12 of a pound).
    assert f"{case.pv_fiscal_cashable:.2f}" == "789.86"
