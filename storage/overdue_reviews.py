"""Deliveries waiting longer than their vendor's review time (`review:`, default 24 h)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from storage.models import Delivery, ReviewOutcome, Task, TaskStatus, Vendor


@dataclass(frozen=True)
class OverdueReview:
    delivery: Delivery
    task: Task
    vendor: Vendor

    def waited(self, now: datetime) -> timedelta:
        return now - self.delivery.delivered_at


def overdue_reviews(
    session: Session, team_id: str | None, now: datetime, *, vendor_id: int | None = None
) -> list[OverdueReview]:
    """Pending deliveries older than their vendor's review time, oldest first (one query;
    the review time is per vendor, so the comparison is done here over the pending ones,
    a handful at any time)."""
    query = (
        select(Delivery, Task, Vendor)
        .join(Task, col(Task.id) == col(Delivery.task_id))
        .join(Vendor, col(Vendor.id) == col(Delivery.vendor_id))
        .where(
            Delivery.outcome == ReviewOutcome.PENDING,
            Task.status == TaskStatus.DELIVERED,
            col(Delivery.delivered_at) <= now,
        )
        .order_by(col(Delivery.delivered_at), col(Delivery.id))
    )
    if team_id is not None:  # None: every team's (the scheduler)
        query = query.where(Vendor.team_id == team_id)
    if vendor_id is not None:
        query = query.where(Delivery.vendor_id == vendor_id)
    return [
        OverdueReview(delivery, task, vendor)
        for delivery, task, vendor in session.exec(query).all()
        if now - delivery.delivered_at >= timedelta(minutes=vendor.review_after_minutes)
    ]
