"""Synthetic workspaces for the benchmarks, written straight into the tables in bulk.

`seed_vendors` makes vendors with open tasks (benchmark 2); `seed_history` adds what months
of use leave behind (benchmarks 3 and 4): closed and delivered tasks, sent check-ins with
the tasks they listed, status updates, thread replies, deliveries and ratings. Rows are
made with SQLAlchemy Core inserts in chunks, not through the domain functions, so a
benchmark spends its time on what it measures. The data is deterministic (a seeded RNG).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.engine import Engine

from storage.models import (
    CheckinResponse,
    CheckinTask,
    Delivery,
    PostKind,
    PostState,
    ReviewOutcome,
    ScheduledPost,
    StatusUpdate,
    Task,
    TaskFeedback,
    TaskStatus,
    TaskUpdate,
    Vendor,
)

TEAM_ID = "T0TEAM"
LONG_AGO = datetime(2026, 1, 5, tzinfo=UTC)
CHUNK = 2000
OWNERS = [f"U0OWNER{n:02d}" for n in range(25)]
ASSIGNEES = [f"U0VENDOR{n:03d}" for n in range(200)]


def channel_of(n: int) -> str:
    return f"C1V{n:05d}"


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def _chunks(
    rows: Sequence[dict[str, Any]], size: int = CHUNK
) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(engine: Engine, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        for chunk in _chunks(rows):
            connection.execute(insert(_table(model)), list(chunk))


def _ids(engine: Engine, model: Any, where: Iterable[Any] = ()) -> list[int]:
    with engine.connect() as connection:
        query = select(_table(model).c.id).order_by(_table(model).c.id)
        for clause in where:
            query = query.where(clause)
        return [int(row[0]) for row in connection.execute(query)]


@dataclass(frozen=True)
class Seeded:
    vendors: int
    tasks: int
    posts: int = 0
    updates: int = 0
    responses: int = 0
    deliveries: int = 0
    ratings: int = 0

    @property
    def rows(self) -> int:
        return (
            self.vendors
            + self.tasks
            + self.posts
            + self.updates
            + self.responses
            + self.deliveries
            + self.ratings
        )


def seed_vendors(
    engine: Engine,
    vendors: int,
    open_tasks_per_vendor: int,
    *,
    checkins: str = "daily@09:00",
    summaries: str = "fri@16:00",
    timezones: Sequence[str] = ("UTC",),
    today: date = date(2026, 12, 1),
) -> Seeded:
    """`vendors` active vendors (channels C1V00000...), each with open tasks due soon, every
    day a working day, check-ins at `checkins` and summaries at `summaries` in their time
    zone (taken in turn from `timezones`), added long ago."""
    rng = random.Random(6)
    vendor_rows = [
        {
            "team_id": TEAM_ID,
            "channel_id": channel_of(n),
            "name": f"Vendor {n:05d}",
            "timezone": timezones[n % len(timezones)],
            "checkin_cadence": checkins,
            "summary_cadence": summaries,
            "paused": False,
            "workdays": "daily",
            "remind_after_minutes": 240,
            "added_by": OWNERS[n % len(OWNERS)],
            "created_at": LONG_AGO,
            "updated_at": LONG_AGO,
        }
        for n in range(vendors)
    ]
    _insert(engine, Vendor, vendor_rows)
    vendor_ids = _ids(engine, Vendor)
    task_rows = [
        _task_row(vendor_id, n, k, TaskStatus.OPEN, today + timedelta(days=rng.randint(-3, 20)))
        for n, vendor_id in enumerate(vendor_ids)
        for k in range(open_tasks_per_vendor)
    ]
    _insert(engine, Task, task_rows)
    return Seeded(vendors=len(vendor_ids), tasks=len(task_rows))


def _task_row(
    vendor_id: int,
    n: int,
    k: int,
    status: str,
    due: date | None,
    closed_at: datetime | None = None,
    delivered_at: datetime | None = None,
) -> dict[str, Any]:
    return {
        "team_id": TEAM_ID,
        "vendor_id": vendor_id,
        "title": f"Task {k} for vendor {n}: revise the deliverable and send the files",
        "standard": "as agreed in the brief",
        "owner_id": OWNERS[(n + k) % len(OWNERS)],
        "assignee_id": ASSIGNEES[(n * 7 + k) % len(ASSIGNEES)],
        "due_date": due,
        "status": str(status),
        "announcement_ts": None,
        "created_at": LONG_AGO,
        "updated_at": LONG_AGO,
        "closed_at": closed_at,
        "closed_by": OWNERS[0] if closed_at else None,
        "delivered_at": delivered_at,
        "delivered_by": ASSIGNEES[n % len(ASSIGNEES)] if delivered_at else None,
    }


def seed_history(
    engine: Engine,
    *,
    vendors: int = 1000,
    tasks: int = 20_000,
    updates_and_responses: int = 200_000,
    checkins_per_vendor: int = 28,
    today: date = date(2026, 12, 1),
    timezones: Sequence[str] = ("UTC", "Asia/Manila", "Europe/Lisbon", "America/New_York"),
    checkins: str = "daily@09:00",
    summaries: str = "fri@16:00",
) -> Seeded:
    """A workspace after months of use: `vendors` vendors, `tasks` tasks (about a third
    open), `checkins_per_vendor` sent daily check-ins each (listing the vendor's open
    tasks), and `updates_and_responses` rows split 3:1 between status updates
    (buttons, replies, commands) and thread replies; deliveries and ratings for finished work.
    """
    rng = random.Random(3)
    seeded = seed_vendors(
        engine, vendors, 0, today=today, timezones=timezones, checkins=checkins, summaries=summaries
    )
    vendor_ids = _ids(engine, Vendor)
    per_vendor = max(1, tasks // len(vendor_ids))
    statuses = [TaskStatus.OPEN] * 7 + [TaskStatus.DELIVERED] * 2 + [TaskStatus.DONE] * 9
    statuses += [TaskStatus.CANCELLED] * 2
    task_rows = []
    for n, vendor_id in enumerate(vendor_ids):
        for k in range(per_vendor):
            status = statuses[rng.randrange(len(statuses))]
            due = today + timedelta(days=rng.randint(-40, 30)) if rng.random() < 0.9 else None
            midnight = datetime.combine(today, datetime.min.time(), UTC)
            closed_at = delivered_at = None
            if status in (TaskStatus.DONE, TaskStatus.CANCELLED):
                closed_at = midnight - timedelta(minutes=rng.randint(60, 60 * 24 * 60))
            if status == TaskStatus.DONE and rng.random() < 0.7:
                assert closed_at is not None
                delivered_at = closed_at - timedelta(minutes=rng.randint(10, 60 * 48))
            if status == TaskStatus.DELIVERED:
                delivered_at = midnight - timedelta(minutes=rng.randint(10, 60 * 24 * 5))
            task_rows.append(_task_row(vendor_id, n, k, status, due, closed_at, delivered_at))
    _insert(engine, Task, task_rows)
    task_ids = _ids(engine, Task)
    with engine.connect() as connection:
        rows = connection.execute(
            select(_table(Task).c.id, _table(Task).c.vendor_id, _table(Task).c.status)
        ).all()
    tasks_of: dict[int, list[tuple[int, str]]] = {}
    for task_id, vendor_id, status in rows:
        tasks_of.setdefault(int(vendor_id), []).append((int(task_id), str(status)))

    # Sent check-ins, one a day per vendor, each listing the vendor's unfinished tasks.
    first_day = today - timedelta(days=checkins_per_vendor)
    post_rows = []
    for n, vendor_id in enumerate(vendor_ids):
        for day in range(checkins_per_vendor):
            local = first_day + timedelta(days=day)
            at = datetime.combine(local, datetime.min.time(), UTC) + timedelta(hours=9)
            post_rows.append(
                {
                    "vendor_id": vendor_id,
                    "kind": str(PostKind.CHECKIN),
                    "occurrence": f"{local.isoformat()}T09:00",
                    "state": str(PostState.SENT),
                    "claimed_by": "bench:1",
                    "claimed_at": at,
                    "channel_id": channel_of(n),
                    "message_ts": f"{int(at.timestamp())}.{vendor_id:06d}",
                    "thread_ts": None,
                    "sent_at": at,
                    "detail": None,
                }
            )
    _insert(engine, ScheduledPost, post_rows)
    with engine.connect() as connection:
        posts = connection.execute(
            select(
                _table(ScheduledPost).c.id,
                _table(ScheduledPost).c.vendor_id,
                _table(ScheduledPost).c.sent_at,
            ).order_by(_table(ScheduledPost).c.id)
        ).all()
    checkin_rows = []
    posts_of: dict[int, list[tuple[int, datetime]]] = {}
    for post_id, vendor_id, sent_at in posts:
        posts_of.setdefault(int(vendor_id), []).append((int(post_id), sent_at))
        listed = [t for t, s in tasks_of.get(int(vendor_id), []) if s == TaskStatus.OPEN]
        for position, task_id in enumerate(listed[:24]):
            checkin_rows.append({"post_id": post_id, "task_id": task_id, "position": position})
    _insert(engine, CheckinTask, checkin_rows)

    # Status updates and thread replies, spread over the vendors' check-ins.
    n_updates = updates_and_responses * 3 // 4
    n_responses = updates_and_responses - n_updates
    sources = ["button"] * 6 + ["reply"] * 3 + ["command"]
    kinds = [u.value for u in TaskUpdate]
    update_rows = []
    for i in range(n_updates):
        vendor_id = vendor_ids[i % len(vendor_ids)]
        candidates = tasks_of.get(vendor_id) or [(task_ids[0], "open")]
        task_id = candidates[rng.randrange(len(candidates))][0]
        post_id, sent_at = posts_of[vendor_id][rng.randrange(checkins_per_vendor)]
        update_rows.append(
            {
                "task_id": task_id,
                "post_id": post_id,
                "user_id": ASSIGNEES[rng.randrange(len(ASSIGNEES))],
                "status": kinds[rng.randrange(len(kinds))],
                "note": "waiting for the assets" if rng.random() < 0.2 else "",
                "source": sources[rng.randrange(len(sources))],
                "at": sent_at + timedelta(minutes=rng.randint(1, 600)),
            }
        )
    _insert(engine, StatusUpdate, update_rows)
    response_rows = []
    for i in range(n_responses):
        vendor_id = vendor_ids[i % len(vendor_ids)]
        post_id, sent_at = posts_of[vendor_id][(i // len(vendor_ids)) % checkins_per_vendor]
        at = sent_at + timedelta(minutes=1 + i % 600)
        response_rows.append(
            {
                "post_id": post_id,
                "event_id": f"Ev{i:09d}",
                "user_id": ASSIGNEES[rng.randrange(len(ASSIGNEES))],
                "text": f"#{i % 100} on track, files tomorrow",
                "message_ts": f"{int(at.timestamp())}.{i:06d}",
                "at": at,
            }
        )
    _insert(engine, CheckinResponse, response_rows)

    # Deliveries for delivered and done tasks; ratings for most done tasks.
    delivery_rows, rating_rows = [], []
    for vendor_id, owned in tasks_of.items():
        for task_id, state in owned:
            if state not in (TaskStatus.DELIVERED, TaskStatus.DONE):
                continue
            at = datetime.combine(today - timedelta(days=rng.randint(1, 60)), datetime.min.time())
            at = at.replace(tzinfo=UTC)
            done = state == TaskStatus.DONE
            delivery_rows.append(
                {
                    "task_id": task_id,
                    "vendor_id": vendor_id,
                    "delivered_by": ASSIGNEES[rng.randrange(len(ASSIGNEES))],
                    "delivered_at": at,
                    "outcome": str(ReviewOutcome.ACCEPTED if done else ReviewOutcome.PENDING),
                    "reviewed_by": OWNERS[0] if done else None,
                    "reviewed_at": at + timedelta(days=1) if done else None,
                    "review_note": "",
                }
            )
            if done and rng.random() < 0.8:
                rating_rows.append(
                    {
                        "task_id": task_id,
                        "vendor_id": vendor_id,
                        "rated_by": OWNERS[0],
                        "quality": rng.randint(2, 5),
                        "timeliness": rng.randint(1, 5),
                        "communication": rng.randint(2, 5),
                        "comment": "",
                        "created_at": at + timedelta(days=1),
                        "updated_at": at + timedelta(days=1),
                    }
                )
    _insert(engine, Delivery, delivery_rows)
    _insert(engine, TaskFeedback, rating_rows)
    _analyze(engine)
    return Seeded(
        vendors=seeded.vendors,
        tasks=len(task_rows),
        posts=len(post_rows),
        updates=len(update_rows),
        responses=len(response_rows),
        deliveries=len(delivery_rows),
        ratings=len(rating_rows),
    )


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics, as a database that has been in use would have."""
    from sqlalchemy import text

    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def count_rows(engine: Engine, model: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(_table(model))).scalar_one())
