"""Confirmations that must take effect once (see ConfirmedRequest)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.database import insert_unless_taken
from storage.models import ConfirmedRequest


def record_confirmation(
    session: Session, *, team_id: str, request_key: str, user_id: str, now: datetime
) -> bool:
    """Add the confirmation; False when its key is taken (pressed already: on PostgreSQL a
    racing press waits for the first to commit, then finds the key taken)."""
    inserted = insert_unless_taken(
        session,
        ConfirmedRequest,
        {"team_id": team_id, "request_key": request_key, "confirmed_by": user_id, "at": now},
        ["team_id", "request_key"],
    )
    return inserted is not None
