"""A vendor's channel Slack refuses for good (archived, deleted, bot removed): the vendor is
paused and whoever added it is told once a day at most (kind `notice`)."""

from __future__ import annotations

from bot import blocks
from bot.schedule_rules import vendor_today
from bot.scheduling.context import AUDIT_ACTOR, Tick, logger
from bot.scheduling.delivery import deliver
from storage import audit, schedule
from storage.database import transaction
from storage.models import PostKind, PostState, Vendor


def pause_unreachable_vendor(tick: Tick, vendor: Vendor, error: str) -> None:
    """Stop posting to a channel Slack refuses, until someone runs `vendor resume`, and
    tell whoever added the vendor, once a day at most (the claim's occurrence is the date)."""
    reason = f"unreachable: {error}"
    with transaction(tick.engine) as session:
        schedule.pause_unreachable_vendor(session, vendor.saved_id, reason, tick.now)
        audit.record_change(
            session, "vendor.paused", vendor, {"reason": reason}, by=AUDIT_ACTOR, at=tick.now
        )
    logger.warning("scheduler: paused vendor %s (%s): %s", vendor.id, vendor.channel_id, reason)
    today = vendor_today(vendor, tick.now)
    notice = schedule.claim(
        tick.engine,
        schedule.vendor_key(vendor.saved_id, PostKind.NOTICE, f"unreachable:{today.isoformat()}"),
        channel_id=vendor.added_by,
        claimed_by=tick.claimant,
        now=tick.now,
    )
    if notice is None:
        return
    delivery = deliver(
        tick.client, vendor.added_by, blocks.vendor_unreachable_notice(vendor, error)
    )
    if delivery.ts is not None:
        schedule.record_sent(
            tick.engine, notice, claimed_by=tick.claimant, message_ts=delivery.ts, now=tick.now
        )
        tick.report.posted[PostKind.NOTICE] += 1
        return
    # Not retried: the vendor is paused, so no later tick comes back to it; the reason
    # stays visible in `/delegate vendor list`.
    schedule.finish_claim(
        tick.engine,
        notice,
        state=PostState.FAILED,
        detail=str(delivery.error),
        claimed_by=tick.claimant,
    )
    tick.report.failed[PostKind.NOTICE] += 1
    logger.warning("scheduler: could not tell %s: %s", vendor.added_by, delivery.error)
