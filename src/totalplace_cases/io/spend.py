"""Reading spend files (the count): CSV and Excel ledgers, streamed, exact, every bad row named.

A spend file holds one line of public spend per row, with columns found by header name:
``year, agency, category, theme, kind, amount`` and, optionally, ``funded_by``, ``service``,
``description`` and ``source``; any other column is kept as a source field. The contract is in
``docs/case-files.md`` (section "Spend files").

Two ways to read one:

- :func:`read_spend_lines` yields each row as a :class:`SpendLine` (or a :class:`Rejection`),
  for a program that wants the lines themselves;
- :func:`tally_spend_file` adds a whole file up into exact integer pence per
  (year, agency, category, theme, kind, funder), in constant memory. Large CSV files are split
  into byte ranges that are tallied on every core and merged; the result is the same, to the
  penny and to the line number, as reading the file from start to end.

Both share one reading of a row (:meth:`RowReader.read`), so they accept and refuse the same
rows for the same reasons. Readers call no plugins: classifying a line without a category or
theme is a function the caller passes in.

A file that cannot be read at all (not UTF-8, no header, a required column missing) raises
:class:`~totalplace_cases.errors.InputError` naming the file, line and column. A bad row does
not stop the reading: it is a :class:`Rejection` with its file, line and reason.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import io
import itertools
import operator
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import Any

import attrs

from ..errors import InputError, Problem
from ..models import COST_KINDS, SpendLine
from ..money import MoneyError, parse_money
from ..periods import FinancialYear, PeriodError, parse_year

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "UNCLASSIFIED",
    "FileTally",
    "Rejection",
    "SpendCheck",
    "SpendLine",
    "Unclassified",
    "read_spend_lines",
    "tally_spend_file",
]

#: The columns every spend file must have, found by header name.
REQUIRED_COLUMNS: tuple[str, ...] = ("year", "agency", "category", "theme", "kind", "amount")
#: Columns a spend file may have; any other column is kept as a source field.
OPTIONAL_COLUMNS: tuple[str, ...] = ("funded_by", "service", "description", "source")
#: The category and theme of a line that no rule classifies.
UNCLASSIFIED = "unclassified"
#: A quoted field left open for this many lines is taken to be a stray quote.
MAX_RECORD_LINES = 50
#: Files smaller than this are read in one process: starting workers would cost more.
PARALLEL_BYTES = 4 * 1024 * 1024

#: (year, agency, category, theme, kind, funded_by): what the count adds up by.
SpendKey = tuple[str, str, str, str, str, str]
Classifier = Callable[["SpendLine"], "Mapping[str, str] | None"]

_AMOUNT_2 = re.compile(r"-?[0-9]+\.[0-9][0-9]").fullmatch
_BULK_2 = re.compile(r"-?[0-9]+\.[0-9][0-9](?:\n-?[0-9]+\.[0-9][0-9])*").fullmatch
_BULK_ANY = re.compile(r"-?[0-9]+(?:\.[0-9][0-9]?)?(?:\n-?[0-9]+(?:\.[0-9][0-9]?)?)*").fullmatch
_AMOUNT_0 = re.compile(r"-?[0-9]+").fullmatch
_BOM = codecs.BOM_UTF8
_SEP = "\x1f"  # joins a row's key columns into one raw key (see _Tallier)


@attrs.frozen
class Rejection:
    """A row that was not counted: where it is, why, and its amount when that could be read."""

    file: str
    line: int
    reason: str
    amount: Decimal | None = None


@attrs.frozen
class Unclassified:
    """A counted row that no rule gave a category or theme to: counted as ``unclassified``."""

    file: str
    line: int
    agency: str
    amount: Decimal
    service: str = ""
    description: str = ""


@attrs.frozen
class SpendCheck:
    """What the values of a row must be: the agencies and categories the count knows.

    ``agencies`` None accepts any agency (a spend file read without a programme).
    """

    categories: frozenset[str]
    agencies: frozenset[str] | None = None


@attrs.define
class FileTally:
    """One spend file added up: exact pence by key, control totals, rejected rows."""

    path: str
    lines: int = 0
    counted: int = 0
    pence: dict[SpendKey, int] = attrs.field(factory=dict)
    rejected: list[Rejection] = attrs.field(factory=list)
    rejected_pence: int = 0
    unclassified: list[Unclassified] = attrs.field(factory=list)
    workers: int = 1

    @property
    def total_pence(self) -> int:
        return sum(self.pence.values())

    def merge(self, other: FileTally, line_offset: int) -> None:
        """Add a later part of the same file, whose line numbers start ``line_offset`` on."""
        self.lines += other.lines
        self.counted += other.counted
        for key, pence in other.pence.items():
            self.pence[key] = self.pence.get(key, 0) + pence
        self.rejected_pence += other.rejected_pence
        self.rejected += [attrs.evolve(r, line=r.line + line_offset) for r in other.rejected]
        self.unclassified += [
            attrs.evolve(u, line=u.line + line_offset) for u in other.unclassified
        ]


# -- columns -----------------------------------------------------------------------------------


def _header_name(text: str) -> str:
    return text.strip().lower().replace(" ", "_")


@attrs.frozen
class Layout:
    """Where each named column is in a file's rows."""

    names: tuple[str, ...]
    at: Mapping[str, int]

    @classmethod
    def from_header(cls, cells: list[str], file: str, line: int) -> Layout:
        names = tuple(_header_name(c) for c in cells)
        problems = []
        seen: dict[str, int] = {}
        for number, name in enumerate(names, start=1):
            if name and name in seen:
                problems.append(
                    f'column "{name}" appears twice (columns {seen[name]} and {number})'
                )
            seen.setdefault(name, number)
        missing = [c for c in REQUIRED_COLUMNS if c not in seen]
        if missing:
            found = ", ".join(n for n in names if n) or "nothing"
            problems.append(
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}: "
                f"the first row must name the columns {', '.join(REQUIRED_COLUMNS)} "
                f"(optional: {', '.join(OPTIONAL_COLUMNS)}); found {found}"
            )
        if problems:
            raise InputError(Problem(p, file=file, line=line, field="header") for p in problems)
        return cls(names, {name: index for index, name in reversed(list(enumerate(names)))})

    def get(self, cells: list[str], name: str) -> str:
        index = self.at.get(name)
        return "" if index is None else cells[index].strip()


