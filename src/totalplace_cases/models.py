"""The things a Total Place programme is made of, as frozen attrs values.

A :class:`Programme` is a place, the public bodies that spend in it (:class:`Agency`) and the
business cases (:class:`BusinessCase`) proposed to spend better. A case has cost lines (who pays,
when), benefit lines (who gains, when, of what kind) and realignments (budget moved between
bodies). Amounts are exact :class:`~decimal.Decimal` values keyed by :class:`FinancialYear`.

These classes hold data only; the arithmetic lives in :mod:`totalplace_cases.method` and file
reading in :mod:`totalplace_cases.io`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import attrs
from attrs import validators as v

from .errors import Problem
from .money import MoneyError, parse_fraction, parse_money, parse_number, parse_uplift
from .periods import FinancialYear, parse_year
from .uncertainty import Range, Scenario, line_range_problems, uncertainty_of

#: The cashable shares of a line that is, or is not, cashable (Decimals are immutable).
_WHOLE = Decimal(1)
_NONE = Decimal(0)

__all__ = [
    "AGENCY_KINDS",
    "AIMS",
    "COST_KINDS",
    "COUNTED_STATUSES",
    "CUT_DIMENSIONS",
    "FREQUENCIES",
    "IMPACT_DIRECTIONS",
    "MAX_YEARS",
    "READINESS_DIMENSIONS",
    "RISK_IMPACTS",
    "RISK_LEVELS",
    "RISK_LIKELIHOODS",
    "SIGNIFICANCES",
    "STATUSES",
    "VALUE_TYPES",
    "Agency",
    "BenefitLine",
    "BusinessCase",
    "CaseOption",
    "Category",
    "Cohort",
    "CostLine",
    "CutScenario",
    "Impact",
    "Programme",
    "Protect",
    "Readiness",
    "ReadinessScore",
    "Realignment",
    "Reduces",
    "Risk",
    "Settings",
    "SpendLine",
    "StrategicCase",
    "Theme",
    "Tolerances",
]

AgencyKind = Literal["local", "health", "police", "fire", "central", "other"]
AGENCY_KINDS: tuple[str, ...] = ("local", "health", "police", "fire", "central", "other")
Status = Literal["draft", "proposed", "approved", "in-delivery", "closed", "rejected", "withdrawn"]
#: Where a case stands: ``draft`` (being written, not yet put forward), ``proposed`` (put to the
#: programme board), ``approved``, ``in-delivery``, ``closed`` (delivered, or stopped after
#: delivery began), ``rejected`` (turned down by the board) and ``withdrawn`` (taken back by its
#: sponsor before a decision).
STATUSES: tuple[str, ...] = (
    "draft",
    "proposed",
    "approved",
    "in-delivery",
    "closed",
    "rejected",
    "withdrawn",
)
#: The statuses whose cases count in programme totals and tables unless the caller chooses
#: others: every one but ``rejected`` and ``withdrawn`` (which are still appraised and listed).
COUNTED_STATUSES: tuple[str, ...] = tuple(s for s in STATUSES if s not in ("rejected", "withdrawn"))
CostKind = Literal["revenue", "capital"]
COST_KINDS: tuple[str, ...] = ("revenue", "capital")
ValueType = Literal["fiscal", "economic", "social"]
VALUE_TYPES: tuple[str, ...] = ("fiscal", "economic", "social")
PRICES: tuple[str, ...] = ("real", "nominal")
TIMINGS: tuple[str, ...] = ("start", "mid")
#: How often a benefit's actuals are measured and recorded in the register.
FREQUENCIES: tuple[str, ...] = ("annual", "quarterly")

YearAmounts = Mapping[FinancialYear, Decimal]

#: The longest appraisal period, in years.
MAX_YEARS = 1000


def _frozen_mapping(value: Mapping | None) -> Mapping:
    """Store mappings read-only, so a frozen model cannot be changed through its dicts."""
    return MappingProxyType(dict(sorted((value or {}).items())))


def _names(value: Mapping | None, what: str, field: str) -> Mapping:
    """``value`` (a mapping keyed by names), checked to be keyed by non-empty strings."""
    value = value or {}
    if not isinstance(value, Mapping):
        raise ValueError(f"{field}: expected a table of {what} names, found {value!r}")
    for name in value:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{field}: expected a {what} name, found {name!r}")
    return value


def _project_types(value: Mapping | None) -> Mapping:
    """Green Book project types and their shares, read as a case file's ``project_types`` are:
    each share a fraction (``"0.3"`` becomes ``Decimal("0.3")``), the shares adding up to 1."""
    shares = {
        name: parse_fraction(share)
        for name, share in _names(value, "project type", "project_types").items()
    }
    total = sum(shares.values(), Decimal(0))
    if shares and total != 1:
        raise MoneyError(f"project_types: expected shares adding up to 1, found {total}")
    return _frozen_mapping(shares)


def _agency_map(value: Mapping | None) -> Mapping:
    """Bodies a split unit cost names -> the programme's agency ids, both non-empty strings."""
    mapped = _names(value, "body's", "agency_map")
    for label, agency in mapped.items():
        if not isinstance(agency, str) or not agency.strip():
            raise ValueError(f"agency_map.{label}: expected an agency id, found {agency!r}")
    return _frozen_mapping(mapped)


