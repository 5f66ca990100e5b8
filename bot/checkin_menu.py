"""The check-in's menu (Nothing new today, Away…) and Answer button: who may press them,
and what "Nothing new today" records. No Slack here; the handlers ask Slack who someone is.

Who may press: the team (anyone from the installing workspace), or a contact of that
vendor: an outside person who is a member of the vendor's channel or the assignee of one
of its tasks. Anyone else is refused privately and nothing changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot import checkin_updates
from bot.errors import UsageError
from bot.slack_text import escape
from storage import audit, updates, vendors
from storage.checkins import checkin_rows
from storage.models import ScheduledPost, StatusUpdate, Task, TaskStatus, TaskUpdate, Vendor

NOTHING_NEW = "nothing_new"
AWAY = "away"
SOURCE_NOTHING_NEW = "nothing_new"  # StatusUpdate.source of "Nothing new today"
_CHOICE = re.compile(r"(nothing_new|away|answer):([0-9]{1,12})")


@dataclass(frozen=True)
class MenuChoice:
    choice: str  # NOTHING_NEW, AWAY or "answer"
    post_id: int


def read_choice(value: str) -> MenuChoice:
    """`nothing_new:12` / `away:12` / `answer:12` from the menu's option or the button."""
    match = _CHOICE.fullmatch(value or "")
    if match is None:
        raise UsageError("I couldn't read that menu; nothing changed.")
    return MenuChoice(match.group(1), int(match.group(2)))


def refusal(vendor: Vendor) -> str:
    return (
        f"Only {escape(vendor.name)}'s people and the team that works with them can use "
        "this check-in; nothing changed."
    )


def checkin_for_presser(
    session: Session,
    *,
    post_id: int,
    team_id: str,
    channel_id: str | None,
    user_id: str,
    outside: bool,
    is_channel_member: Callable[[str], bool],
) -> tuple[ScheduledPost, Vendor]:
    """The check-in and vendor a menu or form names, once the presser may use it.

    `channel_id` is where the click happened (None for a form: its check-in is named in
    the form's metadata). `is_channel_member(channel)` asks Slack, only for outsiders.
    """
    post = updates.get_checkin(session, post_id)
    vendor = vendors.get_vendor(session, post.vendor_id) if post else None
    if post is None or vendor is None or vendor.team_id != team_id:
        raise UsageError(checkin_updates.NOT_A_CHECKIN)
    if channel_id is not None and channel_id != vendor.channel_id:
        raise UsageError(checkin_updates.NOT_THIS_CHANNEL)
    if (
        outside
        and not _assignee_of_vendor(session, vendor, user_id)
        and not is_channel_member(vendor.channel_id)
    ):
        raise UsageError(refusal(vendor))
    return post, vendor


def _assignee_of_vendor(session: Session, vendor: Vendor, user_id: str) -> bool:
    return (
        session.exec(
            select(Task.id).where(Task.vendor_id == vendor.id, Task.assignee_id == user_id)
        ).first()
        is not None
    )


@dataclass(frozen=True)
class NothingNew:
    post: ScheduledPost
    vendor: Vendor
    answered: int  # tasks answered by this press


def record_nothing_new(
    session: Session, post: ScheduledPost, vendor: Vendor, user_id: str, now: datetime
) -> NothingNew:
    """Answer every open task of the check-in not answered yet as unchanged: its latest
    status (any check-in), or on track when it never had one. "Done" is never repeated
    (that would deliver the task again); such a task is on track. Owners are not alerted:
    nothing changed for them."""
    answered = 0
    for row in checkin_rows(session, post):
        task = row.task
        if row.latest is not None or task.status != TaskStatus.OPEN:
            continue
        previous = session.exec(
            select(StatusUpdate)
            .where(StatusUpdate.task_id == task.id)
            .order_by(col(StatusUpdate.at).desc(), col(StatusUpdate.id).desc())
        ).first()
        status = TaskUpdate.ON_TRACK
        if previous is not None and previous.status != TaskUpdate.DONE:
            status = TaskUpdate(previous.status)
        said = updates.Said(status, user_id, SOURCE_NOTHING_NEW)
        updates.add_status_update(session, task, post.id, said, now)
        answered += 1
    if not answered:
        raise UsageError("Every task in this check-in is answered already; nothing changed.")
    audit.record_change(
        session,
        "checkin.nothing_new",
        vendor,
        {"post_id": post.id, "tasks": answered},
        by=user_id,
        at=now,
    )
    return NothingNew(post, vendor, answered)
