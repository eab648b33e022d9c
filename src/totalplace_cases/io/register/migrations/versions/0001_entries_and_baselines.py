"""The register's first schema: entries (actuals and forecasts) and frozen baselines.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from totalplace_cases.io.register.migrations.append_only import statements

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(200)
TIME = sa.String(27)


def upgrade() -> None:
    op.create_table(
        "entries",
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
        sa.CheckConstraint("kind IN ('actual', 'forecast')", name="entries_kind"),
        sa.CheckConstraint(
            "(supersedes IS NULL AND reason IS NULL) OR "
            "(supersedes IS NOT NULL AND reason IS NOT NULL)",
            name="entries_correction_has_reason",
        ),
    )
    op.create_index("entries_line", "entries", ["case_id", "benefit_id", "period", "kind"])
    op.create_index("entries_recorded_at", "entries", ["recorded_at"])
    op.create_table(
        "baselines",
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
    op.create_index("baselines_case", "baselines", ["case_id"])
    op.create_table(
        "baseline_lines",
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
    )
    op.create_table(
        "baseline_plan",
        sa.Column("baseline_id", sa.Integer, sa.ForeignKey("baselines.id"), primary_key=True),
        sa.Column("benefit_id", ID, primary_key=True),
        sa.Column("period", sa.String(12), primary_key=True),
        sa.Column("amount_pence", sa.BigInteger, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for table in ("entries", "baselines", "baseline_lines", "baseline_plan"):
        for statement in statements(dialect, table):
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the register is never migrated backwards; restore a backup")
