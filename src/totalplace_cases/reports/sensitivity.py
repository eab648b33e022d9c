"""``totalplace sensitivity`` as a terminal table or a CSV file (its JSON is in :mod:`.json`).

The table gives, for each case and then for the programme: the point NPSV and BCR, the
switching values (as percentages), the NPSV at ±swing on each input, the standard tests and
scenarios, and the simulation's statistics when draws were asked for, on the terminal layout
every report shares (:mod:`.terminal`: negatives in brackets, fitted to the width). The CSV is
one row per figure (``scope,id,section,item,measure,value``) with the JSON's values (money to
the penny, changes as decimal fractions), so a spreadsheet can pivot it. Text from the files is
shown with control characters escaped, and no CSV cell can be read as a formula.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from ..display import clean
from ..method.robustness import CaseSensitivity, Sensitivity, Simulation
from .count import csv_cell
from .json import change, money, number
from .pack.cells import format_money
from .terminal import TextColumn, TextRow, render_text_table, terminal_width

__all__ = ["FORMATS", "render_sensitivity"]

FORMATS = ("table", "json", "csv")


def render_sensitivity(
    result: Sensitivity, fmt: str, *, units: str = "", width: int | None = None
) -> str:
    """The result in ``fmt``: ``table`` (money in pounds, or ``units`` ``"k"`` or ``"m"``, within
    ``width`` columns: the shared terminal layout), ``json`` or ``csv``."""
    if fmt == "json":
        from .json import render_sensitivity_json

        return render_sensitivity_json(result)
    if fmt == "csv":
        return _csv(result)
    return _table(result, units, width)


# -- the table -----------------------------------------------------------------------------------


def _percent(value: Decimal | None) -> str:
    if value is None:
        return "not within ±100%"
    return f"{value * 100:+.1f}%"


def _ratio(value: Decimal | float | None) -> str:
    return "n/a" if value is None else f"{float(value):.2f}"


def _gbp(value: Decimal | None, units: str = "") -> str:
    return "n/a" if value is None else format_money(value, units)


def _right(*titles: str) -> list[TextColumn]:
    return [TextColumn(titles[0]), *(TextColumn(t, "right") for t in titles[1:])]


def _block(found: CaseSensitivity, title: str, swing: Decimal, units: str, width: int) -> list[str]:
    out = [
        f"{clean(title, tabs=False)}: NPSV {_gbp(found.npsv, units)}, BCR {_ratio(found.bcr)}",
        "",
    ]
    if found.switching:
        step = f"{swing * 100:.0f}%"
        rows = [
            TextRow(
                (
                    s.label,
                    _percent(s.npsv_zero_change),
                    _percent(s.bcr_one_change),
                    _gbp(s.npsv_down, units),
                    _gbp(s.npsv_up, units),
                )
            )
            for s in found.switching
        ]
        columns = _right(
            "Switching values", "NPSV to zero", "BCR to 1", f"NPSV -{step}", f"NPSV +{step}"
        )
        out += [render_text_table(columns, rows, width), ""]
    if found.tests:
        rows = [TextRow((t.name, _gbp(t.npsv, units), _ratio(t.bcr))) for t in found.tests]
        out += [render_text_table(_right("Tests", "NPSV", "BCR"), rows, width), ""]
    if found.simulation is not None:
        out += _simulation(found.simulation, units, width)
    return out


def _simulation(sim: Simulation, units: str, width: int) -> list[str]:
    keys = ("mean", "p10", "p50", "p90")
    rows = [
        TextRow(("NPSV", *(_gbp(getattr(sim.npsv, k), units) for k in keys))),
        TextRow(("BCR", *(_ratio(getattr(sim.bcr, k)) for k in keys))),
    ]
    title = f"Monte Carlo ({sim.draws:,} draws, seed {sim.seed})"
    chance = "n/a" if sim.p_bcr_at_least_1 is None else f"{sim.p_bcr_at_least_1:.1%}"
    lines = [
        render_text_table(_right(title, "mean", "P10", "P50", "P90"), rows, width),
        f"P(NPSV > 0) {sim.p_npsv_positive:.1%}   P(BCR >= 1) {chance}",
    ]
    if sim.bcr_undefined_draws:
        lines.append(f"BCR undefined (no costs) in {sim.bcr_undefined_draws:,} draws")
    if not sim.ranged_inputs:
        lines.append("no input has a range (uncertainty in the case file): every draw is the point")
    return [*lines, ""]


def _table(result: Sensitivity, units: str = "", width: int | None = None) -> str:
    width = terminal_width(width)
    out: list[str] = []
    for case in result.cases:
        out += _block(case, case.id, result.swing, units, width)
    name = f"programme {result.programme.id}"
    if result.note is not None:
        out += [f"{clean(name, tabs=False)}: {result.note}", ""]
    else:
        out += _block(result.programme, name, result.swing, units, width)
        out += [_counted(result, width), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _counted(result: Sensitivity, width: int) -> str:
    """Under the programme's figures: the statuses they add up and the cases they leave out."""
    import textwrap

    from .summary import status_note

    included = result.statuses_included
    left_out = [(c.id, c.status) for c in result.cases if c.status not in included]
    note = clean(status_note(included, left_out))
    return textwrap.fill(note, width, break_on_hyphens=False, break_long_words=False)


# -- the CSV -------------------------------------------------------------------------------------

COLUMNS = ("scope", "id", "section", "item", "measure", "value")


def _rows(scope: str, found: CaseSensitivity) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [
        (scope, found.id, "point", "", "npsv", money(found.npsv)),
        (scope, found.id, "point", "", "bcr", number(found.bcr)),
    ]
    for s in found.switching:
        rows += [
            (scope, found.id, "switching", s.input, "npsv_zero_change", change(s.npsv_zero_change)),
            (scope, found.id, "switching", s.input, "bcr_one_change", change(s.bcr_one_change)),
            (scope, found.id, "switching", s.input, "npsv_down", money(s.npsv_down)),
            (scope, found.id, "switching", s.input, "npsv_up", money(s.npsv_up)),
        ]
    for t in found.tests:
        rows += [
            (scope, found.id, "test", t.name, "npsv", money(t.npsv)),
            (scope, found.id, "test", t.name, "bcr", number(t.bcr)),
        ]
    sim = found.simulation
    if sim is not None:
        for k in ("mean", "p10", "p50", "p90"):
            rows.append((scope, found.id, "simulation", "npsv", k, money(getattr(sim.npsv, k))))
        for k in ("mean", "p10", "p50", "p90"):
            rows.append((scope, found.id, "simulation", "bcr", k, number(getattr(sim.bcr, k))))
        rows += [
            (scope, found.id, "simulation", "draws", "count", sim.draws),
            (scope, found.id, "simulation", "seed", "value", sim.seed),
            (scope, found.id, "simulation", "npsv", "p_positive", sim.p_npsv_positive),
            (scope, found.id, "simulation", "bcr", "p_at_least_1", sim.p_bcr_at_least_1),
            (scope, found.id, "simulation", "bcr", "undefined_draws", sim.bcr_undefined_draws),
            (scope, found.id, "simulation", "ranged_inputs", "count", sim.ranged_inputs),
        ]
    return rows


def _csv(result: Sensitivity) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows = [row for case in result.cases for row in _rows("case", case)]
    if result.note is None:
        rows += _rows("programme", result.programme)
    for row in rows:
        writer.writerow([csv_cell("" if cell is None else cell) for cell in row])
    return out.getvalue()
