"""Optimism bias and the benefit chain (method §3 and §4), looked up in parameter tables.

Costs are uplifted by optimism bias: ``adjusted = base * (1 + ob)``. Benefits are scaled down by
the counterfactual and risk adjustments: ``(1 - deadweight) (1 - displacement) (1 - attribution)
(1 - ob_benefit)`` and, with a drop-off ``d``, by ``(1 - d) ** (years since the line's first
year)``. Each function says where its figure came from, so the appraisal can record it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

from ..errors import TotalPlaceError
from ..parameters import ParameterTable

__all__ = [
    "BenefitAdjustments",
    "CostAdjustment",
    "benefit_persistence",
    "confidence_adjustment",
    "optimism_bias_for_types",
]

ZERO = Decimal(0)
ONE = Decimal(1)


@attrs.frozen
class CostAdjustment:
    """The optimism bias applied to a cost line and where it came from."""

    optimism_bias: Decimal = ZERO
    basis: str = "none"  # "explicit", "confidence grade N", "project type", "rule: PLUGIN", "none"
    table: str | None = None
    #: For a bias from Green Book project types: the guidance's lower and upper bounds for
    #: them, before mitigation (the sensitivity tests' two bounds); None otherwise. ``lower`` is
    #: None too where the table gives no lower bound.
    lower: Decimal | None = None
    upper: Decimal | None = None

    @property
    def factor(self) -> Decimal:
        return ONE + self.optimism_bias


@attrs.frozen
class BenefitAdjustments:
    """The fractions applied to a benefit line, each in [0, 1], and where they came from."""

    deadweight: Decimal = ZERO
    displacement: Decimal = ZERO
    attribution: Decimal = ZERO
    optimism_bias: Decimal = ZERO
    drop_off: Decimal = ZERO
    sources: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def factor(self) -> Decimal:
        """The share of gross value counted in the line's first year."""
        return (
            (ONE - self.deadweight)
            * (ONE - self.displacement)
            * (ONE - self.attribution)
            * (ONE - self.optimism_bias)
        )


def confidence_adjustment(table: ParameterTable, grade: int) -> Decimal:
    """The optimism-bias fraction for a data confidence grade (1 best .. 6 worst)."""
    for row in table.rows:
        if int(row["grade"]) == grade:
            return Decimal(row["adjustment"])
    grades = ", ".join(row["grade"] for row in table.rows)
    raise TotalPlaceError(
        f"confidence grade {grade} is not in table '{table.name}' (grades {grades})"
    )


def optimism_bias_for_types(
    table: ParameterTable,
    shares: Mapping[str, Decimal],
    mitigation: Decimal | None,
    *,
    column: str = "capital_upper",
    kind: str | None = None,
) -> Decimal:
    """Green Book optimism bias for a project of one or more types: ``upper * (1 - m)``.

    A project mixing types weights each type's upper bound by its share (30% non-standard and
    70% standard buildings: ``0.3 * 51% + 0.7 * 24% = 32.1%``). With the line's ``kind``
    (``capital`` or ``revenue``), a type whose bound is for the other kind of cost (the table's
    ``cost_kind`` column: the capital-expenditure bounds for capital lines, outsourcing's
    operating-cost bound for revenue lines) is refused, naming the types that do apply. A table
    without a ``cost_kind`` column applies every type to both kinds.
    """
    rows = {row["project_type"]: row for row in table.rows}
    upper = ZERO
    for project_type, share in shares.items():
        row = rows.get(project_type)
        if row is None:
            raise TotalPlaceError(
                f'unknown project type "{project_type}" in optimism-bias table '
                f"'{table.name}'; known: {', '.join(sorted(rows))}"
            )
        applies = row.get("cost_kind") or kind
        if kind is not None and applies != kind:
            fitting = sorted(name for name, r in rows.items() if r.get("cost_kind") in (kind, ""))
            raise TotalPlaceError(
                f'the optimism-bias bound of project type "{project_type}" is for {applies} '
                f"costs, and this is a {kind} line; project types for {kind} lines: "
                f"{', '.join(fitting) or 'none in this table'} (or give optimism_bias or "
                "confidence instead)"
            )
        if not row.get(column):
            raise TotalPlaceError(
                f"optimism-bias table '{table.name}' has no {column} for '{project_type}'"
            )
        upper += share * Decimal(row[column])
    return upper * (ONE - (mitigation or ZERO))


def benefit_persistence(drop_off: Decimal, years_since_first: int) -> Decimal:
    """The share of a benefit still counted ``years_since_first`` years after its first year."""
    if years_since_first < 0:
        raise ValueError("a benefit cannot persist before its first year")
    return (ONE - drop_off) ** years_since_first
