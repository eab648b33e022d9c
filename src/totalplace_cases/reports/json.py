"""The JSON contract (docs/method.md, section 13), written in one place.

Every value that reaches JSON goes through this module, under one policy for numbers:

- a :class:`~decimal.Decimal` is written as a **string**: an amount of money with two decimals,
  rounded half-up (``"8480099.75"``, :func:`~totalplace_cases.money.money_str`), any other
  Decimal as its exact text (``"0.125"``, e.g. a cell of a plugin's evidence table);
- the contract's **numbers** are named field by field: ratios (``bcr``, ``fiscal_roi``...,
  already floats in the results), discount factors and the fractions of a line's adjustments
  (``optimism_bias``, ``deadweight``, split shares), each written as the nearest float;
- years are strings (``"2010-11"``), an undefined figure is ``null``.

A Decimal that no rule above covers is refused when the JSON is written (:func:`dumps`), so a
new field cannot leak a number in a form the contract does not name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..display import json_safe
from ..method.results import (
    Appraisal,
    CaseAppraisal,
    LineResult,
    OptionFigures,
    OptionResult,
)
from ..method.robustness import CaseSensitivity, Sensitivity, Simulation, SimulationResult
from ..money import money_str
from ..periods import FinancialYear
from ..plugin import EvidenceTable

__all__ = [
    "change",
    "dumps",
    "evidence_to_dict",
    "render_json",
    "render_sensitivity_json",
    "sensitivity_to_dict",
    "simulation_to_dict",
    "to_dict",
]

#: The by-agency figures, each a money string.
AGENCY_MONEY = (
    "pv_costs", "pv_benefits", "pv_fiscal_cashable", "pv_fiscal_non_cashable", "net",
    "pv_fiscal", "net_fiscal", "pv_realigned", "net_fiscal_after_realignment", "pv_transfers",
)  # fmt: skip
#: The case figures, each a money string.
CASE_MONEY = (
    "pv_costs", "pv_costs_unadjusted", "pv_benefits", "pv_fiscal", "pv_fiscal_cashable",
    "pv_fiscal_non_cashable", "pv_economic", "pv_social", "npsv",
)  # fmt: skip
#: The yearly flows, each a money string.
FLOW_MONEY = (
    "costs", "costs_unadjusted", "benefits", "fiscal", "economic", "social", "transfers",
)  # fmt: skip


def money(amount: Decimal | None) -> str | None:
    """Money as the contract writes it: a string with two decimals, or null."""
    return None if amount is None else money_str(amount)


def number(value: Decimal | float | None) -> float | None:
    """A figure the contract writes as a number (a ratio, a factor, a fraction), or null."""
    return None if value is None else float(value)


def year(value: FinancialYear | None) -> str | None:
    return None if value is None else str(value)


def exact(value: Any) -> Any:
    """A cell as JSON holds it: a Decimal as its exact text ("240", "0.125"), else as given."""
    return str(value) if isinstance(value, Decimal) else value


def _adjustment(value: Any) -> Any:
    """A line's adjustment: fractions (and split shares) as numbers, years as text."""
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, FinancialYear):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _adjustment(v) for k, v in value.items()}
    return value


def _case(case: CaseAppraisal) -> dict[str, Any]:
    return {
        "id": case.id,
        "title": case.title,
        "category": case.category,
        "theme": case.theme,
        "sponsor": case.sponsor,
        "status": case.status,
        "start": str(case.start),
        "years": case.years,
        "price_base": str(case.price_base),
        "discount_base": str(case.discount_base),
        "schedule": case.schedule,
        "timing": case.timing,
        **{name: money(getattr(case, name)) for name in CASE_MONEY},
        "bcr": case.bcr,
        "fiscal_roi": case.fiscal_roi,
        "cashable_roi": case.cashable_roi,
        "net_budget_impact": money(case.net_budget_impact),
        "payback_year": year(case.payback_year),
        "payback_years": case.payback_years,
        "cashable_payback_year": year(case.cashable_payback_year),
        "cashable_payback_years": case.cashable_payback_years,
        "vfm_category": case.vfm_category,
        "pv_transfers": money(case.pv_transfers),
        "by_agency": [
            {"agency": row.agency, **{name: money(getattr(row, name)) for name in AGENCY_MONEY}}
            for row in case.by_agency
        ],
        "flows": [
            {
                "year": str(flow.year),
                "t": flow.t,
                "discount_factor": number(flow.discount_factor),
                **{name: money(getattr(flow, name)) for name in FLOW_MONEY},
            }
            for flow in case.flows
        ],
        "lines": [_line(line, case) for line in case.lines],
        "options": [_option(option) for option in case.options],
    }


