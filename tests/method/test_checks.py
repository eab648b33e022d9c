"""validate finds everything appraise would (issue 7.7): a walk over every error of the method.

Every ``raise`` in ``src/totalplace_cases/method/`` is listed in :data:`CATALOGUE`, found by
reading the source (so a new ``raise`` without an entry fails
:func:`test_every_raise_in_the_method_is_in_the_catalogue`). Each entry is one of:

- an **input** the appraisal can meet: a programme (files, a local plugin, options) that makes the
  appraisal raise it when nothing is validated first, and that ``validate`` (the pipeline's
  ``load_programme``) reports first, with the file, the line and the field that cause it;
- a **guard**: an argument check of the Python API (a negative year, a float index...) that no
  case file, option or plugin answer can reach, shown by calling the function with the bad
  argument;
- a **relay**: a ``raise`` that passes on an error already raised by another entry, unchanged or
  with its place added;
- **another command's**: a ``raise`` of arithmetic that ``appraise`` never runs (the cuts
  scenarios on the count, the roll-up of returns), reported by its own command with the file,
  line and field (tests/test_scenarios.py, tests/test_cli_rollup.py); shown here by calling it.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import totalplace_cases as tp
from totalplace_cases import pipeline
from totalplace_cases.errors import InputError, TotalPlaceError
from totalplace_cases.io.casefile import load_path
from totalplace_cases.method import (
    adjustments,
    count,
    cuts,
    discounting,
    prices,
    realisation,
    robustness,
    rollup,
    sensitivity,
)
from totalplace_cases.method.appraisal import appraise_programme
from totalplace_cases.method.conventions import Options
from totalplace_cases.method.results import Appraisal, YearValues
from totalplace_cases.periods import PeriodError
from totalplace_cases.plugin import parse_table
from totalplace_cases.plugins import load_rules

METHOD = Path(tp.__file__).parent / "method"
Y0 = tp.FinancialYear(2010)

# -- the programme every input scenario changes in one place ---------------------------------------

PROGRAMME = """\
[programme]
id = "walk"
price_base = "2010-11"
{plugins}
{settings}
[[agencies]]
id = "lead"

[[agencies]]
id = "partner"
"""

COST = {"id": "staff", "agency": "lead", "kind": "revenue", "amounts": {"2010-11": "1000"}}
BENEFIT = {"id": "b", "agency": "partner", "value_type": "fiscal", "amounts": {"2011-12": "2000"}}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + " }"
    return f'"{value}"'


def case_text(costs=(COST,), benefits=(BENEFIT,), **fields) -> str:
    head = {"id": "c", "category": "community", "start": "2010-11", "years": 3, **fields}
    lines = [f"{key} = {_toml(value)}" for key, value in head.items()]
    for name, items in (("costs", costs), ("benefits", benefits)):
        for item in items:
            fields = (f"{k} = {_toml(v)}" for k, v in item.items() if v is not None)
            lines += ["", f"[[{name}]]", *fields]
    return "\n".join(lines) + "\n"


@attrs.frozen
class Scenario:
    """A programme that makes the appraisal raise, and where validate must point."""

    case: str = attrs.field(factory=case_text)
    plugin: str = ""  # the source of a local plugin the programme loads, if any
    settings: str = ""  # lines of a [settings] table
    options: Options = attrs.field(factory=Options)
    blocked: tuple[str, ...] = ()  # plugins not to load
    file: str = "c.toml"  # the file validate must name: the case's or programme.toml ("": none)
    field: str = ""  # the field it must name
    message: str = ""  # a fragment of the message, the same from validate and appraise
    appraise: Callable[[tp.Programme, Any], object] | None = None  # how appraise meets it


def cost(**fields) -> dict:
    return {**COST, **fields}


def benefit(**fields) -> dict:
    return {**BENEFIT, **fields}


# Plugins (each registers what one scenario needs).
TABLE = 'register(parse_table("""{text}""", origin="{origin}"){replace})'
PLUGIN = """\
from decimal import Decimal
from totalplace_cases.plugin import FinancialYear, UnitCost, Valuation, hookimpl, parse_table

@hookimpl
def totalplace_register_tables(register):
    {tables}

@hookimpl
def totalplace_register_unit_costs(register):
    {unit_costs}
