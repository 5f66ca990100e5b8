"""Deliveries, their review by the task's owner, ratings and vendors' feedback. No Slack.

A vendor contact's "Done" does not close a task: it delivers it (status delivered, a pending
Delivery) and the owner reviews it, accepting it (the task is done) or asking for changes
(the task is open again). The owner's own "Done" closes at once; on a delivered task it
counts as accepting the delivery. Every write is audited in the same transaction, and every
id that arrives from Slack is checked against the installing team before anything is
written: a refusal is a UsageError whose message the clicker sees, privately.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import blocks, people, task_changes
from bot.checkin_replies import ThreadMessage
from bot.errors import DuplicateDelivery, UsageError
from bot.slack_text import readable_text
from storage import audit, on_time, tasks
from storage import reviews as review_store
from storage.models import (
    Delivery,
    ReviewOutcome,
    ScheduledPost,
    Task,
    TaskFeedback,
    TaskStatus,
    Vendor,
    VendorFeedback,
)
from storage.tasks import TaskRow
from storage.updates import Reply

MAX_CHANGE_REQUEST_LENGTH = 2000
MAX_RATING_COMMENT_LENGTH = 2000
RATING_SCORES = (1, 2, 3, 4, 5)
_SCORE_VALUES = frozenset(str(score) for score in RATING_SCORES)

UNKNOWN_DELIVERY = "I couldn't find that delivery; nothing changed."
UNKNOWN_TASK = "I couldn't find that task; nothing changed."


def _owner_mention(task: Task) -> str:
    return f"<@{task.owner_id}>"


# --------------------------------------------------------------------------- marking done


class DoneOutcome(StrEnum):
    DELIVERED = "delivered"  # a vendor contact said so: waiting for the owner's review
    CLOSED = "closed"  # an internal user said so: the task is done
    ACCEPTED = "accepted"  # the owner said so about a delivered task: accepted, done


@dataclass(frozen=True)
class TaskMarkedDone:
    """What "Done" did to a task, with what the caller needs to tell people."""

    task: Task
    vendor: Vendor
    outcome: DoneOutcome
    actor_id: str
    delivery: Delivery | None = None  # the delivery created (delivered) or accepted

    @property
    def owner_reviews(self) -> bool:
        """The owner gets a review message with Accept / Request changes."""
        return self.outcome == DoneOutcome.DELIVERED

    @property
    def owner_rates(self) -> bool:
        """The owner gets the rating prompt: they accepted, or closed their own task."""
        return self.outcome == DoneOutcome.ACCEPTED or (
            self.outcome == DoneOutcome.CLOSED and self.actor_id == self.task.owner_id
        )


def mark_task_done(
    session: Session,
    *,
    team_id: str,
    actor_id: str,
    actor_is_outside: bool,
    task_id: int,
    now: datetime,
    channel_id: str | None = None,
) -> TaskMarkedDone:
    """`/delegate done ID`: deliver, close, or (the owner, on a delivered task) accept.

    An outside user may only deliver tasks of the vendor whose channel they typed in
    (`channel_id`): anything else is "no such task", so no other vendor's ids leak.
    """
    row = people.find_task(
        session, team_id, task_id, actor_is_outside=actor_is_outside, channel_id=channel_id
    )
    if row.task.status == TaskStatus.OPEN:
        return finish_open_task(
            session, row, actor_id=actor_id, actor_is_outside=actor_is_outside, now=now
        )
    if row.task.status != TaskStatus.DELIVERED:
        raise UsageError(f"Task #{task_id} is already {row.task.status}; nothing changed.")
    if actor_id != row.task.owner_id:
        raise UsageError(
            f"Task #{task_id} was delivered and is waiting for {_owner_mention(row.task)}'s "
            "review; nothing changed."
        )
    delivery = review_store.pending_delivery_of(session, task_id)
    if delivery is None:  # delivered without a delivery row: close it as the owner asks
        _close_delivered(session, row, actor_id, now)
        return TaskMarkedDone(row.task, row.vendor, DoneOutcome.ACCEPTED, actor_id)
    _accept(session, Review(delivery, row.task, row.vendor), actor_id, now)
    return TaskMarkedDone(row.task, row.vendor, DoneOutcome.ACCEPTED, actor_id, delivery)


def finish_open_task(
    session: Session,
    row: TaskRow,
    *,
    actor_id: str,
    actor_is_outside: bool,
    now: datetime,
    note: str = "",
) -> TaskMarkedDone:
    """An open task someone said is done: a vendor contact delivers it (with `note`, what
    they said with it, for the owner's review), anyone else closes it."""
    task, vendor = row.task, row.vendor
    if not people.is_vendor_contact(task, actor_id, actor_is_outside):
        task_changes.finish_task(
            session,
            team_id=task.team_id,
            actor_id=actor_id,
            task_id=task.saved_id,
            status=TaskStatus.DONE,
            now=now,
        )
        return TaskMarkedDone(task, vendor, DoneOutcome.CLOSED, actor_id)
    tasks.update_task(
        session,
        task,
        now,
        status=TaskStatus.DELIVERED,
        delivered_at=now,
        delivered_by=actor_id,
        **on_time.due_when_finishing(task),
    )
    delivery = review_store.add_delivery(
        session, task=task, delivered_by=actor_id, now=now, note=note
    )
    audit.record_change(
        session, "task.delivered", task, {"delivery_id": delivery.id}, by=actor_id, at=now
    )
    return TaskMarkedDone(task, vendor, DoneOutcome.DELIVERED, actor_id, delivery)


# --------------------------------------------------------------------------- reviewing


@dataclass(frozen=True)
class Review:
    """A delivery with its task and vendor, as the review message shows it."""

    delivery: Delivery
    task: Task
    vendor: Vendor


class AlreadyReviewed(UsageError):
    """The delivery was decided before this click: say what was decided, change nothing.

    Carries the review, detached from its session (which rolls back), so the caller can
    still show the decision in the review message.
    """

    def __init__(self, review: Review) -> None:
        super().__init__(describe_decision(review.delivery) + "; nothing changed.")
        self.review = review


def _already_reviewed(session: Session, review: Review) -> AlreadyReviewed:
    # A rollback expires what its session holds; what is expunged first keeps its values.
    for item in (review.delivery, review.task, review.vendor):
        if item in session:
            session.expunge(item)
    return AlreadyReviewed(review)


def _audit_review(
    session: Session, review: Review, action: str, user_id: str, now: datetime
) -> None:
    """The owner's decision on a delivery is audited against its task, naming the delivery."""
    audit.record_change(
        session, action, review.task, {"delivery_id": review.delivery.id}, by=user_id, at=now
    )


def describe_decision(delivery: Delivery) -> str:
    """`Accepted by <@U…>` / `Changes requested by <@U…>` (ids are stored, never user text)."""
    who = f"<@{delivery.reviewed_by}>" if delivery.reviewed_by else "someone"
    if delivery.outcome == ReviewOutcome.ACCEPTED:
        return f"This delivery was already accepted by {who}"
    if delivery.outcome == ReviewOutcome.CHANGES_REQUESTED:
        return f"Changes to this delivery were already requested by {who}"
    return "This delivery is waiting for a review"


@dataclass(frozen=True)
class MessageRef:
    """Where a message is, to update it in place."""

    channel_id: str
    ts: str


_ID = re.compile(r"[0-9]{1,12}")
_METADATA = re.compile(r"(?P<id>[0-9]{1,12})(?::(?P<channel>[A-Z0-9]{1,32}):(?P<ts>[0-9.]{1,32}))?")


def read_id(value: str, unknown: str) -> int:
    """A button's value: an id, digits only; `unknown` is the refusal for anything else."""
    if not _ID.fullmatch(value or ""):
        raise UsageError(unknown)
    return int(value)


def read_form_metadata(metadata: str, unknown: str) -> tuple[int, MessageRef | None]:
    """A form's private_metadata (bot.blocks.message_metadata): the id, and the message."""
    match = _METADATA.fullmatch(metadata or "")
    if match is None:
        raise UsageError(unknown)
    where = MessageRef(match["channel"], match["ts"]) if match["channel"] else None
    return int(match["id"]), where


def find_review(session: Session, *, team_id: str, delivery_id: int) -> Review:
    """The delivery, if it exists and its task belongs to the installing team."""
    delivery = review_store.get_delivery(session, delivery_id)
    row = tasks.get_task_row(session, team_id, delivery.task_id) if delivery else None
    if delivery is None or row is None or row.vendor.id != delivery.vendor_id:
        raise UsageError(UNKNOWN_DELIVERY)
    return Review(delivery, row.task, row.vendor)


def check_can_review(session: Session, *, team_id: str, delivery_id: int, user_id: str) -> Review:
    """The review a click or form is about; only the owner reviews, and only once."""
    review = find_review(session, team_id=team_id, delivery_id=delivery_id)
    if user_id != review.task.owner_id:
        raise UsageError(
            f"Only {_owner_mention(review.task)}, who delegated task #{review.task.id}, can "
            "review this delivery; nothing changed."
        )
    if review.delivery.outcome != ReviewOutcome.PENDING:
        raise _already_reviewed(session, review)
    if review.task.status != TaskStatus.DELIVERED:
        raise UsageError(f"Task #{review.task.id} is {review.task.status} now; nothing changed.")
    return review


def accept_delivery(
    session: Session, *, team_id: str, delivery_id: int, user_id: str, now: datetime
) -> Review:
    """The owner accepts: the delivery is accepted and the task done."""
    review = check_can_review(session, team_id=team_id, delivery_id=delivery_id, user_id=user_id)
    _accept(session, review, user_id, now)
    return review


def _accept(session: Session, review: Review, user_id: str, now: datetime) -> None:
    if not review_store.decide_delivery_once(
        session, review.delivery, outcome=ReviewOutcome.ACCEPTED, reviewed_by=user_id, now=now
    ):
        raise _already_reviewed(session, review)
    _audit_review(session, review, "task.delivery_accepted", user_id, now)
    _close_delivered(session, TaskRow(review.task, review.vendor), user_id, now)


def _close_delivered(session: Session, row: TaskRow, user_id: str, now: datetime) -> None:
    tasks.update_task(
        session, row.task, now, status=TaskStatus.DONE, closed_at=now, closed_by=user_id
    )
    audit.record_change(session, "task.done", row.task, by=user_id, at=now)


def clean_change_request(text: str) -> str:
    """The "what should change?" answer, stripped; refused when empty or too long."""
    note = text.strip()
    if not note:
        raise UsageError("Say what should change, so the vendor knows what to do.")
    if len(note) > MAX_CHANGE_REQUEST_LENGTH:
        raise UsageError(f"Keep it under {MAX_CHANGE_REQUEST_LENGTH} characters.")
    return note


def request_changes(
    session: Session, *, team_id: str, delivery_id: int, user_id: str, note: str, now: datetime
) -> Review:
    """The owner asks for changes: the delivery keeps the note, the task is open again.

    An open task claims no delivery, so `delivered_at`/`delivered_by` are cleared; the
    Delivery row keeps the history.
    """
    note = clean_change_request(note)
    review = check_can_review(session, team_id=team_id, delivery_id=delivery_id, user_id=user_id)
    if not review_store.decide_delivery_once(
        session,
        review.delivery,
        outcome=ReviewOutcome.CHANGES_REQUESTED,
        reviewed_by=user_id,
        now=now,
        note=note,
    ):
        raise _already_reviewed(session, review)
    tasks.reopen_task(session, review.task, now)  # a delivered task was never closed
    _audit_review(session, review, "task.changes_requested", user_id, now)
    return review


# --------------------------------------------------------------------------- ratings


Rating = review_store.Rating  # the form's scores are the stored rating's columns


def check_rating(
    scores: Mapping[str, str | None], comment: str
) -> tuple[Rating | None, dict[str, str]]:
    """The rating form's choices -> a Rating, or the errors to show per field.

    `scores` holds each of bot.blocks' RATING_FIELDS' chosen value (None when nothing was
    chosen): it must be one of "1".."5" (a forged value is refused like a missing one); the
    comment is optional and at most MAX_RATING_COMMENT_LENGTH characters.
    """
    errors: dict[str, str] = {}
    chosen: dict[str, int] = {}
    for field, label in blocks.RATING_FIELDS:
        value = scores.get(field)
        if value is not None and value in _SCORE_VALUES:
            chosen[field] = int(value)
        else:
            errors[field] = f"Pick {label.lower()} from 1 to 5."
    comment = comment.strip()
    if len(comment) > MAX_RATING_COMMENT_LENGTH:
        errors[blocks.FIELD_RATING_COMMENT] = (
            f"Keep the comment under {MAX_RATING_COMMENT_LENGTH} characters."
        )
    if errors:
        return None, errors
    return Rating(comment=comment, **chosen), {}


def check_can_rate(
    session: Session, *, team_id: str, task_id: int, user_id: str, user_is_outside: bool
) -> TaskRow:
    """The task to rate: done, in this team; rated by its owner or someone of their team."""
    row = tasks.get_task_row(session, team_id, task_id)
    if row is None:
        raise UsageError(UNKNOWN_TASK)
    if user_id != row.task.owner_id and user_is_outside:
        raise UsageError(
            f"Only {_owner_mention(row.task)}'s team can rate task #{task_id}; nothing changed."
        )
    if row.task.status != TaskStatus.DONE:
        raise UsageError(
            f"Task #{task_id} is {row.task.status}, not done, so it can't be rated yet."
        )
    return row


def existing_rating(session: Session, task_id: int) -> TaskFeedback | None:
    return review_store.get_task_feedback(session, task_id)


def rate_task(
    session: Session,
    *,
    team_id: str,
    task_id: int,
    user_id: str,
    user_is_outside: bool,
    rating: Rating,
    now: datetime,
) -> tuple[TaskRow, TaskFeedback]:
    """Store the task's rating; a second submission updates the first (one per task)."""
    row = check_can_rate(
        session,
        team_id=team_id,
        task_id=task_id,
        user_id=user_id,
        user_is_outside=user_is_outside,
    )
    feedback, created = review_store.save_task_feedback(session, row.task, rating, user_id, now)
    audit.record_change(
        session,
        "task.rated" if created else "task.rating_changed",
        row.task,
        {
            "quality": rating.quality,
            "timeliness": rating.timeliness,
            "communication": rating.communication,
        },
        by=user_id,
        at=now,
    )
    return row, feedback


# --------------------------------------------------------------------------- vendor feedback


@dataclass(frozen=True)
class FeedbackReply:
    feedback: VendorFeedback
    post: ScheduledPost


def record_vendor_feedback(
    session: Session, team_id: str, message: ThreadMessage, *, event_id: str | None, now: datetime
) -> FeedbackReply | None:
    """Store a reply in a feedback prompt's thread; None when the thread is no such prompt.

    Raises DuplicateDelivery when the message was stored already (Slack retried the event).
    The message's text is Slack's (escaped); it is stored as plain text.
    """
    post = review_store.find_feedback_prompt_by_message(
        session, message.channel_id, message.thread_ts
    )
    vendor = session.get(Vendor, post.vendor_id) if post else None
    if post is None or vendor is None or vendor.team_id != team_id:
        return None
    try:
        text = readable_text(message.text)
        reply = Reply(event_id, message.user_id, text, message.message_ts, now)
        feedback = review_store.add_vendor_feedback(session, post, reply)
    except IntegrityError:
        raise DuplicateDelivery(event_id or message.message_ts) from None
    return FeedbackReply(feedback=feedback, post=post)
