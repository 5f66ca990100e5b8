"""The append-only audit log: every change to a vendor or task is recorded with who and when."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import AuditEntry, Task, Vendor


def record_change(
    session: Session,
    action: str,
    subject: Vendor | Task,
    detail: dict[str, Any] | None = None,
    *,
    by: str,
    at: datetime,
) -> AuditEntry:
    """Add an audit entry in the caller's transaction (so it commits or rolls back with it).

    `subject` is the changed vendor, or the changed task (whose vendor the entry names too);
    the entry's team is the subject's, so a caller cannot file it under another workspace.
    `detail` is what changed (stored as JSON); `by` is the Slack user who made the change,
    or a name such as "scheduler".
    """
    task = subject if isinstance(subject, Task) else None
    entry = AuditEntry(
        team_id=subject.team_id,
        actor_id=by,
        action=action,
        vendor_id=task.vendor_id if task else subject.saved_id,
        task_id=task.saved_id if task else None,
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
