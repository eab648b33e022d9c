"""The register's storage: one code path over SQLite (a file) and PostgreSQL (a shared office).

A :class:`Register` reads and appends; it never updates or deletes, and the database's own
triggers refuse anyone who tries. Every write is one transaction under the register's write lock
(SQLite's ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), so concurrent writers wait for each
other rather than fail, and a write that is interrupted leaves nothing behind. Reads can be made
*as at* a moment: only what had been recorded by then is seen.

Opening a register checks its schema version first and changes nothing: a file that is not a
register, or a register newer than this library, is refused with its bytes untouched; an older
one must be upgraded explicitly (``totalplace track upgrade``).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import attrs
import pendulum
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from ...errors import TotalPlaceError
from . import schema
from .location import RegisterLocation

__all__ = [
    "Baseline",
    "BaselineLine",
    "CertifiedReturn",
    "Entry",
    "NewEntry",
    "Register",
    "RegisterError",
    "now_text",
    "open_register",
]

#: PostgreSQL advisory lock key that serialises the register's writers (any fixed number).
WRITE_LOCK = 7_411_011
BUSY_TIMEOUT_MS = 60_000
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class RegisterError(TotalPlaceError):
    """The register cannot be used as asked: not a register, wrong version, a refused write."""


def now_text() -> str:
    """The current moment in UTC, in the register's fixed-width form."""
    return pendulum.now("UTC").strftime(TIME_FORMAT)


@attrs.frozen
class NewEntry:
    """An actual or forecast to append; ``amount`` is in whole pence."""

    case: str
    benefit: str
    period: str
    kind: str
    amount: int
    evidence: str
    source: str
    recorded_by: str
    supersedes: int | None = None
    reason: str | None = None


@attrs.frozen
class Entry(NewEntry):
    """An entry as recorded: with its id and the moment it was recorded."""

    id: int = 0
    recorded_at: str = ""

    @property
    def pounds(self) -> Decimal:
        return Decimal(self.amount) / 100


def cashable_share_of(cashable: bool, share: object = None) -> Decimal:
    """A line's cashable share, a fraction from 0 to 1: ``share`` when given (text or a
    number), else 1 for a cashable line and 0 for one that is not."""
    if share is None:
        return Decimal(1) if cashable else Decimal(0)
    try:
        value = Decimal(str(share))
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or not 0 <= value <= 1:
        raise ValueError(f"a cashable share is a fraction from 0 to 1, found {share!r}")
    return value


@attrs.frozen
class BaselineLine:
    """A benefit line as it stood when its case's plan was frozen; ``plan`` is pence by period.

    ``cashable`` is true for a line any part of which is cashable; ``cashable_share`` says how
    much (1 or 0 when only ``cashable`` is given).
    """

    benefit: str
    agency: str
    value_type: str
    cashable: bool
    frequency: str
    plan: tuple[tuple[str, int], ...]
    description: str = ""
    owner: str | None = None
    measure: str | None = None
    baseline_value: str | None = None
    baseline_date: str | None = None
    baseline_source: str | None = None
    cashable_share: Decimal = attrs.field(
        default=attrs.Factory(lambda line: cashable_share_of(line.cashable), takes_self=True),
        converter=lambda value: value if isinstance(value, Decimal) else Decimal(str(value)),
    )

    @cashable_share.validator
    def _share(self, _attribute: attrs.Attribute, value: Decimal) -> None:
        cashable_share_of(self.cashable, value)


@attrs.frozen
class Baseline:
    """A case's plan and tolerances, frozen at approval (or re-frozen, with a reason)."""

    case: str
    title: str
    category: str
    start: str
    years: int
    price_base: str
    green: Decimal
    amber: Decimal
    case_sha256: str
    library_version: str
    approved_by: str
    recorded_by: str
    lines: tuple[BaselineLine, ...]
    reason: str | None = None
    id: int = 0
    recorded_at: str = ""


@attrs.frozen
class CertifiedReturn:
    """An evidence return sent to central government: its hash, who certified it, as at when."""

    programme: str
    format: str
    sha256: str
    as_at: str
    inputs: str  # JSON: the name and SHA-256 of every input the return was made from
    library_version: str
    certified_by: str
    supersedes: int | None = None
    reason: str | None = None
    id: int = 0
    recorded_at: str = ""


