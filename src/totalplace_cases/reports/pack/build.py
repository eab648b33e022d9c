"""Building the evidence pack: the appraisal and the programme arranged into numbered sections.

:func:`build_pack` is the one place that decides what a pack holds and in what order; every
format is written from what it returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ... import __version__
from ...io.digest import combined_sha256, file_sha256, input_files, input_name
from ...method.results import Appraisal
from ...models import Programme
from ...plugin import EvidenceTable
from ...reports.json import money
from .economic import options_section
from .fivecase import affordability_section, five_case_section
from .model import Made, Pack, Section
from .sections import (
    Names,
    agencies_section,
    assumptions_section,
    count_section,
    gains_baseline_table,
    gains_section,
    note_section,
    plugin_section,
    realigned_central,
    realignment_section,
    realisation_section,
    statuses_counted,
    summary_section,
)

__all__ = ["PACK_FORMAT", "PACK_VERSION", "build_pack", "made_for", "programme_folder"]

#: What the JSON return says it is, and the version of its layout (raised only by additions
#: that a reader must know of; fields are only ever added).
PACK_FORMAT = "totalplace-evidence-return"
PACK_VERSION = 1


def programme_folder(programme: Programme) -> Path | None:
    """The folder inputs are named relative to: the programme's, or its only case's."""
    if programme.source is not None:
        return Path(programme.source).parent
    sources = [c.source for c in programme.cases if c.source is not None]
    return Path(sources[0]).parent if sources else None


def made_for(
    programme: Programme,
    rules,
    *,
    as_at: str,
    extra_inputs: Sequence[tuple[str, str]] = (),
    read: Mapping[Path, str] | None = None,
) -> Made:
    """How a pack of ``programme`` is made: each input's SHA-256, the versions, the moment.

    :param extra_inputs: further ``(name, sha256)`` inputs (the register as at ``as_at``).
    :param read: the SHA-256 of the bytes each file was read from, by resolved path (see
        :func:`~totalplace_cases.textfile.recording`); a file not in it is digested now.
    """
    folder = programme_folder(programme)
    read = read or {}
    inputs = [
        (input_name(path, folder), read.get(path.resolve()) or file_sha256(path))
        for path in input_files(programme)
    ]
    inputs += list(extra_inputs)
    inputs.sort()
    plugins = []
    for info in rules.infos.values():
        origin = info.origin
        if origin.startswith("local: "):
            origin = "local: " + input_name(origin[len("local: ") :], folder)
        plugins.append((info.name, info.version or "", origin))
    return Made(
        as_at=as_at,
        library_version=__version__,
        inputs=tuple(inputs),
        inputs_sha256=combined_sha256(inputs),
        plugins=tuple(sorted(plugins)),
    )


def build_pack(
    programme: Programme,
    rules,
    appraisal: Appraisal,
    made: Made,
    *,
    evidence: Sequence[EvidenceTable] = (),
    realisation: Any = None,
    realisation_note: str = "No benefits register was read for this pack.",
    count: Any = None,
    gains: Any = None,
    charts: bool = True,
    affordability: Any = None,
) -> Pack:
    """The evidence pack for ``programme``'s ``appraisal``.

    :param evidence: the plugins' evidence tables (a section of their own).
    :param realisation: the benefits register's status as at the pack's moment
        (:class:`~totalplace_cases.io.register.tracking.StatusReport`), or None, with
        ``realisation_note`` saying why there is none.
    :param count: the count of the programme's spend files
        (:class:`~totalplace_cases.method.count.Count`), or None when it names none; ``gains``
        the counted cases' cashable gains against it.
    :param charts: whether to include charts (the formats that cannot show them skip drawing).
    :param affordability: the cases' affordability by agency and year
        (:class:`~totalplace_cases.method.affordability.Affordability`), or None to say it was
        not worked out.
    """
    names = Names(programme, rules.registry)
    sections: list[Section] = [
        summary_section(appraisal, programme, names, charts=charts),
        gains_section(
            appraisal,
            programme,
            names,
            extra=(gains_baseline_table(gains, names),) if gains is not None else (),
        ),
        agencies_section(appraisal, programme, names, charts=charts),
        realignment_section(appraisal, programme, names),
        note_section(
            5,
            "count",
            "The count",
            "This programme has no count of its spend: it names no spend files "
            '(baseline = ["spend.csv", ...] in programme.toml).',
        )
        if count is None
        else count_section(count, programme, names, charts=charts),
        note_section(6, "realisation", "Benefits realisation", realisation_note)
        if realisation is None
        else realisation_section(realisation, programme, names, charts=charts),
        assumptions_section(appraisal, programme, made, number=7),
        plugin_section(evidence, number=8),
        five_case_section(programme, number=9),
        note_section(10, "affordability", "Affordability", "Affordability was not worked out.")
        if affordability is None
        else affordability_section(affordability, names, number=10),
        options_section(appraisal, number=11),
    ]
    title = f"{programme.name or programme.id}: evidence return"
    pack = Pack(programme.id, title, made, sections)
    facts = _facts(pack, appraisal, programme, names)
    if count is not None:
        last = count.years[-1] if count.years else None
        facts["totals"]["spend_counted"] = money(count.for_year(last).total)
        facts["totals"]["spend_year"] = str(last) if last is not None else None
    return Pack(programme.id, title, made, sections, facts=facts)


def _facts(pack: Pack, appraisal: Appraisal, programme: Programme, names: Names) -> dict:
    """The return's headline, for programs that add returns up: the place, the conventions
    every figure rests on, and the totals."""
    summary = pack.table("summary")
    total = summary.total
    counted = [r for r in summary.rows if r.counted]
    to_central, from_central = realigned_central(appraisal, programme, names)
    schedules: dict[str, list[str]] = {}
    for case in appraisal.cases:
        schedules.setdefault(case.schedule, []).append(case.id)

    def figure(key: str) -> str | None:
        if total is None:
            return None
        return money(total[summary.index(key)])

    return {
        "place": programme.place or None,
        "population": programme.population,
        "price_base": _only(str(c.price_base) for c in appraisal.cases),
        "discount_base": _only(str(c.discount_base) for c in appraisal.cases),
        "discount_schedules": [
            {"name": name, "cases": ids} for name, ids in sorted(schedules.items())
        ],
        "timing": _only(c.timing for c in appraisal.cases),
        "parameters": [
            {"table": u.table, "source": u.source, "vintage": u.vintage}
            for u in appraisal.programme.parameters
        ],
        "statuses_counted": list(statuses_counted(appraisal)),
        "totals": {
            "cases": len(counted),
            "cases_listed": len(summary.rows),
            "spend_counted": None,
            "spend_year": None,
            "pv_costs": figure("pv_costs"),
            "pv_benefits": figure("pv_benefits"),
            "npsv": figure("npsv"),
            "cashable_savings": figure("cashable_savings"),
            "bcr": appraisal.totals.bcr,
            "realigned_to_central": money(to_central),
            "realigned_from_central": money(from_central),
        },
    }


def _only(values) -> str | None:
    """The one value all cases share, or None when they differ (or there are none)."""
    found = set(values)
    return found.pop() if len(found) == 1 else None
