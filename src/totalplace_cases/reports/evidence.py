"""Evidence tables: extra tables plugins add to an appraisal's output.

A table is data (a title, column headers, rows of plain values); each output format decides
how to show it, so a plugin's table appears in the terminal, in Markdown and in JSON alike.
:class:`EvidenceTable` is defined in :mod:`totalplace_cases.plugin` and exported here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..plugin import EvidenceTable

if TYPE_CHECKING:
    from ..plugins import Rules

__all__ = ["EvidenceTable", "collect_evidence"]


def collect_evidence(rules: Rules, appraisal: Any, programme: Any) -> list[EvidenceTable]:
    """Every plugin's evidence tables for this appraisal, each marked with its plugin."""
    answers = rules.call("totalplace_evidence_tables", appraisal=appraisal, programme=programme)
    return [
        attrs.evolve(table, plugin=answer.plugin) for answer in answers for table in answer.value
    ]
