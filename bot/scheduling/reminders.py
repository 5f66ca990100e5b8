"""The reminder: in the thread of a check-in nobody answered, `remind_after_minutes` after it
was posted, naming the people it waits for.

When it is due, and when it is not posted at all:

- due `remind_after_minutes` after the check-in was sent, at the first tick after that;
- a day off (the vendor's today) makes it wait for the first working-day tick;
- dropped (recorded skipped) once the next working check-in is due (that one asks again,
  and its thread is where answers belong), or once its grace window has passed;
- dropped when the check-in's tasks are closed, or everyone they wait for is away
  (people away are left out of the reminder).
"""

from __future__ import annotations

from datetime import timedelta

from bot import absences, blocks
from bot.scheduling import claims
from bot.scheduling.calendar import VendorCalendar
from bot.scheduling.checkins import checkins_awaiting, distinct, read_follow_up
from bot.scheduling.context import EVERYONE_AWAY, Tick
from storage.models import PostKind, Vendor


def post_due_reminders(tick: Tick, vendor: Vendor, calendar: VendorCalendar) -> bool:
    """Remind in the thread of each check-in nobody answered within remind_after_minutes.
    False if the vendor turned out to be unreachable (and is now paused)."""
    kind = PostKind.REMINDER
    target = claims.vendor_target(vendor)
    remind_after = timedelta(minutes=vendor.remind_after_minutes)
    for checkin in checkins_awaiting(tick, vendor, kind):
        sent_at = checkin.sent_at or tick.now
        due = sent_at + remind_after
        if tick.now < due:
            continue
        next_checkin = calendar.next_working_occurrence(sent_at)
        reason: str | None = None
        if next_checkin is not None and tick.now >= next_checkin:
            reason = "the next check-in is due; it asks again"
        elif tick.now - due > tick.policy.grace:
            reason = f"due {tick.now - due} ago, past the {tick.policy.grace} grace window"
        elif calendar.is_day_off(calendar.local_date(tick.now)):
            continue  # wait for a working day
        reads = read_follow_up(tick, vendor, calendar, kind, checkin)
        unanswered = [row.task for row in reads.open_rows if row.latest is None]
        # Nobody is reminded on their days away (bot.absences).
        away = absences.away_on(reads.gone, reads.today)
        people = [
            person
            for person in distinct(task.assignee_id or task.owner_id for task in unanswered)
            if person not in away
        ]
        if reason is None and not unanswered:
            reason = "its tasks are closed"
        everyone_gone = absences.everyone_away(unanswered, reads.gone, reads.today)
        if reason is None and (everyone_gone or not people):
            reason = EVERYONE_AWAY
        if reason is not None:
            claims.skip(tick, target, kind, checkin.occurrence, reads.existing, reason)
            continue
        post = claims.take(
            tick, target, kind, checkin.occurrence, reads.existing, thread_ts=checkin.message_ts
        )
        if post is None:
            continue
        message = blocks.checkin_reminder(people)
        if not claims.post_claimed(tick, target, post, message, thread_ts=checkin.message_ts):
            return False
    return True
