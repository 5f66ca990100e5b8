"""The alignment note's lists from the database (SQLite and PostgreSQL): a delivery sent
back for changes is not thanked for as delivered; it waits on the team instead, until the
vendor delivers again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import alignment
from storage.database import transaction
from storage.models import Delivery, ReviewOutcome, Task, TaskStatus
from tests.support.checkin_support import make_task, make_vendor
from tests.support.lifecycle_support import changes_requested

START = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # the previous summary
END = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def lists(engine: Engine, vendor_id: int) -> tuple[list[str], list[str]]:
    with Session(engine) as session:
        delivered = [t.title for t in alignment.delivered_between(session, vendor_id, START, END)]
        waiting = [w.task.title for w in alignment.waiting_on_team(session, vendor_id)]
    return delivered, waiting


def test_a_delivery_sent_back_waits_on_the_team_and_is_not_thanked_for(engine: Engine) -> None:
    vendor = make_vendor(engine)
    logo = make_task(engine, vendor, "Logo")
    changes_requested(engine, logo, "2026-12-01 10:00", "2026-12-01 15:00")

    assert lists(engine, vendor.saved_id) == ([], ["Logo"])

    # Delivered again on Thursday, not reviewed yet: thanked for, and awaiting review.
    with transaction(engine) as session:
        session.add(
            Delivery(
                task_id=logo.saved_id,
                vendor_id=vendor.saved_id,
                delivered_by="U0VENDOR",
                delivered_at=datetime(2026, 12, 3, 10, 0, tzinfo=UTC),
                outcome=ReviewOutcome.PENDING,
            )
        )
        task = session.get(Task, logo.saved_id)
        assert task is not None
        task.status = TaskStatus.DELIVERED
        session.add(task)
    assert lists(engine, vendor.saved_id) == (["Logo"], ["Logo"])
