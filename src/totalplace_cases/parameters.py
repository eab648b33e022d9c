"""Parameter tables: the published figures the method uses, kept as data with their source.

Every table the arithmetic reads (discount schedules, optimism-bias bounds, confidence grades,
value-for-money thresholds, the GDP deflator, the Green Book's standard values) is a small CSV
file whose leading ``# key: value`` lines give its name, kind, source and vintage, so that every
result can say which figures it used. The library ships its tables in
``totalplace_cases/data``; plugins may add or replace tables through the
``totalplace_register_tables`` hook.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import attrs

from .errors import InputError, Problem
from .textfile import read_text

__all__ = ["TABLE_KINDS", "ParameterTable", "builtin_tables", "parse_table", "read_table"]

TABLE_KINDS: tuple[str, ...] = (
    "discount-schedule",
    "optimism-bias",
    "confidence-grade",
    "vfm-thresholds",
    "deflator",
    "standard-values",
)
_REQUIRED_META = ("table", "kind", "source", "vintage")


@attrs.frozen
class ParameterTable:
    """A named table of parameters, with where its figures come from."""

    name: str
    kind: str
    source: str
    vintage: str
    columns: tuple[str, ...]
    rows: tuple[Mapping[str, str], ...]
    title: str = ""
    notes: str = ""
    origin: str = ""

    def column(self, name: str) -> list[str]:
        return [row[name] for row in self.rows]


def parse_table(text: str, origin: str = "<table>") -> ParameterTable:
    """Read a table from CSV text with ``# key: value`` metadata lines before the header."""
    meta: dict[str, str] = {}
    body: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not body and stripped.startswith("#"):
            key, sep, value = stripped[1:].partition(":")
            if not sep:
                raise InputError(
                    [Problem('expected a "# key: value" line', file=origin, line=number)]
                )
            key = key.strip().lower()
            meta[key] = f"{meta[key]} {value.strip()}" if key in meta else value.strip()
        elif stripped or body:
            body.append(line)
    problems = [
        Problem(f'missing the "# {key}: ..." line', file=origin)
        for key in _REQUIRED_META
        if not meta.get(key)
    ]
    if meta.get("kind") and meta["kind"] not in TABLE_KINDS:
        problems.append(
            Problem(
                f"unknown kind {meta['kind']!r}; expected one of {', '.join(TABLE_KINDS)}",
                file=origin,
                field="kind",
            )
        )
    reader = csv.DictReader(io.StringIO("\n".join(body)))
    rows = []
    try:
        columns = tuple(reader.fieldnames or ())
        for row in reader:
            if None in row or any(value is None for value in row.values()):
                problems.append(
                    Problem(f"expected {len(columns)} columns", file=origin, line=reader.line_num)
                )
                continue
            rows.append({key: value.strip() for key, value in row.items()})
    except csv.Error as exc:  # a cell longer than the csv module's limit, a NUL character...
        columns = ()
        problems.append(Problem(f"not a readable CSV table: {exc}", file=origin))
    if not columns:
        problems.append(Problem("the table has no header row", file=origin))
    if problems:
        raise InputError(problems)
    return ParameterTable(
        name=meta["table"],
        kind=meta["kind"],
        source=meta["source"],
        vintage=meta["vintage"],
        columns=columns,
        rows=tuple(rows),
        title=meta.get("title", ""),
        notes=meta.get("notes", ""),
        origin=origin,
    )


def read_table(path: Path | str) -> ParameterTable:
    """Read a parameter table from a CSV file."""
    path = Path(path)
    return parse_table(read_text(path), origin=str(path))


def builtin_tables() -> list[ParameterTable]:
    """The tables shipped in ``totalplace_cases/data``."""
    folder = resources.files("totalplace_cases") / "data"
    return [
        parse_table(entry.read_text(encoding="utf-8"), origin=f"totalplace_cases/data/{entry.name}")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".csv")
    ]