def _by_year(convert):
    """A converter for amounts keyed by year: ``{"2010-11": "100"}`` is read as a case file is."""

    def by_year(value: Mapping | None) -> Mapping:
        return _frozen_mapping({parse_year(y): convert(v) for y, v in (value or {}).items()})

    return by_year


def _optional(convert):
    return lambda value: None if value is None else convert(value)


def _number(value: object) -> Decimal:
    return parse_number(value)


def _whole_number(minimum: int | None = None, maximum: int | None = None, optional: bool = False):
    """A validator: an int (not a bool, float or NaN) within bounds, else a MoneyError."""

    def check(_instance: object, attribute: attrs.Attribute, value: object) -> None:
        if value is None and optional:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise MoneyError(f"{attribute.name}: expected a whole number, found {value!r}")
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = f"at least {minimum}" if maximum is None else f"{minimum} to {maximum}"
            raise MoneyError(f"{attribute.name}: expected a whole number {bounds}, found {value}")

    return check


def _finite(value: object, name: str) -> None:
    """A check, cheap enough for the count's every line: a finite Decimal (no NaN or infinity)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise MoneyError(f"{name}: expected a finite Decimal, found {value!r}")


def cost_amount(value: object) -> Decimal:
    """A cost line's amount in one year: money, 0 or more (a saving is a benefit)."""
    amount = parse_money(value)
    if amount < 0:
        raise MoneyError(f"expected a cost of 0 or more, found {amount}; a saving is a benefit")
    return amount


def transfer_amount(value: object) -> Decimal:
    """A realignment's amount in one year: money, 0 or more (the ends say which way)."""
    amount = parse_money(value)
    if amount < 0:
        raise MoneyError(
            f"expected an amount of 0 or more, found {amount}; to move budget the other way, "
            'swap "from" and "to"'
        )
    return amount


def volume(value: object) -> Decimal:
    """A benefit line's volume in one year: a number of units, 0 or more."""
    found = parse_number(value, "a volume (a number of units)")
    if found < 0:
        raise MoneyError(f"expected a volume of 0 or more, found {found}")
    return found


#: What a case file, or a line built in Python, cannot say: the reader and the models give the
#: same message (formatted with the names in braces).
OB_ONE_WAY = (
    "give optimism bias one way only: optimism_bias, confidence, or project_type(s) with "
    "mitigation; found {found}"
)
MITIGATION_UNTYPED = "mitigation applies to a Green Book project_type; give project_type too"
CASHABLE_NOT_FISCAL = "only fiscal benefits can be cashable; this line is {value_type}"
TRANSFER_NOT_FISCAL = (
    "a transfer moves money between bodies or people, so it is a fiscal line (it counts in the "
    "fiscal and budget measures, not in NPSV); this line is {value_type}"
)
AMOUNTS_AND_VOLUMES = (
    "give either amounts by year, or volumes (or a cohort) with a unit_value or unit_cost, not both"
)
COHORT_UNVALUED = 'a cohort gives volumes: value them with "unit_value" or "unit_cost"'
UNIT_TWO_WAYS = "give unit_value or unit_cost, not both"
BENEFIT_OB_ONE_WAY = "give benefit optimism bias one way only: optimism_bias or confidence"
AGENCY_MAP_UNUSED = "agency_map applies to a line valued with a unit_cost"
REALIGNMENT_ONE_BODY = (
    'a realignment moves budget between two bodies; found "from" and "to" both "{agency}"'
)
LINE_ID_TWICE = '{kind} id "{id}" is used twice in this {where} (also {kind}s[{first}])'


_money_by_year = _by_year(parse_money)
_numbers_by_year = _by_year(_number)
_year = _optional(parse_year)
_fraction = attrs.field(default=None, converter=_optional(parse_fraction))


def _ranges(kind: str):
    """A validator of a line's ``uncertainty``: each range fits the line and its input."""

    def check(line: CostLine | BenefitLine, _attribute: attrs.Attribute, value: Mapping) -> None:
        problems = line_range_problems(kind, line, value)
        if problems:
            raise ValueError(
                "; ".join(
                    f"uncertainty.{name}{'.' + p if p else ''}: {message}"
                    for name, p, message in problems
                )
            )

    return check


@attrs.frozen
class Agency:
    """A public body that spends, pays or benefits in the place (or funds those that do)."""

    id: str = attrs.field(validator=v.min_len(1))
    name: str = ""
    kind: AgencyKind = attrs.field(default="other", validator=v.in_(AGENCY_KINDS))
    parent: str | None = None


@attrs.frozen
class Category:
    """A counting category: Kent's public realm, community and individual spend, or a plugin's."""

    id: str = attrs.field(validator=v.min_len(1))
    name: str = ""
    description: str = ""


@attrs.frozen
class Theme:
    """A theme of work within a category (asset rationalisation, high-cost cases...)."""

    id: str = attrs.field(validator=v.min_len(1))
    name: str = ""
    category: str | None = None


