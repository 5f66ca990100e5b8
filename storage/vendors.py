"""Queries about vendors (one per team and Slack channel)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from storage.database import insert_unless_taken, save_changes
from storage.models import Vendor


def find_vendor_by_channel(session: Session, team_id: str, channel_id: str) -> Vendor | None:
    return session.exec(
        select(Vendor).where(Vendor.team_id == team_id, Vendor.channel_id == channel_id)
    ).first()


def get_vendor(session: Session, vendor_id: int) -> Vendor | None:
    return session.get(Vendor, vendor_id)


def list_vendors(session: Session, team_id: str, *, removed: bool = False) -> Sequence[Vendor]:
    """The team's vendors by name: those in use, or (`removed`) those removed."""
    gone = col(Vendor.removed_at).is_not(None) if removed else col(Vendor.removed_at).is_(None)
    return session.exec(
        select(Vendor).where(Vendor.team_id == team_id, gone).order_by(col(Vendor.name))
    ).all()


def add_vendor(session: Session, vendor: Vendor) -> Vendor | None:
    """Insert the new (unsaved) vendor and return its row, or None when its channel is a
    vendor already.

    Two requests may register one channel at once (`vendor add` while a task for it is
    being created): the insert is `ON CONFLICT DO NOTHING`, so the loser gets None and
    reads the winner's row, instead of failing on the unique (team, channel) key.
    """
    vendor_id = insert_unless_taken(
        session, Vendor, vendor.model_dump(exclude={"id"}), ["team_id", "channel_id"]
    )
    return None if vendor_id is None else session.get(Vendor, vendor_id)


def update_vendor(session: Session, vendor: Vendor, now: datetime, **changes: object) -> Vendor:
    return save_changes(session, vendor, now, changes)


def pause_vendor_once(session: Session, vendor: Vendor, reason: str, now: datetime) -> bool:
    """Pause the vendor for `reason` unless it is already paused for that very reason.

    One conditional UPDATE, so two deliveries of the same Slack event racing each other
    cannot both see "not paused yet": exactly one gets True (and tells someone).
    """
    result = session.exec(
        update(Vendor)
        .where(
            col(Vendor.id) == vendor.id,
            or_(
                col(Vendor.paused).is_(False),
                col(Vendor.pause_reason).is_(None),
                col(Vendor.pause_reason) != reason,
            ),
        )
        .values(paused=True, pause_reason=reason, updated_at=now)
    )
    changed = result.rowcount == 1
    if changed:
        session.refresh(vendor)
    return changed
