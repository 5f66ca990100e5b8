"""A request that cannot reach the database gets a short "try again" and no Slack writes."""

from __future__ import annotations

import pytest

from handlers.replies import DATABASE_DOWN
from storage.database import make_engine
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import start_bot

# Nothing listens on port 1: the connection is refused at once, as when PostgreSQL is down.
DEAD_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/test"


@pytest.mark.parametrize(
    "text",
    [
        "<#C0ACME|acme> Logo due:fri",
        "list all",
        "done 1",
        "vendor add <#C0ACME|acme>",
        "vendor list",
    ],
)
def test_commands_say_try_again_when_the_database_is_down(slack: FakeSlack, text: str) -> None:
    engine = make_engine(DEAD_DATABASE)
    with start_bot(engine, slack) as bot:
        reply = bot.command(text)
        health = bot.get("/healthz")
    assert DATABASE_DOWN in reply
    writes = {"chat.postMessage", "conversations.join", "chat.update"}
    assert [c.method for c in slack.calls if c.method in writes] == []
    assert health.status == 503
