"""Helpers for the summary, digest, report and Home tab tests: history written straight
into the tables (tasks closed, delivered, rated; check-ins posted and answered) at chosen
instants, and a counter of the SQL statements a piece of code runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from storage.database import transaction
from storage.models import (
    CheckinResponse,
    Delivery,
    PostKind,
    PostState,
    ReviewOutcome,
    ScheduledPost,
    StatusUpdate,
    Task,
    TaskFeedback,
    TaskStatus,
    Vendor,
    VendorFeedback,
)
from tests.support.scheduling import LONG_AGO, add_task, utc


def task(
    engine: Engine,
    vendor: Vendor,
    title: str,
    *,
    due: str | None = None,
    owner: str = "U0ALICE",
    created: str | None = None,
) -> Task:
    """An open task (created long ago unless `created` says when)."""
    return add_task(
        engine,
        vendor,
        title,
        owner=owner,
        due=date.fromisoformat(due) if due else None,
        created=utc(created) if created else LONG_AGO,
    )


def close(
    engine: Engine,
    item: Task,
    at: str,
    *,
    status: TaskStatus = TaskStatus.DONE,
    delivered: str | None = None,
) -> None:
    """Close a task at `at` (UTC); with `delivered`, as the accepted delivery of that time."""
    with transaction(engine) as session:
        fresh = session.get(Task, item.id)
        assert fresh is not None
        fresh.status = status
        fresh.closed_at = utc(at)
        fresh.closed_by = fresh.owner_id
        fresh.due_in_force = fresh.due_date  # as the app writes it when a task is finished
        if delivered is not None:
            fresh.delivered_at = utc(delivered)
            session.add(
                Delivery(
                    task_id=fresh.saved_id,
                    vendor_id=fresh.vendor_id,
                    delivered_by="U0VENDOR",
                    delivered_at=utc(delivered),
                    outcome=ReviewOutcome.ACCEPTED,
                    reviewed_by=fresh.owner_id,
                    reviewed_at=utc(at),
                )
            )
        session.add(fresh)


def deliver(engine: Engine, item: Task, at: str) -> None:
    """The vendor delivered the task at `at`; it awaits the owner's review."""
    with transaction(engine) as session:
        fresh = session.get(Task, item.id)
        assert fresh is not None
        fresh.status = TaskStatus.DELIVERED
        fresh.delivered_at = utc(at)
        fresh.delivered_by = "U0VENDOR"
        fresh.due_in_force = fresh.due_date
        session.add(fresh)
        session.add(
            Delivery(
                task_id=fresh.saved_id,
                vendor_id=fresh.vendor_id,
                delivered_by="U0VENDOR",
                delivered_at=utc(at),
            )
        )


def status(
    engine: Engine, item: Task, value: str, at: str, post: ScheduledPost | None = None
) -> None:
    with transaction(engine) as session:
        session.add(
            StatusUpdate(
                task_id=item.saved_id,
                post_id=post.id if post else None,
                user_id="U0VENDOR",
                status=value,
                note="",
                source="button" if post else "command",
                at=utc(at),
            )
        )


_counter = iter(range(1, 10_000_000))


def checkin(engine: Engine, vendor: Vendor, sent: str) -> ScheduledPost:
    """A check-in posted at `sent` (UTC)."""
    return _sent_post(engine, vendor, sent, PostKind.CHECKIN)


def _sent_post(engine: Engine, vendor: Vendor, sent: str, kind: PostKind) -> ScheduledPost:
    number = next(_counter)
    post = ScheduledPost(
        vendor_id=vendor.saved_id,
        kind=kind,
        occurrence=f"{sent}#{number}",
        state=PostState.SENT,
        claimed_by="test",
        claimed_at=utc(sent),
        channel_id=vendor.channel_id,
        message_ts=f"1700000000.{number:06d}",
        sent_at=utc(sent),
    )
    with transaction(engine) as session:
        session.add(post)
    return post


def reply(engine: Engine, post: ScheduledPost, at: str, text: str = "on it") -> None:
    """A reply in the check-in's thread at `at`."""
    with transaction(engine) as session:
        session.add(
            CheckinResponse(
                post_id=post.saved_id,
                user_id="U0VENDOR",
                text=text,
                message_ts=f"1800000000.{next(_counter):06d}",
                at=utc(at),
            )
        )


def rate(engine: Engine, item: Task, at: str, quality: int, timeliness: int, comm: int) -> None:
    with transaction(engine) as session:
        session.add(
            TaskFeedback(
                task_id=item.saved_id,
                vendor_id=item.vendor_id,
                rated_by=item.owner_id,
                quality=quality,
                timeliness=timeliness,
                communication=comm,
                comment="",
                created_at=utc(at),
                updated_at=utc(at),
            )
        )


def prompt(engine: Engine, vendor: Vendor, sent: str) -> ScheduledPost:
    """A feedback prompt posted at `sent`."""
    return _sent_post(engine, vendor, sent, PostKind.FEEDBACK_PROMPT)


def vendor_said(engine: Engine, post: ScheduledPost, at: str, text: str) -> None:
    with transaction(engine) as session:
        session.add(
            VendorFeedback(
                vendor_id=post.vendor_id,
                post_id=post.saved_id,
                user_id="U0VENDOR",
                text=text,
                message_ts=f"1900000000.{next(_counter):06d}",
                at=utc(at),
            )
        )


@dataclass
class StatementCount:
    statements: list[str]

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def counting_statements(engine: Engine) -> Iterator[StatementCount]:
    """Count every SQL statement sent to the database inside the block (not transaction
    control: SQLite's `BEGIN IMMEDIATE` is how a transaction starts, not a query)."""
    seen = StatementCount([])

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            seen.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
