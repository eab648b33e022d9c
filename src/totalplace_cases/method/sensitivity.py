"""How robust each case is: switching values, the standard tests and named scenarios (method §23).

Every figure here comes from the exact Decimal engine. Each case's line quantities are worked
out once by the appraisal's own steps (:func:`.terms.case_terms`); a test changes some of them
(a cost's amounts, a line's deadweight, the discount schedule...) and posts them in a fresh
:class:`~.ledger.Ledger` with the same per-line functions the appraisal uses
(:func:`.lines.post_cost_terms`, :func:`.lines.post_benefit_terms`), then reads PV costs and
PV benefits out of it. Nothing else is kept: no line results, no flows by year.

**Switching values.** For an input scaled by ``1 + s``, the change ``s`` that takes the NPSV to
zero (and the BCR to 1). Where the NPSV is linear in ``s`` (costs, a benefit line's value, cost
optimism bias, and the counterfactual fractions while none is pushed past 1) it is solved in
closed form from two evaluations, ``s = -N(0) / (N(1) - N(0))``; otherwise (the discount rates,
a fraction that would pass 1) the nearest sign change within ±100% is bracketed on a grid of 5%
steps and narrowed (regula falsi, Illinois) to 1e-10. Beyond ±100%: not reached (None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from ..errors import TotalPlaceError
from ..models import Programme
from ..uncertainty import Scenario
from .adjustments import CostAdjustment
from .conventions import Options
from .discounting import DiscountSchedule, schedule_from_rules
from .ledger import BENEFIT, COST, Ledger
from .lines import post_benefit_terms, post_cost_terms
from .precision import ONE, ZERO, exact
from .robustness import CaseSensitivity, Sensitivity, Switching, TestResult
from .terms import BenefitTerms, CaseTerms, CostTerms, counted_cases, programme_terms

if TYPE_CHECKING:
    from ..plugins import Rules

__all__ = [
    "REDUCED_SCHEDULE",
    "Change",
    "Evaluator",
    "Input",
    "case_inputs",
    "programme_inputs",
    "sensitivity_of",
    "standard_tests",
    "switching_value",
]

#: The Green Book's reduced long-term rates (February 2026): the 50-year test.
REDUCED_SCHEDULE = "green-book-2026-reduced"
#: Cases appraised over more years than this take the 50-year test.
FIFTY_YEARS = 50
#: The counterfactual fractions a test can change, case-wide.
FRACTIONS = ("deadweight", "displacement", "attribution")
#: The grid the bracketing walks out from no change, and how close it narrows the root.
GRID = Decimal("0.05")
TOLERANCE = Decimal("1e-10")
#: Changes are reported to a millionth (0.0001%).
REPORTED = Decimal("1e-6")


@attrs.frozen
class Change:
    """What a test changes in a case's quantities; every relative change is a decimal fraction.

    ``costs`` scales every cost's amounts, ``benefits`` every benefit line's gross value and
    ``lines`` some benefit lines' ((:attr:`.BenefitTerms.key`, change) pairs);
    ``deadweight``, ``displacement`` and ``attribution`` scale each benefit line's fraction
    (kept within 0 and 1);
    ``optimism_bias`` scales each cost's uplift, after ``ob_bound`` (``"lower"`` or
    ``"upper"``) has put project-type lines at the Green Book's bound; ``schedule`` replaces
    the case's discount schedule (as ``--schedule`` does) and ``discount_rates`` scales every
    rate; ``benefit_delay`` starts the benefits that many years later.
    """

    costs: Decimal = ZERO
    benefits: Decimal = ZERO
    lines: tuple[tuple[tuple[bool, int], Decimal], ...] = ()
    deadweight: Decimal = ZERO
    displacement: Decimal = ZERO
    attribution: Decimal = ZERO
    optimism_bias: Decimal = ZERO
    ob_bound: str | None = None
    schedule: str | None = None
    discount_rates: Decimal = ZERO
    benefit_delay: int = 0

    @classmethod
    def of(cls, scenario: Scenario) -> Change:
        """The change a programme's named scenario makes."""
        relative = ("costs", "benefits", *FRACTIONS, "optimism_bias", "discount_rates")
        return cls(
            **{k: getattr(scenario, k) for k in relative if getattr(scenario, k) is not None},
            schedule=scenario.schedule,
            benefit_delay=scenario.benefit_delay,
        )


