"""one absence per person and span: the Away… form sent twice stores one row

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 19:05:00.000000

Rows a double submission stored before this revision are merged first: of each group with
the same vendor, person and span, the earliest is kept.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM vendor_absences WHERE id NOT IN ("
        " SELECT MIN(id) FROM vendor_absences"
        " GROUP BY vendor_id, user_id, first_day, last_day)"
    )
    with op.batch_alter_table("vendor_absences") as batch:
        batch.create_unique_constraint(
            "uq_vendor_absences_span", ["vendor_id", "user_id", "first_day", "last_day"]
        )


def downgrade() -> None:
    with op.batch_alter_table("vendor_absences") as batch:
        batch.drop_constraint("uq_vendor_absences_span", type_="unique")
