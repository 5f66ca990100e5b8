"""Confirmations that must take effect once (see ConfirmedRequest)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.models import ConfirmedRequest


def record_confirmation(
    session: Session, *, team_id: str, request_key: str, user_id: str, now: datetime
) -> None:
    """Add the confirmation and flush: a second one with the same key raises IntegrityError
    (after the first commits, when two race), which rolls back whatever it came with."""
    session.add(
        ConfirmedRequest(team_id=team_id, request_key=request_key, confirmed_by=user_id, at=now)
    )
    session.flush()


def find_confirmation(session: Session, team_id: str, request_key: str) -> ConfirmedRequest | None:
    return session.exec(
        select(ConfirmedRequest).where(
            ConfirmedRequest.team_id == team_id, ConfirmedRequest.request_key == request_key
        )
    ).first()
