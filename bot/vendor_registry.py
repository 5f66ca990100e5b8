"""The vendors `/delegate vendor …` manages: finding one by its channel, pausing, settings,
holidays, removal. Plain functions over a session, no Slack.

Each function validates first and raises UsageError before writing anything; every write
is paired with an audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import lifecycle
from bot.commands import ManageHolidays, UpdateVendor
from bot.errors import UsageError
from bot.public_holidays import public_holidays
from bot.schedule_rules import local_today, parse_due_date, vendor_today
from bot.slack_text import escape, listed_are
from bot.vendor_settings import asked_columns, changed_labels, changes_from
from storage import audit, holidays, tasks, vendors
from storage import lifecycle as lifecycle_store
from storage.models import Vendor
from storage.spend import vendor_has_costs

# --------------------------------------------------------------------------- finding one


def vendor_of_channel(
    session: Session, team_id: str, channel_id: str, *, removed_too: bool = False
) -> Vendor:
    """The vendor of `channel_id`, or a UsageError saying how to add one (or, unless
    `removed_too`, how to bring back a removed one)."""
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    if vendor is None:
        raise UsageError(
            f"<#{channel_id}> is not a vendor channel. Add it with "
            f"`/delegate vendor add <#{channel_id}>`, or see `/delegate vendor list`."
        )
    if vendor.removed_at is not None and not removed_too:
        raise UsageError(removed_refusal(vendor))
    return vendor


def removed_refusal(vendor: Vendor) -> str:
    return (
        f"{escape(vendor.name)} (<#{vendor.channel_id}>) was removed as a vendor; nothing "
        f"changed. Bring it back first with `/delegate vendor restore <#{vendor.channel_id}>`."
    )


def is_vendor_channel(session: Session, team_id: str, channel_id: str) -> bool:
    """Whether `channel_id` is a vendor's that is in use (not removed)."""
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    return vendor is not None and vendor.removed_at is None


def vendor_in_channel(session: Session, team_id: str, channel_id: str) -> Vendor | None:
    """The vendor a new task for `channel_id` goes to; None when the channel is not a vendor
    yet (the requester is asked before it becomes one). A removed vendor is refused."""
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    if vendor is not None and vendor.removed_at is not None:
        raise UsageError(removed_refusal(vendor))
    return vendor


def list_vendors(session: Session, *, team_id: str, removed: bool = False) -> Sequence[Vendor]:
    return vendors.list_vendors(session, team_id, removed=removed)


def check_vendor_can_change_pause(
    session: Session, *, team_id: str, channel_id: str, paused: bool
) -> Vendor:
    """The vendor to pause or resume; UsageError when there is none or nothing would change."""
    vendor = vendor_of_channel(session, team_id, channel_id)
    if vendor.paused == paused:
        state = "paused" if paused else "active"
        raise UsageError(f"{escape(vendor.name)} is already {state}; nothing changed.")
    return vendor


def set_vendor_paused(
    session: Session, *, team_id: str, actor_id: str, channel_id: str, paused: bool, now: datetime
) -> Vendor:
    """Pause or resume by hand. Resuming also forgets why the bot had paused it."""
    vendor = check_vendor_can_change_pause(
        session, team_id=team_id, channel_id=channel_id, paused=paused
    )
    previous_reason = vendor.pause_reason
    vendors.update_vendor(session, vendor, now, paused=paused, pause_reason=None)
    audit.record_change(
        session,
        "vendor.paused" if paused else "vendor.resumed",
        vendor,
        {"pause_reason": previous_reason} if previous_reason else None,
        by=actor_id,
        at=now,
    )
    return vendor


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class VendorUpdated:
    vendor: Vendor
    changed: tuple[str, ...]  # readable names of the settings that changed, in order


def update_vendor_settings(
    session: Session, command: UpdateVendor, *, team_id: str, actor_id: str, now: datetime
) -> VendorUpdated:
    """Apply `vendor set`: only the settings given; audited as vendor.updated with from/to
    (bot.vendor_settings says which columns each setting changes and what it is called)."""
    vendor = vendor_of_channel(session, team_id, command.channel_id)
    vendor_id = vendor.saved_id
    wanted = asked_columns(command)
    # Trial dates are read in the vendor's time zone (the new one, when it changes too).
    zone = ZoneInfo(command.timezone or vendor.timezone)
    wanted |= lifecycle.lifecycle_settings(
        command,
        vendor,
        today=local_today(now, zone),
        has_costs=command.currency is not None and vendor_has_costs(session, vendor_id),
        decided=lambda end: lifecycle_store.find_trial_decision(session, vendor_id, end),
    )
    changes = changes_from(vendor, wanted)
    if not changes:
        raise UsageError(
            f"{escape(vendor.name)} already has those settings; nothing changed. "
            "See them with `/delegate vendor list`."
        )
    vendors.update_vendor(
        session, vendor, now, **{field: change["to"] for field, change in changes.items()}
    )
    audit.record_change(session, "vendor.updated", vendor, changes, by=actor_id, at=now)
    return VendorUpdated(vendor=vendor, changed=changed_labels(changes))


