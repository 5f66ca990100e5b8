"""Shared fixtures: databases (SQLite and PostgreSQL), the fake Slack, the bot over HTTP.

Every test that takes `engine` runs twice, on SQLite and on PostgreSQL. PostgreSQL tests are
skipped when no server answers, unless REQUIRE_POSTGRES=1 (CI sets it), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from storage import models  # noqa: F401  (tables on the metadata, for cleaning)
from storage.database import make_engine, migrate
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import BotUnderTest, start_bot

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


# Durability on power loss is not under test, and waiting for the disk at every commit was
# a good part of the suite's time: commits here do not wait for fsync. Locking, isolation
# and what a commit makes visible to other connections are unchanged.
POSTGRES_OPTIONS = "-csynchronous_commit=off"
SQLITE_SYNCHRONOUS = "PRAGMA synchronous=NORMAL"  # WAL: fsync at checkpoints, not commits


@contextmanager
def private_schema(prefix: str) -> Iterator[Engine]:
    """An engine on a new schema of its own in the `test` database (its search_path),
    dropped afterwards. No server: the test is skipped, or fails under REQUIRE_POSTGRES=1."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as error:
        admin.dispose()
        message = f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}"
        if "does not exist" in str(error):  # the server answered; the database is missing
            message = (
                f"PostgreSQL answers but has no database for {POSTGRES_URL}: create it with "
                f"`createdb -h 127.0.0.1 -U postgres {admin.url.database}`"
            )
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    engine = make_engine(
        POSTGRES_URL, connect_args={"options": f"-csearch_path={schema} {POSTGRES_OPTIONS}"}
    )
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """A private schema for this test run (for each parallel worker: its own), migrated once
    and dropped afterwards."""
    with private_schema("t") as engine:
        migrate(engine)
        yield engine


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated SQLite file under this run's (this worker's) temporary directory."""
    path: Path = tmp_path_factory.mktemp("db") / "checkins.db"
    engine = make_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _sqlite_test_pragmas)
    migrate(engine)
    yield engine
    engine.dispose()


def _sqlite_test_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(SQLITE_SYNCHRONOUS)
    cursor.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def migrated_engine(request: pytest.FixtureRequest) -> Engine:
    """Both session engines stay up for the whole run: the tests of one worker alternate
    between them without migrating again (a parametrised session fixture would be torn
    down and set up anew at every switch)."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    return engine


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """A migrated, empty database; emptied again after the test."""
    yield migrated_engine
    empty(migrated_engine)


def empty(engine: Engine) -> None:
    """Delete every row and restart the id sequences (tests rely on ids from 1).

    On PostgreSQL, DELETE and setval, not TRUNCATE: TRUNCATE makes new files for every
    table and took ~0.3 s per test, DELETE on a test's few rows a few milliseconds.
    """
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("; ".join(f"DELETE FROM {table}" for table in tables))
            connection.exec_driver_sql(
                "SELECT setval(c.oid, 1, false) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
            )
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user("U0ALICE", "alice")
        fake.add_user("U0BOB", "bob")
        fake.add_user("U0VENDOR", "vera", team_id="T0VENDOR")
        fake.add_channel("C0ACME", "acme-design", members=["U0ALICE", "U0VENDOR", "U0BOT"])
        fake.add_channel("C0PUBLIC", "globex", members=["U0ALICE"])
        fake.add_channel("G0SECRET", "initech-private", is_private=True, members=["U0ALICE"])
        fake.add_channel("C0OLD", "old-vendor", is_archived=True, members=["U0BOT"])
        yield fake


@pytest.fixture
def bot(engine: Engine, slack: FakeSlack) -> Iterator[BotUnderTest]:
    with start_bot(engine, slack) as running:
        yield running
