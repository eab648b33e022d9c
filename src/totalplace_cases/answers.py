"""What each hook may answer, checked before the answer is used.

Every hook's contract (docs/plugins.md, "The hooks") is checked here, in one place: the type of
the answer (a list where a list is promised), its contents (Decimals, not floats; agency ids that
exist in the programme; shares that add up to one; grades in the table), and what a plugin gives
``register``. A check that fails raises :class:`BadAnswer` with what was expected and what was
found; the host turns it into a :class:`~totalplace_cases.errors.PluginError` naming the plugin
and the hook, so a bad answer never reaches the arithmetic.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from .errors import Problem, TotalPlaceError
from .models import CostLine
from .money import MoneyError, parse_fraction, parse_uplift
from .parameters import TABLE_KINDS, ParameterTable
from .periods import FinancialYear
from .plugin import EvidenceTable, OutputFormat, UnitCost, Valuation

__all__ = [
    "BENEFIT_DEFAULTS",
    "COST_DEFAULTS",
    "SHARE_TOLERANCE",
    "BadAnswer",
    "check_answer",
    "check_entry",
]

#: The fields ``totalplace_line_defaults`` may give, for each kind of line. ``discount_schedule``
#: (a benefit line's own schedule, e.g. the health rate for QALYs; costs are discounted at the
#: case's rate) is checked to name a registered discount schedule.
COST_DEFAULTS = (
    "optimism_bias",
    "confidence",
    "project_type",
    "project_types",
    "mitigation",
)
BENEFIT_DEFAULTS = (
    "deadweight",
    "displacement",
    "attribution",
    "drop_off",
    "optimism_bias",
    "confidence",
    "discount_schedule",
)
_FRACTIONS = {
    "optimism_bias",
    "mitigation",
    "deadweight",
    "displacement",
    "attribution",
    "drop_off",
}

#: How far shares may add up from exactly 1: the rounding of a 28-digit division, and far below
#: a penny on any amount, while a share lost or counted twice (0.99, 1.01) is refused.
SHARE_TOLERANCE = Decimal("1e-15")


class BadAnswer(Exception):
    """An answer that breaks its hook's contract; the message says what was expected."""


def _kind(value: Any) -> str:
    """A short description of a value for a message: its type and a shortened repr."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def _closest(word: str, choices: Any) -> str:
    found = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{found[0]}'?)" if found else ""


def _exact(value: Any, what: str) -> Decimal:
    """An exact number: a finite Decimal or an int; never a float or a bool."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise BadAnswer(f"{what} is {value}, not a finite number")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        raise BadAnswer(f"{what} is the float {value!r}; give a Decimal (floats are inexact)")
    raise BadAnswer(f"{what}: expected a Decimal, found {_kind(value)}")


def _fraction(value: Any, what: str) -> Decimal:
    """A fraction in [0, 1] given as a Decimal, an int or a string ("0.25"); not a float."""
    if isinstance(value, float):
        raise BadAnswer(f'{what} is the float {value!r}; give a Decimal or a string ("0.25")')
    try:
        return parse_fraction(value)
    except MoneyError as exc:
        raise BadAnswer(f"{what}: {exc}") from None


def _uplift(value: Any, what: str) -> Decimal:
    """An uplift on costs, 0 or more (the Green Book's 200%, say), as a Decimal, an int or a
    string; not a float."""
    if isinstance(value, float):
        raise BadAnswer(f'{what} is the float {value!r}; give a Decimal or a string ("1.5")')
    try:
        return parse_uplift(value)
    except MoneyError as exc:
        raise BadAnswer(f"{what}: {exc}") from None


