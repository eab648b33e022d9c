"""The appraisal as readable tables: one per case, and the programme's totals.

Amounts are shown in pounds, rounded half-up to the penny at this point and no earlier.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from ..method.results import Appraisal, CaseAppraisal
from ..money import format_gbp
from .options import cohorts_table, column_alignment, options_table
from .tables import inline, render_rows

__all__ = ["case_table", "counted_note", "payback_text", "render_text", "totals_table"]


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def payback_text(case: CaseAppraisal, year, years: float | None) -> str:
    """Payback as a budget holder reads it: "in its first year (2010-11)" rather than a count
    of years from the start that rounds to nothing."""
    if year is None:
        return "not reached"
    if year == case.start:
        return f"in its first year ({year})"
    return f"{year} ({years:.2f} years)"


def case_table(case: CaseAppraisal, fmt: str = "simple") -> str:
    """A case's headline figures and its by-agency split."""
    headline = [
        ("PV costs (after optimism bias)", format_gbp(case.pv_costs)),
        ("PV costs (unadjusted)", format_gbp(case.pv_costs_unadjusted)),
        ("PV benefits", format_gbp(case.pv_benefits)),
        ("  fiscal, cashable", format_gbp(case.pv_fiscal_cashable)),
        ("  fiscal, non-cashable", format_gbp(case.pv_fiscal_non_cashable)),
        ("  economic", format_gbp(case.pv_economic)),
        ("  social", format_gbp(case.pv_social)),
        *(
            # In the fiscal rows above, left out of PV benefits: no social value (Green Book 6.7).
            [("  transfers (not in NPSV)", format_gbp(-case.pv_transfers))]
            if case.pv_transfers
            else []
        ),
        ("NPSV", format_gbp(case.npsv)),
        ("BCR", _ratio(case.bcr)),
        ("Fiscal ROI", _ratio(case.fiscal_roi)),
        ("Cashable ROI", _ratio(case.cashable_roi)),
        ("Net budget impact", format_gbp(case.net_budget_impact)),
        ("Payback", payback_text(case, case.payback_year, case.payback_years)),
        (
            "Cashable payback",
            payback_text(case, case.cashable_payback_year, case.cashable_payback_years),
        ),
        ("VfM category", case.vfm_category or "n/a"),
    ]
    text = lambda value: inline(value, fmt)  # noqa: E731  # text from the case file
    head = (
        f"{text(case.id)}: {text(case.title)}\n"
        f"{text(case.category)} / {text(case.theme or '-')} | sponsor "
        f"{text(case.sponsor or '-')} | {case.start} for {case.years} years | "
        f"{case.price_base} prices, discounted to {case.discount_base} "
        f"({text(case.schedule)}, {case.timing}-year)"
    )
    transfers = any(row.pv_transfers for row in case.by_agency)
    agency_rows = [
        [
            row.agency,
            *map(format_gbp, (row.pv_costs, row.pv_fiscal_cashable, row.pv_fiscal_non_cashable,
                              *([row.pv_transfers] if transfers else []),
                              row.pv_benefits, row.net, row.net_fiscal, row.pv_realigned,
                              row.net_fiscal_after_realignment)),
        ]
        for row in case.by_agency
    ]  # fmt: skip
    agency_rows.append(
        [
            "total",
            *map(format_gbp, (case.pv_costs, case.pv_fiscal_cashable, case.pv_fiscal_non_cashable,
                              *([case.pv_transfers] if transfers else []),
                              case.pv_benefits, case.npsv, case.net_budget_impact, Decimal(0),
                              case.net_budget_impact)),
        ]
    )  # fmt: skip
    headers = [
        "Agency",
        "PV costs",
        "Fiscal cashable",
        "Fiscal non-cashable",
        *(["of which transfers (not in NPSV)"] if transfers else []),
        "PV benefits",
        "Net",
        "Budget net",
        "Realigned",
        "Budget net after realignment",
    ]
    agencies = render_rows(
        agency_rows, headers=headers, fmt=fmt, colalign=("left", *["right"] * (len(headers) - 1))
    )
    figures = render_rows(
        headline,
        headers=["Figure", "Value"],
        fmt=fmt,
        colalign=("left", "right"),
    )
    extra = [t for t in (options_table(case), cohorts_table(case)) if t is not None]
    tables = "".join(
        f"\n\n{t.title}\n\n"
        + render_rows(
            [["n/a" if cell is None else cell for cell in row] for row in t.rows],
            t.headers,
            fmt,
            colalign=column_alignment(t),
        )
        + (f"\n\n{t.notes}" if t.notes else "")
        for t in extra
    )
    return f"{head}\n\n{figures}\n\n{agencies}{tables}"


