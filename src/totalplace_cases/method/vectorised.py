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
constants, row by row across lines and cases), so the figures do not depend on the machine.
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

    # -- building ------------------------------------------------------------------------------

    def add_cost(self, case: int, terms: CostTerms, factors: Sequence[float], inputs) -> None:
        gross = _floats(terms.gross, len(factors))
        present = math.fsum(_discounted(gross, factors))
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
        discounted = _discounted(gross, factors)
        started = [k for k in sorted(terms.gross) if terms.gross[k] != 0]
        first = started[0] if started else len(factors)
        # P(keep) = c_0 + c_1 keep + c_2 keep**2 + ...: year first + j counts keep**j.
        coefficients = [math.fsum(discounted[: first + 1]), *discounted[first + 1 :]]
        adjustments = terms.adjustments
        keep = 1.0 - float(adjustments.drop_off)

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
        self.sources.append(Source(case, line, name, how, point, scale, found, _LIMITS[kind]))

    def freeze(self) -> None:
        """Index arrays for :meth:`present_values`, once every line is added."""
        sources = self.sources
        self.points = np.array([[s.point] for s in sources])
        self.scales = np.array([[s.scale] for s in sources])
        self.multiply = np.array([i for i, s in enumerate(sources) if s.how == MULTIPLY], int)
        self.one_minus = np.array([i for i, s in enumerate(sources) if s.how == ONE_MINUS], int)
        self.one_plus = np.array([i for i, s in enumerate(sources) if s.how == ONE_PLUS], int)
        self.drop = np.array([i for i, s in enumerate(sources) if s.how == DROP_OFF], int)
        starts: dict[int, int] = {}
        for i, source in enumerate(sources):
            starts.setdefault(source.line, i)  # a line's sources are added together
        self.line_starts = np.array([starts[k] for k in range(len(self.line_case))], int)
        self.constants = np.array(self.line_constant)[:, None]
        self.drop_lines = np.array([sources[i].line for i in self.drop], int)
        width = max((len(self.drop_coefficients[k]) for k in self.drop_lines), default=0)
        self.drop_matrix = np.zeros((len(self.drop_lines), width))
        for row, k in enumerate(self.drop_lines):
            coefficients = self.drop_coefficients[k]
            self.drop_matrix[row, : len(coefficients)] = coefficients
        # Lines are added case by case, costs then benefits: each (case, kind) is a run.
        keys = list(zip(self.line_case, self.line_is_cost, strict=True))
        runs = [k for k in range(len(keys)) if k == 0 or keys[k] != keys[k - 1]]
        self.run_starts = np.array(runs, int)
        self.run_case = np.array([keys[k][0] for k in runs], int)
        self.run_is_cost = np.array([keys[k][1] for k in runs], bool)

    # -- evaluating ----------------------------------------------------------------------------

    def present_values(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """PV costs and PV benefits of every case (each ``(cases, draws)``) for the inputs'
        ``values`` (``(sources, draws)``: each source's drawn value, in its own terms)."""
        draws = values.shape[1]
        costs = np.repeat(np.array(self.constant_costs)[:, None], draws, axis=1)
        benefits = np.repeat(np.array(self.constant_benefits)[:, None], draws, axis=1)
        if not self.sources:
            return costs, benefits
        factors = np.ones_like(values)
        factors[self.multiply] = values[self.multiply] * self.scales[self.multiply]
        factors[self.one_minus] = 1.0 - values[self.one_minus]
        factors[self.one_plus] = 1.0 + values[self.one_plus]
        lines = np.multiply.reduceat(factors, self.line_starts, axis=0) * self.constants
        if len(self.drop):
            keep = 1.0 - values[self.drop]
            persisted = np.zeros_like(keep)
            for j in range(self.drop_matrix.shape[1] - 1, -1, -1):
                persisted = persisted * keep + self.drop_matrix[:, j : j + 1]
            lines[self.drop_lines] *= persisted
        sums = np.add.reduceat(lines, self.run_starts, axis=0)
        cost_runs = self.run_is_cost
        costs[self.run_case[cost_runs]] += sums[cost_runs]
        benefits[self.run_case[~cost_runs]] += sums[~cost_runs]
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
