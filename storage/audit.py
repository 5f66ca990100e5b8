"""The append-only audit log: every change to a vendor or task is recorded with who and when."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import AuditEntry


def record_change(
    session: Session,
    *,
    team_id: str,
    actor_id: str,
    action: str,
    at: datetime,
    vendor_id: int | None = None,
    task_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry in the caller's transaction (so it commits or rolls back with it)."""
    entry = AuditEntry(
        team_id=team_id,
        actor_id=actor_id,
        action=action,
        vendor_id=vendor_id,
        task_id=task_id,
        detail=json.dumps(detail or {}, sort_keys=True, default=str),
        at=at,
    )
    session.add(entry)
    return entry


def vendor_history(session: Session, vendor_id: int) -> tuple[dict[str, Any], int]:
    """What the vendor's `vendor.added` entry recorded (empty when there is none), and how
    many changes to the vendor itself (`vendor.*` entries) came after it."""
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.vendor_id == vendor_id, col(AuditEntry.action).startswith("vendor."))
        .order_by(col(AuditEntry.id))
    ).all()
    added = next((e for e in entries if e.action == "vendor.added"), None)
    detail = json.loads(added.detail or "{}") if added else {}
    changes = sum(1 for e in entries if e.action != "vendor.added")
    return (detail if isinstance(detail, dict) else {}), changes