@attrs.frozen
class CostLine:
    """What one agency pays, year by year, with the optimism bias to apply to it.

    Optimism bias comes from exactly one of: an explicit ``optimism_bias`` uplift (0 or more:
    ``2.0`` triples the cost), a data
    ``confidence`` grade (1-6), or Green Book ``project_types`` (type -> share) with a
    ``mitigation`` fraction. None of them means no uplift unless a rule supplies a default.
    """

    agency: str
    kind: CostKind = attrs.field(validator=v.in_(COST_KINDS))
    amounts: YearAmounts = attrs.field(converter=_by_year(cost_amount))
    id: str | None = None
    description: str = ""
    optimism_bias: Decimal | None = attrs.field(default=None, converter=_optional(parse_uplift))
    confidence: int | None = attrs.field(default=None, validator=_whole_number(1, optional=True))
    project_types: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_project_types)
    mitigation: Decimal | None = _fraction
    prices: str = attrs.field(default="real", validator=v.in_(PRICES))
    price_base: FinancialYear | None = attrs.field(default=None, converter=_year)
    #: Ranges on the line's inputs for Monte Carlo (``amounts``, ``optimism_bias``): see
    #: :mod:`totalplace_cases.uncertainty`.
    uncertainty: Mapping[str, Range] = attrs.field(
        factory=dict, converter=uncertainty_of, validator=_ranges("cost")
    )

    def __attrs_post_init__(self) -> None:
        # The case-file reader's checks, in its words: a line built in Python cannot reach the
        # appraisal with what a case file could not say.
        given = [
            name
            for name in ("optimism_bias", "confidence", "project_types")
            if getattr(self, name) is not None and getattr(self, name) != {}
        ]
        if len(given) > 1:
            raise ValueError(f"{given[1]}: " + OB_ONE_WAY.format(found=" and ".join(given)))
        if self.mitigation is not None and not self.project_types:
            raise ValueError(f"mitigation: {MITIGATION_UNTYPED}")


@attrs.frozen
class Reduces:
    """The baseline spend a cashable benefit line reduces: any of agency, category and theme.

    A key left out matches any value: ``Reduces(agency="kcc", category="individual")`` is all of
    KCC's individual spend, whatever its theme.
    """

    agency: str | None = None
    category: str | None = None
    theme: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.agency is None and self.category is None and self.theme is None:
            raise ValueError("reduces: give at least one of agency, category, theme")


def _reduces(value: Reduces | Mapping | None) -> Reduces | None:
    if value is None or isinstance(value, Reduces):
        return value
    return Reduces(**value)


def _only_cashable(line: BenefitLine, _attribute: attrs.Attribute, value: Reduces | None) -> None:
    if value is not None and not line.cashable:
        raise ValueError(
            f"benefit '{line.id}': reduces applies to cashable lines only (cashable = true)"
        )


def _cashable(value: object) -> bool | Decimal:
    """``true``/``false``, or the cashable share of the line's value, a fraction in [0, 1]."""
    if isinstance(value, bool):
        return value
    return parse_fraction(value)