# -- one row -----------------------------------------------------------------------------------


def _parse_pence(text: str) -> int:
    """An amount of money with at most two decimals, as exact integer pence."""
    amount = parse_money(text)
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise MoneyError(f'expected an amount in pounds and pence, found "{text}" (3+ decimals)')
    return int(amount.scaleb(2))


def _pounds(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)


class RowReader:
    """Reads the rows of one spend file: one set of rules for every path through the file."""

    def __init__(
        self,
        layout: Layout,
        check: SpendCheck,
        file: str,
        classify: Classifier | None = None,
    ):
        self.layout = layout
        self.check = check
        self.file = file
        self.classify = classify
        self.width = len(layout.names)
        self._years: dict[str, FinancialYear | str] = {}

    def _year(self, text: str) -> FinancialYear | str:
        """The financial year, or the reason it is not one (remembered per distinct text)."""
        found = self._years.get(text)
        if found is None:
            try:
                found = parse_year(text)
            except PeriodError:
                found = f'year: expected a financial year like "2008-09", found "{text}"'
            self._years[text] = found
        return found

    def _agency(self, column: str, agency: str, reasons: list[str]) -> None:
        known = self.check.agencies
        if not agency:
            reasons.append(f"{column}: missing")
        elif known is not None and agency not in known:
            reasons.append(f'{column}: unknown agency "{agency}"')

    def read(self, cells: list[str], line: int) -> SpendLine | Rejection | None:
        """A row as a line of the count, a rejection saying why not, or None for a blank row."""
        if not any(c.strip() for c in cells):
            return None
        if len(cells) != self.width:
            what = "short row" if len(cells) < self.width else "long row"
            return Rejection(
                self.file, line, f"{what}: expected {self.width} fields, found {len(cells)}"
            )
        get = self.layout.get
        if tuple(_header_name(c) for c in cells) == self.layout.names:
            return Rejection(self.file, line, "repeated header")
        reasons: list[str] = []
        year = self._year(get(cells, "year"))
        if isinstance(year, str):
            reasons.append(year)
        agency = get(cells, "agency")
        self._agency("agency", agency, reasons)
        funded_by = get(cells, "funded_by") or agency
        if get(cells, "funded_by"):
            self._agency("funded_by", funded_by, reasons)
        kind = get(cells, "kind").lower()
        if kind not in COST_KINDS:
            reasons.append(f'kind: expected revenue or capital, found "{get(cells, "kind")}"')
        category, theme = get(cells, "category"), get(cells, "theme")
        if category and category not in self.check.categories:
            reasons.append(f'category: unknown category "{category}"')
        amount_text = get(cells, "amount")
        pence: int | None = None
        if not amount_text:
            reasons.append("amount: missing")
        else:
            try:
                pence = _parse_pence(amount_text)
            except MoneyError as exc:
                reasons.append(f"amount: {exc}")
        if reasons:
            amount = None if pence is None else _pounds(pence)
            return Rejection(self.file, line, "; ".join(reasons), amount)
        assert isinstance(year, FinancialYear) and pence is not None
        at = self.layout.at
        extra = {
            name: cells[index].strip()
            for name, index in at.items()
            if name not in REQUIRED_COLUMNS and name not in OPTIONAL_COLUMNS and name
        }
        spend = SpendLine(
            year=year,
            agency=agency,
            category=category,
            theme=theme,
            kind=kind,
            amount=_pounds(pence),
            funded_by=funded_by,
            service=get(cells, "service"),
            description=get(cells, "description"),
            source=get(cells, "source"),
            fields=extra,
            file=self.file,
            line=line,
        )
        if (not category or not theme) and self.classify is not None:
            spend = self._classified(spend)
        return spend

    def _classified(self, spend: SpendLine) -> SpendLine:
        """The line with the category and theme a rule gives, where the line has none."""
        answer = self.classify(spend) if self.classify is not None else None
        if not answer:
            return spend
        return attrs.evolve(
            spend,
            category=spend.category or answer.get("category", "") or "",
            theme=spend.theme or answer.get("theme", "") or "",
        )


