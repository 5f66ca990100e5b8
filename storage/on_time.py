"""On time or late, judged once for every figure that says it (summary, digest, scorecard,
trial verdict, check-in rows, CSV report): see docs/summaries.md.

A finished task is **on time** when the vendor's local date it was *finished* (the accepted
delivery, else the closing itself) is on or before the due date **in force when it was
finished**, `Task.due_in_force`: written when the task is delivered or closed, cleared when
it is reopened or sent back for changes, and never moved by a later `due`. So a due date
moved after the delivery turns neither an on-time delivery late nor a late one on time.
Without a due date a task cannot be late.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from storage.models import Task


def finished_at() -> Any:
    """SQL: when the task was finished, UTC (the accepted delivery, else the closing)."""
    return func.coalesce(col(Task.delivered_at), col(Task.closed_at))


def on_time(finished_day: Any) -> ColumnElement[bool]:
    """SQL: the task (finished on local day `finished_day`) was on time."""
    return or_(col(Task.due_in_force).is_(None), col(Task.due_in_force) >= finished_day)


def days_late(due_in_force: date | None, finished_day: date) -> int:
    """Days after the due date in force (0: on time, or no due date)."""
    return 0 if due_in_force is None else max(0, (finished_day - due_in_force).days)


def task_days_late(task: Task, zone: ZoneInfo) -> int | None:
    """A loaded task's lateness, judged in the vendor's zone; None when it is unfinished."""
    finished: datetime | None = task.delivered_at or task.closed_at
    if finished is None:
        return None
    return days_late(task.due_in_force, finished.astimezone(zone).date())


def due_when_finishing(task: Task) -> dict[str, date | None]:
    """The field to write as the task is delivered or closed: the due date now in force."""
    return {"due_in_force": task.due_date}
