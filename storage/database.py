"""Engine, sessions and schema state.

SQLite gets WAL, a busy timeout and foreign keys on every connection so a web process and a
scheduler process can share one file without "database is locked". Alembic migrations are
the schema's source of truth: `migrate()` applies them and `schema_is_current()` lets the
long-running commands refuse to start on an old schema.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, SQLModel, create_engine

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
# A unit of work that lost a race is run again this many times in all, after a short
# random pause (so two losers do not collide again in step).
TRANSACTION_ATTEMPTS = 4
RETRY_PAUSE_SECONDS = 0.02

T = TypeVar("T")

# PostgreSQL SQLSTATEs (Appendix A of its manual).
_UNIQUE_VIOLATION = "23505"
_SERIALIZATION_FAILURE = "40001"
_DEADLOCK_DETECTED = "40P01"
# Class 08 is "connection exception"; 57P01-03 are an administrator or crash shutdown and
# "cannot connect now" (starting up); 53300 is "too many connections".
_CONNECTION_STATES = ("57P01", "57P02", "57P03", "53300")


def redact_url(url: str | URL, *, query: bool = True) -> str:
    """A database URL fit for a log line or a message: the password hidden, both
    `user:secret@host` and libpq's `?password=`; with `query=False`, no query string."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "<unparseable database URL>"
    kept = (
        {
            key: ("***" if "password" in key.lower() else value)
            for key, value in parsed.query.items()
        }
        if query
        else {}
    )
    return parsed.set(query=kept).render_as_string(hide_password=True)


def without_password(text: str, url: str | URL) -> str:
    """`text` (a driver's error, say) with the URL's password blanked out, just in case."""
    password = make_url(url).password
    return text.replace(str(password), "***") if password else text


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain `postgres://`/`postgresql://` URLs (Heroku-style values)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine for `url`, with per-connection SQLite pragmas."""
    url = normalise_url(url)
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    return create_engine(url, **kwargs)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from pysqlite (SQLAlchemy's documented recipe): its own
    # implicit BEGIN is deferred and it mishandles SAVEPOINT; see _begin_immediate.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    """Start every SQLite transaction holding the write lock.

    Our transactions read, then write (find the task, then record the update). With a
    deferred BEGIN two such transactions can both read, and in WAL mode the second one's
    write then fails at once with "database is locked" instead of waiting: the busy
    timeout does not apply to a stale snapshot. BEGIN IMMEDIATE makes the second wait
    for the first, for up to the busy timeout, and then see what the first wrote.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def run_transaction(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    attempts: int = TRANSACTION_ATTEMPTS,
    pause: Callable[[float], None] = time.sleep,
) -> T:
    """Run `work` in one transaction; when it loses a race, roll back and run it again.

    Lost races are what PostgreSQL at READ COMMITTED (and SQLite under load) report when
    two requests touch the same rows at once: a serialization failure, a deadlock, a unique
    key another transaction took between our check and our insert, or SQLite still busy
    after its timeout. Run again, `work` reads the winner's committed rows and decides
    anew (an existing vendor is found, a taken claim is seen). `work` must therefore do
    nothing but database work: no Slack call may be repeated by a retry. Whatever still
    fails after `attempts` is raised for the error boundary (handlers.replies) to answer.
    """
    for attempt in range(1, attempts + 1):
        try:
            with transaction(engine) as session:
                return work(session)
        except DBAPIError as error:
            if attempt == attempts or not lost_a_race(error):
                raise
            logger.info(
                "transaction lost a race (%s); attempt %d of %d",
                race_kind(error),
                attempt + 1,
                attempts,
            )
            pause(random.uniform(0, RETRY_PAUSE_SECONDS * 2**attempt))
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _sqlstate(error: DBAPIError) -> str | None:
    state = getattr(error.orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def _sqlite_name(error: DBAPIError) -> str:
    return str(getattr(error.orig, "sqlite_errorname", ""))


def is_unique_violation(error: DBAPIError) -> bool:
    return isinstance(error, IntegrityError) and (
        _sqlstate(error) == _UNIQUE_VIOLATION
        or _sqlite_name(error) in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")
    )


def is_busy(error: DBAPIError) -> bool:
    """SQLite's write lock still held by another connection after the busy timeout."""
    return _sqlite_name(error).startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def lost_a_race(error: DBAPIError) -> bool:
    """A failure that running the same unit of work again can cure."""
    return (
        _sqlstate(error) in (_SERIALIZATION_FAILURE, _DEADLOCK_DETECTED)
        or is_unique_violation(error)
        or is_busy(error)
    )


def race_kind(error: DBAPIError) -> str:
    if is_unique_violation(error):
        return "unique key taken"
    if is_busy(error):
        return "database busy"
    return {_SERIALIZATION_FAILURE: "serialization failure", _DEADLOCK_DETECTED: "deadlock"}.get(
        _sqlstate(error) or "", type(error).__name__
    )


def is_connection_failure(error: Exception) -> bool:
    """The database could not be reached (or went away): the only "try again later"."""
    if isinstance(error, PoolTimeout):
        return True  # every pooled connection stayed busy: the database is not answering
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    state = _sqlstate(error)
    if state is not None:
        return state.startswith("08") or state in _CONNECTION_STATES
    # Without a SQLSTATE: psycopg's "connection refused" and the like, or SQLite failing
    # to open its file. A SQLite constraint, busy or syntax error is not one of them.
    return type(error).__name__ in ("OperationalError", "InterfaceError") and not (
        is_busy(error) or _sqlite_name(error).startswith("SQLITE_CONSTRAINT")
    )


def insert_unless_taken(
    session: Session,
    model: type[SQLModel],
    values: Mapping[str, Any],
    unique_columns: Sequence[str],
) -> int | None:
    """`INSERT … ON CONFLICT (unique_columns) DO NOTHING RETURNING id`: the new row's id, or
    None when a row with that key exists (or another transaction's is being committed: on
    PostgreSQL this waits for it, then does nothing). Both SQLite and PostgreSQL have it.

    Not a savepoint around a plain insert: with pysqlite a SAVEPOINT that opens the
    transaction commits it on release, before the caller's other writes.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table: Any = model.__table__  # type: ignore[attr-defined]
    inserted = session.execute(
        dialect.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(unique_columns))
        .returning(table.c.id)
    ).first()
    return None if inserted is None else int(inserted[0])


Saved = TypeVar("Saved", bound=SQLModel)


def add_flushed(session: Session, row: Saved) -> Saved:
    """Insert the row and flush at once: it has its id, and a unique key it breaks raises
    IntegrityError here (a repeated Slack delivery), before the caller writes anything else."""
    session.add(row)
    session.flush()
    return row


class _Stamped(Protocol):
    updated_at: datetime


Stamped = TypeVar("Stamped", bound=_Stamped)


def save_changes(
    session: Session, row: Stamped, now: datetime, changes: Mapping[str, object]
) -> Stamped:
    """Set the changed columns (name to value) and `updated_at` on a row that has one, flush."""
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = now
    session.add(row)
    session.flush()
    return row


def ping(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    command.upgrade(alembic_config(engine), revision)


def schema_is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads
