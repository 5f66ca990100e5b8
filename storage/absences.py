"""Queries about vendor contacts' days away (VendorAbsence rows, the vendor's local dates)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlmodel import Session, col, delete, select

from storage.database import insert_unless_taken
from storage.models import Vendor, VendorAbsence

SPAN = ("vendor_id", "user_id", "first_day", "last_day")


def add_absence(
    session: Session,
    vendor: Vendor,
    user_id: str,
    *,
    first_day: date,
    last_day: date,
    note: str,
    now: datetime,
) -> tuple[VendorAbsence, bool]:
    """The absence for this person and span, and whether this call added it: the same span
    said again (or at the same instant by a second submission) is the row already there."""
    values = {
        "vendor_id": vendor.saved_id,
        "user_id": user_id,
        "first_day": first_day,
        "last_day": last_day,
        "note": note,
        "created_at": now,
    }
    new_id = insert_unless_taken(session, VendorAbsence, values, SPAN)
    found = session.exec(
        select(VendorAbsence).where(
            VendorAbsence.vendor_id == vendor.saved_id,
            VendorAbsence.user_id == user_id,
            VendorAbsence.first_day == first_day,
            VendorAbsence.last_day == last_day,
        )
    ).one()
    return found, new_id is not None


def absences_from(
    session: Session, vendor_ids: Iterable[int], since: date, limit: int = 500
) -> Sequence[VendorAbsence]:
    """Absences of these vendors not over before `since`, soonest first."""
    wanted = list(vendor_ids)
    if not wanted:
        return []
    return session.exec(
        select(VendorAbsence)
        .where(col(VendorAbsence.vendor_id).in_(wanted), col(VendorAbsence.last_day) >= since)
        .order_by(col(VendorAbsence.first_day), col(VendorAbsence.id))
        .limit(limit)
    ).all()


def clear_absences(session: Session, vendor_id: int, since: date, user_id: str | None) -> int:
    """Delete the absences not over before `since` (one person's, or everyone's); how many."""
    query = delete(VendorAbsence).where(
        col(VendorAbsence.vendor_id) == vendor_id, col(VendorAbsence.last_day) >= since
    )
    if user_id is not None:
        query = query.where(col(VendorAbsence.user_id) == user_id)
    result = session.exec(query)
    return int(result.rowcount or 0)