def open_register(
    location: RegisterLocation, *, create: bool = False, allow_old: bool = False
) -> Register:
    """Open the register at ``location``, checking its schema version and changing nothing.

    :param create: make the register if there is none yet (the writing commands do).
    :param allow_old: accept an older schema (for ``track upgrade`` and ``track backup``).
    :raises RegisterError: not a register, a newer schema, an older one without ``allow_old``,
        or no register at all without ``create``... except that a missing register opened only
        to read is returned empty (see :attr:`Register.empty`).
    """
    if location.engine == "sqlite":
        path = location.path
        assert path is not None
        if path.is_dir():
            raise RegisterError(f"{path} is a folder, not a register file")
        if not path.exists():
            if not create:
                return Register(location, None, None)
            if not path.parent.is_dir():
                raise RegisterError(
                    f"cannot create the register {path}: the folder {path.parent} does not exist"
                )
    else:
        _require_driver()
    register = Register(location, _engine(location), None)
    try:
        version = register._version()
        if version is None and create:
            from .migrate import create_schema

            create_schema(register)
            version = register._version()
    except BaseException:
        register.close()
        raise
    register.version = version
    if version is not None and version != schema.HEAD and not allow_old:
        register.close()
        raise RegisterError(
            f"the register {location} is at schema version {version}; this library writes "
            f"version {schema.HEAD}. Run `totalplace track upgrade` (it backs the register up "
            "first); nothing was changed"
        )
    if create and location.engine == "sqlite":
        register._use_wal()
    return register


def _require_driver() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:  # pragma: no cover - psycopg is a dependency
        raise RegisterError(
            "a PostgreSQL register needs the psycopg driver: pip install 'psycopg[binary]'"
        ) from None


def _engine(location: RegisterLocation) -> Engine:
    if location.engine == "sqlite":
        engine = sa.create_engine(location.sqlalchemy_url)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # The library, not the driver, starts transactions (see "begin" below).
            dbapi_connection.isolation_level = None
            dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            # A writer takes the write lock at once, and waits for it (busy_timeout) if another
            # holds it, instead of failing half-way when it first writes.
            write = connection.get_execution_options().get("register_write")
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return sa.create_engine(location.sqlalchemy_url)


