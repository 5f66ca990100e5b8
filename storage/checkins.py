"""Queries about check-ins: what a check-in asked about and what has been answered since."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, not_, or_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from storage.models import CheckinTask, PostKind, PostState, ScheduledPost, StatusUpdate, Task


def answers_checkin(update: Any, post: Any) -> ColumnElement[bool]:
    """SQL: status update `update` answers check-in `post` (both may be aliases).

    A status given on the check-in itself (its button, a reply in its thread) answers it;
    so does a status given by any other route (an older check-in's button, a command) on
    one of its tasks after it was posted, as long as no later check-in listing that task
    had been posted by then: an answer belongs to the latest check-in that asked.
    """
    listed = aliased(CheckinTask)
    later = aliased(ScheduledPost)
    later_listed = aliased(CheckinTask)
    asked_again = (
        exists()
        .where(
            col(later_listed.task_id) == col(update.task_id),
            col(later_listed.post_id) == col(later.id),
            col(later.vendor_id) == col(post.vendor_id),
            col(later.kind) == PostKind.CHECKIN,
            col(later.state) == PostState.SENT,
            col(later.sent_at) > col(post.sent_at),
            col(later.sent_at) <= col(update.at),
        )
        .correlate(update, post)
    )
    return or_(
        col(update.post_id) == col(post.id),
        and_(
            col(update.at) >= col(post.sent_at),
            exists()
            .where(col(listed.post_id) == col(post.id), col(listed.task_id) == col(update.task_id))
            .correlate(update, post),
            not_(asked_again),
        ),
    )


@dataclass(frozen=True)
class CheckinRow:
    """One task in a check-in message, with its latest status update: given on this
    check-in, or by any route since it was posted (the task's current word)."""

    task: Task
    latest: StatusUpdate | None


def checkin_rows(session: Session, post: ScheduledPost) -> Sequence[CheckinRow]:
    """The tasks a check-in asked about, in order, each with its newest update for it.

    Two queries whatever the number of tasks: the tasks, then their updates given on this
    check-in or since it was posted, by any route (newest last, so the dict keeps the
    newest): a row shows what is true now, wherever it was said.
    """
    tasks = session.exec(
        select(Task)
        .join(CheckinTask, col(CheckinTask.task_id) == col(Task.id))
        .where(CheckinTask.post_id == post.id)
        .order_by(col(CheckinTask.position))
    ).all()
    latest: dict[int, StatusUpdate] = {}
    listed = select(CheckinTask.task_id).where(CheckinTask.post_id == post.id)
    since = post.sent_at or post.claimed_at
    for update in session.exec(
        select(StatusUpdate)
        .where(
            or_(
                col(StatusUpdate.post_id) == post.id,
                and_(col(StatusUpdate.at) >= since, col(StatusUpdate.task_id).in_(listed)),
            )
        )
        .order_by(col(StatusUpdate.at), col(StatusUpdate.id))
    ).all():
        latest[update.task_id] = update
    return [CheckinRow(task=t, latest=latest.get(t.saved_id)) for t in tasks]


def add_checkin_tasks(session: Session, post: ScheduledPost, tasks: Sequence[Task]) -> None:
    for position, task in enumerate(tasks):
        session.add(CheckinTask(post_id=post.saved_id, task_id=task.saved_id, position=position))
    session.flush()