# --------------------------------------------------------------------------- holidays

MAX_HOLIDAYS_LISTED = 60
PUBLIC_HOLIDAYS_LISTED_DAYS = 365


@dataclass(frozen=True)
class HolidayListing:
    """A vendor's upcoming holidays, after an optional change."""

    vendor: Vendor
    upcoming: Sequence[date]
    added: Sequence[date] = ()
    removed: Sequence[date] = ()
    already: Sequence[date] = ()  # asked to add, but they were holidays already
    # The country's public holidays (vendor.public_holidays) in the coming year, by date.
    public: Mapping[date, str] = field(default_factory=dict)


def manage_holidays(
    session: Session, command: ManageHolidays, *, team_id: str, actor_id: str, now: datetime
) -> HolidayListing:
    """List, add or remove a vendor's holidays. Dates are read in the vendor's time zone.

    All dates are checked before anything is written: one bad date changes nothing. Adding
    a holiday twice is harmless; removing a date that is no holiday is refused.
    """
    vendor = vendor_of_channel(session, team_id, command.channel_id)
    vendor_id = vendor.saved_id
    today = vendor_today(vendor, now)
    days = sorted({parse_due_date(text, today) for text in command.dates})
    existing = holidays.holidays_among(session, vendor_id, days)
    added: list[date] = []
    removed: list[date] = []
    if command.action == "add":
        added = [day for day in days if day not in existing]
        holidays.add_holidays(session, vendor_id, added)
    elif command.action == "remove":
        missing = [f"{day:%a %-d %b %Y}" for day in days if day not in existing]
        if missing:
            raise UsageError(
                f"{listed_are(missing)} not a holiday for {escape(vendor.name)}; nothing "
                f"changed. See them with `/delegate vendor holiday <#{vendor.channel_id}>`."
            )
        removed = days
        holidays.remove_holidays(session, vendor_id, removed)
    if added or removed:
        audit.record_change(
            session,
            "vendor.holidays_added" if added else "vendor.holidays_removed",
            vendor,
            {"days": added or removed},
            by=actor_id,
            at=now,
        )
    upcoming = holidays.list_holidays(session, vendor_id, since=today, limit=MAX_HOLIDAYS_LISTED)
    already = [day for day in days if day in existing] if command.action == "add" else []
    public = public_holidays(
        vendor.public_holidays, today, today + timedelta(days=PUBLIC_HOLIDAYS_LISTED_DAYS)
    )
    return HolidayListing(
        vendor, upcoming, added=added, removed=removed, already=already, public=public
    )


# --------------------------------------------------------------------------- removal


def remove_vendor(
    session: Session, *, team_id: str, actor_id: str, channel_id: str, now: datetime
) -> tuple[Vendor, int]:
    """`vendor remove`: from now on nothing is posted for the vendor and it is out of every
    list, digest and summary; its tasks and figures stay in the database. Returns the
    vendor and how many open tasks it had (kept, hidden with it)."""
    vendor = vendor_of_channel(session, team_id, channel_id, removed_too=True)
    if vendor.removed_at is not None:
        raise UsageError(
            f"{escape(vendor.name)} is already removed; nothing changed. "
            f"`/delegate vendor restore <#{channel_id}>` brings it back."
        )
    open_tasks = len(tasks.list_open_tasks(session, team_id, vendor_id=vendor.id))
    vendors.update_vendor(session, vendor, now, removed_at=now, removed_by=actor_id)
    audit.record_change(
        session,
        "vendor.removed",
        vendor,
        {"channel_id": channel_id, "name": vendor.name, "open_tasks": open_tasks},
        by=actor_id,
        at=now,
    )
    return vendor, open_tasks


def restore_vendor(
    session: Session, *, team_id: str, actor_id: str, channel_id: str, now: datetime
) -> Vendor:
    """`vendor restore`: a removed vendor is back as it was (paused or not)."""
    vendor = vendor_of_channel(session, team_id, channel_id, removed_too=True)
    if vendor.removed_at is None:
        raise UsageError(f"{escape(vendor.name)} is not removed; nothing changed.")
    removed_at = vendor.removed_at
    vendors.update_vendor(session, vendor, now, removed_at=None, removed_by=None)
    audit.record_change(
        session, "vendor.restored", vendor, {"removed_at": removed_at}, by=actor_id, at=now
    )
    return vendor
