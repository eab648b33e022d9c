"""The sections of the evidence pack, each built from the appraisal and the programme.

Every figure comes from the appraisal (:mod:`totalplace_cases.method`) as it computed it:
present values by case and by agency, each line's yearly values. Nothing here appraises; it
only arranges, names (agencies and categories by name) and adds up, exactly.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ...method.precision import exact
from ...method.results import Appraisal, CaseAppraisal
from ...models import STATUSES, BusinessCase, Programme
from ...periods import FinancialYear
from ...plugin import EvidenceTable
from ..names import Names
from .model import Chart, Column, Made, Row, Section, Table

__all__ = [
    "agencies_section",
    "assumptions_section",
    "gains_section",
    "plugin_section",
    "realignment_section",
    "statuses_counted",
    "summary_section",
]

ZERO = Decimal(0)


def statuses_counted(appraisal: Appraisal) -> tuple[str, ...]:
    """The case statuses the programme's totals include, as the appraisal says."""
    return tuple(appraisal.totals.statuses_included)


def _case_model(programme: Programme, case_id: str) -> BusinessCase | None:
    try:
        return programme.case(case_id)
    except KeyError:
        return None


def _status(programme: Programme, case: CaseAppraisal) -> str:
    return case.status


def _counted_note(counted: Sequence[str]) -> str:
    left_out = [s for s in STATUSES if s not in counted]
    if not left_out:
        return "Totals include cases of every status."
    return (
        f"Totals include cases that are {', '.join(counted)}; cases that are "
        f"{' or '.join(left_out)} are listed but not counted."
    )


# -- 1. programme summary ---------------------------------------------------------------------

SUMMARY_COLUMNS = (
    Column("case", "Case"),
    Column("status", "Status"),
    Column("category", "Category"),
    Column("sponsor", "Sponsor"),
    Column("pv_costs", "PV costs", "money", total=True),
    Column("pv_benefits", "PV benefits", "money", total=True),
    Column("npsv", "NPSV", "money", total=True),
    Column("bcr", "BCR", "ratio"),
    Column("fiscal_roi", "Fiscal ROI", "ratio"),
    Column("cashable_savings", "Cashable savings (PV)", "money", total=True),
    Column("payback_year", "Payback year"),
    Column("payback_years", "Payback (years)", "number"),
    Column("vfm_category", "VfM category"),
)


def summary_section(
    appraisal: Appraisal, programme: Programme, names: Names, charts: bool = True
) -> Section:
    """One row per case (every status listed; the total counts the statuses the totals do),
    and per case a chart of cumulative discounted costs against benefits."""
    counted = statuses_counted(appraisal)
    rows = []
    for case in appraisal.cases:
        status = _status(programme, case)
        rows.append(
            Row(
                case.id,
                (
                    case.title,
                    status,
                    names.category(case.category),
                    names.agency(case.sponsor),
                    case.pv_costs,
                    case.pv_benefits,
                    case.npsv,
                    case.bcr,
                    case.fiscal_roi,
                    case.pv_fiscal_cashable,
                    str(case.payback_year) if case.payback_year is not None else "not reached",
                    case.payback_years,
                    case.vfm_category,
                ),
                counted=status in counted,
            )
        )
    totals = appraisal.totals
    notes = [_counted_note(counted)]
    notes.append(
        "Present values in real terms at "
        f"{_one(str(c.price_base) for c in appraisal.cases)} prices, discounted to "
        f"{_one(str(c.discount_base) for c in appraisal.cases)}. Payback is when cumulative "
        "discounted fiscal benefits reach cumulative discounted costs, in years from the start "
        "of the case's first year."
    )
    if totals.note:
        notes.append(f"No total: {totals.note}.")
    table = Table(
        "summary",
        "Programme summary",
        SUMMARY_COLUMNS,
        rows,
        notes=notes,
        total_label=None if totals.note else "Total",
        total_extra={
            "bcr": totals.bcr,
            "fiscal_roi": totals.fiscal_roi,
            "vfm_category": totals.vfm_category,
        },
    )
    return Section(
        1,
        "summary",
        "Programme summary",
        (table,),
        tuple(_payback_chart(case) for case in appraisal.cases) if charts else (),
        intro=(
            "Each business case's headline figures under HM Treasury's Green Book: present "
            "values of costs (after optimism bias) and benefits (after deadweight, "
            "displacement, attribution and drop-off), the net present social value, the "
            "benefit-cost ratio, the fiscal return and the value-for-money category."
        ),
    )


