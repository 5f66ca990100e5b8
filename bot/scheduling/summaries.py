"""The weekly summary and its thread: at each occurrence of the vendor's `summary_cadence`
(`calendar.due_occurrence`: the check-ins' rules, days off included); skipped when there
is nothing to report. The thread reply (overdue and blocked tasks) goes right after it under
the same claim; should that one reply fail it is logged, not retried, so the summary is
never posted twice."""

from __future__ import annotations

from bot import blocks
from bot import summaries as summary_rules
from bot.scheduling import claims
from bot.scheduling.calendar import Occurrence, Ready, VendorCalendar, post_due_occurrence
from bot.scheduling.context import Tick, logger
from bot.scheduling.delivery import deliver
from storage.database import transaction
from storage.models import PostKind, PostState, ScheduledPost, Vendor


def post_due_summary(tick: Tick, vendor: Vendor, calendar: VendorCalendar) -> bool:
    """Post the weekly summary of the latest occurrence if due, then its thread. False if
    the vendor turned out to be unreachable (and is now paused)."""

    def prepare(_occurrence: Occurrence) -> Ready | str:
        with transaction(tick.engine) as session:
            summary = summary_rules.vendor_summary(session, vendor, tick.now)
        if summary.is_empty:
            return "nothing to report"
        return Ready(
            lambda _post: blocks.summary_message(summary),
            then=lambda post: _post_summary_thread(tick, vendor, post, summary),
        )

    return post_due_occurrence(tick, vendor, calendar, PostKind.SUMMARY, prepare)


def _post_summary_thread(
    tick: Tick, vendor: Vendor, post: ScheduledPost, summary: summary_rules.VendorSummary
) -> None:
    """The overdue and blocked tasks, in the thread of the summary this process just sent."""
    message = blocks.summary_thread(summary)
    if message is None:
        return
    sent = claims.find(tick, claims.vendor_target(vendor), PostKind.SUMMARY, post.occurrence)
    if sent is None or sent.state != PostState.SENT or sent.claimed_by != tick.claimant:
        return  # given back for a retry (the next tick posts both) or refused
    delivery = deliver(tick.client, vendor.channel_id, message, thread_ts=sent.message_ts)
    if delivery.ts is None:
        logger.warning(
            "scheduler: the thread of summary %s for vendor %s was not posted: %s",
            post.occurrence,
            vendor.id,
            delivery.error,
        )
