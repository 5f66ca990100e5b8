"""vendor absences, check-in questions and answers, public holidays by country

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29 15:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vendor_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vendor_absences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vendor_absences_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "question_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), server_default="", nullable=False),
        sa.Column("answer", sa.Text(), server_default="", nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["scheduled_posts.id"]),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_answers_post_id"), ["post_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_question_answers_vendor_id"), ["vendor_id"], unique=False
        )

    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_holidays", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(
            sa.Column("checkin_questions", sa.Text(), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.drop_column("checkin_questions")
        batch_op.drop_column("public_holidays")

    with op.batch_alter_table("question_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_answers_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_question_answers_post_id"))
    op.drop_table("question_answers")

    with op.batch_alter_table("vendor_absences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_absences_vendor_id"))
    op.drop_table("vendor_absences")
