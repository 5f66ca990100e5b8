"""Queries about check-ins: what a check-in asked about and what has been answered since."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.models import CheckinTask, ScheduledPost, StatusUpdate, Task


@dataclass(frozen=True)
class CheckinRow:
    """One task in a check-in message, with its latest status update since the check-in."""

    task: Task
    latest: StatusUpdate | None


def checkin_rows(session: Session, post: ScheduledPost) -> Sequence[CheckinRow]:
    """The tasks a check-in asked about, in order, each with its newest update for it.

    Two queries whatever the number of tasks: the tasks, then all their updates for this
    check-in (newest last, so the dict keeps the newest).
    """
    tasks = session.exec(
        select(Task)
        .join(CheckinTask, col(CheckinTask.task_id) == col(Task.id))
        .where(CheckinTask.post_id == post.id)
        .order_by(col(CheckinTask.position))
    ).all()
    latest: dict[int, StatusUpdate] = {}
    for update in session.exec(
        select(StatusUpdate)
        .where(StatusUpdate.post_id == post.id)
        .order_by(col(StatusUpdate.at), col(StatusUpdate.id))
    ).all():
        latest[update.task_id] = update
    return [CheckinRow(task=t, latest=latest.get(t.id or 0)) for t in tasks]


def add_checkin_tasks(session: Session, post: ScheduledPost, tasks: Sequence[Task]) -> None:
    for position, task in enumerate(tasks):
        session.add(CheckinTask(post_id=post.id or 0, task_id=task.id or 0, position=position))
    session.flush()
