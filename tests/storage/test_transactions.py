"""Writes are all or nothing: a database failure half-way through a command leaves no part
of it behind, and a connection the server dropped is replaced without the user noticing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot import blocks
from handlers.replies import DATABASE_DOWN, UNEXPECTED
from storage.database import make_engine
from storage.models import AuditEntry, Task, Vendor
from tests.conftest import POSTGRES_URL
from tests.support.mistakes_support import command_message, press
from tests.support.slack_requests import BotUnderTest, rendered


def counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(m)).one()
            for m in (Vendor, Task, AuditEntry)
        )


@contextmanager
def refusing(engine: Engine, statement: str, table: str) -> Iterator[None]:
    """A trigger makes the database refuse every `statement` (INSERT, UPDATE) on `table`."""
    name = f"refuse_{statement.lower()}_{table}"
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text(
                    f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                    f"RAISE EXCEPTION '{name}'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    f"CREATE TRIGGER {name} BEFORE {statement} ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {name}()"
                )
            )
        else:
            connection.execute(
                text(
                    f"CREATE TRIGGER {name} BEFORE {statement} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{name}'); END"
                )
            )
    try:
        yield
    finally:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text(f"DROP TRIGGER {name} ON {table}"))
                connection.execute(text(f"DROP FUNCTION {name}()"))
            else:
                connection.execute(text(f"DROP TRIGGER {name}"))


@pytest.fixture
def failing_audit_log(engine: Engine) -> Iterator[None]:
    """The database refuses audit entries: the last write of every change fails."""
    with refusing(engine, "INSERT", "audit_log"):
        yield


def test_a_failure_half_way_leaves_nothing_behind(
    bot: BotUnderTest, failing_audit_log: None
) -> None:
    # Registering the vendor, creating the task and auditing both are one transaction.
    question = command_message(bot, "<#C0ACME|acme> Logo refresh due:fri")
    reply = rendered(press(bot, question, blocks.REGISTER_AND_DELEGATE_ACTION))
    assert DATABASE_DOWN in reply or UNEXPECTED in reply
    assert counts(bot.engine) == (0, 0, 0)
    assert bot.slack.calls_to("chat.postMessage") == []  # nothing announced


def test_a_dropped_connection_is_replaced(bot: BotUnderTest) -> None:
    bot.command("vendor add <#C0ACME|acme>")
    if bot.engine.dialect.name == "postgresql":
        # Terminate the server side of every connection in the pool, as a database restart
        # or a proxy's idle timeout would; only this test's own connections are touched.
        held = [bot.engine.connect() for _ in range(3)]
        pids = [c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in held]
        for connection in held:
            connection.close()  # back to the pool, where they now wait dead
        admin = make_engine(POSTGRES_URL)
        with admin.connect() as killer:
            for pid in pids:
                killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
    reply = bot.command("<#C0ACME|acme> Logo refresh due:fri")
    assert "delegated" in reply
    assert counts(bot.engine)[1] == 1


@pytest.fixture
def failing_task_updates(engine: Engine) -> Iterator[None]:
    """The database refuses every UPDATE of a task (storing the announcement's ts is one)."""
    with refusing(engine, "UPDATE", "tasks"):
        yield


def test_a_task_saved_and_announced_is_reported_so_when_its_ts_cannot_be_stored(
    bot: BotUnderTest, failing_task_updates: None
) -> None:
    """The last step (remembering where the announcement is) fails after the task was
    committed and announced: the reply must not claim that nothing was changed."""
    bot.command("vendor add <#C0ACME|acme>")
    reply = bot.command("<#C0ACME|acme> Logo refresh due:fri")
    assert "delegated" in reply
    assert DATABASE_DOWN not in reply and UNEXPECTED not in reply
    assert counts(bot.engine)[1] == 1
    [announcement] = bot.slack.calls_to("chat.postMessage")
    assert "Logo refresh" in str(announcement.params.get("text"))