def _one(values: Iterable[str]) -> str:
    found = sorted(set(values))
    return " / ".join(found) if found else "n/a"


def _payback_chart(case: CaseAppraisal) -> Chart:
    """Cumulative discounted costs, benefits and fiscal benefits by year, and the payback."""
    years, costs, benefits, fiscal = [], [], [], []
    so_far = [ZERO, ZERO, ZERO]
    for flow in case.flows:
        factor = flow.discount_factor
        so_far = [
            so_far[0] + flow.costs * factor,
            so_far[1] + flow.benefits * factor,
            so_far[2] + flow.fiscal * factor,
        ]
        years.append(str(flow.year))
        costs.append(so_far[0])
        benefits.append(so_far[1])
        fiscal.append(so_far[2])
    payback = (
        f"pays back in {case.payback_year} ({case.payback_years:.2f} years)"
        if case.payback_year is not None and case.payback_years is not None
        else "does not pay back within its appraisal period"
    )
    return Chart(
        f"payback-{_slug(case.id)}",
        f"{case.title}: cumulative discounted costs and benefits",
        "cumulative",
        {
            "years": years,
            "costs": costs,
            "benefits": benefits,
            "fiscal": fiscal,
            "payback_years": case.payback_years,
            "payback_year": str(case.payback_year) if case.payback_year is not None else None,
        },
        description=(
            f"Cumulative discounted costs against benefits of {case.title} from {case.start} "
            f"over {case.years} years; the case {payback}."
        ),
    )


# -- 2. efficiency gains ----------------------------------------------------------------------


