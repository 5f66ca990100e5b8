"""The feedback prompt: asks the vendor what blocks them, at each occurrence of its
`feedback_cadence` (else its summary's, then right after the summary); skipped for a vendor
without work in the last two weeks."""

from __future__ import annotations

from datetime import timedelta

from bot import blocks
from bot.scheduling.calendar import Occurrence, Ready, VendorCalendar, post_due_occurrence
from bot.scheduling.context import Tick
from storage.database import transaction
from storage.models import PostKind, Vendor
from storage.summaries import has_recent_work

# A feedback prompt goes to vendors with an open task or one finished this recently.
FEEDBACK_LOOKBACK = timedelta(days=14)


def post_due_feedback_prompt(tick: Tick, vendor: Vendor, calendar: VendorCalendar) -> bool:
    """Ask the vendor what blocks them, once per occurrence of its feedback cadence."""

    def prepare(_occurrence: Occurrence) -> Ready | str:
        with transaction(tick.engine) as session:
            busy = has_recent_work(session, vendor.saved_id, tick.now - FEEDBACK_LOOKBACK)
        if not busy:
            return "no recent tasks"
        return Ready(lambda _post: blocks.feedback_prompt(vendor))

    return post_due_occurrence(tick, vendor, calendar, PostKind.FEEDBACK_PROMPT, prepare)