class Register:
    """An open register: read entries, baselines and returns (as at a moment), or append them."""

    def __init__(
        self, location: RegisterLocation, engine: Engine | None, version: str | None
    ) -> None:
        self.location = location
        self.engine = engine
        self.version = version

    @property
    def empty(self) -> bool:
        """True when there is no register yet (nothing has been recorded)."""
        return self.engine is None or self.version is None

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connections ----------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction: one consistent view of the register."""
        assert self.engine is not None
        with self._errors(), self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction holding the register's write lock; all of it or none of it."""
        if self.engine is None:
            raise RegisterError(f"there is no register at {self.location} yet")
        with self._errors(), self.engine.connect() as connection:
            connection.execution_options(register_write=True)
            with connection.begin():
                if self.engine.dialect.name == "postgresql":
                    connection.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK}
                    )
                yield connection

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.DBAPIError as exc:
            raise self._explain(exc) from exc

    def _explain(self, exc: sa.exc.DBAPIError) -> RegisterError:
        original = exc.orig
        text = str(original).strip().splitlines()[0] if original is not None else str(exc)
        if isinstance(original, sqlite3.DatabaseError) and "not a database" in text:
            return RegisterError(
                f"{self.location} is not a benefits register (not an SQLite database); "
                "nothing was changed"
            )
        if "append-only" in text:
            return RegisterError(text)
        if isinstance(exc, sa.exc.OperationalError):
            return RegisterError(f"the register {self.location} cannot be used: {text}")
        return RegisterError(f"the register {self.location} refused the change: {text}")

    def _version(self) -> str | None:
        """The schema version, or None for an empty database; refuses anything else."""
        with self.reading() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            if not tables:
                return None
            if "alembic_version" not in tables or "entries" not in tables:
                raise RegisterError(
                    f"{self.location} is a database but not a benefits register (it has "
                    f"tables {', '.join(sorted(tables)[:5])}); nothing was changed"
                )
            version = connection.execute(
                sa.text("SELECT version_num FROM alembic_version")
            ).scalar()
        if version not in schema.SCHEMA_VERSIONS:
            raise RegisterError(
                f"the register {self.location} has schema version {version}, newer than this "
                f"library knows (up to {schema.HEAD}); upgrade totalplace-cases to use it. "
                "Nothing was changed"
            )
        return str(version)

    def _use_wal(self) -> None:
        """SQLite's write-ahead log: readers never block the writer, and the writer not them.

        Switching a register to it (a new one, made by whichever writer got there first) reads
        the file's header and then rewrites it, and SQLite refuses that upgrade from reading to
        writing at once while another writer holds the lock, without waiting for the busy
        timeout. So the switch itself waits, up to the same timeout, for the others to finish.
        A register already in WAL mode is left as it is, with no lock taken.
        """
        assert self.engine is not None
        raw = self.engine.raw_connection()
        try:
            connection = raw.driver_connection
            deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
            pause = 0.001
            while True:
                try:
                    connection.execute("PRAGMA journal_mode = WAL")  # type: ignore[union-attr]
                    return
                except sqlite3.OperationalError as exc:
                    if not _busy(exc):
                        raise RegisterError(
                            f"the register {self.location} cannot be used: {exc}"
                        ) from exc
                    if time.monotonic() >= deadline:
                        raise RegisterError(
                            f"the register {self.location} stayed locked by another writer for "
                            f"{BUSY_TIMEOUT_MS // 1000} seconds; try again when it has finished"
                        ) from exc
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
        finally:
            raw.close()

    # -- entries --------------------------------------------------------------------------

    def add_entry(self, entry: NewEntry, *, at: str | None = None) -> int:
        """Append one entry; returns its id."""
        with self.writing() as connection:
            self._check_supersedes(connection, [entry] if entry.supersedes is not None else [])
            table = schema.entries
            inserted = connection.execute(
                table.insert().returning(table.c.id), [_entry_row(entry, at or now_text())]
            )
            return int(inserted.scalar_one())

    def add_entries(self, new: Iterable[NewEntry], *, at: str | None = None) -> int:
        """Append entries in one transaction, all recorded at one moment; returns how many."""
        recorded_at = at or now_text()
        count = 0
        with self.writing() as connection:
            for batch in _chunks(new, 10_000):
                self._check_supersedes(connection, [e for e in batch if e.supersedes is not None])
                _bulk_insert(connection, [_entry_tuple(e, recorded_at) for e in batch])
                count += len(batch)
        return count

    def _check_supersedes(self, connection: Connection, corrections: Sequence[NewEntry]) -> None:
        table = schema.entries
        for entry in corrections:
            found = connection.execute(
                sa.select(table.c.id).where(table.c.id == entry.supersedes)
            ).first()
            if found is None:
                raise RegisterError(
                    f"--supersedes {entry.supersedes}: there is no entry {entry.supersedes}"
                )
            later = connection.execute(
                sa.select(table.c.id).where(table.c.supersedes == entry.supersedes)
            ).first()
            if later is not None:
                raise RegisterError(
                    f"--supersedes {entry.supersedes}: entry {entry.supersedes} was already "
                    f"corrected by entry {later[0]}; supersede entry {later[0]} instead"
                )

    def entries(
        self,
        *,
        as_at: str | None = None,
        case: str | None = None,
        benefit: str | None = None,
    ) -> list[Entry]:
        """Every entry (superseded ones too), in the order recorded."""
        if self.empty:
            return []
        table = schema.entries
        query = sa.select(table).order_by(table.c.id)
        if as_at is not None:
            query = query.where(table.c.recorded_at <= as_at)
        if case is not None:
            query = query.where(table.c.case_id == case)
        if benefit is not None:
            query = query.where(table.c.benefit_id == benefit)
        with self.reading() as connection:
            return [_entry(row) for row in connection.execute(query).all()]

    def corrections_of(self, ids: Sequence[int], *, as_at: str | None = None) -> list[Entry]:
        """The entries that supersede any of ``ids``."""
        if self.empty or not ids:
            return []
        table = schema.entries
        found: list[Entry] = []
        with self.reading() as connection:
            for batch in _chunks(ids, 500):
                query = sa.select(table).where(table.c.supersedes.in_(batch))
                if as_at is not None:
                    query = query.where(table.c.recorded_at <= as_at)
                found.extend(_entry(row) for row in connection.execute(query))
        return sorted(found, key=lambda e: e.id)

    def effective_entries(self, *, as_at: str | None = None) -> list[Entry]:
        """The entry that counts for each case, benefit, period and kind, as known at ``as_at``:
        the latest one recorded that no correction recorded by then supersedes."""
        return [_entry(row) for row in self._effective(sa.select(schema.entries), as_at)]

    def effective_amounts(
        self, *, as_at: str | None = None
    ) -> list[tuple[str, str, str, str, int]]:
        """(case, benefit, period, kind, pence) of each entry that counts (see
        :meth:`effective_entries`): what a status report needs, and nothing more."""
        e = schema.entries
        query = sa.select(e.c.case_id, e.c.benefit_id, e.c.period, e.c.kind, e.c.amount_pence,
                          e.c.recorded_at, e.c.id)  # fmt: skip
        return [tuple(row[:5]) for row in self._effective(query, as_at)]  # type: ignore[misc]

    def _effective(self, query: sa.Select, as_at: str | None) -> list[Any]:
        if self.empty:
            return []
        e = schema.entries
        c = schema.entries.alias("c")
        corrected = sa.select(c.c.id).where(c.c.supersedes == e.c.id)
        if as_at is not None:
            corrected = corrected.where(c.c.recorded_at <= as_at)
            query = query.where(e.c.recorded_at <= as_at)
        query = query.where(~sa.exists(corrected))
        latest: dict[tuple, Any] = {}
        with self.reading() as connection:
            for row in connection.execute(query).all():  # fetched at once, not row by row
                key = (row.case_id, row.benefit_id, row.period, row.kind)
                held = latest.get(key)
                if held is None or (row.recorded_at, row.id) > (held.recorded_at, held.id):
                    latest[key] = row
        return sorted(latest.values(), key=lambda row: row.id)

    def count(self) -> int:
        if self.empty:
            return 0
        with self.reading() as connection:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(schema.entries)).scalar()
                or 0
            )

    # -- baselines ------------------------------------------------------------------------

    def add_baseline(self, baseline: Baseline, *, at: str | None = None) -> int:
        """Freeze a case's plan. A case already baselined needs a ``reason`` to re-baseline."""
        recorded_at = at or now_text()
        with self.writing() as connection:
            table = schema.baselines
            earlier = connection.execute(
                sa.select(sa.func.count()).where(table.c.case_id == baseline.case)
            ).scalar()
            if earlier and not baseline.reason:
                raise RegisterError(
                    f"case '{baseline.case}' already has a baseline; to record a new one give "
                    "--reason (the original stays, and status shows both)"
                )
            values = attrs.asdict(baseline, recurse=False)
            del values["lines"], values["id"]
            values.update(
                case_id=values.pop("case"),
                green=str(baseline.green),
                amber=str(baseline.amber),
                recorded_at=recorded_at,
            )
            baseline_id = connection.execute(
                table.insert().returning(table.c.id), values
            ).scalar_one()
            lines, plan = [], []
            for position, line in enumerate(baseline.lines):
                row = attrs.asdict(line, recurse=False)
                periods = row.pop("plan")
                lines.append(
                    {
                        **row,
                        "baseline_id": baseline_id,
                        "benefit_id": row.pop("benefit"),
                        "position": position,
                        "cashable_share": str(line.cashable_share),
                    }
                )
                plan.extend(
                    {
                        "baseline_id": baseline_id,
                        "benefit_id": line.benefit,
                        "period": p,
                        "amount_pence": a,
                    }
                    for p, a in periods
                )
            if lines:
                connection.execute(schema.baseline_lines.insert(), lines)
            if plan:
                connection.execute(schema.baseline_plan.insert(), plan)
        return int(baseline_id)

    def baselines(
        self, *, as_at: str | None = None, case: str | None = None, plans: bool = True
    ) -> list[Baseline]:
        """Every baseline recorded by ``as_at``, oldest first, with its lines and (unless
        ``plans`` is false) their plans."""
        if self.empty:
            return []
        table = schema.baselines
        query = sa.select(table).order_by(table.c.id)
        if as_at is not None:
            query = query.where(table.c.recorded_at <= as_at)
        if case is not None:
            query = query.where(table.c.case_id == case)
        with self.reading() as connection:
            heads = list(connection.execute(query).mappings())
            if not heads:
                return []
            ids = [row["id"] for row in heads]
            lines: dict[int, list[dict]] = {i: [] for i in ids}
            by_line: dict[tuple[int, str], list[tuple[str, int]]] = {}
            bl, bp = schema.baseline_lines, schema.baseline_plan
            for row in connection.execute(
                sa.select(bl)
                .where(bl.c.baseline_id.in_(ids))
                .order_by(bl.c.baseline_id, bl.c.position)
            ).mappings():
                lines[row["baseline_id"]].append(dict(row))
            query = sa.select(bp.c.baseline_id, bp.c.benefit_id, bp.c.period, bp.c.amount_pence)
            for baseline_id, benefit_id, period, pence in connection.execute(
                query.where(bp.c.baseline_id.in_(ids) if plans else sa.false())
            ).all():
                by_line.setdefault((baseline_id, benefit_id), []).append((period, int(pence)))
        result = []
        for head in heads:
            built = []
            for row in lines[head["id"]]:
                plan = sorted(by_line.get((head["id"], row["benefit_id"]), []))
                built.append(
                    BaselineLine(
                        benefit=row["benefit_id"],
                        agency=row["agency"],
                        value_type=row["value_type"],
                        cashable=bool(row["cashable"]),
                        frequency=row["frequency"],
                        plan=tuple(plan),
                        description=row["description"],
                        owner=row["owner"],
                        measure=row["measure"],
                        baseline_value=row["baseline_value"],
                        baseline_date=row["baseline_date"],
                        baseline_source=row["baseline_source"],
                        cashable_share=cashable_share_of(
                            bool(row["cashable"]), row["cashable_share"]
                        ),
                    )
                )
            result.append(
                Baseline(
                    case=head["case_id"],
                    title=head["title"],
                    category=head["category"],
                    start=head["start"],
                    years=int(head["years"]),
                    price_base=head["price_base"],
                    green=Decimal(head["green"]),
                    amber=Decimal(head["amber"]),
                    case_sha256=head["case_sha256"],
                    library_version=head["library_version"],
                    approved_by=head["approved_by"],
                    recorded_by=head["recorded_by"],
                    lines=tuple(built),
                    reason=head["reason"],
                    id=int(head["id"]),
                    recorded_at=head["recorded_at"],
                )
            )
        return result

    # -- certified returns ----------------------------------------------------------------

    def add_return(self, certified: CertifiedReturn, *, at: str | None = None) -> int:
        """Record an evidence return as certified (a resubmission supersedes, with a reason)."""
        values = attrs.asdict(certified, recurse=False)
        del values["id"]
        values["recorded_at"] = at or now_text()
        with self.writing() as connection:
            table = schema.returns
            return int(
                connection.execute(table.insert().returning(table.c.id), values).scalar_one()
            )

    def returns(self, *, as_at: str | None = None) -> list[CertifiedReturn]:
        """Every certified return recorded by ``as_at``, oldest first."""
        if self.empty:
            return []
        table = schema.returns
        query = sa.select(table).order_by(table.c.id)
        if as_at is not None:
            query = query.where(table.c.recorded_at <= as_at)
        with self.reading() as connection:
            return [CertifiedReturn(**row) for row in connection.execute(query).mappings()]


