"""Queries about a vendor's holidays (local calendar dates on which nothing is posted)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlmodel import Session, col, delete, select

from storage.database import insert_unless_taken
from storage.models import Holiday


def list_holidays(
    session: Session, vendor_id: int, *, since: date | None = None, limit: int = 100
) -> Sequence[date]:
    """The vendor's holidays in date order, from `since` on when given."""
    query = select(Holiday).where(Holiday.vendor_id == vendor_id)
    if since is not None:
        query = query.where(col(Holiday.day) >= since)
    return [h.day for h in session.exec(query.order_by(col(Holiday.day)).limit(limit)).all()]


def holidays_by_vendor(
    session: Session, vendor_ids: Iterable[int], *, since: date, limit: int = 100
) -> dict[int, list[date]]:
    """`list_holidays` for many vendors in one query: each one's first `limit` from `since`."""
    found: dict[int, list[date]] = {vendor_id: [] for vendor_id in vendor_ids}
    if not found:
        return found
    # Every vendor's from `since` on (few rows: days off ahead), kept for the wanted ones,
    # rather than an IN list as long as the vendors.
    rows = session.exec(
        select(Holiday)
        .where(col(Holiday.day) >= since)
        .order_by(col(Holiday.vendor_id), col(Holiday.day))
    ).all()
    for row in rows:
        days = found.get(row.vendor_id)
        if days is not None and len(days) < limit:
            days.append(row.day)
    return found


def holidays_among(session: Session, vendor_id: int, days: Iterable[date]) -> set[date]:
    """Which of `days` are already holidays for the vendor."""
    wanted = list(days)
    if not wanted:
        return set()
    found = session.exec(
        select(Holiday).where(Holiday.vendor_id == vendor_id, col(Holiday.day).in_(wanted))
    ).all()
    return {h.day for h in found}


def add_holidays(session: Session, vendor_id: int, days: Iterable[date]) -> None:
    """Insert holidays. The caller leaves out days that exist; one that another request
    added meanwhile is skipped, not an error (unique per vendor and day)."""
    for day in days:
        insert_unless_taken(
            session, Holiday, {"vendor_id": vendor_id, "day": day}, ["vendor_id", "day"]
        )


def remove_holidays(session: Session, vendor_id: int, days: Iterable[date]) -> None:
    wanted = list(days)
    if wanted:
        session.exec(
            delete(Holiday).where(col(Holiday.vendor_id) == vendor_id, col(Holiday.day).in_(wanted))
        )
