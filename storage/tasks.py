"""Queries about tasks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from storage.database import add_flushed, save_changes
from storage.models import Task, TaskStatus, Vendor


@dataclass(frozen=True)
class TaskRow:
    """A task with the vendor it belongs to, as lists show it."""

    task: Task
    vendor: Vendor


def select_task_rows(*where: Any) -> Select[Task, Vendor]:
    """Tasks with their vendors, as `where` narrows them, for TaskRows (`task_rows`)."""
    return select(Task, Vendor).join(Vendor, col(Vendor.id) == col(Task.vendor_id)).where(*where)


def task_rows(session: Session, query: Select[Task, Vendor]) -> list[TaskRow]:
    return [TaskRow(task, vendor) for task, vendor in session.exec(query).all()]


def soonest_due_first() -> tuple[Any, ...]:
    """ORDER BY for task lists: soonest due first, no due date last, then oldest first."""
    return col(Task.due_date).is_(None), col(Task.due_date), col(Task.id)


@dataclass(frozen=True)
class NewTask:
    """What the owner says about a task they hand a vendor: the task's own columns."""

    title: str
    standard: str
    owner_id: str
    assignee_id: str | None
    due_date: date | None
    cost_minor: int | None = None


def create_task(session: Session, vendor: Vendor, new: NewTask, now: datetime) -> Task:
    """Insert the vendor's new task, open."""
    task = Task(
        team_id=vendor.team_id,
        vendor_id=vendor.saved_id,
        status=TaskStatus.OPEN,
        created_at=now,
        updated_at=now,
        **asdict(new),
    )
    return add_flushed(session, task)


def get_task_row(session: Session, team_id: str, task_id: int) -> TaskRow | None:
    """The task with this id in this team, or None (ids of other teams are unknown here).

    Read to be changed, so the task's row is locked (`FOR NO KEY UPDATE OF tasks` on
    PostgreSQL; SQLite's transactions already hold the write lock): of two requests
    changing one task at once (`done` and `cancel`, two Accepts), the second waits and then
    sees the first's result, instead of both reading "open" and both reporting success.
    NO KEY: rows that only refer to the task (a check-in's task list, a status update) may
    still be inserted meanwhile; task ids never change.
    """
    row = session.exec(
        select_task_rows(Task.id == task_id, Task.team_id == team_id).with_for_update(
            of=Task, key_share=True
        )
    ).first()
    return TaskRow(task=row[0], vendor=row[1]) if row else None


def list_open_tasks(
    session: Session,
    team_id: str,
    *,
    vendor_id: int | None = None,
    owner_id: str | None = None,
    due_before: date | None = None,
    limit: int = 200,
) -> Sequence[TaskRow]:
    """Open tasks, soonest due first (no due date last), filtered as asked."""
    query = select_task_rows(
        Task.team_id == team_id,
        Task.status == TaskStatus.OPEN,
        # A removed vendor's tasks are kept, but out of every list and check-in.
        col(Vendor.removed_at).is_(None),
    )
    if vendor_id is not None:
        query = query.where(Task.vendor_id == vendor_id)
    if owner_id is not None:
        query = query.where(Task.owner_id == owner_id)
    if due_before is not None:
        query = query.where(col(Task.due_date).is_not(None), col(Task.due_date) < due_before)
    return task_rows(session, query.order_by(*soonest_due_first()).limit(limit))


def update_task(session: Session, task: Task, now: datetime, **changes: object) -> Task:
    return save_changes(session, task, now, changes)


def reopen_task(session: Session, task: Task, now: datetime) -> Task:
    """Open the task again, forgetting how it was finished: closed, delivered, and the due
    date in force then (on time is judged afresh when it is finished again)."""
    finish_forgotten: dict[str, object] = {
        "status": TaskStatus.OPEN,
        "closed_at": None,
        "closed_by": None,
        "delivered_at": None,
        "delivered_by": None,
        "due_in_force": None,
    }
    return save_changes(session, task, now, finish_forgotten)


def set_announcement_ts(session: Session, task: Task, ts: str, now: datetime) -> None:
    """Store the announcement's ts with one UPDATE by id (no load or flush of the task)."""
    session.execute(
        update(Task)
        .where(col(Task.id) == task.id)
        .values(announcement_ts=ts, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    task.announcement_ts = ts
    task.updated_at = now