def _busy(error: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds a lock (SQLITE_BUSY, any
    extended code), rather than for a reason waiting cannot cure."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


def _entry_row(entry: NewEntry, recorded_at: str) -> dict[str, Any]:
    return {
        "case_id": entry.case,
        "benefit_id": entry.benefit,
        "period": entry.period,
        "kind": entry.kind,
        "amount_pence": entry.amount,
        "evidence": entry.evidence,
        "source": entry.source,
        "recorded_by": entry.recorded_by,
        "recorded_at": recorded_at,
        "supersedes": entry.supersedes,
        "reason": entry.reason,
    }


_ENTRY_COLUMNS = (
    "case_id", "benefit_id", "period", "kind", "amount_pence", "evidence", "source",
    "recorded_by", "recorded_at", "supersedes", "reason",
)  # fmt: skip


def _entry_tuple(entry: NewEntry, recorded_at: str) -> tuple:
    e = entry
    return (e.case, e.benefit, e.period, e.kind, e.amount, e.evidence, e.source, e.recorded_by,
            recorded_at, e.supersedes, e.reason)  # fmt: skip


def _bulk_insert(connection: Connection, rows: list[tuple]) -> None:
    """Many entries at once, by the engine's fastest way: PostgreSQL's COPY, SQLite's
    executemany. The same rows, the same transaction; only the speed differs."""
    columns = ", ".join(_ENTRY_COLUMNS)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(f"COPY entries ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in _ENTRY_COLUMNS)
    connection.exec_driver_sql(f"INSERT INTO entries ({columns}) VALUES ({marks})", rows)


def _entry(row: Any) -> Entry:
    return Entry(
        id=int(row.id),
        case=row.case_id,
        benefit=row.benefit_id,
        period=row.period,
        kind=row.kind,
        amount=int(row.amount_pence),
        evidence=row.evidence,
        source=row.source,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        supersedes=row.supersedes,
        reason=row.reason,
    )


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