def _whole(minimum: int, maximum: int):
    """A validator: a whole number (not a bool) from ``minimum`` to ``maximum``."""

    def check(_instance: object, attribute: attrs.Attribute, value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{attribute.name}: expected a whole number, found {value!r}")
        if not minimum <= value <= maximum:
            raise ValueError(
                f"{attribute.name}: expected a whole number from {minimum} to {maximum}, "
                f"found {value}"
            )

    return check


def _participants(value: Mapping | None) -> Mapping:
    counts = _numbers_by_year(value)
    negative = [str(year) for year, n in counts.items() if n < 0]
    if negative:
        raise ValueError(f"participants: expected 0 or more in every year, not in {negative[0]}")
    return counts


#: The longest lag or persistence of a cohort, in years (the longest appraisal period).
MAX_COHORT_YEARS = 1000


@attrs.frozen
class Cohort:
    """A benefit line's volumes built from cohorts of participants, as programme offices model
    them (the Greater Manchester CBA model behind HM Treasury's cost benefit analysis guidance
    for local partnerships, 2014).

    Each year's ``participants``, times the share who ``engagement`` (engage) and the share of
    those who ``success`` (succeed), are that year's successes; they count as the line's volume
    from ``lag`` years later, for ``persistence`` years, the line's ``drop_off`` applied over
    those years (method §19).
    """

    participants: YearAmounts = attrs.field(converter=_participants)
    engagement: Decimal = attrs.field(default=Decimal(1), converter=parse_fraction)
    success: Decimal = attrs.field(default=Decimal(1), converter=parse_fraction)
    lag: int = attrs.field(default=0, validator=_whole(0, MAX_COHORT_YEARS))
    persistence: int = attrs.field(default=1, validator=_whole(1, MAX_COHORT_YEARS))


def _cohort(value: Cohort | Mapping | None) -> Cohort | None:
    if value is None or isinstance(value, Cohort):
        return value
    return Cohort(**value)


def _volumes_or_cohort(line: BenefitLine, _attribute: attrs.Attribute, value: object) -> None:
    if value is not None and line.volumes:
        raise ValueError(
            f"benefit '{line.id}': give volumes or a cohort, not both (a cohort makes the volumes)"
        )


@attrs.frozen
class BenefitLine:
    """What one agency (or society) gains, year by year, before and after adjustments.

    A ``transfer`` line (fiscal only) moves money rather than creating value: it counts in the
    fiscal and budget measures but not in PV benefits, NPSV or the BCR.

    The gross value is either ``amounts`` by year, or ``volumes`` by year times a unit value
    (``unit_value`` given, or ``unit_cost`` looked up in a unit-cost table such as the UCD).
    ``agency_map`` says which programme agency stands for each body a split unit cost names
    (``{"Police" = "kent-police"}``). A cashable line may say which baseline spend it
    ``reduces`` (see :class:`Reduces`).
    """

    id: str
    agency: str
    value_type: ValueType = attrs.field(validator=v.in_(VALUE_TYPES))
    #: ``True`` (budgets can be released), ``False`` (capacity freed up), or the cashable share
    #: of the line's value, a fraction: ``Decimal("0.6")`` is 60% cashable, 40% not.
    cashable: bool | Decimal = attrs.field(default=False, converter=_cashable)
    description: str = ""
    #: A transfer between bodies or people (a benefit payment saved, a public asset's sale
    #: price): it counts for the agency that gains it in the fiscal and budget measures, but is
    #: no social value, so it is left out of PV benefits, NPSV and the BCR (Green Book 6.7).
    transfer: bool = False
    amounts: YearAmounts = attrs.field(factory=dict, converter=_money_by_year)
    volumes: YearAmounts = attrs.field(factory=dict, converter=_by_year(volume))
    unit_value: Decimal | None = attrs.field(default=None, converter=_optional(parse_money))
    unit_cost: str | None = None
    deadweight: Decimal | None = _fraction
    displacement: Decimal | None = _fraction
    attribution: Decimal | None = _fraction
    drop_off: Decimal | None = _fraction
    optimism_bias: Decimal | None = _fraction
    confidence: int | None = attrs.field(default=None, validator=_whole_number(1, optional=True))
    prices: str = attrs.field(default="real", validator=v.in_(PRICES))
    price_base: FinancialYear | None = attrs.field(default=None, converter=_year)
    agency_map: Mapping[str, str] = attrs.field(factory=dict, converter=_agency_map)
    # Benefits management (the register): who answers for the benefit, how it is measured,
    # where it stood before the case, and how often actuals are recorded.
    owner: str | None = None
    measure: str | None = None
    baseline_value: str | None = None
    baseline_date: _dt.date | None = None
    baseline_source: str | None = None
    frequency: str = attrs.field(default="annual", validator=v.in_(FREQUENCIES))
    reduces: Reduces | None = attrs.field(
        default=None, converter=_reduces, validator=_only_cashable
    )
    #: The line's own discount schedule, beating the case's: the Green Book's health rate
    #: (``green-book-health``) for benefits valued in health or lives (method §3).
    discount_schedule: str | None = None
    #: Volumes built from cohorts of participants instead of given by year (:class:`Cohort`).
    cohort: Cohort | None = attrs.field(
        default=None, converter=_cohort, validator=_volumes_or_cohort
    )
    #: Ranges on the line's inputs for Monte Carlo (``volumes``, ``deadweight`` ...): see
    #: :mod:`totalplace_cases.uncertainty`.
    uncertainty: Mapping[str, Range] = attrs.field(
        factory=dict, converter=uncertainty_of, validator=_ranges("benefit")
    )

    def __attrs_post_init__(self) -> None:
        # The case-file reader's checks across fields, in its words (the others are the
        # validators of ``reduces`` and ``cohort``).
        line = f"benefit '{self.id}'"
        if self.cashable and self.value_type in ("economic", "social"):
            raise ValueError(f"{line}: " + CASHABLE_NOT_FISCAL.format(value_type=self.value_type))
        if self.transfer and self.value_type in ("economic", "social"):
            raise ValueError(f"{line}: " + TRANSFER_NOT_FISCAL.format(value_type=self.value_type))
        has_unit = self.unit_value is not None or self.unit_cost is not None
        if self.amounts and (self.volumes or has_unit or self.cohort is not None):
            raise ValueError(f"{line}: {AMOUNTS_AND_VOLUMES}")
        if self.cohort is not None and not has_unit:
            raise ValueError(f"{line}: {COHORT_UNVALUED}")
        if self.unit_value is not None and self.unit_cost is not None:
            raise ValueError(f"{line}: {UNIT_TWO_WAYS}")
        if self.optimism_bias is not None and self.confidence is not None:
            raise ValueError(f"{line}: {BENEFIT_OB_ONE_WAY}")
        if self.agency_map and self.unit_cost is None:
            raise ValueError(f"{line}: {AGENCY_MAP_UNUSED}")

    @property
    def years(self) -> list[FinancialYear]:
        participants = self.cohort.participants if self.cohort is not None else ()
        return sorted(set(self.amounts) | set(self.volumes) | set(participants))

    @property
    def cashable_share(self) -> Decimal:
        """The share of the line's value that is cashable: 1 for ``True``, 0 for ``False``."""
        if isinstance(self.cashable, bool):
            return _WHOLE if self.cashable else _NONE  # shared: every appraised line keeps one
        return self.cashable


@attrs.frozen
class Realignment:
    """Budget moved from one body to another, by year: revenue or capital."""

    from_agency: str
    to_agency: str
    kind: CostKind = attrs.field(validator=v.in_(COST_KINDS))
    amounts: YearAmounts = attrs.field(converter=_by_year(transfer_amount))
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if self.from_agency == self.to_agency:
            raise ValueError(REALIGNMENT_ONE_BODY.format(agency=self.to_agency))


# -- the rest of the five-case model: strategic case, impacts, risks, readiness -------------

#: Kent's three aims for Total Place: "simpler for the customer, better for the user and
#: cheaper for the taxpayer". A strategic case says which of them it serves.
AIMS: tuple[str, ...] = (
    "simpler-for-the-customer",
    "better-for-the-user",
    "cheaper-for-the-taxpayer",
)
#: Which way a non-monetised impact goes.
IMPACT_DIRECTIONS: tuple[str, ...] = ("positive", "negative")
#: How much a non-monetised impact matters.
SIGNIFICANCES: tuple[str, ...] = ("low", "medium", "high")
#: The five-point scale of a risk's likelihood and impact: 1 is very low, 5 very high.
RISK_LEVELS: tuple[str, ...] = ("very-low", "low", "medium", "high", "very-high")
#: The same five points in the words of the five-by-five risk matrix most public bodies use
#: (National Patient Safety Agency, "A risk matrix for risk managers", January 2008): its
#: likelihood scores 1-5 and its consequence (impact) scores 1-5.
RISK_LIKELIHOODS: tuple[str, ...] = ("rare", "unlikely", "possible", "likely", "almost-certain")
RISK_IMPACTS: tuple[str, ...] = ("negligible", "minor", "moderate", "major", "catastrophic")
#: The seed's three tests of whether a place is ready: "Rational, Emotional, Political".
READINESS_DIMENSIONS: tuple[str, ...] = ("rational", "emotional", "political")


def _texts(value: object) -> tuple[str, ...]:
    return tuple(value or ())


@attrs.frozen
class StrategicCase:
    """Why the case should be made: its objectives and which of Kent's aims it serves."""

    objectives: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    aims: tuple[str, ...] = attrs.field(
        default=(), converter=_texts, validator=v.deep_iterable(v.in_(AIMS))
    )
    case_for_change: str = ""


@attrs.frozen
class Impact:
    """An effect of the case that is not valued in money (Green Book: non-monetised)."""

    description: str = attrs.field(validator=v.min_len(1))
    direction: str = attrs.field(validator=v.in_(IMPACT_DIRECTIONS))
    significance: str = attrs.field(validator=v.in_(SIGNIFICANCES))
    affects: str = ""


def risk_level(value: object, words: tuple[str, ...] = ()) -> object:
    """A likelihood or impact: 1-5, or its word on the five-point scale (``"high"`` is 4), or on
    the risk matrix's own scale for it, ``words`` (``"likely"`` is a likelihood of 4); written
    with spaces or hyphens, in any case. Anything else is returned as it is, to be refused."""
    if isinstance(value, str):
        word = "-".join(value.strip().lower().replace("_", " ").replace("-", " ").split())
        for scale in (RISK_LEVELS, words):
            if word in scale:
                return scale.index(word) + 1
    return value


def _likelihood(value: object) -> int:
    return risk_level(value, RISK_LIKELIHOODS)  # type: ignore[return-value]  (validated)


def _impact(value: object) -> int:
    return risk_level(value, RISK_IMPACTS)  # type: ignore[return-value]  (validated)


_one_to_five = [v.instance_of(int), v.ge(1), v.le(5)]


@attrs.frozen
class Risk:
    """A risk to the case's delivery: how likely, how bad, who owns it and what is done.

    ``likelihood`` and ``impact`` are scored 1 (very low) to 5 (very high); ``score`` is their
    product, 1 to 25, as on a five-by-five risk matrix.
    """

    description: str = attrs.field(validator=v.min_len(1))
    likelihood: int = attrs.field(converter=_likelihood, validator=_one_to_five)
    impact: int = attrs.field(converter=_impact, validator=_one_to_five)
    owner: str = ""
    mitigation: str = ""
    id: str | None = None

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


@attrs.frozen
class ReadinessScore:
    """One readiness dimension, scored 1 (not ready) to 5 (ready), with a note saying why."""

    score: int = attrs.field(validator=_one_to_five)
    note: str = ""


def _readiness_score(value: ReadinessScore | Mapping | int) -> ReadinessScore:
    if isinstance(value, ReadinessScore):
        return value
    if isinstance(value, Mapping):
        return ReadinessScore(**value)
    return ReadinessScore(value)


@attrs.frozen
class Readiness:
    """Whether the partners are ready to make the change, on the seed's three dimensions:
    rational (the evidence convinces), emotional (people want it) and political (members and
    boards will back it)."""

    rational: ReadinessScore = attrs.field(converter=_readiness_score)
    emotional: ReadinessScore = attrs.field(converter=_readiness_score)
    political: ReadinessScore = attrs.field(converter=_readiness_score)

    def scores(self) -> list[tuple[str, ReadinessScore]]:
        return [(name, getattr(self, name)) for name in READINESS_DIMENSIONS]


@attrs.frozen
class CaseOption:
    """One option of a business case: its own cost, benefit and realignment lines.

    A case that weighs options names one of them business as usual (which may have lines of its
    own: what carrying on as now costs and gives) and the one it recommends (method §18).
    """

    id: str = attrs.field(validator=v.min_len(1))
    title: str = ""
    description: str = ""
    costs: tuple[CostLine, ...] = attrs.field(default=(), converter=tuple)
    benefits: tuple[BenefitLine, ...] = attrs.field(default=(), converter=tuple)
    realignments: tuple[Realignment, ...] = attrs.field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        _check_line_ids(f"option '{self.id}'", "option", self.costs, self.benefits)


def _check_line_ids(owner: str, where: str, costs: tuple, benefits: tuple) -> None:
    """The ids of the cost (or benefit) lines of one case or option differ, as the reader
    checks (a cost line may give none)."""
    for kind, lines in (("cost", costs), ("benefit", benefits)):
        seen: dict[str, int] = {}
        for index, line in enumerate(lines):
            if line.id is None:
                continue
            first = seen.setdefault(line.id, index)
            if first != index:
                raise ValueError(
                    f"{owner}: "
                    + LINE_ID_TWICE.format(kind=kind, id=line.id, where=where, first=first)
                )


@attrs.frozen
class BusinessCase:
    """A proposal to spend better in the place, appraised over ``years`` from ``start``.

    A case either gives its lines itself (``costs``, ``benefits``, ``realignments``: the one
    option, against an implied counterfactual) or weighs ``options``, one of them
    ``business_as_usual`` and one ``preferred``; its figures are then the preferred option's,
    incremental to business as usual.
    """

    id: str = attrs.field(validator=v.min_len(1))
    title: str
    category: str
    start: FinancialYear = attrs.field(converter=parse_year)
    years: int = attrs.field(validator=_whole_number(1, MAX_YEARS))
    theme: str = ""
    sponsor: str | None = None
    status: Status = attrs.field(default="proposed", validator=v.in_(STATUSES))
    price_base: FinancialYear | None = attrs.field(default=None, converter=_year)
    discount_base: FinancialYear | None = attrs.field(default=None, converter=_year)
    discount_schedule: str | None = None
    timing: str | None = attrs.field(default=None, validator=v.optional(v.in_(TIMINGS)))
    notes: str = ""
    costs: tuple[CostLine, ...] = attrs.field(default=(), converter=tuple)
    benefits: tuple[BenefitLine, ...] = attrs.field(default=(), converter=tuple)
    realignments: tuple[Realignment, ...] = attrs.field(default=(), converter=tuple)
    source: Path | None = attrs.field(default=None, eq=False)
    options: tuple[CaseOption, ...] = attrs.field(default=(), converter=tuple)
    #: The id of the option that is business as usual (with ``options`` only).
    business_as_usual: str | None = None
    #: The id of the option the case recommends (with ``options`` only).
    preferred: str | None = None
    #: Why the preferred option is recommended when another has a higher NPSV.
    preferred_reason: str | None = None

    # The rest of the five-case model, all optional: not money, so not appraised; shown in
    # the evidence pack.
    strategic_case: StrategicCase | None = None
    non_monetised_impacts: tuple[Impact, ...] = attrs.field(default=(), converter=tuple)
    risks: tuple[Risk, ...] = attrs.field(default=(), converter=tuple)
    readiness: Readiness | None = None

    def __attrs_post_init__(self) -> None:
        _check_line_ids(f"case '{self.id}'", "case", self.costs, self.benefits)
        if not self.options:
            given = [k for k in ("business_as_usual", "preferred", "preferred_reason")
                     if getattr(self, k) is not None]  # fmt: skip
            if given:
                raise ValueError(f"case '{self.id}': {given[0]} applies to a case with options")
            return
        if self.costs or self.benefits or self.realignments:
            raise ValueError(
                f"case '{self.id}': a case with options gives its lines in each option"
            )
        ids = [option.id for option in self.options]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"case '{self.id}': option id '{twice[0]}' is used twice")
        for key in ("business_as_usual", "preferred"):
            if getattr(self, key) not in ids:
                raise ValueError(
                    f"case '{self.id}': {key} must name one of its options ({', '.join(ids)}), "
                    f"found {getattr(self, key)!r}"
                )

    @property
    def as_options(self) -> tuple[CaseOption, ...]:
        """The options appraised: the case's own, or (without them) one implied option that
        holds the case's lines, with the case's id and title."""
        if self.options:
            return self.options
        return (
            CaseOption(
                id=self.id,
                title=self.title,
                costs=self.costs,
                benefits=self.benefits,
                realignments=self.realignments,
            ),
        )

    @property
    def preferred_option(self) -> CaseOption:
        """The option the case recommends (the implied one for a case without options)."""
        return next(o for o in self.as_options if not self.options or o.id == self.preferred)

    @property
    def business_as_usual_option(self) -> CaseOption | None:
        """The business-as-usual option; None for a case without options."""
        return next((o for o in self.options if o.id == self.business_as_usual), None)

    def with_lines_of(self, option: CaseOption) -> BusinessCase:
        """This case with ``option``'s lines as its own, as that option is appraised."""
        if not self.options:
            return self
        return attrs.evolve(
            self,
            costs=option.costs,
            benefits=option.benefits,
            realignments=option.realignments,
            options=(),
            business_as_usual=None,
            preferred=None,
            preferred_reason=None,
        )

    @property
    def end(self) -> FinancialYear:
        """The last financial year of the appraisal period."""
        return self.start + (self.years - 1)

    @property
    def period(self) -> list[FinancialYear]:
        return [self.start + i for i in range(self.years)]


