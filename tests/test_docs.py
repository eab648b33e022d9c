"""The documentation keeps up with the code.

- every field the case-file reader accepts is documented in ``docs/case-files.md``;
- every field of the JSON result is documented in ``docs/method.md``;
- the relative links of the README and the docs point at files (and headings) that exist.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

import totalplace_cases as tp
from totalplace_cases.io import casefile

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
CASE_FILES_DOC = DOCS / "case-files.md"
METHOD_DOC = DOCS / "method.md"
KENT = REPO / "cases" / "kent"

KEY_TUPLES = (
    "PROGRAMME_KEYS",
    "PROGRAMME_TABLE_KEYS",
    "SETTINGS_KEYS",
    "TOLERANCE_KEYS",
    "AGENCY_KEYS",
    "CASE_KEYS",
    "COST_KEYS",
    "BENEFIT_KEYS",
    "REALIGNMENT_KEYS",
    "REDUCES_KEYS",
    "OPTION_KEYS",
    "COHORT_KEYS",
)

# [text](target) but not ![image](...) handled the same way; skip code spans first.
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_CODE_BLOCK = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _backticked(text: str) -> set[str]:
    """Every ``name`` written in backticks in ``text``."""
    return {m.group(0)[1:-1] for m in _CODE_SPAN.finditer(text)}


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = _CODE_BLOCK.sub("", path.read_text(encoding="utf-8"))
    return {_slug(m.group(1)) for m in _HEADING.finditer(text)}


def _links(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = _CODE_BLOCK.sub("", text)
    text = _CODE_SPAN.sub("", text)
    return [m.group(1) for m in _LINK.finditer(text)]


@pytest.fixture(scope="module")
def kent_result() -> dict:
    return tp.to_dict(tp.appraise(tp.load(KENT)))


# --- (a) every case-file field is documented ---------------------------------------------------


@pytest.mark.parametrize("name", KEY_TUPLES)
def test_every_case_file_field_is_documented(name):
    documented = _backticked(CASE_FILES_DOC.read_text(encoding="utf-8"))
    keys = getattr(casefile, name)
    assert keys, f"{name} is empty"
    missing = [key for key in keys if key not in documented]
    assert not missing, f"fields of {name} not written as `name` in docs/case-files.md: {missing}"


def test_every_spend_file_column_is_documented():
    from totalplace_cases.io.spend import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

    documented = _backticked(CASE_FILES_DOC.read_text(encoding="utf-8"))
    missing = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c not in documented]
    assert not missing, f"spend-file columns not written as `name` in docs/case-files.md: {missing}"


def _keys(value) -> set[str]:
    """Every key of every dict inside ``value`` (but not the years that key ``gains``)."""
    if isinstance(value, dict):
        found = set() if all(k[:2] in ("19", "20") for k in value) else set(value)
        return found.union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def test_every_count_and_gains_json_field_is_documented(tmp_path):
    from totalplace_cases.reports.count import count_dict, gains_dict

    spend = tmp_path / "bad.csv"
    spend.write_text("year,agency,category,theme,kind,amount\n2008-09,x,,,revenue,?\n")
    count = tp.count(KENT)
    lone = tp.baseline.count_files(
        [spend], tp.plugins.rules_for([]), tp.Programme(id="p"), any_agency=True
    )
    keys = _keys(count_dict(count)) | _keys(count_dict(lone)) | _keys(gains_dict(tp.gains(KENT)))
    documented = _backticked(CASE_FILES_DOC.read_text(encoding="utf-8"))
    text = CASE_FILES_DOC.read_text(encoding="utf-8")
    missing = sorted(k for k in keys if k not in documented and k not in text)
    assert not missing, f"count/gains JSON fields not documented in docs/case-files.md: {missing}"


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("cuts", "SCENARIO_KEYS"),
        ("fivecase", "FIVE_CASE_KEYS"),
        ("fivecase", "STRATEGIC_KEYS"),
        ("fivecase", "IMPACT_KEYS"),
        ("fivecase", "RISK_KEYS"),
        ("fivecase", "READINESS_KEYS"),
        ("fivecase", "READINESS_SCORE_KEYS"),
    ],
)
def test_every_scenario_and_five_case_field_is_documented(module, name):
    import importlib

    keys = getattr(importlib.import_module(f"totalplace_cases.io.{module}"), name)
    documented = _backticked(CASE_FILES_DOC.read_text(encoding="utf-8"))
    assert keys
    missing = [key for key in keys if key not in documented]
    assert not missing, f"fields of {name} not written as `name` in docs/case-files.md: {missing}"


def test_every_scenario_and_affordability_json_field_is_documented():
    from totalplace_cases.reports.cuts import affordability_dict, scenario_dict
    from totalplace_cases.scenarios import beside_cases

    programme = tp.load(KENT)
    rules = tp.plugins.rules_for(programme.plugins)
    results = tp.scenarios(programme, rules=rules)
    afford = tp.affordability(programme, rules=rules)
    beside = beside_cases(programme, rules, results, afford)
    keys = {"scenarios"} | _keys(affordability_dict(afford))
    for result in results:
        keys |= _keys(scenario_dict(result, beside[result.name]))
    text = CASE_FILES_DOC.read_text(encoding="utf-8")
    missing = sorted(k for k in keys if not re.search(rf"[`{{, \"]{k}[`}},\"]", text))
    assert not missing, f"scenario/affordability JSON fields not in docs/case-files.md: {missing}"


def test_every_rollup_json_field_is_documented():
    from decimal import Decimal

    from totalplace_cases.method.rollup import PlaceReturn, rollup
    from totalplace_cases.periods import parse_year
    from totalplace_cases.reports.rollup import rollup_dict

    def place(name: str, year: str) -> PlaceReturn:
        base, discount = parse_year(year), parse_year("2010-11")
        return PlaceReturn(
            f"{name}.json", name, name, name, 1, base, discount, "start", ("green-book",),
            (("t", "1"),), ("approved",), 1, None, None, *([Decimal(1)] * 6),
        )  # fmt: skip

    result = rollup(
        [place("a", "2009-10"), place("b", "2010-11")],
        rebase=True,
        ratio=lambda a, b: Decimal(2),
        deflator=("t", "1"),
    )
    keys = _keys(rollup_dict(result, {"a": "a.json", "b": "b.json"}))
    text = (DOCS / "evidence.md").read_text(encoding="utf-8")
    missing = sorted(k for k in keys if not re.search(rf"[`{{, \"]{k}[`}},\"]", text))
    assert not missing, f"rollup JSON fields not in docs/evidence.md: {missing}"


# --- (b) every JSON field is documented --------------------------------------------------------


def _json_keys(result: dict) -> dict[str, set[str]]:
    cases = result["cases"]
    assert cases, "the Kent programme has no cases"
    by_agency = [row for case in cases for row in case["by_agency"]]
    flows = [flow for case in cases for flow in case["flows"]]
    options = [option for case in cases for option in case["options"]]
    lines = [line for case in cases for line in case["lines"]]
    cohorts = [line["cohort"] for line in lines if "cohort" in line]
    # Kent has a case with options and a cohort line, so every key of both is here.
    assert by_agency and flows and len(options) > len(cases) and cohorts
    return {
        "top level": set(result),
        "programme": set(result["programme"]),
        "case": {key for case in cases for key in case},
        "by_agency": {key for row in by_agency for key in row},
        "flows": {key for flow in flows for key in flow},
        "totals": set(result["totals"]),
        "options": {key for o in options for key in (*o, *o["incremental"])},
        "lines": {key for line in lines for key in line},
        "cohort": {key for cohort in cohorts for key in cohort},
    }


@pytest.mark.parametrize(
    "level",
    [
        "top level",
        "programme",
        "case",
        "by_agency",
        "flows",
        "totals",
        "options",
        "lines",
        "cohort",
    ],
)
def test_every_json_field_is_documented(kent_result, level):
    documented = _backticked(METHOD_DOC.read_text(encoding="utf-8"))
    keys = _json_keys(kent_result)[level]
    missing = sorted(key for key in keys if key not in documented)
    assert not missing, f"JSON fields ({level}) not written as `name` in docs/method.md: {missing}"


# --- (c) relative links resolve ----------------------------------------------------------------

LINKED_FILES = [REPO / "README.md", CASE_FILES_DOC, METHOD_DOC]


@pytest.mark.parametrize("document", LINKED_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_point_at_existing_files(document):
    assert document.is_file(), f"{document.relative_to(REPO)} is missing"
    broken = []
    for target in _links(document):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
            continue
        file_part, _, anchor = target.partition("#")
        linked = (document.parent / unquote(file_part)).resolve() if file_part else document
        if not linked.exists():
            broken.append(f"{target} (no such file)")
            continue
        if anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(f"{target} (no such heading)")
    assert not broken, f"broken links in {document.relative_to(REPO)}: {broken}"


def test_the_readme_links_to_both_documents():
    links = set(_links(REPO / "README.md"))
    assert "docs/case-files.md" in links
    assert "docs/method.md" in links


# --- (d) ranges, scenarios and the sensitivity JSON --------------------------------------------


def test_every_range_and_scenario_field_is_documented():
    from totalplace_cases.io.ranges import RANGE_KEYS, SCENARIO_KEYS
    from totalplace_cases.uncertainty import BENEFIT_INPUTS, COST_INPUTS, DISTRIBUTIONS

    documented = _backticked(CASE_FILES_DOC.read_text(encoding="utf-8"))
    names = (*RANGE_KEYS, *SCENARIO_KEYS, *BENEFIT_INPUTS, *COST_INPUTS)
    missing = [key for key in names if key not in documented]
    missing += [d for d in DISTRIBUTIONS if f'"{d}"' not in documented]
    assert not missing, f"not written as `name` in docs/case-files.md: {missing}"


def test_every_sensitivity_json_field_is_documented():
    from totalplace_cases.reports.json import sensitivity_to_dict

    result = sensitivity_to_dict(tp.sensitivity(tp.load(KENT), draws=10))
    documented = _backticked(METHOD_DOC.read_text(encoding="utf-8"))
    missing = sorted(key for key in _keys(result) if key not in documented)
    assert not missing, (
        f"sensitivity JSON fields not written as `name` in docs/method.md: {missing}"
    )
