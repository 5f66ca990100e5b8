"""Queries behind trials and scorecards (spend is storage.spend).

The scorecard's events are read with the local-date rules of `storage.summaries`
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

from sqlalchemy import select as sql_select
from sqlalchemy import update
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


def _events(
    session: Session,
    record: type[TaskFeedback] | type[Delivery],
    at: Any,
    vendor_id: int,
    span: Span,
    *columns: Any,
) -> Sequence[Any]:
    """(the local day of `at`, *columns) for each of the vendor's `record` rows whose `at`
    falls in the span, in the order of `at`: one query."""
    prepare_local_dates(session)
    query = (
        sql_select(local_date(col(at), col(Vendor.timezone)), *columns)
        .join(Vendor, col(Vendor.id) == col(record.vendor_id))
        .where(col(record.vendor_id) == vendor_id, within_span(col(at), span))
        .order_by(col(at), col(record.id))
    )
    return session.execute(query).all()


def rating_events(session: Session, vendor_id: int, span: Span) -> list[RatingEvent]:
    scores = (TaskFeedback.quality, TaskFeedback.timeliness, TaskFeedback.communication)
    rows = _events(session, TaskFeedback, TaskFeedback.created_at, vendor_id, span, *scores)
    return [
        RatingEvent(_day(day), int(quality), int(timeliness), int(communication))
        for day, quality, timeliness, communication in rows
    ]


@dataclass(frozen=True)
class DeliveryEvent:
    """A delivery made on `day` (local) and how its review went (pending, accepted,
    changes_requested)."""

    day: date
    outcome: str


def delivery_events(session: Session, vendor_id: int, span: Span) -> list[DeliveryEvent]:
    rows = _events(session, Delivery, Delivery.delivered_at, vendor_id, span, Delivery.outcome)
    return [DeliveryEvent(_day(day), str(outcome)) for day, outcome in rows]


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
    vendor: Vendor,
    started_on: date,
    decision: str,
    *,
    by: str,
    at: datetime,
    new_trial_ends_on: date | None = None,
) -> VendorTrialDecision | None:
    """Record the decision on the vendor's current trial (the one ending on its
    `trial_ends_on`, started on `started_on`) unless it has one; None when it had.

    `INSERT … ON CONFLICT (vendor_id, trial_ends_on) DO NOTHING` (SQLite and PostgreSQL):
    of two clicks racing each other exactly one inserts; on PostgreSQL the second waits
    for the first to commit and then finds the row taken. Not a savepoint (see
    storage.reviews.save_task_feedback for why).
    """
    if vendor.trial_ends_on is None:  # pragma: no cover - bot.lifecycle checked the trial
        raise ValueError(f"vendor {vendor.id} has no trial to decide")
    inserted = insert_unless_taken(
        session,
        VendorTrialDecision,
        {
            "vendor_id": vendor.saved_id,
            "trial_started_on": started_on,
            "trial_ends_on": vendor.trial_ends_on,
            "decision": decision,
            "decided_by": by,
            "decided_at": at,
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