NO_CHANGE = Change()


class Evaluator:
    """PV costs and PV benefits of a case's quantities under a :class:`Change`, exactly."""

    def __init__(self, rules: Rules):
        self.rules = rules
        self._schedules: dict[tuple[str, Decimal], DiscountSchedule] = {}
        # (case, change) -> figures: the programme's figures add up its cases' under the same
        # change, and a test or input met twice is computed once.
        self._seen: dict[tuple[int, Change], tuple[Decimal, Decimal]] = {}

    def factors(self, name: str, rates: Decimal, terms: CaseTerms) -> Sequence[Decimal]:
        """The factors of schedule ``name`` with every rate scaled by ``1 + rates``, over the
        case's period."""
        schedule = self._schedules.get((name, rates))
        if schedule is None:
            schedule = schedule_from_rules(self.rules, name)
            if rates:
                scale = ONE + rates
                bands = tuple((first, last, rate * scale) for first, last, rate in schedule.bands)
                try:
                    schedule = DiscountSchedule(f"{name} x {scale}", bands)
                except ValueError as exc:  # a negative rate taken to -1 or below
                    raise TotalPlaceError(
                        f"the discount rates of '{name}' changed by {rates} are not usable: {exc}"
                    ) from None
            self._schedules[(name, rates)] = schedule
        return schedule.factors_at(terms.shift, terms.years, terms.timing)

    def headline(self, terms: CaseTerms, change: Change = NO_CHANGE) -> tuple[Decimal, Decimal]:
        """(PV costs, PV benefits) of the case with ``change`` made; transfers are left out,
        as they are of PV benefits."""
        key = (id(terms), change)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = self._headline(terms, change)
        return found

    def _headline(self, terms: CaseTerms, change: Change) -> tuple[Decimal, Decimal]:
        with exact():
            schedule = change.schedule or terms.schedule
            factors = terms.factors
            if schedule != terms.schedule or change.discount_rates:
                factors = self.factors(schedule, change.discount_rates, terms)
            # A case with options: its preferred option's lines less business as usual's.
            ledgers = {False: Ledger(terms.years, factors), True: Ledger(terms.years, factors)}
            for cost in terms.costs:
                post_cost_terms(ledgers[cost.counterfactual], _changed_cost(cost, change))
            for benefit in terms.benefits:
                if benefit.transfer:
                    continue
                own = benefit.schedule
                line_factors = factors
                if own is not None and own != schedule:
                    line_factors = self.factors(own, change.discount_rates, terms)
                changed = _changed_benefit(benefit, change, terms, line_factors)
                post_benefit_terms(ledgers[benefit.counterfactual], changed)
            ours, usual = ledgers[False], ledgers[True]
            return (
                ours.pv(COST) - usual.pv(COST),
                ours.pv(BENEFIT) - usual.pv(BENEFIT),
            )


def _scaled(values: Mapping[int, Decimal], scale: Decimal) -> Mapping[int, Decimal]:
    return values if scale == ONE else {k: v * scale for k, v in values.items()}


def _changed_cost(terms: CostTerms, change: Change) -> CostTerms:
    adjustment = terms.adjustment
    ob = adjustment.optimism_bias
    if change.ob_bound is not None:
        bound = adjustment.lower if change.ob_bound == "lower" else adjustment.upper
        ob = ob if bound is None else bound
    ob = ob * (ONE + change.optimism_bias)
    gross = _scaled(terms.gross, ONE + change.costs)
    if gross is terms.gross and ob == adjustment.optimism_bias:
        return terms
    return attrs.evolve(terms, gross=gross, adjustment=CostAdjustment(ob))


