"""The trial prompt (kind `trial_prompt`, occurrence the trial's end date): a direct message to
whoever added the vendor, due on the third working day before the trial ends (the vendor's
workdays and holidays) at its check-in time (`bot.lifecycle.trial_prompt_at`). No grace
window: as long as the trial waits for a decision a late prompt beats none."""

from __future__ import annotations

from bot import blocks, lifecycle
from bot.scheduling import claims
from bot.scheduling.calendar import VendorCalendar
from bot.scheduling.context import Tick
from storage.database import transaction
from storage.models import PostKind, Vendor


def post_due_trial_prompt(tick: Tick, vendor: Vendor, calendar: VendorCalendar) -> None:
    ends_on = vendor.trial_ends_on
    if ends_on is None:
        return
    due_at = lifecycle.trial_prompt_at(
        ends_on, calendar.tz, calendar.cadence.at, calendar.is_day_off
    )
    if tick.now < due_at:
        return
    target = claims.vendor_target(vendor)
    kind, key = PostKind.TRIAL_PROMPT, ends_on.isoformat()
    existing = claims.find(tick, target, kind, key)
    if not tick.is_open(existing):
        return
    with transaction(tick.engine) as session:
        card = lifecycle.prompt_card(session, vendor, tick.now)
    if card is None:
        return
    post = claims.take(tick, target, kind, key, existing, channel_id=vendor.added_by)
    if post is not None:
        message = blocks.trial_prompt_message(card)
        claims.post_claimed(tick, target, post, message, to_user=vendor.added_by)
