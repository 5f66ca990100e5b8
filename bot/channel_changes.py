"""Pausing a vendor when Slack says its channel is no longer usable. No Slack calls here.

Slack tells the bot in several ways, and some of them twice: when the bot is removed it may
get `member_left_channel` (for its own user) and `channel_left` / `group_left`; archiving
sends `channel_archive` / `group_archive`; a Slack Connect channel the other organisation
left sends `channel_unshared`. Each maps to one pause reason, and pausing for a reason the
vendor is already paused for does nothing, so repeats and retries change nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from storage import audit, vendors
from storage.models import Vendor

REMOVED = "I was removed from the channel"
ARCHIVED = "the channel was archived"
UNSHARED = "the channel is no longer shared with the vendor"

# Event types, each with the reason it gives (member_left_channel only for the bot itself).
CHANNEL_EVENTS: dict[str, str] = {
    "member_left_channel": REMOVED,
    "channel_left": REMOVED,
    "group_left": REMOVED,
    "channel_archive": ARCHIVED,
    "group_archive": ARCHIVED,
    "channel_unshared": UNSHARED,
}


@dataclass(frozen=True)
class ChannelChange:
    channel_id: str
    reason: str
    actor_id: str  # who did it when Slack says so, else the bot itself


def pause_vendor_for_channel_change(
    session: Session, *, team_id: str, change: ChannelChange, now: datetime
) -> Vendor | None:
    """Pause the vendor of a channel the bot can no longer work in.

    Returns the vendor when this call paused it (so the caller tells whoever added it), or
    None when the channel is no vendor's or the vendor is already paused for this reason.
    """
    vendor = vendors.find_vendor_by_channel(session, team_id, change.channel_id)
    if vendor is None or not vendors.pause_vendor_once(session, vendor, change.reason, now):
        return None
    audit.record_change(
        session, "vendor.paused", vendor, {"reason": change.reason}, by=change.actor_id, at=now
    )
    # A removed vendor is paused too (a restore then says why), but nobody is told.
    return vendor if vendor.removed_at is None else None
