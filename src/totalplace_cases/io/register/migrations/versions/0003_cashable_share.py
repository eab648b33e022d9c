"""The cashable share of a benefit line: a partly cashable line's fraction, beside the boolean.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

``baseline_lines.cashable`` (a boolean) stays, for readers of older registers and libraries.
``cashable_share`` is exact decimal text, a fraction from 0 to 1 ("0.6": 60% cashable). The
rows recorded before this version are not changed (the table is append-only, and its triggers
refuse an UPDATE): their share is null, read as 1 or 0 from ``cashable``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("baseline_lines", sa.Column("cashable_share", sa.String(40), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("the register is never migrated backwards; restore a backup")
