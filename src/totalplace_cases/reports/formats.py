"""Output formats for ``totalplace appraise --format NAME``, registered by plugins.

The library's own formats (``table``, ``markdown``, ``json``) are registered by the built-in
plugin :mod:`totalplace_cases.rules.exporters`, the same way a plugin adds its own.
:class:`OutputFormat` is defined in :mod:`totalplace_cases.plugin` and exported here too.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..method.results import Appraisal
from ..plugin import EvidenceTable, OutputFormat, Renderer
from .json import render_json
from .summary import render_text
from .tables import inline, render_rows

__all__ = ["OutputFormat", "Renderer", "render_json", "render_markdown", "render_table"]


def _evidence_text(tables: Sequence[EvidenceTable], fmt: str) -> list[str]:
    return [
        f"{inline(t.title, fmt)}\n\n"
        + render_rows(t.rows, t.headers, fmt)
        + (f"\n\n{inline(t.notes, fmt)}" if t.notes else "")
        for t in tables
    ]


def render_table(appraisal: Appraisal, evidence: Sequence[EvidenceTable] = ()) -> str:
    """The terminal report (:func:`~totalplace_cases.reports.report.render_report`): the
    programme summary first, then each case; the command gives it agency names and units."""
    from .report import render_report

    return render_report(appraisal, evidence)


def render_markdown(appraisal: Appraisal, evidence: Sequence[EvidenceTable] = ()) -> str:
    """The same tables as GitHub-flavoured Markdown."""
    return render_text(appraisal, extra=_evidence_text(evidence, "github"), fmt="github")
