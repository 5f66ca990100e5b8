"""Queries behind spend: what the tasks done cost, per vendor, over a week, a month and to
date, and whether a vendor has any costs at all.

Read with the local-date rules of `storage.summaries` (each vendor's own calendar,
decided by the database row by row). One query each, whatever the number of tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from storage.models import Task, TaskStatus
from storage.summaries import Scope, Span, prepare_local_dates, within_span


@dataclass(frozen=True)
class SpendTotals:
    """Costs of tasks done, in minor units of the vendor's currency."""

    this_week: int = 0
    this_month: int = 0
    to_date: int = 0


def spend_totals(
    session: Session, scope: Scope, week: Span, month: Span, now: datetime
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
        scope.restrict(
            sql_select(
                col(Task.vendor_id),
                total(within_span(closed_at, week)),
                total(within_span(closed_at, month)),
                func.coalesce(func.sum(cost), 0),
            ),
            col(Task.vendor_id),
        )
        .where(col(Task.status) == TaskStatus.DONE, cost.is_not(None), closed_at <= now)
        .group_by(col(Task.vendor_id))
    )
    # PostgreSQL's SUM over BIGINT is NUMERIC (a Decimal here): exact, and made int.
    return {
        int(vendor): SpendTotals(int(week_total), int(month_total), int(to_date))
        for vendor, week_total, month_total, to_date in session.execute(query).all()
    }


def vendor_has_costs(session: Session, vendor_id: int) -> bool:
    """Whether any of the vendor's tasks has a cost recorded (in its current currency)."""
    query = select(Task.id).where(Task.vendor_id == vendor_id, col(Task.cost_minor).is_not(None))
    return session.exec(query.limit(1)).first() is not None