"""


def plugin(tables: list[str] = (), unit_costs: list[str] = (), extra: str = "") -> str:
    return PLUGIN.format(
        tables="\n    ".join(tables) or "pass", unit_costs="\n    ".join(unit_costs) or "pass"
    ) + textwrap.dedent(extra)


def table(name: str, kind: str, header: str, rows: str, replace: bool = False) -> str:
    text = (
        f"# table: {name}\\n# kind: {kind}\\n# source: test\\n# vintage: test\\n{header}\\n{rows}"
    )
    return TABLE.format(
        text=text, origin=f"{name}.csv", replace=", replace=True" if replace else ""
    )


THREE_GRADES = table("three-grades", "confidence-grade", "grade,adjustment", "1,0\\n2,0.1\\n3,0.2")
OB_GAPS = table(
    "ob-gaps",
    "optimism-bias",
    "project_type,capital_upper,cost_kind",
    "works-only,,capital\\nbuildings,0.2,capital",
)
GAPPY_VFM = table(
    "gappy",
    "vfm-thresholds",
    "category,lower,lower_inclusive,upper,upper_inclusive",
    "low,1,true,2,false\\nhigh,2,true,,false",
)
BROKEN_SCHEDULE = table("broken", "discount-schedule", "from_year,to_year,rate", "0,10,0.035")
DEFLATOR = "hmt-gdp-deflator"
GAPPED_DEFLATOR = table(DEFLATOR, "deflator", "year,index", "2008,90\\n2010,100", replace=True)
ONE_YEAR_DEFLATOR = table(DEFLATOR, "deflator", "year,index", "2010,100", replace=True)
FINANCIAL_DEFLATOR = table(
    DEFLATOR, "deflator", "financial_year,index", "2009-10,98\\n2010-11,100", replace=True
)
MARTIANS = (
    'register(UnitCost(key="walk:split", value=Decimal(100), price_year=FinancialYear(2010), '
    'shares=(("Martians", Decimal("0.5")), ("partner", Decimal("0.5")))))'
)
SERIES = (
    'register(UnitCost(key="walk:series", value=None, price_year=FinancialYear(2010), '
    "by_year=((FinancialYear(2010), Decimal(5)),)))"
)
VALUATION_OUTSIDE = """
@hookimpl
def totalplace_value_benefit(line, context):
    return Valuation({FinancialYear(2030): Decimal(1)})
"""
VALUATION_DICT = """
@hookimpl
def totalplace_value_benefit(line, context):
    return {FinancialYear(2010): Decimal(1)}
"""
VALUATION_SPLIT = """
@hookimpl
def totalplace_value_benefit(line, context):
    shares = (("partner", Decimal("0.5")), ("Martians", Decimal("0.5")))
    return Valuation(dict(line.amounts), shares=shares)
"""
BAD_DEFAULT = """
@hookimpl
def totalplace_line_defaults(line, context):
    return {"deadweight": "2"} if hasattr(line, "value_type") else None
