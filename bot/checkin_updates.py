"""What answering a check-in does to the data: buttons, notes and thread replies. No Slack.

A check-in is a posted ScheduledPost (kind checkin, state sent) whose message lists some
tasks. Everything that arrives from Slack is checked against the database before anything is
written: the check-in exists, the click came from that check-in's own channel, the task is
one the check-in asked about. A refusal is a UsageError whose message is shown to the person
who clicked, privately.

"Done" from a vendor contact delivers the task for the owner's review; from anyone else it
closes the task (bot.reviews). Whether the person is outside the installing team is decided
by the caller (it takes a Slack call) and passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import absences, people, reviews, task_changes
from bot.absences import Away
from bot.checkin_questions import answers_to, questions_of
from bot.checkin_replies import (
    MAX_NOTE_LENGTH,
    ReplyStatus,
    ThreadMessage,
    hint,
    parse_reply,
)
from bot.checkin_replies import (
    parse_status_reply as parse_status_reply,  # re-exported: callers read replies here
)
from bot.errors import DuplicateDelivery, UsageError
from bot.reviews import TaskMarkedDone, read_id
from bot.schedule_rules import vendor_today
from bot.slack_text import escape, readable_text
from storage import audit, tasks, updates, vendors
from storage.checkins import CheckinRow, checkin_rows
from storage.models import (
    CheckinResponse,
    ScheduledPost,
    StatusUpdate,
    Task,
    TaskStatus,
    TaskUpdate,
    Vendor,
)
from storage.tasks import TaskRow

# Statuses the task's owner hears about at once, by direct message.
ALERT_STATUSES = frozenset({TaskUpdate.AT_RISK, TaskUpdate.BLOCKED})

NOT_A_CHECKIN = "That check-in is no longer something I can record answers for; nothing changed."
NOT_THIS_CHANNEL = "That button doesn't belong to a check-in in this channel; nothing changed."
CHECKIN_CLOSED = "This check-in is closed; nothing changed."
NOT_IN_CHECKIN = "That task isn't part of this check-in; nothing changed."


# Two clicks on the same button this close together are one click made twice.
REPEATED_CLICK_WINDOW = timedelta(seconds=30)


class RepeatedClick(UsageError):
    """The same person pressed the same button again at once: recorded the first time."""


class TaskAlreadyClosed(UsageError):
    """The task was closed after the check-in went out: its buttons are stale."""

    def __init__(self, message: str, post_id: int) -> None:
        super().__init__(message)
        self.post_id = post_id


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class ButtonValue:
    post_id: int
    task_id: int


def read_button(
    action_id: str, value: str, block_id: str, prefix: str
) -> tuple[ButtonValue, TaskUpdate]:
    """The check-in and task a button click names, and the status, from the action's fields.

    The value is "<post id>:<task id>" and the block id "task:<task id>" (bot.blocks); both
    must agree, and the action id must be one of the four status buttons. Ids are read as
    every id from Slack is (bot.reviews.read_id).
    """
    unreadable = "I couldn't read that button; nothing changed."
    status = action_id[len(prefix) :] if action_id.startswith(prefix) else ""
    if status not in set(TaskUpdate):
        raise UsageError(unreadable)
    post_id, _, task_id = (value or "").partition(":")
    button = ButtonValue(read_id(post_id, unreadable), read_id(task_id, unreadable))
    kind, _, block_task_id = (block_id or "").partition(":")
    if block_id and (kind != "task" or read_id(block_task_id, unreadable) != button.task_id):
        raise UsageError(unreadable)
    return button, TaskUpdate(status)


# --------------------------------------------------------------------------- recording


@dataclass(frozen=True)
class StatusRecorded:
    """A status update written for a task of a check-in, with what the caller needs to say so."""

    update: StatusUpdate
    task: Task
    vendor: Vendor
    post: ScheduledPost
    done: TaskMarkedDone | None = None  # what a "Done" did: delivered, or closed

    @property
    def owner_should_hear(self) -> bool:
        """At risk and blocked go to the owner at once (not when the owner said it)."""
        return self.update.status in ALERT_STATUSES and self.task.owner_id != self.update.user_id


@dataclass(frozen=True)
class CheckinSnapshot:
    """Everything a check-in message is rebuilt from."""

    vendor: Vendor
    post: ScheduledPost
    rows: Sequence[CheckinRow]
    today: date
    away: Mapping[str, Away] = field(default_factory=dict)  # who is away today
    has_questions: bool = False
    answered_questions: Sequence[str] = ()  # who answered the team's questions, in order


def record_button_status(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    message_ts: str | None,
    button: ButtonValue,
    status: TaskUpdate,
    user_id: str,
    user_is_outside: bool,
    now: datetime,
    admins: frozenset[str] = frozenset(),
) -> StatusRecorded:
    """A click on a check-in button: record the status; "Done" delivers or closes the task
    (the vendor's people deliver it; only its owner or an admin closes it).

    Raises UsageError (nothing written) when the click doesn't match a check-in of this
    channel, or the task isn't in it, or is already closed.
    """
    post, vendor = _checkin_in_channel(session, team_id, button.post_id, channel_id)
    if message_ts is not None and message_ts != post.message_ts:
        raise UsageError(NOT_THIS_CHANNEL)
    if not updates.checkin_asks_about(session, button.post_id, button.task_id):
        raise UsageError(NOT_IN_CHECKIN)
    task = _task_of_vendor(session, vendor, button.task_id)
    if task is None:
        raise UsageError(NOT_IN_CHECKIN)
    _check_open(task, post.saved_id)
    refusal = done_refusal(task, status, user_id, user_is_outside, admins)
    if refusal is not None:
        raise UsageError(refusal)
    _check_not_repeated(session, post.saved_id, task.saved_id, status, user_id, now)
    said = _Said(status, user_id, "button", user_is_outside=user_is_outside)
    return _record(session, post, vendor, task, said, now)


def done_refusal(
    task: Task, status: TaskUpdate, user_id: str, outside: bool, admins: frozenset[str]
) -> str | None:
    """A teammate's "Done" on someone else's task is refused, as `/delegate done` is: only
    its owner, an admin or the vendor's people (who deliver it) may say so."""
    if status != TaskUpdate.DONE or user_id == task.owner_id or user_id in admins:
        return None
    if people.is_vendor_contact(task, user_id, outside):
        return None
    return task_changes.ownership_refusal(task, user_id, "done", admins)


def record_all_on_track(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    message_ts: str | None,
    value: str,
    user_id: str,
    now: datetime,
) -> list[StatusRecorded]:
    """The **All on track** button: every open task of the check-in is on track.

    Tasks whose latest word since the check-in already is "on track" are left as they
    are; nothing left to say is a UsageError (a double click included), nothing written.
    """
    if not re.fullmatch(r"[0-9]{1,12}", value or ""):
        raise UsageError("I couldn't read that button; nothing changed.")
    post, vendor = _checkin_in_channel(session, team_id, int(value), channel_id)
    if message_ts is not None and message_ts != post.message_ts:
        raise UsageError(NOT_THIS_CHANNEL)
    recorded: list[StatusRecorded] = []
    for row in checkin_rows(session, post):
        if row.task.status != TaskStatus.OPEN:
            continue
        if row.latest is not None and row.latest.status == TaskUpdate.ON_TRACK:
            continue
        said = _Said(TaskUpdate.ON_TRACK, user_id, "button", user_is_outside=False)
        recorded.append(_record(session, post, vendor, row.task, said, now))
    if not recorded:
        raise RepeatedClick(
            "Every open task of this check-in is already on track; nothing changed."
        )
    return recorded


def _check_not_repeated(
    session: Session, post_id: int, task_id: int, status: TaskUpdate, user_id: str, now: datetime
) -> None:
    """A double click (or a click Slack delivered twice) changes state once: no second
    update, no second message to the owner."""
    latest = updates.latest_status_update(session, post_id, task_id)
    if (
        latest is not None
        and latest.user_id == user_id
        and latest.status == status
        and now - latest.at < REPEATED_CLICK_WINDOW
    ):
        raise RepeatedClick(f"Already recorded for #{task_id}; nothing changed.")


def _checkin_in_channel(
    session: Session, team_id: str, post_id: int, channel_id: str
) -> tuple[ScheduledPost, Vendor]:
    post = updates.get_checkin(session, post_id)
    if post is None:
        raise UsageError(NOT_A_CHECKIN)
    vendor = vendors.get_vendor(session, post.vendor_id)
    if (
        vendor is None
        or vendor.team_id != team_id
        or vendor.channel_id != channel_id
        or post.channel_id != channel_id
    ):
        raise UsageError(NOT_THIS_CHANNEL)
    if vendor.removed_at is not None:
        # `vendor remove` stops everything; the vendor's people need not learn why.
        raise UsageError(CHECKIN_CLOSED)
    return post, vendor


def _task_of_vendor(session: Session, vendor: Vendor, task_id: int) -> Task | None:
    row = tasks.get_task_row(session, vendor.team_id, task_id)
    if row is None or row.task.vendor_id != vendor.id:
        return None
    return row.task


def _check_open(task: Task, post_id: int) -> None:
    if task.status != TaskStatus.OPEN:
        raise TaskAlreadyClosed(
            f"Task #{task.id} is already {task.status}; nothing changed.", post_id
        )


@dataclass(frozen=True)
class _Said(updates.Said):
    """Who said what about a task, and where (a button or a reply); and whether they are
    outside the team, which decides what their "Done" does."""

    status: TaskUpdate
    user_is_outside: bool = False


def _record(
    session: Session,
    post: ScheduledPost,
    vendor: Vendor,
    task: Task,
    said: _Said,
    now: datetime,
) -> StatusRecorded:
    update = updates.add_status_update(session, task, post.id, said, now)
    audit.record_change(
        session,
        "task.status_reported",
        task,
        {"status": said.status.value, "source": said.source, "post_id": post.id},
        by=said.user_id,
        at=now,
    )
    done = None
    if said.status == TaskUpdate.DONE:
        # The same as `/delegate done`: a vendor contact delivers, anyone else closes.
        done = reviews.finish_open_task(
            session,
            TaskRow(task, vendor),
            actor_id=said.user_id,
            actor_is_outside=said.user_is_outside,
            now=now,
            note=said.note,
        )
    return StatusRecorded(update=update, task=task, vendor=vendor, post=post, done=done)


def check_note_author(
    session: Session, *, team_id: str, update_id: int, user_id: str
) -> StatusUpdate:
    """The status update a note form belongs to; only its author may add the note."""
    update = updates.get_status_update(session, update_id)
    task = session.get(Task, update.task_id) if update else None
    if update is None or task is None or task.team_id != team_id or update.user_id != user_id:
        raise UsageError("I couldn't find the update this note belongs to; nothing changed.")
    return update


def add_status_note(
    session: Session, *, team_id: str, update_id: int, user_id: str, note: str, now: datetime
) -> StatusRecorded:
    """Store the note given in the form opened by an At risk / Blocked click."""
    update = check_note_author(session, team_id=team_id, update_id=update_id, user_id=user_id)
    if update.post_id is None:
        raise UsageError("I couldn't find the update this note belongs to; nothing changed.")
    post = updates.get_checkin(session, update.post_id)
    task = session.get(Task, update.task_id)
    vendor = vendors.get_vendor(session, task.vendor_id) if task else None
    if post is None or task is None or vendor is None:
        raise UsageError("That check-in is gone; the note was not saved.")
    updates.set_status_note(session, update, note[:MAX_NOTE_LENGTH])
    audit.record_change(
        session, "task.status_note_added", task, {"update_id": update.id}, by=user_id, at=now
    )
    return StatusRecorded(update=update, task=task, vendor=vendor, post=post)


@dataclass(frozen=True)
class ThreadReply:
    """A reply stored from a check-in's thread, and what it did to tasks if it said statuses."""

    response: CheckinResponse
    post: ScheduledPost
    vendor: Vendor
    statuses: tuple[StatusRecorded, ...] = ()
    problems: tuple[str, ...] = ()  # what could not be applied, to tell its author

    @property
    def status(self) -> StatusRecorded | None:
        return self.statuses[0] if self.statuses else None

    @property
    def problem(self) -> str | None:
        return " ".join(self.problems) if self.problems else None


def record_thread_reply(
    session: Session,
    team_id: str,
    message: ThreadMessage,
    *,
    event_id: str | None,
    user_is_outside: bool,
    now: datetime,
    admins: frozenset[str] = frozenset(),
) -> ThreadReply | None:
    """Store a reply in a check-in's thread; apply the statuses it gives (bot.checkin_replies:
    `#7 on track, #10 blocked …`, `all on track`).

    Returns None when the thread is not a check-in's. Raises DuplicateDelivery when this
    message was stored already (Slack retried the event), so nothing happens twice.
    The message's text is Slack's (escaped); it is stored as plain text.
    """
    post = updates.find_checkin_by_message(session, message.channel_id, message.thread_ts)
    vendor = vendors.get_vendor(session, post.vendor_id) if post else None
    if post is None or vendor is None or vendor.team_id != team_id:
        return None
    if vendor.removed_at is not None:  # a removed vendor's check-ins take no more answers
        return None
    plain = readable_text(message.text)
    try:
        reply = updates.Reply(event_id, message.user_id, plain, message.message_ts, now)
        response = updates.add_checkin_response(session, post, reply)
    except IntegrityError:
        raise DuplicateDelivery(event_id or message.message_ts) from None
    parsed = parse_reply(plain)
    rows = checkin_rows(session, post)
    if parsed.all_on_track:
        said = [
            ReplyStatus(row.task.saved_id, TaskUpdate.ON_TRACK, parsed.all_note)
            for row in rows
            if row.task.status == TaskStatus.OPEN
        ]
    else:
        said = list(parsed.statuses)
    recorded: list[StatusRecorded] = []
    problems: list[str] = []
    for item in said:
        outcome = _apply_reply_status(
            session, post, vendor, item, message.user_id, user_is_outside, now, admins
        )
        if isinstance(outcome, str):
            problems.append(outcome)
        else:
            recorded.append(outcome)
    if parsed.unread:
        open_ids = [row.task.saved_id for row in rows if row.task.status == TaskStatus.OPEN]
        problems.append(hint(parsed.unread, open_ids))
    return ThreadReply(
        response=response,
        post=post,
        vendor=vendor,
        statuses=tuple(recorded),
        problems=tuple(problems),
    )


def _apply_reply_status(
    session: Session,
    post: ScheduledPost,
    vendor: Vendor,
    said: ReplyStatus,
    user_id: str,
    user_is_outside: bool,
    now: datetime,
    admins: frozenset[str] = frozenset(),
) -> StatusRecorded | str:
    """Record one task's status from a reply, or say (a str) why it was not."""
    task = _task_of_vendor(session, vendor, said.task_id)
    in_checkin = updates.checkin_asks_about(session, post.saved_id, said.task_id)
    if task is None or (not in_checkin and task.status != TaskStatus.OPEN):
        asked = [row.task.saved_id for row in checkin_rows(session, post)]
        ids = ", ".join(f"#{task_id}" for task_id in asked[:20])
        return (
            f"#{said.task_id} isn't one of {escape(vendor.name)}'s open tasks, so I kept your "
            f"reply but recorded no status for it. This check-in's tasks: {ids}."
        )
    if task.status != TaskStatus.OPEN:
        return f"Task #{task.id} is already {task.status}, so I recorded no status for it."
    refusal = done_refusal(task, said.status, user_id, user_is_outside, admins)
    if refusal is not None:
        return "I kept your reply but recorded no status for it. " + refusal
    status = _Said(said.status, user_id, "reply", said.note, user_is_outside)
    return _record(session, post, vendor, task, status, now)


def checkin_snapshot(session: Session, post_id: int, now: datetime) -> CheckinSnapshot | None:
    """The current state of a check-in, to rebuild its message from."""
    post = updates.get_checkin(session, post_id)
    vendor = vendors.get_vendor(session, post.vendor_id) if post else None
    if post is None or vendor is None:
        return None
    today = vendor_today(vendor, now)
    return CheckinSnapshot(
        vendor=vendor,
        post=post,
        rows=checkin_rows(session, post),
        today=today,
        away=absences.away_on(absences.load_absences(session, vendor.saved_id, today), today),
        has_questions=bool(questions_of(vendor)),
        answered_questions=answers_to(session, post.saved_id),
    )
