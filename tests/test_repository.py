"""The repository stands alone: a clone with nothing beside it runs, tests and rebuilds.

The public data the project was built from (the Unit Cost Database, the GDP deflator) is copied
into the repository with its source; no code, test, build script or CI step may reach outside
the clone for it.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# A path that leaves the clone to reach the material the project was seeded with.
OUTSIDE = re.compile(r"\.\./shared|/work/shared|parent\s*/\s*[\"']shared[\"']")
RUN = ("*.py", "*.toml", "*.cfg", "*.ini", "*.sh")


def _files_that_run() -> list[Path]:
    skip = {".git", ".venv", "venv", "build", "dist", "__pycache__"}
    found = [REPO_ROOT / ".ci" / "run"]
    for pattern in RUN:
        found += [
            p for p in REPO_ROOT.rglob(pattern) if not skip & set(p.relative_to(REPO_ROOT).parts)
        ]
    return sorted(set(found) - {Path(__file__).resolve()})


def test_no_code_test_or_ci_step_reads_outside_the_clone():
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for path in _files_that_run()
        # (errors="replace": tests/data/bad holds TOML that is deliberately not UTF-8)
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
        )
        if OUTSIDE.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_the_raw_sources_are_in_the_repository_with_their_source():
    raw = REPO_ROOT / "plugins" / "ucd" / "raw"
    assert sorted(p.name for p in raw.glob("*.csv")) == [
        "crime.csv",
        "education_skills.csv",
        "employment_economy.csv",
        "fire.csv",
        "health.csv",
        "housing.csv",
        "socialservices.csv",
    ]
    assert "New Economy" in (raw / "README.md").read_text(encoding="utf-8")
    sources = REPO_ROOT / "src" / "totalplace_cases" / "data" / "sources"
    assert (sources / "uk_gdp_deflator_calendar.csv").is_file()
    assert "greenbook" in (sources / "README.md").read_text(encoding="utf-8")
