"""Shared fixtures: databases (SQLite and PostgreSQL), the fake Slack, the bot over HTTP.

Every test that takes `engine` runs twice, on SQLite and on PostgreSQL. PostgreSQL tests are
skipped when no server answers, unless REQUIRE_POSTGRES=1 (CI sets it), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot import people
from bot.fake_slack import FakeSlack
from storage import models  # noqa: F401  (tables on the metadata, for cleaning)
from storage.database import make_engine, migrate
from tests.slack_requests import BotUnderTest, start_bot

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"


def _postgres_engine() -> Iterator[Engine]:
    """A private schema in the `test` database for this test run, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
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
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def migrated_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "checkins.db"
        engine = make_engine(f"sqlite:///{path}")
        migrate(engine)
        yield engine
        engine.dispose()
    else:
        yield from _postgres_engine()


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """A migrated, empty database; emptied again after the test."""
    yield migrated_engine
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with migrated_engine.begin() as connection:
        if migrated_engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(autouse=True)
def forget_home_teams() -> Iterator[None]:
    """Who is outside the team is cached per process (bot.people): each test, and the
    in-process console with its own workspace, looks people up afresh."""
    people.HOME_TEAMS.clear()
    yield
    people.HOME_TEAMS.clear()


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
