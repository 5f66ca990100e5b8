"""Queries behind trials, scorecards and spend.

Spend and the scorecard's events are read with the local-date rules of `storage.summaries`
(each vendor's own calendar, decided by the database row by row). Every function runs one
query, whatever the number of tasks; the scorecard's functions return one small row per
event (a task finished, a rating, a delivery) of one vendor in the weeks asked for, which
`bot.scorecards` counts into weeks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from storage import on_time
from storage.database import insert_unless_taken
from storage.models import (
    Delivery,
    Task,
    TaskFeedback,
    TaskStatus,
    Vendor,
    VendorTrialDecision,
)
from storage.summaries import Span, local_date, prepare_local_dates, within_span

# --------------------------------------------------------------------------- spend


@dataclass(frozen=True)
class SpendTotals:
    """Costs of tasks done, in minor units of the vendor's currency."""

    this_week: int = 0
    this_month: int = 0
    to_date: int = 0


def spend_totals(
    session: Session,
    team_id: str,
    week: Span,
    month: Span,
    now: datetime,
    *,
    vendor_id: int | None = None,
) -> dict[int, SpendTotals]:
    """Per vendor: what the tasks done (closed) on the week's and the month's local days
    cost, and all of them closed by `now`. Cancelled tasks never count. One query; vendors
    without costs are missing from the result."""
    prepare_local_dates(session)
    cost = col(Task.cost_minor)

    def total(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, cost), else_=0)), 0)

    closed_at = col(Task.closed_at)
    query = (
        sql_select(
            col(Task.vendor_id),
            total(within_span(closed_at, week)),
            total(within_span(closed_at, month)),
            func.coalesce(func.sum(cost), 0),
        )
        .join(Vendor, col(Vendor.id) == col(Task.vendor_id))
        .where(
            col(Vendor.team_id) == team_id,
            col(Task.status) == TaskStatus.DONE,
            cost.is_not(None),
            closed_at <= now,
        )
        .group_by(col(Task.vendor_id))
    )
    if vendor_id is not None:
        query = query.where(col(Task.vendor_id) == vendor_id)
    # PostgreSQL's SUM over BIGINT is NUMERIC (a Decimal here): exact, and made int.
    return {
        int(vendor): SpendTotals(int(week_total), int(month_total), int(to_date))
        for vendor, week_total, month_total, to_date in session.execute(query).all()
    }


def vendor_has_costs(session: Session, vendor_id: int) -> bool:
    """Whether any of the vendor's tasks has a cost recorded (in its current currency)."""
    query = select(Task.id).where(Task.vendor_id == vendor_id, col(Task.cost_minor).is_not(None))
    return session.exec(query.limit(1)).first() is not None


# --------------------------------------------------------------------------- scorecard events


@dataclass(frozen=True)
class FinishedTask:
    """A task done in the span: when it was closed and finished (the accepted delivery,
    else the closing), the vendor's local dates; the due date in force when it was
    finished (storage.on_time) and its cost."""

    closed_on: date
    finished_on: date
    due_in_force: date | None
    cost_minor: int | None

    @property
    def days_late(self) -> int:
        return on_time.days_late(self.due_in_force, self.finished_on)


