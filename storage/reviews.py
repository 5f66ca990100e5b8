"""Queries about deliveries and their reviews, the owners' ratings, and vendors' feedback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.database import add_flushed, insert_unless_taken, save_changes
from storage.models import (
    CheckinTask,
    Delivery,
    PostKind,
    PostState,
    ReviewOutcome,
    ScheduledPost,
    Task,
    TaskFeedback,
    Vendor,
    VendorFeedback,
)
from storage.updates import Reply, find_sent_post_by_message

# --------------------------------------------------------------------------- deliveries


def add_delivery(
    session: Session, *, task: Task, delivered_by: str, now: datetime, note: str = ""
) -> Delivery:
    delivery = Delivery(
        note=note,
        task_id=task.saved_id,
        vendor_id=task.vendor_id,
        delivered_by=delivered_by,
        delivered_at=now,
        outcome=ReviewOutcome.PENDING,
    )
    return add_flushed(session, delivery)


def get_delivery(session: Session, delivery_id: int) -> Delivery | None:
    return session.get(Delivery, delivery_id)


def pending_delivery_of(session: Session, task_id: int) -> Delivery | None:
    """The task's newest delivery still waiting for a review, if any."""
    return session.exec(
        select(Delivery)
        .where(Delivery.task_id == task_id, Delivery.outcome == ReviewOutcome.PENDING)
        .order_by(col(Delivery.id).desc())
    ).first()


def decide_delivery_once(
    session: Session,
    delivery: Delivery,
    *,
    outcome: ReviewOutcome,
    reviewed_by: str,
    now: datetime,
    note: str = "",
) -> bool:
    """Record the review unless the delivery was already reviewed.

    One conditional UPDATE, so two clicks racing each other (a double click, Accept in one
    window and Request changes in another) cannot both decide: exactly one gets True.
    """
    result = session.exec(
        update(Delivery)
        .where(col(Delivery.id) == delivery.id, col(Delivery.outcome) == ReviewOutcome.PENDING)
        .values(outcome=outcome, reviewed_by=reviewed_by, reviewed_at=now, review_note=note)
    )
    decided = result.rowcount == 1
    session.refresh(delivery)
    return decided


def latest_checkin_asking_about(session: Session, task_id: int) -> int | None:
    """The id of the newest posted check-in that lists the task (to show its new state)."""
    return session.exec(
        select(ScheduledPost.id)
        .join(CheckinTask, col(CheckinTask.post_id) == col(ScheduledPost.id))
        .where(
            CheckinTask.task_id == task_id,
            ScheduledPost.kind == PostKind.CHECKIN,
            ScheduledPost.state == PostState.SENT,
        )
        .order_by(col(ScheduledPost.id).desc())
    ).first()


# --------------------------------------------------------------------------- task ratings


def get_task_feedback(session: Session, task_id: int) -> TaskFeedback | None:
    return session.exec(select(TaskFeedback).where(TaskFeedback.task_id == task_id)).first()


@dataclass(frozen=True)
class Rating:
    """The owner's scores for a finished task, 1 to 5 each, and what they added."""

    quality: int
    timeliness: int
    communication: int
    comment: str  # "" when they added nothing


def save_task_feedback(
    session: Session, task: Task, rating: Rating, rated_by: str, now: datetime
) -> tuple[TaskFeedback, bool]:
    """Insert the task's rating, or update the one there is; True when it was new.

    One rating per task (unique task_id). Two submissions racing each other could both find
    none and both insert, so the insert is `ON CONFLICT (task_id) DO NOTHING`
    (storage.database.insert_unless_taken): the one that finds the row taken updates it.
    """
    scores: dict[str, Any] = {**asdict(rating), "rated_by": rated_by}
    inserted = insert_unless_taken(
        session,
        TaskFeedback,
        {
            "task_id": task.id,
            "vendor_id": task.vendor_id,
            "created_at": now,
            "updated_at": now,
            **scores,
        },
        ["task_id"],
    )
    created = inserted is not None
    feedback = get_task_feedback(session, task.saved_id)
    if feedback is None:  # pragma: no cover - the row was just inserted or found taken
        raise LookupError(f"no rating for task {task.id} after saving one")
    if not created:
        save_changes(session, feedback, now, scores)
    return feedback, created


# --------------------------------------------------------------------------- vendor feedback


def find_feedback_prompt_by_message(
    session: Session, channel_id: str, message_ts: str
) -> ScheduledPost | None:
    """The posted feedback prompt whose message is `message_ts` in `channel_id`."""
    return find_sent_post_by_message(session, PostKind.FEEDBACK_PROMPT, channel_id, message_ts)


def add_vendor_feedback(session: Session, post: ScheduledPost, reply: Reply) -> VendorFeedback:
    """Insert a reply to a feedback prompt; a repeated delivery raises IntegrityError here
    (unique event_id, unique post and message ts)."""
    feedback = VendorFeedback(post_id=post.saved_id, vendor_id=post.vendor_id, **asdict(reply))
    return add_flushed(session, feedback)


def vendor_feedback_between(
    session: Session,
    vendor_id: int | None,
    start: datetime,
    end: datetime,
    *,
    team_id: str | None = None,
) -> Sequence[VendorFeedback]:
    """Replies to feedback prompts received in [start, end), oldest first.

    One vendor's with `vendor_id`; every vendor's with None, which in a database shared by
    several teams should be narrowed with `team_id`.
    """
    query = select(VendorFeedback).where(
        col(VendorFeedback.at) >= start, col(VendorFeedback.at) < end
    )
    if vendor_id is not None:
        query = query.where(VendorFeedback.vendor_id == vendor_id)
    if team_id is not None:
        query = query.join(Vendor, col(Vendor.id) == col(VendorFeedback.vendor_id)).where(
            Vendor.team_id == team_id
        )
    return session.exec(
        query.order_by(col(VendorFeedback.at), col(VendorFeedback.message_ts))
    ).all()
