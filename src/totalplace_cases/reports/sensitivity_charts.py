"""Charts of a sensitivity run as PNG images: a tornado per case and a histogram per simulation.

The **tornado** shows, for each input of a case (or of the programme), the NPSV with the input
``swing`` lower and higher (the figures the exact engine computed), as bars about the point
NPSV, the widest at the top. The **histogram** shows the NPSV of every draw of a simulation,
with the point NPSV and the P10, P50 and P90 marked.

matplotlib draws them through its Agg canvas without pyplot, so nothing global (the backend, a
display) is touched; it is imported only when a chart is asked for. Each chart is returned as
bytes; the command writes them atomically (:func:`totalplace_cases.io.atomic.write_bytes`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal

from ..display import clean
from ..errors import TotalPlaceError
from ..method.robustness import CaseSensitivity, Sensitivity

__all__ = ["charts", "file_stem", "histogram", "tornado"]

INSTALL_HINT = 'charts need matplotlib: pip install "totalplace-cases[analysis]"'


def _figure(width: float, height: float):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise TotalPlaceError(INSTALL_HINT) from exc
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _label(text: str) -> str:
    """User text as matplotlib shows it literally: no mathtext (``$``), no control characters."""
    return clean(text, tabs=False).replace("\n", " ").replace("$", r"\$")


def _millions(value: float) -> str:
    return f"£{value / 1e6:,.2f}m"


def tornado(found: CaseSensitivity, swing: Decimal, title: str) -> bytes:
    """The NPSV at ±``swing`` on each input, about the point NPSV."""
    centre = float(found.npsv)
    bars = sorted(
        found.switching,
        key=lambda s: abs(float(s.npsv_up) - float(s.npsv_down)),
    )
    figure = _figure(9, 1.5 + 0.38 * len(bars))
    axes = figure.add_subplot()
    step = f"{swing * 100:.0f}%"
    for row, item in enumerate(bars):
        down, up = float(item.npsv_down) - centre, float(item.npsv_up) - centre
        low, high = (f"input -{step}", f"input +{step}") if not row else (None, None)
        axes.barh(row, down, left=centre, color="#c0504d", label=low)
        axes.barh(row, up, left=centre, color="#4f81bd", label=high)
    axes.set_yticks(range(len(bars)), [_label(item.label) for item in bars], fontsize=8)
    axes.axvline(centre, color="black", linewidth=0.8)
    axes.axvline(0, color="grey", linewidth=0.8, linestyle="--")
    axes.xaxis.set_major_formatter(lambda value, _pos: _millions(value))
    axes.set_xlabel(f"NPSV (point: {_millions(centre)})")
    axes.set_title(_label(f"{title}: NPSV with each input {step} lower and higher"), fontsize=10)
    if bars:
        axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return _png(figure)


def histogram(draws, point: Decimal | None, found: CaseSensitivity, title: str) -> bytes:
    """The NPSV of every draw, with the point NPSV and the P10, P50 and P90."""
    sim = found.simulation
    figure = _figure(9, 4.5)
    axes = figure.add_subplot()
    axes.hist(draws, bins=60, color="#4f81bd", alpha=0.85)
    for name, value, style in (
        ("P10", sim.npsv.p10, ":"),
        ("P50", sim.npsv.p50, "-"),
        ("P90", sim.npsv.p90, ":"),
    ):
        axes.axvline(float(value), color="black", linestyle=style, linewidth=1, label=name)
    if point is not None:
        axes.axvline(float(point), color="#c0504d", linewidth=1.5, label="point NPSV")
    axes.axvline(0, color="grey", linestyle="--", linewidth=0.8)
    axes.xaxis.set_major_formatter(lambda value, _pos: _millions(value))
    axes.set_xlabel("NPSV")
    axes.set_ylabel("draws")
    axes.set_title(
        _label(
            f"{title}: NPSV over {sim.draws:,} draws (seed {sim.seed}); "
            f"P(NPSV > 0) = {sim.p_npsv_positive:.1%}"
        ),
        fontsize=10,
    )
    axes.legend(fontsize=8)
    figure.tight_layout()
    return _png(figure)


def file_stem(case_id: str, taken: set[str]) -> str:
    """A file name for a case's charts: its id with anything but letters, digits, ``.``, ``_``
    and ``-`` replaced, never a name already ``taken``."""
    stem = "case-" + re.sub(r"[^A-Za-z0-9._-]", "_", case_id)[:100]
    name, number = stem, 2
    while name in taken:
        name, number = f"{stem}-{number}", number + 1
    taken.add(name)
    return name


def charts(result: Sensitivity) -> Iterator[tuple[str, bytes]]:
    """Every chart of ``result`` as (file name, PNG bytes): a tornado per case and for the
    programme, and a histogram of each simulation."""
    taken: set[str] = set()
    simulated = result.simulated
    for index, case in enumerate(result.cases):
        stem = file_stem(case.id, taken)
        yield f"{stem}-tornado.png", tornado(case, result.swing, case.id)
        if case.simulation is not None and simulated is not None:
            draws = simulated.cases[index].npsv_draws
            yield f"{stem}-histogram.png", histogram(draws, case.npsv, case, case.id)
    whole = result.programme
    if result.note is None:
        yield "programme-tornado.png", tornado(whole, result.swing, f"programme {whole.id}")
        if whole.simulation is not None and simulated is not None:
            draws = simulated.programme_npsv_draws
            yield "programme-histogram.png", histogram(draws, whole.npsv, whole, "programme")