@attrs.frozen
class Settings:
    """Programme-wide choices where the method leaves one open; each has the method's default."""

    schedule: str = "green-book"
    timing: str = attrs.field(default="start", validator=v.in_(TIMINGS))
    confidence_table: str = "cba-local-2014"
    optimism_bias_table: str = "green-book-optimism-bias"
    vfm_table: str = "dft-vfm-categories"
    deflator: str = "hmt-gdp-deflator"
    deflator_projection: Decimal | None = attrs.field(
        default=None, converter=_optional(lambda value: parse_number(value, "a projection rate"))
    )


def _tolerance(value: object) -> Decimal:
    return parse_fraction(value)


@attrs.frozen
class Tolerances:
    """The RAG thresholds of benefits realisation, as fractions of plan achieved.

    Green at ``green`` or more of plan, amber from ``amber`` up to ``green``, red below ``amber``.
    """

    green: Decimal = attrs.field(default=Decimal("0.95"), converter=_tolerance)
    amber: Decimal = attrs.field(default=Decimal("0.80"), converter=_tolerance)

    @amber.validator
    def _amber_below_green(self, _attribute: attrs.Attribute, value: Decimal) -> None:
        if value > self.green:
            raise ValueError(f"the amber threshold {value} is above the green one, {self.green}")


