"""The benefits register as tables, JSON and CSV: status, history and the audit export.

Amounts are pounds, rounded half-up to the penny here and nowhere earlier; percentages to one
decimal place. Text that people typed (owners, evidence, names) reaches a terminal with its
control characters escaped (in a CSV file too), and a CSV cell that a spreadsheet would read
as a formula is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..display import clean, one_line, sheet_text
from ..io.register.store import Entry
from ..io.register.tracking import StatusReport, show_moment
from ..method.realisation import LineStatus, Total, pounds
from ..money import format_gbp, money_str
from .names import Names
from .pack.cells import format_money
from .terminal import TextColumn, TextRow, render_text_table, terminal_width

__all__ = [
    "ENTRY_COLUMNS",
    "entries_csv",
    "history_text",
    "status_csv",
    "status_dict",
    "status_json",
    "status_text",
]

#: The columns of ``track export`` (and of ``track history --format csv``).
ENTRY_COLUMNS = (
    "id",
    "case",
    "benefit",
    "period",
    "kind",
    "amount",
    "evidence",
    "source",
    "recorded_by",
    "recorded_at",
    "supersedes",
    "reason",
)


def _percent(value: Decimal | None) -> float | None:
    if value is None:
        return None
    return float((value * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _money(pence: int | None) -> str | None:
    return None if pence is None else money_str(pounds(pence))


def _line_dict(status: LineStatus) -> dict[str, Any]:
    line = status.line
    return {
        "case": line.case,
        "benefit": line.benefit,
        "agency": line.agency,
        "owner": line.owner,
        "cashable": line.cashable,
        "cashable_share": str(line.cashable_share),
        "plan_to_date": _money(status.plan_to_date),
        "actual_to_date": _money(status.actual_to_date),
        "variance": _money(status.variance),
        "percent": _percent(status.achievement),
        "rag": status.rag,
        "forecast_outturn": _money(status.forecast_outturn),
        "plan_total": _money(status.plan_total),
        "original_plan_to_date": _money(status.original_plan_to_date),
        "dis_benefit": status.dis_benefit,
        "value_type": line.value_type,
        "category": line.category,
        "group": line.group,
        "measure": line.measure,
        "frequency": line.frequency,
        "baselined_at": show_moment(line.baseline) if line.baseline else None,
        "periods_due": status.periods_due,
        "missing_periods": [str(p) for p in status.missing],
    }


def _total_dict(total: Total, name: str) -> dict[str, Any]:
    return {
        name: total.key,
        "lines": total.lines,
        "plan_to_date": _money(total.plan_to_date),
        "actual_to_date": _money(total.actual_to_date),
        "variance": _money(total.variance),
        "percent": _percent(total.achievement),
        "rag": total.rag,
        "forecast_outturn": _money(total.forecast_outturn),
        "plan_total": _money(total.plan_total),
        "rag_counts": dict(total.rag_counts),
    }


_TOTAL_NAMES = {"by_case": "case", "by_category": "category", "by_agency": "agency",
                "by_group": "group"}  # fmt: skip


def status_dict(report: StatusReport) -> dict[str, Any]:
    """The JSON contract of ``track status --format json``."""
    totals: dict[str, Any] = {
        key: [_total_dict(t, _TOTAL_NAMES[key]) for t in rows]
        for key, rows in report.totals.items()
    }
    totals["programme"] = (
        _total_dict(report.programme, "programme") if report.programme is not None else None
    )
    return {
        "as_at": show_moment(report.as_at),
        "period": report.period,
        "reporting_period_end": report.reporting_end.isoformat(),
        "benefits": [_line_dict(s) for s in report.lines],
        "totals": totals,
        "notes": list(report.notes),
    }


def status_json(report: StatusReport) -> str:
    return json.dumps(status_dict(report), indent=2, ensure_ascii=False) + "\n"


STATUS_CSV_COLUMNS = (
    "case", "benefit", "agency", "owner", "cashable", "plan_to_date", "actual_to_date",
    "variance", "percent", "rag", "forecast_outturn", "plan_total", "original_plan_to_date",
    "dis_benefit", "value_type", "category", "group", "measure", "frequency", "baselined_at",
    "periods_due", "missing_periods", "cashable_share",
)  # fmt: skip


def _csv(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return sheet_text(" ".join(value))
    if isinstance(value, str):
        return sheet_text(value)
    return value


def _number_cell(value: str | None) -> str:
    """Money in CSV: a plain number (a leading minus is a number, not a formula)."""
    return value or ""


def status_csv(report: StatusReport) -> str:
    """One row per benefit line, the same fields as the JSON."""
    money_columns = {c for c in STATUS_CSV_COLUMNS if c.endswith(("_date", "variance", "outturn",
                                                                    "total"))}  # fmt: skip
    rows = []
    for status in report.lines:
        data = _line_dict(status)
        rows.append(
            [
                _number_cell(data[c]) if c in money_columns else _csv_value(data[c])
                for c in STATUS_CSV_COLUMNS
            ]
        )
    return _csv(rows, STATUS_CSV_COLUMNS)


def _gbp(pence: int | None) -> str:
    return "" if pence is None else format_gbp(pounds(pence))


def _pct(value: Decimal | None) -> str:
    shown = _percent(value)
    return "n/a" if shown is None else f"{shown:.1f}%"


def status_text(
    report: StatusReport,
    *,
    names: Names | None = None,
    titles: Mapping[str, str] | None = None,
    units: str = "",
    width: int | None = None,
) -> str:
    """The status for a terminal: the programme summary (the totals by case) first, then one
    row per benefit line under its case, then the totals by counting group, category and agency.

    The shared terminal layout (:mod:`totalplace_cases.reports.terminal`): it fits ``width``
    (default: 100 columns or the terminal's), shows agencies by name (``names``) and cases by
    title (``titles``, case id -> title), money in £ with negatives in brackets, in ``units``
    ``""``, ``"k"`` or ``"m"``.
    """
    names = names or Names(None)
    titles = titles or {}
    width = terminal_width(width)
    out = [
        textwrap.fill(
            f"Benefits realisation as at {show_moment(report.as_at)}, to the end of "
            f"{report.period} ({report.reporting_end:%-d %B %Y})",
            width,
        ),
        "",
    ]
    if not report.lines:
        out.append(
            "Nothing is tracked yet: record an actual (totalplace track record), import a file "
            "(totalplace track import) or baseline a case (totalplace track baseline)."
        )
        return clean("\n".join(out) + "\n", tabs=False)

    def money(pence: int | None) -> str:
        return "" if pence is None else format_money(pounds(pence), units)

    rebaselined = any(s.original_plan_to_date is not None for s in report.lines)
    columns = [TextColumn("Case / benefit"), TextColumn("Agency"), TextColumn("Owner"),
               TextColumn("Cashable"), TextColumn("Plan to date", "right")]  # fmt: skip
    columns += [TextColumn("Original plan", "right")] if rebaselined else []
    columns += [TextColumn("Actual to date", "right"), TextColumn("Variance", "right"),
                TextColumn("%", "right"), TextColumn("RAG"),
                TextColumn("Forecast outturn", "right")]  # fmt: skip
    rows = []
    case = None
    for s in report.lines:
        line = s.line
        if line.case != case:
            case = line.case
            rows.append(TextRow((titles.get(case, case), *[""] * (len(columns) - 1))))
        benefit = line.benefit + (" (dis-benefit)" if s.dis_benefit else "")
        row = [benefit, names.agency(line.agency), line.owner or "-",
               "yes" if line.cashable else "no", money(s.plan_to_date)]  # fmt: skip
        if rebaselined:
            row.append(money(s.original_plan_to_date))
        row += [money(s.actual_to_date), money(s.variance), _pct(s.achievement), s.rag,
                money(s.forecast_outturn)]  # fmt: skip
        rows.append(TextRow(tuple(row), level=1))
    detail = render_text_table(columns, rows, width)
    titles_of = {"by_case": "case", "by_group": "counting group", "by_category": "category",
                 "by_agency": "agency"}  # fmt: skip
    label = {
        "by_case": lambda key: titles.get(key, key),
        "by_agency": names.agency,
        "by_group": names.category,
    }
    for key, title in titles_of.items():
        shown = label.get(key, lambda k: k)
        rows = [_total_row(t, shown(t.key), money) for t in report.totals[key]]
        if report.programme is not None and key == "by_case":
            rows.append(_total_row(report.programme, "Programme", money, total=True))
        summary = " (programme summary)" if key == "by_case" else ""
        out += [f"Totals by {title}{summary}", ""]
        out.append(
            render_text_table(
                [TextColumn(title.capitalize()), TextColumn("Lines", "right"),
                 TextColumn("Plan to date", "right"), TextColumn("Actual to date", "right"),
                 TextColumn("Variance", "right"), TextColumn("%", "right"), TextColumn("RAG"),
                 TextColumn("Green/amber/red/no data"), TextColumn("Forecast outturn", "right")],
                rows,
                width,
            )
        )  # fmt: skip
        out.append("")
        if key == "by_case":  # the programme summary first, then each benefit line
            out += ["Benefit lines", "", detail, ""]
    if report.notes:
        out += [textwrap.fill(f"note: {n}", width, subsequent_indent="  ") for n in report.notes]
    return clean("\n".join(out) + "\n", tabs=False)


def _total_row(
    figures: Total, name: str, money: Callable[[int | None], str], total: bool = False
) -> TextRow:
    counts = "/".join(str(figures.rag_counts[r]) for r in ("green", "amber", "red", "no-data"))
    return TextRow(
        (name, str(figures.lines), money(figures.plan_to_date), money(figures.actual_to_date),
         money(figures.variance), _pct(figures.achievement), figures.rag, counts,
         money(figures.forecast_outturn)),
        total=total,
    )  # fmt: skip


def _entry_values(entry: Entry) -> list[Any]:
    return [entry.id, entry.case, entry.benefit, entry.period, entry.kind,
            money_str(entry.pounds), entry.evidence, entry.source, entry.recorded_by,
            show_moment(entry.recorded_at), entry.supersedes, entry.reason]  # fmt: skip


def entries_csv(entries: Iterable[Entry]) -> str:
    """Every entry for audit: money as plain numbers, text safe from spreadsheet formulas."""
    rows = []
    for entry in entries:
        values = _entry_values(entry)
        rows.append(
            [
                value if column in ("id", "amount", "supersedes") else _csv_value(value)
                for column, value in zip(ENTRY_COLUMNS, values, strict=True)
            ]
        )
    return _csv(rows, ENTRY_COLUMNS)


def entries_json(entries: Iterable[Entry], corrected_by: dict[int, int]) -> str:
    data = [
        {**dict(zip(ENTRY_COLUMNS, _entry_values(e), strict=True)),
         "superseded_by": corrected_by.get(e.id)}
        for e in entries
    ]  # fmt: skip
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def history_text(
    case: str,
    benefit: str,
    entries: Sequence[Entry],
    corrected_by: dict[int, int],
    width: int | None = None,
) -> str:
    """Every entry of a benefit line, with what corrected what, for a terminal.

    On the shared terminal layout, as status is: it fits ``width`` (default: 100 columns or the
    terminal's), wrapping long evidence notes, and shows money with negatives in brackets.
    """
    title = f"History of {one_line(case)} / {one_line(benefit)}"
    if not entries:
        return f"{title}\n\nNo entries recorded.\n"
    rows = []
    for e in entries:
        note = ""
        if e.id in corrected_by:
            note = f"superseded by {corrected_by[e.id]}"
        if e.supersedes is not None:
            note = (note + "; " if note else "") + f"corrects {e.supersedes}: {e.reason}"
        if (e.case, e.benefit) != (case, benefit):
            note += f" (filed under {e.case} / {e.benefit})"
        rows.append(
            TextRow((str(e.id), e.period, e.kind, format_money(e.pounds, ""),
                     show_moment(e.recorded_at), one_line(e.recorded_by),
                     one_line(e.evidence), one_line(note)))
        )  # fmt: skip
    columns = [TextColumn("Id", "right"), TextColumn("Period"), TextColumn("Kind"),
               TextColumn("Amount", "right"), TextColumn("Recorded at"), TextColumn("By"),
               TextColumn("Evidence"), TextColumn("Correction")]  # fmt: skip
    table = render_text_table(columns, rows, terminal_width(width))
    return clean(f"{title}\n\n{table}\n", tabs=False)
