"""The parameter tables shipped with the library: well formed, cited, and as in the method."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from totalplace_cases.method.discounting import DiscountSchedule
from totalplace_cases.method.prices import Deflator
from totalplace_cases.parameters import TABLE_KINDS, builtin_tables
from totalplace_cases.plugins import load_rules

TABLES = {table.name: table for table in builtin_tables()}
# The raw series the packaged deflator table was copied from, kept in the repository with its
# source (src/totalplace_cases/data/sources/README.md).
SOURCE_DEFLATOR = (
    Path(__file__).resolve().parents[1]
    / "src/totalplace_cases/data/sources/uk_gdp_deflator_calendar.csv"
)


def test_every_builtin_table_parses_and_is_cited():
    tables = builtin_tables()
    assert {t.name for t in tables} >= {
        "green-book",
        "green-book-health",
        "green-book-2026-reduced",
        "green-book-optimism-bias",
        "cba-local-2014",
        "dft-vfm-categories",
        "hmt-gdp-deflator",
    }
    for table in tables:
        assert table.source.strip(), table.name
        assert table.vintage.strip(), table.name
        assert table.kind in TABLE_KINDS, table.name
        assert table.rows, table.name
        # The file is named after its table, so the two cannot drift apart.
        assert table.origin.endswith(f"/{table.name}.csv"), table.origin


def test_table_names_are_unique():
    names = [t.name for t in builtin_tables()]
    assert len(names) == len(set(names))


def test_the_tables_plugin_registers_every_table():
    rules = load_rules(entry_points=False)
    assert not rules.failures
    for name, table in TABLES.items():
        assert rules.table(name, table.kind) == table


@pytest.mark.parametrize(
    ("name", "rates"),
    [
        ("green-book", ["0.035", "0.030", "0.025", "0.020", "0.015", "0.010"]),
        ("green-book-health", ["0.015", "0.0129", "0.0107", "0.0086", "0.0064", "0.0043"]),
        ("green-book-2026-reduced", ["0.03", "0.0257", "0.0214", "0.0171", "0.0129", "0.0086"]),
    ],
)
def test_discount_schedules(name, rates):
    schedule = DiscountSchedule.from_table(TABLES[name])
    assert [(first, last) for first, last, _ in schedule.bands] == [
        (0, 30),
        (31, 75),
        (76, 125),
        (126, 200),
        (201, 300),
        (301, None),
    ]
    assert [rate for _, _, rate in schedule.bands] == [Decimal(r) for r in rates]


def test_optimism_bias_bounds():
    table = TABLES["green-book-optimism-bias"]
    rows = {row["project_type"]: row for row in table.rows}
    expected = {  # works duration upper/lower, capital upper/lower (method §3), in %
        "non-standard-buildings": ("39", "2", "51", "4"),
        "standard-buildings": ("4", "1", "24", "2"),
        "non-standard-civil-engineering": ("25", "3", "66", "6"),
        "standard-civil-engineering": ("20", "1", "44", "3"),
        "equipment-development": ("54", "10", "200", "10"),
        "outsourcing": (None, None, "41", "0"),  # operating cost, held in capital_*
    }
    assert set(rows) == set(expected)
    columns = ("works_duration_upper", "works_duration_lower", "capital_upper", "capital_lower")
    for project_type, percents in expected.items():
        for column, percent in zip(columns, percents, strict=True):
            cell = rows[project_type][column]
            if percent is None:
                assert cell == "", (project_type, column)
            else:
                assert Decimal(cell) * 100 == Decimal(percent), (project_type, column)
    assert "outsourcing" in table.notes
    # The method's mixed example: 30% non-standard, 70% standard buildings -> 32.1%.
    mixed = Decimal("0.3") * Decimal(rows["non-standard-buildings"]["capital_upper"]) + Decimal(
        "0.7"
    ) * Decimal(rows["standard-buildings"]["capital_upper"])
    assert mixed == Decimal("0.321")


def test_confidence_grades():
    table = TABLES["cba-local-2014"]
    assert table.kind == "confidence-grade"
    grades = {int(row["grade"]): Decimal(row["adjustment"]) for row in table.rows}
    assert grades == {
        1: Decimal("0"),
        2: Decimal("0.05"),
        3: Decimal("0.10"),
        4: Decimal("0.15"),
        5: Decimal("0.25"),
        6: Decimal("0.40"),
    }
    assert all(row["description"] for row in table.rows)
    assert "checked against the guidance" in table.notes


def _vfm_category(bcr: Decimal) -> list[str]:
    """The categories whose bounds contain ``bcr`` (exactly one, if the table is right)."""
    found = []
    for row in TABLES["dft-vfm-categories"].rows:
        ok = True
        if row["lower"]:
            lower = Decimal(row["lower"])
            ok &= bcr >= lower if row["lower_inclusive"] == "true" else bcr > lower
        if row["upper"]:
            upper = Decimal(row["upper"])
            ok &= bcr <= upper if row["upper_inclusive"] == "true" else bcr < upper
        if ok:
            found.append(row["category"])
    return found


def test_vfm_table_is_well_formed():
    table = TABLES["dft-vfm-categories"]
    assert table.kind == "vfm-thresholds"
    assert table.columns == ("category", "lower", "lower_inclusive", "upper", "upper_inclusive")
    for row in table.rows:
        assert row["lower_inclusive"] in ("true", "false")
        assert row["upper_inclusive"] in ("true", "false")


@pytest.mark.parametrize(
    ("bcr", "category"),
    [
        ("-3", "very poor"),
        ("0", "very poor"),
        ("0.000001", "poor"),
        ("0.878221", "poor"),  # the worked check of method §5
        ("0.999999", "poor"),
        ("1", "low"),
        ("1.499999", "low"),
        ("1.5", "medium"),
        ("1.999999", "medium"),
        ("2", "high"),
        ("3.999999", "high"),
        ("4", "very high"),
        ("250", "very high"),
    ],
)
def test_vfm_categories(bcr, category):
    assert _vfm_category(Decimal(bcr)) == [category]


def test_deflator_copy_matches_its_source():
    with SOURCE_DEFLATOR.open(newline="", encoding="utf-8") as handle:
        source = {int(row["year"]): Decimal(row["value"]) for row in csv.DictReader(handle)}
    table = TABLES["hmt-gdp-deflator"]
    assert table.columns == ("year", "index")
    packaged = {int(row["year"]): Decimal(row["index"]) for row in table.rows}
    assert packaged == source
    assert min(packaged) == 1990
    assert max(packaged) == 2024
    assert packaged[2024] == Decimal(100)
    deflator = Deflator.from_table(table)
    assert deflator.uses_calendar_rule
    assert "December 2025" in table.source
    assert "greenbook" in table.source


def test_a_table_that_the_csv_module_cannot_read_is_a_problem(tmp_path):
    # Found by the fuzzing harness: a cell over the csv module's limit raised _csv.Error.
    from totalplace_cases.errors import InputError
    from totalplace_cases.parameters import read_table

    path = tmp_path / "table.csv"
    path.write_text(
        "# table: t\n# kind: deflator\n# source: s\n# vintage: v\nyear,index\n"
        + "2010,"
        + "9" * 200_000
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert "not a readable CSV table" in str(caught.value)
