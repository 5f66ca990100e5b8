"""The check-in: posted at each occurrence of the vendor's cadence (`calendar.due_occurrence`)
with its open tasks, soonest due first; skipped when it has none or everyone is away."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import absences, blocks
from bot.checkin_questions import questions_of
from bot.scheduling import claims
from bot.scheduling.calendar import (
    FOLLOW_UP_LOOKBACK,
    Occurrence,
    Ready,
    VendorCalendar,
    post_due_occurrence,
)
from bot.scheduling.context import EVERYONE_AWAY, Tick
from storage import schedule
from storage.checkins import CheckinRow, checkin_rows
from storage.database import transaction
from storage.models import PostKind, ScheduledPost, TaskStatus, Vendor, VendorAbsence

# Each task takes two blocks (its line and its buttons) and Slack allows 50 per message,
# with two more for the header and the progress line. Soonest-due tasks come first.
MAX_TASKS_PER_CHECKIN = blocks.MAX_CHECKIN_TASKS


def post_due_checkin(tick: Tick, vendor: Vendor, calendar: VendorCalendar) -> bool:
    """Post the check-in of the latest occurrence if due. False if the vendor turned out
    to be unreachable (and is now paused)."""

    def prepare(occurrence: Occurrence) -> Ready | str:
        with transaction(tick.engine) as session:
            tasks = schedule.open_tasks_of(session, vendor)[:MAX_TASKS_PER_CHECKIN]
            gone = absences.load_absences(session, vendor.saved_id, occurrence.local_date)
        if not tasks:
            return "no open tasks"
        if absences.everyone_away(tasks, gone, occurrence.local_date):
            return EVERYONE_AWAY

        def message(post: ScheduledPost) -> dict[str, Any]:
            with transaction(tick.engine) as session:
                rows = checkin_rows(session, post)
            today = calendar.local_date(tick.now)
            away = absences.away_on(gone, today)
            has_questions = bool(questions_of(vendor))
            return blocks.checkin_message(
                vendor, post.saved_id, rows, today, away=away, has_questions=has_questions
            )

        return Ready(message, tasks=tasks)

    return post_due_occurrence(tick, vendor, calendar, PostKind.CHECKIN, prepare)


def checkins_awaiting(tick: Tick, vendor: Vendor, follow_up: PostKind) -> Sequence[ScheduledPost]:
    """Sent check-ins nobody answered that still need a decision about `follow_up` (a
    reminder or an escalation). Only the vendors the tick's first read listed are asked: a
    check-in sent later in the tick is due for neither yet (its escalation waits for the
    next occurrence, its reminder for remind_after_minutes), except a reminder after 0."""
    reads = tick.reads
    after_zero = follow_up == PostKind.REMINDER and vendor.remind_after_minutes <= 0
    if reads is not None and vendor.id not in reads.awaiting[follow_up] and not after_zero:
        return []
    with transaction(tick.engine) as session:
        return schedule.checkins_awaiting(
            session,
            vendor_id=vendor.saved_id,
            follow_up=follow_up,
            sent_since=tick.now - FOLLOW_UP_LOOKBACK,
            stale_before=tick.stale_before,
        )


@dataclass(frozen=True)
class FollowUpReads:
    """What a reminder or an escalation of an unanswered check-in decides on, read in one
    transaction: its own claim, the check-in's tasks still open, and the vendor's absences
    (and the vendor's today they are read for)."""

    existing: ScheduledPost | None
    open_rows: list[CheckinRow]
    gone: Sequence[VendorAbsence]
    today: date


def read_follow_up(
    tick: Tick,
    vendor: Vendor,
    calendar: VendorCalendar,
    follow_up: PostKind,
    checkin: ScheduledPost,
) -> FollowUpReads:
    today = calendar.local_date(tick.now)
    key = claims.vendor_target(vendor).key(follow_up, checkin.occurrence)
    with transaction(tick.engine) as session:
        existing = schedule.find_claim(session, key)
        rows = checkin_rows(session, checkin)
        gone = absences.load_absences(session, vendor.saved_id, today)
    open_rows = [row for row in rows if row.task.status == TaskStatus.OPEN]
    return FollowUpReads(existing, open_rows, gone, today)


def distinct(values: Iterable[str]) -> list[str]:
    """Values in first-seen order, without repeats."""
    return list(dict.fromkeys(values))
