"""Due-date slips: a task's due date moved later (`/delegate due`, audited as
`task.rescheduled` with the dates from and to). One query per call."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from storage.models import AuditEntry
from storage.summaries import Scope


@dataclass(frozen=True)
class Slips:
    count: int = 0  # due dates moved later
    days: int = 0  # by how many days in all


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def slips_by_vendor(
    session: Session, scope: Scope, start: datetime, end: datetime
) -> dict[int, Slips]:
    """Per vendor, the due dates moved later in `(start, end]`. Setting a first due date
    or moving one earlier is not a slip."""
    query = select(AuditEntry.vendor_id, AuditEntry.detail).where(
        AuditEntry.team_id == scope.team_id,
        AuditEntry.action == "task.rescheduled",
        col(AuditEntry.at) > start,
        col(AuditEntry.at) <= end,
    )
    if scope.vendor_id is not None:
        query = query.where(AuditEntry.vendor_id == scope.vendor_id)
    counts: dict[int, list[int]] = defaultdict(list)
    for vendor, detail in session.exec(query).all():
        try:
            moved = json.loads(detail)
        except ValueError:
            continue
        before, after = _day(moved.get("from")), _day(moved.get("to"))
        if vendor is not None and before is not None and after is not None and after > before:
            counts[int(vendor)].append((after - before).days)
    return {vendor: Slips(len(days), sum(days)) for vendor, days in counts.items()}