def _changed_benefit(
    terms: BenefitTerms, change: Change, case: CaseTerms, factors: Sequence[Decimal]
) -> BenefitTerms:
    scale = (ONE + change.benefits) * (ONE + dict(change.lines).get(terms.key, ZERO))
    gross = _scaled(terms.gross, scale)
    if change.benefit_delay:
        delay = change.benefit_delay
        gross = {k + delay: v for k, v in gross.items() if k + delay < case.years}
    adjustments = terms.adjustments
    moved = {
        key: min(ONE, getattr(adjustments, key) * (ONE + getattr(change, key)))
        for key in FRACTIONS
        if getattr(change, key)
    }
    if moved:
        adjustments = attrs.evolve(adjustments, **moved)
    if gross is terms.gross and not moved and factors is terms.factors:
        return terms
    return attrs.evolve(terms, gross=gross, adjustments=adjustments, factors=factors)


# -- inputs and switching values ------------------------------------------------------------------


@attrs.frozen
class Input:
    """One main input of a case (or the programme): its name in the results, a label, how a
    relative change ``s`` of it is made, and whether the NPSV is linear in ``s``."""

    name: str
    label: str
    change: Callable[[Decimal], Change]
    linear: bool


def _fractions_linear(benefits: Iterable[BenefitTerms], key: str) -> bool:
    """Scaling a fraction by up to 2 keeps it at or below 1 on every line: no clipping."""
    return all(2 * getattr(b.adjustments, key) <= ONE for b in benefits if not b.transfer)


def _common_inputs(benefits: Sequence[BenefitTerms]) -> list[Input]:
    inputs = [
        Input("costs", "total costs", lambda s: Change(costs=s), True),
        Input("benefits", "total benefits", lambda s: Change(benefits=s), True),
    ]
    for key in FRACTIONS:
        inputs.append(
            Input(
                key,
                f"{key} (every benefit line's)",
                lambda s, key=key: Change(**{key: s}),
                _fractions_linear(benefits, key),
            )
        )
    inputs.append(
        Input("optimism_bias", "cost optimism bias", lambda s: Change(optimism_bias=s), True)
    )
    inputs.append(
        Input(
            "discount_schedule",
            "discount rates (every band)",
            lambda s: Change(discount_rates=s),
            False,
        )
    )
    return inputs


def case_inputs(terms: CaseTerms) -> list[Input]:
    """The main inputs of a case: total costs and benefits, each benefit line's value (its
    amounts, or its volumes), the counterfactual fractions, cost optimism bias and the
    discount rates. Transfers, outside the NPSV, have no switching value. In a case with
    options every input is changed in both the preferred option and business as usual (the
    case's figures are the one less the other), and each of their benefit lines is an input,
    named with its option."""
    inputs = _common_inputs(terms.benefits)
    lines = []
    for b in terms.benefits:
        if b.transfer:
            continue
        line = b.line
        what = "amounts" if line.amounts else "volumes" if line.volumes else "value"
        name, label = f"benefits.{b.id}.{what}", f"{b.id}: {what}"
        if terms.options:
            name = f"options.{b.option}.{name}"
            label = f"{b.option}{' (business as usual)' if b.counterfactual else ''}: {label}"
        lines.append(Input(name, label, lambda s, key=b.key: Change(lines=((key, s),)), True))
    return inputs[:2] + lines + inputs[2:]


def programme_inputs(cases: Sequence[CaseTerms]) -> list[Input]:
    """The programme's inputs: each changed in every counted case at once."""
    return _common_inputs([b for terms in cases for b in terms.benefits])


Headline = Callable[[Change], tuple[Decimal, Decimal]]


def switching_value(headline: Headline, item: Input, swing: Decimal) -> Switching:
    """The switching values of one input, and the NPSV at ±``swing`` (see the module's notes)."""
    memo: dict[Decimal, tuple[Decimal, Decimal]] = {}

    def at(s: Decimal) -> tuple[Decimal, Decimal]:
        if s not in memo:
            memo[s] = headline(item.change(s))
        return memo[s]

    def npsv(s: Decimal) -> Decimal:
        costs, benefits = at(s)
        return benefits - costs

    with exact():
        root = _linear_root(npsv) if item.linear else _bracketed_root(npsv)
        bcr_root = None
        if root is not None and at(root)[0] > 0:
            bcr_root = root  # B/C = 1 is B - C = 0 wherever costs are positive
        down, up = npsv(-swing), npsv(swing)
    return Switching(
        item.name,
        item.label,
        _reported(root),
        _reported(bcr_root),
        down,
        up,
        "exact" if item.linear else "bracketed",
    )