def _summary_row(c: CaseAppraisal) -> list[str]:
    return [
        c.id,
        c.status,
        format_gbp(c.pv_costs),
        format_gbp(c.pv_benefits),
        format_gbp(c.npsv),
        _ratio(c.bcr),
        c.vfm_category or "n/a",
    ]


def counted_note(appraisal: Appraisal) -> str:
    """The sentence under a programme table: which statuses it counts, and which cases not."""
    return status_note(
        appraisal.totals.statuses_included, [(c.id, c.status) for c in appraisal.not_counted]
    )


def status_note(included: Sequence[str], left_out: Sequence[tuple[str, str]]) -> str:
    """The sentence under any programme table: the statuses it counts and the cases (id,
    status) it leaves out, which are still appraised and listed apart (method §11)."""
    note = (
        f"Counts cases whose status is {', '.join(included)}"
        if included
        else "Counts no cases (no status chosen)"
    )
    if left_out:
        named = ", ".join(f"{case} ({status})" for case, status in left_out)
        note += f"; not counted: {named}, appraised and listed apart"
    return note + " (choose with --status)."


def totals_table(appraisal: Appraisal, fmt: str = "simple") -> str:
    """The programme's counted cases side by side, with the total line where they can be added;
    then the cases left out of the totals by their status, listed apart."""
    headers = ["Case", "Status", "PV costs", "PV benefits", "NPSV", "BCR", "VfM"]
    align = ("left", "left", "right", "right", "right", "right", "left")
    rows = [_summary_row(c) for c in appraisal.counted]
    t = appraisal.totals
    if t.pv_costs is not None:
        rows.append(
            [
                "total",
                "",
                format_gbp(t.pv_costs),
                format_gbp(t.pv_benefits),
                format_gbp(t.npsv),
                _ratio(t.bcr),
                t.vfm_category or "n/a",
            ]
        )
    table = render_rows(rows, headers=headers, fmt=fmt, colalign=align)
    if t.pv_transfers:
        table += f"\n\nTransfers (not in NPSV) in the counted cases: {format_gbp(t.pv_transfers)}."
    table += f"\n\n{counted_note(appraisal)}"
    if appraisal.not_counted:
        apart = [_summary_row(c) for c in appraisal.not_counted]
        table += "\n\nNot counted in the totals\n\n" + render_rows(
            apart, headers=headers, fmt=fmt, colalign=align
        )
    return table + (f"\n\nTotals not shown: {inline(t.note, fmt)}" if t.note else "")


def render_text(appraisal: Appraisal, extra: Iterable[str] = (), fmt: str = "simple") -> str:
    """The whole appraisal as text: each case, the programme summary, then ``extra`` tables.

    ``fmt`` is a tabulate table format: ``simple`` for a terminal, ``github`` for Markdown
    (which also turns titles into headings).
    """
    heading = "## " if fmt == "github" else ""
    p = appraisal.programme
    name = inline(p.name or p.id, fmt) + (f" ({inline(p.id, fmt)})" if p.name else "")
    parts = [("# " if heading else "") + name]
    parts += [heading + case_table(case, fmt) for case in appraisal.cases]
    parts.append(f"{heading}Programme summary\n\n" + totals_table(appraisal, fmt))
    parts.extend(heading + table for table in extra)
    used = "\n".join(
        f"- {inline(u.table, fmt)}: {inline(u.source, fmt)} ({inline(u.vintage, fmt)})"
        for u in p.parameters
    )
    notes = "\n".join(f"- {inline(n, fmt)}" for n in p.notes)
    parts.append(
        f"{heading}Parameter tables used\n\n{used}" + (f"\n\nNotes:\n{notes}" if notes else "")
    )
    return "\n\n".join(parts) + "\n"
