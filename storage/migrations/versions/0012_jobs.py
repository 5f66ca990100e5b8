"""jobs: the work a Slack request starts after its ack, queued durably (issue 16)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 18:00:00

The web process acknowledges a command, click or event and writes it here in one INSERT; a
job runner (`python -m bot jobs`, or the web process itself) claims it with a lease, runs
the listener and marks it done. A runner that stops mid-job leaves the lease to expire and
another picks the job up again; `effect` is what makes that second run do nothing twice.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False, server_default=""),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("enqueued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("effect", sa.String(64), nullable=True),
    )
    # The runners' one question, "the oldest unfinished job", reads only this small index.
    op.create_index(
        "ix_jobs_unfinished",
        "jobs",
        ["id"],
        postgresql_where=sa.text("finished_at IS NULL"),
        sqlite_where=sa.text("finished_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_unfinished", table_name="jobs")
    op.drop_table("jobs")