def _reported(change: Decimal | None) -> Decimal | None:
    if change is None:
        return None
    rounded = change.quantize(REPORTED)
    return rounded.normalize() if rounded else ZERO


def _linear_root(npsv: Callable[[Decimal], Decimal]) -> Decimal | None:
    """``N(s) = N(0) + s (N(1) - N(0))``: the root, if within ±100%."""
    start, slope = npsv(ZERO), npsv(ONE) - npsv(ZERO)
    if start == 0:
        return ZERO
    if slope == 0:
        return None
    root = -start / slope
    return root if -ONE <= root <= ONE else None


def _bracketed_root(npsv: Callable[[Decimal], Decimal]) -> Decimal | None:
    """The sign change of ``npsv`` nearest to no change within ±100%, narrowed to a root."""
    start = npsv(ZERO)
    if start == 0:
        return ZERO
    steps = int(ONE / GRID)
    edges = {1: (ZERO, start), -1: (ZERO, start)}
    for step in range(1, steps + 1):
        for side in (-1, 1):  # the fall first, at equal distance
            s = side * step * GRID
            value = npsv(s)
            near, near_value = edges[side]
            if value == 0:
                return s
            if (value > 0) != (near_value > 0):
                return _narrow(npsv, near, near_value, s)
            edges[side] = (s, value)
    return None


def _narrow(npsv, a: Decimal, fa: Decimal, b: Decimal) -> Decimal:
    """The root of ``npsv`` between ``a`` and ``b`` (where it changes sign), by regula falsi
    with the Illinois step: it keeps the root bracketed and converges fast on a smooth NPSV.
    Stops when a step moves the estimate by less than :data:`TOLERANCE` (or the bracket is
    that narrow); a step that rounding puts outside the bracket is a halving instead."""
    fb = npsv(b)
    side = 0
    previous = None
    for _ in range(200):
        c = (fa * b - fb * a) / (fa - fb)
        if not min(a, b) < c < max(a, b):
            c = (a + b) / 2
        fc = npsv(c)
        if fc == 0 or abs(b - a) <= TOLERANCE:
            return c
        if previous is not None and abs(c - previous) <= TOLERANCE:
            return c
        previous = c
        if (fc > 0) == (fb > 0):  # c replaces b; halve a's weight if b moved twice
            b, fb = c, fc
            if side == -1:
                fa /= 2
            side = -1
        else:
            a, fa = c, fc
            if side == 1:
                fb /= 2
            side = 1
    return (a + b) / 2


# -- the tests ------------------------------------------------------------------------------------


@attrs.frozen
class _Test:
    name: str
    kind: str
    change: Change
    applies: Callable[[CaseTerms], bool] = lambda terms: True


def standard_tests(rules: Rules, scenarios: Iterable[Scenario] = ()) -> list[_Test]:
    """Optimism bias at the Green Book's upper and lower bounds, every discount schedule the
    registry holds, the 50-year test, then the programme's own scenarios."""
    tests = [
        _Test("optimism bias: upper bound", "optimism_bias", Change(ob_bound="upper")),
        _Test("optimism bias: lower bound", "optimism_bias", Change(ob_bound="lower")),
    ]
    registry = rules.registry
    for name in registry.keys("table"):
        if registry.get("table", name).kind == "discount-schedule":
            tests.append(_Test(f"schedule: {name}", "schedule", Change(schedule=name)))
    if registry.find_table(REDUCED_SCHEDULE) is not None:
        tests.append(
            _Test(
                f"50-year test: {REDUCED_SCHEDULE}",
                "fifty_year",
                Change(schedule=REDUCED_SCHEDULE),
                lambda terms: terms.years > FIFTY_YEARS,
            )
        )
    for scenario in scenarios:
        chosen = set(scenario.cases)
        tests.append(
            _Test(
                scenario.name,
                "scenario",
                Change.of(scenario),
                (lambda terms, chosen=chosen: terms.id in chosen) if chosen else (lambda t: True),
            )
        )
    return tests