def _key(spend: SpendLine) -> SpendKey:
    return (
        str(spend.year),
        spend.agency,
        spend.category or UNCLASSIFIED,
        spend.theme or UNCLASSIFIED,
        spend.kind,
        spend.funded_by,
    )


# -- CSV records -------------------------------------------------------------------------------


def _cells(record: str) -> list[str]:
    """The fields of one CSV record (which may hold quoted commas, quotes and newlines)."""
    return next(csv.reader([record]), [])


class _OpenRecord(Exception):
    """A byte range ended inside a quoted field: its end is not a record boundary."""


def _records(lines: Iterable[str]) -> Iterator[tuple[int, list[str] | str]]:
    """``(first line, fields or a reason)`` for each record of ``lines`` (line ends removed),
    counting lines from 1. Quotes decide where a record ends (see :func:`_record`)."""
    number = 0
    iterator = iter(lines)
    for line in iterator:
        number += 1
        if '"' not in line:
            yield number, line.rstrip("\r").split(",")
        else:
            cells, used = _record(line, iterator)
            yield number, cells
            number += used - 1


# -- tallying a byte range (the hot path) -----------------------------------------------------


def _batches(text: io.TextIOBase, size: int = 1 << 17) -> Iterator[tuple[str, list[str]]]:
    """The text in blocks of whole lines: ``(block, its lines without line ends)``.

    A block whose double quotes do not balance (a quoted field running on past its last line)
    takes in the next block, up to four blocks; a quote still open then is a stray one, left to
    :func:`_record` to report.
    """
    carry = ""
    while True:
        chunk = text.read(size)
        block = carry + chunk
        if not chunk:
            if block:
                lines = block.split("\n")
                if block.endswith("\n"):
                    lines.pop()
                yield block, lines
            return
        cut = block.rfind("\n") + 1
        if block.count('"', 0, cut) % 2 and len(block) < 4 * size:
            carry = block
            continue
        if cut == 0:
            carry = block
            continue
        carry = block[cut:]
        lines = block[:cut].split("\n")
        lines.pop()
        yield block[:cut], lines


