"""The rest of the five-case model in a case file: strategic case, non-monetised impacts, risks
and readiness. Read and checked like every other field (file, line, field), and shown in the
evidence pack as its own section in every format."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import totalplace_cases as tp
from totalplace_cases.cli import cli
from totalplace_cases.models import Readiness, Risk

FIVE_CASE = """
[strategic_case]
objectives = ["One team for each family", "Fewer children in care"]
aims = ["simpler for the customer", "Cheaper-for-the-taxpayer"]
case_for_change = "Families meet nine services that do not talk to each other."

[[non_monetised_impacts]]
description = "Children stay in their own schools"
direction = "positive"
significance = "high"
affects = "children in need"

[[risks]]
id = "staff"
description = "The team cannot recruit social workers <fast>"
likelihood = "very high"
impact = 3
owner = "Director of Children's Services"
mitigation = "Joint recruitment with the PCT"

[readiness]
rational = { score = 4, note = "Costs counted across partners" }
emotional = { score = 2, note = "Staff fear for their teams" }
political = 5
"""


@pytest.fixture
def case_text(case_data) -> str:
    from tests.conftest import toml_text

    return toml_text(case_data) + FIVE_CASE


def test_a_case_with_the_rest_of_the_five_cases_validates(write_case, case_text):
    case = tp.load(write_case(case_text)).cases[0]
    strategic = case.strategic_case
    assert strategic.objectives == ("One team for each family", "Fewer children in care")
    # Kent's aims, however a person writes them.
    assert strategic.aims == ("simpler-for-the-customer", "cheaper-for-the-taxpayer")
    (impact,) = case.non_monetised_impacts
    assert (impact.direction, impact.significance, impact.affects) == (
        "positive",
        "high",
        "children in need",
    )
    (risk,) = case.risks
    # "very high" is 5 on the five-point scale; the score is likelihood times impact.
    assert (risk.likelihood, risk.impact, risk.score) == (5, 3, 15)
    assert case.readiness == Readiness(
        rational={"score": 4, "note": "Costs counted across partners"},
        emotional={"score": 2, "note": "Staff fear for their teams"},
        political=5,
    )
    # Not money: the appraisal is the same with or without them.
    assert tp.appraise(tp.load(write_case(case_text))).cases[0].npsv is not None


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "rational = { score = 4,",
            "rational = { score = 7,",
            "readiness.rational.score",
            "expected a score from 1 (not ready) to 5 (ready), found the integer 7",
        ),
        (
            'likelihood = "very high"',
            'likelihood = "maybe"',
            "risks[0].likelihood",
            'or one of very-low, low, medium, high, very-high; found the string "maybe"',
        ),
        ("impact = 3", "impact = 0", "risks[0].impact", "found the integer 0"),
        (
            'direction = "positive"',
            'direction = "up"',
            "non_monetised_impacts[0].direction",
            'expected one of positive, negative; found the string "up"',
        ),
        (
            'significance = "high"',
            "significance = 3",
            "non_monetised_impacts[0].significance",
            "expected one of low, medium, high; found the integer 3",
        ),
        (
            '"Cheaper-for-the-taxpayer"',
            '"cheaper for everyone"',
            "strategic_case.aims",
            "expected one of Kent's aims (simpler-for-the-customer, better-for-the-user, "
            'cheaper-for-the-taxpayer), found the string "cheaper for everyone"',
        ),
        ("political = 5", "political = 5\nspiritual = 1", "readiness.spiritual", "unknown field"),
        ("political = 5", "", "readiness.political", 'missing required field "political"'),
        (
            'owner = "Director',
            'owners = "Director',
            "risks[0].owners",
            "unknown field; expected one of: id, description, likelihood, impact, owner, "
            'mitigation (did you mean "owner"?)',
        ),
        (
            'objectives = ["One team for each family", "Fewer children in care"]',
            'objectives = "One team"',
            "strategic_case.objectives",
            'expected an array of non-empty strings, found the string "One team"',
        ),
    ],
)
def test_a_bad_value_is_an_error_with_file_line_and_field(
    write_case, case_text, the_problem, line_no, old, new, field, message
):
    assert old in case_text
    path = write_case(case_text.replace(old, new, 1))
    problem = the_problem(path)
    assert problem.field == field
    assert message in problem.message
    assert Path(problem.file) == path
    if new:  # the line of the field that is wrong (a missing one has none)
        assert problem.line == line_no(path, new.splitlines()[-1])


@pytest.mark.parametrize(
    ("likelihood", "impact", "expected"),
    [
        # The five-by-five risk matrix's own words (NPSA, "A risk matrix for risk managers",
        # 2008): likelihood rare 1, unlikely 2, possible 3, likely 4, almost certain 5;
        # consequence negligible 1, minor 2, moderate 3, major 4, catastrophic 5.
        ('"likely"', '"major"', (4, 4, 16)),
        ('"Almost certain"', '"catastrophic"', (5, 5, 25)),
        ('"rare"', '"negligible"', (1, 1, 1)),
        ('"unlikely"', '"Minor"', (2, 2, 4)),
        ('"possible"', '"moderate"', (3, 3, 9)),
        ('"low"', '"very-high"', (2, 5, 10)),  # the five-point scale, as before
    ],
)
def test_a_risk_may_be_scored_in_the_risk_matrix_s_words(
    write_case, case_text, likelihood, impact, expected
):
    text = case_text.replace('likelihood = "very high"', f"likelihood = {likelihood}", 1)
    text = text.replace("impact = 3", f"impact = {impact}", 1)
    (risk,) = tp.load(write_case(text)).cases[0].risks
    assert (risk.likelihood, risk.impact, risk.score) == expected
    assert Risk("a risk", likelihood.strip('"'), impact.strip('"')).score == expected[2]


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        # A likelihood's word is not an impact's, nor the other way round; "maybe" is neither.
        ("impact = 3", 'impact = "likely"', "risks[0].impact", "negligible, minor, moderate"),
        ('likelihood = "very high"', 'likelihood = "major"', "risks[0].likelihood", "rare"),
        ('likelihood = "very high"', 'likelihood = "maybe"', "risks[0].likelihood", "possible"),
    ],
)
def test_a_word_from_the_wrong_scale_is_refused(
    write_case, case_text, the_problem, old, new, field, words
):
    problem = the_problem(write_case(case_text.replace(old, new, 1)))
    assert problem.field == field
    assert "expected a score from 1 (very low) to 5 (very high)" in problem.message
    assert words in problem.message
    with pytest.raises((TypeError, ValueError)):
        Risk("a risk", "major", "likely")


def test_risks_and_readiness_refuse_bad_values_built_in_python_too():
    with pytest.raises((TypeError, ValueError)):
        Risk("a risk", "maybe", 3)
    with pytest.raises(ValueError):
        Readiness(rational=7, emotional=1, political=1)
    assert Risk("a risk", "high", "low").score == 8


# -- in the evidence pack ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict[str, Path]:
    from tests.conftest import PROGRAMME_TOML, VALID_CASE, toml_text

    folder = tmp_path_factory.mktemp("fivecase")
    programme = folder / "programme"
    programme.mkdir()
    (programme / "programme.toml").write_text(PROGRAMME_TOML, encoding="utf-8")
    (programme / "case.toml").write_text(toml_text(VALID_CASE) + FIVE_CASE, encoding="utf-8")
    made = {}
    for fmt, name in (("html", "p.html"), ("xlsx", "p.xlsx"), ("md", "p.md"), ("csv", "p-csv"),
                      ("json", "p.json")):  # fmt: skip
        out = folder / name
        result = CliRunner().invoke(
            cli,
            [
                "evidence",
                str(programme),
                "--format",
                fmt,
                "--out",
                str(out),
                "--as-at",
                "2012-03-31",
            ],
        )
        assert result.exit_code == 0, result.output
        made[fmt] = out
    return made


def test_the_json_return_holds_the_five_case_section(packs):
    data = json.loads(packs["json"].read_text(encoding="utf-8"))
    section = next(s for s in data["sections"] if s["key"] == "five_case")
    assert section["tables"] == ["strategic_case", "impacts", "risks", "readiness"]
    (risk,) = data["tables"]["risks"]["rows"]
    assert risk["id"] == "joint-team/staff"
    assert (risk["likelihood"], risk["impact"], risk["score"]) == (5, 3, 15)
    (ready,) = data["tables"]["readiness"]["rows"]
    assert (ready["rational"], ready["emotional"], ready["political"]) == (4, 2, 5)
    (strategic,) = data["tables"]["strategic_case"]["rows"]
    assert strategic["aims"] == "Simpler for the customer; Cheaper for the taxpayer"
    impact = data["tables"]["impacts"]["rows"][0]
    assert (impact["direction"], impact["significance"]) == ("positive", "high")


def test_every_format_shows_the_five_case_section(packs):
    html = packs["html"].read_text(encoding="utf-8")
    assert "Strategic case, non-monetised impacts, risks and readiness" in html
    assert "recruit social workers &lt;fast&gt;" in html  # escaped, like all text
    markdown = packs["md"].read_text(encoding="utf-8")
    assert "## 9. Strategic case, non-monetised impacts, risks and readiness" in markdown
    assert "Staff fear for their teams" in markdown
    with (packs["csv"] / "risks.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == ["Case", "Risk", "Likelihood (1-5)", "Impact (1-5)", "Score (1-25)"]
    assert rows[1][2:5] == ["5", "3", "15"]
    book = openpyxl.load_workbook(packs["xlsx"])
    sheet = next(book[name] for name in book.sheetnames if "Readiness" in name)
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert 4 in values and 2 in values and 5 in values
