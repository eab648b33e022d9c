"""Ranges on a line's inputs (for Monte Carlo) and named sensitivity scenarios, as attrs values.

A cost or benefit line may say how uncertain its inputs are: ``uncertainty = { volumes =
{ dist = "triangular", low = "0.8", mode = "1", high = "1.3" }, group = "demand" }``. Each key
is one input of the line (:data:`COST_INPUTS`, :data:`BENEFIT_INPUTS`) and holds a
:class:`Range`: a distribution and its parameters, in the input's own terms
(:data:`INPUT_KINDS`): a **multiplier** of the figures written by year (``amounts``,
``volumes``, ``value``: 1 is as written), a **fraction** between 0 and 1 (``deadweight`` ...),
an **uplift** of 0 or more (a cost's ``optimism_bias``) or **money** (``unit_value``). Ranges
in the same named ``group`` (across lines and cases) move together: one draw serves them all.

A programme may name scenarios to run beside the standard tests: ``[[sensitivities]]`` in
``programme.toml``, each a :class:`Scenario` (a name and the changes to apply).

These classes hold data and check it; :mod:`totalplace_cases.method.sensitivity` and
:mod:`totalplace_cases.method.simulation` use them, :mod:`totalplace_cases.io.casefile` reads
them (docs/case-files.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs
from attrs import validators as v

from .money import parse_number

__all__ = [
    "BENEFIT_INPUTS",
    "COST_INPUTS",
    "DISTRIBUTIONS",
    "INPUT_KINDS",
    "PARAMETERS",
    "SCENARIO_CHANGES",
    "Range",
    "Scenario",
    "line_range_problems",
    "parse_change",
    "range_problems",
    "uncertainty_of",
]

#: The distributions a range may follow, and the parameters each needs (no others are allowed).
PARAMETERS: dict[str, tuple[str, ...]] = {
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
}
DISTRIBUTIONS: tuple[str, ...] = tuple(PARAMETERS)

#: What kind of figure each input is: its valid values, and so the bounds of its range.
INPUT_KINDS: dict[str, str] = {
    "amounts": "multiplier",
    "volumes": "multiplier",
    "value": "multiplier",
    "unit_value": "money",
    "optimism_bias": "fraction",  # on benefits; a cost's is an uplift (COST_INPUTS)
    "deadweight": "fraction",
    "displacement": "fraction",
    "attribution": "fraction",
    "drop_off": "fraction",
}
#: The inputs of a cost line that may have a range, with their kind.
COST_INPUTS: dict[str, str] = {"amounts": "multiplier", "optimism_bias": "uplift"}
#: The inputs of a benefit line that may have a range, with their kind.
BENEFIT_INPUTS: dict[str, str] = dict(INPUT_KINDS)

#: The valid values of each kind: (lowest, highest), None for no limit.
_LIMITS: dict[str, tuple[Decimal | None, Decimal | None]] = {
    "multiplier": (Decimal(0), None),
    "fraction": (Decimal(0), Decimal(1)),
    "uplift": (Decimal(0), None),
    "money": (None, None),
}
_WHAT = {
    "multiplier": "a multiplier of the figures as written, 0 or more (1 = as written)",
    "fraction": "a fraction between 0 and 1",
    "uplift": "an uplift of 0 or more",
    "money": "an amount of money",
}


def _decimal(value: object) -> Decimal | None:
    return None if value is None else parse_number(value)


@attrs.frozen
class Range:
    """A distribution for one input: ``triangular`` (low, mode, high), ``uniform`` (low, high),
    ``normal`` (mean, sd; draws outside the input's valid values are clipped to them) or
    ``lognormal`` (the mean and sd of the input itself, for inputs with no upper limit such as
    costs). ``group``: ranges of the same group draw once together (perfectly correlated)."""

    dist: str = attrs.field(validator=v.in_(DISTRIBUTIONS))
    low: Decimal | None = attrs.field(default=None, converter=_decimal)
    mode: Decimal | None = attrs.field(default=None, converter=_decimal)
    high: Decimal | None = attrs.field(default=None, converter=_decimal)
    mean: Decimal | None = attrs.field(default=None, converter=_decimal)
    sd: Decimal | None = attrs.field(default=None, converter=_decimal)
    group: str | None = attrs.field(default=None, validator=v.optional(v.min_len(1)))

    def __attrs_post_init__(self) -> None:
        problems = range_problems(
            {
                "dist": self.dist,
                **{k: getattr(self, k) for k in ("low", "mode", "high", "mean", "sd")},
            }
        )
        if problems:
            raise ValueError("; ".join(message for _, message in problems))

    @property
    def parameters(self) -> dict[str, Decimal]:
        """The distribution's parameters, by name."""
        return {name: getattr(self, name) for name in PARAMETERS[self.dist]}

    @property
    def centre(self) -> Decimal:
        """The range's point of reference: the mode, the mean, or the middle of a uniform."""
        if self.dist == "triangular":
            return self.mode
        if self.dist == "uniform":
            return (self.low + self.high) / 2
        return self.mean


def range_problems(
    found: Range | Mapping[str, Any], kind: str | None = None
) -> list[tuple[str | None, str]]:
    """What is wrong with a range, as (parameter or None, message): a missing or unexpected
    parameter, parameters out of order, and (given the input's ``kind``) values the input
    cannot take. Empty when the range is usable. ``found`` is a :class:`Range` or a mapping of
    ``dist`` and the parameters given (Decimals), as a reader has them."""
    given = found if isinstance(found, Mapping) else attrs.asdict(found)
    dist = given.get("dist")
    needed = PARAMETERS.get(dist)  # type: ignore[arg-type]
    if needed is None:
        return [("dist", f"expected one of {', '.join(DISTRIBUTIONS)}, found {dist!r}")]
    problems: list[tuple[str | None, str]] = []
    for name in ("low", "mode", "high", "mean", "sd"):
        present = given.get(name) is not None
        if name in needed and not present:
            problems.append((name, f'a {dist} range needs "{name}"'))
        elif present and name not in needed:
            expected = ", ".join(needed)
            problems.append((name, f"a {dist} range takes {expected}; {name} is not one"))
    if problems:
        return problems
    p: dict[str, Decimal] = {name: given[name] for name in needed}
    for name, value in p.items():
        if not value.is_finite():
            problems.append((name, f"expected a finite number, found {value}"))
    if problems:
        return problems
    if dist == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
        problems.append(
            ("mode", f"expected low <= mode <= high, found {p['low']}, {p['mode']}, {p['high']}")
        )
    if dist == "uniform" and p["low"] > p["high"]:
        problems.append(("high", f"expected low <= high, found {p['low']} and {p['high']}"))
    if dist in ("normal", "lognormal") and p["sd"] < 0:
        problems.append(("sd", f"expected a standard deviation of 0 or more, found {p['sd']}"))
    if dist == "lognormal" and p["mean"] <= 0:
        problems.append(("mean", f"a lognormal range needs a mean above 0, found {p['mean']}"))
    if kind is None or problems:
        return problems
    lowest, highest = _LIMITS[kind]
    if dist == "lognormal" and (highest is not None or lowest is None):
        problems.append(
            (
                "dist",
                f"lognormal is for inputs of 0 or more with no upper limit (costs, volumes, "
                f"multipliers); this input is {_WHAT[kind]}: use triangular, uniform or normal",
            )
        )
    for name, value in p.items():
        if name == "sd":
            continue
        if (lowest is not None and value < lowest) or (highest is not None and value > highest):
            problems.append((name, f"expected {_WHAT[kind]}, found {value}"))
    return problems


def _range(value: Range | Mapping[str, Any]) -> Range:
    return value if isinstance(value, Range) else Range(**value)


def uncertainty_of(value: Mapping[str, Range | Mapping[str, Any]] | None) -> Mapping[str, Range]:
    """A line's ranges, read-only, in a fixed order; plain mappings become :class:`Range`."""
    return MappingProxyType({k: _range(r) for k, r in sorted((value or {}).items())})


def line_range_problems(
    kind: str, line: Any, uncertainty: Mapping[str, Range]
) -> list[tuple[str, str | None, str]]:
    """What is wrong with the ranges of a line of ``kind`` (``"cost"`` or ``"benefit"``), as
    (input, parameter or None, message): an input the line cannot have a range for (a range
    on ``volumes`` for a line valued by amounts, on ``unit_value`` for a line without one), or
    a range outside the input's valid values."""
    inputs = COST_INPUTS if kind == "cost" else BENEFIT_INPUTS
    problems: list[tuple[str, str | None, str]] = []
    for name, found in uncertainty.items():
        if name not in inputs:
            problems.append(
                (name, None, f"no range for {name}; expected one of: {', '.join(inputs)}")
            )
            continue
        if kind == "benefit":
            missing = _missing_point(name, line)
            if missing:
                problems.append((name, None, missing))
                continue
        problems += [(name, p, message) for p, message in range_problems(found, inputs[name])]
    return problems


def _missing_point(name: str, line: Any) -> str | None:
    """Why a benefit line cannot have a range on ``name`` (None if it can)."""
    if name == "amounts" and not line.amounts:
        return "this line is not valued by amounts: give the range for volumes (or value)"
    if name == "volumes" and not line.volumes:
        return "this line has no volumes: give the range for amounts (or value)"
    if name == "drop_off" and getattr(line, "cohort", None) is not None:
        return (
            "a cohort line's drop-off is applied cohort by cohort in its volumes: give the "
            "range for value instead"
        )
    if name == "unit_value":
        if line.unit_value is None:
            return (
                "this line has no unit_value (a unit cost is not a unit value): give the range "
                "for volumes (or value)"
            )
        if line.unit_value == 0:
            return "a range on unit_value needs a unit_value other than 0 (a multiplier of it)"
    return None


def parse_change(value: object) -> Decimal:
    """A relative change written as a decimal fraction (``"0.2"`` for +20%): -1 or more."""
    number = parse_number(value, "a change as a decimal fraction (0.2 for +20%)", grouping=False)
    if number < -1:
        found = f'"{value}"' if isinstance(value, str) else repr(value)
        raise ValueError(f"expected a change of -1 (-100%) or more, found {found}")
    return number


def _change(value: object) -> Decimal | None:
    return None if value is None else parse_change(value)


#: The changes a scenario may make: to each cost's amounts, each benefit's gross value, each
#: benefit line's deadweight, displacement and attribution, each cost's optimism bias and the
#: discount rates (relative changes, -1 or more), the discount schedule itself, and a delay
#: to benefits in whole years.
SCENARIO_CHANGES: tuple[str, ...] = (
    "costs",
    "benefits",
    "deadweight",
    "displacement",
    "attribution",
    "optimism_bias",
    "discount_rates",
    "schedule",
    "benefit_delay",
)


@attrs.frozen
class Scenario:
    """A named sensitivity test: changes applied to every case (or to ``cases``) together.

    Relative changes are decimal fractions: ``costs = 0.2`` raises every cost by 20%,
    ``deadweight = 0.5`` multiplies each benefit line's deadweight by 1.5 (a fraction is kept
    within 0 and 1). ``schedule`` discounts every case with that schedule (as ``--schedule``
    does); ``benefit_delay`` starts every benefit that many years later (values pushed past the
    appraisal period are lost).
    """

    name: str = attrs.field(validator=v.min_len(1))
    description: str = ""
    costs: Decimal | None = attrs.field(default=None, converter=_change)
    benefits: Decimal | None = attrs.field(default=None, converter=_change)
    deadweight: Decimal | None = attrs.field(default=None, converter=_change)
    displacement: Decimal | None = attrs.field(default=None, converter=_change)
    attribution: Decimal | None = attrs.field(default=None, converter=_change)
    optimism_bias: Decimal | None = attrs.field(default=None, converter=_change)
    discount_rates: Decimal | None = attrs.field(default=None, converter=_change)
    schedule: str | None = None
    benefit_delay: int = attrs.field(default=0, validator=[v.instance_of(int), v.ge(0)])
    #: The cases it applies to (their ids); empty for every case.
    cases: tuple[str, ...] = attrs.field(default=(), converter=tuple)