def gains_section(
    appraisal: Appraisal,
    programme: Programme,
    names: Names,
    extra: Sequence[Table] = (),
) -> Section:
    """Fiscal benefits by year, cashable and non-cashable, and by category and agency, for the
    cases counted; ``extra`` tables (the gains against the count's baseline) follow."""
    counted = statuses_counted(appraisal)
    by_year: dict[FinancialYear, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    by_agency: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for case in appraisal.cases:
        model = _case_model(programme, case.id)
        if model is None or _status(programme, case) not in counted:
            continue
        for line in case.lines:
            if line.kind != "benefit" or line.value_type != "fiscal":
                continue
            # Each value split as the appraisal split it: its cashable share, the rest not
            # (a business-as-usual line of a case with options counts against it, negated).
            with exact():
                for year, value in line.values.items():
                    cash = value * line.cashable
                    by_year[year][0] += cash
                    by_year[year][1] += value - cash
                total = sum(line.values.values(), ZERO)
                for agency, part in _shares(line.agency, line.adjustments.get("split"), total):
                    cash = part * line.cashable
                    by_agency[(case.category, agency)][0] += cash
                    by_agency[(case.category, agency)][1] += part - cash
    year_rows = [
        Row(str(year), (str(year), cash, non, cash + non))
        for year, (cash, non) in sorted(by_year.items())
    ]
    columns = (
        Column("cashable", "Cashable", "money", total=True),
        Column("non_cashable", "Non-cashable", "money", total=True),
        Column("total", "Total", "money", total=True),
    )
    basis = (
        "Fiscal benefits (savings to public bodies) after every adjustment, undiscounted, in "
        f"real terms at {_one(str(c.price_base) for c in appraisal.cases)} prices. "
        + _counted_note(counted)
    )
    year_table = Table(
        "gains_by_year",
        "Efficiency gains by year",
        (Column("year", "Year"), *columns),
        year_rows,
        notes=(basis,),
    )
    agency_rows: list[Row] = []
    categories = sorted({category for category, _ in by_agency}, key=names.category)
    for category in categories:
        members = {a: v for (c, a), v in by_agency.items() if c == category}
        cash = sum((v[0] for v in members.values()), ZERO)
        non = sum((v[1] for v in members.values()), ZERO)
        agency_rows.append(Row(category, (names.category(category), cash, non, cash + non)))
        for agency in sorted(members, key=names.agency):
            cash, non = members[agency]
            agency_rows.append(
                Row(f"{category}/{agency}", (names.agency(agency), cash, non, cash + non), level=1)
            )
    agency_table = Table(
        "gains_by_agency",
        "Efficiency gains by category and agency, over the appraisal periods",
        (Column("category", "Category / agency"), *columns),
        agency_rows,
        notes=(
            basis,
            "A benefit valued with a unit cost shared among several bodies is shared among "
            "their agencies in the same proportions.",
        ),
    )
    return Section(
        2,
        "gains",
        "Efficiency gains",
        (year_table, agency_table, *extra),
        intro=(
            "The savings to public bodies the cases expect, year by year: cashable (budgets "
            "that can be reduced) and non-cashable (capacity released)."
        ),
    )


def _shares(
    agency: str, split: Mapping[str, Any] | None, total: Decimal
) -> list[tuple[str, Decimal]]:
    """``total`` shared as the appraisal shared the line: the last share takes the remainder,
    so that the parts add up to the whole exactly."""
    if not split:
        return [(agency, total)]
    parts = []
    given = ZERO
    items = list(split.items())
    for i, (who, share) in enumerate(items):
        part = total - given if i == len(items) - 1 else total * Decimal(str(share))
        given += part
        parts.append((who, part))
    return parts


# -- 3. who pays and who gains ----------------------------------------------------------------

AGENCY_COLUMNS = (
    Column("agency", "Agency"),
    Column("pv_costs", "Pays: PV costs", "money", total=True),
    Column("pv_benefits", "Gains: PV benefits", "money", total=True),
    Column("pv_fiscal_cashable", "of which fiscal, cashable", "money", total=True),
    Column("pv_fiscal_non_cashable", "of which fiscal, non-cashable", "money", total=True),
    Column("net_fiscal", "Budget position before realignment", "money", total=True),
    Column("pv_realigned", "Budget realigned", "money", total=True),
    Column("net_fiscal_after_realignment", "Budget position after realignment", "money", True),
)
_AGENCY_FIGURES = tuple(c.key for c in AGENCY_COLUMNS[1:])


def agencies_section(
    appraisal: Appraisal, programme: Programme, names: Names, charts: bool = True
) -> Section:
    """Each agency's present values over the cases counted, with each case's part below it,
    before and after realignment; and a chart of the same."""
    counted = statuses_counted(appraisal)
    per_agency: dict[str, list[tuple[CaseAppraisal, Any]]] = defaultdict(list)
    for case in appraisal.cases:
        if _status(programme, case) not in counted:
            continue
        for result in case.by_agency:
            per_agency[result.agency].append((case, result))
    rows: list[Row] = []
    chart_rows = []
    for agency in sorted(per_agency, key=names.agency):
        parts = per_agency[agency]
        sums = [sum((getattr(r, key) for _, r in parts), ZERO) for key in _AGENCY_FIGURES]
        rows.append(Row(agency, (names.agency(agency), *sums)))
        chart_rows.append((names.agency(agency), sums))
        for case, result in parts:
            rows.append(
                Row(
                    f"{agency}/{case.id}",
                    (case.title, *(getattr(result, key) for key in _AGENCY_FIGURES)),
                    level=1,
                )
            )
    table = Table(
        "agencies",
        "Who pays and who gains, by agency",
        AGENCY_COLUMNS,
        rows,
        notes=(
            "Present values. The budget position is the fiscal benefits an agency receives "
            "less the costs it pays; budget realigned is what the cases' realignments move to "
            "(positive) or from (negative) it. Under each agency, its part in each case.",
            _counted_note(counted),
        ),
    )
    chart = Chart(
        "agencies",
        "What each agency pays and gains, before and after realignment",
        "agency-bars",
        {
            "agencies": [name for name, _ in chart_rows],
            "costs": [sums[0] for _, sums in chart_rows],
            "fiscal": [sums[2] + sums[3] for _, sums in chart_rows],
            "before": [sums[4] for _, sums in chart_rows],
            "after": [sums[6] for _, sums in chart_rows],
        },
        description=(
            "For each agency, the present value of the costs it pays, the fiscal benefits it "
            "gains, and its budget position before and after realignment."
        ),
    )
    return Section(
        3,
        "agencies",
        "Who pays and who gains",
        (table,),
        (chart,) if charts and chart_rows else (),
        intro=(
            'The "wrong pocket": the body that pays for a case is often not the one that '
            "saves. Realignments move budget to where the costs fall."
        ),
    )


# -- 4. budget realignment --------------------------------------------------------------------

REALIGNMENT_COLUMNS = (
    Column("year", "Year"),
    Column("case", "Case"),
    Column("kind", "Kind"),
    Column("from", "From"),
    Column("to", "To"),
    Column("amount", "Amount", "money", total=True),
)


def realignment_section(appraisal: Appraisal, programme: Programme, names: Names) -> Section:
    """Every budget realignment of the cases counted, by year, kind, from and to."""
    counted = statuses_counted(appraisal)
    entries = []
    for case in appraisal.cases:
        model = _case_model(programme, case.id)
        if model is None or _status(programme, case) not in counted:
            continue
        for index, realignment in enumerate(model.realignments):
            for year, amount in realignment.amounts.items():
                entries.append((year, case, index, realignment, amount))
    entries.sort(key=lambda e: (e[0], e[1].id, e[2]))
    rows = [
        Row(
            f"{year}/{case.id}/{index}",
            (
                str(year),
                case.title,
                realignment.kind,
                names.agency(realignment.from_agency),
                names.agency(realignment.to_agency),
                amount,
            ),
        )
        for year, case, index, realignment, amount in entries
    ]
    table = Table(
        "realignments",
        "Budget realignment schedule",
        REALIGNMENT_COLUMNS,
        rows,
        notes=(
            "Amounts as the case files give them (real terms at each case's price base, "
            "undiscounted). Their present values are in each agency's budget realigned.",
            _counted_note(counted),
        ),
    )
    return Section(
        4,
        "realignments",
        "Budget realignment",
        (table,),
        intro="Revenue and capital budget moved between bodies, year by year.",
    )


def realigned_central(
    appraisal: Appraisal, programme: Programme, names: Names
) -> tuple[Decimal, Decimal]:
    """Budget realigned to and from central government departments, undiscounted."""
    counted = statuses_counted(appraisal)
    to_central = from_central = ZERO
    for case in appraisal.cases:
        model = _case_model(programme, case.id)
        if model is None or _status(programme, case) not in counted:
            continue
        for realignment in model.realignments:
            moved = sum(realignment.amounts.values(), ZERO)
            if names.agency_kind(realignment.to_agency) == "central":
                to_central += moved
            if names.agency_kind(realignment.from_agency) == "central":
                from_central += moved
    return to_central, from_central


# -- placeholders for the count and the register ----------------------------------------------


def note_section(number: int, key: str, title: str, intro: str) -> Section:
    """A section with nothing to show yet, saying why (so that numbering stays the same)."""
    return Section(number, key, title, intro=intro)


# -- 7. assumptions ---------------------------------------------------------------------------


def assumptions_section(
    appraisal: Appraisal,
    programme: Programme,
    made: Made,
    number: int = 7,
) -> Section:
    """Every convention and parameter table the figures rest on, and what the pack was made
    from: library and plugin versions, the moment it is as at, and the inputs' SHA-256."""
    p = appraisal.programme
    schedules: dict[str, list[str]] = defaultdict(list)
    for case in appraisal.cases:
        schedules[case.schedule].append(case.id)
    timings = _one(f"{c.timing}-year" for c in appraisal.cases)
    facts = [
        ("programme", "Programme", f"{programme.name or programme.id} ({programme.id})"),
        ("place", "Place", programme.place or "not given"),
        ("price_base", "Price base", _one(str(c.price_base) for c in appraisal.cases)),
        ("discount_base", "Discount base", _one(str(c.discount_base) for c in appraisal.cases)),
        (
            "discount_schedules",
            "Discount schedules",
            "; ".join(f"{name} ({len(ids)} cases)" for name, ids in sorted(schedules.items())),
        ),
        ("timing", "Discounting", f"flows at the {timings.replace('-year', '')} of each year"),
        ("statuses_counted", "Statuses counted", ", ".join(statuses_counted(appraisal))),
        ("as_at", "As at (and made)", made.as_at),
        ("library_version", "totalplace-cases version", made.library_version),
        ("inputs_sha256", "SHA-256 of the inputs", made.inputs_sha256),
    ]
    conventions = Table(
        "assumptions",
        "Assumptions and conventions",
        (Column("item", "Item"), Column("value", "Value")),
        [Row(key, (title, value)) for key, title, value in facts],
        notes=tuple(p.notes),
        total_label=None,
    )
    parameters = Table(
        "parameters",
        "Parameter tables used, with source and vintage",
        (Column("table", "Table"), Column("source", "Source"), Column("vintage", "Vintage")),
        [Row(u.table, (u.table, u.source, u.vintage)) for u in p.parameters],
        total_label=None,
    )
    inputs = Table(
        "inputs",
        "Inputs, with their SHA-256",
        (Column("file", "Input"), Column("sha256", "SHA-256")),
        [Row(name, (name, sha)) for name, sha in made.inputs],
        notes=(
            "The SHA-256 of the inputs (under Assumptions) is the SHA-256 of this list as "
            "`sha256sum` prints it (`<sha256>  <input>` per line, sorted by input).",
        ),
        total_label=None,
    )
    plugins = Table(
        "plugins",
        "Plugins loaded",
        (Column("plugin", "Plugin"), Column("version", "Version"), Column("origin", "From")),
        [Row(name, (name, version, origin)) for name, version, origin in made.plugins],
        total_label=None,
    )
    return Section(
        number,
        "assumptions",
        "Assumptions",
        (conventions, parameters, inputs, plugins),
        intro=(
            "What every figure rests on, and what this pack was made from: two packs with the "
            "same SHA-256 of inputs, library and plugin versions and as-at moment are the same."
        ),
    )


# -- plugin tables ----------------------------------------------------------------------------

_MONEY_TEXT = re.compile(r"^(-?)£([0-9]{1,3}(?:,[0-9]{3})*|[0-9]+)\.([0-9]{2})$")


def _money_text(cell: Any) -> Decimal | None:
    """A cell a plugin wrote as money text (``"£1,234.50"``, ``"-£3.00"``), as an amount."""
    if not isinstance(cell, str):
        return None
    found = _MONEY_TEXT.match(cell)
    if found is None:
        return None
    sign, whole, pence = found.groups()
    return Decimal(f"{sign}{whole.replace(',', '')}.{pence}")


def plugin_table(table: EvidenceTable, number: int) -> Table:
    """A plugin's evidence table as a pack table: a column whose cells are all money text
    becomes money (a number in a spreadsheet), all whole numbers an integer column, all exact
    decimals a decimal column; anything else is text."""
    columns = []
    cells = [list(row) for row in table.rows]
    for index, header in enumerate(table.headers):
        values = [row[index] for row in cells if row[index] not in (None, "")]
        kind = "text"
        if values and all(_money_text(v) is not None for v in values):
            kind = "money"
            for row in cells:
                row[index] = _money_text(row[index])
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            kind = "integer"
        elif values and all(
            isinstance(v, int | Decimal) and not isinstance(v, bool) for v in values
        ):
            kind = "decimal"
        else:
            for row in cells:
                row[index] = None if row[index] is None else str(row[index])
        columns.append(Column(f"c{index + 1}", str(header), kind))
    return Table(
        f"plugin-{_slug(table.plugin)}-{number}",
        table.title,
        columns,
        [Row(str(i), row) for i, row in enumerate(cells, start=1)],
        notes=(table.notes,) if table.notes else (),
        total_label=None,
        plugin=table.plugin,
    )


def plugin_section(tables: Sequence[EvidenceTable], number: int) -> Section:
    counts: dict[str, int] = defaultdict(int)
    made = []
    for table in tables:
        counts[table.plugin] += 1
        made.append(plugin_table(table, counts[table.plugin]))
    return Section(
        number,
        "plugins",
        "Further tables from plugins",
        made,
        intro="Tables the programme's plugins add, each naming the plugin that made it."
        if made
        else "No plugin added a table.",
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


# -- 6. benefits realisation ------------------------------------------------------------------

REALISATION_COLUMNS = (
    Column("benefit", "Case / benefit line"),
    Column("agency", "Agency"),
    Column("category", "Category"),
    Column("plan_to_date", "Plan to date", "money", total=True),
    Column("actual_to_date", "Actual to date", "money", total=True),
    Column("variance", "Variance", "money", total=True),
    Column("achievement", "Achieved", "percent"),
    Column("rag", "RAG"),
    Column("forecast_outturn", "Forecast outturn", "money", total=True),
    Column("plan_total", "Plan, whole period", "money", total=True),
)


def _pounds(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)


def realisation_section(
    report: Any, programme: Programme, names: Names, number: int = 6, charts: bool = True
) -> Section:
    """Plan against actual from the benefits register, as at the report's moment: each case's
    totals with its benefit lines under it, RAG by line, and a chart of plan against actual."""
    cases = {t.key: t for t in report.totals.get("by_case", [])}
    rows: list[Row] = []
    chart_lines = []
    for case_id, total in cases.items():
        title = _case_title(programme, case_id)
        rows.append(
            Row(
                case_id,
                (
                    title, "", "",
                    _pounds(total.plan_to_date), _pounds(total.actual_to_date),
                    _pounds(total.variance), total.achievement, total.rag,
                    _pounds(total.forecast_outturn), _pounds(total.plan_total),
                ),
            )
        )  # fmt: skip
        for status in report.lines:
            line = status.line
            if line.case != case_id:
                continue
            label = line.benefit + (" (dis-benefit)" if status.dis_benefit else "")
            rows.append(
                Row(
                    f"{case_id}/{line.benefit}",
                    (
                        label, names.agency(line.agency), line.category,
                        _pounds(status.plan_to_date), _pounds(status.actual_to_date),
                        _pounds(status.variance), status.achievement, status.rag,
                        _pounds(status.forecast_outturn), _pounds(status.plan_total),
                    ),
                    level=1,
                )
            )  # fmt: skip
            chart_lines.append(
                (
                    f"{line.benefit}",
                    _pounds(status.plan_to_date),
                    _pounds(status.actual_to_date),
                    status.rag,
                )
            )
    overall = report.programme
    notes = [
        f"As at {report.as_at}, to the end of {report.period}. Amounts in real terms at each "
        "case's price base, undiscounted; achieved is actual as a share of plan to date. RAG: "
        f"green at {programme.tolerances.green:%} of plan or more, amber from "
        f"{programme.tolerances.amber:%}, red below; no-data when a period due has no actual.",
        *report.notes,
    ]
    table = Table(
        "realisation",
        "Benefits realisation: plan against actual",
        REALISATION_COLUMNS,
        rows,
        notes=notes,
        total_extra={}
        if overall is None
        else {"achievement": overall.achievement, "rag": overall.rag},
    )
    chart = Chart(
        "realisation",
        "Plan against actual to date, by benefit line",
        "plan-actual",
        {
            "lines": [c[0] for c in chart_lines],
            "plan": [c[1] for c in chart_lines],
            "actual": [c[2] for c in chart_lines],
            "rag": [c[3] for c in chart_lines],
        },
        description=(
            "For each benefit line tracked in the register, the plan to date beside the "
            "actual to date, coloured by its RAG status."
        ),
    )
    return Section(
        number,
        "realisation",
        "Benefits realisation",
        (table,) if rows else (),
        (chart,) if charts and chart_lines else (),
        intro="What the cases have delivered so far, from the benefits register."
        if rows
        else "The benefits register tracks no benefit line yet.",
    )


def _case_title(programme: Programme, case_id: str) -> str:
    model = _case_model(programme, case_id)
    return model.title if model is not None else case_id


# -- 5. the count, and 2. gains against its baseline ------------------------------------------


def count_section(count: Any, programme: Programme, names: Names, charts: bool = True) -> Section:
    """The count of the baseline year (the count's last): by agency with each category under
    it, by category (with spend per head), and each spend file's control totals."""
    year = count.years[-1] if count.years else None
    view = count.for_year(year)
    total = view.total
    by_agency = view.total_by("agency")
    by_pair = view.total_by("agency", "category")
    categories = sorted({c for _, c in by_pair}, key=names.category)
    rows: list[Row] = []
    for (agency,), amount in sorted(by_agency.items(), key=lambda kv: names.agency(kv[0][0])):
        rows.append(Row(agency, (names.agency(agency), amount, _share(amount, total))))
        for category in categories:
            part = by_pair.get((agency, category))
            if part is not None:
                rows.append(
                    Row(
                        f"{agency}/{category}",
                        (names.category(category), part, _share(part, total)),
                        level=1,
                    )
                )
    label = f" {year}" if year is not None else ""
    agency_table = Table(
        "count_by_agency",
        f"The count{label}: spend by agency and category",
        (
            Column("agency", "Agency / category"),
            Column("spend", "Spend", "money", total=True),
            Column("share", "Share", "percent"),
        ),
        rows,
        notes=(
            f"Every counted line of the spend files for {year}, under the agency that spends it.",
        )
        if year
        else (),
    )
    per_head = count.population is not None and count.population > 0
    category_rows = [
        Row(
            category,
            (
                names.category(category),
                amount,
                _share(amount, total),
                *((count.per_head(amount),) if per_head else ()),
            ),
        )
        for (category,), amount in sorted(
            view.total_by("category").items(), key=lambda kv: names.category(kv[0][0])
        )
    ]
    category_columns = [
        Column("category", "Category"),
        Column("spend", "Spend", "money", total=True),
        Column("share", "Share", "percent"),
    ]
    if per_head:
        category_columns.append(Column("per_head", "Per head", "money"))
    category_table = Table(
        "count_by_category",
        f"The count{label}: spend by category",
        category_columns,
        category_rows,
        notes=(f"Per head: of a population of {count.population:,}.",) if per_head else (),
        total_extra={"per_head": count.per_head(total)} if per_head else {},
    )
    folder = _folder(programme)
    files = Table(
        "count_files",
        "The count's control totals, by spend file",
        (
            Column("file", "Spend file"),
            Column("lines", "Lines read", "integer", total=True),
            Column("counted", "Counted", "integer", total=True),
            Column("rejected", "Rejected", "integer", total=True),
            Column("total", "Total counted", "money", total=True),
            Column("rejected_total", "Total rejected", "money", total=True),
        ),
        [
            Row(
                name,
                (name, f.lines, f.counted, f.rejected, f.total, f.rejected_total),
            )
            for f in count.files
            for name in (_relative(f.path, folder),)
        ],
        notes=(
            "Each file's totals tie out to the agency's own ledger; the total counted is the "
            "count of every year the files hold.",
        ),
    )
    chart = Chart(
        "count",
        f"The count{label} by agency and counting group",
        "count-bars",
        {
            "agencies": [
                names.agency(a) for (a,), _ in sorted(by_agency.items(), key=lambda kv: -kv[1])
            ],
            "categories": [names.category(c) for c in categories],
            "values": [
                [by_pair.get((a, c), ZERO) for c in categories]
                for (a,), _ in sorted(by_agency.items(), key=lambda kv: -kv[1])
            ],
        },
        description=(
            "For each agency, its counted spend split by counting group, largest agency first."
        ),
    )
    return Section(
        5,
        "count",
        "The count",
        (agency_table, category_table, files),
        (chart,) if charts and by_agency else (),
        intro="All public spending in the place, counted across every agency: the baseline.",
    )


def gains_baseline_table(gains: Any, names: Names) -> Table:
    """The counted cases' cashable gains against the spend each reduces (the count's gains)."""

    def label(value: str | None, show) -> str:
        return "any" if value is None else show(value)

    rows = []
    for row in gains.rows:
        key = "/".join(part or "*" for part in (row.agency, row.category, row.theme))
        rows.append(
            Row(
                key,
                (
                    label(row.agency, names.agency),
                    label(row.category, names.category),
                    row.theme or "any",
                    row.baseline,
                    sum(row.gains.values(), ZERO),
                    row.peak,
                    row.share,
                    "yes" if row.exceeds_baseline else "no",
                ),
            )
        )
    loose = gains.unassigned
    if loose.lines:
        rows.append(
            Row(
                "unassigned",
                (
                    "(reduces no counted spend)", "", "", None,
                    sum(loose.gains.values(), ZERO), loose.peak, None, "",
                ),
            )
        )  # fmt: skip
    total = gains.total
    year = f" ({gains.year})" if gains.year is not None else ""
    return Table(
        "gains_baseline",
        f"Cashable gains against the baseline{year}",
        (
            Column("agency", "Agency"),
            Column("category", "Category"),
            Column("theme", "Theme"),
            Column("baseline", "Baseline spend", "money"),
            Column("gains", "Gains, all years", "money"),
            Column("peak", "Gains, largest year", "money"),
            Column("share", "Largest year / baseline", "percent"),
            Column("exceeds", "Exceeds baseline"),
        ),
        rows,
        notes=(
            "The cashable benefit lines of approved, in-delivery and closed cases, each set "
            "against the spend it names as reducing (reduces = {agency, category, theme}); "
            "gross values by year before adjustments, undiscounted, in real terms. The total is "
            "the programme's: every line against the whole count. Rows may overlap, so they "
            "are not added up.",
        ),
        total_label="Programme",
        total_extra={
            "baseline": total.baseline,
            "gains": sum(total.gains.values(), ZERO),
            "peak": total.peak,
            "share": total.share,
        },
    )


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if not whole else part / whole


def _folder(programme: Programme):
    from pathlib import Path

    return Path(programme.source).parent if programme.source is not None else None


def _relative(path: Any, folder: Any) -> str:
    from ...io.digest import input_name

    return input_name(path, folder)
