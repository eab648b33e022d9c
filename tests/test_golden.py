"""Reference output: the JSON of the bundled Kent programme, byte for byte.

``tests/data/golden/kent.json`` is what ``totalplace appraise cases/kent --format json`` printed
before the plugin host, the pipeline and the appraisal core were reworked. Those changes must not
move a figure or a key; the file changes only with a deliberate change of method or of the
contract, in its own commit, regenerated with the command above (run from the repository root).
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
GOLDEN = REPO_ROOT / "tests" / "data" / "golden"


def test_kent_json_is_byte_identical_to_the_reference():
    run = subprocess.run(
        [sys.executable, "-m", "totalplace_cases", "appraise", "cases/kent", "--format", "json"],
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")
    expected = (GOLDEN / "kent.json").read_bytes()
    if run.stdout != expected:
        diff = difflib.unified_diff(
            expected.decode("utf-8").splitlines(),
            run.stdout.decode("utf-8", "replace").splitlines(),
            "golden/kent.json",
            "now",
            lineterm="",
            n=2,
        )
        raise AssertionError("Kent JSON differs from the reference:\n" + "\n".join(list(diff)[:80]))
