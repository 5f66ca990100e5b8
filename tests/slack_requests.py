"""The bot under test: the real WSGI app on a loopback HTTP server, and requests signed the
way Slack signs them (slack_sdk's SignatureVerifier)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import Engine

from bot.app import build_app
from bot.config import Settings
from bot.delegation import VendorDefaults
from bot.deps import Deps
from bot.fake_slack import FakeSlack
from bot.web import build_wsgi_app

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0TEAM"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class HttpResult:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


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
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}


@dataclass
class BotUnderTest:
    url: str
    slack: FakeSlack
    engine: Engine
    deps: Deps

    def post(
        self,
        body: str,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        path: str = "/slack/events",
    ) -> HttpResult:
        request = urllib.request.Request(
            self.url + path,
            data=body.encode(),
            headers={"Content-Type": content_type, **(headers or {})},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return HttpResult(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, error.read().decode())

    def get(self, path: str) -> HttpResult:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return HttpResult(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, error.read().decode())

    def post_signed(
        self, body: str, content_type: str = "application/x-www-form-urlencoded"
    ) -> HttpResult:
        return self.post(body, content_type, sign(body))

    def send_command(
        self, text: str, user: str = "U0ALICE", channel: str = "C0ACME", key: str | None = None
    ) -> HttpResult:
        """Deliver `/delegate text` as Slack would; the reply goes to a response_url keyed `key`."""
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "example",
            "channel_id": channel,
            "channel_name": "channel",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/delegate",
            "text": text,
            "api_app_id": "A0APP",
            "response_url": self.slack.response_url(key or uuid.uuid4().hex),
            "trigger_id": "1337.42.abcdef",
        }
        return self.post_signed(urlencode(form))

    def command(self, text: str, user: str = "U0ALICE", channel: str = "C0ACME") -> str:
        """Run `/delegate text` and return the text of the bot's reply to the requester."""
        key = uuid.uuid4().hex
        result = self.send_command(text, user=user, channel=channel, key=key)
        assert result.status == 200, result
        return self.wait_reply(key)

    def wait_reply(self, key: str, timeout: float = 5.0) -> str:
        # Counted sleeps, not a clock: tests freeze time with freezegun.
        for _ in range(int(timeout / 0.01)):
            for response in list(self.slack.responses):
                if response.get("_key") == key:
                    return rendered(response)
            time.sleep(0.01)
        raise AssertionError(f"no reply to command {key} within {timeout}s")

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
    engine: Engine, slack: FakeSlack, **settings_overrides: Any
) -> Iterator[BotUnderTest]:
    deps = make_deps(engine, slack, **settings_overrides)
    wsgi = build_wsgi_app(build_app(deps), engine)
    server = make_server(
        "127.0.0.1", 0, wsgi, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield BotUnderTest(f"http://127.0.0.1:{server.server_port}", slack, engine, deps)
    finally:
        server.shutdown()
        server.server_close()