class _Tallier:
    """Adds up the rows of one file (or byte range): the hot path of the count.

    A block of lines with no quotes, whose rows are all as wide as the header, whose keys have
    all been seen and checked before and whose amounts are all written plainly ("-1234.56") is
    added up in bulk. Any other block is read row by row, where a row with a known key and a
    plain amount is added directly and every other row is read by :meth:`RowReader.read`.
    A row gets exactly the result the full reading would give, whatever the path: its key maps
    to the key the full reading gave it, and the plain amount forms are a subset of what
    :func:`~totalplace_cases.money.parse_money` reads, to the same value.

    A row's raw key is its key columns' text joined with a unit separator (one string hashes
    and compares far faster than a tuple of six); a line holding that character never takes a
    fast path, so two different keys cannot join to the same text.
    """

    def __init__(self, reader: RowReader, first_line: int = 1):
        self.reader = reader
        self.before = first_line - 1  # the file's lines before this range's first
        at = reader.layout.at
        self.at = at
        self.width = reader.width
        columns = [at[c] for c in ("year", "agency", "category", "theme", "kind")]
        if "funded_by" in at:
            columns.append(at["funded_by"])
        self.key_columns = len(columns)
        pick = operator.itemgetter(*columns)
        self.key_of: Callable[[list[str]], str] = lambda cells: _SEP.join(pick(cells))
        self.keys_of = lambda rows: map(_SEP.join, map(pick, rows))
        self.amount_of = operator.itemgetter(at["amount"])
        self.tally = FileTally(reader.file)
        self.sums: dict[str, int] = {}  # checked raw key -> pence of the rows that took a fast path
        self.known: dict[str, SpendKey] = {}  # raw key -> the key the full reading gave it
        self.fast = 0
        self.lines = 0  # physical lines read
        self.stray = False  # a quote was left open: the end of a block was taken as a limit

    def run(self, text: io.TextIOBase, bounded: bool) -> tuple[FileTally, int]:
        batches = _batches(text)
        for block, lines in batches:
            if '"' not in block and _SEP not in block and self._bulk(lines, "\r" in block):
                self.lines += len(lines)
                continue
            self._rows(lines, bounded)
        for raw, pence in self.sums.items():
            key = self.known[raw]
            self.tally.pence[key] = self.tally.pence.get(key, 0) + pence
        self.tally.lines += self.fast
        self.tally.counted += self.fast
        return self.tally, self.lines

    def _bulk(self, lines: list[str], crlf: bool) -> bool:
        """Add up a whole block at once, if every row in it is plain; else add nothing."""
        if crlf:
            lines = list(map(str.rstrip, lines, repeat("\r")))
        rows = list(map(str.split, lines, repeat(",")))
        if set(map(len, rows)) != {self.width}:
            return False
        amounts = list(map(self.amount_of, rows))
        joined = "\n".join(amounts)
        if _BULK_2(joined):
            pence = list(map(int, joined.replace(".", "").split("\n")))
        elif _BULK_ANY(joined):
            pence = list(map(int, map(Decimal.scaleb, map(Decimal, amounts), repeat(2))))
        else:
            return False
        keys = list(self.keys_of(rows))
        sums = self.sums  # holds every checked raw key, from 0
        get = sums.get
        for key, amount in zip(keys, pence, strict=True):
            total = get(key)
            if total is None:
                # A key not checked yet: take back what this block added, and read it row by row.
                for earlier, added in zip(keys[: keys.index(key)], pence, strict=False):
                    sums[earlier] -= added
                return False
            sums[key] = total + amount
        self.fast += len(rows)
        return True

    def _rows(self, lines: list[str], bounded: bool) -> None:
        """Add up a block row by row."""
        reader, tally, known, sums = self.reader, self.tally, self.known, self.sums
        width, key_of, amount_of = self.width, self.key_of, self.amount_of
        iterator = iter(lines)
        number = self.lines
        for line in iterator:
            number += 1
            if '"' not in line:
                cells = line.rstrip("\r").split(",")
                if len(cells) == width and _SEP not in line:
                    raw = key_of(cells)
                    if raw in known:
                        text = amount_of(cells)
                        if _AMOUNT_2(text):
                            sums[raw] = sums.get(raw, 0) + int(text.replace(".", ""))
                            self.fast += 1
                            continue
                        if _AMOUNT_0(text):
                            sums[raw] = sums.get(raw, 0) + int(text) * 100
                            self.fast += 1
                            continue
                record: list[str] | str = cells
                first = number
            else:
                first = number
                record, used = _record(line, iterator)
                number += used - 1
                if isinstance(record, str) and bounded:
                    self.stray = True
            if isinstance(record, str):
                tally.lines += 1
                tally.rejected.append(Rejection(reader.file, self.before + first, record))
                continue
            result = reader.read(record, self.before + first)
            if result is None:
                continue
            _add(tally, result)
            if isinstance(result, SpendLine) and len(record) == width:
                raw = key_of(record)
                if (
                    raw not in known
                    and raw.count(_SEP) == self.key_columns - 1
                    and _as_given(record, self.at, result)
                ):
                    known[raw] = _key(result)
                    sums[raw] = 0
        self.lines = number


