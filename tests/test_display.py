"""Showing user text: control characters escaped, echoed values shortened, and text made inert
for a spreadsheet (no formulas) and for Markdown (nothing interpreted)."""

from __future__ import annotations

import pytest

from totalplace_cases.display import (
    ECHO_LIMIT,
    clean,
    control_characters,
    formula_safe,
    markdown_text,
    sheet_text,
    shown,
)

# An OSC sequence that would set the terminal's title, a CSI colour, a one-character C1 CSI,
# a carriage return that overwrites the line, and a right-to-left override.
HOSTILE = "a\x1b]0;owned\x07b\x1b[31mc\x9b2Jd\re\u202ef"


@pytest.mark.parametrize("show", [clean, shown])
def test_no_control_character_survives(show):
    text = show(HOSTILE, 1000) if show is shown else show(HOSTILE)
    assert not control_characters(text)
    assert all(c not in text for c in "\x1b\x07\x9b\r\u202e")
    # What was there stays visible, written out.
    assert "\\x1b]0;owned\\x07" in text
    assert "\\u009b" in text and "\\r" in text and "\\u202e" in text


def test_clean_keeps_the_layout_of_a_whole_output():
    assert clean("a\tb\nc") == "a\tb\nc"


def test_clean_for_a_table_writes_out_tabs_too():
    # A tab inside a table's text would break its columns; line breaks are the table's own.
    assert clean("a\tb\nc\x1b", tabs=False) == "a\\tb\nc\\x1b"


@pytest.mark.parametrize(
    "text, safe",
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+44 1622", "'+44 1622"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Kent = 1", "Kent = 1"),  # only the first character matters
        ("", ""),
        (None, ""),
    ],
)
def test_formula_safe_quotes_what_a_spreadsheet_would_run(text, safe):
    assert formula_safe(text) == safe


def test_markdown_text_escapes_what_markdown_interprets_on_one_line():
    assert markdown_text("# *a* _b_ `c` ~d~ [e](f) <g> &h; |i| \\j\nk") == (
        "\\# \\*a\\* \\_b\\_ \\`c\\` \\~d\\~ \\[e\\](f) \\<g\\> \\&h; \\|i\\| \\\\j k"
    )
    assert markdown_text(12) == "12"


def test_markdown_text_writes_out_control_characters_so_markdown_shows_them():
    # ESC [ 2 J clears a screen; in the file it is \\x1b\[2J, which Markdown shows as \x1b[2J.
    assert markdown_text("a\x1b[2J\x07\rb\x9b") == r"a\\x1b\[2J\\x07\\rb\\u009b"
    assert not control_characters(markdown_text(HOSTILE))


@pytest.mark.parametrize(
    "text, cell",
    [
        ("a\x1b[31mb", r"a\x1b[31mb"),
        ("=1+1\x07", r"'=1+1\x07"),  # still no formula
        ("\r=1", r"\r=1"),  # a CR written out: the cell starts with a backslash, not a formula
        ("\t=1", "'\t=1"),  # tabs and line breaks are a cell's own, kept
        ("a\nb", "a\nb"),
        ("\x9b2J", r"\u009b2J"),
        (None, ""),
    ],
)
def test_sheet_text_writes_out_control_characters_and_is_never_a_formula(text, cell):
    assert sheet_text(text) == cell


def test_shown_puts_a_value_on_one_line():
    assert shown("two\nlines\tand a tab") == "two\\nlines\\tand a tab"


def test_shown_shortens_a_long_value_and_says_how_long_it_was():
    text = shown("x" * 10_000)
    assert text.startswith("x" * ECHO_LIMIT)
    assert "10,000 characters" in text
    assert len(text) < ECHO_LIMIT + 40


def test_shown_echoes_other_values_by_their_repr():
    assert shown(1.5) == "1.5"
    assert shown(None) == "None"


def test_ordinary_text_is_unchanged():
    text = "Kent Total Place: £8.3bn, café, 東京, emoji \U0001f600"
    assert clean(text) == text
    assert shown(text, 1000) == text
