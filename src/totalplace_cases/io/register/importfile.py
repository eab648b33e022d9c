"""Reading a file of actuals for ``totalplace track import``: CSV or Excel (``.xlsx``).

Columns are found by their header: ``case,benefit,period,amount,evidence`` are required and
``kind,source,recorded_by`` optional, in any order. A CSV file is UTF-8 (a byte-order mark and
Windows line ends are accepted); an Excel file is read from its first sheet, streaming. Every
row is read before anything is checked, and every problem is reported with its line (the CSV
line, or the spreadsheet row) and column.
"""

from __future__ import annotations

import csv
import datetime as _dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from ...errors import InputError, Problem
from ...textfile import read_text
from .entries import RawEntry

__all__ = ["OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "read_entries"]

REQUIRED_COLUMNS = ("case", "benefit", "period", "amount", "evidence")
OPTIONAL_COLUMNS = ("kind", "source", "recorded_by")
MAX_FIELD = 100_000


def read_entries(
    path: Path, problems: list[Problem], *, default_source: str = ""
) -> list[RawEntry]:
    """Every data row of ``path`` as a raw entry; file-level problems end the reading.

    A row without a ``source`` takes ``default_source`` (the import names its file).

    :raises InputError: the file cannot be read at all (missing, wrong kind, bad header).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        found = f"a {suffix} file" if suffix else "a file without an extension"
        raise InputError(
            [Problem(f"expected a .csv or .xlsx file of entries, found {found}", path)]
        )
    if not path.is_file():
        what = "a folder" if path.is_dir() else "no such file"
        raise InputError([Problem(f"cannot read the file: {what}", file=path)])
    rows = _xlsx_rows(path) if suffix == ".xlsx" else _csv_rows(path)
    entries: list[RawEntry] = []
    columns: dict[str, int] | None = None
    width = 0
    for line, cells in rows:
        if columns is None:
            columns = _header(path, line, cells)
            width = max(columns.values()) + 1
            at = [columns.get(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)]
            continue
        if not cells or (cells[0] in (None, "") and all(c in (None, "") for c in cells)):
            continue  # blank rows are allowed, e.g. at the end of a spreadsheet
        count = len(cells)
        if count > width and any(c not in (None, "") for c in cells[width:]):
            problems.append(
                Problem(
                    f"expected {width} cells (one per column of the header), found {count}",
                    file=path,
                    line=line,
                )
            )
            continue
        if count < width:
            cells = [*cells, *([None] * (width - count))]
        case, benefit, period, amount, evidence, kind, source, by = (
            None if i is None else cells[i] for i in at
        )
        entries.append(
            RawEntry(
                case=_stripped(case),
                benefit=_stripped(benefit),
                period=_period_cell(period),
                amount=_amount_cell(amount),
                evidence=evidence,
                kind=_stripped(kind) or "actual",
                source=source or default_source,
                recorded_by=_stripped(by) or "",
                file=path,
                line=line,
            )
        )
    if columns is None:
        header = ",".join(REQUIRED_COLUMNS)
        raise InputError([Problem(f"the file is empty: expected a header row {header}", path)])
    return entries


def _header(path: Path, line: int, cells: list) -> dict[str, int]:
    names = [str(c).strip().lower() if c is not None else "" for c in cells]
    while names and names[-1] == "":
        names.pop()
    problems = []
    allowed = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in seen:
            problems.append(f'column "{name}" appears twice')
        elif name not in allowed:
            shown = name if name.isprintable() and len(name) < 40 else repr(name[:40])
            problems.append(
                f'unknown column "{shown}"; expected {", ".join(REQUIRED_COLUMNS)} and optionally '
                f"{', '.join(OPTIONAL_COLUMNS)}"
            )
        seen.setdefault(name, index)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        problems.append(
            f"the header has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}; "
            f"expected {','.join(REQUIRED_COLUMNS)}"
        )
    if problems:
        raise InputError(Problem(p, file=path, line=line) for p in problems)
    return {name: index for name, index in seen.items() if name}


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _csv_rows(path: Path) -> Iterator[tuple[int, list]]:
    # The one reader of text files: regular files only, bounded, UTF-8 (a BOM removed), and a
    # message that names UTF-16 or Latin-1 when the file is in one of those.
    text = read_text(path)
    if "\x00" in text:
        raise InputError([Problem("expected text, found a NUL byte (is it a CSV file?)", path)])
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    line = 1
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError([Problem(f"not valid CSV: {exc}", file=path, line=line)]) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError([Problem(f"not an Excel .xlsx workbook: {exc}", file=path)]) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        workbook.close()


def _period_cell(value: object) -> object:
    if isinstance(value, _dt.datetime):
        return value.date()  # Excel turned the period into a date: the checker says so
    return _stripped(value)


def _amount_cell(value: object) -> object:
    """An Excel number cell: its shortest decimal form (what the user typed)."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return repr(value)
        return Decimal(repr(value)) if value != int(value) else int(value)
    return value