def _as_given(cells: list[str], at: Mapping[str, int], spend: SpendLine) -> bool:
    """Whether the line's category and theme are the file's own (not a rule's, not blank)."""
    return (
        cells[at["category"]].strip() == spend.category != ""
        and cells[at["theme"]].strip() == spend.theme != ""
    )


def _record(line: str, lines: Iterator[str]) -> tuple[list[str] | str, int]:
    """The record that starts with ``line`` (which holds a quote): its fields, or the reason it
    has none, and the number of physical lines it used.

    A record ends where its quotes balance. One whose quote is not closed within
    :data:`MAX_RECORD_LINES` lines, or by the end of ``lines``, is a stray quote.
    """
    record, used = line, 1
    while record.count('"') % 2:
        more = next(lines, None)
        if more is None:
            break
        used += 1
        record += "\n" + more
        if used > MAX_RECORD_LINES:
            break
    if record.count('"') % 2:
        return (
            f"a quoted field opened on this line is not closed within {used} line"
            f"{'s' if used != 1 else ''}; check for a stray double quote"
        ), used
    try:
        return _cells(record.rstrip("\r")), used
    except csv.Error as exc:
        return f"not a readable CSV row ({exc})", used


class _Range(io.RawIOBase):
    """Bytes ``start`` to ``end`` of a file, as a stream of its own."""

    def __init__(self, path: str, start: int, end: int):
        self._file = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._file.seek(start)
        self._left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[: self._left]
        count = self._file.readinto(view)
        self._left -= count or 0
        return count or 0

    def close(self) -> None:
        self._file.close()
        super().close()


def _text_range(path: str, start: int, end: int) -> io.TextIOWrapper:
    raw = io.BufferedReader(_Range(path, start, end), buffer_size=1 << 17)
    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


def _decode_problem(path: str, start: int, end: int, first_line: int) -> Problem:
    """Where a byte range stops being UTF-8, and what the file probably is instead."""
    with open(path, "rb") as handle:
        handle.seek(start)
        number, left = first_line, end - start
        for raw in handle:
            raw = raw[:left]
            left -= len(raw)
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                byte = raw[exc.start]
                return Problem(
                    f"expected UTF-8 text, found byte {byte:#04x}, which is not UTF-8; the file "
                    "looks like Latin-1 or Windows-1252 (e.g. a £ sign saved by older Excel). "
                    'Save it as UTF-8 ("CSV UTF-8" in Excel)',
                    file=path,
                    line=number,
                )
            number += 1
            if left <= 0:
                break
    return Problem("expected UTF-8 text", file=path)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector: the count makes millions of small lists and no
    cycles, and collecting them as it goes would take as long as the counting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _tally_range(
    path: str, start: int, end: int, reader: RowReader, bounded: bool, first_line: int
) -> tuple[FileTally, int]:
    """Tally bytes ``start``-``end``, whose first line is the file's line ``first_line``.

    Rows, rejections and the lines a classifying rule receives carry the file's own line
    numbers; a decoding error's line counts from 1 at ``start``.
    """
    with _text_range(path, start, end) as text, _no_cycle_collection():
        try:
            tallier = _Tallier(reader, first_line)
            result = tallier.run(text, bounded)
        except UnicodeDecodeError:
            problem = _decode_problem(path, start, end, 1)
            raise _DecodeError(problem.line or 1, problem.message) from None
    if tallier.stray:
        raise _OpenRecord
    return result


