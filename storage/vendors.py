"""Queries about vendors (one per team and Slack channel)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import Vendor


def find_vendor_by_channel(session: Session, team_id: str, channel_id: str) -> Vendor | None:
    return session.exec(
        select(Vendor).where(Vendor.team_id == team_id, Vendor.channel_id == channel_id)
    ).first()


def get_vendor(session: Session, vendor_id: int) -> Vendor | None:
    return session.get(Vendor, vendor_id)


def list_vendors(session: Session, team_id: str) -> Sequence[Vendor]:
    return session.exec(
        select(Vendor).where(Vendor.team_id == team_id).order_by(col(Vendor.name))
    ).all()


def add_vendor(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    name: str,
    timezone: str,
    checkin_cadence: str,
    summary_cadence: str,
    added_by: str,
    now: datetime,
) -> Vendor:
    """Insert a vendor and flush so it has an id (the unique constraint guards doubles)."""
    vendor = Vendor(
        team_id=team_id,
        channel_id=channel_id,
        name=name,
        timezone=timezone,
        checkin_cadence=checkin_cadence,
        summary_cadence=summary_cadence,
        added_by=added_by,
        created_at=now,
        updated_at=now,
    )
    session.add(vendor)
    session.flush()
    return vendor


def update_vendor(session: Session, vendor: Vendor, now: datetime, **changes: object) -> Vendor:
    for name, value in changes.items():
        setattr(vendor, name, value)
    vendor.updated_at = now
    session.add(vendor)
    session.flush()
    return vendor
