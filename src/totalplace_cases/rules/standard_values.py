"""Built-in plugin: the Green Book's standard values, cited on benefit lines as ``gb:KEY``.

The values come from the parameter tables of kind ``standard-values`` shipped in
``totalplace_cases/data`` (each with its publication, price year and vintage), and are
registered as unit costs: ``unit_cost = "gb:qaly"`` with ``volumes`` values a line like any other
unit cost, uprated from the value's price year to the case's price base with the deflator
(method §17). Only values checked against their publisher's own words are shipped; each table's
``notes`` say what was checked and what was left out.

A programme office that has a verified table of its own (carbon values by year, say) registers
it the same way from its own plugin, with :func:`unit_costs_from_table`.

Lines valued in QALYs or lives take the discount schedule their table names (the Green Book's
health rate) through ``totalplace_line_defaults``; the appraisal honours a line's schedule once
per-line schedules exist (issue 7), until then the case's schedule applies.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

from ..errors import InputError, Problem
from ..parameters import ParameterTable, builtin_tables
from ..periods import FinancialYear, PeriodError, parse_year
from ..pluginmarker import hookimpl
from ..registry import UnitCost

__all__ = ["KIND", "PREFIX", "health_schedule_for", "unit_costs_from_table"]

KIND = "standard-values"
PREFIX = "gb"
COLUMNS = ("key", "year", "value", "unit", "price_year", "schedule", "reference")
_CALENDAR = re.compile(r"^\d{4}$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _year(text: str) -> int | FinancialYear:
    """A calendar year written ``2010`` (an int) or a financial year written ``2010-11``."""
    if _CALENDAR.match(text):
        return int(text)
    return parse_year(text)


def unit_costs_from_table(table: ParameterTable, prefix: str = PREFIX) -> list[UnitCost]:
    """The unit costs ``prefix:KEY`` a ``standard-values`` table gives, one per key.

    A key with one row and an empty ``year`` has one value for every year; a key with a row per
    ``year`` is a series (all calendar years like ``2025`` or all financial years like
    ``2025-26``). Every problem is reported together, naming the table's file, row and column.
    """
    problems: list[Problem] = []

    def problem(row: int, column: str | None, message: str) -> None:
        where = f"table '{table.name}', row {row}" + (f", column {column}" if column else "")
        problems.append(Problem(f"{where}: {message}", file=table.origin or None))

    if table.kind != KIND:
        problem(0, None, f"expected kind '{KIND}', found '{table.kind}'")
        raise InputError(problems)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        problem(0, None, f"missing columns {', '.join(missing)}; expected {','.join(COLUMNS)}")
        raise InputError(problems)

    groups: dict[str, list[tuple[int, dict]]] = {}
    for number, row in enumerate(table.rows, start=1):
        if not _KEY.match(row["key"]):
            found = row["key"]
            problem(number, "key", f"expected a key like 'qaly' or 'carbon-low', found {found!r}")
            continue
        try:
            value = Decimal(row["value"])
            if not value.is_finite() or value < 0:
                raise InvalidOperation
        except InvalidOperation:
            problem(number, "value", f"expected an amount of 0 or more, found {row['value']!r}")
            continue
        parsed = dict(row, value=value)
        for column in ("price_year", "year"):
            if column == "year" and not row["year"]:
                parsed["year"] = None
                continue
            try:
                parsed[column] = _year(row[column])
            except PeriodError:
                problem(
                    number,
                    column,
                    f'expected a calendar year like "2010" or a financial year like "2010-11", '
                    f"found {row[column]!r}",
                )
                break
        else:
            groups.setdefault(row["key"], []).append((number, parsed))

    costs: list[UnitCost] = []
    for key, rows in groups.items():
        first_number, first = rows[0]
        for number, row in rows[1:]:
            for column in ("unit", "price_year", "schedule"):
                if row[column] != first[column]:
                    problem(
                        number,
                        column,
                        f"every row of '{key}' must have the same {column}: row {first_number} "
                        f"has {first[column]!r}, this row {row[column]!r}",
                    )
        years = [row["year"] for _, row in rows]
        if None in years and len(rows) > 1:
            message = f"'{key}' has a row with no year: give one row, or a year on every row"
            problem(rows[1][0], "year", message)
            continue
        if len({type(y) for y in years}) > 1:
            problem(first_number, "year", f"the years of '{key}' mix calendar and financial years")
            continue
        if len(set(years)) < len(years):
            problem(first_number, "year", f"a year of '{key}' appears more than once")
            continue
        series = (
            ()
            if years == [None]
            else tuple(sorted(((row["year"], row["value"]) for _, row in rows), key=_order))
        )
        costs.append(
            UnitCost(
                key=f"{prefix}:{key}",
                value=None if series else first["value"],
                price_year=first["price_year"],
                description=table.title,
                unit=first["unit"],
                source=f"{first['reference']} [table '{table.name}']",
                by_year=series,
            )
        )
    if problems:
        raise InputError(problems)
    return costs


def _order(pair: tuple) -> int:
    year = pair[0]
    return year if isinstance(year, int) else year.start_year


@functools.cache
def _builtin() -> tuple[tuple[UnitCost, ...], dict[str, str]]:
    """The shipped standard values, and the discount schedule each table row names."""
    costs: list[UnitCost] = []
    schedules: dict[str, str] = {}
    for table in builtin_tables():
        if table.kind != KIND:
            continue
        costs += unit_costs_from_table(table)
        schedules.update(
            {f"{PREFIX}:{row['key']}": row["schedule"] for row in table.rows if row["schedule"]}
        )
    return tuple(costs), schedules


def health_schedule_for(unit_cost: str | None) -> str | None:
    """The discount schedule the Green Book applies to a shipped standard value, if any.

    ``"green-book-health"`` for values of health and life (a QALY, a prevented fatality), whose
    benefits the Green Book discounts at its health rate; None for anything else.
    """
    return _builtin()[1].get(unit_cost or "")


@hookimpl
def totalplace_register_unit_costs(register):
    for cost in _builtin()[0]:
        register(cost)


@hookimpl
def totalplace_line_defaults(line, context):
    # Hook point for issue 15's "lines valued in QALYs or lives default to the health discount
    # rate": the appraisal reads a per-line discount_schedule once issue 7 adds it.
    schedule = health_schedule_for(getattr(line, "unit_cost", None))
    return {"discount_schedule": schedule} if schedule else None