def check_shares(shares: Any, what: str) -> None:
    """``(label, fraction)`` pairs, each fraction in [0, 1], adding up to one."""
    if not isinstance(shares, tuple | list):
        raise BadAnswer(f"{what}: expected (label, fraction) pairs, found {_kind(shares)}")
    total = Decimal(0)
    for pair in shares:
        if not (isinstance(pair, tuple | list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise BadAnswer(f"{what}: expected (label, fraction) pairs, found {_kind(pair)}")
        total += _fraction(pair[1], f"{what}: the share of '{pair[0]}'")
    if shares and abs(total - 1) > SHARE_TOLERANCE:
        raise BadAnswer(f"{what} add up to {total}, expected 1")


# -- answers ---------------------------------------------------------------------------------


def _nothing(value: Any, **_: Any) -> None:
    raise BadAnswer(
        f"expected nothing (call register(...) for each entry instead), got {_kind(value)}"
    )


def _list_of(value: Any, cls: type, what: str) -> list[Any]:
    if isinstance(value, cls):
        raise BadAnswer(
            f"expected None or a list of {what}, got a single {cls.__name__}: return it in a list"
        )
    if not isinstance(value, list | tuple):
        raise BadAnswer(f"expected None or a list of {what}, got {_kind(value)}")
    for item in value:
        if not isinstance(item, cls):
            raise BadAnswer(f"expected a list of {what}, got an item {_kind(item)}")
    return list(value)


def _line_defaults(value: Any, *, line: Any, context: Any, **_: Any) -> None:
    if not isinstance(value, Mapping):
        raise BadAnswer(f"expected None or a mapping of field to value, got {_kind(value)}")
    kind, allowed = (
        ("cost", COST_DEFAULTS)
        if isinstance(line, CostLine)
        else (
            "benefit",
            BENEFIT_DEFAULTS,
        )
    )
    for key, given in value.items():
        if key not in allowed:
            raise BadAnswer(
                f"'{key}' is not a default for a {kind} line{_closest(str(key), allowed)}; "
                f"expected any of {', '.join(allowed)}"
            )
        what = f"the default {key}"
        if kind == "cost" and key == "optimism_bias":  # an uplift on costs may exceed 1
            _uplift(given, what)
        elif key in _FRACTIONS:
            _fraction(given, what)
        elif key == "confidence":
            _grade(given, context, what)
        elif key == "discount_schedule":
            _schedule(given, context, what)
        elif key == "project_type":
            types = {given: Decimal(1)} if isinstance(given, str) else given
            _project_types(types, context, what, kind=line.kind)
        else:
            _project_types(given, context, what, kind=line.kind)


def _table_rows(context: Any, setting: str, kind: str) -> ParameterTable | None:
    try:
        return context.rules.registry.table(getattr(context.settings, setting), kind)
    except TotalPlaceError:
        return None  # the missing table is reported against the programme's [settings]


def _grade(value: Any, context: Any, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadAnswer(f"{what}: expected a whole-number grade, found {_kind(value)}")
    table = _table_rows(context, "confidence_table", "confidence-grade")
    grades = [row["grade"] for row in table.rows] if table else []
    if table is not None and str(value) not in grades:
        raise BadAnswer(
            f"{what}: grade {value} is not in table '{table.name}' (grades {', '.join(grades)})"
        )


def _schedule(value: Any, context: Any, what: str) -> None:
    if not isinstance(value, str):
        raise BadAnswer(f"{what}: expected the name of a discount schedule, found {_kind(value)}")
    try:
        context.rules.registry.table(value, "discount-schedule")
    except TotalPlaceError as exc:
        raise BadAnswer(f"{what}: {exc}") from None


def _project_types(value: Any, context: Any, what: str, *, kind: str | None = None) -> None:
    """Known project types, shares adding up to 1, and (with the cost line's ``kind``) bounds
    for that kind of cost: a default the line's own field could not take is the plugin's."""
    if not isinstance(value, Mapping) or not value:
        raise BadAnswer(
            f"{what}: expected a project type, or a mapping of project type to share, "
            f"found {_kind(value)}"
        )
    table = _table_rows(context, "optimism_bias_table", "optimism-bias")
    known = [row["project_type"] for row in table.rows] if table else []
    total = Decimal(0)
    for name, share in value.items():
        if not isinstance(name, str) or (table is not None and name not in known):
            raise BadAnswer(
                f"{what}: unknown project type {_kind(name)}{_closest(str(name), known)}"
            )
        total += _fraction(share, f"{what}: the share of '{name}'")
    if total != 1:
        raise BadAnswer(f"{what}: the shares add up to {total}, expected 1")
    kinds = {row["project_type"]: row.get("cost_kind") for row in table.rows} if table else {}
    for name in value:
        applies = kinds.get(name)
        if kind is not None and applies and applies != kind:
            fitting = sorted(n for n, k in kinds.items() if k in (kind, "", None))
            raise BadAnswer(
                f"{what}: the bound of project type '{name}' is for {applies} costs, and this "
                f"is a {kind} line; project types for {kind} lines: "
                f"{', '.join(fitting) or 'none in the table'}"
            )


def _valuation(value: Any, *, line: Any, context: Any, **_: Any) -> None:
    if not isinstance(value, Valuation):
        raise BadAnswer(f"returned {type(value).__name__}, expected a Valuation (or None)")
    what = f"the valuation of benefit '{line.id}'"
    if not isinstance(value.gross, Mapping):
        raise BadAnswer(f"{what}: gross must map years to values, found {_kind(value.gross)}")
    case = context.case
    first = case.start.start_year
    last = first + case.years - 1
    for year, amount in value.gross.items():  # checked for every line: kept cheap
        if not isinstance(year, FinancialYear):
            raise BadAnswer(f"{what}: expected FinancialYear keys, found {_kind(year)}")
        if not first <= year.start_year <= last:
            raise BadAnswer(
                f"{what} has a value for {year}, outside the appraisal period "
                f"{case.start} to {case.end}"
            )
        if not (isinstance(amount, Decimal) and amount.is_finite()):
            _exact(amount, f"{what}: the value for {year}")
    check_shares(value.shares, f"{what}: the shares")
    if not isinstance(value.basis, str):
        raise BadAnswer(f"{what}: basis must be text, found {_kind(value.basis)}")


def _agency(value: Any, *, label: str, context: Any, **_: Any) -> None:
    if not isinstance(value, str):
        raise BadAnswer(f"expected None or an agency id for '{label}', got {_kind(value)}")
    known = [agency.id for agency in context.programme.agencies]
    if known and value not in known:
        raise BadAnswer(
            f"answered '{value}' for '{label}', which is not an agency of the programme"
            f"{_closest(value, known)}"
        )


def _problems(value: Any, **_: Any) -> None:
    for problem in _list_of(value, Problem, "Problem objects"):
        if not isinstance(problem.message, str) or not problem.message:
            raise BadAnswer(f"a Problem needs a message, found {_kind(problem.message)}")
        if problem.field is not None and not isinstance(problem.field, str):
            raise BadAnswer(f"a Problem's field must be text, found {_kind(problem.field)}")
        if problem.line is not None and (
            isinstance(problem.line, bool) or not isinstance(problem.line, int)
        ):
            raise BadAnswer(f"a Problem's line must be a number, found {_kind(problem.line)}")


def _evidence(value: Any, **_: Any) -> None:
    for table in _list_of(value, EvidenceTable, "EvidenceTable objects"):
        what = f"evidence table {table.title!r}"
        if not isinstance(table.title, str) or not all(isinstance(h, str) for h in table.headers):
            raise BadAnswer(f"{what}: the title and headers must be text")
        for number, row in enumerate(table.rows, start=1):
            for cell in row:
                if isinstance(cell, str):
                    continue
                _exact(cell, f"{what}, row {number}: a cell")


def _classification(value: Any, **_: Any) -> None:
    keys = ("category", "theme")
    if (
        not isinstance(value, Mapping)
        or not value
        or not set(value) <= set(keys)
        or not all(isinstance(v, str) and v for v in value.values())
    ):
        raise BadAnswer(
            f"expected None or a mapping of category and/or theme to non-empty text, got {value!r}"[
                :300
            ]
        )


def _cut_weights(value: Any, *, lines: Any, **_: Any) -> None:
    """A weight for each unprotected line, exact, 0 or more, not all 0."""
    if not isinstance(value, list | tuple):
        raise BadAnswer(f"expected a list of weights, one for each line, found {_kind(value)}")
    if len(value) != len(lines):
        raise BadAnswer(f"expected {len(lines)} weights, one for each line, found {len(value)}")
    total = Decimal(0)
    for number, weight in enumerate(value):
        found = _exact(weight, f"the weight of line {number}")
        if found < 0:
            raise BadAnswer(f"the weight of line {number} is {found}; weights are 0 or more")
        total += found
    if total <= 0:
        raise BadAnswer("every weight is 0: the cut would fall on no line")


_ANSWERS: dict[str, Callable[..., None]] = {
    "totalplace_register_categories": _nothing,
    "totalplace_register_themes": _nothing,
    "totalplace_register_agencies": _nothing,
    "totalplace_register_unit_costs": _nothing,
    "totalplace_register_tables": _nothing,
    "totalplace_register_formats": _nothing,
    "totalplace_line_defaults": _line_defaults,
    "totalplace_value_benefit": _valuation,
    "totalplace_agency_for": _agency,
    "totalplace_validate_case": _problems,
    "totalplace_evidence_tables": _evidence,
    "totalplace_classify_spend": _classification,
    "totalplace_share_cut": _cut_weights,
}


def check_answer(hook: str, value: Any, kwargs: Mapping[str, Any]) -> None:
    """Check one plugin's non-None answer to ``hook``, called with ``kwargs``.

    :raises BadAnswer: saying what the hook's contract expects and what was found.
    """
    _ANSWERS[hook](value, **kwargs)


# -- what plugins register -------------------------------------------------------------------


def _identified(item: Any, key: str) -> None:
    if not isinstance(key, str) or not key:
        raise BadAnswer(f"a {type(item).__name__} needs a non-empty text key, found {_kind(key)}")


def _is_calendar_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999


def _unit_cost(item: UnitCost) -> None:
    what = f"unit cost '{item.key}'"
    if not (isinstance(item.price_year, FinancialYear) or _is_calendar_year(item.price_year)):
        raise BadAnswer(
            f'{what}: price_year must be a FinancialYear (parse_year("2009-10")) or a '
            f"calendar year (2010), found {_kind(item.price_year)}"
        )
    if item.by_year:
        _series(item.by_year, what)
        if item.value is not None:
            raise BadAnswer(f"{what}: give a value or values by year (by_year), not both")
    else:
        _exact(item.value, f"{what}: the value")
    check_shares(item.shares, f"{what}: the shares")


def _series(series: Any, what: str) -> None:
    """``(year, Decimal)`` pairs, the years all financial or all calendar years, each once."""
    if not isinstance(series, tuple | list):
        raise BadAnswer(f"{what}: by_year must be (year, value) pairs, found {_kind(series)}")
    kinds, seen = set(), set()
    for pair in series:
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise BadAnswer(f"{what}: by_year must be (year, value) pairs, found {_kind(pair)}")
        year, value = pair
        if isinstance(year, FinancialYear):
            kinds.add("financial")
        elif _is_calendar_year(year):
            kinds.add("calendar")
        else:
            raise BadAnswer(
                f"{what}: a year of by_year must be a FinancialYear or a calendar year, "
                f"found {_kind(year)}"
            )
        if year in seen:
            raise BadAnswer(f"{what}: by_year gives {year} twice")
        seen.add(year)
        _exact(value, f"{what}: the value for {year}")
    if len(kinds) > 1:
        raise BadAnswer(f"{what}: by_year mixes financial and calendar years")


def _table(item: ParameterTable) -> None:
    if item.kind not in TABLE_KINDS:
        raise BadAnswer(
            f"table '{item.name}': unknown kind {item.kind!r}; expected one of "
            f"{', '.join(TABLE_KINDS)}"
        )


def _format(item: OutputFormat) -> None:
    if not callable(item.render):
        raise BadAnswer(
            f"format '{item.name}': render must be callable, found {_kind(item.render)}"
        )


_ENTRIES: dict[type, Callable[[Any], None]] = {
    UnitCost: _unit_cost,
    ParameterTable: _table,
    OutputFormat: _format,
}


def check_entry(item: Any, key: Any) -> None:
    """Check the contents of an entry a plugin registers (its type is the registry's to check).

    :raises BadAnswer: saying what is wrong with it.
    """
    _identified(item, key)
    check = _ENTRIES.get(type(item))
    if check is not None:
        check(item)
