"""The bot under test: the real Bolt app behind the real WSGI front, and requests signed the
way Slack signs them: the console's loopback transport (bot.console.transport).

By default a request is handed to the WSGI callable in-process (the same front door gunicorn
serves: signature check, Bolt's SlackRequestHandler, `App.dispatch`), without a socket; HTTP
is not the subject of most tests and a loopback server per test costs time. `start_bot(...,
over_http=True)` serves it on a loopback HTTP server instead (tests/bot/test_web.py).

Bolt acks and then runs the listener on its thread pool, so the answer comes before the
listener's work is done. Every request here waits, after its answer, until all listener work
is finished: the app's listener executor is a `TrackingExecutor` (bot/console/transport.py),
so a test looks at the database and the fake Slack only once the bot is done, and an error
raised by a listener after its ack is logged before the test's assertions run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App
from sqlalchemy.engine import Engine

from bot.config import Settings, VendorDefaults
from bot.console import transport
from bot.console.transport import HttpResult, LoopbackApp, TrackingExecutor
from bot.deps import Deps
from bot.web import WsgiApp
from tests.support.fake_slack import FakeSlack

__all__ = [
    "BOT_TOKEN",
    "LISTENER_DEADLINE",
    "SIGNING_SECRET",
    "TEAM_ID",
    "BotUnderTest",
    "HttpResult",
    "command_form",
    "make_deps",
    "rendered",
    "sign",
    "start_bot",
]

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0TEAM"
# How long the bot's listeners may take after a request before the test fails. Generous: it
# is a deadline for a hang on a loaded 2-CPU machine, not a pause (the wait ends as soon as
# the last listener finishes).
LISTENER_DEADLINE = 30.0


def settle_or_fail(wait_idle: Callable[[float], bool], timeout: float = LISTENER_DEADLINE) -> None:
    """Wait until every listener the bot started so far has finished (`wait_idle`: the
    tracking executor's condition), or fail the test."""
    if not wait_idle(timeout):
        raise AssertionError(f"the bot's listeners were still running after {timeout}s")


def rendered(message: dict[str, Any]) -> str:
    """A message's fallback text followed by the text of its blocks, as a reader sees it."""
    parts = [str(message.get("text", ""))]
    for block in message.get("blocks") or []:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(str(text.get("text", "")))
        for element in block.get("elements") or []:
            if isinstance(element, dict) and "text" in element:
                inner = element["text"]
                parts.append(str(inner.get("text", "") if isinstance(inner, dict) else inner))
    return "\n".join(parts)


def sign(body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    return transport.sign(body, secret, timestamp)


def command_form(
    text: str,
    response_url: str,
    *,
    user: str = "U0ALICE",
    channel: str = "C0ACME",
    channel_name: str = "channel",
    team_id: str = TEAM_ID,
    team_domain: str = "example",
    api_app_id: str = "A0APP",
    token: str = "legacy-verification-token",
    trigger_id: str = "1337.42.abcdef",
    is_enterprise_install: bool | None = None,
) -> dict[str, str]:
    """`/delegate text` as Slack posts it (over HTTP, or in a Socket Mode envelope)."""
    return transport.slash_command_form(
        text,
        token=token,
        team_id=team_id,
        team_domain=team_domain,
        channel_id=channel,
        channel_name=channel_name,
        user_id=user,
        user_name=user.lower(),
        api_app_id=api_app_id,
        response_url=response_url,
        trigger_id=trigger_id,
        is_enterprise_install=is_enterprise_install,
    )


@dataclass
class BotUnderTest:
    slack: FakeSlack
    engine: Engine
    deps: Deps
    loopback: LoopbackApp

    @property
    def app(self) -> App:
        return self.loopback.app

    @property
    def wsgi(self) -> WsgiApp:
        return self.loopback.wsgi

    @property
    def listeners(self) -> TrackingExecutor:
        return self.loopback.executor

    @property
    def url(self) -> str | None:
        """The loopback server's address when served over HTTP; None: requests go in-process."""
        return self.loopback.url if self.loopback.over_http else None

    def settle(self, timeout: float = LISTENER_DEADLINE) -> None:
        """Wait until every listener started so far has finished (the condition the
        tracking executor signals), or fail the test."""
        settle_or_fail(self.listeners.wait_idle, timeout)

    def post(
        self,
        body: str,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        path: str = "/slack/events",
    ) -> HttpResult:
        """POST `body` to the bot, then wait for the listeners it started to finish."""
        result = self.loopback.post(body, content_type, headers, path)
        self.settle()
        return result

    def get(self, path: str) -> HttpResult:
        return self.loopback.get(path)

    def post_signed(
        self, body: str, content_type: str = "application/x-www-form-urlencoded"
    ) -> HttpResult:
        return self.post(body, content_type, sign(body))

    def send_command(
        self, text: str, user: str = "U0ALICE", channel: str = "C0ACME", key: str | None = None
    ) -> HttpResult:
        """Deliver `/delegate text` as Slack would; the reply goes to a response_url keyed `key`."""
        form = command_form(
            text, self.slack.response_url(key or uuid.uuid4().hex), user=user, channel=channel
        )
        return self.post_signed(urlencode(form))

    def command(self, text: str, user: str = "U0ALICE", channel: str = "C0ACME") -> str:
        """Run `/delegate text` and return the text of the bot's reply to the requester."""
        key = uuid.uuid4().hex
        result = self.send_command(text, user=user, channel=channel, key=key)
        assert result.status == 200, result
        return self.wait_reply(key)

    def wait_reply(self, key: str) -> str:
        """The bot's reply to the command whose response_url was keyed `key`. The request
        has already waited for the listener, so the reply is there or never will be."""
        self.settle()
        for response in list(self.slack.responses):
            if response.get("_key") == key:
                return rendered(response)
        raise AssertionError(f"no reply to command {key}; replies: {self.slack.responses}")

    def interact(self, payload: dict[str, Any]) -> HttpResult:
        return self.post_signed(urlencode({"payload": json.dumps(payload)}))

    def event(self, envelope: dict[str, Any]) -> HttpResult:
        return self.post_signed(json.dumps(envelope), "application/json")


def make_deps(engine: Engine, slack: FakeSlack, **settings_overrides: Any) -> Deps:
    settings = Settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=str(engine.url),
        **settings_overrides,
    )
    return Deps(settings=settings, engine=engine, vendor_defaults=VendorDefaults())


@contextmanager
def start_bot(
    engine: Engine, slack: FakeSlack, *, over_http: bool = False, **settings_overrides: Any
) -> Iterator[BotUnderTest]:
    deps = make_deps(engine, slack, **settings_overrides)
    loopback = LoopbackApp(deps, over_http=over_http)
    bot = BotUnderTest(slack, engine, deps, loopback)
    loopback.start()
    try:
        yield bot
    finally:
        loopback.stop()
        bot.settle()
