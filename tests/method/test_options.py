"""A case that weighs options against business as usual (issue 15.1, method §18).

The case below is worked by hand. Three years from 2010-11, in 2010-11 prices, discounted to
2010-11 at 3.5%: D_0 = 1, D_1 = 1/1.035, D_2 = 1/1.035^2, so D_1 + D_2 = 1.899694275245630.

- business as usual (``bau``): costs 100 a year (PV 100 + 100 × 1.8996942752 = 289.97), a
  fiscal benefit of 50 in years 1 and 2 (PV 50 × 1.8996942752 = 94.98);
- ``hub``: costs 300 in year 0 (PV 300), a cashable fiscal benefit of 200 in years 1 and 2
  (PV 379.94); own NPSV 79.94, BCR 1.2665;
- ``outreach``: costs 120 a year (PV 347.96), a fiscal benefit of 250 in years 1 and 2 (PV
  474.92); own NPSV 126.96.

Incremental to business as usual, each option's flows less business as usual's:

- ``hub``: PV costs 300 - (100 + 100 × 1.8996942752) = 10.03, PV benefits 150 × 1.8996942752
  = 284.95, NPSV 250 × 1.8996942752 - 200 = 274.92, BCR 284.95 / 10.03 = 28.41;
- ``outreach``: PV costs 20 + 20 × 1.8996942752 = 57.99, PV benefits 200 × 1.8996942752 =
  379.94, NPSV 180 × 1.8996942752 - 20 = 321.94 (the highest), BCR 6.55;
- ``bau``: all zero, BCR undefined.
"""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

import totalplace_cases as tp
from totalplace_cases import pipeline
from totalplace_cases.method.options import ranked
from totalplace_cases.money import money_str
from totalplace_cases.reports.options import options_table

ANNUITY = Decimal("1.899694275245630")  # D_1 + D_2 at 3.5%, to 15 decimals

CASE = """\
id = "choice"
title = "A choice of options"
category = "community"
start = "2010-11"
years = 3
business_as_usual = "bau"
preferred = "{preferred}"
{reason}

[[options]]
id = "bau"
title = "Business as usual"
description = "Carry on as now"

[[options.costs]]
id = "running"
agency = "lead-agency"
kind = "revenue"
amounts = {{ "2010-11" = "100", "2011-12" = "100", "2012-13" = "100" }}

[[options.benefits]]
id = "saving"
agency = "lead-agency"
value_type = "fiscal"
amounts = {{ "2011-12" = "50", "2012-13" = "50" }}

[[options]]
id = "hub"
title = "A shared hub"

[[options.costs]]
id = "build"
agency = "lead-agency"
kind = "capital"
amounts = {{ "2010-11" = "300" }}

[[options.benefits]]
id = "saving"
agency = "partner-agency"
value_type = "fiscal"
cashable = true
amounts = {{ "2011-12" = "200", "2012-13" = "200" }}

[[options]]
id = "outreach"
title = "Outreach workers"

[[options.costs]]
id = "workers"
agency = "lead-agency"
kind = "revenue"
amounts = {{ "2010-11" = "120", "2011-12" = "120", "2012-13" = "120" }}

[[options.benefits]]
id = "saving"
agency = "lead-agency"
value_type = "fiscal"
amounts = {{ "2011-12" = "250", "2012-13" = "250" }}
"""


def case_text(preferred: str = "hub", reason: str | None = None) -> str:
    line = f'preferred_reason = "{reason}"' if reason else ""
    return CASE.format(preferred=preferred, reason=line)


@pytest.fixture
def appraised(write_case):
    def run(preferred: str = "hub", reason: str | None = None):
        path = write_case(case_text(preferred, reason))
        return tp.appraise(tp.load(path)).cases[0], path

    return run


