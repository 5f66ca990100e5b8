"""Writes are all or nothing: a database failure half-way through a command leaves no part
of it behind, and a connection the server dropped is replaced without the user noticing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot import blocks
from handlers.replies import DATABASE_DOWN, UNEXPECTED
from storage.database import make_engine
from storage.models import AuditEntry, Task, Vendor
from tests.conftest import POSTGRES_URL
from tests.mistakes_support import command_message, press
from tests.slack_requests import BotUnderTest, rendered


def counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(m)).one()
            for m in (Vendor, Task, AuditEntry)
        )


@pytest.fixture
def failing_audit_log(engine: Engine) -> Iterator[None]:
    """The database refuses audit entries: the last write of every change fails."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text(
                    "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'audit log refused'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'audit log refused'); END"
                )
            )
    yield
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER refuse_audit ON audit_log"))
            connection.execute(text("DROP FUNCTION refuse_audit()"))
        else:
            connection.execute(text("DROP TRIGGER refuse_audit"))


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