@attrs.frozen
class SpendLine:
    """One line of the count: public spend in the place, read and checked from a spend file.

    ``agency`` spends ``amount`` (exact, in pounds; negative for income) in ``year``, of
    ``kind`` revenue or capital, in a counting ``category`` and ``theme`` (empty where the file
    gave none and no rule classified it); ``funded_by`` is the body that pays for it (the
    spending agency itself when the file names no funder). ``service``, ``description``,
    ``source`` and ``fields`` (the file's other columns by header name) are the agency's own
    words; ``file`` and ``line`` say where it was read.
    """

    year: FinancialYear
    agency: str
    category: str
    theme: str
    kind: str
    amount: Decimal = attrs.field(validator=lambda _i, _a, value: _finite(value, "amount"))
    funded_by: str
    service: str = ""
    description: str = ""
    source: str = ""
    fields: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping)
    file: str = ""
    line: int = 0


# -- cuts scenarios on the count ---------------------------------------------------------------

#: What a scenario may protect from its cut: spend of a category, of an agency, or of a theme.
CUT_DIMENSIONS: tuple[str, ...] = ("category", "agency", "theme")
_SCALES = {"k": Decimal(1000), "m": Decimal(1_000_000), "bn": Decimal(1_000_000_000)}
_SCALED = re.compile(r"^(£?)([0-9][0-9,]*(?:\.[0-9]+)?)\s*(k|m|bn)$", re.IGNORECASE)
_RATE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*%$")


