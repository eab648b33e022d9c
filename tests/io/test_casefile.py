"""Reading case files: every mistake is one Problem naming its file, line and field.

``totalplace_cases.load(path)`` reads a programme folder (``programme.toml`` plus one file per
case) or one case file, and raises ``InputError`` listing every problem at once. The tests below
break the valid case of ``conftest.VALID_CASE`` (appraised 2010-11 to 2014-15, agencies
"lead-agency" and "partner-agency") in one place each.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import totalplace_cases as tp
from totalplace_cases.models import Settings

# --- what loads ---------------------------------------------------------------------------------


def test_the_valid_case_loads(write_case, case_data):
    path = write_case(case_data)
    programme = tp.load(path.parent)
    assert programme.id == "test-programme"
    (case,) = programme.cases
    assert case.id == "joint-team"
    assert case.start == tp.parse_year("2010-11")
    assert case.end == tp.parse_year("2014-15")
    assert case.costs[0].amounts == {
        tp.parse_year("2010-11"): Decimal("150000"),
        tp.parse_year("2011-12"): Decimal("150000"),
    }
    assert case.benefits[0].deadweight == Decimal("0.2")
    assert case.realignments[0].from_agency == "partner-agency"
    assert case.source == path


def test_the_bundled_kent_programme_loads_without_problems(kent_dir):
    programme = tp.load(kent_dir)
    assert programme.id == "kent-total-place"
    assert len(programme.cases) >= 6
    assert {"public-realm", "community", "individual"} <= {c.category for c in programme.cases}
    # one file per case
    assert len(programme.cases) == len(list(kent_dir.glob("kent-*.toml")))


def test_a_case_file_loads_on_its_own_with_default_settings(write_case, case_data):
    path = write_case(case_data, programme=None)
    assert not (path.parent / "programme.toml").exists()
    programme = tp.load(path)
    assert programme.settings == Settings()
    assert [c.id for c in programme.cases] == ["joint-team"]
    assert {a.id for a in programme.agencies} == {"lead-agency", "partner-agency"}


def test_a_case_file_loaded_alone_takes_the_settings_of_the_programme_beside_it(
    write_case, case_data
):
    programme_toml = """\
        [programme]
        id = "health-programme"
        price_base = "2010-11"

        [settings]
        schedule = "green-book-health"
        timing = "mid"

        [[agencies]]
        id = "lead-agency"

        [[agencies]]
        id = "partner-agency"
        """
    path = write_case(case_data, programme=programme_toml)
    programme = tp.load(path)
    assert programme.id == "health-programme"
    assert programme.settings.schedule == "green-book-health"
    assert programme.settings.timing == "mid"
    assert programme.price_base == tp.parse_year("2010-11")
    assert [c.id for c in programme.cases] == ["joint-team"]


def test_a_case_file_loaded_alone_is_checked_against_the_programme_agencies(
    write_case, case_data, the_problem
):
    case_data["costs"][0]["agency"] = "nobody"
    problem = the_problem(write_case(case_data))
    assert problem.field == "costs[0].agency"


def test_a_kent_case_loaded_alone_picks_up_the_kent_programme(kent_dir):
    programme = tp.load(kent_dir / "kent-hcc-placements.toml")
    assert programme.id == "kent-total-place"
    assert programme.price_base == tp.parse_year("2009-10")
    assert programme.discount_base == tp.parse_year("2010-11")
    assert [c.id for c in programme.cases] == ["kent-hcc-placements"]


def test_loading_programme_toml_loads_the_whole_folder(write_case, case_data):
    path = write_case(case_data)
    programme = tp.load(path.parent / "programme.toml")
    assert [c.id for c in programme.cases] == ["joint-team"]


def test_a_path_that_does_not_exist(tmp_path, the_problem):
    missing = tmp_path / "nowhere"
    problem = the_problem(missing)
    assert problem.file == missing
    assert "no such file" in problem.message


def test_a_folder_without_programme_toml(tmp_path, the_problem):
    problem = the_problem(tmp_path)
    assert "programme.toml" in problem.message


# --- one problem per rule -----------------------------------------------------------------------


def test_missing_id(write_case, case_data, the_problem):
    del case_data["id"]
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.file == path
    assert problem.field == "id"
    assert "missing" in problem.message
    assert '"id"' in problem.message


def test_a_toml_float_as_money_must_be_quoted(write_case, case_data, the_problem, line_no):
    case_data["costs"][0]["amounts"]["2011-12"] = 150000.5
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.file == path
    assert problem.field == 'costs[0].amounts."2011-12"'
    assert problem.line == line_no(path, "150000.5")
    assert "float" in problem.message
    assert "quote" in problem.message


def test_a_toml_float_as_a_benefit_amount_must_be_quoted(
    write_case, case_data, the_problem, line_no
):
    case_data["benefits"][0]["amounts"]["2012-13"] = 200000.0
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == 'benefits[0].amounts."2012-13"'
    assert problem.line == line_no(path, "200000.0")
    assert "quote" in problem.message


def test_unknown_field_with_a_did_you_mean_hint(write_case, case_data, the_problem, line_no):
    case_data["costs"][0]["optimsm_bias"] = "0.1"
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == "costs[0].optimsm_bias"
    assert problem.line == line_no(path, "optimsm_bias")
    assert "unknown field" in problem.message
    assert 'did you mean "optimism_bias"' in problem.message


def test_unknown_top_level_field(write_case, case_data, the_problem, line_no):
    case_data["budget_holder"] = "lead-agency"
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == "budget_holder"
    assert problem.line == line_no(path, "budget_holder")
    assert "unknown field" in problem.message
    assert "did you mean" not in problem.message  # nothing is close to it


def test_a_year_outside_the_appraisal_period_names_the_period(
    write_case, case_data, the_problem, line_no
):
    # start 2010-11 for 5 years: 2010-11 to 2014-15, so 2015-16 is one year too late.
    case_data["benefits"][0]["amounts"]["2015-16"] = "200000"
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == 'benefits[0].amounts."2015-16"'
    assert problem.line == line_no(path, '"2015-16"')
    assert "outside the appraisal period" in problem.message
    assert "2010-11 to 2014-15" in problem.message


def test_a_year_before_the_start_is_outside_the_period(write_case, case_data, the_problem):
    case_data["costs"][0]["amounts"]["2009-10"] = "1000"
    problem = the_problem(write_case(case_data))
    assert problem.field == 'costs[0].amounts."2009-10"'
    assert "2010-11 to 2014-15" in problem.message


def test_a_string_where_a_number_belongs(write_case, case_data, the_problem, line_no):
    case_data["years"] = "ten"
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == "years"
    assert problem.line == line_no(path, 'years = "ten"')
    assert "whole number" in problem.message
    assert '"ten"' in problem.message


def test_zero_years_is_refused(write_case, case_data, the_problem):
    case_data["years"] = 0
    problem = the_problem(write_case(case_data))
    assert problem.field == "years"
    assert "at least 1" in problem.message


def test_a_negative_cost(write_case, case_data, the_problem, line_no):
    case_data["costs"][0]["amounts"]["2011-12"] = "-150000"
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == 'costs[0].amounts."2011-12"'
    assert problem.line == line_no(path, '"-150000"')
    assert "0 or more" in problem.message
    assert "-150000" in problem.message


def test_a_negative_realignment(write_case, case_data, the_problem):
    case_data["realignments"][0]["amounts"]["2011-12"] = "-50000"
    problem = the_problem(write_case(case_data))
    assert problem.field == 'realignments[0].amounts."2011-12"'
    assert "0 or more" in problem.message


@pytest.mark.parametrize("key", ["deadweight", "displacement", "attribution", "drop_off"])
@pytest.mark.parametrize("value", ["1.2", "-0.1"])
def test_a_fraction_outside_0_to_1(write_case, case_data, the_problem, line_no, key, value):
    case_data["benefits"][0][key] = value
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == f"benefits[0].{key}"
    assert problem.line == line_no(path, f"{key} = ")
    assert "between 0 and 1" in problem.message


def test_a_cost_optimism_bias_may_exceed_1_but_not_fall_below_0(write_case, case_data, the_problem):
    # The Green Book's bound for equipment/development capital is 200% (issue 7.2).
    del case_data["costs"][0]["confidence"]
    case_data["costs"][0]["optimism_bias"] = "2.0"
    case = tp.load(write_case(case_data)).cases[0]
    assert case.costs[0].optimism_bias == Decimal("2.0")
    case_data["costs"][0]["optimism_bias"] = "-0.1"
    problem = the_problem(write_case(case_data, name="negative.toml", folder="negative"))
    assert problem.field == "costs[0].optimism_bias"
    assert "an uplift of 0 or more" in problem.message


def test_a_benefit_optimism_bias_stays_between_0_and_1(write_case, case_data, the_problem):
    case_data["benefits"][0]["optimism_bias"] = "1.5"
    problem = the_problem(write_case(case_data))
    assert problem.field == "benefits[0].optimism_bias"
    assert "between 0 and 1" in problem.message


def test_duplicate_case_ids_across_two_files(write_case, case_data, problems_of, line_no):
    first = write_case(case_data, "first.toml")
    second = write_case(case_data, "second.toml")
    (problem,) = problems_of(first.parent)
    # the problem is reported in one of the two files and names the other
    assert problem.file in (first, second)
    other = second if problem.file == first else first
    assert problem.field == "id"
    assert problem.line == line_no(problem.file, 'id = "joint-team"')
    assert '"joint-team"' in problem.message
    assert other.name in problem.message


def test_duplicate_benefit_ids_in_one_case(write_case, case_data, the_problem, line_no):
    case_data["benefits"].append(
        {
            "id": "avoided-placements",
            "agency": "lead-agency",
            "value_type": "fiscal",
            "amounts": {"2013-14": "1000"},
        }
    )
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == "benefits[1].id"
    assert problem.line == line_no(path, 'id = "avoided-placements"', occurrence=2)
    assert '"avoided-placements"' in problem.message
    assert "twice" in problem.message


@pytest.mark.parametrize(
    ("place", "field"),
    [
        (("costs", 0, "agency"), "costs[0].agency"),
        (("benefits", 0, "agency"), "benefits[0].agency"),
        (("sponsor",), "sponsor"),
        (("realignments", 0, "from"), "realignments[0].from"),
        (("realignments", 0, "to"), "realignments[0].to"),
    ],
)
def test_an_agency_the_programme_does_not_define(
    write_case, case_data, the_problem, line_no, place, field
):
    table = case_data
    for step in place[:-1]:
        table = table[step]
    table[place[-1]] = "kent-police"  # a real body, but not one of this programme's
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == field
    assert problem.line == line_no(path, '"kent-police"')
    assert 'unknown agency "kent-police"' in problem.message
    assert "[[agencies]]" in problem.message  # says where to define it


def test_unknown_category_lists_the_known_ones(write_case, case_data, the_problem, line_no):
    case_data["category"] = "health"
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == "category"
    assert problem.line == line_no(path, 'category = "health"')
    assert 'unknown category "health"' in problem.message
    for known in ("public-realm", "community", "individual"):
        assert known in problem.message


def test_bad_status(write_case, case_data, the_problem, line_no):
    case_data["status"] = "agreed"
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == "status"
    assert problem.line == line_no(path, 'status = "agreed"')
    assert '"agreed"' in problem.message
    for status in ("proposed", "approved", "in-delivery", "closed", "rejected"):
        assert status in problem.message


def test_bad_year_text_in_amounts(write_case, case_data, the_problem, line_no):
    case_data["costs"][0]["amounts"] = {"2011-13": "150000"}
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == 'costs[0].amounts."2011-13"'
    assert problem.line == line_no(path, '"2011-13"')
    assert '"2011-13" is not a financial year' in problem.message
    assert "2011-12" in problem.message  # the year probably meant


def test_bad_start_year(write_case, case_data, the_problem):
    case_data["start"] = "2010"
    problem = the_problem(write_case(case_data))
    assert problem.field == "start"
    assert "2010-11" in problem.message


def test_invalid_toml_gives_the_line(write_case, case_data, the_problem):
    text = """\
        id = "joint-team"
        title = "Joint team"
        category = "individual"
        start = "2010-11"
        years =
        """
    path = write_case(text)
    problem = the_problem(path)
    assert problem.file == path
    assert problem.line == 5
    assert "not valid TOML" in problem.message


def test_a_case_file_that_is_not_utf8(write_case, the_problem):
    path = write_case("")
    path.write_bytes('title = "Caf\u00e9"\n'.encode("latin-1"))
    problem = the_problem(path)
    assert problem.file == path
    assert "UTF-8" in problem.message


def test_both_amounts_and_volumes(write_case, case_data, the_problem, line_no):
    benefit = case_data["benefits"][0]
    benefit["volumes"] = {"2011-12": "4"}
    benefit["unit_value"] = "50000"
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == "benefits[0]"
    assert problem.line == line_no(path, "[[benefits]]")
    assert "either amounts" in problem.message
    assert "not both" in problem.message


def test_volumes_without_a_unit_value(write_case, case_data, the_problem, line_no):
    benefit = case_data["benefits"][0]
    del benefit["amounts"]
    benefit["volumes"] = {"2011-12": "4"}
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == "benefits[0]"
    assert problem.line == line_no(path, "[[benefits]]")
    assert "unit_value" in problem.message


def test_volumes_with_a_unit_value_are_fine(write_case, case_data):
    benefit = case_data["benefits"][0]
    del benefit["amounts"]
    benefit["volumes"] = {"2011-12": "4", "2012-13": "2.5"}
    benefit["unit_value"] = "50000"
    (case,) = tp.load(write_case(case_data)).cases
    assert case.benefits[0].volumes[tp.parse_year("2012-13")] == Decimal("2.5")
    assert case.benefits[0].unit_value == Decimal("50000")


def test_a_benefit_without_amounts_or_volumes(write_case, case_data, the_problem):
    del case_data["benefits"][0]["amounts"]
    problem = the_problem(write_case(case_data))
    assert problem.field == "benefits[0]"
    assert "amounts" in problem.message


@pytest.mark.parametrize("value_type", ["social", "economic"])
def test_only_fiscal_benefits_can_be_cashable(
    write_case, case_data, the_problem, line_no, value_type
):
    case_data["benefits"][0]["value_type"] = value_type  # cashable = true stays
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field == "benefits[0].cashable"
    assert problem.line == line_no(path, "cashable = true")
    assert "fiscal" in problem.message
    assert value_type in problem.message


def test_two_ways_of_optimism_bias_at_once(write_case, case_data, the_problem, line_no):
    case_data["costs"][0]["optimism_bias"] = "0.1"  # as well as confidence = 2
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field in ("costs[0].optimism_bias", "costs[0].confidence")
    assert problem.line == line_no(path, problem.field.split(".")[-1] + " = ")
    assert "one way only" in problem.message
    assert "optimism_bias" in problem.message
    assert "confidence" in problem.message


def test_a_realignment_between_a_body_and_itself(write_case, case_data, the_problem):
    case_data["realignments"][0]["to"] = "partner-agency"
    problem = the_problem(write_case(case_data))
    assert problem.field == "realignments[0].to"
    assert "between two bodies" in problem.message


def test_a_cost_without_an_agency(write_case, case_data, the_problem, line_no):
    del case_data["costs"][0]["agency"]
    path = write_case(case_data)
    problem = the_problem(path)
    assert problem.field is not None
    assert problem.field.startswith("costs[0]")
    assert problem.line == line_no(path, "[[costs]]")
    assert 'missing required field "agency"' in problem.message


# --- every mistake at once ----------------------------------------------------------------------

FIVE_MISTAKES = """\
    title = "A case with five mistakes"
    category = "community"
    start = "2010-11"
    years = 5
    sponser = "lead-agency"

    [[costs]]
    agency = "lead-agency"
    kind = "revenue"
    amounts = { "2010-11" = 150000.0, "2011-12" = "150000" }
    confidence = "high"

    [[benefits]]
    id = "fewer-incidents"
    agency = "partner-agency"
    value_type = "fiscal"
    amounts = { "2011-12" = "90000", "2016-17" = "90000" }
    """


def test_one_problem_per_mistake_in_one_case_file(write_case, problems_of):
    # The five mistakes: no id; the TOML float 150000.0 as money (line 10); "sponser", a field
    # that does not exist (line 5); 2016-17, outside 2010-11 to 2014-15 (line 17); and the
    # string "high" where the confidence grade 1-6 belongs (line 11).
    path = write_case(FIVE_MISTAKES)
    problems = problems_of(path.parent)
    assert len(problems) == 5, "\n".join(str(p) for p in problems)
    assert all(p.file == path for p in problems)
    assert all(p.field for p in problems), "every problem names its field"
    by_field = {p.field: p for p in problems}
    assert set(by_field) == {
        "id",
        'costs[0].amounts."2010-11"',
        "sponser",
        'benefits[0].amounts."2016-17"',
        "costs[0].confidence",
    }

    assert "missing" in by_field["id"].message

    money = by_field['costs[0].amounts."2010-11"']
    assert money.line == 10
    assert "quote" in money.message

    unknown = by_field["sponser"]
    assert unknown.line == 5
    assert 'did you mean "sponsor"' in unknown.message

    late = by_field['benefits[0].amounts."2016-17"']
    assert late.line == 17
    assert "2010-11 to 2014-15" in late.message

    grade = by_field["costs[0].confidence"]
    assert grade.line == 11
    assert '"high"' in grade.message


def test_problems_in_several_files_are_reported_together(write_case, case_data, problems_of):
    case_data["status"] = "agreed"
    first = write_case(case_data, "first.toml")
    case_data["id"] = "another-case"
    case_data["status"] = "proposed"
    case_data["years"] = "ten"
    second = write_case(case_data, "second.toml")
    problems = problems_of(first.parent)
    assert {(p.file, p.field) for p in problems} == {(first, "status"), (second, "years")}


def test_a_bad_optional_field_is_reported_even_when_a_required_one_is_wrong(
    write_case, case_data, problems_of
):
    # Two independent mistakes: both must be reported, whatever order they are checked in.
    case_data["years"] = "ten"
    case_data["status"] = "agreed"
    path = write_case(case_data)
    assert {p.field for p in problems_of(path)} == {"years", "status"}


def test_a_bad_optional_cost_field_is_reported_even_when_the_agency_is_missing(
    write_case, case_data, problems_of
):
    cost = case_data["costs"][0]
    del cost["agency"]
    cost["confidence"] = 9  # grades run 1 to 6
    fields = {p.field for p in problems_of(write_case(case_data))}
    assert "costs[0].confidence" in fields
    assert len(fields) == 2


def test_input_error_text_lists_every_problem(write_case, case_data):
    case_data["status"] = "agreed"
    case_data["sponser"] = "lead-agency"
    path = write_case(case_data)
    with pytest.raises(tp.InputError) as caught:
        tp.load(path.parent)
    text = str(caught.value)
    assert text.startswith("2 problems found:")
    assert f"{path}:" in text
    assert "status" in text
    assert "sponser" in text


def test_problem_text_names_file_line_and_field():
    problem = tp.Problem("expected a whole number", file="case.toml", line=4, field="years")
    assert str(problem) == "case.toml:4: years: expected a whole number"


def test_a_price_base_the_deflator_does_not_cover_is_found_by_validate(tmp_path, the_problem):
    # The programme reports in 2009-10 prices; the case's money is in 1985-86 prices, before the
    # bundled deflator starts (1990-91), so it cannot be converted.
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "programme.toml").write_text(
        '[programme]\nid = "p"\nprice_base = "2009-10"\n\n[[agencies]]\nid = "kcc"\n',
        encoding="utf-8",
    )
    case = folder / "c.toml"
    case.write_text(
        'id = "c"\ncategory = "community"\nstart = "2010-11"\nyears = 1\n'
        'price_base = "1985-86"\n\n[[costs]]\nagency = "kcc"\nkind = "revenue"\n'
        'amounts = { "2010-11" = "100" }\n',
        encoding="utf-8",
    )
    problem = the_problem(folder)
    assert (problem.file, problem.line, problem.field) == (case, 5, "price_base")
    assert "no index for 1985-86" in problem.message


def test_the_period_is_checked_even_when_years_is_not_a_number(write_case, problems_of):
    # years = "ten" is one problem; an amount before the start is still another.
    path = write_case(
        'id = "c"\ncategory = "community"\nstart = "2010-11"\nyears = "ten"\n\n'
        '[[costs]]\nagency = "kcc"\nkind = "revenue"\namounts = { "2009-10" = "100" }\n'
    )
    messages = [f"{p.field}: {p.message}" for p in problems_of(path)]
    assert any(m.startswith("years: expected a whole number") for m in messages)
    assert any(
        m.startswith('costs[0].amounts."2009-10": year 2009-10 is outside') for m in messages
    )


# -- the count: reduces and baseline -------------------------------------------------------------


def test_a_cashable_line_names_the_spend_it_reduces(write_case, case_data):
    case_data["benefits"][0]["reduces"] = {"agency": "partner-agency", "theme": "placements"}
    (case,) = tp.load(write_case(case_data)).cases
    assert case.benefits[0].reduces == tp.Reduces(agency="partner-agency", theme="placements")


@pytest.mark.parametrize(
    ("reduces", "cashable", "field", "message"),
    [
        ({"agency": "kcc"}, True, "benefits[0].reduces.agency", 'unknown agency "kcc"'),
        ({"category": "sport"}, True, "benefits[0].reduces.category", 'unknown category "sport"'),
        ({"theme": ""}, True, "benefits[0].reduces.theme", "expected a non-empty id"),
        ({}, True, "benefits[0].reduces", "give at least one of agency, category, theme"),
        ({"agnecy": "x"}, True, "benefits[0].reduces.agnecy", 'did you mean "agency"'),
        ({"theme": "care"}, False, "benefits[0].reduces", "reduces applies to cashable lines"),
    ],
)
def test_a_bad_reduces_is_reported_against_its_field(
    write_case, case_data, problems_of, reduces, cashable, field, message
):
    case_data["benefits"][0]["reduces"] = reduces
    case_data["benefits"][0]["cashable"] = cashable
    path = write_case(case_data)
    problems = [p for p in problems_of(path) if p.field == field]
    assert problems and message in problems[0].message, problems_of(path)
    assert problems[0].line is not None


def test_reduces_on_a_non_cashable_line_is_refused_in_python_too():
    with pytest.raises(ValueError, match="cashable lines only"):
        tp.BenefitLine(id="b", agency="a", value_type="fiscal", amounts={}, reduces={"agency": "a"})
    with pytest.raises(ValueError, match="at least one of"):
        tp.Reduces()


def test_baseline_names_spend_files_relative_to_programme_toml(write_programme, tmp_path):
    folder = write_programme('[programme]\nid = "p"\nbaseline = ["data/spend.csv"]\n', "prog")
    (folder / "data").mkdir()
    (folder / "data" / "spend.csv").write_text("year\n", encoding="utf-8")
    programme = tp.load(folder)
    assert programme.baseline == (folder / "data" / "spend.csv",)


def test_a_missing_or_unreadable_baseline_file_is_reported(write_programme, problems_of):
    folder = write_programme(
        '[programme]\nid = "p"\nbaseline = ["gone.csv", "notes.txt", 3]\n', folder="prog"
    )
    messages = [(p.field, p.line, p.message) for p in problems_of(folder)]
    assert messages == [
        ("programme.baseline", 3, "expected an array of strings, found an array"),
    ]
    folder = write_programme('[programme]\nid = "p"\nbaseline = ["gone.csv", "notes.txt"]\n',
                             folder="prog2")  # fmt: skip
    gone = folder / "gone.csv"
    messages = [(p.field, p.line, p.message) for p in problems_of(folder)]
    assert messages == [
        ("programme.baseline[0]", 3, f'no such spend file "gone.csv" (looked for {gone})'),
        ("programme.baseline[1]", 3, 'expected a .csv or .xlsx spend file, found "notes.txt"'),
    ]


def test_a_spend_file_named_twice_is_refused_so_its_spend_is_not_counted_twice(
    write_programme, problems_of
):
    folder = write_programme(
        '[programme]\nid = "p"\nbaseline = ["spend.csv", "other.csv", "./spend.csv"]\n',
        folder="prog",
    )
    for name in ("spend.csv", "other.csv"):
        (folder / name).write_text("year,agency,category,theme,kind,amount\n", encoding="utf-8")
    messages = [(p.field, p.line, p.message) for p in problems_of(folder)]
    assert messages == [
        ("programme.baseline[2]", 3, 'expected each spend file once, found "./spend.csv", the '
         'same file as "spend.csv" (its spend would be counted twice)'),
    ]  # fmt: skip


def test_validate_refuses_a_project_type_whose_bound_is_for_the_other_kind_of_cost(
    write_case, case_data, the_problem, line_no
):
    # The Green Book's capital bounds are for capital lines; outsourcing's for revenue (7.3).
    del case_data["costs"][0]["confidence"]
    case_data["costs"][0]["project_type"] = "standard-buildings"  # on a revenue line
    path = write_case(case_data)
    problem = the_problem(path)
    assert (problem.field, problem.line) == ("costs[0].project_type", line_no(path, "project_type"))
    assert problem.message.startswith(
        'the optimism-bias bound of project type "standard-buildings" is for capital costs, and '
        "this is a revenue line; project types for revenue lines: outsourcing"
    )


def test_a_transfer_line_is_read_and_must_be_fiscal(write_case, case_data, the_problem, line_no):
    case_data["benefits"][0]["transfer"] = True
    assert tp.load(write_case(case_data)).cases[0].benefits[0].transfer is True
    case_data["benefits"][0]["value_type"] = "social"
    del case_data["benefits"][0]["cashable"]
    path = write_case(case_data, name="social.toml", folder="social")
    problem = the_problem(path)
    assert (problem.field, problem.line) == ("benefits[0].transfer", line_no(path, "transfer"))
    assert "a transfer moves money between bodies or people, so it is a fiscal line" in str(problem)


def test_a_transfer_given_a_deadweight_is_a_warning_not_an_error(write_case, case_data, line_no):
    case_data["benefits"][0]["transfer"] = True  # with deadweight = "0.2"
    path = write_case(case_data)
    programme = tp.load(path)  # loads: a warning does not stop the appraisal
    [warning] = programme.warnings
    assert warning.is_warning and warning.field == "benefits[0].deadweight"
    assert warning.line == line_no(path, "deadweight")
    assert "a transfer line with a deadweight of 0.2" in warning.message


def test_a_benefit_line_may_name_its_own_discount_schedule(
    write_case, case_data, the_problem, line_no
):
    case_data["benefits"][0]["discount_schedule"] = "green-book-health"
    line = tp.load(write_case(case_data)).cases[0].benefits[0]
    assert line.discount_schedule == "green-book-health"
    case_data["benefits"][0]["discount_schedule"] = "green-book-helth"
    path = write_case(case_data, name="typo.toml", folder="typo")
    problem = the_problem(path)
    assert problem.field == "benefits[0].discount_schedule"
    assert problem.line == line_no(path, "discount_schedule")
    assert "no discount-schedule table called 'green-book-helth'" in problem.message


def test_a_whole_case_on_the_health_schedule_is_a_warning(write_case, case_data, line_no):
    # A documented reference convention, so it still works, but it discounts costs and every
    # benefit at 1.5% (issue 7.4).
    case_data["discount_schedule"] = "green-book-health"
    path = write_case(case_data)
    programme = tp.load(path)
    [warning] = programme.warnings
    assert (warning.field, warning.line) == ("discount_schedule", line_no(path, "discount_sched"))
    assert "discounts the costs and every benefit at the Green Book's health rate" in str(warning)
    assert 'set discount_schedule = "green-book-health" on their [[benefits]] lines' in str(warning)
    assert tp.appraise(programme).cases[0].schedule == "green-book-health"


@pytest.mark.parametrize("status", ["draft", "withdrawn", "in-delivery"])
def test_every_status_is_read(write_case, case_data, status):
    case_data["status"] = status
    assert tp.load(write_case(case_data)).cases[0].status == status


# --- lines the models refuse are reported, then read on without the conflicting fields -------


def test_conflicting_cost_fields_are_reported_with_every_other_problem_never_a_traceback(
    invoke, write_case, case_data, line_no
):
    # Optimism bias given two ways, mitigation without a project type, and (unrelated) a
    # deadweight above 1: the models refuse the first two, so the reader must not build the
    # line with them; validate and appraise list all three, by file, line and field.
    case_data["costs"][0].update(optimism_bias="0.5", mitigation="0.2")  # confidence = 2 too
    case_data["benefits"][0]["deadweight"] = "1.5"
    path = write_case(case_data)
    for command in ("validate", "appraise"):
        result = invoke(command, path)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and "internal error" not in result.output
        for fragment, field, message in (
            ("confidence =", "costs[0].confidence", "give optimism bias one way only"),
            ("mitigation =", "costs[0].mitigation", "mitigation applies to a Green Book"),
            ("deadweight =", "benefits[0].deadweight", "1.5"),
        ):
            (shown,) = [text for text in result.stderr.splitlines() if field in text]
            assert f"{path}:{line_no(path, fragment)}" in shown and message in shown
        assert "3 problems" in result.stderr


COHORT = {"participants": {"2010-11": "10"}}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"value_type": "social"}, "benefits[0].cashable", "only fiscal benefits can be cashable"),
        ({"value_type": "economic", "cashable": False, "transfer": True,
          "reduces": {"agency": "lead-agency"}},
         "benefits[0].transfer", "a transfer moves money"),
        ({"volumes": {"2010-11": "2"}, "unit_value": "3",
          "uncertainty": {"volumes": {"low": "-0.1", "high": "0.1"}}},
         "benefits[0]", "give either amounts by year, or volumes"),
        ({"amounts": None, "cohort": COHORT}, "benefits[0].cohort", "a cohort gives volumes"),
        ({"amounts": None, "cohort": COHORT, "unit_value": "three"},
         "benefits[0].unit_value", "expected"),
        ({"amounts": None, "volumes": {"2010-11": "2"}, "unit_value": "3",
          "unit_cost": "ucd:X"}, "benefits[0].unit_cost", "give unit_value or unit_cost"),
        ({"confidence": 2, "optimism_bias": "0.1"}, "benefits[0].confidence",
         "give benefit optimism bias one way only"),
        ({"agency_map": {"Police": "lead-agency"}}, "benefits[0].agency_map",
         "agency_map applies to a line valued with a unit_cost"),
    ],
)  # fmt: skip
def test_a_benefit_line_the_model_refuses_is_reported_with_the_file_s_other_problems(
    problems_of, write_case, case_data, change, field, message
):
    benefit = case_data["benefits"][0]
    benefit.update(change)
    for key in [k for k, value in benefit.items() if value is None]:
        del benefit[key]
    case_data["costs"][0]["optimism_bias"] = "0.5"  # and confidence: a problem elsewhere
    found = {(p.field, m) for p in problems_of(write_case(case_data)) for m in (p.message,)}
    assert any(f == field and message in m for f, m in found), found
    assert any(f == "costs[0].confidence" for f, _ in found), found


def test_a_realignment_within_one_body_is_reported_with_the_file_s_other_problems(
    problems_of, write_case, case_data
):
    case_data["realignments"][0]["from"] = "lead-agency"
    case_data["costs"][0]["optimism_bias"] = "0.5"
    found = {p.field: p.message for p in problems_of(write_case(case_data))}
    assert "moves budget between two bodies" in found["realignments[0].to"]
    assert "give optimism bias one way only" in found["costs[0].confidence"]


@pytest.mark.parametrize("project_types", [{}, {"a": "0.3", "b": "0.3"}])
def test_mitigation_with_no_usable_project_type_is_reported_never_a_traceback(
    problems_of, write_case, case_data, project_types
):
    # An empty table of project types (no way of giving optimism bias) or shares that do not
    # add up: mitigation has no project type to apply to, and the line is read on without it.
    cost = case_data["costs"][0]
    del cost["confidence"]
    cost.update(kind="capital", project_types=project_types, mitigation="0.2")
    fields = {p.field for p in problems_of(write_case(case_data))}
    assert fields == ({"costs[0].mitigation"} if not project_types else {"costs[0].project_types"})
