"""The baseline: count a programme's spend files, and set the cases' gains against the count.

This is where the count meets the plugins: the spend files are read by
:mod:`totalplace_cases.io.spend`, lines without a category or theme are classified through the
``totalplace_classify_spend`` hook (each answer checked, a bad one naming its plugin), and the
exact totals are built by :mod:`totalplace_cases.method.count`. The cases' cashable lines are
valued by the same valuation rules as the appraisal and set against the count by
:mod:`totalplace_cases.method.gains`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from .errors import InputError, PluginError, Problem
from .io.spend import Classifier, FileTally, SpendCheck, SpendLine, tally_spend_file
from .method.count import Count, FileControl, build_count
from .method.gains import GAINS_STATUSES, GainLine, Gains, gains_against
from .models import Programme
from .periods import FinancialYear
from .plugins import Rules

__all__ = [
    "classifier",
    "count",
    "count_files",
    "count_programme",
    "gain_lines",
    "gains",
    "programme_gains",
]

HOOK = "totalplace_classify_spend"


def classifier(rules: Rules, programme: Programme) -> Classifier | None:
    """The plugins' classifying rule as a function of a line; None if no plugin has one.

    The plugin host checks each answer's form; a category that is not registered is refused
    here, naming the plugin.
    """
    if not rules.implementers(HOOK):
        return None
    categories = frozenset(rules.registry.keys("category"))

    def classify(line: SpendLine) -> Mapping[str, str] | None:
        answer = rules.call(HOOK, first=True, line=line, programme=programme)
        if answer is None:
            return None
        category = answer.value.get("category")
        if category is not None and category not in categories:
            raise PluginError(
                answer.plugin,
                HOOK,
                f'classified {line.file}:{line.line} as unknown category "{category}"; '
                f"known: {', '.join(sorted(categories))}",
            )
        return answer.value

    return classify


def count_files(
    files: Sequence[Path | str],
    rules: Rules,
    programme: Programme,
    *,
    any_agency: bool = False,
    workers: int | None = None,
) -> Count:
    """Count ``files`` for ``programme``: its agencies (or any, with ``any_agency``), the
    registered categories and the plugins' classifying rule."""
    check = SpendCheck(
        categories=frozenset(rules.registry.keys("category")),
        agencies=None if any_agency else frozenset(a.id for a in programme.agencies),
    )
    classify = classifier(rules, programme)
    tallies = [tally_spend_file(f, check, classify=classify, workers=workers) for f in files]
    return _count(tallies, programme.population)


def count_programme(programme: Programme, rules: Rules, *, workers: int | None = None) -> Count:
    """Count the spend files the programme's ``baseline`` names."""
    if not programme.baseline:
        where = programme.source
        raise InputError(
            [
                Problem(
                    'the programme names no spend files; add baseline = ["spend.csv", ...] '
                    "to its [programme] table",
                    file=where,
                    field="programme.baseline",
                )
            ]
        )
    return count_files(programme.baseline, rules, programme, workers=workers)


def _count(tallies: Iterable[FileTally], population: int | None) -> Count:
    tallies = list(tallies)
    return build_count(
        ((key, pence) for t in tallies for key, pence in t.pence.items()),
        [
            FileControl(
                path=t.path,
                lines=t.lines,
                counted=t.counted,
                rejected=len(t.rejected),
                total=_pounds(t.total_pence),
                rejected_total=_pounds(t.rejected_pence),
            )
            for t in tallies
        ],
        rejected=[r for t in tallies for r in t.rejected],
        unclassified=[u for t in tallies for u in t.unclassified],
        population=population,
    )


def _pounds(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)


def gain_lines(programme: Programme, rules: Rules) -> list[GainLine]:
    """Every cashable benefit line of the cases approved or later (``GAINS_STATUSES``; a case
    with options: its preferred option's), valued by year.

    The values are the lines' gross values (before deadweight, optimism bias and the other
    adjustments, and undiscounted) in real terms at the price base, valued by the same rules as
    the appraisal; of a partly cashable line, its cashable share.
    """
    # The appraisal's own context and valuation, so that gains and appraisal value alike.
    from .method.appraisal import case_context
    from .method.lines import value_line
    from .method.precision import exact

    found = []
    with exact():
        for case in programme.cases:
            if case.status not in GAINS_STATUSES:
                continue
            context = case_context(programme, case, rules)
            options = case.as_options
            number = options.index(case.preferred_option)
            chosen = context.for_option(number, options[number])  # the lines to be delivered
            for index, line in enumerate(chosen.case.benefits):
                if not line.cashable:
                    continue
                gains = value_line(chosen, index, line).gross
                if line.cashable_share != 1:  # a partly cashable line: its cashable share
                    gains = {year: value * line.cashable_share for year, value in gains.items()}
                found.append(GainLine(case.id, line.id, line.reduces, dict(sorted(gains.items()))))
    return found


def programme_gains(
    programme: Programme, count: Count, rules: Rules, year: FinancialYear | None = None
) -> Gains:
    """The cashable gains of the cases approved, in delivery or closed, against the count (its
    last year by default)."""
    return gains_against(count, gain_lines(programme, rules), year)


def _programme_and_rules(
    subject: Programme | Path | str, rules: Rules | None
) -> tuple[Programme, Rules]:
    """A programme read through the pipeline (once), and its plugins."""
    from . import pipeline
    from .plugins import rules_for

    if isinstance(subject, Programme):
        return subject, rules if rules is not None else rules_for(subject.plugins)
    loaded = pipeline.load_programme(subject, rules=rules)
    return loaded.programme, loaded.rules


def count(subject: Programme | Path | str, *, rules: Rules | None = None) -> Count:
    """The count of a programme (or a programme folder): ``tp.count("cases/kent").total``."""
    programme, rules = _programme_and_rules(subject, rules)
    return count_programme(programme, rules)


def gains(
    subject: Programme | Path | str,
    *,
    year: FinancialYear | str | None = None,
    rules: Rules | None = None,
) -> Gains:
    """The cashable gains of the cases approved, in delivery or closed, against a programme's
    count (its last year unless ``year`` is given)."""
    from .periods import parse_year

    programme, rules = _programme_and_rules(subject, rules)
    chosen = None if year is None else parse_year(year)
    return programme_gains(programme, count_programme(programme, rules), rules, chosen)
