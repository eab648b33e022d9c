"""Reading the cuts scenarios of ``programme.toml`` (``[[scenarios]]``).

Each scenario is read as every other field is: a wrong value is a problem with the file, line
and field (``scenarios[1].protect[0]``), and every problem in the file is reported at once.
Whether a protection matches any spend is known only with the count, when the scenario is run
(:mod:`totalplace_cases.scenarios`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import CutScenario, Protect, parse_cut
from ..money import parse_money
from .fields import Fields, expect_int, expect_str, expect_year

__all__ = ["SCENARIO_KEYS", "read_cut_scenarios"]

#: The fields of one ``[[scenarios]]`` table.
SCENARIO_KEYS = ("name", "description", "cut", "over", "protect", "jobs_cost", "start", "year")
#: The most years a cut may be phased over.
MAX_OVER = 50


def _name(value: Any) -> str:
    text = expect_str(value)
    if not text.strip():
        raise ValueError("expected a name for the scenario, found an empty string")
    return text


def _over(value: Any) -> int:
    return expect_int(value, 1, MAX_OVER)


def _jobs_cost(value: Any) -> Any:
    amount = parse_money(value)
    if amount <= 0:
        raise ValueError(f"expected the cost of one job, more than £0, found {amount}")
    return amount


def _protects(f: Fields, item: Mapping[str, Any], where: tuple) -> list[Protect] | None:
    """``protect = ["theme=health", "agency=dwp"]``; None when any entry is wrong."""
    if "protect" not in item:
        return []
    raw = item["protect"]
    if not isinstance(raw, list):
        f.problem(
            (*where, "protect"),
            f'expected an array like ["theme=health", "agency=dwp"], found {type(raw).__name__}',
        )
        return None
    found: list[Protect] = []
    good = True
    for index, entry in enumerate(raw):
        try:
            found += Protect.parse_all(entry, index)
        except ValueError as exc:
            f.problem((*where, "protect", index), str(exc))
            good = False
    return found if good else None


def read_cut_scenarios(f: Fields, data: Mapping[str, Any]) -> list[CutScenario]:
    """The ``[[scenarios]]`` of a ``programme.toml``, each checked; problems go to ``f``."""
    scenarios: list[CutScenario] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(f.get_tables(data, (), "scenarios")):
        where = ("scenarios", index)
        f.check_keys(item, where, SCENARIO_KEYS)
        name = f.get(item, where, "name", _name, required=True)
        cut = f.get(item, where, "cut", parse_cut, required=True)
        fields = {
            "over": f.get(item, where, "over", _over, default=1),
            "jobs_cost": f.get(item, where, "jobs_cost", _jobs_cost),
            "start": f.get(item, where, "start", expect_year),
            "year": f.get(item, where, "year", expect_year),
            "description": f.get(item, where, "description", expect_str, default="") or "",
        }
        protect = _protects(f, item, where)
        if name is not None and name in seen:
            f.problem(
                (*where, "name"),
                f'scenario "{name}" is named twice (also scenarios[{seen[name]}])',
            )
            continue
        if name is not None:
            seen[name] = index
        if name is None or cut is None or protect is None or fields["over"] is None:
            continue
        amount, rate = cut
        scenarios.append(CutScenario(name, cut=amount, cut_rate=rate, protect=protect, **fields))
    return scenarios
