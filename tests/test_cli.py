"""The ``totalplace`` command: validate, appraise, init and new-case.

A couple of checks run the real command in a subprocess (``python -m totalplace_cases``); the rest
use click's CliRunner on ``totalplace_cases.cli.cli``. User mistakes exit with code 2 and a message
naming file, line and field, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import click
import pytest

import totalplace_cases as tp
from totalplace_cases.cli import cli

REPO_ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ("public-realm", "community", "individual")

# A case with two mistakes: a TOML float as money (line 10) and an unknown field (line 11).
BAD_CASE = """\
    id = "bad-case"
    title = "A case with two mistakes"
    category = "community"
    start = "2010-11"
    years = 5

    [[costs]]
    agency = "lead-agency"
    kind = "revenue"
    amounts = { "2010-11" = 1500.5 }
    optimsm_bias = "0.1"
    """


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "totalplace_cases", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )


@pytest.fixture
def bad_case(write_case) -> Path:
    return write_case(BAD_CASE)


def kent_case_ids(kent_dir: Path) -> list[str]:
    return [c.id for c in tp.load(kent_dir).cases]


# --- the real command, end to end ---------------------------------------------------------------


def test_module_prints_the_version():
    # The version is the one pyproject.toml gives the package.
    with open(REPO_ROOT / "pyproject.toml", "rb") as handle:
        version = tomllib.load(handle)["project"]["version"]
    result = run("--version")
    assert result.returncode == 0
    assert version in result.stdout
    assert "totalplace" in result.stdout


def test_module_validates_kent():
    result = run("validate", "cases/kent")
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


def test_module_reports_a_bad_file_with_exit_code_2_and_no_traceback(bad_case):
    result = run("validate", str(bad_case))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad_case}:10" in result.stderr
    assert f"{bad_case}:11" in result.stderr


def test_debug_shows_the_traceback(bad_case):
    result = run("validate", str(bad_case), "--debug")
    assert result.returncode == 2
    assert "Traceback" in result.stderr


# --- validate -----------------------------------------------------------------------------------


def test_validate_kent(invoke, kent_dir):
    result = invoke("validate", kent_dir)
    assert result.exit_code == 0
    assert "OK" in result.stdout
    assert f"{len(kent_case_ids(kent_dir))} cases" in result.stdout


def test_validate_a_bad_file_prints_every_problem_with_file_line_and_field(invoke, bad_case):
    result = invoke("validate", bad_case)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stdout == ""
    stderr_lines = result.stderr.splitlines()
    for line, field in ((10, 'costs[0].amounts."2010-11"'), (11, "costs[0].optimsm_bias")):
        (shown,) = [text for text in stderr_lines if field in text]
        assert f"{bad_case}:{line}" in shown
    assert "2 problems" in result.stderr


def test_validate_a_path_that_does_not_exist(invoke, tmp_path):
    result = invoke("validate", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


# --- appraise -----------------------------------------------------------------------------------


def test_appraise_kent_prints_a_table_for_each_case(invoke, kent_dir):
    result = invoke("appraise", kent_dir)
    assert result.exit_code == 0, result.stderr
    for case_id in kent_case_ids(kent_dir):
        assert f"{case_id}:" in result.stdout
    assert "£" in result.stdout
    assert "NPSV" in result.stdout


def test_appraise_json_has_programme_cases_and_totals(invoke, kent_dir):
    result = invoke("appraise", kent_dir, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"programme", "cases", "totals"} <= set(data)
    assert data["programme"]["id"] == "kent-total-place"
    assert [c["id"] for c in data["cases"]] == kent_case_ids(kent_dir)
    npsv = data["totals"]["npsv"]
    assert isinstance(npsv, str)  # money is a string, read exactly
    assert Decimal(npsv).as_tuple().exponent == -2


def test_appraise_writes_to_a_file(invoke, kent_dir, tmp_path):
    out = tmp_path / "kent.json"
    result = invoke("appraise", kent_dir, "--format", "json", "--output", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["programme"]["id"] == "kent-total-place"


def test_appraise_a_bad_price_base_is_a_usage_error(invoke, kent_dir):
    result = invoke("appraise", kent_dir, "--price-base", "2010-13")
    assert result.exit_code == 2
    assert "--price-base" in result.output
    assert "2010-13" in result.output


def test_appraise_a_bad_file_exits_2(invoke, bad_case):
    result = invoke("appraise", bad_case)
    assert result.exit_code == 2
    assert f"{bad_case}:10" in result.stderr


# --- init ---------------------------------------------------------------------------------------


def test_init_creates_a_programme_that_validates(invoke, tmp_path):
    folder = tmp_path / "my-programme"
    result = invoke("init", folder)
    assert result.exit_code == 0, result.stderr
    assert (folder / "programme.toml").is_file()
    validated = invoke("validate", folder)
    assert validated.exit_code == 0, validated.stderr


def test_init_refuses_a_folder_that_is_not_empty(invoke, tmp_path):
    folder = tmp_path / "busy"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep me", encoding="utf-8")
    result = invoke("init", folder)
    assert result.exit_code == 2
    assert "not empty" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["mine.txt"]
    assert (folder / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_init_into_an_empty_existing_folder(invoke, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    assert invoke("init", folder).exit_code == 0
    assert (folder / "programme.toml").is_file()


# --- new-case -----------------------------------------------------------------------------------


@pytest.mark.parametrize("category", CATEGORIES)
def test_new_case_validates_on_its_own_with_the_file_name_as_id(invoke, tmp_path, category):
    out = tmp_path / f"my-{category}-case.toml"
    result = invoke("new-case", "--category", category, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert invoke("validate", out).exit_code == 0
    (case,) = tp.load(out).cases
    assert case.id == f"my-{category}-case"
    assert case.category == category


@pytest.mark.parametrize("category", CATEGORIES)
def test_new_case_in_a_new_programme_validates_with_it(invoke, tmp_path, category):
    folder = tmp_path / "programme"
    assert invoke("init", folder).exit_code == 0
    out = folder / "second-case.toml"
    assert invoke("new-case", "--category", category, "--out", out).exit_code == 0
    result = invoke("validate", folder)
    assert result.exit_code == 0, result.stderr
    assert {c.id for c in tp.load(folder).cases} >= {"second-case"}


@pytest.mark.parametrize("category", CATEGORIES)
def test_new_case_with_options_weighs_them_against_business_as_usual(invoke, tmp_path, category):
    folder = tmp_path / "programme"
    assert invoke("init", folder).exit_code == 0
    out = folder / "choice.toml"
    result = invoke("new-case", "--category", category, "--options", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert invoke("validate", folder).exit_code == 0
    case = next(c for c in tp.load(folder).cases if c.id == "choice")
    assert case.category == category
    assert [o.id for o in case.options] == ["bau", "joint-team", "key-worker"]
    assert (case.business_as_usual, case.preferred) == ("bau", "joint-team")
    appraised = invoke("appraise", folder)
    assert appraised.exit_code == 0, appraised.stderr
    assert "choice: options compared" in appraised.stdout
    assert "choice: cohorts" in appraised.stdout


def test_new_case_takes_an_id(invoke, tmp_path):
    out = tmp_path / "file-name.toml"
    assert (
        invoke("new-case", "--category", "community", "--out", out, "--id", "my-id").exit_code == 0
    )
    assert [c.id for c in tp.load(out).cases] == ["my-id"]


def test_new_case_refuses_to_overwrite(invoke, tmp_path):
    out = tmp_path / "existing.toml"
    out.write_text("# mine\n", encoding="utf-8")
    result = invoke("new-case", "--category", "community", "--out", out)
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert out.read_text(encoding="utf-8") == "# mine\n"


def test_new_case_refuses_an_unknown_category(invoke, tmp_path):
    out = tmp_path / "case.toml"
    result = invoke("new-case", "--category", "health", "--out", out)
    assert result.exit_code == 2
    assert 'unknown category "health"' in result.stderr
    for known in CATEGORIES:
        assert known in result.stderr
    assert not out.exists()


# --- help ---------------------------------------------------------------------------------------


def test_top_level_help_lists_every_command(invoke):
    result = invoke("--help")
    assert result.exit_code == 0
    assert {"validate", "appraise", "init", "new-case"} <= set(cli.commands)
    for name in cli.commands:
        assert name in result.stdout
    assert "--version" in result.stdout


def _commands() -> list[tuple[str, ...]]:
    """Every command, and every command of a group (``track status``), as its words."""
    words: list[tuple[str, ...]] = []
    for name, command in sorted(cli.commands.items()):
        if isinstance(command, click.Group):
            words += [(name, sub) for sub in sorted(command.commands)]
        else:
            words.append((name,))
    return words


def _command(words: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for word in words:
        command = command.commands[word]  # type: ignore[attr-defined]
    return command


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_help_on_every_command_mentions_each_option(invoke, command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    options = [opt for param in _command(command).params for opt in param.opts]
    options = [opt for opt in options if opt.startswith("-")]
    assert {"--plugin", "--strict", "--debug"} <= set(options)
    for option in options:
        assert option in result.stdout, f"{option} missing from `{command} --help`"


def test_appraise_help_names_its_options():
    expected = ("--format", "--schedule", "--price-base", "--discount-base", "--timing", "--output")
    options = {opt for param in cli.commands["appraise"].params for opt in param.opts}
    assert set(expected) <= options


def test_new_case_help_names_its_options():
    options = {opt for param in cli.commands["new-case"].params for opt in param.opts}
    assert {"--category", "--out", "--id"} <= options


def test_a_transfer_shows_as_its_own_row_and_validate_warns_of_its_deadweight(
    invoke, write_case, case_data
):
    # The case's benefit of 200,000 a year (deadweight 0.2) becomes a transfer: it leaves the
    # NPSV, keeps its place in the fiscal rows, and its deadweight is worth a warning.
    case_data["benefits"][0]["transfer"] = True
    path = write_case(case_data)
    checked = invoke("validate", path)
    assert checked.exit_code == 0
    assert "warning: " in checked.stderr and "benefits[0].deadweight" in checked.stderr
    table = invoke("appraise", path).stdout
    assert "transfers (not in NPSV)" in table
    del case_data["benefits"][0]["transfer"]
    plain = invoke("appraise", write_case(case_data, name="plain.toml", folder="plain")).stdout
    assert "transfers (not in NPSV)" not in plain


def test_validate_checks_the_options_appraise_will_be_given(invoke, kent_dir):
    # Kent's money is in 2009-10 prices; the bundled deflator ends in 2023-24.
    result = invoke("validate", kent_dir, "--price-base", "2030-31")
    assert result.exit_code == 2
    assert "--price-base: deflator 'hmt-gdp-deflator' has no index for 2030-31" in result.stderr
    assert 'deflator_projection = "0.02"' in result.stderr
    assert invoke("validate", kent_dir, "--price-base", "2012-13").exit_code == 0


def test_appraise_counts_the_statuses_asked_for_and_says_so_under_the_table(invoke, kent_dir):
    # Kent's integrated transport case was rejected: listed apart, out of the totals by default.
    table = invoke("appraise", kent_dir).stdout
    summary = table.split("Programme summary")[1]
    assert "not counted: kent-integrated-transport (rejected)" in summary
    assert "Not counted in the totals" in summary
    data = json.loads(invoke("appraise", kent_dir, "--format", "json").stdout)
    assert "rejected" not in data["totals"]["statuses_included"]
    with_rejected = invoke(
        "appraise", kent_dir, "--format", "json", "--status", "approved,in-delivery,rejected"
    )
    chosen = json.loads(with_rejected.stdout)["totals"]
    assert chosen["statuses_included"] == ["approved", "in-delivery", "rejected"]
    counted = [c for c in data["cases"] if c["status"] in chosen["statuses_included"]]
    shown = sum(Decimal(c["pv_costs"]) for c in counted)  # each rounded on its own
    assert abs(Decimal(chosen["pv_costs"]) - shown) <= Decimal("0.01") * len(counted)
    bad = invoke("appraise", kent_dir, "--status", "approved,done")
    assert bad.exit_code == 2 and "unknown status 'done'" in bad.stderr


@pytest.mark.parametrize("given", ["", " , "])
def test_a_status_option_naming_no_status_is_refused(invoke, kent_dir, given):
    # An empty list would count nothing and read "Counts cases whose status is ;".
    for command in ("validate", "appraise", "affordability"):
        result = invoke(command, kent_dir, "--status", given)
        assert result.exit_code == 2
        assert "--status" in result.stderr and "expected one or more statuses" in result.stderr
        assert "Traceback" not in result.stderr


def test_the_python_api_counting_no_status_says_so_under_the_table(kent_dir):
    from totalplace_cases.reports.summary import counted_note

    appraisal = tp.appraise(tp.load(kent_dir), statuses=[])
    assert appraisal.totals.statuses_included == ()
    assert counted_note(appraisal).startswith("Counts no cases (no status chosen); not counted:")


def test_a_case_paying_back_in_its_first_year_says_so(invoke, kent_dir):
    # Kent's asset sales bring in more than the costs in 2010-11, the case's first year.
    table = invoke("appraise", kent_dir / "kent-asset-rationalisation.toml").stdout
    assert "in its first year (2010-11)" in table
    assert "0.00 years" not in table
