"""The national roll-up: evidence returns from several places added up into one table.

Each place's return (``totalplace evidence --format json``) says what its figures rest on: the
price base and discount base its present values are in, the discount schedules and the
parameter tables (with their vintages) behind them, the case statuses its totals count. Figures
resting on different conventions cannot be added honestly, so :func:`rollup` refuses returns
that differ, naming each return and its value (method §22), with one exception it can undo:
with ``rebase``, present values in different price bases are put into one price base with the
GDP deflator (``figure × index[target] / index[return's price base]``), as the Green Book
rebases real prices. A different discount base, timing, discount schedule or parameter vintage
cannot be undone from a return's totals (it would take each case's flows year by year), so it is
refused even then, with advice to make the returns again alike.

Money is exact: each return's figures are read from its strings, added as Decimals, and a
rebased figure is rounded to the penny once, as it is converted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

import attrs

from ..errors import InputError, Problem
from ..periods import FinancialYear

__all__ = [
    "MONEY",
    "PlaceReturn",
    "Rebase",
    "Rollup",
    "RollupRow",
    "rollup",
]

ZERO = Decimal(0)
PENNY = Decimal("0.01")
#: The money of a return's totals that is in its price base (and so rebased).
MONEY = (
    "pv_costs",
    "pv_benefits",
    "npsv",
    "cashable_savings",
    "realigned_to_central",
    "realigned_from_central",
)


@attrs.frozen
class PlaceReturn:
    """What the roll-up reads from one place's evidence return."""

    file: str
    programme: str
    title: str
    place: str | None
    population: int | None
    price_base: FinancialYear | None
    discount_base: FinancialYear | None
    timing: str | None
    schedules: tuple[str, ...]
    #: ``(table, vintage)`` of every parameter table the return's figures used.
    parameters: tuple[tuple[str, str], ...]
    statuses: tuple[str, ...]
    cases: int
    spend_counted: Decimal | None
    spend_year: FinancialYear | None
    pv_costs: Decimal | None
    pv_benefits: Decimal | None
    npsv: Decimal | None
    cashable_savings: Decimal | None
    realigned_to_central: Decimal
    realigned_from_central: Decimal


@attrs.frozen
class RollupRow:
    """A place's figures in the roll-up (as its return gives them, or rebased), or the total."""

    key: str
    place: str
    cases: int
    spend_counted: Decimal | None
    spend_year: str | None
    pv_costs: Decimal
    pv_benefits: Decimal
    npsv: Decimal
    cashable_savings: Decimal
    realigned_to_central: Decimal
    realigned_from_central: Decimal
    population: int | None = None

    @property
    def bcr(self) -> Decimal | None:
        return None if self.pv_costs == 0 else self.pv_benefits / self.pv_costs


@attrs.frozen
class Rebase:
    """A return put into another price base: from which, to which, by what ratio."""

    file: str
    programme: str
    from_base: FinancialYear
    to_base: FinancialYear
    ratio: Decimal


@attrs.frozen
class Rollup:
    """The national table: a row per place, the total, and the conventions they share."""

    places: tuple[RollupRow, ...]
    total: RollupRow
    price_base: FinancialYear
    discount_base: FinancialYear | None
    timing: str | None
    schedules: tuple[str, ...]
    parameters: tuple[tuple[str, str], ...]
    statuses: tuple[str, ...]
    rebased: tuple[Rebase, ...] = ()
    deflator: tuple[str, str] | None = None
    notes: tuple[str, ...] = ()


def _values(returns: Sequence[PlaceReturn], get) -> dict[object, list[str]]:
    found: dict[object, list[str]] = {}
    for item in returns:
        found.setdefault(get(item), []).append(item.file)
    return found


def _listing(found: dict[object, list[str]], show=str) -> str:
    return "; ".join(
        f"{', '.join(files)}: {'none' if value is None else show(value)}"
        for value, files in found.items()
    )


def _schedules(value: object) -> str:
    return ", ".join(value) or "none"  # type: ignore[arg-type]


def _mismatches(returns: Sequence[PlaceReturn], rebase: bool) -> list[Problem]:
    """Every convention the returns do not share, each a problem naming the returns."""
    problems = []
    again = (
        "Make the returns again alike (the same totalplace-cases release and plugins, and the "
        "same price_base, discount_base and settings in each programme.toml), then roll them up"
    )
    prices = _values(returns, lambda r: r.price_base)
    if len(prices) > 1 and not rebase:
        problems.append(
            Problem(
                f"the returns are in different price bases ({_listing(prices)}): present values "
                "in different prices cannot be added. Pass --rebase to put them into one price "
                "base with the GDP deflator (--price-base YEAR chooses it)",
                field="price_base",
            )
        )
    for field, what, get, show in (
        ("discount_base", "discount bases", lambda r: r.discount_base, str),
        ("timing", "discounting timings", lambda r: r.timing, str),
        ("discount_schedules", "discount schedules", lambda r: r.schedules, _schedules),
        ("statuses_counted", "case statuses counted", lambda r: r.statuses, _schedules),
    ):
        found = _values(returns, get)
        if len(found) > 1:
            cannot = (
                " --rebase cannot convert them: that would need each case's flows year by year, "
                "which a return does not hold;"
                if rebase
                else ""
            )
            problems.append(
                Problem(
                    f"the returns are made with different {what} ({_listing(found, show)}); "
                    f"their totals cannot be added.{cannot} {again}",
                    field=field,
                )
            )
    vintages: dict[str, dict[str, list[str]]] = {}
    for item in returns:
        for table, vintage in item.parameters:
            vintages.setdefault(table, {}).setdefault(vintage, []).append(item.file)
    for table, found in sorted(vintages.items()):
        if len(found) > 1:
            listing = "; ".join(f"{', '.join(files)}: {v}" for v, files in found.items())
            cannot = " --rebase cannot convert parameter vintages;" if rebase else ""
            problems.append(
                Problem(
                    f"the returns use different vintages of the parameter table {table} "
                    f"({listing}); their figures are not comparable.{cannot} {again}",
                    field="parameters",
                )
            )
    return problems


