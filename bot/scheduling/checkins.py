"""The check-in: posted at each occurrence of the vendor's cadence (`calendar.due_occurrence`)
with its open tasks, soonest due first; skipped when it has none or everyone is away."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot import absences, blocks
from bot.checkin_questions import questions_of
from bot.scheduling import claims
from bot.scheduling.calendar import FOLLOW_UP_LOOKBACK, VendorCalendar, due_occurrence
from bot.scheduling.context import EVERYONE_AWAY, Tick
from storage import schedule
from storage.checkins import checkin_rows
from storage.database import transaction
from storage.models import PostKind, ScheduledPost, Vendor

# Each task takes two blocks (its line and its buttons) and Slack allows 50 per message,
# with two more for the header and the progress line. Soonest-due tasks come first.
MAX_TASKS_PER_CHECKIN = blocks.MAX_CHECKIN_TASKS


def post_due_checkin(tick: Tick, vendor: Vendor, calendar: VendorCalendar) -> bool:
    """Post the check-in of the latest occurrence if due. False if the vendor turned out
    to be unreachable (and is now paused)."""
    kind = PostKind.CHECKIN
    due = due_occurrence(tick, vendor, calendar, kind)
    if due is None:
        return True
    occurrence, existing = due
    target = claims.vendor_target(vendor)
    with transaction(tick.engine) as session:
        tasks = schedule.open_tasks_of(session, vendor)[:MAX_TASKS_PER_CHECKIN]
        gone = absences.load_absences(session, vendor.id or 0, occurrence.local_date)
    if not tasks:
        claims.skip(tick, target, kind, occurrence.key, existing, "no open tasks")
        return True
    if absences.everyone_away(tasks, gone, occurrence.local_date):
        claims.skip(tick, target, kind, occurrence.key, existing, EVERYONE_AWAY)
        return True
    post = claims.take(tick, target, kind, occurrence.key, existing, tasks=tasks)
    if post is None:
        return True
    with transaction(tick.engine) as session:
        rows = checkin_rows(session, post)
    today = calendar.local_date(tick.now)
    message = blocks.checkin_message(
        vendor,
        post.id or 0,
        rows,
        today,
        away=absences.away_on(gone, today),
        has_questions=bool(questions_of(vendor)),
    )
    return claims.post_claimed(tick, target, post, message)


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
            vendor_id=vendor.id or 0,
            follow_up=follow_up,
            sent_since=tick.now - FOLLOW_UP_LOOKBACK,
            stale_before=tick.stale_before,
        )


def distinct(values: Iterable[str]) -> list[str]:
    """Values in first-seen order, without repeats."""
    return list(dict.fromkeys(values))
