"""The feedback prompt: asks the vendor what blocks them, at each occurrence of its
`feedback_cadence` (else its summary's, then right after the summary); skipped for a vendor
without work in the last two weeks."""

from __future__ import annotations

from datetime import timedelta

from bot import blocks
from bot.scheduling import claims
from bot.scheduling.calendar import VendorCalendar, due_occurrence
from bot.scheduling.context import Tick
from storage.database import transaction
from storage.models import PostKind, Vendor
from storage.summaries import has_recent_work

# A feedback prompt goes to vendors with an open task or one finished this recently.
FEEDBACK_LOOKBACK = timedelta(days=14)


def post_due_feedback_prompt(tick: Tick, vendor: Vendor, calendar: VendorCalendar) -> bool:
    """Ask the vendor what blocks them, once per occurrence of its feedback cadence."""
    kind = PostKind.FEEDBACK_PROMPT
    due = due_occurrence(tick, vendor, calendar, kind)
    if due is None:
        return True
    occurrence, existing = due
    target = claims.vendor_target(vendor)
    with transaction(tick.engine) as session:
        busy = has_recent_work(session, vendor.id or 0, tick.now - FEEDBACK_LOOKBACK)
    if not busy:
        claims.skip(tick, target, kind, occurrence.key, existing, "no recent tasks")
        return True
    post = claims.take(tick, target, kind, occurrence.key, existing)
    if post is None:
        return True
    return claims.post_claimed(tick, target, post, blocks.feedback_prompt(vendor))
