"""vendor settings for the alignment note and review reminders (figures:, review:);
the vendor's note with a delivery

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-29 15:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
# The lead re-chains this after 0006 and 0007 at merge time.
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("show_figures", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("review_after_minutes", sa.Integer(), server_default="1440", nullable=False)
        )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("status_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_alert", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_updates", schema=None) as batch_op:
        batch_op.drop_column("owner_alert")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("note")
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.drop_column("review_after_minutes")
        batch_op.drop_column("show_figures")
