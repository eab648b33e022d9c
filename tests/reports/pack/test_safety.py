"""Text from a case file comes out inert in every format: no formula a spreadsheet would run,
no HTML a browser would act on, no Markdown that breaks a table, no control character that
reaches a terminal raw."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from totalplace_cases.cli import cli

KENT = Path(__file__).resolve().parents[3] / "cases" / "kent"
HOSTILE = '=HYPERLINK("http://example.invalid","x")<script>alert(1)</script>'
CASE = "kent-margate-task-force.toml"


def toml_string(text: str) -> str:
    """A TOML basic string holding ``text`` (control characters as \\u escapes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped) + '"'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """Kent, copied, with one case titled to attack a spreadsheet and a browser."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(KENT.parent.parent / "plugins", root / "plugins")
    shutil.copytree(KENT, root / "cases" / "kent")
    path = root / "cases" / "kent" / CASE
    text = path.read_text(encoding="utf-8")
    text = retitle(text, HOSTILE)
    path.write_text(text, encoding="utf-8")
    return root / "cases" / "kent"


def retitle(text: str, title: str) -> str:
    """A case file's text with its title replaced."""
    line = f"title = {toml_string(title)}"
    return re.sub(r'^title = ".*"$', lambda _: line, text, count=1, flags=re.M)


def make(path: Path, fmt: str, out: Path) -> None:
    result = CliRunner().invoke(
        cli, ["evidence", str(path), "--format", fmt, "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output


def test_csv_cells_cannot_be_read_as_formulas(hostile, tmp_path):
    make(hostile, "csv", tmp_path / "pack")
    text = (tmp_path / "pack" / "summary.csv").read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(text.splitlines()) for cell in row]
    assert "'" + HOSTILE in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    # numbers may be negative; a text cell starting with "-" would be neutralised too
    for row in csv.DictReader(text.splitlines()):
        assert not row["Case"].startswith("-")


def test_xlsx_cells_are_text_with_a_quote_prefix(hostile, tmp_path):
    make(hostile, "xlsx", tmp_path / "pack.xlsx")
    book = openpyxl.load_workbook(tmp_path / "pack.xlsx")
    found = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value == HOSTILE
    ]
    assert found, "the title is in the workbook, as written"
    for cell in found:
        assert cell.data_type == "s", "text, not a formula"
        assert cell.quotePrefix, "Excel keeps it text even when the cell is edited"
    formulas = [
        cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
        if cell.data_type == "f"
    ]  # fmt: skip
    assert formulas == []


def test_html_escapes_the_title(hostile, tmp_path):
    make(hostile, "html", tmp_path / "pack.html")
    page = (tmp_path / "pack.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "=HYPERLINK(&#34;http://example.invalid&#34;,&#34;x&#34;)" in page


def test_markdown_escapes_the_title(hostile, tmp_path):
    make(hostile, "md", tmp_path / "pack.md")
    text = (tmp_path / "pack.md").read_text(encoding="utf-8")
    assert "<script>" not in text
    assert r"\<script\>alert(1)\</script\>" in text


def test_json_holds_the_title_as_data(hostile, tmp_path):
    make(hostile, "json", tmp_path / "pack.json")
    data = json.loads((tmp_path / "pack.json").read_text(encoding="utf-8"))
    titles = [row["case"] for row in data["tables"]["summary"]["rows"]]
    assert HOSTILE in titles


def test_a_markdown_cell_keeps_a_pipe_and_a_newline_in_its_cell(tmp_path, hostile):
    path = hostile / CASE
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(retitle(original, "A | B\nC"), encoding="utf-8")
        make(hostile, "md", tmp_path / "pack.md")
    finally:
        path.write_text(original, encoding="utf-8")
    text = (tmp_path / "pack.md").read_text(encoding="utf-8")
    assert r"| A \| B C |" in text


def test_the_terminal_never_gets_a_control_character(tmp_path, hostile):
    path = hostile / CASE
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(retitle(original, "Red \x1b[31malert\x1b]0;owned\x07"), encoding="utf-8")
        result = CliRunner().invoke(cli, ["appraise", str(hostile)], catch_exceptions=False)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "Red \\x1b[31malert" in result.stdout
