"""Built-in plugin: checks that need the loaded rules, not just the case file.

The file reader checks a case on its own; these checks look its references up in what the
plugins registered (discount schedules, optimism-bias project types, confidence grades, unit
costs), so ``totalplace validate`` catches a reference that no loaded plugin provides.
"""

from __future__ import annotations

from ..errors import Problem, TotalPlaceError
from ..method.valuation import unit_cost_value
from ..plugin import hookimpl
from ..registry import unit_cost_hint


def _table_problem(rules, name: str, kind: str, field: str) -> Problem | None:
    try:
        rules.table(name, kind)
    except TotalPlaceError as exc:
        return Problem(str(exc), field=field)
    return None


@hookimpl
def totalplace_validate_case(case, programme, rules):
    problems: list[Problem] = []
    settings = programme.settings
    if case.discount_schedule:
        found = _table_problem(
            rules, case.discount_schedule, "discount-schedule", "discount_schedule"
        )
        problems += [found] if found else []
    if (
        programme.discount_base
        and case.discount_base
        and case.discount_base != programme.discount_base
    ):
        problems.append(
            Problem(
                f"the programme discounts every case to {programme.discount_base}; this case asks "
                f"for {case.discount_base}. Remove one of them",
                field="discount_base",
            )
        )
    types_table = grades_table = None
    for index, cost in enumerate(case.costs):
        if cost.project_types:
            if types_table is None:
                types_table = rules.registry.find_table(settings.optimism_bias_table)
            known = {row["project_type"] for row in types_table.rows} if types_table else set()
            for name in cost.project_types:
                if name not in known:
                    problems.append(
                        Problem(
                            f'unknown project type "{name}"; known: {", ".join(sorted(known))}',
                            field=f"costs[{index}].project_type",
                        )
                    )
    for kind, lines in (("costs", case.costs), ("benefits", case.benefits)):
        for index, line in enumerate(lines):
            if line.confidence is None:
                continue
            if grades_table is None:
                grades_table = rules.registry.find_table(settings.confidence_table)
            grades = {int(row["grade"]) for row in grades_table.rows} if grades_table else set()
            if line.confidence not in grades:
                problems.append(
                    Problem(
                        f"confidence grade {line.confidence} is not in table "
                        f"'{settings.confidence_table}'",
                        field=f"{kind}[{index}].confidence",
                    )
                )
    for index, line in enumerate(case.benefits):
        unit = rules.registry.unit_cost(line.unit_cost) if line.unit_cost else None
        if line.unit_cost and unit is None:
            problems.append(
                Problem(
                    f'unknown unit cost "{line.unit_cost}"{unit_cost_hint(line.unit_cost)}',
                    field=f"benefits[{index}].unit_cost",
                )
            )
        elif unit is not None and unit.by_year:  # a series must cover every year of the line
            for year in sorted(line.volumes):
                try:
                    unit_cost_value(unit, year)
                except TotalPlaceError as exc:
                    problems.append(Problem(str(exc), field=f"benefits[{index}].volumes"))
                    break
    own_rules = [
        name
        for name in rules.implementers("totalplace_value_benefit")
        if name != "builtin-valuation"
    ]
    if not own_rules:  # only the standard rule: volumes need a unit to be valued
        for index, line in enumerate(case.benefits):
            if line.volumes and line.unit_value is None and line.unit_cost is None:
                problems.append(
                    Problem(
                        'volumes need a "unit_value" (or a "unit_cost" reference), or a '
                        "plugin whose rule values them",
                        field=f"benefits[{index}]",
                    )
                )
    problems += _deflator_problems(case, programme, rules)
    return problems


def _deflator_problems(case, programme, rules) -> list[Problem]:
    """Price bases and nominal years the deflator must cover, checked before appraising."""
    from ..method.conventions import reporting_base_of
    from ..method.prices import deflator_from_table

    table = rules.registry.find_table(programme.settings.deflator)
    if table is None:
        return []  # reported against [settings] already
    deflator = deflator_from_table(table, programme.settings.deflator_projection)
    base = reporting_base_of(programme, case)
    needed: list[tuple[str, object]] = []
    if case.price_base is not None and case.price_base != base:
        needed += [("price_base", case.price_base), ("price_base", base)]
    for kind, lines in (("costs", case.costs), ("benefits", case.benefits)):
        for index, line in enumerate(lines):
            if line.price_base is not None and line.price_base != base:
                needed += [(f"{kind}[{index}].price_base", line.price_base)]
                needed += [(f"{kind}[{index}].price_base", base)]
            if line.prices == "nominal":
                years = sorted(set(line.amounts) | set(getattr(line, "volumes", {})))
                needed += [(f"{kind}[{index}].prices", y) for y in years]
                needed += [(f"{kind}[{index}].prices", base)] if years else []
    problems, seen = [], set()
    for index, line in enumerate(case.benefits):  # a unit cost is uprated from its price year
        unit = rules.registry.unit_cost(line.unit_cost) if line.unit_cost else None
        field = f"benefits[{index}].unit_cost"
        if unit is None or unit.price_year == base:
            continue
        if not isinstance(unit.price_year, int):
            needed += [(field, unit.price_year), (field, base)]
        elif unit.price_year not in (deflator.calendar or {}):
            problems.append(
                Problem(
                    f"unit cost '{unit.key}' is in calendar {unit.price_year} prices, and "
                    f"deflator '{deflator.name}' has no calendar-year index for "
                    f"{unit.price_year}",
                    field=field,
                )
            )
        else:
            needed += [(field, base)]
    for field, year in needed:
        if (field, year) in seen:
            continue
        seen.add((field, year))
        try:
            deflator.index(year)
        except TotalPlaceError as exc:
            problems.append(Problem(str(exc), field=field))
    return problems
