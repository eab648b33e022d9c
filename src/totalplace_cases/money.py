"""Money and fractions as exact decimals, rounded once, at the edge.

Amounts are held as :class:`decimal.Decimal` from the moment they are read. A TOML float is
refused for money because binary floats cannot hold most pence exactly. Rounding to the penny
(half-up, the convention of public-sector accounts) happens only when a figure is shown or
exported.

Every number a case file gives (money, volumes, fractions) is written the same way: ASCII digits,
at most one decimal point with digits on both sides, an optional sign, and, where money allows
them, commas grouping thousands (``"1,500,000.50"``). Exponents (``"1e6"``), underscores,
other scripts' digits, ``NaN`` and infinities are refused. Numbers are also bounded
(:data:`MAX_AMOUNT`, :data:`MAX_VOLUME`, :data:`MAX_DECIMALS`), so that every figure the method
computes from them stays exact and printable.
"""

from __future__ import annotations

import decimal
import re
from decimal import Decimal

from .display import shown
from .errors import TotalPlaceError

__all__ = [
    "MAX_AMOUNT",
    "MAX_DECIMALS",
    "MAX_VOLUME",
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
#: The largest amount of money (either side of zero) a case may give for one line and year:
#: a thousand trillion pounds, hundreds of times the whole of UK public spending in a year.
MAX_AMOUNT = Decimal(10) ** 15
#: The largest volume (a number of units in one line and year): one trillion units.
MAX_VOLUME = Decimal(10) ** 12
#: The most digits any number may have after its decimal point.
MAX_DECIMALS = 18

# Linear: no part of the pattern can match the same text two ways.
_GROUPED = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_PLAIN = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_LONGEST = 80  # characters: longer than any number within the bounds, however written


class MoneyError(TotalPlaceError, ValueError):
    """An amount, fraction or number that cannot be read exactly, or is out of bounds."""


def parse_money(value: object) -> Decimal:
    """Read an amount of money: an integer, or a string like ``"1,200,000.50"`` or ``"£1200"``.

    Floats are refused: quote the figure so that it is read exactly. The amount must lie within
    :data:`MAX_AMOUNT` of zero, with at most :data:`MAX_DECIMALS` decimal places.
    """
    if type(value) is Decimal and value.is_finite() and value.copy_abs() <= MAX_AMOUNT:
        return value  # already read (the models take what the reader gave): the fast way
    if isinstance(value, bool):
        raise MoneyError(f"expected an amount of money, found the boolean {str(value).lower()}")
    if isinstance(value, int | Decimal):
        return _bounded(_exact(value, "an amount of money"), "an amount", MAX_AMOUNT, None)
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
        if len(text) <= _LONGEST and _GROUPED.fullmatch(text):
            return _bounded(Decimal(text.replace(",", "")), "an amount", MAX_AMOUNT, value)
        raise MoneyError(
            f'expected an amount of money like "1200000" or "1,200,000.50", found "{shown(value)}"'
        )
    raise MoneyError(f"expected an amount of money, found {_kind(value)}")


def parse_number(
    value: object,
    what: str = "a number",
    *,
    grouping: bool = True,
    limit: Decimal = MAX_VOLUME,
) -> Decimal:
    """Read a non-money quantity (a volume, a share): integer, string or float, exactly.

    A string is written as money is (without the ``£``); with ``grouping``, commas may group
    thousands (``"1,500"``). A float is read as its shortest decimal form (``0.1`` is exactly
    0.1). The number must lie within ``limit`` of zero, with at most :data:`MAX_DECIMALS`
    decimal places.
    """
    if isinstance(value, bool):
        raise MoneyError(f"expected {what}, found the boolean {str(value).lower()}")
    if isinstance(value, int | Decimal):
        return _bounded(_exact(value, what), "a number", limit, None)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise MoneyError(f"expected {what}, found {value!r}")
        # repr gives the shortest decimal that round-trips, i.e. what the user wrote.
        return _bounded(Decimal(repr(value)), "a number", limit, value)
    if isinstance(value, str):
        text = value.strip()
        pattern = _GROUPED if grouping else _PLAIN
        if len(text) > _LONGEST or not pattern.fullmatch(text):
            leading_point = text.startswith(".") and len(text) <= 20
            hint = f' (write "0{shown(text)}", not "{shown(text)}")' if leading_point else ""
            raise MoneyError(f'expected {what}, found "{shown(value)}"{hint}')
        return _bounded(Decimal(text.replace(",", "")), "a number", limit, value)
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


def _exact(value: int | Decimal, what: str) -> Decimal:
    """An int or Decimal as a finite Decimal (a NaN or infinity is refused)."""
    if isinstance(value, Decimal) and not value.is_finite():
        raise MoneyError(f"expected {what}, found {value}")
    return Decimal(value)


def _bounded(number: Decimal, what: str, limit: Decimal, written: object) -> Decimal:
    """``number`` if it lies within ``limit`` of zero and, when it was ``written`` (as text or
    a float), has at most MAX_DECIMALS decimals.

    A Decimal computed in Python (a plugin's share, 1/3 to 28 digits) is held to the bound on
    size only: the decimals bound keeps what a file says short and exact, not arithmetic.
    """
    if written is not None:
        exponent = number.as_tuple().exponent
        places = 0 if exponent >= -MAX_DECIMALS else _decimal_places(number)  # type: ignore[operator]
        if places > MAX_DECIMALS:
            raise MoneyError(
                f"expected at most {MAX_DECIMALS} digits after the decimal point, found "
                f"{places} in {_quoted(written)}"
            )
    if number.copy_abs() > limit:
        shown_as = _quoted(written) if written is not None else shown(str(number))
        raise MoneyError(f"expected {what} no further from zero than {limit:,}, found {shown_as}")
    return number


def _decimal_places(number: Decimal) -> int:
    """Digits after the point, not counting trailing zeros ("0.50" has 1), exactly."""
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    text = "".join(map(str, digits))
    trailing = len(text) - len(text.rstrip("0"))
    return max(0, -exponent - trailing)


def round_money(amount: Decimal) -> Decimal:
    """Round half-up (away from zero on a tie) to the penny."""
    with decimal.localcontext() as context:
        # Enough digits for any finite amount, so that a large one is rounded, not refused.
        context.prec = max(context.prec, amount.adjusted() + 4)
        return amount.quantize(PENNY, rounding=decimal.ROUND_HALF_UP)


def format_gbp(amount: Decimal, *, pence: bool = True) -> str:
    """``-1234.5`` -> ``-£1,234.50``: rounded half-up at the point of display."""
    if pence:
        rounded = round_money(amount)
    else:
        with decimal.localcontext() as context:
            context.prec = max(context.prec, amount.adjusted() + 4)
            rounded = amount.quantize(Decimal(1), decimal.ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""  # a negative that rounds to zero shows as £0.00
    body = f"{rounded.copy_abs():,.2f}" if pence else f"{rounded.copy_abs():,.0f}"
    return f"{sign}£{body}"


def money_str(amount: Decimal) -> str:
    """The JSON form of money: a string with two decimals, rounded half-up."""
    rounded = round_money(amount)
    return f"{rounded if rounded else rounded.copy_abs():.2f}"  # never "-0.00"


def _quoted(value: object) -> str:
    return f'"{shown(value)}"' if isinstance(value, str) else shown(repr(value))


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {shown(repr(value))}"
