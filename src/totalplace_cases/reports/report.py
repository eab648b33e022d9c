"""The appraisal as a terminal report: the programme summary first, then each case in detail.

Agencies are shown by name, amounts in £ with negatives in brackets (in pounds and pence, or
£k or £m with ``--units``), and every table fits the terminal (see
:mod:`totalplace_cases.reports.terminal`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from decimal import Decimal

from ..display import clean
from ..method.results import Appraisal, CaseAppraisal
from ..plugin import EvidenceTable
from .names import Names
from .options import cohorts_table, options_table
from .pack.cells import format_cell, format_money
from .pack.sections import plugin_table
from .summary import counted_note, payback_text
from .terminal import TextColumn, TextRow, render_text_table, terminal_width

__all__ = ["UNIT_NAMES", "render_report"]

UNIT_NAMES = {"": "£", "k": "£k (thousands)", "m": "£m (millions)"}


def _ratio(value: float | None) -> str:
    return format_cell(value, "ratio")


def _payback(case: CaseAppraisal) -> str:
    return payback_text(case, case.payback_year, case.payback_years)


def summary_table(appraisal: Appraisal, names: Names, units: str, width: int) -> str:
    """The cases the totals count, one row each, then the programme total; then the cases left
    out of the totals by their status, listed apart."""
    money = lambda amount: format_money(amount, units)  # noqa: E731

    def row(case: CaseAppraisal) -> TextRow:
        return TextRow(
            (case.title, case.status, money(case.pv_costs), money(case.pv_benefits),
             money(case.npsv), _ratio(case.bcr), case.vfm_category or "n/a")
        )  # fmt: skip

    rows = [row(case) for case in appraisal.counted]
    t = appraisal.totals
    if t.pv_costs is not None:
        rows.append(
            TextRow(
                ("Total", "", money(t.pv_costs), money(t.pv_benefits), money(t.npsv),
                 _ratio(t.bcr), t.vfm_category or "n/a"),
                total=True,
            )
        )  # fmt: skip
    columns = (
        TextColumn("Case"),
        TextColumn("Status"),
        TextColumn("PV costs", "right"),
        TextColumn("PV benefits", "right"),
        TextColumn("NPSV", "right"),
        TextColumn("BCR", "right"),
        TextColumn("VfM"),
    )
    parts = [render_text_table(columns, rows, width), _note(counted_note(appraisal), width)]
    if t.note:
        parts.append(_note(f"Totals not shown: {t.note}", width))
    if appraisal.not_counted:
        parts.append(
            "Not counted in the totals (appraised and listed apart)\n\n"
            + render_text_table(columns, [row(case) for case in appraisal.not_counted], width)
        )
    return "\n\n".join(parts)


def _note(text: str, width: int) -> str:
    """A sentence wrapped to ``width``, never inside an id or between an id and its
    "(status)"."""
    glued = text.replace("not counted: ", "not\u00a0counted:\u00a0").replace(" (", "\u00a0(")
    wrapped = textwrap.fill(glued, width, break_on_hyphens=False, break_long_words=False)
    return wrapped.replace("\u00a0", " ")


def case_detail(case: CaseAppraisal, names: Names, units: str, width: int) -> str:
    """A case's headline figures (sub-rows indented) and what each agency pays and gains."""
    money = lambda amount: format_money(amount, units)  # noqa: E731
    head = (
        f"{case.id}: {case.title}\n"
        f"{names.category(case.category)} / {case.theme or '-'} | sponsor "
        f"{names.agency(case.sponsor) or '-'} | {case.start} for {case.years} years | "
        f"{case.price_base} prices, discounted to {case.discount_base} ({case.schedule}, "
        f"{case.timing}-year)"
    )
    figures = [
        TextRow(("PV costs (after optimism bias)", money(case.pv_costs))),
        TextRow(("before optimism bias", money(case.pv_costs_unadjusted)), level=1),
        TextRow(("PV benefits", money(case.pv_benefits))),
        TextRow(("fiscal, cashable", money(case.pv_fiscal_cashable)), level=1),
        TextRow(("fiscal, non-cashable", money(case.pv_fiscal_non_cashable)), level=1),
        TextRow(("economic", money(case.pv_economic)), level=1),
        TextRow(("social", money(case.pv_social)), level=1),
    ]
    if case.pv_transfers:
        # In the fiscal rows above, left out of PV benefits: no social value (Green Book 6.7).
        figures.append(TextRow(("transfers (not in NPSV)", money(-case.pv_transfers)), level=1))
    figures += [
        TextRow(("NPSV", money(case.npsv))),
        TextRow(("BCR", _ratio(case.bcr))),
        TextRow(("Fiscal ROI", _ratio(case.fiscal_roi))),
        TextRow(("Cashable ROI", _ratio(case.cashable_roi))),
        TextRow(("Net budget impact", money(case.net_budget_impact))),
        TextRow(("Payback", _payback(case))),
        TextRow(
            (
                "Cashable payback",
                payback_text(case, case.cashable_payback_year, case.cashable_payback_years),
            )
        ),
        TextRow(("VfM category", case.vfm_category or "n/a")),
    ]
    figure_table = render_text_table(
        (TextColumn("Figure"), TextColumn("Value", "right")), figures, width
    )
    transfers = any(row.pv_transfers for row in case.by_agency)
    agency_rows = [
        TextRow(
            (
                names.agency(row.agency),
                money(row.pv_costs),
                money(row.pv_benefits),
                money(row.pv_fiscal_cashable),
                money(row.pv_fiscal_non_cashable),
                *([money(row.pv_transfers)] if transfers else []),
                money(row.net_fiscal),
                money(row.pv_realigned),
                money(row.net_fiscal_after_realignment),
            )
        )
        for row in sorted(case.by_agency, key=lambda r: names.agency(r.agency))
    ]
    agency_rows.append(
        TextRow(
            (
                "Total",
                money(case.pv_costs),
                money(case.pv_benefits),
                money(case.pv_fiscal_cashable),
                money(case.pv_fiscal_non_cashable),
                *([money(case.pv_transfers)] if transfers else []),
                money(case.net_budget_impact),
                money(sum((r.pv_realigned for r in case.by_agency), Decimal(0))),
                money(sum((r.net_fiscal_after_realignment for r in case.by_agency), Decimal(0))),
            ),
            total=True,
        )
    )
    agency_table = render_text_table(
        (
            TextColumn("Agency"),
            TextColumn("Pays: PV costs", "right"),
            TextColumn("Gains: PV benefits", "right"),
            TextColumn("fiscal, cashable", "right"),
            TextColumn("fiscal, non-cashable", "right"),
            *([TextColumn("of which transfers (not in NPSV)", "right")] if transfers else []),
            TextColumn("Budget before realignment", "right"),
            TextColumn("Realigned", "right"),
            TextColumn("Budget after realignment", "right"),
        ),
        agency_rows,
        width,
    )
    head = "\n".join(
        textwrap.fill(line, width, subsequent_indent="  ", break_on_hyphens=False)
        for line in head.splitlines()
    )
    # A case with options: its options compared; a case with cohort lines: its cohorts.
    extra = [options_table(case), cohorts_table(case)]
    tables = "".join(f"\n\n{evidence_text(t, units, width)}" for t in extra if t is not None)
    return f"{head}\n\n{figure_table}\n\n{agency_table}{tables}"