@attrs.frozen
class Protect:
    """Spend a cuts scenario leaves untouched: every line of the count whose ``dimension``
    (``category``, ``agency`` or ``theme``) is ``value``. Written ``"theme=health"``."""

    dimension: str = attrs.field(validator=v.in_(CUT_DIMENSIONS))
    value: str = attrs.field(validator=v.min_len(1))
    #: Which entry of a file's ``protect`` array it was written in (several ids may share one).
    entry: int | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    @classmethod
    def parse(cls, text: object) -> Protect:
        """``"agency=dwp"`` -> ``Protect("agency", "dwp")``; ValueError saying what is wrong."""
        if not isinstance(text, str):
            raise ValueError(
                f'expected text like "theme=health", found {type(text).__name__} {text!r}'
            )
        dimension, equals, value = text.partition("=")
        dimension, value = dimension.strip(), value.strip()
        if not equals or dimension not in CUT_DIMENSIONS or not value:
            raise ValueError(
                f'expected {" or ".join(d + "=ID" for d in CUT_DIMENSIONS)} (e.g. "theme=health"), '
                f'found "{text}"'
            )
        return cls(dimension, value)

    @classmethod
    def parse_all(cls, text: object, entry: int | None = None) -> list[Protect]:
        """``"theme=health,welfare-benefits"`` -> a protection for each id after the ``=``,
        each remembering the ``entry`` of the array it was written in."""
        first = cls.parse(text)
        ids = [part.strip() for part in first.value.split(",")]
        if not all(ids):
            raise ValueError(f'expected ids separated by commas after the "=", found "{text}"')
        return [cls(first.dimension, value, entry=entry) for value in ids]

    def field(self, where: str, index: int) -> str:
        """The field path of this protection in a scenario written at ``where``."""
        return f"{where}.protect[{self.entry if self.entry is not None else index}]"

    def matches(self, line: object) -> bool:
        """Whether a line of the count (anything with the dimension as attribute) is protected."""
        return getattr(line, self.dimension) == self.value

    def __str__(self) -> str:
        return f"{self.dimension}={self.value}"