def test_each_option_is_appraised_on_its_own_as_worked_by_hand(appraised):
    case, _ = appraised()
    options = {o.id: o for o in case.options}
    assert [o.id for o in case.options] == ["bau", "hub", "outreach"]  # the file's order
    assert money_str(options["bau"].pv_costs) == money_str(100 + 100 * ANNUITY) == "289.97"
    assert money_str(options["bau"].pv_benefits) == money_str(50 * ANNUITY) == "94.98"
    assert money_str(options["hub"].pv_costs) == "300.00"
    assert money_str(options["hub"].pv_benefits) == money_str(200 * ANNUITY) == "379.94"
    assert money_str(options["hub"].npsv) == "79.94"
    assert options["hub"].bcr == pytest.approx(float(200 * ANNUITY / 300))
    assert money_str(options["outreach"].pv_costs) == money_str(120 + 120 * ANNUITY) == "347.96"
    assert money_str(options["outreach"].npsv) == "126.96"


def test_an_option_s_incremental_figures_are_its_own_less_business_as_usual_s(appraised):
    case, _ = appraised()
    bau = next(o for o in case.options if o.business_as_usual)
    for option in case.options:
        own, incremental = option.own, option.incremental
        # Exactly, not just to the penny: the flows less business as usual's, term by term.
        assert incremental.pv_costs == own.pv_costs - bau.own.pv_costs
        assert incremental.pv_benefits == own.pv_benefits - bau.own.pv_benefits
        assert incremental.npsv == own.npsv - bau.own.npsv
    hub = next(o for o in case.options if o.id == "hub").incremental
    assert money_str(hub.pv_costs) == "10.03"
    assert money_str(hub.pv_benefits) == "284.95"
    assert money_str(hub.npsv) == "274.92"
    assert hub.bcr == pytest.approx(284.954141 / 10.030572, rel=1e-6)
    assert bau.incremental.npsv == 0 and bau.incremental.bcr is None  # no costs against itself


def test_the_case_s_figures_are_the_preferred_option_s_incremental_ones(appraised):
    case, _ = appraised()
    hub = case.preferred_option
    assert hub.id == "hub" and hub.preferred
    assert (case.pv_costs, case.pv_benefits, case.npsv) == (
        hub.incremental.pv_costs,
        hub.incremental.pv_benefits,
        hub.incremental.npsv,
    )
    # Its flows are the hub's less business as usual's, year by year.
    flows = case.flows
    assert [f.costs for f in flows] == [Decimal(200), Decimal(-100), Decimal(-100)]
    assert [f.benefits for f in flows] == [Decimal(0), Decimal(150), Decimal(150)]
    # By agency: the lead agency no longer pays for business as usual or gets its saving; the
    # partner gains the hub's saving. The rows add up to the case's figures exactly.
    rows = {row.agency: row for row in case.by_agency}
    assert money_str(rows["lead-agency"].pv_costs) == "10.03"
    assert money_str(rows["lead-agency"].pv_benefits) == "-94.98"
    assert money_str(rows["partner-agency"].pv_fiscal_cashable) == "379.94"
    assert sum(r.npsv if hasattr(r, "npsv") else r.net for r in rows.values()) == case.npsv
    # The lines: the hub's own, then business as usual's counted against it.
    assert [(line.id, line.option, line.counterfactual) for line in case.lines] == [
        ("build", "hub", False),
        ("saving", "hub", False),
        ("running", "bau", True),
        ("saving", "bau", True),
    ]
    assert sum(line.pv for line in case.lines if line.kind == "cost") == case.pv_costs


def test_programme_totals_use_each_case_s_preferred_option(write_case, write_programme):
    folder = write_programme()
    write_case(case_text("outreach"), name="choice.toml", folder="programme")
    result = tp.appraise(tp.load(folder))
    outreach = result.cases[0].preferred_option.incremental
    assert result.totals.pv_costs == outreach.pv_costs
    assert result.totals.npsv == outreach.npsv
    assert money_str(result.totals.npsv) == money_str(180 * ANNUITY - 20) == "321.94"


