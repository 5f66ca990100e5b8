"""When the previous summaries and digests went out: the periods a new one starts from.

A summary or digest covers the time since the previous one (docs/summaries.md); these
queries find that previous one. One query each, whatever the history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from storage.models import PostClaim, PostKind, PostState, ScheduledPost, TeamPost


def summaries_sent_before(
    session: Session, vendor_id: int, before: datetime, *, limit: int = 2
) -> list[datetime]:
    """When the vendor's latest scheduled summaries were sent, before `before`, newest first."""
    mine = col(ScheduledPost.vendor_id) == vendor_id
    return _sent_before(session, ScheduledPost, mine, PostKind.SUMMARY, before, limit)


def team_posts_sent_before(
    session: Session, team_id: str, kind: str, before: datetime, *, limit: int = 2
) -> list[datetime]:
    """When the team's latest posts of `kind` (the digest) were sent, before `before`."""
    return _sent_before(session, TeamPost, col(TeamPost.team_id) == team_id, kind, before, limit)


def _sent_before(
    session: Session,
    table: type[PostClaim],
    whose: ColumnElement[bool],
    kind: str,
    before: datetime,
    limit: int,
) -> list[datetime]:
    sent_at = col(table.sent_at)
    query = (
        select(sent_at)
        .where(
            whose,
            table.kind == kind,
            table.state == PostState.SENT,
            sent_at.is_not(None),
            sent_at < before,
        )
        .order_by(sent_at.desc())
        .limit(limit)
    )
    return [moment for moment in session.exec(query).all() if moment is not None]
