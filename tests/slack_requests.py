"""The bot under test: the real Bolt app behind the real WSGI front, and requests signed the
way Slack signs them (slack_sdk's SignatureVerifier).

By default a request is handed to the WSGI callable in-process (the same front door gunicorn
serves: signature check, Bolt's SlackRequestHandler, `App.dispatch`), without a socket; HTTP
is not the subject of most tests and a loopback server per test costs time. `start_bot(...,
over_http=True)` serves it on a loopback HTTP server instead (tests/test_http_front.py).

Bolt acks and then runs the listener on its thread pool, so the answer comes before the
listener's work is done. Every request here waits, after its answer, until all listener work
is finished: the app's listener executor is a `TrackingExecutor` (bot/console_transport.py),
so a test looks at the database and the fake Slack only once the bot is done, and an error
raised by a listener after its ack is logged before the test's assertions run.
"""

from __future__ import annotations

import io
import json
import sys
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
from wsgiref.util import setup_testing_defaults

from slack_bolt import App
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import Engine

from bot.app import build_app
from bot.config import Settings
from bot.console.transport import TrackingExecutor, track_listeners
from bot.delegation import VendorDefaults
from bot.deps import Deps
from bot.web import WsgiApp, build_wsgi_app
from tests.support.fake_slack import FakeSlack

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0TEAM"
# How long the bot's listeners may take after a request before the test fails. Generous: it
# is a deadline for a hang on a loaded 2-CPU machine, not a pause (the wait ends as soon as
# the last listener finishes).
LISTENER_DEADLINE = 30.0


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
    slack: FakeSlack
    engine: Engine
    deps: Deps
    app: App
    wsgi: WsgiApp
    listeners: TrackingExecutor
    # The loopback server's address when served over HTTP; None: requests go in-process.
    url: str | None = None

    def settle(self, timeout: float = LISTENER_DEADLINE) -> None:
        """Wait until every listener started so far has finished (the condition the
        tracking executor signals), or fail the test."""
        if not self.listeners.wait_idle(timeout):
            raise AssertionError(f"the bot's listeners were still running after {timeout}s")

    def post(
        self,
        body: str,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        path: str = "/slack/events",
    ) -> HttpResult:
        """POST `body` to the bot, then wait for the listeners it started to finish."""
        all_headers = {"Content-Type": content_type, **(headers or {})}
        result = self._request("POST", path, body.encode(), all_headers)
        self.settle()
        return result

    def get(self, path: str) -> HttpResult:
        return self._request("GET", path, None, {})

    def _request(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str]
    ) -> HttpResult:
        if self.url is None:
            return _call_wsgi(self.wsgi, method, path, data, headers)
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
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


def _call_wsgi(
    wsgi: WsgiApp, method: str, path: str, data: bytes | None, headers: dict[str, str]
) -> HttpResult:
    """One request to the WSGI callable, in this process, as a WSGI server would make it."""
    body = data or b""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    setup_testing_defaults(environ)
    answered: list[str] = []

    def start_response(status: str, _headers: Any, _exc_info: Any = None) -> Any:
        answered.append(status)
        return lambda _chunk: None

    chunks = wsgi(environ, start_response)
    try:
        text = b"".join(chunks).decode()
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return HttpResult(int(answered[-1].split()[0]), text)


@contextmanager
def start_bot(
    engine: Engine, slack: FakeSlack, *, over_http: bool = False, **settings_overrides: Any
) -> Iterator[BotUnderTest]:
    deps = make_deps(engine, slack, **settings_overrides)
    app = build_app(deps)
    listeners = track_listeners(app)
    wsgi = build_wsgi_app(app, engine)
    bot = BotUnderTest(slack, engine, deps, app, wsgi, listeners)
    if not over_http:
        try:
            yield bot
        finally:
            bot.settle()
        return
    server = make_server(
        "127.0.0.1", 0, wsgi, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True
    )
    thread.start()
    bot.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield bot
    finally:
        server.shutdown()
        server.server_close()
        bot.settle()
