"""What the ``track`` commands do: baseline, record, import, status and history.

Each function takes a loaded programme and an open register. The plan of a case comes from its
latest baseline in the register (as at the moment asked); a case not yet baselined is planned
from its case file as it is now, and the status says so. Every check is made before anything is
written, and every write is one transaction.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import attrs
import pendulum

from ... import __version__
from ...errors import InputError, Problem, TotalPlaceError
from ...method.realisation import (
    LinePlan,
    LineStatus,
    Total,
    line_status,
    parse_period,
    period_end,
    plan_by_period,
    totals,
)
from ...method.results import CaseAppraisal
from ...models import BusinessCase, Programme, Tolerances
from ...periods import PeriodError
from ...plugins import Rules
from .entries import EntryChecker, RawEntry, refs_of
from .importfile import read_entries
from .store import TIME_FORMAT, Baseline, BaselineLine, Entry, Register

__all__ = [
    "ImportResult",
    "StatusReport",
    "baseline_case",
    "find_programme",
    "import_file",
    "parse_moment",
    "record",
    "status",
]

PROGRAMME_FILE = "programme.toml"
MAX_PROBLEMS_SHOWN = 100


def find_programme(explicit: Path | None = None, start: Path | None = None) -> Path:
    """The programme folder: ``explicit`` (a folder or its ``programme.toml``), else the current
    folder or the nearest parent holding ``programme.toml``, the way git finds a repository."""
    if explicit is not None:
        path = Path(explicit)
        if path.is_file() and path.name == PROGRAMME_FILE:
            return path.parent
        if path.is_dir() and (path / PROGRAMME_FILE).is_file():
            return path
        raise TotalPlaceError(f"{path}: not a programme (expected a folder with {PROGRAMME_FILE})")
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROGRAMME_FILE).is_file():
            return folder
    raise TotalPlaceError(
        f"no {PROGRAMME_FILE} in {here} or any folder above it; run the command inside a "
        "programme folder, or give --programme PATH"
    )


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_moment(text: str, *, now: pendulum.DateTime | None = None) -> str:
    """Read ``--as-at``: ``2012-04-30T12:00`` (UTC), with an offset (``+01:00``) or a zone name
    after a space (``2012-04-30T12:00 Europe/London``); a date alone means the end of that day.
    Returns the moment in the register's UTC form; a moment in the future is refused."""
    raw = text.strip()
    zone = "UTC"
    head, _, tail = raw.rpartition(" ")
    if (head and "/" in tail) or tail == "UTC":
        raw, zone = head.strip(), tail
    try:
        if _DATE_ONLY.match(raw):
            day = _dt.date.fromisoformat(raw)
            moment = pendulum.datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tz=zone)
        else:
            moment = pendulum.parse(raw, tz=zone)
    except Exception:  # pendulum raises several kinds of parser and timezone errors
        raise TotalPlaceError(
            f'--as-at: expected a moment like "2012-04-30T12:00" (UTC), "2012-04-30T12:00+01:00" '
            f'or "2012-04-30", found "{text}"'
        ) from None
    if not isinstance(moment, pendulum.DateTime):
        raise TotalPlaceError(f'--as-at: expected a date and time, found "{text}"')
    moment = moment.in_timezone("UTC")
    if moment > (now or pendulum.now("UTC")):
        raise TotalPlaceError(
            f"--as-at {text} is in the future; the register can be read only as it was known "
            "up to now"
        )
    return moment.strftime(TIME_FORMAT)


def show_moment(moment: str) -> str:
    """``2012-04-30T12:00:00.000000Z`` -> ``2012-04-30T12:00:00Z`` (microseconds if any)."""
    return moment.replace(".000000Z", "Z")


# -- baselines ------------------------------------------------------------------------------


