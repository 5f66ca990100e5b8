"""Queries about answers to check-ins, and to the team's own check-in questions (QuestionAnswer
rows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from storage.checkins import answers_checkin
from storage.models import CheckinResponse, QuestionAnswer, StatusUpdate, Vendor


def checkin_answered(post: Any) -> ColumnElement[bool]:
    """SQL: check-in `post` has an answer: a status update that answers it
    (`answers_checkin`), a reply in its thread, or answers in its form to the team's
    questions."""
    return or_(
        exists().where(answers_checkin(StatusUpdate, post)),
        exists().where(col(CheckinResponse.post_id) == col(post.id)),
        exists().where(col(QuestionAnswer.post_id) == col(post.id)),
    )


def answers_between(
    session: Session,
    team_id: str,
    start: datetime,
    end: datetime,
    *,
    vendor_id: int | None = None,
) -> Sequence[QuestionAnswer]:
    """The team's answers given in [start, end), oldest first (one vendor's with vendor_id)."""
    query = (
        select(QuestionAnswer)
        .join(Vendor, col(Vendor.id) == col(QuestionAnswer.vendor_id))
        .where(Vendor.team_id == team_id, QuestionAnswer.at >= start, QuestionAnswer.at < end)
    )
    if vendor_id is not None:
        query = query.where(QuestionAnswer.vendor_id == vendor_id)
    return session.exec(
        query.order_by(col(QuestionAnswer.at), col(QuestionAnswer.post_id), col(QuestionAnswer.id))
    ).all()
