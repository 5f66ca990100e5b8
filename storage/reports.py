"""Queries behind `/delegate report`: a team's records in a range of instants [start, end).

One query per kind of record, whatever the number of rows; each returns the rows with the
task and vendor they belong to, oldest first, so the CSV reads as a timeline per kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, or_, select

from storage.models import (
    AuditEntry,
    CheckinResponse,
    Delivery,
    ScheduledPost,
    StatusUpdate,
    Task,
    TaskFeedback,
    Vendor,
)
from storage.tasks import TaskRow, select_task_rows, task_rows


def _in_use() -> ColumnElement[bool]:
    """Reports leave out removed vendors (`vendor restore` brings their records back)."""
    return col(Vendor.removed_at).is_(None)


def tasks_active_between(
    session: Session, team_id: str, start: datetime, end: datetime
) -> Sequence[TaskRow]:
    """Tasks that existed at some point of the range: created before its end and not
    closed before its start (so open ones too)."""
    query = select_task_rows(
        Task.team_id == team_id,
        _in_use(),
        col(Task.created_at) < end,
        or_(col(Task.closed_at).is_(None), col(Task.closed_at) >= start),
    )
    return task_rows(session, query.order_by(col(Task.created_at), col(Task.id)))


Record = TypeVar("Record", StatusUpdate, TaskFeedback, Delivery, AuditEntry)


def _with_task_and_vendor(
    session: Session, record: type[Record], vendor_of: Any, at: Any, *where: Any
) -> list[tuple[Record, Task, Vendor]]:
    """The `record` rows matching `where`, each with its task and vendor (the vendor by the
    `vendor_of` column), in the order of `at` then id: one query."""
    query = (
        select(record, Task, Vendor)
        .join(Task, col(Task.id) == col(record.task_id))
        .join(Vendor, col(Vendor.id) == col(vendor_of))
        .where(*where)
        .order_by(col(at), col(record.id))
    )
    return [(row, task, vendor) for row, task, vendor in session.exec(query).all()]


def _within(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return (col(column) >= start) & (col(column) < end)


def status_updates_between(
    session: Session, team_id: str, start: datetime, end: datetime
) -> Sequence[tuple[StatusUpdate, Task, Vendor]]:
    reported = (Vendor.team_id == team_id, _in_use(), _within(StatusUpdate.at, start, end))
    return _with_task_and_vendor(session, StatusUpdate, Task.vendor_id, StatusUpdate.at, *reported)


def checkin_responses_between(
    session: Session, team_id: str, start: datetime, end: datetime
) -> Sequence[tuple[CheckinResponse, Vendor]]:
    query = (
        select(CheckinResponse, Vendor)
        .join(ScheduledPost, col(ScheduledPost.id) == col(CheckinResponse.post_id))
        .join(Vendor, col(Vendor.id) == col(ScheduledPost.vendor_id))
        .where(Vendor.team_id == team_id, _in_use(), _within(CheckinResponse.at, start, end))
        .order_by(col(CheckinResponse.at), col(CheckinResponse.id))
    )
    return [(response, vendor) for response, vendor in session.exec(query).all()]


def ratings_between(
    session: Session, team_id: str, start: datetime, end: datetime
) -> Sequence[tuple[TaskFeedback, Task, Vendor]]:
    """Ratings first given in the range (TaskFeedback.created_at)."""
    given = TaskFeedback.created_at
    reported = (Vendor.team_id == team_id, _in_use(), _within(given, start, end))
    return _with_task_and_vendor(session, TaskFeedback, TaskFeedback.vendor_id, given, *reported)


def deliveries_between(
    session: Session, team_id: str, start: datetime, end: datetime
) -> Sequence[tuple[Delivery, Task, Vendor]]:
    """Deliveries made, or reviewed, in [start, end): one row each (its latest state)."""
    made_or_reviewed = or_(
        _within(Delivery.delivered_at, start, end), _within(Delivery.reviewed_at, start, end)
    )
    reported = (Vendor.team_id == team_id, made_or_reviewed)
    return _with_task_and_vendor(
        session, Delivery, Delivery.vendor_id, Delivery.delivered_at, *reported
    )


def due_date_changes_between(
    session: Session, team_id: str, start: datetime, end: datetime
) -> Sequence[tuple[AuditEntry, Task, Vendor]]:
    """Due dates changed in [start, end) (`task.rescheduled` in the audit log)."""
    rescheduled = AuditEntry.action == "task.rescheduled"
    reported = (AuditEntry.team_id == team_id, rescheduled, _within(AuditEntry.at, start, end))
    return _with_task_and_vendor(session, AuditEntry, Task.vendor_id, AuditEntry.at, *reported)
