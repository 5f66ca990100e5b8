"""The HTTP front door: Slack's signatures are checked, /healthz reports the database.

HTTP is the subject here, so these tests serve the WSGI app on a real loopback server; the
rest of the suite hands requests to the same WSGI callable in-process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from storage.models import Vendor
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SIGNING_SECRET, BotUnderTest, command_form, sign, start_bot

COMMAND = urlencode(
    command_form("vendor add <#C0ACME|acme>", "http://127.0.0.1:9/none", trigger_id="1.2.3")
)


@pytest.fixture
def bot(engine: Engine, slack: FakeSlack) -> Iterator[BotUnderTest]:
    with start_bot(engine, slack, over_http=True) as running:
        assert running.url is not None
        yield running


def vendor_count(bot: BotUnderTest) -> int:
    with Session(bot.engine) as session:
        return session.exec(select(func.count()).select_from(Vendor)).one()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="unsigned"),
        pytest.param(sign(COMMAND, timestamp=int(time.time()) - 6 * 60), id="stale"),
        pytest.param(sign(COMMAND, secret="not-" + SIGNING_SECRET), id="wrong-secret"),
        pytest.param(sign(COMMAND + "&x=1"), id="tampered-body"),
        pytest.param(
            {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}, id="junk"
        ),
    ],
)
def test_badly_signed_requests_get_401_and_change_nothing(
    bot: BotUnderTest, headers: dict[str, str]
) -> None:
    result = bot.post(COMMAND, headers=headers)
    assert result.status == 401
    assert vendor_count(bot) == 0
    assert bot.slack.calls == []


def test_healthz_reports_the_database(bot: BotUnderTest) -> None:
    result = bot.get("/healthz")
    assert (result.status, result.json()) == (200, {"ok": True, "database": "up"})


def test_unknown_paths_are_404(bot: BotUnderTest) -> None:
    assert bot.get("/nope").status == 404


def test_a_signed_command_over_http_is_answered_and_takes_effect(bot: BotUnderTest) -> None:
    reply = bot.command("vendor add <#C0ACME|acme>")
    assert "acme" in reply.lower()
    assert vendor_count(bot) == 1
