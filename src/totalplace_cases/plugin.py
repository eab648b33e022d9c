"""Everything a plugin gives to the host and takes from it, in one public module.

A plugin needs nothing else::

    from totalplace_cases.plugin import Category, UnitCost, Valuation, hookimpl

The hooks themselves are specified in :mod:`totalplace_cases.hookspecs`; this module holds the
marker, the value classes hooks return or ``register``, and the classes hooks receive:

- given to ``register``: :class:`Category`, :class:`Theme`, :class:`Agency`, :class:`UnitCost`,
  :class:`ParameterTable` (best made with :func:`read_table` or :func:`parse_table`) and
  :class:`OutputFormat`;
- returned: :class:`Valuation` (``totalplace_value_benefit``), :class:`Problem`
  (``totalplace_validate_case``), :class:`EvidenceTable` (``totalplace_evidence_tables``);
- received: the models (:class:`Programme`, :class:`BusinessCase`, :class:`CostLine`,
  :class:`BenefitLine`, :class:`SpendLine`, a line of the count, and :class:`CutScenario`),
  the ``context`` of a case (:class:`CaseContext`), the lines of the count a cut falls on
  (:class:`SpendCell`), the appraisal (:class:`Appraisal`, :class:`CaseAppraisal`) and the
  plugin host (:class:`Rules`).

Amounts are :class:`~decimal.Decimal` and years :class:`FinancialYear` throughout; the host checks
every answer against its hook's contract and names the plugin when one does not hold
(:class:`PluginError`).

The value classes are defined here, so that the plugin host, the registry and the method can use
them without importing the reports; their older homes (``totalplace_cases.registry.UnitCost``,
``totalplace_cases.method.valuation.Valuation``, ``totalplace_cases.reports.evidence`` and
``totalplace_cases.reports.formats``) still export them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from .errors import PluginError, Problem
from .models import (
    Agency,
    BenefitLine,
    BusinessCase,
    CaseOption,
    Category,
    Cohort,
    CostLine,
    CutScenario,
    Programme,
    Protect,
    Realignment,
    SpendLine,
    Theme,
)
from .parameters import ParameterTable, parse_table, read_table
from .periods import FinancialYear, parse_year
from .pluginmarker import hookimpl

if TYPE_CHECKING:  # defined by the method and the host, which import this module
    from .method.context import CaseContext
    from .method.count import SpendCell
    from .method.results import Appraisal, CaseAppraisal
    from .plugins import Rules

__all__ = [
    "Agency",
    "Appraisal",
    "BenefitLine",
    "BusinessCase",
    "CaseAppraisal",
    "CaseContext",
    "CaseOption",
    "Category",
    "Cohort",
    "CostLine",
    "CutScenario",
    "EvidenceTable",
    "FinancialYear",
    "OutputFormat",
    "ParameterTable",
    "PluginError",
    "Problem",
    "Programme",
    "Protect",
    "Realignment",
    "Rules",
    "SpendCell",
    "SpendLine",
    "Theme",
    "UnitCost",
    "Valuation",
    "hookimpl",
    "parse_table",
    "parse_year",
    "read_table",
]


@attrs.frozen
class UnitCost:
    """A published unit cost (e.g. from the Unit Cost Database) that a benefit line can cite.

    :ivar key: what a case file cites, with the plugin's own prefix (``"ucd:CR2.0"``).
    :ivar value: the cost of one unit, a :class:`~decimal.Decimal` in ``price_year``'s prices;
        None when ``by_year`` is given.
    :ivar price_year: the :class:`FinancialYear` whose prices ``value`` is in, or an ``int`` for
        a calendar year's prices (the Department for Transport publishes "2010 prices").
    :ivar shares: splits the value among several bodies, ``(label, fraction)`` pairs adding up
        to 1, each label resolved to one of the programme's agencies when a line cites it;
        empty means the whole value goes to the line's own agency.
    :ivar by_year: a value that varies by year (carbon values, say) as ``(year, Decimal)``
        pairs, the years all financial years or all calendar years (``int``); a line's year then
        picks its value (method §17).
    """

    key: str
    value: Decimal | None
    price_year: FinancialYear | int
    description: str = ""
    unit: str = ""
    agency: str = ""
    source: str = ""
    rag: str = ""
    shares: tuple[tuple[str, Decimal], ...] = ()
    by_year: tuple[tuple[FinancialYear | int, Decimal], ...] = ()


@attrs.frozen
class Valuation:
    """A benefit line's gross value by year before adjustments, and how it splits.

    :ivar gross: financial year -> value (a :class:`~decimal.Decimal`) in real terms at the
        case's price base, for years of the case's appraisal period.
    :ivar shares: ``(agency id or body label, fraction)`` pairs adding up to 1, or empty for the
        line's own agency.
    :ivar basis: how the value was obtained, for the evidence trail.
    """

    gross: dict[FinancialYear, Decimal]
    shares: tuple[tuple[str, Decimal], ...] = ()
    basis: str = ""


@attrs.frozen
class EvidenceTable:
    """A titled table of evidence. Cells are text or exact numbers (int or Decimal).

    Money in these tables is formatted text (``"£1,234.50"``); each output format decides how to
    lay the table out, so a plugin's table appears in the terminal, in Markdown and in JSON
    alike. ``plugin`` is filled in by the host with the name of the plugin that returned it.
    """

    title: str
    headers: tuple[str, ...] = attrs.field(converter=tuple)
    rows: tuple[tuple[Any, ...], ...] = attrs.field(
        converter=lambda rows: tuple(tuple(r) for r in rows)
    )
    notes: str = ""
    plugin: str = ""

    def __attrs_post_init__(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.headers):
                raise ValueError(
                    f"evidence table '{self.title}': row {number} has {len(row)} cells, "
                    f"expected {len(self.headers)}"
                )


#: ``render(appraisal, evidence_tables) -> text``.
Renderer = Callable[["Appraisal", Sequence[EvidenceTable]], str]


@attrs.frozen
class OutputFormat:
    """A way to write an appraisal out, for ``totalplace appraise --format NAME``.

    ``render(appraisal, evidence_tables)`` returns the whole text. A renderer that cannot show
    the data raises :class:`~totalplace_cases.errors.TotalPlaceError` saying why: that is
    reported against the data; any other exception is reported against the plugin.
    """

    name: str
    render: Renderer
    description: str = ""
    extension: str = ".txt"


def __getattr__(name: str) -> Any:
    """The classes the method defines, imported on first use (the method imports this module)."""
    if name == "CaseContext":
        from .method.context import CaseContext

        return CaseContext
    if name in ("Appraisal", "CaseAppraisal"):
        from .method import results

        return getattr(results, name)
    if name == "Rules":
        from .plugins import Rules

        return Rules
    if name == "SpendCell":
        from .method.count import SpendCell

        return SpendCell
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
