"""The evidence pack names each input by the digest of the bytes its figures came from.

A case file edited after the tool has read it (an officer saving a change while the pack is
being made) must not be recorded under its new digest beside figures from the old text; a
spend file that changes while it is being counted makes the pack refuse, naming the file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from totalplace_cases import pipeline
from totalplace_cases.cli import cli


def evidence(folder: Path, out: Path):
    return CliRunner().invoke(
        cli,
        ["evidence", str(folder), "--format", "json", "--out", str(out), "--as-at", "2012-03-31"],
    )


def test_a_case_file_edited_after_reading_is_named_by_what_was_read(
    tmp_path, kent_copy, monkeypatch
):
    folder = kent_copy
    case = folder / "kent-coastal-defences.toml"
    original = hashlib.sha256(case.read_bytes()).hexdigest()
    appraise = pipeline.appraise

    def edit_then_appraise(*args, **kwargs):
        case.write_text(case.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        return appraise(*args, **kwargs)

    monkeypatch.setattr(pipeline, "appraise", edit_then_appraise)
    result = evidence(folder, tmp_path / "pack.json")
    assert result.exit_code == 0, result.output
    inputs = {
        i["name"]: i["sha256"]
        for i in json.loads((tmp_path / "pack.json").read_text(encoding="utf-8"))["made"]["inputs"]
    }
    assert inputs["kent-coastal-defences.toml"] == original
    assert original != hashlib.sha256(case.read_bytes()).hexdigest()


def test_a_spend_file_changed_while_counted_is_refused(tmp_path, kent_copy, monkeypatch):
    from totalplace_cases import baseline

    folder = kent_copy
    spend = folder / "baseline" / "kcc-2008-09.csv"
    count_programme = baseline.count_programme

    def count_then_edit(*args, **kwargs):
        counted = count_programme(*args, **kwargs)
        spend.write_bytes(spend.read_bytes() + b"\n")
        return counted

    monkeypatch.setattr(baseline, "count_programme", count_then_edit)
    result = evidence(folder, tmp_path / "pack.json")
    assert result.exit_code == 2, result.output
    assert "kcc-2008-09.csv" in result.output
    assert "changed while it was being read" in result.output
    assert not (tmp_path / "pack.json").exists()
