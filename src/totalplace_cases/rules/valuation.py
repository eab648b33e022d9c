"""Built-in plugin: the standard valuation of benefit lines (method §4).

Registered last among the built-ins' valuation rules, so any other plugin's rule for a line is
tried first; this one values every line that gives amounts, a unit value or a unit cost.
"""

from __future__ import annotations

from ..method.valuation import standard_valuation
from ..plugin import hookimpl


@hookimpl(trylast=True)
def totalplace_value_benefit(line, context):
    return standard_valuation(line, context)