def _line(line: LineResult, case: CaseAppraisal) -> dict[str, Any]:
    """One line; in a case with options, the option it belongs to (and whether it is business
    as usual's, counted against the option); a cohort line's cohort."""
    data: dict[str, Any] = {
        "kind": line.kind,
        "id": line.id,
        "agency": line.agency,
        "value_type": line.value_type,
        "pv": money(line.pv),
        "pv_unadjusted": money(line.pv_unadjusted),
        "adjustments": {k: _adjustment(v) for k, v in line.adjustments.items()},
        "transfer": line.transfer,
    }
    if line.option is not None:
        data["option"] = line.option
        data["counterfactual"] = line.counterfactual
    if line.cohort is not None:
        data["cohort"] = _cohort(line, case)
    return data


def _by_year(values: Mapping[FinancialYear, Decimal]) -> dict[str, str]:
    return {str(year): exact(value) for year, value in values.items()}


def _cohort(line: LineResult, case: CaseAppraisal) -> dict[str, Any]:
    """A cohort line's participants, successes and volumes by year (exact numbers as text),
    its rates, and its option's PV costs per participant and per success."""
    cohort = line.cohort
    option = next((o for o in case.options if o.id == (line.option or case.id)), None)
    figures = next((c for c in option.cohorts if c.line == line.id), None) if option else None
    return {
        "participants": _by_year(cohort.participants),
        "engagement": number(cohort.engagement),
        "success": number(cohort.success),
        "lag": cohort.lag,
        "persistence": cohort.persistence,
        "successes": _by_year(cohort.successes),
        "volumes": _by_year(cohort.volumes),
        "participants_total": exact(cohort.participants_total),
        "successes_total": exact(cohort.successes_total),
        "cost_per_participant": money(figures.cost_per_participant) if figures else None,
        "cost_per_success": money(figures.cost_per_success) if figures else None,
    }


def _figures(figures: OptionFigures) -> dict[str, Any]:
    return {
        "pv_costs": money(figures.pv_costs),
        "pv_benefits": money(figures.pv_benefits),
        "npsv": money(figures.npsv),
        "bcr": figures.bcr,
    }


def _option(option: OptionResult) -> dict[str, Any]:
    """One option: its own figures, incremental to business as usual, and whether preferred."""
    return {
        "id": option.id,
        "title": option.title,
        **_figures(option.own),
        "incremental": _figures(option.incremental),
        "preferred": option.preferred,
    }


def to_dict(result: Any) -> dict[str, Any]:
    """A result of the Python API as its JSON contract's object, the same as the command's
    ``--format json`` gives:

    - an :class:`Appraisal` (``tp.appraise``), without ``evidence_tables``;
    - a :class:`Sensitivity` (``tp.sensitivity``), as ``totalplace sensitivity``;
    - a :class:`SimulationResult` (``tp.simulate``): ``cases`` (``id``, ``simulation``) and
      ``programme`` (``simulation``, ``note``), each simulation as in the sensitivity's;
    - a cuts scenario (``tp.scenario``), one object as in ``scenarios`` of ``totalplace
      scenario``, or a list of them (``tp.scenarios``) as ``{"scenarios": [...]}`` (without the
      cases beside them, which the command adds);
    - an affordability (``tp.affordability``), as ``totalplace affordability``;
    - a roll-up of returns, as ``totalplace rollup`` (without the file names).
    """
    if isinstance(result, Appraisal):
        return _appraisal_to_dict(result)
    if isinstance(result, Sensitivity):
        return sensitivity_to_dict(result)
    if isinstance(result, SimulationResult):
        return simulation_to_dict(result)
    # These writers use this module's money and numbers: imported here, not at the top.
    from ..method.affordability import Affordability
    from ..method.cuts import ScenarioResult
    from ..method.rollup import Rollup
    from .cuts import affordability_dict, scenario_dict
    from .rollup import rollup_dict

    if isinstance(result, ScenarioResult):
        return scenario_dict(result)
    if isinstance(result, (list, tuple)) and all(isinstance(r, ScenarioResult) for r in result):
        return {"scenarios": [scenario_dict(r) for r in result]}
    if isinstance(result, Affordability):
        return affordability_dict(result)
    if isinstance(result, Rollup):
        return rollup_dict(result)
    raise TypeError(
        "to_dict takes an appraisal, a sensitivity, a simulation, a cuts scenario (or a list of "
        f"them), an affordability or a roll-up; found {type(result).__name__}"
    )


