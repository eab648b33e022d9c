"""Writing values into TOML text that :mod:`tomllib` reads back exactly.

Used where the command fills in a template (``totalplace new-case``): any text a user gives,
quotes, backslashes and control characters included, becomes a valid TOML basic string.
"""

from __future__ import annotations

__all__ = ["toml_string"]

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string, quotes included: ``a"b`` -> ``"a\\"b"``."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
