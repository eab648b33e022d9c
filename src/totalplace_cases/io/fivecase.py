"""Reading the parts of a business case that are not money: the rest of the five-case model.

HM Treasury's five-case model asks for a strategic case, an economic case (the appraisal), a
commercial case, a financial case (affordability) and a management case (risks, readiness).
A case file may give, all optional:

- ``[strategic_case]``: ``objectives``, the Kent ``aims`` it serves, its ``case_for_change``;
- ``[[non_monetised_impacts]]``: ``description``, ``direction``, ``significance``, ``affects``;
- ``[[risks]]``: ``description``, ``likelihood`` and ``impact`` (1-5, very-low to very-high,
  or the risk matrix's rare to almost-certain and negligible to catastrophic), ``owner``,
  ``mitigation``;
- ``[readiness]``: the seed's ``rational``, ``emotional`` and ``political`` dimensions, each
  ``{ score = 1-5, note = "..." }``.

Each is checked like every other field, with the file, line and field of every problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..models import (
    AIMS,
    IMPACT_DIRECTIONS,
    READINESS_DIMENSIONS,
    RISK_IMPACTS,
    RISK_LEVELS,
    RISK_LIKELIHOODS,
    SIGNIFICANCES,
    Impact,
    Readiness,
    ReadinessScore,
    Risk,
    StrategicCase,
    risk_level,
)
from .fields import Fields, describe, expect_choice, expect_id, expect_str

__all__ = [
    "FIVE_CASE_KEYS",
    "IMPACT_KEYS",
    "READINESS_KEYS",
    "READINESS_SCORE_KEYS",
    "RISK_KEYS",
    "STRATEGIC_KEYS",
    "read_five_case",
]

#: The case-file fields of the rest of the five-case model.
FIVE_CASE_KEYS = ("strategic_case", "non_monetised_impacts", "risks", "readiness")
STRATEGIC_KEYS = ("objectives", "aims", "case_for_change")
IMPACT_KEYS = ("description", "direction", "significance", "affects")
RISK_KEYS = ("id", "description", "likelihood", "impact", "owner", "mitigation")
READINESS_KEYS = READINESS_DIMENSIONS
READINESS_SCORE_KEYS = ("score", "note")


def _text(value: Any) -> str:
    text = expect_str(value)
    if not text.strip():
        raise ValueError("expected some text, found an empty string")
    return text


def _texts(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"expected an array of non-empty strings, found {describe(value)}")
    return list(value)


def _aim(value: Any) -> str:
    """One of Kent's aims: ``"cheaper-for-the-taxpayer"``, also written with spaces, in any
    case, or by its first word (``"cheaper"``)."""
    if isinstance(value, str):
        words = re.sub(r"[\s_-]+", "-", value.strip().lower())
        for aim in AIMS:
            if words in (aim, aim.split("-")[0]):
                return aim
    raise ValueError(f"expected one of Kent's aims ({', '.join(AIMS)}), found {describe(value)}")


def _aims(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(
            f'expected an array like ["cheaper-for-the-taxpayer"], found {describe(value)}'
        )
    return [_aim(item) for item in value]


def _level(words: tuple[str, ...]):
    """A reader of a risk's likelihood or impact: a whole number 1-5, or its word on the
    five-point scale (``"high"`` is 4) or on the risk matrix's scale, ``words``."""

    def read(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            return value
        level = risk_level(value, words) if isinstance(value, str) else None
        if isinstance(level, int):
            return level
        raise ValueError(
            f"expected a score from 1 (very low) to 5 (very high), or one of "
            f"{', '.join(RISK_LEVELS)}; found {describe(value)} (the risk matrix's words, "
            f"{', '.join(words)}, also score 1 to 5)"
        )

    return read


def _score(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
        return value
    raise ValueError(f"expected a score from 1 (not ready) to 5 (ready), found {describe(value)}")


def _strategic(f: Fields, data: Mapping[str, Any]) -> StrategicCase | None:
    table = f.get_table(data, (), "strategic_case")
    if table is None:
        return None
    s = ("strategic_case",)
    f.check_keys(table, s, STRATEGIC_KEYS)
    return StrategicCase(
        objectives=f.get(table, s, "objectives", _texts, default=[]) or [],
        aims=list(dict.fromkeys(f.get(table, s, "aims", _aims, default=[]) or [])),
        case_for_change=f.get(table, s, "case_for_change", expect_str, default="") or "",
    )


def _impacts(f: Fields, data: Mapping[str, Any]) -> list[Impact]:
    found = []
    for index, item in enumerate(f.get_tables(data, (), "non_monetised_impacts")):
        i = ("non_monetised_impacts", index)
        f.check_keys(item, i, IMPACT_KEYS)
        fields = {
            "description": f.get(item, i, "description", _text, required=True),
            "direction": f.get(
                item, i, "direction", expect_choice(IMPACT_DIRECTIONS), required=True
            ),
            "significance": f.get(
                item, i, "significance", expect_choice(SIGNIFICANCES), required=True
            ),
            "affects": f.get(item, i, "affects", expect_str, default="") or "",
        }
        if all(value is not None for value in fields.values()):
            found.append(Impact(**fields))
    return found


def _risks(f: Fields, data: Mapping[str, Any]) -> list[Risk]:
    found = []
    seen: dict[str, int] = {}
    for index, item in enumerate(f.get_tables(data, (), "risks")):
        r = ("risks", index)
        f.check_keys(item, r, RISK_KEYS)
        risk_id = f.get(item, r, "id", expect_id)
        if risk_id is not None and risk_id in seen:
            f.problem(
                (*r, "id"), f'risk id "{risk_id}" is used twice (also risks[{seen[risk_id]}])'
            )
        elif risk_id is not None:
            seen[risk_id] = index
        fields = {
            "description": f.get(item, r, "description", _text, required=True),
            "likelihood": f.get(item, r, "likelihood", _level(RISK_LIKELIHOODS), required=True),
            "impact": f.get(item, r, "impact", _level(RISK_IMPACTS), required=True),
        }
        extra = {
            "owner": f.get(item, r, "owner", expect_str, default="") or "",
            "mitigation": f.get(item, r, "mitigation", expect_str, default="") or "",
            "id": risk_id,
        }
        if all(value is not None for value in fields.values()):
            found.append(Risk(**fields, **extra))
    return found


def _readiness(f: Fields, data: Mapping[str, Any]) -> Readiness | None:
    table = f.get_table(data, (), "readiness")
    if table is None:
        return None
    r = ("readiness",)
    f.check_keys(table, r, READINESS_KEYS)
    scores: dict[str, ReadinessScore | None] = {}
    for dimension in READINESS_DIMENSIONS:
        where = (*r, dimension)
        if dimension not in table:
            f.problem(
                where,
                f'missing required field "{dimension}": score each of '
                f"{', '.join(READINESS_DIMENSIONS)} from 1 to 5 "
                '(e.g. { score = 3, note = "why" })',
            )
            scores[dimension] = None
        elif isinstance(table[dimension], Mapping):
            entry = table[dimension]
            f.check_keys(entry, where, READINESS_SCORE_KEYS)
            score = f.get(entry, where, "score", _score, required=True)
            note = f.get(entry, where, "note", expect_str, default="") or ""
            scores[dimension] = None if score is None else ReadinessScore(score, note)
        else:
            score = f.get(table, r, dimension, _score)
            scores[dimension] = None if score is None else ReadinessScore(score)
    if any(score is None for score in scores.values()):
        return None
    return Readiness(**scores)


def read_five_case(f: Fields, data: Mapping[str, Any]) -> dict[str, Any]:
    """The case's strategic case, non-monetised impacts, risks and readiness, as the
    :class:`~totalplace_cases.models.BusinessCase` fields of the same names."""
    return {
        "strategic_case": _strategic(f, data),
        "non_monetised_impacts": _impacts(f, data),
        "risks": _risks(f, data),
        "readiness": _readiness(f, data),
    }
