"""``totalplace rollup``: evidence returns of several places added up into one national table.

Two real returns are made with ``totalplace evidence``: Kent's, and a second place's (the
template programme, in Kent's price base). Every figure of the roll-up is checked against the
returns' own totals, never against numbers written into the test.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from totalplace_cases.cli import cli

REPO = Path(__file__).resolve().parents[1]
KENT = REPO / "cases" / "kent"
MONEY = (
    "pv_costs", "pv_benefits", "npsv", "cashable_savings", "realigned_to_central",
    "realigned_from_central",
)  # fmt: skip


def run(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args])


def evidence(path: Path, out: Path) -> Path:
    result = run("evidence", path, "--format", "json", "--out", out, "--as-at", "2012-03-31")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def returns(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("rollup")
    other = root / "other"
    assert run("init", other).exit_code == 0
    template = (other / "programme.toml").read_text(encoding="utf-8")
    (other / "programme.toml").write_text(
        template.replace('price_base = "2010-11"', 'price_base = "2009-10"'), encoding="utf-8"
    )
    (root / "later").mkdir()
    later = root / "later" / "programme"
    assert run("init", later).exit_code == 0
    return {
        "kent": evidence(KENT, root / "kent.json"),
        "other": evidence(other, root / "other.json"),
        "later": evidence(later, root / "later.json"),  # the template: 2010-11 prices
    }


def totals(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["totals"]


def test_two_places_add_up_to_the_sum_of_their_own_totals(returns):
    result = run("rollup", returns["kent"], returns["other"], "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    kent, other = totals(returns["kent"]), totals(returns["other"])
    assert [p["programme"] for p in data["places"]] == ["kent-total-place", "my-total-place"]
    for name in MONEY:
        assert Decimal(data["totals"][name]) == Decimal(kent[name]) + Decimal(other[name]), name
    assert data["totals"]["cases"] == kent["cases"] + other["cases"]
    assert data["totals"]["spend_counted"] == kent["spend_counted"]  # the template counts none
    assert data["places"][0]["place"] == "Kent"
    assert data["price_base"] == "2009-10" and data["discount_base"] == "2010-11"
    assert data["discount_schedules"] == ["green-book"]
    assert data["rebased"] == [] and data["deflator"] is None
    bcr = Decimal(data["totals"]["pv_benefits"]) / Decimal(data["totals"]["pv_costs"])
    assert data["totals"]["bcr"] == pytest.approx(float(bcr))


def test_the_table_names_the_places_and_fits(returns):
    result = run("rollup", returns["kent"], returns["other"], "--units", "m")
    assert result.exit_code == 0, result.output
    assert "National roll-up of evidence returns" in result.output
    assert "Kent" in result.output and "My place" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 100


def test_mismatched_price_bases_are_refused_naming_them(returns):
    result = run("rollup", returns["kent"], returns["later"])
    assert result.exit_code == 2
    assert "different price bases" in result.output
    assert "kent.json: 2009-10" in result.output and "later.json: 2010-11" in result.output
    assert "--rebase" in result.output and "Traceback" not in result.output


def test_rebasing_puts_every_return_in_one_price_base(returns):
    result = run("rollup", returns["kent"], returns["later"], "--rebase", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["price_base"] == "2010-11"  # the latest of theirs
    (rebased,) = data["rebased"]
    # Kent's 2009-10 prices to 2010-11 with the GDP deflator: financial-year indices from the
    # calendar series (3/4 of a year's and 1/4 of the next's): 2009-10 is 68.443175 (68.217,
    # 69.1217), 2010-11 is 69.549775 (69.1217, 70.834).
    ratio = Decimal("69.549775") / Decimal("68.443175")
    assert (rebased["from"], rebased["to"]) == ("2009-10", "2010-11")
    assert rebased["ratio"] == pytest.approx(float(ratio))
    assert data["deflator"]["table"] == "hmt-gdp-deflator"
    kent, later = totals(returns["kent"]), totals(returns["later"])
    for name in MONEY:
        expected = (Decimal(kent[name]) * ratio).quantize(Decimal("0.01"))
        assert abs(Decimal(data["places"][0][name]) - expected) <= Decimal("0.01"), name
        assert data["places"][1][name] == later[name]  # already in 2010-11 prices
        assert Decimal(data["totals"][name]) == sum(Decimal(p[name]) for p in data["places"])
    # The count is each year's cash, never rebased.
    assert data["places"][0]["spend_counted"] == kent["spend_counted"]
    chosen = run("rollup", returns["kent"], returns["later"], "--rebase", "--price-base", "2009-10",
                 "--format", "json")  # fmt: skip
    assert json.loads(chosen.output)["rebased"][0]["programme"] == "my-total-place"


def edited(source: Path, target: Path, change) -> Path:
    data = json.loads(source.read_text(encoding="utf-8"))
    change(data)
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


def test_other_differences_are_refused_even_with_rebase(returns, tmp_path):
    def schedule(data):
        data["discount_schedules"] = [{"name": "green-book-2026-reduced", "cases": ["x"]}]
        data["programme"]["id"] = "elsewhere"

    def vintage(data):
        for table in data["parameters"]:
            if table["table"] == "green-book":
                table["vintage"] = "2018"
        data["programme"]["id"] = "elsewhere"

    for change, words in (
        (schedule, ("different discount schedules (", "kent.json: green-book; ",
                    "s.json: green-book-2026-reduced)")),
        (vintage, ("different vintages of the parameter table green-book (", "kent.json: 2022; ",
                   "s.json: 2018)")),
    ):  # fmt: skip
        bad = edited(returns["kent"], tmp_path / "s.json", change)
        for extra in ((), ("--rebase",)):
            result = run("rollup", returns["kent"], bad, *extra)
            assert result.exit_code == 2
            assert all(w in result.output for w in words), result.output
            assert "Make the returns again alike" in result.output
        assert "--rebase cannot convert" in result.output


def test_the_same_place_twice_is_refused(returns):
    result = run("rollup", returns["kent"], returns["kent"])
    assert result.exit_code == 2
    assert 'the programme "kent-total-place" is in two returns' in result.output


def good(returns) -> dict:
    return json.loads(returns["kent"].read_text(encoding="utf-8"))


def _set(data, path, value):
    *parents, last = path.split(".")
    for part in parents:
        data = data[part]
    if value is KeyError:
        del data[last]
    else:
        data[last] = value


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (
            "return.format",
            "something-else",
            "return.format",
            'expected "totalplace-evidence-return"',
        ),
        ("return.version", 2, "return.version", "made by a newer totalplace-cases"),
        (
            "totals.pv_costs",
            12.5,
            "totals.pv_costs",
            "expected money as a string with two decimals",
        ),
        ("totals.pv_costs", "12.5", "totals.pv_costs", 'found the string "12.5"'),
        ("totals.cases", -1, "totals.cases", "a whole number of 0 or more"),
        ("totals.realigned_to_central", KeyError, "totals.realigned_to_central", "missing"),
        ("price_base", "2009", "price_base", 'expected a financial year like "2010-11"'),
        ("programme.id", "", "programme.id", "expected a non-empty id"),
        ("parameters", {}, "parameters", "expected an array, found an object"),
        ("statuses_counted", [1], "statuses_counted", "expected an array of strings"),
        ("totals", [], "totals.cases", "expected an object, found an array"),
    ],
)
def test_a_bad_field_names_the_file_and_field(returns, tmp_path, path, value, field, message):
    data = copy.deepcopy(good(returns))
    _set(data, path, value)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = run("rollup", bad)
    assert result.exit_code == 2, result.output
    assert f"bad.json: {field}: " in result.output or (
        field == "totals.cases" and "bad.json: totals: " in result.output
    ), result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "bad.json:1: not JSON: Expecting value"),
        (b'{"return": ', "bad.json:1: not JSON"),
        (b"[1, 2]", "bad.json: expected a JSON object (an evidence return), found an array"),
        (b'{"a": 1, "a": 2}', 'the key "a" is given twice'),
        (b'{"x": NaN}', "NaN is not a number JSON allows"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        ("{}".encode("utf-16"), "bad.json: expected UTF-8 text, found UTF-16 text"),
        (b'{"programme": {}}', "bad.json: return: missing; is this an evidence return?"),
    ],
)
def test_a_file_that_is_not_a_return_is_a_clear_error(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    result = run("rollup", bad)
    assert result.exit_code == 2
    assert message in result.output, result.output
    assert "Traceback" not in result.output


def test_every_bad_file_is_reported_at_once(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("nonsense", encoding="utf-8")
    second.write_text("[]", encoding="utf-8")
    result = run("rollup", first, second, tmp_path / "missing.json")
    assert result.exit_code == 2
    assert "2 problems found" in result.output or "3 problems found" in result.output
    assert (
        "a.json:1: not JSON" in result.output and "b.json: expected a JSON object" in result.output
    )
