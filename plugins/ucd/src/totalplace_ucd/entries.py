"""Read the cleaned Unit Cost Database shipped in ``totalplace_ucd/data``.

The files are written by ``plugins/ucd/build_data.py``; see plugins/ucd/README.md for the
cleaning rules. Text fields are "" when the source cell is empty; ``value_uprated``, ``rag``
and ``parent`` are None when absent.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from importlib.resources import files

import attrs

MULTIPLE = "Multiple"


@attrs.frozen
class UcdEntry:
    """One unit cost of the UCD."""

    code: str
    theme: str
    sub_theme: str
    description: str
    agency: str
    sub_agency: str
    unit: str
    value: Decimal
    """Cost in the entry's own price year, pounds."""
    price_year: str
    """Financial year of ``value``, "YYYY-YY" (e.g. "2008-09")."""
    value_uprated: Decimal | None
    """The database's own uprating of ``value`` to its common price year (c. 2013-14)."""
    source: str
    rag: str | None
    """Confidence flag: "R", "A" or "G"; None when the source gives none."""
    parent: str | None
    """Code of the "Multiple"-agency entry this row is a share of; None otherwise."""

    @property
    def is_multiple(self) -> bool:
        """True when the cost falls on several agencies (its split is in its sub-rows)."""
        return self.agency == MULTIPLE


@attrs.frozen
class RejectedRow:
    """A raw row that the build could not use."""

    file: str
    line: int
    """Line of the raw file on which the record starts (1-based)."""
    code: str
    reason: str


@attrs.frozen
class SplitCheck:
    """Whether the sub-rows of a "Multiple" entry add up to the entry's own value."""

    parent: str
    price_year: str
    unit: str
    value: Decimal
    components: tuple[str, ...]
    components_sum: Decimal | None
    difference: Decimal | None
    """``components_sum - value``; None when the entry has no sub-rows."""
    agrees: bool
    note: str


def _read(name: str) -> list[dict[str, str]]:
    text = files("totalplace_ucd").joinpath("data", name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    # Skip the leading "# ..." comment lines (source, vintage); the header follows them.
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        start += 1
    return list(csv.DictReader(lines[start:]))


def _opt_decimal(text: str) -> Decimal | None:
    return Decimal(text) if text else None


@cache
def _entries() -> tuple[UcdEntry, ...]:
    return tuple(
        UcdEntry(
            code=r["code"],
            theme=r["theme"],
            sub_theme=r["sub_theme"],
            description=r["description"],
            agency=r["agency"],
            sub_agency=r["sub_agency"],
            unit=r["unit"],
            value=Decimal(r["value"]),
            price_year=r["price_year"],
            value_uprated=_opt_decimal(r["value_uprated"]),
            source=r["source"],
            rag=r["rag"] or None,
            parent=r["parent"] or None,
        )
        for r in _read("ucd.csv")
    )


def load_entries() -> dict[str, UcdEntry]:
    """All loaded entries by code, in the order of the cleaned file (a new dict per call)."""
    return {e.code: e for e in _entries()}


def components(code: str) -> list[UcdEntry]:
    """The sub-rows of the "Multiple" entry ``code`` (its split across agencies).

    Empty for an entry that is not "Multiple" or has no sub-rows; raises KeyError for a code
    that is not loaded. Check ``split_checks()[code].agrees`` before using the sub-rows as
    shares: some "Multiple" entries lost sub-rows to rejection.
    """
    entries = load_entries()
    if code not in entries:
        raise KeyError(f"no UCD entry {code!r}")
    return [e for e in entries.values() if e.parent == code]


@cache
def _rejected() -> tuple[RejectedRow, ...]:
    return tuple(
        RejectedRow(file=r["file"], line=int(r["line"]), code=r["code"], reason=r["reason"])
        for r in _read("rejected.csv")
    )


def load_rejected() -> list[RejectedRow]:
    """Every raw row the build rejected, with file, line and reason."""
    return list(_rejected())


@cache
def _splits() -> tuple[SplitCheck, ...]:
    return tuple(
        SplitCheck(
            parent=r["parent"],
            price_year=r["price_year"],
            unit=r["unit"],
            value=Decimal(r["value"]),
            components=tuple(r["components"].split()),
            components_sum=_opt_decimal(r["components_sum"]),
            difference=_opt_decimal(r["difference"]),
            agrees=r["agrees"] == "yes",
            note=r["note"],
        )
        for r in _read("splits.csv")
    )


def split_checks() -> dict[str, SplitCheck]:
    """For every loaded "Multiple" entry, whether its sub-rows sum to its value."""
    return {s.parent: s for s in _splits()}
