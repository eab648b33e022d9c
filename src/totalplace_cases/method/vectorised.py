"""The vectorised engine: each case's PV costs and PV benefits for a whole array of draws at once.

Built from the quantities the exact engine works out for every line (:mod:`.terms`): its
valued gross by year in real terms, its adjustments, its discount factors, and whether it is a
transfer (left out of PV benefits, as in the exact engine). A line's present value factors
into the inputs a range can vary:

- a cost line: ``A x m x (1 + ob)``, with ``A = sum_k gross_k x D_k``, ``m`` the multiplier of
  its amounts and ``ob`` its optimism bias;
- a benefit line: ``m x (1 - deadweight) (1 - displacement) (1 - attribution) (1 - ob) x
  P(1 - drop_off)``, where ``m`` is the product of the multipliers of its value (``value``,
  ``amounts`` or ``volumes``, and a drawn ``unit_value`` over the written one) and
  ``P(keep) = sum_j c_j keep**j`` gathers its discounted gross by years since its first year
  with a value (method §6): evaluated by Horner's rule when the drop-off is drawn.

Lines without a range add a constant to their case. The engine is float64 and imported only by
the simulation (numpy is an optional extra, ``totalplace-cases[analysis]``); the exact engine
still gives every reported point figure, and a test checks the two agree to the penny with
every input at its point value. Sums are taken in a fixed order (``math.fsum`` for each line's
constants, then line by line within a case), so the figures do not depend on the machine.
Arrays are laid out sources, lines or cases by draws (one row per source, line or case).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np

from ..uncertainty import BENEFIT_INPUTS, COST_INPUTS, Range
from .terms import BenefitTerms, CaseTerms, CostTerms

__all__ = ["Model", "Source", "compile_model"]

#: How a drawn value enters its line's product: as it is (times ``scale``), as ``1 - x`` (a
#: fraction of the benefit chain), as ``1 + x`` (a cost's uplift); a drop-off enters P(keep).
MULTIPLY, ONE_MINUS, ONE_PLUS, DROP_OFF = "multiply", "one_minus", "one_plus", "drop_off"
_FRACTIONS = ("deadweight", "displacement", "attribution", "optimism_bias")
_VALUES = ("value", "amounts", "volumes", "unit_value")
_LIMITS = {
    "multiplier": (0.0, None),
    "fraction": (0.0, 1.0),
    "uplift": (0.0, None),
    "money": (None, None),
}


@attrs.frozen
class Source:
    """One input of one line that varies: where it is, how it enters, its point value, and its
    range (None when it is held at its point value)."""

    case: int
    line: int
    name: str
    how: str
    point: float
    scale: float
    range: Range | None
    limits: tuple[float | None, float | None]
    #: The stream of uniforms it draws from: its own, or its group's (the group's first
    #: member's), numbered in the order of cases, lines and inputs (-1 without a range).
    stream: int = -1


def _floats(values, years: int) -> list[float]:
    row = [0.0] * years
    for k, value in values.items():
        row[k] = float(value)
    return row


def _discounted(gross: list[float], factors: Sequence[float]) -> list[float]:
    return [g * f for g, f in zip(gross, factors, strict=True)]


class Model:
    """A programme's cases compiled for the vectorised engine (see the module's notes)."""

    def __init__(self, cases: int):
        self.cases = cases
        self.constant_costs = [0.0] * cases
        self.constant_benefits = [0.0] * cases
        self.sources: list[Source] = []
        self.line_constant: list[float] = []
        self.line_case: list[int] = []
        self.line_is_cost: list[bool] = []
        self.drop_coefficients: dict[int, list[float]] = {}
        self.streams = 0
        self._groups: dict[str, int] = {}

    # -- building ------------------------------------------------------------------------------

    def add_cost(self, case: int, terms: CostTerms, factors: Sequence[float], inputs) -> None:
        gross = _floats(terms.gross, len(factors))
        present = math.fsum(_discounted(gross, factors))
        if terms.counterfactual:  # business as usual's line counts against the case's
            present = -present
        ob = float(terms.adjustment.optimism_bias)
        if not inputs:
            self.constant_costs[case] += present * (1.0 + ob)
            return
        line = self._line(case, True)
        constant = present
        for name, found in inputs.items():
            kind = COST_INPUTS[name]
            if name == "optimism_bias":
                self._source(case, line, name, ONE_PLUS, ob, 1.0, found, kind)
            else:
                self._source(case, line, name, MULTIPLY, 1.0, 1.0, found, kind)
        if "optimism_bias" not in inputs:
            constant *= 1.0 + ob
        self.line_constant.append(constant)

    def add_benefit(self, case: int, terms: BenefitTerms, factors: Sequence[float], inputs) -> None:
        gross = _floats(terms.gross, len(factors))
        if terms.counterfactual:  # business as usual's line counts against the case's
            gross = [-g for g in gross]
        discounted = _discounted(gross, factors)
        started = [k for k in sorted(terms.gross) if terms.gross[k] != 0]
        first = started[0] if started else len(factors)
        # P(keep) = c_0 + c_1 keep + c_2 keep**2 + ...: year first + j counts keep**j.
        coefficients = [math.fsum(discounted[: first + 1]), *discounted[first + 1 :]]
        adjustments = terms.adjustments
        # A cohort line's volumes carry its drop-off already (method §19).
        keep = 1.0 if terms.cohort is not None else 1.0 - float(adjustments.drop_off)

        def persisted(keep: float) -> float:
            total = 0.0
            for c in reversed(coefficients):
                total = total * keep + c
            return total

        chain = {key: float(getattr(adjustments, key)) for key in _FRACTIONS}
        if not inputs:
            factor = 1.0
            for key in _FRACTIONS:
                factor *= 1.0 - chain[key]
            self.constant_benefits[case] += factor * persisted(keep)
            return
        line = self._line(case, False)
        constant = 1.0
        for name, found in inputs.items():
            kind = BENEFIT_INPUTS[name]
            if name in _VALUES:
                point = float(terms.line.unit_value) if name == "unit_value" else 1.0
                self._source(case, line, name, MULTIPLY, point, 1.0 / point, found, kind)
            elif name == "drop_off":
                self._source(case, line, name, DROP_OFF, 1.0 - keep, 1.0, found, kind)
                self.drop_coefficients[line] = coefficients
            else:
                self._source(case, line, name, ONE_MINUS, chain[name], 1.0, found, kind)
        for key in _FRACTIONS:
            if key not in inputs:
                constant *= 1.0 - chain[key]
        if "drop_off" not in inputs:
            constant *= persisted(keep)
        self.line_constant.append(constant)

    def _line(self, case: int, is_cost: bool) -> int:
        self.line_case.append(case)
        self.line_is_cost.append(is_cost)
        return len(self.line_case) - 1

    def _source(self, case, line, name, how, point, scale, found, kind) -> None:
        stream = -1
        if found is not None:
            if found.group is None or found.group not in self._groups:
                stream, self.streams = self.streams, self.streams + 1
                if found.group is not None:
                    self._groups[found.group] = stream
            else:
                stream = self._groups[found.group]
        limits = _LIMITS[kind]
        self.sources.append(Source(case, line, name, how, point, scale, found, limits, stream))

    def freeze(self) -> None:
        """Order the sources by how they enter (so each kind is one block of rows) and make the
        index arrays :meth:`present_values` uses, once every line is added."""
        rank = {MULTIPLY: 0, ONE_MINUS: 2, ONE_PLUS: 3, DROP_OFF: 4}
        self.sources.sort(key=lambda s: rank[s.how] + (s.how == MULTIPLY and s.scale != 1.0))
        sources = self.sources
        edges = [sum(1 for s in sources if rank[s.how] + (s.scale != 1.0) * (s.how == MULTIPLY) < k)
                 for k in range(1, 5)]  # fmt: skip
        self.scaled = slice(edges[0], edges[1])
        self.one_minus = slice(edges[1], edges[2])
        self.one_plus = slice(edges[2], edges[3])
        self.drop = slice(edges[3], len(sources))
        self.points = np.array([[s.point] for s in sources])
        self.scales = np.array([[s.scale] for s in sources])
        # Each line's factors, by depth: the first factor of every line, then the second...
        depth: dict[int, int] = {}
        rows: list[list[int]] = []
        for i, source in enumerate(sources[: self.drop.start]):
            k = depth.get(source.line, 0)
            depth[source.line] = k + 1
            if k == len(rows):
                rows.append([])
            rows[k].append(i)
        self.by_depth = [
            (np.array(r, int), np.array([sources[i].line for i in r], int)) for r in rows
        ]
        self.constants = np.array(self.line_constant)[:, None]
        self.drop_lines = np.array([s.line for s in sources[self.drop]], int)
        width = max((len(self.drop_coefficients[k]) for k in self.drop_lines), default=0)
        self.drop_matrix = np.zeros((len(self.drop_lines), width))
        for row, k in enumerate(self.drop_lines):
            coefficients = self.drop_coefficients[k]
            self.drop_matrix[row, : len(coefficients)] = coefficients
        # Lines are added case by case, costs then benefits, in the order they were added.
        keys = list(zip(self.line_case, self.line_is_cost, strict=True))
        self.runs = list(dict.fromkeys(keys))
        self.run_lines = [[k for k, key in enumerate(keys) if key == run] for run in self.runs]

    # -- evaluating ----------------------------------------------------------------------------

    def present_values(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """PV costs and PV benefits of every case, each ``(cases, draws)``, for the sources'
        ``values`` (``(sources, draws)``, in the order of :attr:`sources`: each drawn value in
        its own terms). ``values`` is used as working space: its contents are lost."""
        draws = values.shape[1]
        costs = np.repeat(np.array(self.constant_costs)[:, None], draws, axis=1)
        benefits = np.repeat(np.array(self.constant_benefits)[:, None], draws, axis=1)
        if not self.sources:
            return costs, benefits
        keep = 1.0 - values[self.drop]
        values[self.scaled] *= self.scales[self.scaled]
        np.subtract(1.0, values[self.one_minus], out=values[self.one_minus])
        values[self.one_plus] += 1.0
        lines = np.repeat(self.constants, draws, axis=1)
        for rows, line in self.by_depth:
            lines[line] *= values[rows]
        if len(keep):
            persisted = np.zeros_like(keep)
            for j in range(self.drop_matrix.shape[1] - 1, -1, -1):
                persisted = persisted * keep + self.drop_matrix[:, j : j + 1]
            lines[self.drop_lines] *= persisted
        for (case, is_cost), members in zip(self.runs, self.run_lines, strict=True):
            total = costs[case] if is_cost else benefits[case]
            for line in members:
                total += lines[line]
        return costs, benefits

    def point_values(self) -> np.ndarray:
        """Every source at its point value: one draw, ``(sources, 1)``."""
        return self.points.copy()


def _every_input(kind: str, line) -> dict[str, Range | None]:
    """Every input a line has, each held at its point value (for the agreement check)."""
    if kind == "cost":
        return dict.fromkeys(COST_INPUTS)
    names = ["value", *_FRACTIONS, "drop_off"]
    if line.amounts:
        names.append("amounts")
    if line.volumes:
        names.append("volumes")
    if line.unit_value:
        names.append("unit_value")
    return dict.fromkeys(names)


def compile_model(cases: Sequence[CaseTerms], *, every_input: bool = False) -> Model:
    """The vectorised model of ``cases``: a source for every line input with a range or, with
    ``every_input``, for every input of every line (held at its point value: the check that
    the engine agrees with the exact one)."""
    model = Model(len(cases))
    for index, terms in enumerate(cases):
        case_factors = [float(f) for f in terms.factors]
        for cost in terms.costs:
            inputs = _every_input("cost", cost.line) if every_input else cost.line.uncertainty
            model.add_cost(index, cost, case_factors, dict(inputs))
        for benefit in terms.benefits:
            if benefit.transfer:
                continue  # not in PV benefits
            factors = (
                case_factors
                if benefit.factors is terms.factors
                else [float(f) for f in benefit.factors]
            )
            line = benefit.line
            inputs = _every_input("benefit", line) if every_input else line.uncertainty
            model.add_benefit(index, benefit, factors, dict(inputs))
    model.freeze()
    return model
