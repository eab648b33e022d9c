"""Text from a case file comes out inert in every format: no formula a spreadsheet would run,
no HTML a browser would act on, no Markdown that breaks a table, no control character that
reaches a terminal raw."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
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


# -- control characters in files: written out, never raw -------------------------------------

# An OSC 8 hyperlink (ESC ] 8 ;; URL BEL), a screen clear (ESC [ 2 J), NUL, a backspace, a
# vertical tab, a form feed, a carriage return, DEL and C1 controls (NEL, a one-character CSI
# and OSC), in a title, descriptions and a plugin's table.
CONTROL = (
    "Link\x1b]8;;http://x.invalid\x07here\x1b]8;;\x07\x1b[2J\x00\x08\x0b\x0c\r\x7f\x85\x9b\x9d!"
)
# The characters no written file may hold raw: C0 (but tab and line feed), DEL and C1.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# CONTROL as display.clean writes it out, by hand: C0 as \xNN, the rest as \uNNNN.
SHOWN = (
    r"Link\x1b]8;;http://x.invalid\x07here\x1b]8;;\x07\x1b[2J\x00\x08\x0b\x0c\r"
    r"\u007f\u0085\u009b\u009d!"
)
# The same in Markdown: each backslash and bracket escaped, so that it shows as SHOWN.
SHOWN_MD = (
    r"Link\\x1b\]8;;http://x.invalid\\x07here\\x1b\]8;;\\x07\\x1b\[2J\\x00\\x08\\x0b\\x0c\\r"
    r"\\u007f\\u0085\\u009b\\u009d!"
)
DESCRIPTION = "description = " + toml_string("Line " + CONTROL)
CONTROL_PLUGIN = f"""\
from totalplace_cases.plugin import EvidenceTable, hookimpl

CONTROL = {CONTROL!r}


@hookimpl
def totalplace_evidence_tables(appraisal, programme):
    return [EvidenceTable("Plugin " + CONTROL, ("Note " + CONTROL,), [["cell " + CONTROL]],
                          notes="note " + CONTROL)]
"""


@pytest.fixture(scope="module")
def controlled(tmp_path_factory) -> tuple[Path, Path]:
    """Kent, copied, every case's title and descriptions (of its lines, impacts and risks)
    holding CONTROL; and a plugin whose table does too."""
    root = tmp_path_factory.mktemp("controlled")
    shutil.copytree(KENT.parent.parent / "plugins", root / "plugins")
    shutil.copytree(KENT, root / "cases" / "kent")
    folder = root / "cases" / "kent"
    for path in folder.glob("kent-*.toml"):
        text = retitle(path.read_text(encoding="utf-8"), "Title " + CONTROL)
        text = re.sub(r'^description = ".*"$', lambda _: DESCRIPTION, text, flags=re.M)
        path.write_text(text, encoding="utf-8")
    plugin = root / "control_table.py"
    plugin.write_text(CONTROL_PLUGIN, encoding="utf-8")
    return folder, plugin


def make_with(controlled, fmt: str, out: Path) -> None:
    folder, plugin = controlled
    args = ["evidence", str(folder), "--format", fmt, "--out", str(out), "--plugin", str(plugin)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def written(path: Path) -> dict[str, str]:
    """Each file written (a folder's files), as text; a workbook's XML parts."""
    if path.is_dir():
        return {f.name: f.read_text(encoding="utf-8-sig") for f in sorted(path.iterdir())}
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return {n: book.read(n).decode("utf-8") for n in book.namelist() if n.endswith("ml")}
    return {path.name: path.read_text(encoding="utf-8")}


@pytest.mark.parametrize("fmt", ["md", "csv", "html", "xlsx", "json"])
def test_no_control_character_reaches_a_file_raw(controlled, tmp_path, fmt):
    out = tmp_path / ("pack" if fmt == "csv" else f"pack.{fmt}")
    make_with(controlled, fmt, out)
    files = written(out)
    for name, text in files.items():
        if fmt == "csv":  # the line terminator is CSV's own (RFC 4180); no cell holds a CR
            assert not any("\r" in cell for row in csv.reader(io.StringIO(text)) for cell in row)
            text = text.replace("\r\n", "\n")
        assert not RAW.findall(text), (name, sorted(set(RAW.findall(text))))
        # nor encoded so that a reader decodes it back: Excel's _x001B_, an HTML &#27;
        assert not re.search(r"_x00[01][0-9A-Fa-f]_|&#(x0*1b|0*27);", text, re.I), name
    every = "\n".join(files.values())
    if fmt == "json":  # data, not text to show: the JSON encoder escapes it, and it reads back
        data = json.loads(every)
        assert "Title " + CONTROL in [row["case"] for row in data["tables"]["summary"]["rows"]]
        assert "Plugin " + CONTROL in [t["title"] for t in data["tables"].values()]
        return
    shown = SHOWN_MD if fmt == "md" else SHOWN
    for where in ("Title ", "Line ", "Plugin ", "Note ", "cell ", "note "):
        assert where + shown in every, (fmt, where)


def test_the_workbooks_text_reads_back_visible_and_without_controls(controlled, tmp_path):
    make_with(controlled, "xlsx", tmp_path / "pack.xlsx")
    book = openpyxl.load_workbook(tmp_path / "pack.xlsx")
    values = [
        cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
        if isinstance(cell.value, str)
    ]  # fmt: skip
    assert "Title " + SHOWN in values and "cell " + SHOWN in values
    assert not [v for v in values if RAW.search(v)]