class _DecodeError(Exception):
    """Not UTF-8 at a line counted from the start of a byte range."""

    def __init__(self, line: int, message: str):
        super().__init__(line, message)
        self.line = line
        self.message = message


# -- the file as a whole -----------------------------------------------------------------------


def _sniff(path: str) -> None:
    """Refuse at once a file that is plainly not UTF-8 text: UTF-16, or a binary file."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        head and head.count(b"\x00") > len(head) // 4
    ):
        raise InputError(
            [
                Problem(
                    'expected UTF-8 text, found UTF-16 (as Excel\'s "Unicode text" saves); '
                    'save the file as UTF-8 ("CSV UTF-8" in Excel)',
                    file=path,
                    line=1,
                )
            ]
        )
    if head.startswith(b"PK\x03\x04"):
        raise InputError(
            [Problem("this is a zip file (an Excel workbook?); name it .xlsx", file=path)]
        )


def _csv_header(path: str) -> tuple[list[str], int]:
    """The header row's fields and the byte offset where the data rows start."""
    with open(path, "rb") as handle:
        first = handle.readline()
        offset = len(first)
    if first.startswith(_BOM):
        first = first[len(_BOM) :]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError([_decode_problem(path, 0, offset, 1)]) from None
    if not text.strip():
        raise InputError(
            [
                Problem(
                    f"expected a header row naming the columns {', '.join(REQUIRED_COLUMNS)}; "
                    "found an empty line" + (" (the file is empty)" if not first else ""),
                    file=path,
                    line=1,
                )
            ]
        )
    if text.count('"') % 2:
        raise InputError([Problem("the header row has an unclosed quote", file=path, line=1)])
    try:
        return _cells(text), offset
    except csv.Error as exc:  # a bare carriage return inside the row, a field over the limit
        raise InputError(
            [Problem(f"the header row is not a readable CSV row ({exc})", file=path, line=1)]
        ) from None


