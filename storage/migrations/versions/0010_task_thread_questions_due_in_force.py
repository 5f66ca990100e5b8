"""questions asked in task threads; the due date in force when a task was finished

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 18:10:00.000000

`tasks.due_in_force` is filled for the tasks already finished with their current due date:
until now a due date could only be moved while a task was open, so the current one is the
date that was in force when they were finished.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("message_ts", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("answered_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"]),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id", "message_ts", name="uq_task_questions_message"),
    )
    with op.batch_alter_table("task_questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_questions_task_id"), ["task_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_task_questions_vendor_id"), ["vendor_id"], unique=False
        )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_in_force", sa.Date(), nullable=True))
        batch_op.create_index("ix_tasks_announcement_ts", ["announcement_ts"], unique=False)
    op.execute(
        "UPDATE tasks SET due_in_force = due_date "
        "WHERE delivered_at IS NOT NULL OR closed_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_announcement_ts")
        batch_op.drop_column("due_in_force")
    with op.batch_alter_table("task_questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_questions_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_task_questions_task_id"))
    op.drop_table("task_questions")
