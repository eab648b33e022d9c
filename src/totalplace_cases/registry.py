"""What the loaded plugins have registered: categories, themes, agencies, unit costs, tables.

The host owns one :class:`Registry` per run. Plugins add to it only through the ``register``
callbacks it hands them, so it knows which plugin added each entry and can refuse duplicates.
Each kind of entry is declared once, in :data:`ENTRY_KINDS`: its name, the hook that fills it,
the class an entry must be and the attribute that is its key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from .answers import BadAnswer, check_entry
from .errors import PluginError, TotalPlaceError
from .models import Agency, Category, Theme
from .parameters import ParameterTable
from .plugin import OutputFormat, UnitCost

__all__ = [
    "ENTRY_KINDS",
    "HOOKS",
    "KINDS",
    "EntryKind",
    "Registry",
    "UnitCost",
    "unit_cost_hint",
]


@attrs.frozen
class EntryKind:
    """A kind of registry entry: the hook that fills it, its class and its key attribute."""

    name: str
    hook: str
    cls: type
    key: str

    def key_of(self, item: Any) -> Any:
        return getattr(item, self.key)


#: Every kind of entry, in the order the host fills them.
ENTRY_KINDS: Mapping[str, EntryKind] = MappingProxyType(
    {
        kind.name: kind
        for kind in (
            EntryKind("category", "totalplace_register_categories", Category, "id"),
            EntryKind("theme", "totalplace_register_themes", Theme, "id"),
            EntryKind("agency", "totalplace_register_agencies", Agency, "id"),
            EntryKind("unit_cost", "totalplace_register_unit_costs", UnitCost, "key"),
            EntryKind("table", "totalplace_register_tables", ParameterTable, "name"),
            EntryKind("format", "totalplace_register_formats", OutputFormat, "name"),
        )
    }
)
#: The kinds' names, and the registry hook that fills each (views of :data:`ENTRY_KINDS`).
KINDS: tuple[str, ...] = tuple(ENTRY_KINDS)
HOOKS: Mapping[str, str] = MappingProxyType({k.name: k.hook for k in ENTRY_KINDS.values()})


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'AEIOU' else 'a'} {noun}"


def unit_cost_hint(key: str) -> str:
    """What to add to "unknown unit cost" messages: which plugin the key's prefix points to."""
    if ":" not in key:
        return ""
    prefix = key.split(":", 1)[0]
    return (
        f"; is the plugin that provides '{prefix}:' unit costs loaded? (see `totalplace plugins`)"
    )


@attrs.define
class Registry:
    """Entries by kind and key, with the name of the plugin that registered each.

    Read it with the typed getters (:meth:`category`, :meth:`unit_cost`, :meth:`table`,
    :meth:`formats`...); :meth:`get` and :meth:`keys` take the kind by name.
    """

    entries: dict[str, dict[str, Any]] = attrs.field(factory=lambda: {k: {} for k in KINDS})
    owners: dict[tuple[str, str], str] = attrs.field(factory=dict)
    replaced: list[tuple[str, str, str, str]] = attrs.field(factory=list)

    def copy(self) -> Registry:
        """A copy to stage one plugin's entries in, so a plugin that fails leaves no trace."""
        return Registry(
            entries={kind: dict(items) for kind, items in self.entries.items()},
            owners=dict(self.owners),
            replaced=list(self.replaced),
        )

    def registrar(self, kind: str, plugin: str) -> Callable[..., None]:
        """The ``register`` callback handed to ``plugin`` for entries of ``kind``."""

        def register(item: Any, *, replace: bool = False) -> None:
            self.add(kind, item, plugin, replace=replace)

        return register

    def add(self, kind: str, item: Any, plugin: str, *, replace: bool = False) -> None:
        """Add ``item`` for ``plugin``; a wrong type, bad contents or a taken key is refused."""
        entry_kind = ENTRY_KINDS[kind]
        if not isinstance(item, entry_kind.cls):
            raise PluginError(
                plugin,
                entry_kind.hook,
                f"register() expected {_a(entry_kind.cls.__name__)}, "
                f"got {type(item).__name__} {item!r}",
            )
        key = entry_kind.key_of(item)
        try:
            check_entry(item, key)
        except BadAnswer as exc:
            raise PluginError(plugin, entry_kind.hook, f"register(): {exc}") from None
        previous = self.owners.get((kind, key))
        if previous is not None and not replace:
            raise PluginError(
                plugin,
                entry_kind.hook,
                f"{kind.replace('_', ' ')} '{key}' is already registered by plugin '{previous}'",
            )
        if previous is not None:
            self.replaced.append((kind, key, previous, plugin))
        self.entries[kind][key] = item
        self.owners[(kind, key)] = plugin

    # -- by kind name --------------------------------------------------------------------------

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

    # -- typed getters -------------------------------------------------------------------------

    def category(self, category_id: str) -> Category | None:
        return self.entries["category"].get(category_id)

    def categories(self) -> Mapping[str, Category]:
        return MappingProxyType(self.entries["category"])

    def theme(self, theme_id: str) -> Theme | None:
        return self.entries["theme"].get(theme_id)

    def agency(self, agency_id: str) -> Agency | None:
        return self.entries["agency"].get(agency_id)

    def agencies(self) -> Mapping[str, Agency]:
        return MappingProxyType(self.entries["agency"])

    def unit_cost(self, key: str) -> UnitCost | None:
        return self.entries["unit_cost"].get(key)

    def format(self, name: str) -> OutputFormat | None:
        return self.entries["format"].get(name)

    def formats(self) -> Mapping[str, OutputFormat]:
        return MappingProxyType(self.entries["format"])

    def find_table(self, name: str) -> ParameterTable | None:
        """The parameter table called ``name``, or None."""
        return self.entries["table"].get(name)

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
