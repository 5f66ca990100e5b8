"""The jobs queue's queries (bot.jobs runs the queue; see the Job model).

Each call is one short transaction of its own, in SQLAlchemy Core (no ORM objects: the
enqueue is on the ack path and the claim runs for every job). On PostgreSQL the claim skips
rows another runner has locked (`FOR UPDATE SKIP LOCKED`), so runners never wait for each
other, and the enqueue wakes them with NOTIFY in the same statement. SQLite has neither:
its transactions take the write lock up front (storage.database), which serialises claims.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.models import Job, Task, Vendor

# The PostgreSQL channel a runner LISTENs on; every enqueue NOTIFYs it.
NOTIFY_CHANNEL = "bot_jobs"
_jobs: Any = Job.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    team_id: str
    payload: str
    # 1 the first time a runner takes the job; more when a runner stopped before finishing.
    attempts: int
    effect: str | None


def enqueue(engine: Engine, *, kind: str, team_id: str, payload: str, now: datetime) -> int:
    """Queue a job and wake the runners: one statement, its own transaction.

    It is on the ack path, so on PostgreSQL it is one round trip: the INSERT and the NOTIFY
    in one statement, in autocommit mode, on a connection the thread keeps. The commit still
    waits for the WAL to be flushed: a job is queued for good once the ack goes out.
    """
    values = {"kind": kind, "team_id": team_id, "payload": payload, "enqueued_at": now}
    statement: Any = insert(_jobs).values(**values).returning(_jobs.c.id)
    if engine.dialect.name != "postgresql":
        with engine.begin() as connection:
            return int(connection.execute(statement).one()[0])
    connection = _kept_connection(engine)
    try:
        with connection.cursor() as cursor:
            cursor.execute(_ENQUEUE, (kind, team_id, payload, now.astimezone(UTC), NOTIFY_CHANNEL))
            row = cursor.fetchone()
    except Exception:
        _forget_connection(engine)  # broken, or the server restarted: a new one next time
        raise
    return int(row[0])


# The enqueue's statement, as psycopg takes it: sent on a connection this thread keeps, in
# autocommit mode, so that an ack costs one round trip to the server: no pool checkout and
# ping, no BEGIN, no COMMIT (measured below in docs/decisions.md).
_ENQUEUE = (
    "WITH added AS (INSERT INTO jobs (kind, team_id, payload, enqueued_at, attempts) "
    "VALUES (%s, %s, %s, %s, 0) RETURNING id) SELECT id, pg_notify(%s, '') FROM added"
)
_threads = threading.local()


def _kept_connection(engine: Engine) -> Any:
    """This thread's own autocommit connection to `engine`'s database (with its connect
    arguments: the pool makes it), outside the pool: the web server's threads are few
    and long-lived, so each keeps one."""
    kept: dict[int, Any] = _threads.__dict__.setdefault("connections", {})
    connection = kept.get(id(engine))
    if connection is None or connection.closed:
        pooled = engine.raw_connection()
        connection = pooled.dbapi_connection
        assert connection is not None  # a fresh checkout always has one
        pooled.detach()
        connection.autocommit = True
        kept[id(engine)] = connection
    return connection


def _forget_connection(engine: Engine) -> None:
    kept: dict[int, Any] = _threads.__dict__.get("connections", {})
    connection = kept.pop(id(engine), None)
    if connection is not None:
        with contextlib.suppress(Exception):
            connection.close()


def claim(engine: Engine, *, now: datetime, lease_until: datetime) -> ClaimedJob | None:
    """Take the oldest job nobody holds (never taken, or its lease ran out), until
    `lease_until`; None when there is none."""
    free = (
        select(_jobs.c.id)
        .where(
            _jobs.c.finished_at.is_(None),
            (_jobs.c.lease_until.is_(None)) | (_jobs.c.lease_until < now),
        )
        .order_by(_jobs.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(_jobs)
        .where(_jobs.c.id == free)
        .values(attempts=_jobs.c.attempts + 1, lease_until=lease_until)
        .returning(
            _jobs.c.id,
            _jobs.c.kind,
            _jobs.c.team_id,
            _jobs.c.payload,
            _jobs.c.attempts,
            _jobs.c.effect,
        )
    )
    with engine.begin() as connection:
        row = connection.execute(statement).first()
    if row is None:
        return None
    return ClaimedJob(
        id=int(row.id),
        kind=str(row.kind),
        team_id=str(row.team_id),
        payload=str(row.payload),
        attempts=int(row.attempts),
        effect=row.effect,
    )


def renew(engine: Engine, job_ids: list[int], lease_until: datetime) -> None:
    """Keep the leases of the jobs this runner is still working on."""
    if not job_ids:
        return
    with engine.begin() as connection:
        connection.execute(
            update(_jobs)
            .where(_jobs.c.id.in_(job_ids), _jobs.c.finished_at.is_(None))
            .values(lease_until=lease_until)
        )


def finish(engine: Engine, job_id: int, *, outcome: str, now: datetime) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(_jobs)
            .where(_jobs.c.id == job_id)
            .values(finished_at=now, outcome=outcome, lease_until=None)
        )


def take_effect(session: Session, job_id: int, effect: str) -> bool:
    """Mark, in the caller's transaction (the one that writes `effect`), that job `job_id`
    has written it: False when a run of the job before this one already did (the caller then
    rolls back). On PostgreSQL a second run racing the first waits here for its commit."""
    taken = session.execute(
        update(_jobs)
        .where(_jobs.c.id == job_id, _jobs.c.effect.is_(None))
        .values(effect=effect)
        .returning(_jobs.c.id)
    ).first()
    return taken is not None


def unfinished(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(_jobs).where(_jobs.c.finished_at.is_(None))
            ).scalar_one()
        )


def purge_finished(engine: Engine, before: datetime) -> int:
    """Forget jobs finished before `before` (their marks are needed only while unfinished)."""
    with engine.begin() as connection:
        result = connection.execute(
            _jobs.delete().where(_jobs.c.finished_at.is_not(None), _jobs.c.finished_at < before)
        )
    return int(result.rowcount or 0)


def task_written(session: Session, task_id: int) -> tuple[Task, Vendor] | None:
    """The task an interrupted run of a job wrote (its effect "task:<id>") and its vendor;
    None if it has been deleted since (a vendor removal and purge)."""
    task = session.get(Task, task_id)
    vendor = None if task is None else session.get(Vendor, task.vendor_id)
    return None if task is None or vendor is None else (task, vendor)
