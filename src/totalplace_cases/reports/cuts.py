"""Cuts scenarios and affordability as tables (terminal, Markdown, CSV) and as JSON.

The JSON field names are a contract (docs/case-files.md, section 7): money as strings with two
decimals, rates and shares as numbers (decimal fractions: 0.2 is 20%), years as text, written by
:func:`totalplace_cases.reports.json.dumps` under the project's one JSON policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..method.affordability import FIGURES, Affordability, AffordabilityRow, MeetRow
from ..method.cuts import CutRow, ScenarioResult
from .json import dumps, money, number
from .names import Names
from .pack.model import Column, Row, Table
from .tabletext import render_tables, tables_csv

__all__ = [
    "Beside",
    "affordability_dict",
    "affordability_tables",
    "render_affordability",
    "render_scenarios",
    "scenario_dict",
    "scenario_tables",
]

ZERO = Decimal(0)


@attrs.frozen
class Beside:
    """A scenario's cut beside the cases' affordability: the rows, and the deflator ratio that
    put the cut (in the count's prices) into the programme's price base; or why there is none."""

    rows: tuple[MeetRow, ...] = ()
    to_price_base: Decimal | None = None
    price_base: str | None = None
    note: str = ""
    #: Case titles by id, to name each case's part.
    titles: Mapping[str, str] = attrs.field(factory=dict)


# -- JSON -------------------------------------------------------------------------------------


def _cut_row(row: CutRow, key: str) -> dict[str, Any]:
    return {
        key: row.key,
        "baseline": money(row.baseline),
        "protected": money(row.protected),
        "cut": money(row.cut),
        "rate": number(row.rate),
    }


def _meet(row: MeetRow) -> dict[str, Any]:
    return {
        "agency": row.agency,
        "year": str(row.year),
        "cut": money(row.cut),
        "cases_net": money(row.net),
        "met": number(row.met),
        "net_cost": row.net_cost,
        "cases": [{"case": case, "net": money(net)} for case, net in row.cases],
    }


def scenario_dict(result: ScenarioResult, beside: Beside | None = None) -> dict[str, Any]:
    """One scenario as the JSON contract."""
    s = result.scenario
    data: dict[str, Any] = {
        "name": result.name,
        "description": s.description,
        "year": str(result.year),
        "cut": money(result.cut),
        "cut_rate": number(s.cut_rate),
        "baseline_total": money(result.baseline_total),
        "protected_total": money(result.protected_total),
        "unprotected_total": money(result.unprotected_total),
        "effective_rate": number(result.effective_rate),
        "overall_rate": number(result.overall_rate),
        "jobs": result.jobs,
        "jobs_cost": money(s.jobs_cost),
        "protect": [str(p) for p in s.protect],
        "shared_by": result.shared_by,
        "by_agency": [_cut_row(row, "agency") for row in result.by_agency],
        "by_category": [_cut_row(row, "category") for row in result.by_category],
        "by_year": [
            {"year": str(y.year), "cut": money(y.cut), "cumulative": money(y.cumulative)}
            for y in result.by_year
        ],
    }
    if beside is not None:
        data["affordability"] = {
            "price_base": beside.price_base,
            "to_price_base": number(beside.to_price_base),
            "note": beside.note or None,
            "rows": [_meet(row) for row in beside.rows],
        }
    return data


def _afford_row(row: AffordabilityRow) -> dict[str, Any]:
    data: dict[str, Any] = {"agency": row.agency, "year": str(row.year)}
    data.update({name: money(getattr(row, name)) for name in FIGURES})
    data.update({f"{name}_nominal": money(row.nominal(name)) for name in FIGURES})
    data["net_cost"] = row.net_cost
    return data


def affordability_dict(afford: Affordability) -> dict[str, Any]:
    """Affordability as the JSON contract: the programme's rows and each case's."""
    return {
        "price_base": None if afford.price_base is None else str(afford.price_base),
        "statuses_counted": list(afford.statuses),
        "notes": list(afford.notes),
        "programme": [_afford_row(row) for row in afford.programme],
        "cases": [
            {
                "case": c.case,
                "title": c.title,
                "status": c.status,
                "counted": c.counted,
                "price_base": str(c.price_base),
                "rows": [_afford_row(row) for row in c.rows],
            }
            for c in afford.cases
        ],
    }


# -- tables -----------------------------------------------------------------------------------


def _summary_table(results: Sequence[ScenarioResult]) -> Table:
    rows = [
        Row(
            r.name,
            (
                r.name,
                str(r.year),
                r.cut,
                r.baseline_total,
                r.protected_total,
                r.unprotected_total,
                r.overall_rate,
                r.effective_rate,
                r.jobs,
                ", ".join(str(p) for p in r.scenario.protect) or "nothing",
                f"{r.by_year[0].year} to {r.by_year[-1].year}"
                if len(r.by_year) > 1
                else f"from {r.by_year[0].year}",
            ),
        )
        for r in results
    ]
    return Table(
        "scenarios",
        "Cuts scenarios, side by side",
        (
            Column("scenario", "Scenario"),
            Column("year", "Count of"),
            Column("cut", "Cut a year", "money"),
            Column("baseline_total", "Baseline", "money"),
            Column("protected_total", "Protected", "money"),
            Column("unprotected_total", "Unprotected", "money"),
            Column("overall_rate", "Cut, % of all spend", "percent"),
            Column("effective_rate", "Cut, % of unprotected spend", "percent"),
            Column("jobs", "Jobs (indicative)", "integer"),
            Column("protect", "Protected"),
            Column("phasing", "Phased"),
        ),
        rows,
        notes=(
            "The effective rate is the cut over the spend that is not protected: the share "
            "everyone unprotected loses, which rises as more is protected. Jobs are the cut "
            "divided by the scenario's cost of a job, an indicative figure.",
        ),
        total_label=None,
    )


def _cut_table(result: ScenarioResult, key: str, rows: Sequence[CutRow], show) -> Table:
    title = "agency" if key == "agency" else "category"
    return Table(
        f"{_slug(result.name)}-by-{key}",
        f"{result.name}: the cut by {title} ({result.year} count)",
        (
            Column(key, title.capitalize()),
            Column("baseline", "Baseline", "money", total=True),
            Column("protected", "Protected", "money", total=True),
            Column("cut", "Cut", "money", total=True),
            Column("rate", "Cut, % of its spend", "percent"),
        ),
        [
            Row(row.key, (show(row.key), row.baseline, row.protected, row.cut, row.rate))
            for row in sorted(rows, key=lambda r: show(r.key))
        ],
        notes=(
            f"The cut is shared {result.shared_by} across the unprotected lines, in whole pence "
            "(largest remainder), so the rows add up to the scenario's cut exactly.",
        ),
        total_extra={"rate": result.overall_rate},
    )


def _year_table(result: ScenarioResult) -> Table:
    return Table(
        f"{_slug(result.name)}-by-year",
        f"{result.name}: phasing",
        (
            Column("year", "Year"),
            Column("cut", "Cut taken in the year", "money", total=True),
            Column("cumulative", "Cut reached (below the baseline)", "money"),
        ),
        [Row(str(y.year), (str(y.year), y.cut, y.cumulative)) for y in result.by_year],
    )


def _beside_table(result: ScenarioResult, beside: Beside, names: Names) -> Table:
    rows: list[Row] = []
    for row in sorted(beside.rows, key=lambda r: (names.agency(r.agency), r.year)):
        rows.append(
            Row(
                f"{row.agency}/{row.year}",
                (
                    names.agency(row.agency),
                    str(row.year),
                    row.cut,
                    row.net,
                    row.met,
                    "NET COST" if row.net_cost else "",
                ),
            )
        )
        for case, net in row.cases:
            title = beside.titles.get(case, case)
            rows.append(
                Row(f"{row.agency}/{row.year}/{case}", (title, "", None, net, None, ""), level=1)
            )
    notes = [
        "Cut: the agency's part of the cut reached by the year. Cases: the net budget position "
        "the counted cases give the agency that year (cashable savings less costs, plus budget "
        "realigned to it, less budget realigned from it), undiscounted, with each case's part "
        "below. Met: the cases' net position as a share of the cut.",
    ]
    if beside.to_price_base is not None:
        notes.append(
            f"Both in real terms at {beside.price_base} prices: the cut, counted in "
            f"{result.year}, is put in those prices with the GDP deflator "
            f"(×{beside.to_price_base:.6f})."
        )
    if beside.note:
        notes.append(beside.note)
    return Table(
        f"{_slug(result.name)}-affordability",
        f"{result.name}: the cut beside what the cases do for each agency's budget",
        (
            Column("agency", "Agency / case"),
            Column("year", "Year"),
            Column("cut", "Cut", "money"),
            Column("cases_net", "Cases' net budget position", "money"),
            Column("met", "Met", "percent"),
            Column("flag", "Flag"),
        ),
        rows,
        notes=notes,
        total_label=None,
    )


def _side_by_side(results: Sequence[ScenarioResult], names: Names) -> Table:
    agencies = sorted({row.key for r in results for row in r.by_agency}, key=names.agency)
    cuts = [{row.key: row for row in r.by_agency} for r in results]
    columns = [Column("agency", "Agency")]
    for i, r in enumerate(results):
        columns += [
            Column(f"cut_{i + 1}", f"{r.name}: cut", "money", total=True),
            Column(f"rate_{i + 1}", f"{r.name}: % of its spend", "percent"),
        ]
    rows = []
    for agency in agencies:
        cells: list[Any] = [names.agency(agency)]
        for found in cuts:
            row = found.get(agency)
            cells += [row.cut if row else ZERO, row.rate if row else None]
        rows.append(Row(agency, cells))
    return Table(
        "scenarios-by-agency",
        "The cut by agency, side by side",
        columns,
        rows,
        total_extra={f"rate_{i + 1}": r.overall_rate for i, r in enumerate(results)},
    )


def scenario_tables(
    results: Sequence[ScenarioResult], names: Names, beside: Mapping[str, Beside] | None = None
) -> list[Table]:
    """The scenarios side by side, then each one's cut by agency, by category and by year,
    and its cut beside the cases' affordability."""
    tables = [_summary_table(results)]
    if len(results) > 1:
        tables.append(_side_by_side(results, names))
    for result in results:
        tables.append(_cut_table(result, "agency", result.by_agency, names.agency))
        tables.append(_cut_table(result, "category", result.by_category, names.category))
        tables.append(_year_table(result))
        if beside is not None and result.name in beside:
            tables.append(_beside_table(result, beside[result.name], names))
    return tables


def _afford_table(
    key: str, title: str, rows: Sequence[AffordabilityRow], names: Names, nominal: bool
) -> Table:
    """By agency (the years added up) with each year below it; real or nominal figures."""

    def figures(row: AffordabilityRow) -> tuple:
        return tuple(row.nominal(n) if nominal else getattr(row, n) for n in FIGURES)

    made: list[Row] = []
    by_agency: dict[str, list[AffordabilityRow]] = {}
    for row in rows:
        by_agency.setdefault(row.agency, []).append(row)
    for agency in sorted(by_agency, key=names.agency):
        years = by_agency[agency]
        shown = [figures(row) for row in years]
        whole = [
            None if any(f[i] is None for f in shown) else sum((f[i] for f in shown), ZERO)
            for i in range(len(FIGURES))
        ]
        flagged = sum(1 for row in years if row.net_cost)
        note = f"{flagged} net-cost year{'s' if flagged != 1 else ''}" if flagged else ""
        made.append(Row(agency, (names.agency(agency), *whole, note)))
        made += [
            Row(
                f"{agency}/{row.year}",
                (str(row.year), *figures(row), "NET COST" if row.net_cost else ""),
                level=1,
            )
            for row in years
        ]
    prices = "nominal (each year's own prices)" if nominal else "real terms at the price base"
    return Table(
        key,
        f"{title}, {prices}",
        (
            Column("agency", "Agency / year"),
            Column("costs", "Costs", "money", total=True),
            Column("cashable", "Cashable savings", "money", total=True),
            Column("realigned_in", "Realigned in", "money", total=True),
            Column("realigned_out", "Realigned out", "money", total=True),
            Column("net", "Net budget position", "money", total=True),
            Column("flag", "Flag"),
        ),
        made,
        notes=(
            "Undiscounted. Costs after optimism bias; cashable savings after every adjustment; "
            "net = cashable savings - costs + realigned in - realigned out. NET COST flags a "
            "year in which the agency pays more than it saves and is given. Each agency's row "
            "adds up its years (blank where a year has no nominal figure).",
        ),
    )


def affordability_tables(
    afford: Affordability, names: Names, *, cases: bool = True, nominal: bool = True
) -> list[Table]:
    """The programme's affordability by agency and year (real, then nominal), then each
    case's."""
    tables = []
    variants = (False, True) if nominal else (False,)
    statuses = ", ".join(afford.statuses)
    for shown in variants:
        table = _afford_table(
            "affordability" + ("_nominal" if shown else ""),
            "Affordability of the programme by agency and year",
            afford.programme,
            names,
            shown,
        )
        notes = [*table.notes, f"The cases counted: those {statuses}.", *afford.notes]
        tables.append(attrs.evolve(table, notes=notes))
    if cases:
        for found in afford.cases:
            for shown in variants:
                tables.append(
                    _afford_table(
                        f"affordability_{_slug(found.case)}" + ("_nominal" if shown else ""),
                        f"Affordability of {found.title} ({found.status})",
                        found.rows,
                        names,
                        shown,
                    )
                )
    return tables


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


# -- rendering --------------------------------------------------------------------------------


def render_scenarios(
    results: Sequence[ScenarioResult],
    names: Names,
    fmt: str = "table",
    *,
    beside: Mapping[str, Beside] | None = None,
    afford: Affordability | None = None,
    units: str = "",
    width: int | None = None,
) -> str:
    """The scenarios (with the cases' affordability beside them) in ``fmt``."""
    if fmt == "json":
        data: dict[str, Any] = {
            "scenarios": [scenario_dict(r, beside.get(r.name) if beside else None) for r in results]
        }
        if afford is not None:
            data["affordability"] = affordability_dict(afford)
        return dumps(data)
    tables = scenario_tables(results, names, beside)
    if fmt == "csv":
        return tables_csv(tables)
    return render_tables(tables, fmt, units=units, width=width)


def render_affordability(
    afford: Affordability,
    names: Names,
    fmt: str = "table",
    *,
    cases: bool = True,
    units: str = "",
    width: int | None = None,
) -> str:
    """Affordability by agency and year, programme and cases, real and nominal, in ``fmt``."""
    if fmt == "json":
        return dumps(affordability_dict(afford))
    tables = affordability_tables(afford, names, cases=cases)
    if fmt == "csv":
        return tables_csv(tables)
    return render_tables(tables, fmt, units=units, width=width)
