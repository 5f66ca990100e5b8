"""When the previous summaries and digests went out: the periods a new one starts from.

A summary or digest covers the time since the previous one (docs/summaries.md); these
queries find that previous one. One query each, whatever the history.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import PostKind, PostState, ScheduledPost, TeamPost


def summaries_sent_before(
    session: Session, vendor_id: int, before: datetime, *, limit: int = 2
) -> list[datetime]:
    """When the vendor's latest scheduled summaries were sent, before `before`, newest first."""
    query = (
        select(ScheduledPost.sent_at)
        .where(
            ScheduledPost.vendor_id == vendor_id,
            ScheduledPost.kind == PostKind.SUMMARY,
            ScheduledPost.state == PostState.SENT,
            col(ScheduledPost.sent_at).is_not(None),
            col(ScheduledPost.sent_at) < before,
        )
        .order_by(col(ScheduledPost.sent_at).desc())
        .limit(limit)
    )
    return [moment for moment in session.exec(query).all() if moment is not None]


def team_posts_sent_before(
    session: Session, team_id: str, kind: str, before: datetime, *, limit: int = 2
) -> list[datetime]:
    """When the team's latest posts of `kind` (the digest) were sent, before `before`."""
    query = (
        select(TeamPost.sent_at)
        .where(
            TeamPost.team_id == team_id,
            TeamPost.kind == kind,
            TeamPost.state == PostState.SENT,
            col(TeamPost.sent_at).is_not(None),
            col(TeamPost.sent_at) < before,
        )
        .order_by(col(TeamPost.sent_at).desc())
        .limit(limit)
    )
    return [moment for moment in session.exec(query).all() if moment is not None]
