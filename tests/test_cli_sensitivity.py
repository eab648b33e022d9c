"""``totalplace sensitivity``: the JSON contract, the table, the CSV, charts, and its errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import totalplace_cases as tp
import totalplace_cases.method as method
from totalplace_cases.progress import progress_bar

KENT = Path(__file__).resolve().parents[1] / "cases" / "kent"
STATISTICS = {"mean", "p10", "p50", "p90"}
PROGRAMME = """\
[programme]
id = "p"
price_base = "2010-11"

[[agencies]]
id = "lead-agency"

[[agencies]]
id = "partner-agency"
"""


def _json(invoke, *args):
    result = invoke("sensitivity", KENT, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def kent():
    programme = tp.load(KENT)
    return programme, tp.sensitivity(programme, draws=2_000, seed=9)


def test_the_json_is_the_contract(invoke, kent):
    data = _json(invoke, "--draws", "2000", "--seed", "9")
    _, expected = kent
    assert set(data) >= {"cases", "programme"}
    assert [case["id"] for case in data["cases"]] == [case.id for case in expected.cases]
    for found in [*data["cases"], data["programme"]]:
        assert set(found) >= {"id", "npsv", "bcr", "switching", "tests", "simulation"}
        Decimal(found["npsv"])  # money as a string
        assert found["npsv"].split(".")[1].__len__() == 2
        assert isinstance(found["bcr"], float)
        for item in found["switching"]:
            assert set(item) >= {"input", "npsv_zero_change", "bcr_one_change"}
            for key in ("npsv_zero_change", "bcr_one_change"):
                assert item[key] is None or -1 <= Decimal(item[key]) <= 1
        for test in found["tests"]:
            assert set(test) >= {"name", "npsv", "bcr"}
        sim = found["simulation"]
        assert set(sim) >= {"draws", "seed", "npsv", "bcr", "p_npsv_positive", "p_bcr_at_least_1"}
        assert (sim["draws"], sim["seed"]) == (2000, 9)
        assert set(sim["npsv"]) >= STATISTICS and set(sim["bcr"]) >= STATISTICS
        assert 0 <= sim["p_npsv_positive"] <= 1
        assert (
            Decimal(sim["npsv"]["p10"])
            <= Decimal(sim["npsv"]["p50"])
            <= Decimal(sim["npsv"]["p90"])
        )


def test_the_json_gives_the_python_apis_figures(invoke, kent):
    data = _json(invoke, "--draws", "2000", "--seed", "9")
    _, expected = kent
    case, found = expected.case("kent-hcc-placements"), data["cases"][4]
    assert found["id"] == case.id
    assert Decimal(found["npsv"]) == case.npsv.quantize(Decimal("0.01"))
    costs = next(item for item in found["switching"] if item["input"] == "costs")
    assert Decimal(costs["npsv_zero_change"]) == case.switching[0].npsv_zero_change
    assert found["simulation"]["npsv"]["p50"] == f"{case.simulation.npsv.p50:.2f}"
    assert (
        data["programme"]["simulation"]["p_npsv_positive"]
        == expected.programme.simulation.p_npsv_positive
    )


def test_the_same_seed_gives_the_same_json(invoke):
    assert _json(invoke, "--draws", "500", "--seed", "3") == _json(
        invoke, "--draws", "500", "--seed", "3"
    )
    assert _json(invoke, "--draws", "500", "--seed", "3") != _json(
        invoke, "--draws", "500", "--seed", "4"
    )


def test_without_draws_there_is_no_simulation(invoke):
    data = _json(invoke)
    assert data["programme"]["simulation"] is None
    assert all(case["simulation"] is None for case in data["cases"])


def test_the_table_shows_each_case_and_the_programme(invoke):
    result = invoke("sensitivity", KENT, "--draws", "300")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "kent-hcc-placements: NPSV £9,368,455.55, BCR 1.68" in text
    assert "Switching values" in text and "not within ±100%" in text
    assert "optimism bias: lower bound" in text and "schedule: green-book-2026-reduced" in text
    assert "Monte Carlo (300 draws, seed 0)" in text and "P(NPSV > 0)" in text
    assert "programme kent-total-place: NPSV" in text


def test_the_programme_says_which_statuses_it_counts(invoke):
    # Issue 7.5: every programme table says under it which cases it leaves out. Kent's
    # integrated transport case was rejected: out of the programme's figures unless chosen.
    text = invoke("sensitivity", KENT).stdout.split("programme kent-total-place: NPSV")[1]
    assert "not counted: kent-integrated-transport (rejected)" in " ".join(text.split())
    chosen = _json(invoke, "--status", "approved,rejected")["programme"]
    assert chosen["statuses_included"] == ["approved", "rejected"]
    text = invoke("sensitivity", KENT, "--status", "approved,rejected").stdout
    assert "Counts cases whose status is approved, rejected; not counted:" in text
    assert "kent-gateway-customer-access (in-delivery)" in " ".join(text.split())


def test_the_csv_has_one_row_per_figure(invoke):
    result = invoke("sensitivity", KENT, "--format", "csv", "--draws", "200")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["scope", "id", "section", "item", "measure", "value"]
    hcc = [r for r in rows if r["id"] == "kent-hcc-placements"]
    point = {r["measure"]: r["value"] for r in hcc if r["section"] == "point"}
    assert point["npsv"] == "9368455.55"
    costs = {r["measure"]: r["value"] for r in hcc if r["item"] == "costs"}
    assert Decimal(costs["npsv_zero_change"]) == Decimal("0.676449")
    assert any(r["scope"] == "programme" and r["section"] == "simulation" for r in rows)


def test_text_from_the_files_cannot_act_on_a_terminal_or_a_spreadsheet(
    write_case, case_data, invoke
):
    # Ids may not hold control characters (the reader refuses them), but names may: a scenario
    # named with an escape sequence is shown with it written out. An id that a spreadsheet
    # would run as a formula is quoted in the CSV.
    case_data["id"] = "=HYPERLINK(1)"
    programme = PROGRAMME + '\n[[sensitivities]]\nname = "red\\u001b[31m"\ncosts = "0.1"\n'
    path = write_case(case_data, programme=programme)
    table = invoke("sensitivity", path.parent)
    assert table.exit_code == 0, table.output
    assert "\x1b" not in table.stdout and "red\\x1b[31m" in table.stdout
    rows = list(
        csv.reader(io.StringIO(invoke("sensitivity", path.parent, "--format", "csv").stdout))
    )
    assert all(row[1].startswith("'=") for row in rows[1:] if row[0] == "case")


def test_charts_are_written_as_png_files(invoke, tmp_path):
    folder = tmp_path / "charts"
    result = invoke("sensitivity", KENT, "--draws", "200", "--chart", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in folder.iterdir())
    cases = len(tp.load(KENT).cases)
    assert len(names) == 2 * cases + 2  # a tornado and a histogram per case and for the programme
    assert "case-kent-hcc-placements-tornado.png" in names and "programme-histogram.png" in names
    assert all((folder / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for name in names)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_output_goes_to_a_file_but_never_over_an_input(invoke, tmp_path):
    out = tmp_path / "sensitivity.json"
    assert invoke("sensitivity", KENT, "--format", "json", "-o", out).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["programme"]["id"] == "kent-total-place"
    refused = invoke("sensitivity", KENT, "-o", KENT / "programme.toml")
    assert refused.exit_code == 2 and "is one of this run's inputs" in refused.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--swing", "2"), "expected a change above 0 and at most 1"),
        (("--swing", "x"), "expected a change above 0 and at most 1"),
        (("--draws", "0"), "--draws"),
        (("--seed", "-1"), "--seed"),
        (("--format", "xml"), "--format"),
        (("--schedule", "nope"), "no discount-schedule table called 'nope'"),
    ],
)
def test_bad_options_are_refused_with_exit_code_two(invoke, args, fragment):
    result = invoke("sensitivity", KENT, *args)
    assert result.exit_code == 2
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_a_bad_range_is_reported_with_its_file_and_line(invoke, write_case, case_data):
    case_data["benefits"][0]["uncertainty"] = {
        "amounts": {"dist": "uniform", "low": "2", "high": "1"}
    }
    path = write_case(case_data)
    result = invoke("sensitivity", path.parent, "--draws", "10")
    assert result.exit_code == 2
    assert f"{path}:" in result.output and "benefits[0].uncertainty.amounts.high" in result.output


def test_draws_without_numpy_say_what_to_install(invoke, monkeypatch):
    monkeypatch.setitem(sys.modules, "numpy", None)  # an import of numpy now fails
    for name in ("draws", "vectorised"):
        monkeypatch.delitem(sys.modules, f"totalplace_cases.method.{name}", raising=False)
        monkeypatch.delattr(method, name, raising=False)
    result = invoke("sensitivity", KENT, "--draws", "10")
    assert result.exit_code == 2
    assert 'pip install "totalplace-cases[analysis]"' in result.output


def test_the_library_imports_numpy_and_matplotlib_only_when_asked():
    code = (
        "import sys, totalplace_cases as tp\n"
        "p = tp.load(sys.argv[1]); tp.appraise(p); tp.sensitivity(p)\n"
        "print(sorted(m for m in ('numpy', 'matplotlib', 'tqdm') if m in sys.modules))\n"
        "tp.simulate(p, draws=10)\n"
        "print('numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(KENT)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["[]", "True"]


# -- the progress bar -----------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_on_a_terminal_only():
    screen = Terminal()
    with progress_bar(100, "Monte Carlo", stream=screen, delay=0) as update:
        update(40)
        update(60)
    assert "Monte Carlo" in screen.getvalue() and "/100" in screen.getvalue()
    with progress_bar(100, "Monte Carlo", stream=io.StringIO(), delay=0) as update:
        assert update is None  # not a terminal: no bar


def test_the_progress_bar_waits_a_second_before_it_shows():
    screen = Terminal()
    with progress_bar(100, "Monte Carlo", stream=screen) as update:
        update(100)  # done at once: a run under a second shows nothing
    assert "Monte Carlo" not in screen.getvalue()
