"""Built-in plugin: checks that need the loaded rules, not just the case file.

Everything the appraisal would stop on (an unknown table, project type, grade or unit cost, a
year the deflator lacks, a body no agency stands for...) is found by taking the case through the
appraisal's own steps (:func:`totalplace_cases.method.checks.case_problems`), so ``totalplace
validate`` reports it, with its field, before ``appraise`` could meet it. Besides those: what the
arithmetic would accept but a reader should not, such as a case and its programme that disagree
on the discount base.
"""

from __future__ import annotations

from ..errors import Problem
from ..method.checks import case_problems
from ..method.conventions import HEALTH_SCHEDULE, health_schedule_warning
from ..plugin import hookimpl


@hookimpl
def totalplace_validate_case(case, programme, rules):
    problems: list[Problem] = case_problems(programme, case, rules)
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
    if case.discount_schedule == HEALTH_SCHEDULE:
        message = health_schedule_warning(f'discount_schedule = "{HEALTH_SCHEDULE}"')
        problems.append(Problem(message, field="discount_schedule", severity="warning"))
    elif programme.settings.schedule == HEALTH_SCHEDULE and not case.discount_schedule:
        message = health_schedule_warning(f'[settings] schedule = "{HEALTH_SCHEDULE}"')
        problems.append(
            Problem(message, file=programme.source, field="settings.schedule", severity="warning")
        )
    for number, option in enumerate(case.as_options):
        prefix = f"options[{number}]." if case.options else ""
        for index, line in enumerate(option.benefits):
            if line.transfer and line.deadweight:
                problems.append(
                    Problem(
                        f"a transfer line with a deadweight of {line.deadweight}: a transfer (a "
                        "sale price, a benefit payment saved) is not an outcome that would have "
                        "happened anyway, so it normally takes none. It reduces only the fiscal "
                        "figures here; keep it if the payment itself would have been made anyway",
                        field=f"{prefix}benefits[{index}].deadweight",
                        severity="warning",
                    )
                )
    return problems
