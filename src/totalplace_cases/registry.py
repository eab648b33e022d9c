"""What the loaded plugins have registered: categories, themes, agencies, unit costs, tables.

The host owns one :class:`Registry` per run. Plugins add to it only through the ``register``
callbacks it hands them, so it knows which plugin added each entry and can refuse duplicates.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import attrs

from .errors import PluginError, TotalPlaceError
from .parameters import ParameterTable

__all__ = ["HOOKS", "KINDS", "Registry", "UnitCost", "unit_cost_hint"]

KINDS: tuple[str, ...] = ("category", "theme", "agency", "unit_cost", "table", "format")
#: The registry hook that fills each kind of entry.
HOOKS: dict[str, str] = {
    "category": "totalplace_register_categories",
    "theme": "totalplace_register_themes",
    "agency": "totalplace_register_agencies",
    "unit_cost": "totalplace_register_unit_costs",
    "table": "totalplace_register_tables",
    "format": "totalplace_register_formats",
}


@attrs.frozen
class UnitCost:
    """A published unit cost (e.g. from the Unit Cost Database) that a benefit line can cite.

    ``shares`` splits the value among several agencies (agency id -> fraction of the value);
    empty means the whole value goes to the line's own agency.

    ``price_year`` is the :class:`~totalplace_cases.periods.FinancialYear` whose prices the value
    is in, or an ``int`` for a calendar year's prices (the Department for Transport publishes
    "2010 prices"). ``by_year`` gives a value that varies by year (carbon values, say) as
    ``(year, value)`` pairs, the years all financial years or all calendar years (``int``);
    ``value`` is then unused (None) and a line's year picks its value (method §17).
    """

    key: str
    value: Any  # Decimal, or None when by_year is given
    price_year: Any  # FinancialYear, or int for a calendar year
    description: str = ""
    unit: str = ""
    agency: str = ""
    source: str = ""
    rag: str = ""
    shares: tuple[tuple[str, Any], ...] = ()
    by_year: tuple[tuple[Any, Any], ...] = ()


def unit_cost_hint(key: str) -> str:
    """What to add to "unknown unit cost" messages: which plugin the key's prefix points to."""
    if ":" not in key:
        return ""
    prefix = key.split(":", 1)[0]
    return (
        f"; is the plugin that provides '{prefix}:' unit costs loaded? (see `totalplace plugins`)"
    )


@functools.cache
def _types() -> dict[str, type]:
    """The class each kind of entry must be (imported late: reports import the registry)."""
    from .models import Agency, Category, Theme
    from .reports.formats import OutputFormat

    return {
        "category": Category,
        "theme": Theme,
        "agency": Agency,
        "unit_cost": UnitCost,
        "table": ParameterTable,
        "format": OutputFormat,
    }


def _key_of(kind: str, item: Any) -> str:
    if kind in ("table", "format"):
        return item.name
    if kind == "unit_cost":
        return item.key
    return item.id


@attrs.define
class Registry:
    """Entries by kind and key, with the name of the plugin that registered each."""

    entries: dict[str, dict[str, Any]] = attrs.field(factory=lambda: {k: {} for k in KINDS})
    owners: dict[tuple[str, str], str] = attrs.field(factory=dict)
    replaced: list[tuple[str, str, str, str]] = attrs.field(factory=list)

    def registrar(self, kind: str, plugin: str) -> Callable[..., None]:
        """The ``register`` callback handed to ``plugin`` for entries of ``kind``."""

        def register(item: Any, *, replace: bool = False) -> None:
            self.add(kind, item, plugin, replace=replace)

        return register

    def add(self, kind: str, item: Any, plugin: str, *, replace: bool = False) -> None:
        expected = _types()[kind]
        if not isinstance(item, expected):
            raise PluginError(
                plugin,
                HOOKS[kind],
                f"register() expected a {expected.__name__}, got {type(item).__name__} {item!r}",
            )
        key = _key_of(kind, item)
        previous = self.owners.get((kind, key))
        if previous is not None and not replace:
            raise PluginError(
                plugin,
                HOOKS[kind],
                f"{kind.replace('_', ' ')} '{key}' is already registered by plugin '{previous}'",
            )
        if previous is not None:
            self.replaced.append((kind, key, previous, plugin))
        self.entries[kind][key] = item
        self.owners[(kind, key)] = plugin

    def get(self, kind: str, key: str) -> Any | None:
        return self.entries[kind].get(key)

    def keys(self, kind: str) -> list[str]:
        return sorted(self.entries[kind])

    def by_plugin(self, plugin: str) -> dict[str, list[str]]:
        """What ``plugin`` registered, by kind."""
        found: dict[str, list[str]] = {}
        for (kind, key), owner in sorted(self.owners.items()):
            if owner == plugin:
                found.setdefault(kind, []).append(key)
        return found

    def table(self, name: str, kind: str | None = None) -> ParameterTable:
        """The parameter table called ``name``; a clear error if none is registered."""
        table = self.entries["table"].get(name)
        if table is None or (kind is not None and table.kind != kind):
            known = [t.name for t in self.entries["table"].values() if kind in (None, t.kind)]
            what = f"{kind} table" if kind else "parameter table"
            raise TotalPlaceError(
                f"no {what} called '{name}' is registered; known: {', '.join(sorted(known))}"
            )
        return table