def _boundaries(path: str, start: int, size: int, parts: int) -> list[int]:
    """Offsets that split ``start``-``size`` into about ``parts`` ranges, each at a line end."""
    cuts = [start]
    with open(path, "rb") as handle:
        for part in range(1, parts):
            handle.seek(max(start + (size - start) * part // parts, cuts[-1]))
            handle.readline()
            where = handle.tell()
            if where >= size:
                break
            if where > cuts[-1]:
                cuts.append(where)
    cuts.append(size)
    return cuts


#: Set in the parent just before the workers are forked; read by them (never pickled).
_WORKER_READER: RowReader | None = None


def _worker(path: str, start: int, end: int, last: bool, first_line: int) -> tuple[str, Any]:
    """Tally one byte range in a worker process; errors come back as values."""
    assert _WORKER_READER is not None
    try:
        return "ok", _tally_range(path, start, end, _WORKER_READER, not last, first_line)
    except _OpenRecord:
        return "open", None
    except _DecodeError as exc:
        return "decode", (exc.line, exc.message)
    except Exception as exc:  # a plugin's classifying rule failed, or worse: re-raised there
        from ..errors import PluginError

        if isinstance(exc, PluginError):
            return "plugin", (exc.plugin, exc.hook, exc.detail)
        return "error", f"{type(exc).__name__}: {exc}"


def _parallel(path: str, cuts: list[int], reader: RowReader) -> list[tuple[FileTally, int]] | None:
    """Each range tallied in its own process; None if a range did not end on a record end."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _WORKER_READER
    _WORKER_READER = reader
    ranges = list(itertools.pairwise(cuts))
    first_lines = _first_lines(path, cuts)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(len(ranges), mp_context=context) as pool:
            answers = list(
                pool.map(
                    _worker,
                    [path] * len(ranges),
                    [a for a, _ in ranges],
                    [b for _, b in ranges],
                    [i == len(ranges) - 1 for i in range(len(ranges))],
                    first_lines,
                )
            )
    except BrokenProcessPool:
        return None  # a worker died (killed, out of memory): read the file in this process
    finally:
        _WORKER_READER = None
    parts: list[tuple[FileTally, int]] = []
    lines_before = 1  # the header
    for status, value in answers:
        if status == "open":
            return None
        if status == "decode":
            line, message = value
            raise InputError([Problem(message, file=path, line=lines_before + line)])
        if status == "plugin":
            from ..errors import PluginError

            raise PluginError(*value)
        if status == "error":
            raise RuntimeError(f"reading {path}: {value}")
        parts.append(value)
        lines_before += value[1]
    return parts


def _first_lines(path: str, cuts: list[int]) -> list[int]:
    """The file's line number at the start of each range ``cuts[i]``-``cuts[i + 1]``.

    The first range starts just after the one-line header, at line 2; each later one after
    the line ends of the ranges before it (lines are split at ``\\n`` alone), so that a worker
    reports, and hands a classifying rule, the line a user sees in the file.
    """
    found, line = [2], 2
    with open(path, "rb") as handle:
        handle.seek(cuts[0])
        for start, end in itertools.pairwise(cuts[:-1]):  # the last range's lines: not needed
            left = end - start
            while left > 0:
                block = handle.read(min(left, 1 << 20))
                if not block:
                    break
                left -= len(block)
                line += block.count(b"\n")
            found.append(line)
    return found


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _csv_tally(path: str, reader_for: Callable[[Layout], RowReader], workers: int) -> FileTally:
    _sniff(path)
    header, offset = _csv_header(path)
    reader = reader_for(Layout.from_header(header, path, 1))
    size = os.path.getsize(path)
    parts = None
    if workers > 1 and size - offset >= PARALLEL_BYTES and _can_fork():
        cuts = _boundaries(path, offset, size, workers)
        if len(cuts) > 2:
            parts = _parallel(path, cuts, reader)
    if parts is None:
        try:
            parts = [_tally_range(path, offset, size, reader, False, first_line=2)]
        except _DecodeError as exc:
            raise InputError([Problem(exc.message, file=path, line=1 + exc.line)]) from None
    tally = FileTally(path, workers=len(parts))
    for part, _physical in parts:
        tally.merge(part, 0)  # its lines are the file's own already
    return tally


# -- Excel ---------------------------------------------------------------------------------------


def _excel_text(value: object) -> str:
    """A cell as the text a CSV would hold: numbers at their shortest decimal form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return repr(value)
        return format(Decimal(repr(value)), "f")
    if hasattr(value, "isoformat"):
        return f"the date {value.isoformat()}"  # type: ignore[attr-defined]
    return str(value)


def _excel_rows(path: str) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells as text)`` of the first sheet, or the one named ``count``."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is a dependency
        raise InputError(
            [Problem("reading .xlsx files needs openpyxl (pip install openpyxl)", file=path)]
        ) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors: all mean "not readable"
        raise InputError(
            [Problem(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})", file=path)]
        ) from None
    try:
        sheet = book["count"] if "count" in book.sheetnames else book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_excel_text(v) for v in row]
    finally:
        book.close()


def _excel_lines(path: str) -> tuple[Layout, Iterator[tuple[int, list[str]]]]:
    rows = _excel_rows(path)
    first = next(rows, None)
    header = first[1] if first else []
    while header and not header[-1]:
        header.pop()
    if not header:
        raise InputError(
            [Problem("expected a header row in the first row; found an empty row", file=path,
                     line=1)]
        )  # fmt: skip
    return Layout.from_header(header, path, 1), rows


def _excel_records(layout: Layout, rows: Iterator[tuple[int, list[str]]]):
    width = len(layout.names)
    for number, cells in rows:
        extra = [c for c in cells[width:] if c]
        cells = (cells + [""] * width)[:width]
        if extra:
            yield number, f"long row: a value beyond the last named column ({extra[0]!r})"
        else:
            yield number, cells