def baseline_case(
    programme: Programme,
    rules: Rules,
    case_id: str,
    *,
    approved_by: str,
    recorded_by: str,
    reason: str | None = None,
) -> Baseline:
    """The baseline to record for a case: its plan as the appraisal computes it now."""
    from ...method.appraisal import appraise_programme

    case = _case(programme, case_id)
    for field, value in (("--approved-by", approved_by), ("--reason", reason)):
        if value is not None and (not value.strip() or not value.isprintable()):
            raise TotalPlaceError(f"{field}: expected a line of printable text, found {value!r}")
    result = appraise_programme(attrs.evolve(programme, cases=(case,)), rules).cases[0]
    values = _planned_values(result)
    lines = tuple(
        BaselineLine(
            benefit=line.id,
            agency=line.agency,
            value_type=line.value_type,
            cashable=bool(line.cashable),
            cashable_share=line.cashable_share,
            frequency=line.frequency,
            plan=tuple(
                plan_by_period(values.get(line.id, {}), case.period, line.frequency).items()
            ),
            description=line.description,
            owner=line.owner,
            measure=line.measure,
            baseline_value=line.baseline_value,
            baseline_date=line.baseline_date.isoformat() if line.baseline_date else None,
            baseline_source=line.baseline_source,
        )
        for line in case.preferred_option.benefits
    )
    return Baseline(
        case=case.id,
        title=case.title,
        category=case.category,
        start=str(case.start),
        years=case.years,
        price_base=str(result.price_base),
        green=programme.tolerances.green,
        amber=programme.tolerances.amber,
        case_sha256=_sha256(case),
        library_version=__version__,
        approved_by=approved_by.strip(),
        recorded_by=recorded_by,
        lines=lines,
        reason=reason.strip() if reason else None,
    )


def _case(programme: Programme, case_id: str) -> BusinessCase:
    try:
        return programme.case(case_id)
    except KeyError:
        known = ", ".join(c.id for c in programme.cases)
        raise TotalPlaceError(
            f'unknown case "{case_id}"; the programme\'s cases: {known}'
        ) from None


def _sha256(case: BusinessCase) -> str:
    if case.source is not None and Path(case.source).is_file():
        return hashlib.sha256(Path(case.source).read_bytes()).hexdigest()
    return hashlib.sha256(repr(case).encode("utf-8")).hexdigest()


# -- recording ------------------------------------------------------------------------------


def checker_for(register: Register, programme: Programme, default_by: str) -> EntryChecker:
    baselines = register.baselines(plans=False)
    return EntryChecker(refs_of(programme, baselines), default_by=default_by)


def record(register: Register, programme: Programme, raw: RawEntry, *, default_by: str) -> int:
    """Check one entry and append it; returns its id."""
    problems: list[Problem] = []
    entry = checker_for(register, programme, default_by).check(raw, problems)
    if entry is None:
        raise InputError(problems)
    return register.add_entry(entry)


@attrs.frozen
class ImportResult:
    rows: int
    written: int
    actuals: int
    forecasts: int