def test_options_are_ranked_by_incremental_npsv_then_bcr(appraised):
    case, _ = appraised()
    assert [o.id for o in ranked(case.options)] == ["outreach", "hub", "bau"]
    table = options_table(case)
    assert [row[:2] for row in table.rows] == [
        (1, "Outreach workers (outreach)"),
        (2, "A shared hub (hub)"),
        (3, "Business as usual (bau)"),
    ]
    assert [row[9] for row in table.rows] == [Decimal("6.55"), Decimal("28.41"), None]
    assert table.rows[1][-1] == "preferred" and table.rows[2][-1] == "business as usual"


def test_a_preferred_option_below_the_best_npsv_is_warned_about(appraised):
    case, path = appraised("hub")
    assert case.options_warning is not None
    assert 'preferred option "hub"' in case.options_warning
    assert '"outreach"' in case.options_warning and "£321.94" in case.options_warning
    assert "Warning:" in options_table(case).notes
    # validate says so too, as a warning at the preferred field, with its line.
    loaded = pipeline.load_programme(path)
    (warning,) = [w for w in loaded.programme.warnings if w.field == "preferred"]
    assert warning.is_warning and warning.line == 7 and "preferred_reason" in warning.message


def test_no_warning_with_a_reason_or_for_the_best_option(appraised):
    case, path = appraised("hub", reason="only the hub can be built before the lease ends")
    assert case.options_warning is None
    assert not pipeline.load_programme(path).programme.warnings
    case, _ = appraised("outreach")
    assert case.options_warning is None


def test_the_command_shows_the_comparison_and_the_warning(invoke, write_case):
    path = write_case(case_text("hub"))
    result = invoke("appraise", path)
    assert result.exit_code == 0, result.output
    assert "choice: options compared" in result.stdout
    assert "Outreach workers (outreach)" in result.stdout
    assert "warning:" in result.stderr and "preferred_reason" in result.stderr


def test_a_case_without_options_is_its_own_one_option(write_case, case_data):
    case = tp.appraise(tp.load(write_case(case_data))).cases[0]
    (option,) = case.options
    assert option.id == case.id and option.title == case.title and option.preferred
    assert option.own == option.incremental
    assert (option.own.pv_costs, option.own.npsv, option.own.bcr) == (
        case.pv_costs,
        case.npsv,
        case.bcr,
    )
    assert case.option_results == () and case.options_warning is None
    assert all(line.option is None and not line.counterfactual for line in case.lines)


def test_an_option_cheaper_than_business_as_usual_has_no_bcr(write_case):
    text = case_text("hub").replace(
        'amounts = { "2010-11" = "300" }', 'amounts = { "2010-11" = "5" }'
    )
    case = tp.appraise(tp.load(write_case(text))).cases[0]
    hub = case.preferred_option.incremental
    assert hub.pv_costs < 0  # 5 against business as usual's 289.97
    assert hub.bcr is None and case.bcr is None and case.vfm_category is None
    assert hub.npsv == hub.pv_benefits - hub.pv_costs  # compared by NPSV


# -- reading options ------------------------------------------------------------------------------


def _problems(write_case, problems_of, text: str) -> dict[str, tp.Problem]:
    return {p.field: p for p in problems_of(write_case(text))}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda t: t.replace('business_as_usual = "bau"\n', ""), "business_as_usual",
         'missing required field "business_as_usual"'),
        (lambda t: t.replace('preferred = "hub"', 'preferred = "tram"'), "preferred",
         'no option "tram" in this case; its options are bau, hub, outreach'),
        (lambda t: t.replace('id = "outreach"', 'id = "hub"'), "options[2].id",
         'option id "hub" is used twice in this case (also options[1])'),
        (lambda t: t + '\n[[costs]]\nagency = "lead-agency"\nkind = "revenue"\n'
                       'amounts = { "2010-11" = "1" }\n', "costs[0]",
         "a case with [[options]] gives its lines in each option"),
        (lambda t: t.replace('cashable = true', 'cashable = true\nconfidence = 9'),
         "options[1].benefits[0].confidence", "at most 6"),
    ],
)  # fmt: skip
def test_a_bad_option_is_named_with_its_field_and_line(
    write_case, problems_of, change, field, message
):
    found = _problems(write_case, problems_of, change(case_text()))
    assert field in found, found
    assert message in found[field].message
    if "missing" not in message:  # a field left out has no line of its own
        assert isinstance(found[field].line, int)


