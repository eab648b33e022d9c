"""Agencies and categories by name, for a reader who does not know the ids."""

from __future__ import annotations

from typing import Any

from ..models import Programme

__all__ = ["Names"]


class Names:
    """Names from the programme's agencies first, then what the plugins registered; an id
    that names nothing known is shown as it is."""

    def __init__(self, programme: Programme | None, registry: Any = None):
        self.programme = programme
        self.registry = registry

    def _agency(self, agency_id: str) -> Any:
        found = self.programme.agency(agency_id) if self.programme is not None else None
        if found is None and self.registry is not None:
            found = self.registry.agency(agency_id)
        return found

    def agency(self, agency_id: str | None) -> str:
        if not agency_id:
            return ""
        agency = self._agency(agency_id)
        return agency.name if agency is not None and agency.name else agency_id

    def agency_kind(self, agency_id: str) -> str:
        agency = self._agency(agency_id)
        return agency.kind if agency is not None else ""

    def category(self, category_id: str) -> str:
        found = self.registry.category(category_id) if self.registry is not None else None
        return found.name if found is not None and found.name else category_id
