"""All tables, in one module so Alembic's autogenerate and the app see the same metadata.

Timestamps are timezone-aware UTC (SQLModel's UTCDateTime refuses naive values, so a local
time can never slip in); callers pass `now` in rather than reading the clock here. Dates
(`due_date`) are calendar dates in the vendor's own time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Vendor(SQLModel, table=True):
    """An outside partner, identified by the Slack channel the team works with them in."""

    __tablename__ = "vendors"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", name="uq_vendors_team_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    channel_id: str = Field(max_length=32)
    name: str = Field(max_length=80)
    timezone: str = Field(max_length=64)
    checkin_cadence: str = Field(max_length=64)
    summary_cadence: str = Field(max_length=64)
    paused: bool = Field(default=False)
    added_by: str = Field(max_length=32)
    created_at: datetime
    updated_at: datetime


class Task(SQLModel, table=True):
    """A piece of work handed to a vendor: what, to what standard, by when, and for whom."""

    __tablename__ = "tasks"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    title: str = Field(max_length=300)
    standard: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    owner_id: str = Field(max_length=32, index=True)
    assignee_id: str | None = Field(default=None, max_length=32)
    due_date: date | None = Field(default=None)
    status: str = Field(default=TaskStatus.OPEN, max_length=16, index=True)
    announcement_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = Field(default=None)
    closed_by: str | None = Field(default=None, max_length=32)


class AuditEntry(SQLModel, table=True):
    """Append-only record of every change: who did what, to which vendor or task, and when."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    actor_id: str = Field(max_length=32)
    action: str = Field(max_length=64)
    vendor_id: int | None = Field(default=None, index=True)
    task_id: int | None = Field(default=None, index=True)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    at: datetime
