"""A partly cashable benefit line (issue 15.3, method §6): ``cashable = "0.6"``.

Worked by hand: costs of £700 in 2010-11; a fiscal benefit of £1,000 in 2010-11 and £1,035 in
2011-12 (PV £1,000 + £1,035 / 1.035 = £2,000), 60% cashable. So PV fiscal cashable is
0.6 × 2,000 = £1,200 and non-cashable £800. Payback counting every fiscal benefit comes in the
first year (£1,000 against £700); counting only the cashable £600 of it, £100 is still owed at
the end of 2010-11 and the next year's cashable £600 (PV) clears it a sixth of the way in:
1 + 100 / 600 = 1.1667 years.
"""

from __future__ import annotations

import pytest

import totalplace_cases as tp
from totalplace_cases.baseline import gain_lines
from totalplace_cases.money import money_str
from totalplace_cases.plugins import rules_for
from totalplace_cases.reports.json import to_dict


def _case(case_data, cashable) -> dict:
    case_data["costs"] = [
        {"id": "team", "agency": "lead-agency", "kind": "revenue", "amounts": {"2010-11": "700"}}
    ]
    case_data["benefits"] = [
        {
            "id": "saving",
            "agency": "partner-agency",
            "value_type": "fiscal",
            "cashable": cashable,
            "amounts": {"2010-11": "1000", "2011-12": "1035"},
        }
    ]
    case_data.pop("realignments", None)
    return case_data


def test_a_fraction_splits_the_line_s_value_60_40(write_case, case_data):
    result = tp.appraise(tp.load(write_case(_case(case_data, "0.6"))))
    case = result.cases[0]
    assert money_str(case.pv_fiscal) == "2000.00"
    assert money_str(case.pv_fiscal_cashable) == "1200.00"
    assert money_str(case.pv_fiscal_non_cashable) == "800.00"
    assert case.pv_fiscal_cashable + case.pv_fiscal_non_cashable == case.pv_fiscal
    (partner,) = [row for row in case.by_agency if row.agency == "partner-agency"]
    assert money_str(partner.pv_fiscal_cashable) == "1200.00"
    assert money_str(partner.pv_fiscal_non_cashable) == "800.00"
    assert case.cashable_roi == pytest.approx(1200 / 700)
    # Payback counts all of it; cashable payback only the cashable 60%.
    assert (str(case.payback_year), case.payback_years) == ("2010-11", 0.0)
    assert str(case.cashable_payback_year) == "2011-12"
    assert case.cashable_payback_years == pytest.approx(1 + 100 / 600)
    (line,) = [line for line in to_dict(result)["cases"][0]["lines"] if line["id"] == "saving"]
    assert line["adjustments"]["cashable"] == 0.6


@pytest.mark.parametrize(("cashable", "share"), [(True, "2000.00"), (False, "0.00")])
def test_true_and_false_keep_their_meaning(write_case, case_data, cashable, share):
    result = tp.appraise(tp.load(write_case(_case(case_data, cashable))))
    case = result.cases[0]
    assert money_str(case.pv_fiscal_cashable) == share
    (line,) = [line for line in to_dict(result)["cases"][0]["lines"] if line["id"] == "saving"]
    assert "cashable" not in line["adjustments"]  # only a fraction is shown


@pytest.mark.parametrize(
    ("cashable", "value_type", "message"),
    [
        ("1.5", "fiscal", 'expected true, false or the cashable share as a fraction ("0.6")'),
        ("sixty", "fiscal", 'found the string "sixty"'),
        ("0.6", "social", "only fiscal benefits can be cashable; this line is social"),
    ],
)
def test_a_bad_share_is_refused(write_case, problems_of, case_data, cashable, value_type, message):
    data = _case(case_data, cashable)
    data["benefits"][0]["value_type"] = value_type
    (problem,) = problems_of(write_case(data))
    assert problem.field == "benefits[0].cashable" and message in problem.message
    assert isinstance(problem.line, int)


def test_gains_count_the_cashable_share(write_case, case_data):
    data = _case(case_data, "0.6")
    data["status"] = "approved"
    programme = tp.load(write_case(data))
    (gain,) = gain_lines(programme, rules_for(programme.plugins))
    assert {str(y): money_str(v) for y, v in gain.gains.items()} == {
        "2010-11": "600.00",
        "2011-12": "621.00",
    }


def test_a_share_in_python_is_read_as_a_fraction():
    line = tp.BenefitLine(id="b", agency="a", value_type="fiscal", cashable="0.25")
    assert str(line.cashable_share) == "0.25"
    assert (
        tp.BenefitLine(id="b", agency="a", value_type="fiscal", cashable=True).cashable_share == 1
    )
    with pytest.raises(ValueError, match="between 0 and 1"):
        tp.BenefitLine(id="b", agency="a", value_type="fiscal", cashable="2")
