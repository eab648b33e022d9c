"""The pack's charts, drawn with matplotlib (Agg backend, imported here only, when a chart is
drawn) as SVG.

Each :class:`~totalplace_cases.reports.pack.model.Chart` names its kind; a drawer per kind
turns its plain data into a picture. The SVG carries no date and a fixed id salt, so the same
data gives the same bytes. Text in a chart is drawn as paths, so a title taken from a case file
cannot become markup.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from .model import Chart

__all__ = ["DRAWERS", "chart_svg"]

COSTS = "#b5452b"
BENEFITS = "#2f6f9f"
FISCAL = "#6a9f2f"
AFTER = "#7d4f9f"
GREY = "#8c8c8c"


def _pounds(values: Sequence[Decimal | None]) -> list[float]:
    return [float(v) if v is not None else float("nan") for v in values]


def _money_axis(axis: Any, values: Sequence[float]) -> None:
    """Money on an axis in £, £k or £m as the largest value needs."""
    from matplotlib.ticker import FuncFormatter

    largest = max((abs(v) for v in values if v == v), default=0.0)
    divisor, suffix = (1e6, "m") if largest >= 1e6 else (1e3, "k") if largest >= 1e3 else (1, "")

    def label(value: float, _pos: int) -> str:
        amount = value / divisor
        text = f"£{abs(amount):,.{1 if suffix == 'm' and largest < 1e7 else 0}f}{suffix}"
        return f"({text})" if amount < 0 else text

    axis.set_major_formatter(FuncFormatter(label))


def _cumulative(figure: Any, data: dict[str, Any]) -> None:
    ax = figure.add_subplot()
    years = list(range(len(data["years"])))
    costs, benefits, fiscal = (_pounds(data[k]) for k in ("costs", "benefits", "fiscal"))
    ax.plot(years, costs, color=COSTS, marker="o", markersize=3, label="Costs")
    ax.plot(years, benefits, color=BENEFITS, marker="o", markersize=3, label="Benefits")
    ax.plot(years, fiscal, color=FISCAL, linestyle="--", label="Fiscal benefits")
    if data.get("payback_years") is not None:
        at = float(data["payback_years"])
        ax.axvline(at, color=GREY, linestyle=":", linewidth=1)
        ax.annotate(
            f"payback {data['payback_year']}",
            xy=(at, 0),
            xytext=(4, 8),
            textcoords="offset points",
            fontsize=8,
            color="#333333",
        )
    step = max(1, len(years) // 10)
    ax.set_xticks(years[::step], [data["years"][i] for i in years[::step]], fontsize=8)
    _money_axis(ax.yaxis, costs + benefits + fiscal)
    ax.set_ylabel("Cumulative present value")
    ax.legend(fontsize=8, frameon=False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)


def _agency_bars(figure: Any, data: dict[str, Any]) -> None:
    names = data["agencies"]
    rows = list(range(len(names)))
    ax = figure.add_subplot()
    height = 0.2
    series = (
        ("Pays: costs", [-v for v in _pounds(data["costs"])], COSTS),
        ("Gains: fiscal benefits", _pounds(data["fiscal"]), FISCAL),
        ("Before realignment", _pounds(data["before"]), BENEFITS),
        ("After realignment", _pounds(data["after"]), AFTER),
    )
    for k, (label, values, colour) in enumerate(series):
        ax.barh([r + (k - 1.5) * height for r in rows], values, height, label=label, color=colour)
    ax.set_yticks(rows, [_short(n) for n in names], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="#333333", linewidth=0.6)
    _money_axis(ax.xaxis, [v for _, values, _ in series for v in values])
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)


GROUP_COLOURS = ("#2f6f9f", "#6a9f2f", "#b5452b", "#7d4f9f", "#d18f00", "#3b9c9c", GREY)


def _count_bars(figure: Any, data: dict[str, Any]) -> None:
    names = data["agencies"]
    rows = list(range(len(names)))
    ax = figure.add_subplot()
    left = [0.0] * len(names)
    for k, category in enumerate(data["categories"]):
        values = [float(row[k]) for row in data["values"]]
        ax.barh(rows, values, 0.7, left=left, label=category,
                color=GROUP_COLOURS[k % len(GROUP_COLOURS)])  # fmt: skip
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(rows, [_short(n) for n in names], fontsize=7)
    ax.invert_yaxis()
    _money_axis(ax.xaxis, left)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)


RAG_COLOURS = {"green": "#2e7d32", "amber": "#d18f00", "red": "#c62828", "no-data": GREY}


def _plan_actual(figure: Any, data: dict[str, Any]) -> None:
    names = data["lines"]
    rows = list(range(len(names)))
    ax = figure.add_subplot()
    height = 0.38
    plan, actual = _pounds(data["plan"]), _pounds(data["actual"])
    ax.barh([r - height / 2 for r in rows], plan, height, label="Plan to date", color="#b0bec5")
    ax.barh(
        [r + height / 2 for r in rows],
        actual,
        height,
        label="Actual to date",
        color=[RAG_COLOURS.get(r, GREY) for r in data["rag"]],
    )
    ax.set_yticks(rows, [_short(n) for n in names], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="#333333", linewidth=0.6)
    _money_axis(ax.xaxis, plan + actual)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)


def _short(name: str, limit: int = 42) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


#: How each kind of chart is drawn, and its size in inches.
DRAWERS: dict[str, tuple[Callable[[Any, dict[str, Any]], None], Callable[[Chart], tuple]]] = {
    "cumulative": (_cumulative, lambda chart: (7.5, 3.4)),
    "agency-bars": (
        _agency_bars,
        lambda chart: (9.5, max(3.0, 0.42 * len(chart.data["agencies"]) + 1.0)),
    ),
    "count-bars": (
        _count_bars,
        lambda chart: (9.5, max(3.0, 0.3 * len(chart.data["agencies"]) + 1.0)),
    ),
    "plan-actual": (
        _plan_actual,
        lambda chart: (9.5, max(2.5, 0.36 * len(chart.data["lines"]) + 1.0)),
    ),
}


def chart_svg(chart: Chart) -> bytes:
    """The chart as SVG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    draw, size = DRAWERS[chart.kind]
    with matplotlib.rc_context(
        {"svg.hashsalt": "totalplace", "svg.fonttype": "path", "font.family": "DejaVu Sans"}
    ):
        figure = Figure(figsize=size(chart), layout="constrained")
        draw(figure, dict(chart.data))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
