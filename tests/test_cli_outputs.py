"""Every file a command writes, written the same safe way (issue 8, for every command).

``appraise``, ``count``, ``gains``, ``scenario``, ``affordability``, ``sensitivity`` (``-o`` and
``--chart``), ``rollup``, ``evidence`` (``--out``, a file or a CSV folder), ``track export`` and
``track backup``:

- never over one of the run's inputs (a case file, ``programme.toml``, a spend file, the
  register), with or without ``--force``: exit 2, a message naming it, the input unchanged;
- never over an existing file without ``--force`` (exit 2, the file unchanged); with it, the
  file is replaced;
- a new file gets the mode the user's umask gives it.

The runs use a copy of the bundled Kent programme with a register made by ``track baseline``.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

KENT_CASE = "kent-gateway-customer-access.toml"
SPEND_FILE = "baseline/kcc-2008-09.csv"


@pytest.fixture(scope="module")
def kent(tmp_path_factory) -> Path:
    """A copy of the Kent programme with a benefits register beside it, and its JSON return."""
    from click.testing import CliRunner

    from totalplace_cases.cli import cli
    from totalplace_cases.resources import bundled

    base = tmp_path_factory.mktemp("outputs")
    folder = base / "cases" / "kent"
    shutil.copytree(bundled("cases", "kent"), folder)
    shutil.copytree(bundled("plugins"), base / "plugins")  # programme.toml names ../../plugins
    runner = CliRunner()
    made = runner.invoke(
        cli,
        ["track", "baseline", "kent-gateway-customer-access", "--approved-by", "Board",
         "--by", "tester", "--programme", str(folder)],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert (folder / "register.db").is_file()
    returned = runner.invoke(
        cli,
        ["evidence", str(folder), "--format", "json", "--as-at", "2012-03-31",
         "--out", str(folder.parent / "kent-return.json")],
    )  # fmt: skip
    assert returned.exit_code == 0, returned.output
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# Each command's arguments writing to OUT, and the inputs of that run it must never replace.
COMMANDS = {
    "appraise": ["appraise", "{kent}", "-o", "{out}"],
    "count": ["count", "{kent}", "-o", "{out}"],
    "gains": ["gains", "{kent}", "-o", "{out}"],
    "scenario": ["scenario", "{kent}", "-o", "{out}"],
    "affordability": ["affordability", "{kent}", "-o", "{out}"],
    "sensitivity": ["sensitivity", "{kent}", "-o", "{out}"],
    "evidence": ["evidence", "{kent}", "--format", "md", "--as-at", "2012-03-31", "--out", "{out}"],
    "rollup": ["rollup", "{return}", "-o", "{out}"],
    "track export": ["track", "export", "{out}", "--programme", "{kent}"],
    "track backup": ["track", "backup", "{out}", "--programme", "{kent}"],
}
#: The input each command is aimed at in the first test: a case file, or the file it reads.
INPUT_OF = {"rollup": "../kent-return.json", "track export": "register.db"}


def args_for(command: str, kent: Path, out: Path) -> list[str]:
    values = {"kent": str(kent), "out": str(out), "return": str(kent.parent / "kent-return.json")}
    return [word.format(**values) for word in COMMANDS[command]]


@pytest.mark.parametrize("force", [False, True], ids=["", "force"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_no_command_writes_over_its_input(invoke, kent, command, force):
    target = (kent / INPUT_OF.get(command, KENT_CASE)).resolve()
    before = snapshot(kent.parent)
    result = invoke(*args_for(command, kent, target), *(["--force"] if force else []))
    assert result.exit_code == 2, result.output
    assert "is one of this run's inputs" in result.stderr
    assert str(target) in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(kent.parent) == before  # the input, and everything else, as it was


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_existing_output_is_replaced_only_with_force(invoke, kent, command, tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("keep me", encoding="utf-8")
    os.chmod(out, 0o640)
    refused = invoke(*args_for(command, kent, out))
    assert refused.exit_code == 2, refused.output
    assert "already exists; pass --force to replace it" in refused.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    replaced = invoke(*args_for(command, kent, out), "--force")
    assert replaced.exit_code == 0, replaced.output
    assert out.read_bytes() != b"keep me" and len(out.read_bytes()) > 50
    if command != "track backup":  # a backup is a new copy of the register; the rest keep it
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary file left


@pytest.mark.parametrize("command", ["count", "scenario", "sensitivity", "track export"])
def test_a_new_output_gets_the_umask_mode(invoke, kent, command, tmp_path):
    out = tmp_path / "new.txt"
    previous = os.umask(0o027)
    try:
        result = invoke(*args_for(command, kent, out))
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


@pytest.mark.parametrize(
    "name", ["programme.toml", SPEND_FILE, "register.db", "baseline/nhs-2008-09.xlsx"]
)
@pytest.mark.parametrize("command", ["appraise", "gains", "evidence"])
def test_every_kind_of_input_is_kept(invoke, kent, command, name):
    before = snapshot(kent)
    result = invoke(*args_for(command, kent, kent / name), "--force")
    assert result.exit_code == 2, result.output
    assert "is one of this run's inputs" in result.stderr
    assert snapshot(kent) == before


def test_an_output_that_is_a_symbolic_link_is_refused(invoke, kent, tmp_path):
    link = tmp_path / "link.md"
    link.symlink_to(kent / KENT_CASE)
    before = snapshot(kent)
    result = invoke("scenario", kent, "-o", link, "--force")
    assert result.exit_code == 2
    assert "is a symbolic link" in result.stderr
    assert snapshot(kent) == before and link.is_symlink()


def test_sensitivity_charts_are_replaced_only_with_force(invoke, kent, tmp_path):
    charts = tmp_path / "charts"
    assert invoke("sensitivity", kent, "--chart", charts).exit_code == 0
    written = snapshot(charts)
    assert written and all(name.endswith(".png") for name in written)
    first = sorted(written)[0]
    (charts / first).write_bytes(b"an older chart")
    again = invoke("sensitivity", kent, "--chart", charts)
    assert again.exit_code == 2
    assert "already exists; pass --force" in again.stderr
    assert (charts / first).read_bytes() == b"an older chart"
    assert invoke("sensitivity", kent, "--chart", charts, "--force").exit_code == 0
    assert snapshot(charts) == written


def test_an_evidence_csv_folder_never_replaces_the_programme_folder(invoke, kent):
    before = snapshot(kent)
    result = invoke("evidence", kent, "--format", "csv", "--out", kent, "--force")
    assert result.exit_code == 2
    assert "holds this pack's inputs" in result.stderr
    assert snapshot(kent) == before


def test_the_register_is_never_backed_up_over_itself(invoke, kent):
    before = snapshot(kent)
    result = invoke("track", "backup", kent / "register.db", "--programme", kent, "--force")
    assert result.exit_code == 2
    assert "is one of this run's inputs" in result.stderr
    assert snapshot(kent) == before


def test_an_evidence_csv_folder_is_never_written_through_a_link(invoke, kent, tmp_path):
    target = tmp_path / "real"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    link = tmp_path / "pack"
    link.symlink_to(target, target_is_directory=True)
    result = invoke("evidence", kent, "--format", "csv", "--out", link, "--force")
    assert result.exit_code == 2
    assert "is a symbolic link" in result.stderr
    assert link.is_symlink() and [p.name for p in target.iterdir()] == ["keep.txt"]


def test_a_lone_spend_file_is_never_counted_over(invoke, tmp_path):
    spend = tmp_path / "spend.csv"
    shutil.copy(Path(__file__).parents[1] / "cases" / "kent" / SPEND_FILE, spend)
    before = spend.read_bytes()
    result = invoke("count", spend, "--format", "csv", "-o", spend, "--force")
    assert result.exit_code == 2
    assert "is one of this run's inputs" in result.stderr
    assert spend.read_bytes() == before
