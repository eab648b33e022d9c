"""Certified returns: each evidence pack sent to central government, by hash, who and as at when.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from totalplace_cases.io.register.migrations.append_only import statements

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(200)
TIME = sa.String(27)


def upgrade() -> None:
    op.create_table(
        "returns",
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
        sa.CheckConstraint(
            "(supersedes IS NULL AND reason IS NULL) OR "
            "(supersedes IS NOT NULL AND reason IS NOT NULL)",
            name="returns_resubmission_has_reason",
        ),
    )
    for statement in statements(op.get_bind().dialect.name, "returns"):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the register is never migrated backwards; restore a backup")