def _excel_tally(path: str, reader_for: Callable[[Layout], RowReader]) -> FileTally:
    layout, rows = _excel_lines(path)
    reader = reader_for(layout)
    tally = FileTally(path)
    for spend in _read_all(reader, _excel_records(layout, rows)):
        _add(tally, spend)
    return tally


def _add(tally: FileTally, spend: SpendLine | Rejection) -> None:
    tally.lines += 1
    if isinstance(spend, Rejection):
        tally.rejected.append(spend)
        if spend.amount is not None:
            tally.rejected_pence += int(spend.amount.scaleb(2))
        return
    tally.counted += 1
    key = _key(spend)
    tally.pence[key] = tally.pence.get(key, 0) + int(spend.amount.scaleb(2))
    if not (spend.category and spend.theme):
        tally.unclassified.append(
            Unclassified(
                spend.file, spend.line, spend.agency, spend.amount, spend.service, spend.description
            )
        )


def _read_all(
    reader: RowReader, records: Iterable[tuple[int, list[str] | str]]
) -> Iterator[SpendLine | Rejection]:
    for number, cells in records:
        if isinstance(cells, str):
            yield Rejection(reader.file, number, cells)
            continue
        result = reader.read(cells, number)
        if result is not None:
            yield result


# -- the public readers --------------------------------------------------------------------------


def _kind_of(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".xls", ".xlsm", ".ods"):
        raise InputError(
            [Problem(f"cannot read {suffix} files; save the sheet as .xlsx or CSV", file=path)]
        )
    return "csv"


def tally_spend_file(
    path: Path | str,
    check: SpendCheck,
    *,
    classify: Classifier | None = None,
    workers: int | None = None,
) -> FileTally:
    """Add up one spend file exactly: pence by key, control totals, rejected rows.

    :param check: the agencies and categories a row may name.
    :param classify: gives a category and theme to a line that lacks one (the plugins' rule);
        it receives the :class:`SpendLine` and returns None or ``{"category": ..., "theme":
        ...}``.
    :param workers: processes to use for a large CSV file (default: every core).
    :raises InputError: the file cannot be read at all (it names the file and line).
    """
    path = str(path)
    if not os.path.isfile(path):
        raise InputError([Problem("no such spend file", file=path)])

    def reader_for(layout: Layout) -> RowReader:
        return RowReader(layout, check, path, classify)

    try:
        if _kind_of(path) == "xlsx":
            return _excel_tally(path, reader_for)
        return _csv_tally(path, reader_for, workers or os.cpu_count() or 1)
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: str, exc: OSError) -> InputError:
    return InputError([Problem(f"cannot read the file: {exc.strerror or exc}", file=path)])


def read_spend_lines(
    path: Path | str, check: SpendCheck, *, classify: Classifier | None = None
) -> Iterator[SpendLine | Rejection]:
    """Each data row of a spend file, in order: a :class:`SpendLine` or a :class:`Rejection`.

    Blank rows are skipped. The file is read lazily, in constant memory.
    """
    try:
        yield from _spend_lines(str(path), check, classify)
    except OSError as exc:
        raise _unreadable(str(path), exc) from None


def _spend_lines(
    path: str, check: SpendCheck, classify: Classifier | None
) -> Iterator[SpendLine | Rejection]:
    if not os.path.isfile(path):
        raise InputError([Problem("no such spend file", file=path)])
    if _kind_of(path) == "xlsx":
        layout, rows = _excel_lines(path)
        yield from _read_all(RowReader(layout, check, path, classify), _excel_records(layout, rows))
        return
    _sniff(path)
    header, offset = _csv_header(path)
    reader = RowReader(Layout.from_header(header, path, 1), check, path, classify)
    size = os.path.getsize(path)
    with _text_range(path, offset, size) as text:
        try:
            lines = (line for _, lines in _batches(text) for line in lines)
            records = ((n + 1, cells) for n, cells in _records(lines))
            yield from _read_all(reader, records)
        except UnicodeDecodeError:
            problem = _decode_problem(path, offset, size, 2)
            raise InputError([problem]) from None
