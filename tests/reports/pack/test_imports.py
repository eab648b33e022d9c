"""Heavy libraries are imported only by the commands that use them: matplotlib for charts,
XlsxWriter for a workbook, Jinja2 for the HTML pack. Each command runs in a fresh interpreter
and reports the modules it loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

KENT = Path(__file__).resolve().parents[3] / "cases" / "kent"
HEAVY = ("matplotlib", "xlsxwriter", "jinja2")

SCRIPT = """
import json, sys
from totalplace_cases.cli import main
try:
    main({args!r})
except SystemExit as exit:
    assert not exit.code, exit.code
heavy = {heavy!r}
print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}} & set(heavy))))
"""


def loaded(*args: str) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(args=list(args), heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(run.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["validate", str(KENT)], set()),
        (["appraise", str(KENT)], set()),
        (["appraise", str(KENT), "--format", "json"], set()),
        (["evidence", str(KENT), "--format", "json"], set()),
        (["evidence", str(KENT), "--format", "md"], set()),
        (["evidence", str(KENT), "--format", "csv"], set()),
        (["evidence", str(KENT), "--format", "xlsx"], {"xlsxwriter"}),
        (["evidence", str(KENT), "--format", "html"], {"matplotlib", "jinja2"}),
    ],
)
def test_heavy_imports_only_where_used(tmp_path, args, expected):
    if args[0] == "evidence":
        args = [*args, "--out", str(tmp_path / f"pack.{args[-1]}")]
    assert loaded(*args) == expected