def _appraisal_to_dict(appraisal: Appraisal) -> dict[str, Any]:
    """An appraisal as the JSON contract's object (without ``evidence_tables``)."""
    p = appraisal.programme
    totals = appraisal.totals
    return {
        "programme": {
            "id": p.id,
            "name": p.name,
            "price_base": year(p.price_base),
            "discount_base": year(p.discount_base),
            "schedule": p.schedule,
            "parameters": [attrs.asdict(use) for use in p.parameters],
            "notes": list(p.notes),
        },
        "cases": [_case(case) for case in appraisal.cases],
        "totals": {
            "pv_costs": money(totals.pv_costs),
            "pv_benefits": money(totals.pv_benefits),
            "npsv": money(totals.npsv),
            "bcr": totals.bcr,
            "fiscal_roi": totals.fiscal_roi,
            "vfm_category": totals.vfm_category,
            "note": totals.note,
            "pv_transfers": money(totals.pv_transfers),
            "statuses_included": list(totals.statuses_included),
        },
    }


def evidence_to_dict(table: EvidenceTable) -> dict[str, Any]:
    """A plugin's evidence table: title, the plugin that added it, headers, rows and notes."""
    return {
        "title": table.title,
        "plugin": table.plugin,
        "headers": list(table.headers),
        "rows": [[exact(cell) for cell in row] for row in table.rows],
        "notes": table.notes,
    }


def _refuse(value: Any) -> Any:
    kind = "a Decimal" if isinstance(value, Decimal) else type(value).__name__
    raise TypeError(f"{kind} has no JSON form in the contract: {value!r}")


def dumps(data: Any) -> str:
    """JSON text, indented, UTF-8 as is; a value the policy above does not cover is refused.

    json escapes only U+0000-U+001F; DEL, the C1 controls and bidirectional overrides are
    written as \\u escapes too, so the text can go to a terminal and still reads back the same.
    """
    return json_safe(json.dumps(data, indent=2, ensure_ascii=False, default=_refuse)) + "\n"


def render_json(appraisal: Appraisal, evidence: Sequence[EvidenceTable] = ()) -> str:
    """The JSON contract, with any plugin tables under ``evidence_tables``."""
    data = _appraisal_to_dict(appraisal)
    data["evidence_tables"] = [evidence_to_dict(t) for t in evidence]
    return dumps(data)


# -- sensitivity and simulation (docs/method.md, section 23) -----------------------------------


def change(value: Decimal | None) -> str | None:
    """A relative change as the contract writes it: a decimal fraction as a string (``"-0.235"``
    for -23.5%, to a millionth), or null where it is not reached."""
    return None if value is None else f"{value:f}"


def _simulation(found: Simulation | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "draws": found.draws,
        "seed": found.seed,
        "npsv": {k: money(getattr(found.npsv, k)) for k in ("mean", "p10", "p50", "p90")},
        "bcr": {k: number(getattr(found.bcr, k)) for k in ("mean", "p10", "p50", "p90")},
        "p_npsv_positive": found.p_npsv_positive,
        "p_bcr_at_least_1": found.p_bcr_at_least_1,
        "bcr_undefined_draws": found.bcr_undefined_draws,
        "ranged_inputs": found.ranged_inputs,
    }


def _robustness(found: CaseSensitivity) -> dict[str, Any]:
    return {
        "id": found.id,
        "npsv": money(found.npsv),
        "bcr": number(found.bcr),
        "switching": [
            {
                "input": item.input,
                "label": item.label,
                "npsv_zero_change": change(item.npsv_zero_change),
                "bcr_one_change": change(item.bcr_one_change),
                "npsv_down": money(item.npsv_down),
                "npsv_up": money(item.npsv_up),
                "solved": item.solved,
            }
            for item in found.switching
        ],
        "tests": [
            {"name": t.name, "kind": t.kind, "npsv": money(t.npsv), "bcr": number(t.bcr)}
            for t in found.tests
        ],
        "simulation": _simulation(found.simulation),
    }


def sensitivity_to_dict(result: Sensitivity) -> dict[str, Any]:
    """Switching values, tests and simulations as the JSON contract's object: ``cases`` (each
    with its ``status``) and the ``programme`` (with a ``note`` when its cases cannot be added),
    and ``swing``, the change the tornado figures ``npsv_down`` and ``npsv_up`` use."""
    return {
        "swing": change(result.swing),
        "cases": [{**_robustness(case), "status": case.status} for case in result.cases],
        "programme": {
            **_robustness(result.programme),
            "note": result.note,
            "statuses_included": list(result.statuses_included),
        },
    }


def simulation_to_dict(result: SimulationResult) -> dict[str, Any]:
    """A Monte Carlo simulation (``tp.simulate``) as JSON: each case's ``id`` and
    ``simulation``, and the programme's, with a ``note`` when its cases cannot be added; each
    simulation as in :func:`sensitivity_to_dict`."""
    return {
        "cases": [{"id": c.id, "simulation": _simulation(c.simulation)} for c in result.cases],
        "programme": {"simulation": _simulation(result.programme), "note": result.note},
    }


def render_sensitivity_json(result: Sensitivity) -> str:
    return dumps(sensitivity_to_dict(result))
