"""The command with untrusted input: one way to fail, safe output, safe files (issue 8).

- an unexpected exception is a one-line internal error (exit 70) that points at --debug;
- text from a file never reaches the terminal as control characters, and Markdown output
  escapes what Markdown would interpret;
- ``appraise -o``, ``init`` and ``new-case`` write atomically with the user's umask, never over
  an existing file without ``--force``, never over an input, never through a symbolic link.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import totalplace_cases as tp
from totalplace_cases.cli import EXIT_BUG
from totalplace_cases.display import control_characters

REPO_ROOT = Path(__file__).resolve().parents[1]
# An OSC title change, a colour, a one-byte C1 CSI (U+009B) and a right-to-left override.
HOSTILE = "Pooled \x1b]0;owned\x07budget \x1b[31mred\x9b2J\u202egnol"


def raw_controls(text: str) -> list[str]:
    """The control characters in output text, apart from its own line breaks."""
    return control_characters(text.replace("\n", ""))


# --- one way to fail ----------------------------------------------------------------------------


@pytest.fixture
def broken_appraisal(monkeypatch):
    """Make the appraisal raise an exception the tool does not expect (a bug)."""
    from totalplace_cases import pipeline

    def broken(*_args, **_kwargs):
        raise KeyError("\x1b[2Jsurprise")

    monkeypatch.setattr(pipeline, "appraise", broken)


def test_an_unexpected_error_is_one_line_with_its_own_exit_code(invoke, kent_dir, broken_appraisal):
    result = invoke("appraise", kent_dir)
    assert result.exit_code == EXIT_BUG == 70
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: internal error (this is a bug): KeyError: ")
    assert "--debug" in lines[0]
    assert "Traceback" not in result.output
    assert not raw_controls(result.output)


def test_debug_shows_the_traceback_of_an_internal_error(invoke, kent_dir, broken_appraisal):
    result = invoke("appraise", kent_dir, "--debug")
    assert result.exit_code == EXIT_BUG
    assert "Traceback (most recent call last)" in result.stderr
    assert "internal error (this is a bug)" in result.stderr
    assert not raw_controls(result.stderr)


def test_an_internal_error_in_the_real_command_has_no_traceback():
    # The console script's entry point in a fresh process, with a bug planted in the appraisal.
    script = (
        "import sys\n"
        "import totalplace_cases.pipeline as pipeline\n"
        "def broken(*args, **kwargs):\n"
        "    return 1 / 0\n"
        "pipeline.appraise = broken\n"
        "from totalplace_cases.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    kent = str(REPO_ROOT / "cases" / "kent")
    result = subprocess.run(
        [sys.executable, "-c", script, "appraise", kent],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == EXIT_BUG
    assert result.stderr.strip().splitlines() == [
        "error: internal error (this is a bug): ZeroDivisionError: division by zero; run the "
        "command again with --debug to see the traceback, and report it"
    ]
    assert result.stdout == ""


def test_click_usage_errors_are_printed_without_control_characters(invoke, kent_dir):
    result = invoke("appraise", kent_dir, "--timing", "\x1b]0;owned\x07")
    assert result.exit_code == 2
    assert "Invalid value for '--timing'" in result.output
    assert not raw_controls(result.output)
    result = invoke("appraise", kent_dir, "--format", "\x1b[31mred")
    assert result.exit_code == 2
    assert not raw_controls(result.output)


# --- output safety ------------------------------------------------------------------------------


@pytest.fixture
def hostile_case(write_case, case_data) -> Path:
    """A valid case whose free text holds terminal escapes and Markdown."""
    case_data["title"] = HOSTILE + " # *bold* [link](http://x) <b>html</b> | cell\nnew line"
    case_data["theme"] = "theme\x1b[0m"
    case_data["notes"] = HOSTILE
    case_data["costs"][0]["description"] = HOSTILE
    return write_case(case_data)


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_no_control_character_from_a_file_reaches_the_output(invoke, hostile_case, fmt):
    result = invoke("appraise", hostile_case.parent, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert not raw_controls(result.stdout)
    assert "\x1b" not in result.output and "\x9b" not in result.output


def test_json_output_escapes_control_characters_and_still_reads_back_exactly(invoke, hostile_case):
    result = invoke("appraise", hostile_case.parent, "--format", "json")
    data = json.loads(result.stdout)
    assert data["cases"][0]["title"].startswith(HOSTILE)


def test_markdown_escapes_headings_and_cells(invoke, hostile_case):
    result = invoke("appraise", hostile_case.parent, "--format", "markdown")
    text = result.stdout
    heading = next(line for line in text.splitlines() if line.startswith("## joint-team"))
    # Everything Markdown would interpret is escaped, and the newline did not end the heading.
    for raw, escaped in [
        ("# *bold*", "\\# \\*bold\\*"),
        ("[link](http://x)", "\\[link\\](http://x)"),
        ("<b>html</b>", "\\<b\\>html\\</b\\>"),
        ("| cell new line", "\\| cell new line"),
    ]:
        assert escaped in heading, (raw, heading)
    assert "\nnew line" not in text


def test_markdown_cells_cannot_break_the_table(tmp_path):
    from totalplace_cases.reports.tables import render_rows

    table = render_rows([["a|b\nc", "*x*"]], ["h`1", "h_2"], "github")
    lines = table.splitlines()
    assert len(lines) == 3
    assert all(line.count("|") - line.count("\\|") == 3 for line in lines)
    assert "a\\|b c" in lines[2] and "\\*x\\*" in lines[2]
    assert "h\\`1" in lines[0] and "h\\_2" in lines[0]


def test_a_long_bad_value_is_echoed_short(invoke, write_case, case_data):
    case_data["costs"][0]["amounts"] = {"2010-11": "9" * 50_000}
    result = invoke("validate", write_case(case_data))
    assert result.exit_code == 2
    assert "50,000 characters" in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) < 400


def test_an_error_naming_a_file_with_control_characters_in_its_name(invoke, tmp_path):
    path = tmp_path / "case\x1b[2J.toml"
    path.write_text("id = 1\n", encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert "case\\x1b[2J.toml" in result.stderr
    assert not raw_controls(result.output)


# --- files written safely: appraise -o ----------------------------------------------------------


def test_output_is_created_with_the_umask_mode(invoke, kent_dir, tmp_path):
    out = tmp_path / "kent.md"
    previous = os.umask(0o027)
    try:
        result = invoke("appraise", kent_dir, "--format", "markdown", "-o", out)
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_output_refuses_to_overwrite_without_force(invoke, kent_dir, tmp_path):
    out = tmp_path / "kent.md"
    out.write_text("keep me", encoding="utf-8")
    out.chmod(0o600)
    result = invoke("appraise", kent_dir, "-o", out)
    assert result.exit_code == 2
    assert "already exists; pass --force" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    forced = invoke("appraise", kent_dir, "-o", out, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert "kent-total-place" in out.read_text(encoding="utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # an existing file keeps its mode


@pytest.mark.parametrize("which", ["case", "programme", "plugin"])
def test_output_never_overwrites_an_input_even_with_force(invoke, tmp_path, kent_dir, which):
    import shutil

    folder = tmp_path / "cases" / "kent"  # its plugins are ../../plugins/kent and ucd
    shutil.copytree(kent_dir, folder)
    plugins = tmp_path / "plugins"
    shutil.copytree(kent_dir.parents[1] / "plugins" / "kent", plugins / "kent")
    shutil.copytree(kent_dir.parents[1] / "plugins" / "ucd", plugins / "ucd")
    target = {
        "case": folder / "kent-hcc-placements.toml",
        "programme": folder / "programme.toml",
        "plugin": plugins / "kent" / "README.md",
    }[which]
    before = target.read_bytes()
    result = invoke("appraise", folder, "-o", target, "--force")
    assert result.exit_code == 2
    assert "one of this run's inputs" in result.stderr
    assert target.read_bytes() == before


def test_output_through_a_symlink_is_refused(invoke, kent_dir, tmp_path):
    target = tmp_path / "target.md"
    target.write_text("kept", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "nowhere.md")
    for path in (link, dangling):
        result = invoke("appraise", kent_dir, "-o", path, "--force")
        assert result.exit_code == 2
        assert "is a symbolic link" in result.stderr
        assert path.is_symlink()
    assert target.read_text(encoding="utf-8") == "kept"
    assert not (tmp_path / "nowhere.md").exists()


# --- files written safely: init and new-case ----------------------------------------------------


def test_init_writes_files_with_the_umask_mode(invoke, tmp_path):
    previous = os.umask(0o022)
    try:
        assert invoke("init", tmp_path / "p").exit_code == 0
    finally:
        os.umask(previous)
    files = list((tmp_path / "p").iterdir())
    assert files
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o644}


def test_init_refuses_a_file_in_the_way(invoke, tmp_path):
    path = tmp_path / "taken"
    path.write_text("mine", encoding="utf-8")
    result = invoke("init", path)
    assert result.exit_code == 2
    assert "is not a folder" in result.stderr
    assert path.read_text(encoding="utf-8") == "mine"


def test_new_case_writes_with_the_umask_mode(invoke, tmp_path):
    out = tmp_path / "c.toml"
    previous = os.umask(0o002)
    try:
        assert invoke("new-case", "--category", "community", "--out", out).exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o664


def test_new_case_refuses_a_symlink_even_a_dangling_one(invoke, tmp_path):
    out = tmp_path / "c.toml"
    out.symlink_to(tmp_path / "elsewhere.toml")
    result = invoke("new-case", "--category", "community", "--out", out)
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert out.is_symlink() and not (tmp_path / "elsewhere.toml").exists()


@pytest.mark.parametrize("case_id", ['a "quoted" id', "back\\slash", "ünï cødé", "a'b"])
def test_new_case_escapes_an_id_so_the_file_reads_back_exactly(invoke, tmp_path, case_id):
    out = tmp_path / "c.toml"
    result = invoke("new-case", "--category", "community", "--out", out, "--id", case_id)
    assert result.exit_code == 0, result.stderr
    assert tomllib.loads(out.read_text(encoding="utf-8"))["id"] == case_id
    assert [c.id for c in tp.load(out).cases] == [case_id]


@pytest.mark.parametrize("case_id", ["two\nlines", "bell\x07", "", " padded "])
def test_new_case_refuses_an_id_that_is_not_an_id(invoke, tmp_path, case_id):
    out = tmp_path / "c.toml"
    result = invoke("new-case", "--category", "community", "--out", out, "--id", case_id)
    assert result.exit_code == 2
    assert "--id: expected" in result.stderr
    assert not raw_controls(result.output)
    assert not out.exists()


def test_new_case_refuses_a_file_name_that_is_not_an_id(invoke, tmp_path):
    out = tmp_path / "bad\x1bname.toml"
    result = invoke("new-case", "--category", "community", "--out", out)
    assert result.exit_code == 2
    assert "the file name" in result.stderr and "--id" in result.stderr
    assert not out.exists()
    named = invoke("new-case", "--category", "community", "--out", out, "--id", "good")
    assert named.exit_code == 0


def test_whatever_prints_during_a_command_is_cleaned(invoke, write_case, case_data, tmp_path):
    # A plugin that prints raw escapes from a hook: the command's streams escape them too.
    plugin = tmp_path / "noisy.py"
    plugin.write_text(
        "from totalplace_cases import hookimpl\n"
        "@hookimpl\n"
        "def totalplace_validate_case(case, programme, rules):\n"
        "    print('\\x1b]0;owned\\x07 \\x9b2J noisy')\n"
        "    return []\n",
        encoding="utf-8",
    )
    result = invoke("validate", write_case(case_data), "--plugin", plugin)
    assert result.exit_code == 0, result.output
    assert "noisy" in result.output
    assert "\\x1b]0;owned\\x07 \\u009b2J" in result.output
    assert not raw_controls(result.output)


# --- files written by the commands: control characters written out there too -----------------

# C0 controls a terminal acts on (an OSC 8 link, a screen clear, CR, BS, NUL), DEL and C1.
CONTROL = "Link\x1b]8;;http://x.invalid\x07here\x1b[2J\r\x08\x00\x7f\x85\x9b!"
# As display.clean writes it out, by hand.
CONTROL_SHOWN = r"Link\x1b]8;;http://x.invalid\x07here\x1b[2J\r\x08\x00\u007f\u0085\u009b!"
# A JSON string (control characters as \u escapes) is a TOML basic string.
TITLE = "title = " + json.dumps("Title " + CONTROL)
# Characters no written file may hold raw: C0 (but tab and line feed), DEL and C1.
FILE_RAW = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]


@pytest.fixture
def controlled_kent(kent_copy) -> Path:
    """The Kent copy with CONTROL in every case title and in rows of a spend file (a
    description, and an agency and a category that are rejected, so the count lists them)."""
    for path in kent_copy.glob("kent-*.toml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'^title = ".*"$', lambda _: TITLE, text, count=1, flags=re.M)
        path.write_text(text, encoding="utf-8")
    spend = kent_copy / "baseline" / "central-2008-09.csv"
    with spend.open("a", encoding="utf-8", newline="") as out:
        out.write(f'2008-09,jcp,individual,employment,revenue,100.00,dwp,"Spend {CONTROL}"\n')
        out.write(f'2008-09,"Agency {CONTROL}",individual,employment,revenue,1.00,dwp,x\n')
        out.write(f'2008-09,jcp,"Category {CONTROL}",employment,revenue,1.00,dwp,x\n')
    return kent_copy


def file_raw(text: str) -> list[str]:
    return sorted({c for c in text if c in FILE_RAW})


@pytest.mark.parametrize(
    "command, fmt, shows",
    [
        ("appraise", "markdown", "Title "),
        ("count", "csv", "Agency "),
        ("count", "markdown", "Agency "),
        ("gains", "csv", None),
        ("gains", "markdown", None),
        ("scenario", "csv", "Title "),
        ("scenario", "markdown", "Title "),
        ("affordability", "csv", None),
        ("affordability", "markdown", "Title "),
        ("sensitivity", "csv", None),
    ],
)
def test_a_written_file_holds_no_control_character_raw(
    invoke, controlled_kent, tmp_path, command, fmt, shows
):
    out = tmp_path / f"out.{fmt}"
    result = invoke(command, controlled_kent, "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert file_raw(text) == []
    if shows:
        # Markdown escapes the backslashes and brackets, so that it shows CONTROL_SHOWN
        wanted = CONTROL_SHOWN
        if fmt == "markdown":
            wanted = wanted.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        assert shows + wanted in text


def test_the_registers_audit_export_holds_no_control_character_raw():
    # The register refuses control characters as it records (tests/io/register); a register
    # edited by hand, or written before that check, can still hold them, and its audit
    # export (``track export``) writes them out.
    from totalplace_cases.io.register.store import Entry
    from totalplace_cases.reports.realisation import entries_csv

    entry = Entry(
        case="kent-gateway-customer-access", benefit="dover-reception-closure",
        period="2011-12", kind="actual", amount=15_000_000, evidence="Evidence " + CONTROL,
        source="=Source " + CONTROL, recorded_by="By " + CONTROL, id=1,
        recorded_at="2012-04-01T00:00:00.000000Z",
    )  # fmt: skip
    text = entries_csv([entry])
    assert file_raw(text) == []
    assert "Evidence " + CONTROL_SHOWN in text and "By " + CONTROL_SHOWN in text
    assert "'=Source " + CONTROL_SHOWN in text  # and still no formula
