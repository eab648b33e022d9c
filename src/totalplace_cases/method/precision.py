"""The one decimal context every figure of the method is computed in (method §12).

Price conversions, discount factors, adjustments and sums all run at 60 significant digits with
banker's rounding, whatever decimal context the caller has set: a user who changed Python's
default context gets the same figures. Each discounted term is kept to 1e-12 of a pound
(:data:`TERM`), far below the penny, so that sums of terms are exact in any grouping.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

__all__ = ["CONTEXT", "ONE", "PRECISION", "TERM", "ZERO", "exact"]

#: Significant digits of every decimal operation of the method.
PRECISION = 60
#: The context itself; :func:`exact` enters a copy of it, so it is never changed.
CONTEXT = Context(
    prec=PRECISION,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
#: Each discounted term (one line, one agency's share, one year) is quantized to this.
TERM = Decimal("1e-12")
ZERO = Decimal(0)
ONE = Decimal(1)


def exact() -> AbstractContextManager:
    """Enter the method's decimal context: ``with exact(): ...``."""
    return localcontext(CONTEXT)
