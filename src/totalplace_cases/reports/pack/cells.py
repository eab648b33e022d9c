"""How a cell of the pack is shown, and how text from a file is made inert in each format.

Figures are rounded once, here, as they are shown: money half-up to the penny (or to £k or £m
when asked), ratios to two places. Negative amounts are shown in brackets, as accounts show
them: ``(£18,996,942.75)``.

Text comes from files anyone may have written (a case title, an agency name, a plugin's note),
so each format makes it inert:

- spreadsheets (CSV and Excel): a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return would be read as a formula by a spreadsheet program; it is written
  with a leading apostrophe, which spreadsheets take as "this is text" (:func:`formula_safe`);
- Markdown: every character Markdown would interpret is escaped, and line breaks become
  spaces (:func:`markdown_text`);
- HTML: the templates escape everything (Jinja2's autoescape);
- terminal: control characters are written out as escapes (:func:`clean`).
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from ...money import round_money

__all__ = [
    "FORMULA_STARTS",
    "UNITS",
    "clean",
    "format_cell",
    "format_money",
    "formula_safe",
    "markdown_text",
]

#: The first characters that make a spreadsheet read a cell as a formula (or a command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Units money may be shown in: divisor, places, suffix.
UNITS: dict[str, tuple[Decimal, int, str]] = {
    "": (Decimal(1), 2, ""),
    "k": (Decimal(1000), 0, "k"),
    "m": (Decimal(1_000_000), 2, "m"),
}


def format_money(amount: Decimal, units: str = "") -> str:
    """``-1234.5`` -> ``(£1,234.50)``; in ``k`` -> ``(£1k)``, in ``m`` -> ``(£0.00m)``.

    Rounded half-up once, at this point; a negative that rounds to zero shows as £0.00.
    """
    divisor, places, suffix = UNITS[units]
    scaled = amount if divisor == 1 else amount / divisor
    rounded = (
        round_money(scaled)
        if places == 2
        else scaled.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
    )
    body = f"£{abs(rounded):,.{places}f}{suffix}"
    return f"({body})" if rounded < 0 else body


def format_cell(value: Any, kind: str, units: str = "") -> str:
    """A cell as text for a reader: money, ratios, percentages and counts formatted; an
    undefined figure as ``n/a``; text as given."""
    if value is None:
        return "" if kind == "text" else "n/a"
    if kind == "money":
        return format_money(Decimal(value), units)
    if kind in ("ratio", "number"):
        return f"{Decimal(str(value)).quantize(Decimal('0.01'), decimal.ROUND_HALF_UP):,}"
    if kind == "decimal":
        return str(value)
    if kind == "percent":
        scaled = (Decimal(value) * 100).quantize(Decimal("0.1"), decimal.ROUND_HALF_UP)
        return f"{scaled}%"
    if kind == "integer":
        return f"{value:,}"
    return str(value)


def formula_safe(text: str) -> str:
    """Text a spreadsheet will not run: a leading apostrophe before a formula's first character."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Inline Markdown (CommonMark and GitHub tables): escapes, code spans, emphasis, strikethrough,
# links and images, HTML and entities, table cells, and a heading's closing #s.
_MARKDOWN_ESCAPES = {ord(c): "\\" + c for c in "\\`*_~[]<>&|#"}


def markdown_text(value: Any) -> str:
    """``value`` as literal Markdown on one line: ``<b>`` shows as <b>, ``|`` stays in its cell."""
    return " ".join(str(value).splitlines()).translate(_MARKDOWN_ESCAPES)


# C0 and C1 controls, DEL, the line and paragraph separators and the bidirectional controls.
_CONTROL = [
    *range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029,
    *range(0x202A, 0x202F), *range(0x2066, 0x206A),
]  # fmt: skip
_ESCAPED = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in _CONTROL
    if chr(code) not in "\n"
}


def clean(text: str) -> str:
    """Text for a terminal: every control character written out (``\\x1b``), line breaks kept."""
    return text.translate(_ESCAPED)