def _row(item: PlaceReturn, ratio: Decimal | None) -> RollupRow:
    def figure(name: str) -> Decimal:
        value = getattr(item, name) or ZERO
        if ratio is None:
            return value
        return (value * ratio).quantize(PENNY, rounding=ROUND_HALF_UP)

    return RollupRow(
        key=item.programme,
        place=item.place or item.title,
        cases=item.cases,
        spend_counted=item.spend_counted,
        spend_year=None if item.spend_year is None else str(item.spend_year),
        population=item.population,
        **{name: figure(name) for name in MONEY},
    )


def rollup(
    returns: Sequence[PlaceReturn],
    *,
    rebase: bool = False,
    price_base: FinancialYear | None = None,
    ratio: Callable[[FinancialYear, FinancialYear], Decimal] | None = None,
    deflator: tuple[str, str] | None = None,
) -> Rollup:
    """Add up ``returns``: a row per place and the total, each total the exact sum of the
    places' figures.

    :param rebase: put returns in other price bases into one (``price_base``, by default the
        latest of theirs) with ``ratio(from, to)``, the deflator's ratio of indices.
    :param deflator: ``(table, vintage)`` of the deflator ``ratio`` uses; a return that used
        another vintage of the same table is refused, as rebasing with it would mix vintages.
    :raises InputError: every reason the returns cannot be added, naming the returns.
    """
    problems: list[Problem] = []
    if not returns:
        raise InputError([Problem("no returns to roll up; give one or more JSON returns")])
    seen: dict[str, str] = {}
    for item in returns:
        if item.programme in seen:
            problems.append(
                Problem(
                    f'the programme "{item.programme}" is in two returns ({seen[item.programme]} '
                    "and this one): it would be counted twice; give one return per place",
                    file=item.file,
                    field="programme.id",
                )
            )
        seen.setdefault(item.programme, item.file)
        if item.price_base is None or item.pv_costs is None:
            problems.append(
                Problem(
                    "the return has no totals: its cases are in different price or discount "
                    "bases (set price_base and discount_base in its programme.toml and make it "
                    "again)",
                    file=item.file,
                    field="totals.pv_costs" if item.pv_costs is None else "price_base",
                )
            )
    if problems:
        raise InputError(problems)
    problems = _mismatches(returns, rebase)
    bases = sorted({item.price_base for item in returns if item.price_base is not None})
    target = price_base or bases[-1]
    rebasing = rebase and (len(bases) > 1 or target != bases[0])
    if rebasing:
        if ratio is None or deflator is None:
            raise InputError([Problem("rebasing needs a GDP deflator", field="--rebase")])
        table, vintage = deflator
        used: dict[str, list[str]] = {}
        for item in returns:
            for name, found in item.parameters:
                if name == table and found != vintage:
                    used.setdefault(found, []).append(item.file)
        for found, files in used.items():
            problems.append(
                Problem(
                    f"{', '.join(files)} used {table} of vintage {found}; this release rebases "
                    f"with vintage {vintage}, and a roll-up may not mix them. Make the returns "
                    "again with this release",
                    field="parameters",
                )
            )
    if problems:
        raise InputError(problems)
    rows, rebased = [], []
    for item in returns:
        factor = None
        if rebasing and item.price_base != target:
            factor = ratio(item.price_base, target)  # type: ignore[misc, arg-type]
            rebased.append(Rebase(item.file, item.programme, item.price_base, target, factor))
        rows.append(_row(item, factor))
    first = returns[0]
    years = {row.spend_year for row in rows if row.spend_year is not None}
    notes = []
    if len(years) > 1:
        notes.append(
            f"The places counted their spend in different years ({', '.join(sorted(years))}); "
            "the total adds the counts as they are, in each year's cash."
        )
    if any(row.spend_counted is None for row in rows):
        missing = ", ".join(row.place for row in rows if row.spend_counted is None)
        notes.append(f"No count of spend in the return of {missing}: counted as nothing.")
    populations = [row.population for row in rows]
    total = RollupRow(
        key="total",
        place="Total",
        cases=sum(row.cases for row in rows),
        spend_counted=sum((row.spend_counted or ZERO for row in rows), ZERO),
        spend_year=years.pop() if len(years) == 1 else None,
        population=None if None in populations else sum(populations),  # type: ignore[arg-type]
        **{name: sum((getattr(row, name) for row in rows), ZERO) for name in MONEY},
    )
    return Rollup(
        places=tuple(rows),
        total=total,
        price_base=target,
        discount_base=first.discount_base,
        timing=first.timing,
        schedules=first.schedules,
        parameters=tuple(sorted({p for item in returns for p in item.parameters})),
        statuses=first.statuses,
        rebased=tuple(rebased),
        deflator=deflator if rebasing else None,
        notes=tuple(notes),
    )
