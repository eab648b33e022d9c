"""Plugins add tables and formats to the pack through the existing hooks: a plugin's table is
in every format (see test_formats), and a format a plugin registers writes the whole pack."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from totalplace_cases.cli import cli

KENT = Path(__file__).resolve().parents[3] / "cases" / "kent"

PLUGIN = """\
from totalplace_cases.plugin import EvidenceTable, OutputFormat, hookimpl


def tab_separated(appraisal, evidence):
    out = []
    for table in evidence:
        out.append(table.title)
        out += ["\\t".join(str(cell) for cell in row) for row in table.rows]
    return "\\n".join(out) + "\\n"


@hookimpl
def totalplace_register_formats(register):
    register(OutputFormat("tsv", tab_separated, "every table, tab-separated", ".tsv"))


@hookimpl
def totalplace_evidence_tables(appraisal, programme):
    return [EvidenceTable("Cases counted", ("Cases",), [[len(appraisal.cases)]])]
"""


def test_a_plugins_format_writes_every_table_of_the_pack(tmp_path):
    plugin = tmp_path / "tsv_format.py"
    plugin.write_text(PLUGIN, encoding="utf-8")
    out = tmp_path / "pack.tsv"
    runner = CliRunner()
    args = ["evidence", str(KENT), "--as-at", "2012-03-31", "--plugin", str(plugin)]
    result = runner.invoke(cli, [*args, "--format", "tsv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    runner.invoke(cli, [*args, "--format", "json", "--out", str(tmp_path / "pack.json")])
    pack = json.loads((tmp_path / "pack.json").read_text(encoding="utf-8"))
    for key, table in pack["tables"].items():
        assert f". {table['title']}\n" in text, key
    summary = pack["tables"]["summary"]
    first = summary["rows"][0]
    # money as exact figures, to the penny, for the plugin to format
    assert f"\t{first['pv_costs']}\t" in text
    assert "Cases counted" in {t["title"] for t in pack["tables"].values()}


def test_an_unknown_format_lists_the_packs_and_the_plugins(tmp_path):
    plugin = tmp_path / "tsv_format.py"
    plugin.write_text(PLUGIN, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["evidence", str(KENT), "--format", "nope", "--out", str(tmp_path / "x"), "--plugin",
         str(plugin)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "csv, html, json, md, tsv, xlsx" in result.output
