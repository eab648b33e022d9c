"""The register's tables, as SQLAlchemy Core sees them when reading and writing.

The database itself is built by the Alembic migrations in ``migrations/versions`` (each a
snapshot that never changes once released); this module mirrors the newest of them, and a test
checks that the two agree. Money is whole pence in a 64-bit integer; times are UTC text of one
fixed width (``2012-04-30T12:00:00.000000Z``), which sorts as time does on every engine.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "APPEND_ONLY_TABLES",
    "HEAD",
    "SCHEMA_VERSIONS",
    "baseline_lines",
    "baseline_plan",
    "baselines",
    "entries",
    "metadata",
    "returns",
]

#: Every schema version this library knows, oldest first; the last is the one it writes.
SCHEMA_VERSIONS: tuple[str, ...] = ("0001", "0002", "0003")
HEAD = SCHEMA_VERSIONS[-1]

metadata = sa.MetaData()

ID = sa.String(200)
TIME = sa.String(27)

entries = sa.Table(
    "entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", ID, nullable=False),
    sa.Column("benefit_id", ID, nullable=False),
    sa.Column("period", sa.String(12), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("amount_pence", sa.BigInteger, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("recorded_by", ID, nullable=False),
    sa.Column("recorded_at", TIME, nullable=False),
    sa.Column("supersedes", sa.Integer, sa.ForeignKey("entries.id"), unique=True),
    sa.Column("reason", sa.Text),
)

baselines = sa.Table(
    "baselines",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", ID, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("category", ID, nullable=False),
    sa.Column("start", sa.String(7), nullable=False),
    sa.Column("years", sa.Integer, nullable=False),
    sa.Column("price_base", sa.String(7), nullable=False),
    sa.Column("green", sa.String(40), nullable=False),
    sa.Column("amber", sa.String(40), nullable=False),
    sa.Column("case_sha256", sa.String(64), nullable=False),
    sa.Column("library_version", sa.String(60), nullable=False),
    sa.Column("approved_by", ID, nullable=False),
    sa.Column("recorded_by", ID, nullable=False),
    sa.Column("recorded_at", TIME, nullable=False),
    sa.Column("reason", sa.Text),
)

baseline_lines = sa.Table(
    "baseline_lines",
    metadata,
    sa.Column("baseline_id", sa.Integer, sa.ForeignKey("baselines.id"), primary_key=True),
    sa.Column("benefit_id", ID, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("agency", ID, nullable=False),
    sa.Column("value_type", sa.String(20), nullable=False),
    sa.Column("cashable", sa.Boolean, nullable=False),
    sa.Column("frequency", sa.String(20), nullable=False),
    sa.Column("owner", sa.Text),
    sa.Column("measure", sa.Text),
    sa.Column("baseline_value", sa.Text),
    sa.Column("baseline_date", sa.String(10)),
    sa.Column("baseline_source", sa.Text),
    sa.Column("description", sa.Text, nullable=False),
    # 0003: the cashable share of a partly cashable line, exact decimal text ("0.6"); null in
    # rows recorded before it, which read as 1 or 0 from ``cashable``.
    sa.Column("cashable_share", sa.String(40)),
)

baseline_plan = sa.Table(
    "baseline_plan",
    metadata,
    sa.Column("baseline_id", sa.Integer, sa.ForeignKey("baselines.id"), primary_key=True),
    sa.Column("benefit_id", ID, primary_key=True),
    sa.Column("period", sa.String(12), primary_key=True),
    sa.Column("amount_pence", sa.BigInteger, nullable=False),
)

returns = sa.Table(
    "returns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("programme", ID, nullable=False),
    sa.Column("format", sa.String(40), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("as_at", TIME, nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("library_version", sa.String(60), nullable=False),
    sa.Column("certified_by", ID, nullable=False),
    sa.Column("recorded_at", TIME, nullable=False),
    sa.Column("supersedes", sa.Integer, sa.ForeignKey("returns.id"), unique=True),
    sa.Column("reason", sa.Text),
)

#: Tables whose rows may be added but never changed or removed (enforced by database triggers).
APPEND_ONLY_TABLES: tuple[str, ...] = (
    "entries",
    "baselines",
    "baseline_lines",
    "baseline_plan",
    "returns",
)