def evidence_text(table: EvidenceTable, units: str, width: int) -> str:
    """A plugin's table, its money and numbers formatted like the rest of the report."""
    shaped = plugin_table(table, 1)
    columns = tuple(
        TextColumn(c.title, "left" if c.kind == "text" else "right") for c in shaped.columns
    )
    rows = [
        TextRow(
            tuple(
                format_cell(v, c.kind, units) for c, v in zip(shaped.columns, r.cells, strict=True)
            )
        )
        for r in shaped.rows
    ]
    by = f" (from the plugin {table.plugin})" if table.plugin else ""
    text = f"{table.title}{by}\n\n" + render_text_table(columns, rows, width)
    notes = textwrap.fill(table.notes, width, break_on_hyphens=False) if table.notes else ""
    return text + (f"\n\n{notes}" if notes else "")


def render_report(
    appraisal: Appraisal,
    evidence: Sequence[EvidenceTable] = (),
    *,
    names: Names | None = None,
    units: str = "",
    width: int | None = None,
) -> str:
    """The whole report: the programme summary, each case, the plugins' tables, the parameter
    tables used.

    :param units: ``""`` (pounds and pence), ``"k"`` or ``"m"``.
    :param width: the width to fit (default :func:`terminal_width`).
    """
    names = names or Names(None)
    width = terminal_width(width)
    p = appraisal.programme
    title = f"{p.name or p.id}" + (f" ({p.id})" if p.name else "")
    bases = sorted({(str(c.price_base), str(c.discount_base)) for c in appraisal.cases})
    basis = (
        f"{bases[0][0]} prices, discounted to {bases[0][1]}; " if len(bases) == 1 else ""
    ) + f"amounts in {UNIT_NAMES[units]}, negatives in brackets"
    parts = [
        textwrap.fill(title, width) + "\n" + textwrap.fill(basis, width),
        "Programme summary\n\n" + summary_table(appraisal, names, units, width),
    ]
    parts += [case_detail(case, names, units, width) for case in appraisal.cases]
    parts += [evidence_text(table, units, width) for table in evidence]

    def item(text: str) -> str:
        return textwrap.fill(f"- {text}", width, subsequent_indent="  ", break_on_hyphens=False)

    used = "\n".join(item(f"{u.table}: {u.source} ({u.vintage})") for u in p.parameters)
    notes = "\n".join(item(n) for n in p.notes)
    parts.append(f"Parameter tables used\n\n{used}" + (f"\n\nNotes:\n{notes}" if notes else ""))
    return clean("\n\n".join(parts) + "\n", tabs=False)