def _bcr(costs: Decimal, benefits: Decimal) -> Decimal | None:
    with exact():
        return None if costs == 0 else benefits / costs


# -- the whole programme --------------------------------------------------------------------------


def sensitivity_of(
    programme: Programme,
    rules: Rules,
    options: Options | None = None,
    *,
    swing: Decimal | str = Decimal("0.2"),
    draws: int | None = None,
    seed: int = 0,
    progress: Callable[[int], object] | None = None,
) -> Sensitivity:
    """Switching values and tests for every case of ``programme`` and for the programme, and,
    with ``draws``, a Monte Carlo simulation of each (:mod:`.simulation`).

    :param swing: the change of each input the tornado figures use (0.2: ±20%).
    """
    options = options or Options()
    swing = Decimal(swing)
    if not ZERO < swing <= ONE:
        raise ValueError(f"swing must be a change above 0 and at most 1 (100%), found {swing}")
    evaluator = Evaluator(rules)
    all_terms = programme_terms(programme, rules, options)
    counted, note = counted_cases(all_terms, options.statuses)
    simulated = None
    if draws is not None:
        from .simulation import check_run, simulate_terms

        check_run(draws, seed)
        simulated = simulate_terms(
            all_terms, counted, draws=draws, seed=seed, progress=progress, note=note
        )
    tests = standard_tests(rules, programme.sensitivities)
    cases = []
    for index, terms in enumerate(all_terms):

        def headline(change: Change, terms: CaseTerms = terms) -> tuple[Decimal, Decimal]:
            return evaluator.headline(terms, change)

        costs, benefits = headline(NO_CHANGE)
        cases.append(
            CaseSensitivity(
                id=terms.id,
                npsv=benefits - costs,
                bcr=_bcr(costs, benefits),
                switching=tuple(switching_value(headline, i, swing) for i in case_inputs(terms)),
                tests=tuple(
                    _result(test, *headline(test.change)) for test in tests if test.applies(terms)
                ),
                simulation=None if simulated is None else simulated.cases[index].simulation,
                status=terms.status,
            )
        )
    whole = _programme(programme.id, evaluator, counted, tests, swing, note)
    if simulated is not None:
        whole = attrs.evolve(whole, simulation=simulated.programme)
    return Sensitivity(
        cases=tuple(cases),
        programme=whole,
        swing=swing,
        note=note,
        simulated=simulated,
        statuses_included=_statuses_counted(options.statuses),
    )


def _programme(
    name: str,
    evaluator: Evaluator,
    counted: list[CaseTerms],
    tests: list[_Test],
    swing: Decimal,
    note: str | None,
) -> CaseSensitivity:
    """The programme as one: every counted case with the same change, added up."""
    if note is not None:
        return CaseSensitivity(id=name, npsv=None, bcr=None)

    def headline(change: Change) -> tuple[Decimal, Decimal]:
        costs = benefits = ZERO
        for terms in counted:
            c, b = evaluator.headline(terms, change)
            costs, benefits = costs + c, benefits + b
        return costs, benefits

    def tested(test: _Test) -> tuple[Decimal, Decimal]:
        costs = benefits = ZERO
        for terms in counted:
            change = test.change if test.applies(terms) else NO_CHANGE
            c, b = evaluator.headline(terms, change)
            costs, benefits = costs + c, benefits + b
        return costs, benefits

    costs, benefits = headline(NO_CHANGE)
    applicable = [t for t in tests if any(t.applies(terms) for terms in counted)]
    return CaseSensitivity(
        id=name,
        npsv=benefits - costs,
        bcr=_bcr(costs, benefits),
        switching=tuple(switching_value(headline, i, swing) for i in programme_inputs(counted)),
        tests=tuple(_result(test, *tested(test)) for test in applicable),
    )


def _result(test: _Test, costs: Decimal, benefits: Decimal) -> TestResult:
    return TestResult(test.name, test.kind, benefits - costs, _bcr(costs, benefits))


def _statuses_counted(statuses: Iterable[str] | None) -> tuple[str, ...]:
    from .appraisal import statuses_counted  # the appraisal imports this module's neighbours

    return statuses_counted(statuses)
