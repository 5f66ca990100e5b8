"""Spend: what a vendor's tasks cost, for internal eyes only (the digest, the scorecard,
budget alerts; never the vendor's channel).

A task's cost is set with `cost:` or `/delegate cost ID AMOUNT` in its vendor's currency
(bot.money) and counts on the local day the task is closed as done. The queries are
storage.spend.

**Budgets.** A vendor's monthly budget is compared with its spend in the current calendar
month of its own time zone; crossing 80 % and 100 % each tells whoever added the vendor,
once per month (a claim unique per vendor, month and threshold; both crossed at once sends
only the 100 % one); the scheduler posts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot import people
from bot.errors import UsageError
from bot.money import CostSpec, format_money, resolve_cost
from storage import audit, tasks
from storage.models import TaskStatus, Vendor
from storage.spend import SpendTotals, spend_totals
from storage.summaries import Scope, Span
from storage.tasks import TaskRow

BUDGET_THRESHOLDS = (80, 100)


@dataclass(frozen=True, kw_only=True)
class VendorSpend(SpendTotals):
    """What a vendor cost (its SpendTotals), in minor units of its currency (bot.money), for
    internal eyes only: the digest, the scorecard, budget alerts; never the vendor's channel."""

    currency: str
    month: date  # the first day of the month `this_month` covers
    budget: int | None  # the vendor's monthly budget, if it has one

    @property
    def worth_showing(self) -> bool:
        return bool(self.to_date or self.budget)

    @property
    def budget_percent(self) -> int | None:
        """Share of the monthly budget spent, in whole percent (rounded down)."""
        return self.this_month * 100 // self.budget if self.budget else None


def month_span(day: date, until: datetime | None = None) -> Span:
    """The calendar month of `day`, as a span of local days."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Span(first, following - timedelta(days=1), until=until)


def spend_by_vendor(
    session: Session,
    scope: Scope,
    listed: Sequence[Vendor],
    week: Span,
    month: Span,
    now: datetime,
) -> dict[int, VendorSpend]:
    """Each listed vendor's spend over `week`, `month` and to date (one query; `scope` is
    whose tasks it reads: the listed vendors' team, or the one listed vendor)."""
    totals = spend_totals(session, scope, week, month, now)
    return {
        vendor.saved_id: VendorSpend(
            **asdict(totals.get(vendor.saved_id, SpendTotals())),
            currency=vendor.currency,
            month=month.first_day,
            budget=vendor.monthly_budget_minor,
        )
        for vendor in listed
    }


def vendor_spend(
    session: Session, vendor: Vendor, week: Span, month: Span, now: datetime
) -> VendorSpend:
    """One vendor's spend over `week`, `month` and to date (one query)."""
    return spend_by_vendor(session, Scope.of_vendor(vendor), [vendor], week, month, now)[
        vendor.saved_id
    ]


# --------------------------------------------------------------------------- budgets


def crossed_thresholds(spent: int, budget: int) -> tuple[int, ...]:
    """The budget thresholds (percent) that `spent` has reached; exact integer arithmetic."""
    return tuple(t for t in BUDGET_THRESHOLDS if budget > 0 and spent * 100 >= budget * t)


def budget_alert_key(month: date, threshold: int) -> str:
    """The claim's occurrence: `2026-12@80`."""
    return f"{month:%Y-%m}@{threshold}"


# --------------------------------------------------------------------------- a task's cost


@dataclass(frozen=True)
class CostChanged:
    row: TaskRow
    cost_minor: int | None
    previous: int | None


def set_task_cost(
    session: Session,
    *,
    team_id: str,
    actor_id: str,
    task_id: int,
    cost: CostSpec | None,
    now: datetime,
) -> CostChanged:
    """`/delegate cost ID AMOUNT|none`: a task's cost in its vendor's currency, audited.
    Any task but a cancelled one: a cost often becomes known once the work is done."""
    row = people.find_task(session, team_id, task_id)
    if row.task.status == TaskStatus.CANCELLED:
        raise UsageError(f"Task #{task_id} is cancelled, so it costs nothing; nothing changed.")
    vendor = row.vendor
    minor = resolve_cost(cost, vendor.currency, vendor.hourly_rate_minor) if cost else None
    previous = row.task.cost_minor
    if minor == previous:
        shown = "no cost" if minor is None else format_money(minor, vendor.currency)
        raise UsageError(f"Task #{task_id} already has {shown}; nothing changed.")
    tasks.update_task(session, row.task, now, cost_minor=minor)
    audit.record_change(
        session,
        "task.cost_set",
        row.task,
        {
            "from": previous,
            "to": minor,
            "currency": vendor.currency,
            "typed": str(cost) if cost else None,
        },
        by=actor_id,
        at=now,
    )
    return CostChanged(row, minor, previous)