def import_file(
    register: Register,
    programme: Programme,
    path: Path,
    *,
    default_by: str,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Check every row of a CSV or Excel file, then append them all in one transaction.

    :raises InputError: naming every bad row by its line; nothing is written.
    """
    problems: list[Problem] = []
    raws = read_entries(path, problems, default_source=Path(path).name)
    checker = checker_for(register, programme, default_by)
    entries = []
    seen: dict[tuple[str, str, str, str], int | None] = {}
    for raw in raws:
        entry = checker.check(raw, problems)
        if entry is None:
            continue
        key = (entry.case, entry.benefit, entry.period, entry.kind)
        if key in seen:
            problems.append(
                Problem(
                    f"{entry.kind} for {entry.case} / {entry.benefit} / {entry.period} is "
                    f"also given on line {seen[key]}; give each period once",
                    file=raw.file,
                    line=raw.line,
                    field="period",
                )
            )
            continue
        seen[key] = raw.line
        entries.append(entry)
    if problems:
        count = len(problems)
        shown = problems[:MAX_PROBLEMS_SHOWN]
        if count > MAX_PROBLEMS_SHOWN:
            shown.append(Problem(f"... and {count - MAX_PROBLEMS_SHOWN} more", file=path))
        raise InputError(shown)
    actuals = sum(1 for e in entries if e.kind == "actual")
    result = ImportResult(len(raws), 0, actuals, len(entries) - actuals)
    if dry_run or not entries:
        return result
    if progress is not None:
        progress(f"checked {len(entries):,} rows of {path}; writing them in one transaction")
    written = register.add_entries(entries)
    return attrs.evolve(result, written=written)


# -- status ---------------------------------------------------------------------------------


@attrs.frozen
class StatusReport:
    """Plan against actual for every benefit line tracked, with totals, as at a moment."""

    as_at: str
    reporting_end: _dt.date
    period: str  # the reporting period: the latest with an actual unless --period chose one
    lines: tuple[LineStatus, ...]
    totals: dict[str, list[Total]]
    programme: Total | None
    notes: tuple[str, ...] = ()


TOTAL_KEYS: dict[str, Callable[[LineStatus], str]] = {
    "by_case": lambda s: s.line.case,
    "by_category": lambda s: s.line.category,
    "by_agency": lambda s: s.line.agency,
    "by_group": lambda s: s.line.group,
}


def status(
    register: Register,
    programme: Programme,
    rules: Rules,
    *,
    as_at: str | None = None,
    period: str | None = None,
    case: str | None = None,
) -> StatusReport:
    """The status of every case with a baseline or an entry (or just ``case``), as at ``as_at``
    (a register moment; default now) to the end of ``period`` (default: the latest period with
    an actual)."""
    moment = as_at or pendulum.now("UTC").strftime(TIME_FORMAT)
    baselines = register.baselines(as_at=moment)
    entries = register.effective_amounts(as_at=moment)
    history: dict[str, list[Baseline]] = {}
    for baseline in baselines:
        history.setdefault(baseline.case, []).append(baseline)
    in_programme = [c.id for c in programme.cases]
    tracked = {e[0] for e in entries} | set(history)
    if case is not None:
        if case not in in_programme and case not in history:
            raise TotalPlaceError(
                f'unknown case "{case}"; the programme\'s cases: {", ".join(in_programme)}'
            )
        chosen = [case]
    else:
        order = in_programme + sorted(set(history) - set(in_programme))
        chosen = [c for c in order if c in tracked]
    notes: list[str] = []
    plans: list[LinePlan] = []
    unbaselined = [c for c in chosen if c not in history]
    if unbaselined:
        plans_now = _plans_from_cases(programme, rules, unbaselined)
        for case_id in unbaselined:
            if case_id not in plans_now:
                notes.append(
                    f"case {case_id} has entries but is neither baselined nor in the programme"
                )
                continue
            notes.append(
                f"{case_id} has no baseline: its plan is read from its case file as it is now "
                f"(freeze it with: totalplace track baseline {case_id} --approved-by NAME)"
            )
    for case_id in chosen:
        if case_id in history:
            plans.extend(_plans_from_baselines(history[case_id]))
            if len(history[case_id]) > 1:
                first, last = history[case_id][0], history[case_id][-1]
                notes.append(
                    f"{case_id} was re-baselined on {last.recorded_at[:10]} by "
                    f"{last.approved_by} ({last.reason}); the original plan of "
                    f"{first.recorded_at[:10]} is shown beside the current one"
                )
        else:
            plans.extend(plans_now.get(case_id, []))
    actuals: dict[tuple[str, str], dict[str, int]] = {}
    forecasts: dict[tuple[str, str], dict[str, int]] = {}
    for case_id, benefit, period_text, kind, amount in entries:
        table = actuals if kind == "actual" else forecasts
        table.setdefault((case_id, benefit), {})[period_text] = amount
    if period is not None:
        try:
            reporting: str | None = str(parse_period(period))
        except PeriodError as exc:
            raise TotalPlaceError(f"--period: {exc}") from None
    else:
        chosen_set = set(chosen)
        reported = [
            p for (case_id, _), by_period in actuals.items() if case_id in chosen_set
            for p in by_period
        ]  # fmt: skip
        # The latest period with an actual; a year rather than its last quarter on a tie.
        reporting = max(set(reported), key=lambda p: (period_end(p), " Q" not in p), default=None)
    if reporting is not None:
        end = period_end(reporting)
        label = str(reporting)
    else:  # no actuals yet: every period that has ended by the moment asked is due
        end = pendulum.parse(moment).date()
        label = "the periods ended by then"
    statuses = tuple(
        line_status(
            plan,
            actuals.get((plan.case, plan.benefit), {}),
            forecasts.get((plan.case, plan.benefit), {}),
            end,
        )
        for plan in plans
    )
    tolerances = programme.tolerances
    grouped = {name: totals(statuses, key, tolerances) for name, key in TOTAL_KEYS.items()}
    overall = totals(statuses, lambda _s: "programme", tolerances)
    return StatusReport(
        as_at=moment,
        reporting_end=end,
        period=label,
        lines=statuses,
        totals=grouped,
        programme=overall[0] if overall else None,
        notes=tuple(notes),
    )


def _plans_from_cases(
    programme: Programme, rules: Rules, case_ids: Sequence[str]
) -> dict[str, list[LinePlan]]:
    from ...method.appraisal import appraise_programme

    cases = tuple(c for c in programme.cases if c.id in set(case_ids))
    if not cases:
        return {}
    result = appraise_programme(attrs.evolve(programme, cases=cases), rules)
    plans: dict[str, list[LinePlan]] = {}
    for case, appraised in zip(cases, result.cases, strict=True):
        values = _planned_values(appraised)
        plans[case.id] = [
            LinePlan(
                case=case.id,
                benefit=line.id,
                agency=line.agency,
                group=case.category,
                value_type=line.value_type,
                cashable=bool(line.cashable),
                cashable_share=line.cashable_share,
                frequency=line.frequency,
                plan=plan_by_period(values.get(line.id, {}), case.period, line.frequency),
                tolerances=programme.tolerances,
                owner=line.owner,
                measure=line.measure,
            )
            for line in case.preferred_option.benefits
        ]
    return plans


def _planned_values(result: CaseAppraisal) -> dict[str, Mapping]:
    """The values by year of the benefit lines a case will deliver: its own, or its preferred
    option's (not business as usual's, counted against it in the case's figures)."""
    return {
        line.id: line.values
        for line in result.lines
        if line.kind == "benefit" and not line.counterfactual
    }


def _plans_from_baselines(history: Sequence[Baseline]) -> list[LinePlan]:
    current, original = history[-1], history[0]
    first = {line.benefit: line for line in original.lines}
    tolerances = Tolerances(green=current.green, amber=current.amber)
    plans = []
    for line in current.lines:
        original_plan = None
        if len(history) > 1:
            before = first.get(line.benefit)
            original_plan = _periods(before.plan) if before is not None else {}
        plans.append(
            LinePlan(
                case=current.case,
                benefit=line.benefit,
                agency=line.agency,
                group=current.category,
                value_type=line.value_type,
                cashable=line.cashable,
                cashable_share=line.cashable_share,
                frequency=line.frequency,
                plan=_periods(line.plan),
                tolerances=tolerances,
                owner=line.owner,
                measure=line.measure,
                original_plan=original_plan,
                baseline=current.recorded_at,
            )
        )
    return plans


def _periods(plan: Iterable[tuple[str, int]]) -> dict[str, int]:
    return dict(sorted(plan))  # period texts sort in time order


# -- history --------------------------------------------------------------------------------


def history(
    register: Register, case: str, benefit: str, *, as_at: str | None = None
) -> tuple[list[Entry], dict[int, int]]:
    """Every entry of one benefit line, superseded ones too, with the corrections of them (even
    one filed under another line), and which entry corrected which."""
    entries = register.entries(as_at=as_at, case=case, benefit=benefit)
    ids = {e.id for e in entries}
    corrections = register.corrections_of(sorted(ids), as_at=as_at)
    extra = [c for c in corrections if c.id not in ids]
    every = sorted([*entries, *extra], key=lambda e: e.id)
    corrected_by = {e.supersedes: e.id for e in every if e.supersedes is not None}
    return every, corrected_by
