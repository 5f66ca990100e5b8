"""Questions the vendor's side asked in task threads (bot.task_questions): stored once per
message, answered by the team's next reply in the thread. One query per call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.database import insert_unless_taken
from storage.models import Task, TaskQuestion, TaskStatus, Vendor
from storage.tasks import select_task_rows

LIMIT = 15  # per list: a note, not a report


def task_of_thread(
    session: Session, team_id: str, channel_id: str, thread_ts: str
) -> tuple[Task, Vendor] | None:
    """The task announced by message `thread_ts` in its vendor's channel, or None."""
    found = session.exec(
        select_task_rows(
            Task.announcement_ts == thread_ts,
            Vendor.channel_id == channel_id,
            Vendor.team_id == team_id,
            col(Vendor.removed_at).is_(None),
        )
    ).first()
    return None if found is None else (found[0], found[1])


def add_question(
    session: Session,
    *,
    task: Task,
    channel_id: str,
    message_ts: str,
    user_id: str,
    text: str,
    at: datetime,
) -> int | None:
    """Store a question; None when this message is stored already (Slack retried it)."""
    return insert_unless_taken(
        session,
        TaskQuestion,
        {
            "task_id": task.id,
            "vendor_id": task.vendor_id,
            "channel_id": channel_id,
            "message_ts": message_ts,
            "user_id": user_id,
            "text": text,
            "asked_at": at,
        },
        ("channel_id", "message_ts"),
    )


def answer_questions(
    session: Session, *, task_id: int, before_ts: str, user_id: str, at: datetime
) -> int:
    """Mark the task's open questions asked before message `before_ts` answered by `user_id`;
    how many. Slack's ts strings order messages of a channel (same width, digits)."""
    result = session.execute(
        update(TaskQuestion)
        .where(
            col(TaskQuestion.task_id) == task_id,
            col(TaskQuestion.answered_at).is_(None),
            col(TaskQuestion.message_ts) < before_ts,
        )
        .values(answered_at=at, answered_by=user_id)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def open_counts(session: Session, task_ids: list[int]) -> dict[int, int]:
    """Unanswered questions per task, for these tasks (missing: none)."""
    if not task_ids:
        return {}
    query = (
        select(TaskQuestion.task_id, func.count())
        .where(col(TaskQuestion.task_id).in_(task_ids), col(TaskQuestion.answered_at).is_(None))
        .group_by(col(TaskQuestion.task_id))
    )
    return {int(task_id): int(count) for task_id, count in session.exec(query).all()}


@dataclass(frozen=True)
class OpenQuestion:
    task: Task
    question: TaskQuestion


def open_questions(session: Session, vendor_id: int, *, limit: int = LIMIT) -> list[OpenQuestion]:
    """The vendor's unanswered questions, on tasks not cancelled; oldest first."""
    query = (
        select(Task, TaskQuestion)
        .join(TaskQuestion, col(TaskQuestion.task_id) == col(Task.id))
        .where(
            TaskQuestion.vendor_id == vendor_id,
            col(TaskQuestion.answered_at).is_(None),
            col(Task.status) != TaskStatus.CANCELLED,
        )
        .order_by(col(TaskQuestion.asked_at), col(TaskQuestion.id))
        .limit(limit)
    )
    return [OpenQuestion(task, question) for task, question in session.exec(query).all()]
