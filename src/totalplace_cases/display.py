"""Showing text that came from a user, so that it cannot act on a terminal or a layout.

Titles, ids, names, notes and the values echoed in error messages come from files anyone may
have written. They may hold control characters: a terminal escape sequence (``ESC [ 31 m``
colours the screen, ``ESC ] 0 ; ... BEL``, an OSC, sets the window title or a hyperlink), a
carriage return that overwrites the line already shown, or a bidirectional override that shows
text in another order than it is stored. So everything the command prints passes through
:func:`clean`, and every value a message echoes through :func:`shown`, which also shortens it
to a readable length. Both escape rather than drop, so that what was in the file stays visible.
"""

from __future__ import annotations

__all__ = ["ECHO_LIMIT", "clean", "control_characters", "json_safe", "one_line", "shown"]

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
# Whole outputs keep their layout: line breaks and tabs pass, everything else is escaped.
_LAYOUT = {code: text for code, text in _ALL.items() if chr(code) not in "\n\t"}
_CONTROL_CHARS = frozenset(chr(code) for code in _CONTROL)
# JSON escapes U+0000-U+001F itself; the rest are written as \u escapes, which parse the same.
_JSON = {code: f"\\u{code:04x}" for code in _CONTROL if code >= 0x20}


def control_characters(text: str) -> list[str]:
    """The control characters in ``text`` (as :func:`clean` would escape them), in order."""
    return [_ALL[ord(c)] for c in text if c in _CONTROL_CHARS]


def clean(text: str) -> str:
    """``text`` with every control character escaped, except line breaks and tabs.

    For whole outputs (tables, reports, messages) whose layout is the program's own.
    """
    return text.translate(_LAYOUT)


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
