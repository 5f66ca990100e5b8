"""The task lists behind a vendor's alignment note (bot.alignment): one query each,
whatever the number of tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import (
    Delivery,
    ReviewOutcome,
    StatusUpdate,
    Task,
    TaskStatus,
    TaskUpdate,
)

LIMIT = 15  # per list: a note, not a report


def delivered_between(
    session: Session, vendor_id: int, start: datetime, end: datetime
) -> list[Task]:
    """Tasks the vendor delivered in `(start, end]` (a delivery accepted or not yet
    reviewed), or that were closed as done in it without a delivery; oldest first. A
    delivery sent back for changes is not thanked for: the task is listed under "Waiting on
    us" (changes requested) instead, until it is delivered again."""
    delivery = aliased(Delivery)
    delivered = (
        exists()
        .where(
            col(delivery.task_id) == col(Task.id),
            col(delivery.delivered_at) > start,
            col(delivery.delivered_at) <= end,
            col(delivery.outcome) != ReviewOutcome.CHANGES_REQUESTED,
        )
        .correlate(Task)
    )
    closed = and_(
        col(Task.status) == TaskStatus.DONE,
        col(Task.delivered_at).is_(None),
        col(Task.closed_at) > start,
        col(Task.closed_at) <= end,
    )
    query = (
        select(Task)
        .where(Task.vendor_id == vendor_id, col(Task.status) != TaskStatus.CANCELLED)
        .where(or_(delivered, closed))
        .order_by(col(Task.id))
        .limit(LIMIT)
    )
    return list(session.exec(query).all())


def due_by(session: Session, vendor_id: int, last_day: date) -> list[Task]:
    """Open tasks (not delivered) due on or before `last_day`, overdue ones included,
    soonest first."""
    query = (
        select(Task)
        .where(
            Task.vendor_id == vendor_id,
            Task.status == TaskStatus.OPEN,
            col(Task.due_date).is_not(None),
            col(Task.due_date) <= last_day,
        )
        .order_by(col(Task.due_date), col(Task.id))
        .limit(LIMIT)
    )
    return list(session.exec(query).all())


@dataclass(frozen=True)
class Stuck:
    task: Task
    update: StatusUpdate  # the latest word: blocked or at risk


def stuck(session: Session, vendor_id: int, now: datetime) -> list[Stuck]:
    """Open tasks whose latest status (by `now`) is blocked or at risk."""
    newer = aliased(StatusUpdate)
    latest = ~exists().where(
        col(newer.task_id) == col(StatusUpdate.task_id),
        col(newer.at) <= now,
        or_(
            col(newer.at) > col(StatusUpdate.at),
            and_(col(newer.at) == col(StatusUpdate.at), col(newer.id) > col(StatusUpdate.id)),
        ),
    )
    query = (
        select(Task, StatusUpdate)
        .join(StatusUpdate, col(StatusUpdate.task_id) == col(Task.id))
        .where(
            Task.vendor_id == vendor_id,
            Task.status == TaskStatus.OPEN,
            col(StatusUpdate.at) <= now,
            col(StatusUpdate.status).in_((TaskUpdate.BLOCKED, TaskUpdate.AT_RISK)),
            latest,
        )
        .order_by(col(Task.id))
        .limit(LIMIT)
    )
    return [Stuck(task, update) for task, update in session.exec(query).all()]


@dataclass(frozen=True)
class WaitingOnTeam:
    task: Task
    delivery: Delivery  # pending: awaiting review; else the request for changes


def waiting_on_team(session: Session, vendor_id: int) -> list[WaitingOnTeam]:
    """Deliveries awaiting the owner's review, and open tasks whose latest delivery was
    sent back for changes (what the vendor needs from the team); oldest first."""
    later = aliased(Delivery)
    newest = ~exists().where(
        col(later.task_id) == col(Delivery.task_id), col(later.id) > col(Delivery.id)
    )
    query = (
        select(Task, Delivery)
        .join(Delivery, col(Delivery.task_id) == col(Task.id))
        .where(
            Task.vendor_id == vendor_id,
            newest,
            or_(
                and_(
                    col(Task.status) == TaskStatus.DELIVERED,
                    col(Delivery.outcome) == ReviewOutcome.PENDING,
                ),
                and_(
                    col(Task.status) == TaskStatus.OPEN,
                    col(Delivery.outcome) == ReviewOutcome.CHANGES_REQUESTED,
                ),
            ),
        )
        .order_by(col(Delivery.delivered_at), col(Task.id))
        .limit(LIMIT)
    )
    return [WaitingOnTeam(task, delivery) for task, delivery in session.exec(query).all()]
