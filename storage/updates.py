"""Queries about what people said in answer to check-ins: status updates and thread replies."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlmodel import Session, col, select

from storage.database import add_flushed
from storage.models import (
    CheckinResponse,
    CheckinTask,
    PostKind,
    PostState,
    ScheduledPost,
    StatusUpdate,
    Task,
)


def get_checkin(session: Session, post_id: int) -> ScheduledPost | None:
    """The posted check-in with this id, or None (unknown id, another kind, not posted)."""
    post = session.get(ScheduledPost, post_id)
    if post is None or post.kind != PostKind.CHECKIN or post.message_ts is None:
        return None
    return post if post.state == PostState.SENT else None


def find_checkin_by_message(
    session: Session, channel_id: str, message_ts: str
) -> ScheduledPost | None:
    """The posted check-in whose message is `message_ts` in `channel_id` (a thread's parent)."""
    return find_sent_post_by_message(session, PostKind.CHECKIN, channel_id, message_ts)


def find_sent_post_by_message(
    session: Session, kind: PostKind, channel_id: str, message_ts: str
) -> ScheduledPost | None:
    """The posted post of this kind whose message is `message_ts` in `channel_id`."""
    return session.exec(
        select(ScheduledPost).where(
            ScheduledPost.channel_id == channel_id,
            ScheduledPost.message_ts == message_ts,
            ScheduledPost.kind == kind,
            ScheduledPost.state == PostState.SENT,
        )
    ).first()


def checkin_asks_about(session: Session, post_id: int, task_id: int) -> bool:
    return (
        session.exec(
            select(CheckinTask.id).where(
                CheckinTask.post_id == post_id, CheckinTask.task_id == task_id
            )
        ).first()
        is not None
    )


def latest_status_update(session: Session, post_id: int, task_id: int) -> StatusUpdate | None:
    """The newest update on a task in this check-in, read under a lock on the task's row
    (PostgreSQL; SQLite transactions already hold the write lock), so two clicks at the
    same moment are decided one after the other."""
    session.exec(select(Task.id).where(Task.id == task_id).with_for_update(key_share=True)).first()
    return session.exec(
        select(StatusUpdate)
        .where(StatusUpdate.post_id == post_id, StatusUpdate.task_id == task_id)
        .order_by(col(StatusUpdate.id).desc())
    ).first()


@dataclass(frozen=True)
class Said:
    """What someone said about a task, and where: a status update's own columns. Callers
    may subclass it to carry more about the speaker; only these fields are stored."""

    status: str
    user_id: str
    source: str  # "button", "reply", "command" or "nothing_new"
    note: str = ""


def add_status_update(
    session: Session, task: Task, post_id: int | None, said: Said, at: datetime
) -> StatusUpdate:
    columns = {field.name: getattr(said, field.name) for field in fields(Said)}
    update = StatusUpdate(task_id=task.saved_id, post_id=post_id, at=at, **columns)
    return add_flushed(session, update)


def set_owner_alert(session: Session, update_id: int, reference: str) -> None:
    update = session.get(StatusUpdate, update_id)
    if update is not None:
        update.owner_alert = reference[:64]
        session.add(update)


def get_status_update(session: Session, update_id: int) -> StatusUpdate | None:
    return session.get(StatusUpdate, update_id)


def set_status_note(session: Session, update: StatusUpdate, note: str) -> StatusUpdate:
    update.note = note
    session.add(update)
    session.flush()
    return update


@dataclass(frozen=True)
class Reply:
    """A message someone posted in the thread of one of our posts, as Slack's event gave it:
    the columns of a reply row (storage.models.PostReply) but for the post's."""

    event_id: str | None
    user_id: str
    text: str
    message_ts: str
    at: datetime


def add_checkin_response(session: Session, post: ScheduledPost, reply: Reply) -> CheckinResponse:
    """Insert a reply in the check-in's thread; a repeated delivery raises IntegrityError
    here (unique event_id, unique post and message ts) before anything else is written."""
    return add_flushed(session, CheckinResponse(post_id=post.saved_id, **asdict(reply)))
