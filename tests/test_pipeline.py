"""One path from files to figures: the command and the Python API go through the pipeline.

- ``programme.toml`` is read once per command (counted with an audit hook on ``open`` in a
  fresh interpreter, so nothing cached by another test hides a read);
- a plugin path that names nothing is an input error naming the file and line;
- ``totalplace_cases.load`` and ``appraise`` are the pipeline's, and give what the command
  gives.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import totalplace_cases as tp
from totalplace_cases import pipeline

REPO_ROOT = Path(__file__).resolve().parents[1]
KENT = REPO_ROOT / "cases" / "kent"

COUNT_OPENS = """\
import sys
opened = []
def audit(event, args):
    if event == "open" and str(args[0]).endswith("programme.toml"):
        opened.append(str(args[0]))
sys.addaudithook(audit)
{body}
print("OPENED", len(opened), file=sys.stderr)
"""


def opens_of_programme_toml(body: str) -> tuple[int, subprocess.CompletedProcess[str]]:
    code = COUNT_OPENS.format(body=textwrap.dedent(body))
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120
    )
    line = [x for x in run.stderr.splitlines() if x.startswith("OPENED ")]
    assert line, run.stderr
    return int(line[-1].split()[1]), run


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "cases/kent"],
        ["appraise", "cases/kent", "--format", "json"],
        ["plugins", "cases/kent"],
        ["appraise", "cases/kent/kent-margate-task-force.toml"],
    ],
)
def test_each_command_reads_programme_toml_once(command):
    count, run = opens_of_programme_toml(
        f"""
        from totalplace_cases.cli import main
        try:
            main({command!r})
        except SystemExit as exit:
            assert not exit.code, exit.code
        """
    )
    assert count == 1, run.stderr


def test_the_python_api_reads_programme_toml_once_to_load_and_appraise():
    count, run = opens_of_programme_toml(
        """
        import totalplace_cases as tp
        tp.appraise(tp.load("cases/kent"))
        """
    )
    assert count == 1, run.stderr


@pytest.mark.parametrize("body", ['tp.appraise("cases/kent")', 'tp.affordability("cases/kent")'])
def test_the_python_api_takes_a_path_and_reads_programme_toml_once(body):
    count, run = opens_of_programme_toml(f"import totalplace_cases as tp\n{body}\n")
    assert count == 1, run.stderr


def test_appraising_a_path_is_appraising_what_load_reads(tmp_path):
    assert tp.to_dict(tp.appraise(str(KENT), statuses=["approved"])) == tp.to_dict(
        tp.appraise(tp.load(KENT), statuses=["approved"])
    )
    with pytest.raises(tp.InputError, match="no such file"):
        tp.appraise(tmp_path / "nowhere")


def test_load_and_appraise_are_the_pipelines():
    assert tp.load is pipeline.load
    assert tp.appraise is pipeline.appraise


def test_the_python_api_gives_what_the_command_gives(invoke):
    shown = invoke("appraise", KENT, "--format", "json")
    assert shown.exit_code == 0, shown.stderr
    data = tp.to_dict(tp.appraise(tp.load(KENT)))
    expected = json.loads(shown.stdout)
    del expected["evidence_tables"]  # added by the output format, not by to_dict
    assert data == expected


def test_a_case_appraised_alone_keeps_its_programme_and_plugins():
    # The Margate case cites ucd: unit costs and names Kent's agencies, which only the
    # programme's plugins provide.
    case = tp.load(KENT / "kent-margate-task-force.toml").cases[0]
    result = tp.appraise(case)
    assert [c.id for c in result.cases] == ["kent-margate-task-force"]
    assert result.programme.id == "kent-total-place"


# -- plugin paths that name nothing -------------------------------------------------------------

PROGRAMME = """\
[programme]
id = "p"
name = "P"
plugins = [
  "rules/housing.py",
]
"""


@pytest.fixture
def missing_plugin(tmp_path) -> Path:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "programme.toml").write_text(PROGRAMME, encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", ["validate", "appraise", "plugins"])
def test_a_plugin_path_in_programme_toml_that_names_nothing_is_an_input_error(
    command, missing_plugin
):
    run = subprocess.run(
        [sys.executable, "-m", "totalplace_cases", command, str(missing_plugin)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr == (
        "error: 1 problem found:\n"
        f"  {missing_plugin / 'programme.toml'}:4: programme.plugins[0]: no plugin file or "
        f"folder at {(missing_plugin / 'rules' / 'housing.py').resolve()}\n"
    )


def test_the_python_api_reports_a_missing_plugin_path_the_same_way(missing_plugin):
    with pytest.raises(tp.InputError) as caught:
        tp.load(missing_plugin)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == (
        missing_plugin / "programme.toml",
        4,
        "programme.plugins[0]",
    )


def test_a_plugin_given_to_load_that_names_nothing_is_an_input_error(tmp_path):
    with pytest.raises(tp.InputError, match=r"plugins: no plugin file or folder at .*nope\.py"):
        tp.load(KENT, plugins=[tmp_path / "nope.py"])


def test_a_plugin_option_that_names_nothing_exits_2(invoke, tmp_path):
    result = invoke("validate", KENT, "--plugin", tmp_path / "nope.py")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_a_plugin_that_exists_but_fails_to_import_is_still_a_warning(invoke, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import totalplace_no_such_module\n", encoding="utf-8")
    result = invoke("validate", KENT, "--plugin", broken)
    assert result.exit_code == 0
    assert "warning: plugin 'broken': ModuleNotFoundError" in result.stderr
