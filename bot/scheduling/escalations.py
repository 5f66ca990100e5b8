"""The escalation: a direct message to each owner of a check-in still unanswered when the
next *working* occurrence is due (so a vendor always gets one full working day to answer),
within the grace window counted from then; one claim for all of the owners' DMs."""

from __future__ import annotations

from collections.abc import Sequence

from bot import absences, blocks
from bot.scheduling import claims
from bot.scheduling.calendar import VendorCalendar
from bot.scheduling.checkins import checkins_awaiting, distinct, read_follow_up
from bot.scheduling.context import EVERYONE_AWAY, Tick, logger
from bot.scheduling.delivery import deliver
from bot.slack_channels import permalink
from storage.models import PostKind, ScheduledPost, Task, Vendor


def send_due_escalations(tick: Tick, vendor: Vendor, calendar: VendorCalendar) -> None:
    """DM the owners of each check-in still unanswered when the next one is due."""
    kind = PostKind.ESCALATION
    target = claims.vendor_target(vendor)
    for checkin in checkins_awaiting(tick, vendor, kind):
        next_checkin = calendar.next_working_occurrence(checkin.sent_at or tick.now)
        if next_checkin is None or tick.now < next_checkin:
            continue
        reads = read_follow_up(tick, vendor, calendar, kind, checkin)
        open_tasks = [row.task for row in reads.open_rows]
        everyone_gone = absences.everyone_away(open_tasks, reads.gone, reads.today)
        # Nobody is escalated about a person who is away: only the others' tasks count.
        away = absences.away_on(reads.gone, reads.today)
        present = [task for task in open_tasks if (task.assignee_id or "") not in away]
        reason: str | None = None
        if tick.now - next_checkin > tick.policy.grace:
            reason = f"due {tick.now - next_checkin} ago, past the {tick.policy.grace} grace window"
        elif not open_tasks:
            reason = "its tasks are closed"
        elif everyone_gone or not present:
            reason = EVERYONE_AWAY
        if reason is not None:
            claims.skip(tick, target, kind, checkin.occurrence, reads.existing, reason)
            continue
        post = claims.take(tick, target, kind, checkin.occurrence, reads.existing)
        if post is not None:
            _send_escalation(tick, vendor, post, checkin, present, calendar)


def _send_escalation(
    tick: Tick,
    vendor: Vendor,
    post: ScheduledPost,
    checkin: ScheduledPost,
    open_tasks: Sequence[Task],
    calendar: VendorCalendar,
) -> None:
    """One DM per distinct owner under one claim. A DM Slack refuses (owner deactivated)
    is noted and the others still go; a transient failure before any DM went out gives
    the claim back so the whole escalation is retried."""
    target = claims.vendor_target(vendor)
    link = permalink(tick.client, vendor.channel_id, checkin.message_ts)
    today = calendar.local_date(tick.now)
    sent: list[tuple[str, str]] = []
    refused: list[str] = []
    for owner in distinct(task.owner_id for task in open_tasks):
        owned = [task for task in open_tasks if task.owner_id == owner]
        delivery = deliver(
            tick.client, owner, blocks.checkin_escalation(vendor, owned, link, today)
        )
        if delivery.ts is not None:
            sent.append((owner, delivery.ts))
        elif delivery.retry and not sent:
            claims.give_back(tick, target, post, delivery)
            return
        else:
            refused.append(f"{owner}: {delivery.error}")
            logger.warning(
                "scheduler: escalation DM to %s for vendor %s refused: %s",
                owner,
                vendor.id,
                delivery.error,
            )
    detail = "dm " + ", ".join(owner for owner, _ in sent)
    if refused:
        detail += "; refused " + ", ".join(refused)
    if sent:
        claims.record(tick, target, post, sent[0][1], detail=detail, count=len(sent))
    else:
        claims.fail(tick, post, detail)
