"""Money and fractions as exact decimals, rounded once, at the edge.

Amounts are held as :class:`decimal.Decimal` from the moment they are read. A TOML float is
refused for money because binary floats cannot hold most pence exactly. Rounding to the penny
(half-up, the convention of public-sector accounts) happens only when a figure is shown or
exported.
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal

__all__ = [
    "PENNY",
    "MoneyError",
    "format_gbp",
    "parse_fraction",
    "parse_money",
    "parse_number",
    "parse_uplift",
    "round_money",
]

PENNY = Decimal("0.01")
_MONEY_RE = re.compile(r"^[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$")


class MoneyError(ValueError):
    """An amount or fraction that cannot be read exactly."""


def parse_money(value: object) -> Decimal:
    """Read an amount of money: an integer, or a string like ``"1,200,000.50"`` or ``"£1200"``.

    Floats are refused: quote the figure so that it is read exactly.
    """
    if isinstance(value, bool):
        raise MoneyError(f"expected an amount of money, found the boolean {str(value).lower()}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise MoneyError(
            f"expected an amount of money as a string or integer, found the float {value!r}; "
            f'quote it (e.g. "{value!r}"), because floats are inexact'
        )
    if isinstance(value, str):
        text = value.strip()
        sign = text[0] if text[:2] in ("-£", "+£") else ""
        text = text[len(sign) :]
        text = sign + (text[1:].lstrip() if text.startswith("£") else text)
        if _MONEY_RE.match(text):
            return Decimal(text.replace(",", ""))
        raise MoneyError(
            f'expected an amount of money like "1200000" or "1,200,000.50", found "{value}"'
        )
    raise MoneyError(f"expected an amount of money, found {_kind(value)}")


def parse_number(value: object, what: str = "a number", *, grouping: bool = True) -> Decimal:
    """Read a non-money quantity (a volume, a share): integer, string or float, exactly.

    With ``grouping``, a string may use commas as thousands separators ("1,500").
    """
    if isinstance(value, bool):
        raise MoneyError(f"expected {what}, found the boolean {str(value).lower()}")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise MoneyError(f"expected {what}, found {value!r}")
        # repr gives the shortest decimal that round-trips, i.e. what the user wrote.
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if "," in text:
            # Thousands separators only, as in money ("1,500"); "1,5" is not a number here.
            if not grouping or not _MONEY_RE.match(text):
                raise MoneyError(f'expected {what}, found "{value}"')
            text = text.replace(",", "")
        try:
            number = Decimal(text)
        except decimal.InvalidOperation:
            raise MoneyError(f'expected {what}, found "{value}"') from None
        if not number.is_finite():
            raise MoneyError(f'expected {what}, found "{value}"')
        return number
    raise MoneyError(f"expected {what}, found {_kind(value)}")


def parse_fraction(value: object) -> Decimal:
    """Read a fraction in [0, 1] (deadweight, optimism bias...): a string or a number."""
    number = parse_number(value, "a fraction between 0 and 1", grouping=False)
    if not 0 <= number <= 1:
        raise MoneyError(f"expected a fraction between 0 and 1, found {_quoted(value)}")
    return number


def parse_uplift(value: object) -> Decimal:
    """Read an uplift on costs (optimism bias): a fraction of 0 or more, with no upper bound.

    The Green Book's own upper bound for equipment and development capital is 200%, and its
    supplementary guidance says upper bounds are not the highest possible values, so ``"2.0"``
    (costs tripled) is as valid as ``"0.15"``.
    """
    number = parse_number(value, "an uplift (a fraction, 0 or more)", grouping=False)
    if number < 0:
        raise MoneyError(f"expected an uplift of 0 or more (0.15 for 15%), found {_quoted(value)}")
    return number


def round_money(amount: Decimal) -> Decimal:
    """Round half-up (away from zero on a tie) to the penny."""
    return amount.quantize(PENNY, rounding=decimal.ROUND_HALF_UP)


def format_gbp(amount: Decimal, *, pence: bool = True) -> str:
    """``-1234.5`` -> ``-£1,234.50``: rounded half-up at the point of display."""
    rounded = round_money(amount) if pence else amount.quantize(Decimal(1), decimal.ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""  # a negative that rounds to zero shows as £0.00
    body = f"{abs(rounded):,.2f}" if pence else f"{abs(rounded):,.0f}"
    return f"{sign}£{body}"


def money_str(amount: Decimal) -> str:
    """The JSON form of money: a string with two decimals, rounded half-up."""
    rounded = round_money(amount)
    return f"{rounded if rounded else abs(rounded):.2f}"  # never "-0.00"


def _quoted(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"
