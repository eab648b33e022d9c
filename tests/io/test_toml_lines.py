"""FieldLines: the line of each field of a TOML file, so that a problem can name its line."""

from __future__ import annotations

import textwrap
import tomllib

import pytest

from totalplace_cases.io.toml_lines import FieldLines

CASE = textwrap.dedent(
    """\
    # A case file (line 1)
    id = "joint-team"
    years = 5
    amounts.total = "7"

    [[costs]]
    agency = "lead-agency"
    amounts = { "2010-11" = "100", "2011-12" = "200" }

    [[costs]]
    agency = "partner-agency"
    kind = "capital"

    [costs.amounts]
    "2012-13" = "300"
    'literal key' = "1"

    [[benefits]]  # a trailing comment
    id = "savings"
    """
)


def lines() -> FieldLines:
    # The text above is valid TOML, as the tests rely on.
    tomllib.loads(CASE)
    return FieldLines(CASE)


def test_top_level_keys():
    assert lines().line_of(("id",)) == 2
    assert lines().line_of(("years",)) == 3


def test_dotted_keys():
    assert lines().line_of(("amounts", "total")) == 4


def test_array_of_tables_headers_are_numbered_from_zero():
    assert lines().line_of(("costs", 0)) == 6
    assert lines().line_of(("costs", 1)) == 10
    assert lines().line_of(("benefits", 0)) == 18


def test_keys_inside_the_first_and_second_array_table():
    assert lines().line_of(("costs", 0, "agency")) == 7
    assert lines().line_of(("costs", 1, "agency")) == 11
    assert lines().line_of(("costs", 1, "kind")) == 12
    assert lines().line_of(("benefits", 0, "id")) == 19


def test_keys_of_an_inline_table_are_on_its_line():
    assert lines().line_of(("costs", 0, "amounts")) == 8
    assert lines().line_of(("costs", 0, "amounts", "2010-11")) == 8
    assert lines().line_of(("costs", 0, "amounts", "2011-12")) == 8


def test_a_sub_table_belongs_to_the_latest_array_table():
    assert lines().line_of(("costs", 1, "amounts")) == 14
    assert lines().line_of(("costs", 1, "amounts", "2012-13")) == 15
    assert lines().line_of(("costs", 1, "amounts", "literal key")) == 16


def test_a_field_without_a_line_takes_its_nearest_enclosing_field():
    # costs[1] has no "description": its problem is reported on the [[costs]] line.
    assert lines().line_of(("costs", 1, "description")) == 10
    assert lines().line_of(("costs", 0, "amounts", "2019-20")) == 8


def test_a_field_that_is_nowhere_has_no_line():
    assert lines().line_of(("title",)) is None
    assert lines().line_of(("realignments", 0, "from")) is None
    assert lines().line_of(()) is None


def test_the_first_of_a_repeated_key_is_kept():
    # (invalid TOML, but lines are found before parsing errors are reported)
    assert FieldLines('id = "a"\nid = "b"\n').line_of(("id",)) == 1


def test_lines_inside_a_multi_line_string_are_not_fields():
    # Notes are free text; a line of a note that looks like a key or a table header must not
    # move the fields that follow it.
    text = textwrap.dedent(
        '''\
        notes = """
        The board agreed:
        start = April 2011, when the pooled budget opens
        [see the annex]
        """
        start = "2011-12"
        years = 5
        '''
    )
    assert tomllib.loads(text)["start"] == "2011-12"
    lines = FieldLines(text)
    assert lines.line_of(("notes",)) == 1
    assert lines.line_of(("start",)) == 6
    assert lines.line_of(("years",)) == 7


def test_escapes_in_quoted_keys_are_decoded_as_toml_decodes_them():
    text = '"a\\"b" = 1\n"\\u00e9t\\u00e9" = 2\n'
    assert set(tomllib.loads(text)) == {'a"b', "été"}
    lines = FieldLines(text)
    assert lines.line_of(('a"b',)) == 1
    assert lines.line_of(("été",)) == 2


def test_nested_inline_tables_are_found_on_their_line():
    text = 'x = 1\nmap = { a = { b = "1", c = [1, 2] }, d = "2" }\n'
    assert tomllib.loads(text)["map"]["a"]["b"] == "1"
    lines = FieldLines(text)
    assert lines.line_of(("map", "a", "b")) == 2
    assert lines.line_of(("map", "a", "c")) == 2
    assert lines.line_of(("map", "d")) == 2


# Lines that made the old regular expressions backtrack: each is a few megabytes of one line.
PATHOLOGICAL = {
    "a header with spaces and no closing bracket": "[a" + " " * 2_000_000 + "x",
    "an inline table of unclosed strings": 'k = { , "a' + ', "a' * 700_000,
    "a bare key without an equals sign": "a" * 3_000_000,
    "dotted keys without an equals sign": "a." * 1_500_000,
    "escaped quotes in a multi-line string": 'n = """' + '\\"""' * 700_000,
    "brackets": "[" * 2_000_000,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_long_hostile_lines_take_linear_time(text, watchdog):
    # Each is read in well under a second; a quadratic scan would take hours.
    with watchdog(30):
        FieldLines(text + "\nid = 1\n")


def test_a_field_path_is_parsed_in_linear_time(watchdog):
    from totalplace_cases.io.fields import parse_path

    assert parse_path('costs[2].amounts."2011-12"') == ("costs", 2, "amounts", "2011-12")
    assert parse_path('a."b\\"c"[10]') == ("a", 'b"c', 10)
    with watchdog(30):
        parse_path('"\\"' * 1_000_000)
