"""Reading a line's ``uncertainty`` and a programme's ``[[sensitivities]]`` (docs/case-files.md).

Both are checked like every other field: each problem names the file, the line and the field
(``benefits[2].uncertainty.volumes.high``), says what was expected and what was found, and every
problem in the file is reported at once. The rules themselves (which parameters each
distribution takes, the valid values of each input) live with the values, in
:mod:`totalplace_cases.uncertainty`, so that a range built in Python is held to the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from ..money import parse_money, parse_number
from ..uncertainty import (
    BENEFIT_INPUTS,
    COST_INPUTS,
    DISTRIBUTIONS,
    SCENARIO_CHANGES,
    Range,
    Scenario,
    line_range_problems,
    parse_change,
    range_problems,
)
from .fields import Fields, describe, expect_choice, expect_id, expect_int, expect_str

__all__ = ["RANGE_KEYS", "SCENARIO_KEYS", "read_scenarios", "read_uncertainty"]

#: The keys of one input's range.
RANGE_KEYS = ("dist", "low", "mode", "high", "mean", "sd", "group")
#: The keys of a ``[[sensitivities]]`` entry.
SCENARIO_KEYS = ("name", "description", "cases", *SCENARIO_CHANGES)
_PARAMETERS = ("low", "mode", "high", "mean", "sd")


def read_uncertainty(
    f: Fields, item: Mapping[str, Any], path: tuple, kind: str, point: Mapping[str, Any]
) -> dict[str, Range]:
    """The ``uncertainty`` table of a cost (``kind="cost"``) or benefit line, checked; the
    ranges that are sound, by input.

    ``point`` holds what was read of the line itself (``amounts``, ``volumes``,
    ``unit_value``, ``cohort``), to check that each range has a figure to vary.
    """
    table = f.get_table(item, path, "uncertainty")
    if table is None:
        return {}
    u = (*path, "uncertainty")
    inputs = COST_INPUTS if kind == "cost" else BENEFIT_INPUTS
    f.check_keys(table, u, (*inputs, "group"))
    group = f.get(table, u, "group", expect_id)
    ranges: dict[str, Range] = {}
    for name in inputs:
        spec = f.get_table(table, u, name)
        if spec is None:
            continue
        found = _read_range(f, spec, (*u, name), inputs[name], group)
        if found is not None:
            ranges[name] = found
    line = SimpleNamespace(
        **{k: point.get(k) for k in ("amounts", "volumes", "unit_value", "cohort")}
    )
    sound: dict[str, Range] = {}
    problems = line_range_problems(kind, line, ranges)
    for name, parameter, message in problems:
        f.problem((*u, name, *((parameter,) if parameter else ())), message)
    wrong = {name for name, _, _ in problems}
    for name, found in ranges.items():
        if name not in wrong:
            sound[name] = found
    return sound


def _read_range(
    f: Fields, spec: Mapping[str, Any], where: tuple, kind: str, group: str | None
) -> Range | None:
    """One input's range; None (with the problems recorded) when it is not sound."""
    f.check_keys(spec, where, RANGE_KEYS)
    dist = f.get(spec, where, "dist", expect_choice(DISTRIBUTIONS), required=True)
    convert = _money if kind == "money" else _number
    values: dict[str, Decimal | None] = {}
    unreadable = False
    for name in _PARAMETERS:
        if name in spec:
            values[name] = f.get(spec, where, name, convert)
            unreadable |= values[name] is None
    own_group = f.get(spec, where, "group", expect_id)
    if dist is None or unreadable:
        return None
    problems = range_problems({"dist": dist, **values}, kind)
    for parameter, message in problems:
        f.problem((*where, parameter) if parameter else where, message)
    if problems:
        return None
    return Range(dist=dist, group=own_group or group, **values)


def _number(value: Any) -> Decimal:
    return parse_number(value, "a number", grouping=False)


def _money(value: Any) -> Decimal:
    return parse_money(value)


def read_scenarios(f: Fields, data: Mapping[str, Any]) -> list[Scenario]:
    """``[[sensitivities]]`` of ``programme.toml``: each a unique name and the changes to make.

    The schedule a scenario names and the cases it lists are checked once the plugins and the
    cases are known (:func:`totalplace_cases.method.checks.programme_problems`).
    """
    scenarios: list[Scenario] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(f.get_tables(data, (), "sensitivities")):
        s = ("sensitivities", index)
        f.check_keys(item, s, SCENARIO_KEYS)
        name = f.get(item, s, "name", expect_str, required=True)
        if name is not None and not name.strip():
            f.problem((*s, "name"), "expected a name, found an empty string")
            name = None
        if name is not None and name in seen:
            f.problem(
                (*s, "name"), f'scenario "{name}" is named twice (also sensitivities[{seen[name]}])'
            )
            name = None
        changes = {
            key: f.get(item, s, key, parse_change)
            for key in SCENARIO_CHANGES
            if key not in ("schedule", "benefit_delay")
        }
        schedule = f.get(item, s, "schedule", expect_id)
        delay = f.get(item, s, "benefit_delay", lambda v: expect_int(v, 0, 1000), default=0)
        cases = f.get(item, s, "cases", _case_ids, default=[])
        description = f.get(item, s, "description", expect_str, default="") or ""
        if not any(key in item for key in SCENARIO_CHANGES):
            f.problem(s, f"a scenario needs at least one change: {', '.join(SCENARIO_CHANGES)}")
            continue
        if name is None or any(key in item and changes[key] is None for key in changes):
            continue
        if ("schedule" in item and schedule is None) or delay is None or cases is None:
            continue
        seen[name] = index
        scenarios.append(
            Scenario(
                name=name,
                description=description,
                schedule=schedule,
                benefit_delay=delay,
                cases=tuple(cases),
                **changes,
            )
        )
    return scenarios


def _case_ids(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(f"expected an array of case ids, found {describe(value)}")
    return [expect_id(item) for item in value]
