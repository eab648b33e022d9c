"""Output formats for ``totalplace appraise --format NAME``, registered by plugins.

The library's own formats (``table``, ``markdown``, ``json``) are registered by the built-in
plugin :mod:`totalplace_cases.rules.exporters`, the same way a plugin adds its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import attrs

from ..method.results import Appraisal
from .evidence import EvidenceTable
from .summary import render_text
from .tables import render_rows

__all__ = ["OutputFormat", "render_json", "render_markdown", "render_table"]

Renderer = Callable[[Appraisal, Sequence[EvidenceTable]], str]


@attrs.frozen
class OutputFormat:
    """A way to write an appraisal out: ``render(appraisal, evidence_tables) -> text``."""

    name: str
    render: Renderer
    description: str = ""
    extension: str = ".txt"


def _evidence_text(tables: Sequence[EvidenceTable], fmt: str) -> list[str]:
    return [
        f"{t.title}\n\n"
        + render_rows(t.rows, t.headers, fmt)
        + (f"\n\n{t.notes}" if t.notes else "")
        for t in tables
    ]


def render_table(appraisal: Appraisal, evidence: Sequence[EvidenceTable] = ()) -> str:
    """Readable tables for a terminal."""
    return render_text(appraisal, extra=_evidence_text(evidence, "simple"))


def render_markdown(appraisal: Appraisal, evidence: Sequence[EvidenceTable] = ()) -> str:
    """The same tables as GitHub-flavoured Markdown."""
    return render_text(appraisal, extra=_evidence_text(evidence, "github"), fmt="github")


def render_json(appraisal: Appraisal, evidence: Sequence[EvidenceTable] = ()) -> str:
    """The JSON contract (see docs/method.md), with any plugin tables under evidence_tables."""
    data = appraisal.to_dict()
    data["evidence_tables"] = [t.to_dict() for t in evidence]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