def _day(value: Any) -> date:
    """A local_date column: a date (PostgreSQL) or its ISO text (SQLite's function)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def finished_tasks(session: Session, vendor_id: int, span: Span) -> list[FinishedTask]:
    prepare_local_dates(session)
    zone = col(Vendor.timezone)
    closed_at = col(Task.closed_at)
    query = (
        sql_select(
            local_date(closed_at, zone),
            local_date(on_time.finished_at(), zone),
            col(Task.due_in_force),
            col(Task.cost_minor),
        )
        .join(Vendor, col(Vendor.id) == col(Task.vendor_id))
        .where(
            col(Task.vendor_id) == vendor_id,
            col(Task.status) == TaskStatus.DONE,
            within_span(closed_at, span),
        )
        .order_by(closed_at, col(Task.id))
    )
    return [
        FinishedTask(_day(closed), _day(finished), due, None if cost is None else int(cost))
        for closed, finished, due, cost in session.execute(query).all()
    ]


@dataclass(frozen=True)
class RatingEvent:
    """A rating first given on `day` (the vendor's local date), scores 1-5."""

    day: date
    quality: int
    timeliness: int
    communication: int


def rating_events(session: Session, vendor_id: int, span: Span) -> list[RatingEvent]:
    prepare_local_dates(session)
    created_at = col(TaskFeedback.created_at)
    query = (
        sql_select(
            local_date(created_at, col(Vendor.timezone)),
            col(TaskFeedback.quality),
            col(TaskFeedback.timeliness),
            col(TaskFeedback.communication),
        )
        .join(Vendor, col(Vendor.id) == col(TaskFeedback.vendor_id))
        .where(col(TaskFeedback.vendor_id) == vendor_id, within_span(created_at, span))
        .order_by(created_at, col(TaskFeedback.id))
    )
    return [
        RatingEvent(_day(day), int(quality), int(timeliness), int(communication))
        for day, quality, timeliness, communication in session.execute(query).all()
    ]


@dataclass(frozen=True)
class DeliveryEvent:
    """A delivery made on `day` (local) and how its review went (pending, accepted,
    changes_requested)."""

    day: date
    outcome: str


def delivery_events(session: Session, vendor_id: int, span: Span) -> list[DeliveryEvent]:
    prepare_local_dates(session)
    delivered_at = col(Delivery.delivered_at)
    query = (
        sql_select(local_date(delivered_at, col(Vendor.timezone)), col(Delivery.outcome))
        .join(Vendor, col(Vendor.id) == col(Delivery.vendor_id))
        .where(col(Delivery.vendor_id) == vendor_id, within_span(delivered_at, span))
        .order_by(delivered_at, col(Delivery.id))
    )
    return [DeliveryEvent(_day(day), str(outcome)) for day, outcome in session.execute(query)]


def unfinished_tasks(session: Session, vendor_id: int, *, limit: int = 40) -> Sequence[Task]:
    """The vendor's open and delivered tasks, soonest due first (to reassign them)."""
    query = (
        select(Task)
        .where(
            Task.vendor_id == vendor_id,
            col(Task.status).in_((TaskStatus.OPEN, TaskStatus.DELIVERED)),
        )
        .order_by(col(Task.due_date).is_(None), col(Task.due_date), col(Task.id))
        .limit(limit)
    )
    return session.exec(query).all()


# --------------------------------------------------------------------------- trial decisions


def find_trial_decision(
    session: Session, vendor_id: int, trial_ends_on: date
) -> VendorTrialDecision | None:
    return session.exec(
        select(VendorTrialDecision).where(
            VendorTrialDecision.vendor_id == vendor_id,
            VendorTrialDecision.trial_ends_on == trial_ends_on,
        )
    ).first()


def record_trial_decision_once(
    session: Session,
    *,
    vendor_id: int,
    trial_started_on: date,
    trial_ends_on: date,
    decision: str,
    decided_by: str,
    now: datetime,
    new_trial_ends_on: date | None = None,
) -> VendorTrialDecision | None:
    """Record the trial's decision unless it has one; None when it had.

    `INSERT … ON CONFLICT (vendor_id, trial_ends_on) DO NOTHING` (SQLite and PostgreSQL):
    of two clicks racing each other exactly one inserts; on PostgreSQL the second waits
    for the first to commit and then finds the row taken. Not a savepoint (see
    storage.reviews.save_task_feedback for why).
    """
    inserted = insert_unless_taken(
        session,
        VendorTrialDecision,
        {
            "vendor_id": vendor_id,
            "trial_started_on": trial_started_on,
            "trial_ends_on": trial_ends_on,
            "decision": decision,
            "decided_by": decided_by,
            "decided_at": now,
            "new_trial_ends_on": new_trial_ends_on,
        },
        ["vendor_id", "trial_ends_on"],
    )
    if inserted is None:
        return None
    return session.get(VendorTrialDecision, inserted)


def change_trial_once(
    session: Session, vendor: Vendor, expected_end: date, now: datetime, **values: Any
) -> bool:
    """Change the vendor's trial (and `paused`, `pause_reason`) only while its trial still
    ends on `expected_end`: one conditional UPDATE. False when it no longer does."""
    result = session.exec(
        update(Vendor)
        .where(col(Vendor.id) == vendor.id, col(Vendor.trial_ends_on) == expected_end)
        .values(updated_at=now, **values)
    )
    changed = result.rowcount == 1
    if changed:
        session.refresh(vendor)
    return changed
