"""Showing text that came from a user, so that it cannot act on a terminal or a layout.

Titles, ids, names, notes and the values echoed in error messages come from files anyone may
have written. They may hold control characters: a terminal escape sequence (``ESC [ 31 m``
colours the screen, ``ESC ] 0 ; ... BEL``, an OSC, sets the window title or a hyperlink), a
carriage return that overwrites the line already shown, or a bidirectional override that shows
text in another order than it is stored. So everything the command prints passes through
:func:`clean`, and every value a message echoes through :func:`shown`, which also shortens it
to a readable length. Both escape rather than drop, so that what was in the file stays visible.

The same text reaches other readers, each made inert for it here, in one place. A file is
read with ``cat`` or opened in a viewer as often as in the program it was made for, so in every
file the control characters are written out as :func:`clean` writes them (a line break, and a
tab where the format allows one, are kept) and the text stays visible:

- a spreadsheet (CSV and Excel): a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return would be read as a formula; :func:`formula_safe` writes it with a
  leading apostrophe, which spreadsheets take as "this is text", and :func:`sheet_text` does
  that to text whose control characters it has written out;
- Markdown: :func:`markdown_text` writes out control characters, escapes every character
  Markdown would interpret and puts the text on one line;
- HTML: the templates escape everything (Jinja2's autoescape), after :func:`clean` has written
  out the control characters (which are not allowed in HTML text, even as a character
  reference).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ECHO_LIMIT",
    "FORMULA_STARTS",
    "clean",
    "control_characters",
    "formula_safe",
    "json_safe",
    "markdown_text",
    "one_line",
    "sheet_text",
    "shown",
]

#: The most characters of a value that a message echoes.
ECHO_LIMIT = 60

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 controls, DEL and C1 controls (U+009B is a one-character CSI, U+009D an OSC), the Unicode
# line and paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
_CONTROL = [
    *range(0x00, 0x20),
    0x7F,
    *range(0x80, 0xA0),
    0x061C,
    0x200E,
    0x200F,
    0x2028,
    0x2029,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]


def _escape(code: int) -> str:
    # C0 controls as \x1b, familiar from Python and terminals; the rest as \u009b, which JSON
    # and TOML read back as the same character, so cleaning JSON text leaves it valid JSON.
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"


_ALL = {code: _escape(code) for code in _CONTROL}
# Whole outputs keep their layout: line breaks and tabs pass, everything else is escaped;
# a table's text keeps only its line breaks (a tab would break its columns).
_LAYOUT = {code: text for code, text in _ALL.items() if chr(code) not in "\n\t"}
_TABLE = {code: text for code, text in _ALL.items() if chr(code) != "\n"}
_CONTROL_CHARS = frozenset(chr(code) for code in _CONTROL)
# JSON escapes U+0000-U+001F itself; the rest are written as \u escapes, which parse the same.
_JSON = {code: f"\\u{code:04x}" for code in _CONTROL if code >= 0x20}


def control_characters(text: str) -> list[str]:
    """The control characters in ``text`` (as :func:`clean` would escape them), in order."""
    return [_ALL[ord(c)] for c in text if c in _CONTROL_CHARS]


def clean(text: str, *, tabs: bool = True) -> str:
    """``text`` with every control character escaped, except line breaks and (unless
    ``tabs`` is False, as for a table laid out in columns) tabs.

    For whole outputs (tables, reports, messages) whose layout is the program's own.
    """
    return text.translate(_LAYOUT if tabs else _TABLE)


def one_line(value: object) -> str:
    """``value`` as text on one line, every control character escaped (for a table's cell)."""
    return ("" if value is None else str(value)).translate(_ALL)


def json_safe(text: str) -> str:
    """JSON text (from :func:`json.dumps`) with no control character left raw in it."""
    return text.translate(_JSON)


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """A value as a message echoes it: on one line, control characters escaped, shortened.

    ``shown("a\\x1b[31mb")`` is ``a\\x1b[31mb`` with the escape written out; a string longer
    than ``limit`` keeps its start and says how long it was.
    """
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        head = text[:limit].translate(_ALL)
        return f"{head}... ({len(text):,} characters)"
    return text.translate(_ALL)


#: The first characters that make a spreadsheet read a cell as a formula (or a command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> str:
    """Text a spreadsheet will not run: a leading apostrophe before a formula's first
    character (``None`` is the empty cell)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sheet_text(value: object) -> str:
    """A spreadsheet's (CSV or Excel) text cell: control characters written out as
    :func:`clean` writes them (line breaks and tabs kept), and not a formula
    (:func:`formula_safe`). ``None`` is the empty cell."""
    return formula_safe(None if value is None else clean(str(value)))


# Inline Markdown (CommonMark and GitHub's tables): escapes, code spans, emphasis,
# strikethrough, links and images, HTML and entities, table cells, and a heading's closing #s.
# List markers, block quotes and setext underlines only act at the start of a line, which
# text shown by markdown_text() never has.
_MARKDOWN_ESCAPES = {ord(c): "\\" + c for c in "\\`*_~[]<>&|#"}


def markdown_text(value: Any) -> str:
    r"""``value`` as literal Markdown on one line: ``<b>`` shows as <b>, ``a*b*`` as a*b*, ``|``
    stays in its table cell, line breaks become spaces, and a control character is written out
    as :func:`clean` writes it (an ESC is written ``\\x1b``, which Markdown shows as ``\x1b``)."""
    return " ".join(clean(str(value)).splitlines()).translate(_MARKDOWN_ESCAPES)
