"""A case that weighs options: each appraised on its own and against business as usual (§18).

The Green Book's economic case is a choice between options, each compared with business as
usual (or a do-minimum). Every option's lines are posted in a ledger of their own, exactly as a
case's lines are; an option's **incremental** figures are read from its ledger less business
as usual's (:meth:`.ledger.Ledger.less`: its flows less business as usual's, year by year,
agency by agency), so they are its own figures less business as usual's, to the last digit.

The case's own figures (its present values, flows, by-agency split, payback) are the preferred
option's incremental ones: what recommending it adds to carrying on as now. A case without
options is the same thing with one option against an implied counterfactual of nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs

from ..money import format_gbp
from .appraisal import post_lines, read_case
from .context import CaseContext
from .ledger import Ledger
from .results import (
    CaseAppraisal,
    LineResult,
    OptionFigures,
    OptionResult,
    YearValues,
    cohort_figures,
)

__all__ = ["appraise_options", "preferred_warning", "ranked"]


def appraise_options(context: CaseContext, factors: Sequence[Decimal]) -> CaseAppraisal:
    """Every option of ``context.case`` appraised; the result is the preferred option's
    incremental appraisal, with every option's own and incremental figures in ``options``."""
    case = context.case
    appraised = []
    for index, option in enumerate(case.options):
        option_context = context.for_option(index, option)
        ledger = Ledger(case.years, factors)
        lines = post_lines(ledger, option_context)
        own = read_case(option_context, ledger, lines)
        appraised.append((option, option_context, ledger, lines, own))
    bau = next(entry for entry in appraised if entry[0].id == case.business_as_usual)
    against = [_negated(line) for line in bau[3]]
    results = []
    preferred = None
    for option, option_context, ledger, lines, own in appraised:
        incremental = read_case(option_context, ledger.less(bau[2]), [*lines, *against])
        if option.id == case.preferred:
            preferred = incremental
        results.append(
            OptionResult(
                id=option.id,
                title=option.title or option.id,
                own=OptionFigures.of(own),
                incremental=OptionFigures.of(incremental),
                preferred=option.id == case.preferred,
                business_as_usual=option is bau[0],
                description=option.description,
                cohorts=cohort_figures(lines, own.pv_costs),
            )
        )
    assert preferred is not None  # the model checks that ``preferred`` names an option
    results = tuple(results)
    return attrs.evolve(
        preferred,
        option_results=results,
        options_warning=preferred_warning(results, case.preferred_reason),
    )


def _negated(line: LineResult) -> LineResult:
    """A business-as-usual line as it counts in another option's incremental figures."""
    values = line.values
    if isinstance(values, YearValues):
        values = values.negated()
    else:
        values = {year: -value for year, value in values.items()}
    return attrs.evolve(
        line, pv=-line.pv, pv_unadjusted=-line.pv_unadjusted, values=values, counterfactual=True
    )


def ranked(options: Iterable[OptionResult]) -> list[OptionResult]:
    """The options from the highest incremental NPSV down; a tie goes to the higher
    incremental BCR (an undefined BCR last), then to the case file's order."""
    listed = list(options)
    return sorted(
        listed,
        key=lambda o: (
            -o.incremental.npsv,
            o.incremental.bcr is None,
            -(o.incremental.bcr or 0.0),
            listed.index(o),
        ),
    )


def preferred_warning(options: Sequence[OptionResult], reason: str | None) -> str | None:
    """What to say when the preferred option is not the one with the highest NPSV (each
    incremental to business as usual) and the case gives no ``preferred_reason``."""
    if reason:
        return None
    best = ranked(options)[0]
    chosen = next(o for o in options if o.preferred)
    if chosen.incremental.npsv >= best.incremental.npsv:
        return None
    return (
        f'the preferred option "{chosen.id}" has an NPSV of '
        f"{format_gbp(chosen.incremental.npsv)} against business as usual, below option "
        f"\"{best.id}\"'s {format_gbp(best.incremental.npsv)}. The Green Book's preferred "
        "option is normally the one with the highest net present social value: say why this "
        "one is preferred in preferred_reason"
    )
