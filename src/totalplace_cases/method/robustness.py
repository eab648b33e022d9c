"""What the sensitivity tests and the Monte Carlo simulation produce, as frozen attrs values.

Point figures (NPSV, the BCR, switching values, the standard tests) come from the exact Decimal
engine (:mod:`.sensitivity`) and are held exactly: money and changes as
:class:`~decimal.Decimal`, rounded only when shown or exported. The simulation's statistics
come from the numpy engine (:mod:`.simulation`): money rounded to the penny, ratios and
probabilities as floats. The JSON contract for them is written by
:func:`totalplace_cases.reports.json.sensitivity_to_dict` (docs/method.md, section 23).
"""

from __future__ import annotations

from decimal import Decimal

import attrs

__all__ = [
    "CaseSensitivity",
    "CaseSimulation",
    "Distribution",
    "Sensitivity",
    "Simulation",
    "SimulationResult",
    "Switching",
    "TestResult",
]


@attrs.frozen
class Switching:
    """How far one input can move before the case stops being worth doing.

    ``npsv_zero_change`` and ``bcr_one_change`` are the relative changes of the input (decimal
    fractions: ``-0.235`` is a fall of 23.5%) that take the NPSV to zero and the BCR to 1; None
    when no change within ±100% does. ``npsv_down`` and ``npsv_up`` are the NPSV with the input
    ``swing`` lower and higher (the tornado chart). ``solved`` is ``"exact"`` where the NPSV is
    linear in the input (the change solved in closed form) and ``"bracketed"`` otherwise.
    """

    input: str
    label: str
    npsv_zero_change: Decimal | None
    bcr_one_change: Decimal | None
    npsv_down: Decimal
    npsv_up: Decimal
    solved: str


@attrs.frozen
class TestResult:
    """The NPSV and BCR under one standard test or programme scenario.

    ``kind``: ``optimism_bias`` (the Green Book's bounds), ``schedule`` (a discount schedule
    the registry holds), ``fifty_year`` (the reduced long-term rates, for cases over 50 years)
    or ``scenario`` (``[[sensitivities]]`` in ``programme.toml``).
    """

    __test__ = False  # not a pytest test class

    name: str
    kind: str
    npsv: Decimal
    bcr: Decimal | None


@attrs.frozen
class Distribution:
    """The mean and the 10th, 50th and 90th percentiles of a figure over the draws."""

    mean: Decimal | float | None
    p10: Decimal | float | None
    p50: Decimal | float | None
    p90: Decimal | float | None


@attrs.frozen
class Simulation:
    """A Monte Carlo simulation of one case or of the programme.

    NPSV statistics are money (Decimal, to the penny), BCR statistics floats. The BCR is
    undefined in a draw whose costs are zero: ``bcr`` and ``p_bcr_at_least_1`` are over the
    other draws (``bcr_undefined_draws`` says how many), None if every draw has no costs.
    """

    draws: int
    seed: int
    npsv: Distribution
    bcr: Distribution
    p_npsv_positive: float
    p_bcr_at_least_1: float | None
    bcr_undefined_draws: int = 0
    #: How many of its lines' inputs have a range (0: every draw is the point figure).
    ranged_inputs: int = 0


def _npsv(benefits, costs):
    return None if benefits is None else benefits - costs


@attrs.frozen
class CaseSimulation:
    """One case's simulation, with its PV costs and PV benefits in every draw (numpy arrays,
    kept for the histogram; not part of the result's value)."""

    id: str
    simulation: Simulation
    costs: object = attrs.field(default=None, eq=False, repr=False)
    benefits: object = attrs.field(default=None, eq=False, repr=False)

    @property
    def npsv_draws(self):
        """The NPSV in every draw (an array), or None."""
        return _npsv(self.benefits, self.costs)

    # The simulation's figures, also read straight off the case: ``case.npsv.p50``.
    draws = property(lambda self: self.simulation.draws)
    seed = property(lambda self: self.simulation.seed)
    npsv = property(lambda self: self.simulation.npsv)
    bcr = property(lambda self: self.simulation.bcr)
    p_npsv_positive = property(lambda self: self.simulation.p_npsv_positive)
    p_bcr_at_least_1 = property(lambda self: self.simulation.p_bcr_at_least_1)


@attrs.frozen
class SimulationResult:
    """Monte Carlo over a programme: each case's, and the programme's (None, with ``note``,
    when the cases cannot be added), with the programme's PV costs and benefits in every draw."""

    cases: tuple[CaseSimulation, ...]
    programme: Simulation | None
    note: str | None = None
    costs: object = attrs.field(default=None, eq=False, repr=False, kw_only=True)
    benefits: object = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    @property
    def programme_npsv_draws(self):
        """The programme's NPSV in every draw (an array), or None."""
        return _npsv(self.benefits, self.costs)

    def case(self, case_id: str) -> CaseSimulation:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)


@attrs.frozen
class CaseSensitivity:
    """How robust one case (or, with ``id`` the programme's, the programme) is: its point NPSV
    and BCR, its switching values, the standard tests and its simulation (None unless draws
    were asked for)."""

    id: str
    npsv: Decimal | None
    bcr: Decimal | None
    switching: tuple[Switching, ...] = ()
    tests: tuple[TestResult, ...] = ()
    simulation: Simulation | None = None
    status: str | None = None


@attrs.frozen
class Sensitivity:
    """Every case's robustness and the programme's (the counted cases added together).

    ``swing`` is the change the tornado figures use (0.2: ±20%); ``note`` says why the
    programme has no figures when its cases cannot be added.
    """

    cases: tuple[CaseSensitivity, ...]
    programme: CaseSensitivity
    swing: Decimal
    note: str | None = None
    #: The simulation behind each case's and the programme's statistics (None without draws).
    simulated: SimulationResult | None = attrs.field(default=None, eq=False, repr=False)
    #: The statuses whose cases the programme's figures add up (method §11).
    statuses_included: tuple[str, ...] = ()

    def case(self, case_id: str) -> CaseSensitivity:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)