"""


def _appraise_with(**options) -> Callable[[tp.Programme, Any], object]:
    return lambda programme, rules: tp.appraise(programme, rules=rules, **options)


def _appraise_models(change: Callable[[tp.BusinessCase], tp.BusinessCase]):
    """Appraise the programme with its case changed in Python: what the reader would refuse."""

    def run(programme: tp.Programme, rules) -> object:
        case = change(programme.cases[0])
        return tp.appraise(attrs.evolve(programme, cases=(case,)), rules=rules)

    return run


SCENARIOS: dict[str, Scenario] = {
    "confidence grade not in the table": Scenario(
        case=case_text(costs=[cost(confidence=5)]),
        plugin=plugin([THREE_GRADES]),
        settings='confidence_table = "three-grades"',
        field="costs[0].confidence",
        message="confidence grade 5 is not in table 'three-grades'",
    ),
    "unknown project type": Scenario(
        case=case_text(costs=[cost(kind="capital", project_type="castles")]),
        field="costs[0].project_type",
        message='unknown project type "castles"',
    ),
    "project type for the other kind of cost": Scenario(
        case=case_text(costs=[cost(project_type="standard-buildings")]),
        field="costs[0].project_type",
        message='bound of project type "standard-buildings" is for capital costs',
    ),
    "project type without a bound": Scenario(
        case=case_text(costs=[cost(kind="capital", project_type="works-only")]),
        plugin=plugin([OB_GAPS]),
        settings='optimism_bias_table = "ob-gaps"',
        field="costs[0].project_type",
        message="optimism-bias table 'ob-gaps' has no capital_upper for 'works-only'",
    ),
    "timing option": Scenario(
        options=Options(timing="end"),
        file="",
        field="--timing",
        message="'end'",
        appraise=_appraise_with(timing="end"),
    ),
    "case before the discount base (option)": Scenario(
        options=Options(discount_base=tp.FinancialYear(2011)),
        file="",
        field="--discount-base",
        message="before the discount base 2011-12",
        appraise=_appraise_with(discount_base="2011-12"),
    ),
    "case before the discount base (file)": Scenario(
        case=case_text(discount_base="2011-12"),
        field="discount_base",
        message="before the discount base 2011-12",
        appraise=_appraise_models(lambda c: attrs.evolve(c, discount_base=Y0 + 1)),
    ),
    "an amount outside the appraisal period": Scenario(
        case=case_text(costs=[cost(amounts={"2013-14": "5"})]),
        field='costs[0].amounts."2013-14"',
        message="outside the appraisal period",
        appraise=_appraise_models(
            lambda c: attrs.evolve(c, costs=[tp.CostLine("lead", "revenue", {Y0 + 3: 5})])
        ),
    ),
    "value-for-money table with a gap": Scenario(
        case=case_text(benefits=[benefit(amounts={"2010-11": "500"})]),  # BCR 0.5: no category
        plugin=plugin([GAPPY_VFM]),
        settings='vfm_table = "gappy"',
        file="programme.toml",
        field="settings.vfm_table",
        message="'gappy'",
    ),
    "unknown unit cost": Scenario(
        case=case_text(
            benefits=[benefit(amounts=None, volumes={"2011-12": "1"}, unit_cost="nope:x")]
        ),
        field="benefits[0].unit_cost",
        message='unknown unit cost "nope:x"',
    ),
    "a plugin's discount schedule in bad shape": Scenario(
        case=case_text(discount_schedule="broken"),
        plugin=plugin([BROKEN_SCHEDULE]),
        field="discount_schedule",  # the field that asked for it; the message names its file
        message="the last band must be open-ended",
    ),
    "a plugin's deflator in bad shape": Scenario(
        case=case_text(costs=[cost(price_base="2009-10")]),
        plugin=plugin([GAPPED_DEFLATOR]),
        field="costs[0].price_base",
        message="the years must be consecutive; missing 2009",
    ),
    "a deflator covering no financial year": Scenario(
        case=case_text(costs=[cost(price_base="2009-10")]),
        plugin=plugin([ONE_YEAR_DEFLATOR]),
        field="costs[0].price_base",
        message="covers no whole financial year",
    ),
    "a price base outside the deflator": Scenario(
        case=case_text(costs=[cost(price_base="1980-81")]),
        field="costs[0].price_base",
        message="no index for 1980-81: it covers 1990-91 to 2023-24",
    ),
    "a reporting price base outside the deflator (option)": Scenario(
        options=Options(price_base=tp.FinancialYear(2030)),
        file="",
        field="--price-base",
        message="no index for 2030-31: it covers 1990-91 to 2023-24",
        appraise=_appraise_with(price_base="2030-31"),
    ),
    "volumes without a unit value": Scenario(
        case=case_text(benefits=[benefit(amounts=None, volumes={"2011-12": "3"})]),
        field="benefits[0]",
        message='volumes need a "unit_value"',
    ),
    "no valuation rule at all": Scenario(
        blocked=("builtin-valuation",),
        field="benefits[0]",
        message="no valuation rule could value this line",
    ),
    "a valuation that is not a Valuation": Scenario(
        plugin=plugin(extra=VALUATION_DICT),
        field="benefits[0]",
        message="returned dict, expected a Valuation",
    ),
    "a valuation outside the appraisal period": Scenario(
        plugin=plugin(extra=VALUATION_OUTSIDE),
        field="benefits[0]",
        message="2030-31, outside the appraisal period",
    ),
    "a split unit cost naming a body no agency stands for": Scenario(
        case=case_text(
            benefits=[benefit(amounts=None, volumes={"2011-12": "1"}, unit_cost="walk:split")]
        ),
        plugin=plugin(unit_costs=[MARTIANS]),
        field="benefits[0].unit_cost",
        message="splits its value among Martians, partner; no agency of the programme stands "
        "for Martians",
    ),
    "a plugin's valuation split among a body no agency stands for": Scenario(
        plugin=plugin(extra=VALUATION_SPLIT),
        field="benefits[0]",
        message="splits its value among partner, Martians; no agency of the programme stands "
        "for Martians",
    ),
    "a plugin's default that is not a fraction": Scenario(
        plugin=plugin(extra=BAD_DEFAULT),
        field="benefits[0]",
        message="the default deadweight: expected a fraction between 0 and 1",
    ),
    "a unit cost series without a year": Scenario(
        case=case_text(
            benefits=[benefit(amounts=None, volumes={"2011-12": "1"}, unit_cost="walk:series")]
        ),
        plugin=plugin(unit_costs=[SERIES]),
        field="benefits[0].volumes",
        message="unit cost 'walk:series' has no value for 2011-12",
    ),
    "a calendar price year the deflator lacks": Scenario(
        case=case_text(
            benefits=[benefit(amounts=None, volumes={"2011-12": "1"}, unit_cost="gb:vpf")]
        ),
        plugin=plugin([FINANCIAL_DEFLATOR]),
        field="benefits[0].unit_cost",
        message="unit cost 'gb:vpf' is in calendar 2010 prices",
    ),
}


def _guard(call: Callable[[], object], error: type[BaseException]) -> Callable[[], None]:
    def check() -> None:
        with pytest.raises(error):
            call()

    return check


def _deflator(**fields) -> prices.Deflator:
    return prices.Deflator(
        "test", calendar=fields.pop("calendar", {2010: Decimal(1)}), financial=None, **fields
    )


def _schedule() -> discounting.DiscountSchedule:
    return discounting.DiscountSchedule("flat", [(0, None, Decimal("0.035"))])


GUARDS: dict[str, Callable[[], None]] = {
    "persistence before the first year": _guard(
        lambda: adjustments.benefit_persistence(Decimal("0.1"), -1), ValueError
    ),
    "a discount year that is not a whole number of years": _guard(
        lambda: _schedule().factor(1.5), ValueError
    ),
    "a discount year before year 0": _guard(lambda: _schedule().factor(-1), ValueError),
    "bands of a schedule built in Python": _guard(
        lambda: discounting.DiscountSchedule("bad", [(1, None, Decimal(0))]), ValueError
    ),
    "a timing other than start or mid": _guard(lambda: _schedule().factor_at(1, "end"), ValueError),
    "discount_factor's timing": _guard(lambda: tp.discount_factor(1, timing="end"), ValueError),
    # Read inside DiscountSchedule.from_table, which reports a bad year as the table's problem.
    "a band year that is not a number": _guard(
        lambda: discounting.DiscountSchedule.from_table(
            parse_table(
                "# table: t\n# kind: discount-schedule\n# source: s\n# vintage: v\n"
                "from_year,to_year,rate\nzero,,0.035\n"
            )
        ),
        InputError,
    ),
    "an amount that is not a number": _guard(
        lambda: prices.rebase_with_indices("x", 1, 2), ValueError
    ),
    "an amount of the wrong type": _guard(
        lambda: prices.rebase_with_indices(object(), 1, 2), TypeError
    ),
    "an amount that is a boolean": _guard(
        lambda: prices.rebase_with_indices(True, 1, 2), TypeError
    ),
    "an amount that is not finite": _guard(
        lambda: prices.rebase_with_indices(Decimal("Infinity"), 1, 2), ValueError
    ),
    "a price index that is not positive": _guard(
        lambda: prices.rebase_with_indices(1, 0, 2), ValueError
    ),
    "a projection of -1 or less": _guard(lambda: _deflator(projection="-1"), ValueError),
    "a deflator with no values": _guard(lambda: _deflator(calendar={}), ValueError),
    "a deflator index that is not a positive Decimal": _guard(
        lambda: _deflator(calendar={2010: 5}), ValueError
    ),
    # Read inside Deflator.from_table, which reports a bad row as the table's problem.
    "a deflator year or index that cannot be read": _guard(
        lambda: prices.Deflator.from_table(
            parse_table(
                "# table: d\n# kind: deflator\n# source: s\n# vintage: v\n"
                "year,index\n2010,-3\n20x1,5\n"
            )
        ),
        InputError,
    ),
    # from_table refuses a series with gaps; only a Deflator built in Python has one.
    "a gap inside a deflator built in Python": _guard(
        lambda: _deflator(
            calendar={2008: Decimal(1), 2009: Decimal(1), 2011: Decimal(1), 2012: Decimal(1)}
        ).index("2009-10"),
        TotalPlaceError,
    ),
    # The count's arithmetic (method/count.py), not the appraisal's: an argument of the API.
    "a count dimension that does not exist": _guard(
        lambda: count.Count(files=(), cells=()).total_by("colour"), ValueError
    ),
    # The benefits register's arithmetic (method/realisation.py), not the appraisal's: its period
    # reader is for actuals files, whose reader reports a bad period with file and line.
    "a register period written wrongly": _guard(
        lambda: realisation.parse_period("2011"), PeriodError
    ),
    "a year a line's values do not have": _guard(
        lambda: YearValues(Y0, {0: Decimal(1)}, 2)[Y0 + 1], KeyError
    ),
    "a case the appraisal does not have": _guard(
        lambda: Appraisal(None, (), None).case("nope"), KeyError
    ),
    # The sensitivity tests and the simulation (method/sensitivity.py, method/simulation.py):
    # arguments of the Python API; the command's options are checked as they are read.
    "a case a sensitivity run does not have": _guard(
        lambda: tp.sensitivity(tp.Programme(id="p")).case("nope"), KeyError
    ),
    "a case a simulation does not have": _guard(
        lambda: robustness.SimulationResult((), None).case("nope"), KeyError
    ),
    "a swing outside (0, 1]": _guard(
        lambda: tp.sensitivity(tp.Programme(id="p"), swing="1.5"), ValueError
    ),
    "draws fewer than one": _guard(lambda: tp.simulate(tp.Programme(id="p"), draws=0), ValueError),
    "a negative seed": _guard(lambda: tp.simulate(tp.Programme(id="p"), seed=-1), ValueError),
    "discount rates changed past -100%": _guard(
        lambda: sensitivity.Evaluator(_rules_with_schedule("negative", "-0.6")).factors(
            "negative", Decimal(1), None
        ),
        TotalPlaceError,
    ),
    "Monte Carlo without numpy installed": _guard(
        lambda: _without_numpy(lambda: tp.simulate(tp.Programme(id="p"), draws=1)),
        TotalPlaceError,
    ),
}


def _rules_with_schedule(name: str, rate: str):
    """Rules holding one more discount schedule, of a single band at ``rate``."""
    table = parse_table(
        f"# table: {name}\n# kind: discount-schedule\n# source: s\n# vintage: v\n"
        f"from_year,to_year,rate\n0,,{rate}\n"
    )

    class Plugin:
        @tp.hookimpl
        def totalplace_register_tables(self, register):
            register(table)

    return load_rules(entry_points=False, strict=True, extra=[("negative-schedule", Plugin())])


def _without_numpy(call: Callable[[], object]) -> object:
    """``call()`` as if numpy were not installed (the analysis extra left out)."""
    import sys

    import totalplace_cases.method as method

    names = ("draws", "vectorised")
    saved = {
        name: sys.modules.get(name)
        for name in ("numpy", *(f"{method.__name__}.{n}" for n in names))
    }
    attributes = {name: getattr(method, name) for name in names if hasattr(method, name)}
    sys.modules["numpy"] = None  # an import of it now fails
    for name in names:
        sys.modules.pop(f"{method.__name__}.{name}", None)
        if hasattr(method, name):
            delattr(method, name)
    try:
        return call()
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        for name, module in attributes.items():
            setattr(method, name, module)


RELAYS = {
    "an error already placed, or a plugin's error, passed on": "the scenarios above",
}


def _scenario(cut: str = "£1", cells=((("2008-09", "a", "c", "t", "revenue", "a"), 100),), **kw):
    from totalplace_cases.models import CutScenario

    return lambda: cuts.run_scenario(count.build_count(cells, []), CutScenario.of("s", cut, **kw))


def _rollup(*returns, **kw):
    return lambda: rollup.rollup(list(returns), **kw)


def _place_return(name: str, year: str):
    base = tp.parse_year(year)
    money = [Decimal(1)] * 6
    return rollup.PlaceReturn(
        name, name, name, name, 1, base, base, "start", ("g",), (), ("approved",), 1, None, None,
        *money,
    )  # fmt: skip


#: Raises of arithmetic that appraise never runs: the cuts scenarios and the roll-up. Each is
#: reported by its own command with file, line and field; here each is shown raising.
OTHER_COMMANDS: dict[str, Callable[[], None]] = {
    "a negative weight for sharing a cut": _guard(
        lambda: cuts.apportion(1, [-1]),
        ValueError,
    ),
    "weights for sharing a cut that add up to nothing": _guard(
        lambda: cuts.apportion(1, [0]),
        ValueError,
    ),
    "a count with no spend to cut": _guard(_scenario(cells=()), TotalPlaceError),
    "a scenario year the count lacks": _guard(_scenario(year="2010-11"), TotalPlaceError),
    "a protection that matches no spend": _guard(
        _scenario(protect=["theme=nothing"]), TotalPlaceError
    ),
    "every line protected": _guard(_scenario(protect=["agency=a"]), TotalPlaceError),
    "a cut deeper than the unprotected spend": _guard(_scenario("£2"), TotalPlaceError),
    "no returns to roll up": _guard(_rollup(), InputError),
    "returns that cannot be added": _guard(
        _rollup(_place_return("a", "2009-10"), _place_return("a", "2009-10")), InputError
    ),
    "rebasing without a deflator": _guard(
        _rollup(_place_return("a", "2009-10"), _place_return("b", "2010-11"), rebase=True),
        InputError,
    ),
}

#: Every raise in method/: (module, function, exception, a fragment of the raise statement) ->
#: the scenario, guard or relay that covers it.
CATALOGUE: dict[tuple[str, str, str, str], str] = {
    (
        "adjustments",
        "confidence_adjustment",
        "TotalPlaceError",
        "",
    ): "confidence grade not in the table",
    (
        "adjustments",
        "optimism_bias_for_types",
        "TotalPlaceError",
        "unknown project type",
    ): "unknown project type",
    (
        "adjustments",
        "optimism_bias_for_types",
        "TotalPlaceError",
        "the optimism-bias bound",
    ): "project type for the other kind of cost",
    (
        "adjustments",
        "optimism_bias_for_types",
        "TotalPlaceError",
        "has no {column}",
    ): "project type without a bound",
    ("adjustments", "benefit_persistence", "ValueError", ""): "persistence before the first year",
    ("appraisal", "appraise_programme", "TotalPlaceError", ""): "timing option",
    ("appraisal", "statuses_counted", "TotalPlaceError", ""): "unknown status (option)",
    ("appraisal", "case_context", "AppraisalError", ""): "case before the discount base (file)",
    ("appraisal", "_check_years", "AppraisalError", ""): "an amount outside the appraisal period",
    ("appraisal", "vfm_category", "TotalPlaceError", ""): "value-for-money table with a gap",
    ("context", "CaseContext.unit_cost", "TotalPlaceError", ""): "unknown unit cost",
    (
        "discounting",
        "_check_year",
        "ValueError",
        "whole number",
    ): "a discount year that is not a whole number of years",
    ("discounting", "_check_year", "ValueError", "0 or more"): "a discount year before year 0",
    ("discounting", "_parse_int", "ValueError", ""): "a band year that is not a number",
    (
        "discounting",
        "DiscountSchedule.__attrs_post_init__",
        "ValueError",
        "",
    ): "bands of a schedule built in Python",
    (
        "discounting",
        "DiscountSchedule.from_table",
        "InputError",
        "expected kind",
    ): "a plugin's discount schedule in bad shape",
    (
        "discounting",
        "DiscountSchedule.from_table",
        "InputError",
        "missing column",
    ): "a plugin's discount schedule in bad shape",
    (
        "discounting",
        "DiscountSchedule.from_table",
        "InputError",
        "problems",
    ): "a plugin's discount schedule in bad shape",
    (
        "discounting",
        "DiscountSchedule.rate",
        "AssertionError",
        "",
    ): "bands of a schedule built in Python",
    (
        "discounting",
        "DiscountSchedule.factor_at",
        "ValueError",
        "",
    ): "a timing other than start or mid",
    ("discounting", "discount_factor", "ValueError", ""): "discount_factor's timing",
    (
        "lines",
        "at.__exit__",
        "cause",
        "",
    ): "an error already placed, or a plugin's error, passed on",
    (
        "lines",
        "at.__exit__",
        "AppraisalError",
        "str(cause)",
    ): "a calendar price year the deflator lacks",
    ("lines", "at.__exit__", "AppraisalError", "str(exc)"): "unknown project type",
    ("lines", "_valuation", "AppraisalError", "volumes need"): "volumes without a unit value",
    ("lines", "_valuation", "AppraisalError", "no valuation rule"): "no valuation rule at all",
    (
        "lines",
        "_valuation",
        "AppraisalError",
        "expected a Valuation",
    ): "a valuation that is not a Valuation",
    (
        "lines",
        "_valuation",
        "AppraisalError",
        "outside the",
    ): "a valuation outside the appraisal period",
    (
        "lines",
        "_resolve_shares",
        "TotalPlaceError",
        "",
    ): "a split unit cost naming a body no agency stands for",
    (
        "lines",
        "_resolve_shares",
        "PluginError",
        "",
    ): "a plugin's valuation split among a body no agency stands for",
    ("lines", "_fraction", "PluginError", ""): "a plugin's default that is not a fraction",
    ("prices", "_as_decimal", "TypeError", "boolean"): "an amount that is a boolean",
    ("prices", "_as_decimal", "ValueError", "as a number"): "an amount that is not a number",
    ("prices", "_as_decimal", "TypeError", "type(value)"): "an amount of the wrong type",
    ("prices", "_as_decimal", "ValueError", "finite"): "an amount that is not finite",
    ("prices", "rebase_with_indices", "ValueError", ""): "a price index that is not positive",
    ("prices", "_projection", "ValueError", ""): "a projection of -1 or less",
    (
        "prices",
        "Deflator.__attrs_post_init__",
        "ValueError",
        "no index values",
    ): "a deflator with no values",
    (
        "prices",
        "Deflator.__attrs_post_init__",
        "ValueError",
        "positive",
    ): "a deflator index that is not a positive Decimal",
    (
        "prices",
        "Deflator.from_table",
        "InputError",
        "expected kind",
    ): "a plugin's deflator in bad shape",
    (
        "prices",
        "Deflator.from_table",
        "InputError",
        "expected the columns",
    ): "a plugin's deflator in bad shape",
    (
        "prices",
        "Deflator.from_table",
        "ValueError",
        "",
    ): "a deflator year or index that cannot be read",
    (
        "prices",
        "Deflator.from_table",
        "InvalidOperation",
        "",
    ): "a deflator year or index that cannot be read",
    ("prices", "Deflator.from_table", "InputError", "problems"): "a plugin's deflator in bad shape",
    (
        "prices",
        "Deflator.first_year",
        "TotalPlaceError",
        "",
    ): "a deflator covering no financial year",
    (
        "prices",
        "Deflator.index",
        "DeflatorRangeError",
        "inside the years",
    ): "a gap inside a deflator built in Python",
    (
        "prices",
        "Deflator.index",
        "DeflatorRangeError",
        "is {side} that",
    ): "a price base outside the deflator",
    ("count", "Count.total_by", "ValueError", ""): "a count dimension that does not exist",
    ("realisation", "parse_period", "PeriodError", ""): "a register period written wrongly",
    ("results", "YearValues.__getitem__", "KeyError", ""): "a year a line's values do not have",
    ("results", "Appraisal.case", "KeyError", ""): "a case the appraisal does not have",
    ("robustness", "Sensitivity.case", "KeyError", ""): "a case a sensitivity run does not have",
    ("robustness", "SimulationResult.case", "KeyError", ""): "a case a simulation does not have",
    ("sensitivity", "sensitivity_of", "ValueError", ""): "a swing outside (0, 1]",
    (
        "sensitivity",
        "Evaluator.factors",
        "TotalPlaceError",
        "",
    ): "discount rates changed past -100%",
    ("simulation", "check_run", "ValueError", "draws must"): "draws fewer than one",
    ("simulation", "check_run", "ValueError", "seed must"): "a negative seed",
    (
        "simulation",
        "_numpy_modules",
        "TotalPlaceError",
        "",
    ): "Monte Carlo without numpy installed",
    ("valuation", "unit_cost_value", "TotalPlaceError", ""): "a unit cost series without a year",
    (
        "valuation",
        "unit_cost_at_price_base",
        "TotalPlaceError",
        "",
    ): "a calendar price year the deflator lacks",
    ("cuts", "apportion", "ValueError", "0 or more"): "a negative weight for sharing a cut",
    (
        "cuts",
        "apportion",
        "ValueError",
        "add up to nothing",
    ): "weights for sharing a cut that add up to nothing",
    ("cuts", "baseline_year", "ScenarioError", "holds no spend"): "a count with no spend to cut",
    (
        "cuts",
        "baseline_year",
        "ScenarioError",
        "the count has no",
    ): "a scenario year the count lacks",
    (
        "cuts",
        "run_scenario",
        "ScenarioError",
        "matches no spend",
    ): "a protection that matches no spend",
    ("cuts", "run_scenario", "ScenarioError", "no unprotected spend"): "every line protected",
    (
        "cuts",
        "run_scenario",
        "ScenarioError",
        "more than the unprotected spend",
    ): "a cut deeper than the unprotected spend",
    ("rollup", "rollup", "InputError", "no returns to roll up"): "no returns to roll up",
    ("rollup", "rollup", "InputError", "InputError(problems)"): "returns that cannot be added",
    ("rollup", "rollup", "InputError", "needs a GDP deflator"): "rebasing without a deflator",
}


class _Raises(ast.NodeVisitor):
    """The raise statements of one module, each with the function (or method) it is in."""

    def __init__(self, module: str, source: str):
        self.module, self.source = module, source
        self.scope: list[str] = []
        self.sites: list[tuple[str, str, str, str]] = []

    def visit_FunctionDef(self, node: ast.AST) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc
        func = exc.func if isinstance(exc, ast.Call) else exc
        name = "" if func is None else ast.unparse(func).rsplit(".", 1)[-1]
        text = ast.get_source_segment(self.source, node) + "\n"
        self.sites.append((self.module, ".".join(self.scope), name, text))


def raise_sites() -> list[tuple[str, str, str, str]]:
    """Every raise statement in method/: (module, qualified function, exception, its source)."""
    sites = []
    for path in sorted(METHOD.glob("*.py")):
        visitor = _Raises(path.stem, path.read_text(encoding="utf-8"))
        visitor.visit(ast.parse(visitor.source))
        sites += visitor.sites
    return sites


def covering(site: tuple[str, str, str, str]) -> list[str]:
    module, function, name, text = site
    return [
        what
        for (m, f, n, fragment), what in CATALOGUE.items()
        if (m, f, n) == (module, function, name) and fragment in text
    ]


def test_every_raise_in_the_method_is_in_the_catalogue():
    sites = raise_sites()
    assert len(sites) >= 50
    unexplained = [site[:3] for site in sites if len(covering(site)) != 1]
    assert not unexplained, f"raises with no (or more than one) catalogue entry: {unexplained}"
    used = {what for site in sites for what in covering(site)}
    known = set(SCENARIOS) | set(GUARDS) | set(RELAYS) | set(OTHER_COMMANDS)
    known.add("unknown status (option)")
    assert used <= known, used - known
    # Options reach the same raises as the files do, through other fields.
    options = {name for name, scenario in SCENARIOS.items() if scenario.field.startswith("--")}
    assert set(SCENARIOS) | set(GUARDS) | set(OTHER_COMMANDS) <= used | options


def _write(folder: Path, scenario: Scenario) -> Path:
    folder.mkdir()
    plugins = 'plugins = ["walk_plugin.py"]' if scenario.plugin else ""
    settings = f"[settings]\n{scenario.settings}\n" if scenario.settings else ""
    (folder / "programme.toml").write_text(
        PROGRAMME.format(plugins=plugins, settings=settings), encoding="utf-8"
    )
    if scenario.plugin:
        (folder / "walk_plugin.py").write_text(scenario.plugin, encoding="utf-8")
    (folder / "c.toml").write_text(scenario.case, encoding="utf-8")
    return folder


def _rules(folder: Path, scenario: Scenario):
    local = [str(folder / "walk_plugin.py")] if scenario.plugin else []
    return load_rules(local, entry_points=False, strict=True, blocked=scenario.blocked)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_validate_reports_first_what_the_appraisal_would_stop_on(tmp_path, name):
    scenario = SCENARIOS[name]
    folder = _write(tmp_path / "walk", scenario)
    rules = _rules(folder, scenario)

    def read(path: Path) -> tp.Programme:  # the reader alone: no validation
        registry = rules.registry
        return load_path(
            path,
            categories=frozenset(registry.categories()),
            registered_agencies=dict(registry.agencies()),
        )

    # Without validation, the appraisal stops on it. (What the reader refuses, or an option,
    # is given to the appraisal through the Python API, on the scenario's otherwise valid case.)
    with pytest.raises(TotalPlaceError) as stopped:
        if scenario.appraise is None:
            appraise_programme(read(folder), rules)
        else:
            plain = attrs.evolve(scenario, case=case_text())
            scenario.appraise(read(_write(tmp_path / "plain", plain)), rules)
    assert scenario.message in str(stopped.value)

    # validate finds it first, with the file, the line and the field.
    with pytest.raises(InputError) as caught:
        pipeline.load_programme(folder, rules=rules, options=scenario.options)
    found = [p for p in caught.value.problems if scenario.message in p.message]
    assert found, "\n".join(map(str, caught.value.problems))
    problem = found[0]
    assert problem.field == scenario.field
    if scenario.file:
        assert Path(problem.file).name == scenario.file
        assert isinstance(problem.line, int) and problem.line >= 1
    else:
        assert problem.file is None and problem.field.startswith("--")  # an option is in no file


def test_an_unknown_status_is_refused_before_anything_is_read(invoke, tmp_path):
    # --status is checked as the command line is read; appraise(statuses=...) refuses it too.
    folder = _write(tmp_path / "walk", Scenario())
    for command in ("validate", "appraise"):
        result = invoke(command, folder, "--status", "approved,done")
        assert result.exit_code == 2
        assert "--status" in result.stderr and "unknown status 'done'" in result.stderr
    with pytest.raises(TotalPlaceError, match="unknown status 'done'"):
        tp.appraise(tp.load(folder), statuses=["done"])


@pytest.mark.parametrize("name", sorted(GUARDS))
def test_a_guard_is_an_argument_check_no_case_file_reaches(name):
    GUARDS[name]()


@pytest.mark.parametrize("name", sorted(OTHER_COMMANDS))
def test_another_commands_raise_is_shown_raising(name):
    OTHER_COMMANDS[name]()
