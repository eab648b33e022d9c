"""Built-in plugin: the parameter tables shipped in ``totalplace_cases/data``.

Green Book discount schedules, optimism-bias bounds, the local partnerships' confidence grades,
DfT value-for-money thresholds and HM Treasury's GDP deflator, each with its source and vintage.
"""

from __future__ import annotations

from ..parameters import builtin_tables
from ..plugin import hookimpl


@hookimpl
def totalplace_register_tables(register):
    for table in builtin_tables():
        register(table)