def test_an_option_s_nested_lines_are_found_at_their_own_line(write_case, problems_of):
    # The second option's first benefit is under the second [[options]]: TOML counts its
    # [[options.benefits]] from 0 again, and so does the line finder.
    text = case_text().replace(
        'amounts = { "2011-12" = "250", "2012-13" = "250" }',
        'amounts = { "2011-12" = "250", "2030-31" = "250" }',
    )
    found = _problems(write_case, problems_of, text)
    problem = found['options[2].benefits[0].amounts."2030-31"']
    lines = text.splitlines()
    assert lines[problem.line - 1].startswith('amounts = { "2011-12" = "250", "2030-31"')


def test_option_fields_without_options_are_refused(write_case, problems_of, case_data):
    case_data["preferred"] = "a"
    found = {p.field: p.message for p in problems_of(write_case(case_data))}
    assert found["preferred"] == "preferred applies to a case with [[options]]; this case has none"


def test_validate_names_the_option_line_appraise_would_stop_on(write_case):
    text = case_text().replace(
        'amounts = { "2010-11" = "300" }',
        'amounts = { "2010-11" = "300" }\nproject_type = "castles"',
    )
    path = write_case(text)
    with pytest.raises(tp.InputError) as caught:
        tp.load(path)
    (problem,) = caught.value.problems
    assert problem.field == "options[1].costs[0].project_type"
    assert 'unknown project type "castles"' in problem.message
    assert textwrap.dedent(text).splitlines()[problem.line - 1] == 'project_type = "castles"'


def test_a_case_with_options_built_in_python_is_checked():
    cost = tp.CostLine(agency="a", kind="revenue", amounts={"2010-11": "1"})
    option = tp.CaseOption(id="only", costs=[cost])
    common = {"id": "c", "title": "c", "category": "community", "start": "2010-11", "years": 1}
    with pytest.raises(ValueError, match="preferred must name one of its options"):
        tp.BusinessCase(**common, options=[option], business_as_usual="only", preferred="x")
    with pytest.raises(ValueError, match="gives its lines in each option"):
        tp.BusinessCase(
            **common, options=[option], business_as_usual="only", preferred="only", costs=[cost]
        )


# -- Kent -----------------------------------------------------------------------------------------


def test_kent_s_coastal_defences_weigh_three_options(kent_dir):
    # The figures of docs/method.md, section 18.
    result = tp.appraise(tp.load(kent_dir))
    case = result.case("kent-coastal-defences")
    options = {o.id: o for o in case.options}
    assert list(options) == ["bau", "separate-schemes", "one-programme"]
    assert options["bau"].business_as_usual and options["one-programme"].preferred
    figures = {
        key: (money_str(o.own.npsv), money_str(o.incremental.npsv)) for key, o in options.items()
    }
    assert figures == {
        "bau": ("17104602.23", "0.00"),
        "separate-schemes": ("40951317.12", "23846714.89"),
        "one-programme": ("61257967.71", "44153365.48"),
    }
    assert [o.id for o in ranked(case.options)] == ["one-programme", "separate-schemes", "bau"]
    assert case.options_warning is None  # the preferred option has the highest NPSV
    assert money_str(case.pv_costs) == "45162896.28" and case.vfm_category == "medium"
    # The one programme's early works keep the Kent plugin's default optimism bias.
    (hythe,) = [line for line in case.lines if line.id == "hythe-early-works"]
    assert hythe.option == "one-programme" and "rule: kent" in hythe.adjustments["basis"]
    assert money_str(result.totals.npsv) == "28438403.62"  # docs/method.md, section 11
