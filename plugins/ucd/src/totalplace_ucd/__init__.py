"""Unit Cost Database (New Economy / HM Treasury PSTN, c. 2014 extract) for totalplace-cases.

Registers every loaded UCD entry as a unit cost ``ucd:CODE``. A case's benefit line cites one
with ``unit_cost = "ucd:CR2.0.3"`` (with ``volumes``); the appraisal uprates the entry's value
from its price year to the case's price base with the GDP deflator. A "Multiple" entry with
sub-rows (CR2.0 = CR2.0.1 + ... + CR2.0.5) splits the line among the bodies its sub-rows name,
in proportion to their values; the programme maps those bodies to its agencies (a plugin's
``totalplace_agency_for`` or the line's ``agency_map``).

Source: the Unit Cost Database published by New Economy (Manchester; now the Greater
Manchester Combined Authority research team) with HM Treasury's Public Service Transformation
Network, as parsed into CSV by datagovuk-hackcode/early-intervention-unit-cost-database.
"""

from __future__ import annotations

from decimal import Decimal

from totalplace_cases.plugin import UnitCost, hookimpl, parse_year

from .entries import UcdEntry, components, load_entries, split_checks

__version__ = "0.1.0"

__all__ = ["__version__", "components", "load_entries", "unit_cost_of"]

SOURCE = (
    "Unit Cost Database (New Economy with HM Treasury's Public Service Transformation Network, "
    "c. 2014 extract)"
)


def _shares(entry: UcdEntry) -> tuple[tuple[str, Decimal], ...]:
    """A "Multiple" entry's split: each sub-row's body and its share of the entry's value.

    Where the sub-rows add up to the entry (to the database's rounding), they share all of it.
    Where some sub-rows were rejected in cleaning (the CR7 crime costs lost their duplicated
    ".3" rows), the rest is left to a body named ``unallocated (CODE)``, which no plugin maps:
    a case citing such an entry must say who bears it with ``agency_map``, rather than have
    the known sub-rows silently inflated.
    """
    parts = components(entry.code) if entry.agency == "Multiple" else []
    parts = [p for p in parts if p.agency != "Multiple"]
    if not parts:
        return ()
    check = split_checks().get(entry.code)
    if check is not None and check.agrees:
        total = sum((p.value for p in parts), Decimal(0))
        return tuple((p.agency, p.value / total) for p in parts)
    shares = [(p.agency, p.value / entry.value) for p in parts]
    remainder = Decimal(1) - sum((share for _, share in shares), Decimal(0))
    if remainder > 0:
        shares.append((f"unallocated ({entry.code})", remainder))
    return tuple(shares)


def unit_cost_of(entry: UcdEntry) -> UnitCost:
    """The registry entry for one UCD row."""
    return UnitCost(
        key=f"ucd:{entry.code}",
        value=entry.value,
        price_year=parse_year(entry.price_year),
        description=entry.description,
        unit=entry.unit,
        agency=entry.agency + (f" / {entry.sub_agency}" if entry.sub_agency else ""),
        source=f"{SOURCE}: {entry.source}",
        rag=entry.rag or "",
        shares=_shares(entry),
    )


@hookimpl
def totalplace_register_unit_costs(register):
    for entry in load_entries().values():
        register(unit_cost_of(entry))