def parse_cut(value: object) -> tuple[Decimal | None, Decimal | None]:
    """A scenario's cut: ``(amount, None)`` for money a year (``"£700m"``, ``"1.2bn"``,
    ``"250k"``, ``"700,000,000"``, an integer), or ``(None, rate)`` for a share of the baseline
    (``"8.5%"`` is 0.085). ValueError saying what was expected."""
    expected = 'expected an amount a year ("£700m", "700000000") or a percentage ("8.5%")'
    if isinstance(value, str):
        text = value.strip()
        rate = _RATE.match(text)
        if rate:
            fraction = Decimal(rate.group(1)) / 100
            if not 0 < fraction <= 1:
                raise ValueError(f"expected a percentage above 0% and at most 100%, found {text}")
            return None, fraction
        scaled = _SCALED.match(text)
        if scaled:
            number = parse_money(scaled.group(2))
            amount = number * _SCALES[scaled.group(3).lower()]
        else:
            try:
                amount = parse_money(text)
            except ValueError:
                raise ValueError(f'{expected}, found "{value}"') from None
    elif isinstance(value, int | Decimal) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, float):
        raise ValueError(f'{expected}, found the float {value!r}: quote it ("{value!r}")')
    else:
        raise ValueError(f"{expected}, found {type(value).__name__} {value!r}")
    if amount <= 0:
        raise ValueError(f"expected a cut of more than £0, found {value}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"expected a cut in whole pence, found {value}")
    return amount, None


def _protects(value: object) -> tuple[Protect, ...]:
    found: list[Protect] = []
    for item in value or ():
        found += [item] if isinstance(item, Protect) else Protect.parse_all(item)
    return tuple(found)


def _positive_money(value: object) -> Decimal | None:
    if value is None:
        return None
    amount = parse_money(value)
    if amount <= 0:
        raise ValueError(f"expected an amount of more than £0, found {amount}")
    return amount


@attrs.frozen
class CutScenario:
    """A cut in public spending, shared across the unprotected spend of the count.

    The cut is ``cut`` pounds a year, or ``cut_rate`` (a fraction) of the baseline year's whole
    count, reached over ``over`` years from ``start`` (default: the year after the baseline).
    Spend that any ``protect`` matches is untouched, so the rest bears more. With ``jobs_cost``
    (the cost of one job), the cut is also shown as a number of jobs.
    """

    name: str = attrs.field(validator=v.min_len(1))
    cut: Decimal | None = attrs.field(default=None, converter=_optional(parse_money))
    cut_rate: Decimal | None = attrs.field(default=None, converter=_optional(parse_fraction))
    over: int = attrs.field(default=1, validator=[v.instance_of(int), v.ge(1), v.le(50)])
    protect: tuple[Protect, ...] = attrs.field(default=(), converter=_protects)
    jobs_cost: Decimal | None = attrs.field(default=None, converter=_positive_money)
    start: FinancialYear | None = attrs.field(default=None, converter=_year)
    description: str = ""
    #: The count's year to cut (default: the count's last).
    year: FinancialYear | None = attrs.field(default=None, converter=_year)

    def __attrs_post_init__(self) -> None:
        if (self.cut is None) == (self.cut_rate is None):
            raise ValueError(f"scenario '{self.name}': give the cut as an amount or as a rate")
        if self.cut is not None and self.cut <= 0:
            raise ValueError(f"scenario '{self.name}': expected a cut of more than £0")
        if self.cut_rate is not None and self.cut_rate <= 0:
            raise ValueError(f"scenario '{self.name}': expected a cut rate above 0")

    @classmethod
    def of(cls, name: str, cut: object, **fields: object) -> CutScenario:
        """A scenario with its cut written as text (see :func:`parse_cut`)."""
        amount, rate = parse_cut(cut)
        return cls(name, cut=amount, cut_rate=rate, **fields)


@attrs.frozen
class Programme:
    """A place's programme: its agencies, its business cases and its settings.

    ``baseline`` lists the spend files of the count (see :mod:`totalplace_cases.io.spend`).
    """

    id: str = attrs.field(validator=v.min_len(1))
    name: str = ""
    place: str = ""
    price_base: FinancialYear | None = attrs.field(default=None, converter=_year)
    population: int | None = attrs.field(default=None, validator=_whole_number(0, optional=True))
    baseline: tuple[Path, ...] = attrs.field(default=(), converter=lambda v: tuple(map(Path, v)))
    discount_base: FinancialYear | None = attrs.field(default=None, converter=_year)
    description: str = ""
    agencies: tuple[Agency, ...] = attrs.field(default=(), converter=tuple)
    cases: tuple[BusinessCase, ...] = attrs.field(default=(), converter=tuple)
    settings: Settings = attrs.field(factory=Settings)
    plugins: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    #: A folder of HTML templates for the evidence pack, found before the built-in ones.
    evidence_templates: Path | None = None
    source: Path | None = attrs.field(default=None, eq=False)
    #: Where the benefits register is: a path relative to ``programme.toml``, or a database URL.
    register: str | None = None
    tolerances: Tolerances = attrs.field(factory=Tolerances)
    #: What validation found worth a look that does not stop the appraisal.
    warnings: tuple[Problem, ...] = attrs.field(default=(), converter=tuple, eq=False)
    #: Cuts scenarios on the count (``[[scenarios]]``), shown side by side.
    scenarios: tuple[CutScenario, ...] = attrs.field(default=(), converter=tuple)
    #: Named sensitivity scenarios (``[[sensitivities]]``), run beside the standard tests.
    sensitivities: tuple[Scenario, ...] = attrs.field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        # As the reader refuses them: an agency defined twice, a case id used twice.
        for kind, ids, words in (
            ("agency", [a.id for a in self.agencies], "is defined twice"),
            ("case id", [c.id for c in self.cases], "is used twice in this programme"),
        ):
            seen: set[str] = set()
            for found in ids:
                if found in seen:
                    raise ValueError(f'{kind} "{found}" {words}')
                seen.add(found)

    def agency(self, agency_id: str) -> Agency | None:
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        return None

    def case(self, case_id: str) -> BusinessCase:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)
