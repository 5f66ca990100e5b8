"""Slack over HTTPS, as in production: the fake Slack serves TLS with a certificate from a CA
made for the run (`FakeSlack(tls=True)`), and the bot trusts that CA through SLACK_CA_BUNDLE.

One process builds one SSL context however many Slack calls it makes: Web API calls from
listeners, response_url replies, a scheduler tick and Socket Mode's client all share it.
Counted by a wrapper on the standard library's `ssl.SSLContext`, installed for the test only.
"""

from __future__ import annotations

import ssl
import subprocess
import threading
import urllib.error
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from bot.app import build_app, build_client
from bot.config import MissingSettingError, load_settings
from bot.slack_connections import close_idle_connections
from tests.support.cli import assert_one_line_error, bot_env, run_bot
from tests.support.fake_slack import FakeSlack
from tests.support.scheduling import add_task, add_vendor, utc
from tests.support.slack_requests import BOT_TOKEN, make_deps, start_bot
from tests.support.socket_mode_commands import APP_TOKEN, command_payload, reply_to

ACME = "<#C0ACME|acme-design>"


@pytest.fixture
def tls_slack() -> Iterator[FakeSlack]:
    with FakeSlack(tls=True) as fake:
        fake.add_user("U0ALICE", "alice")
        fake.add_user("U0VENDOR", "vera", team_id="T0VENDOR")
        fake.add_channel("C0ACME", "acme-design", members=["U0ALICE", "U0VENDOR", "U0BOT"])
        fake.add_channel("C0GLOBEX", "globex", members=["U0ALICE", "U0BOT"])
        yield fake


class ContextCount:
    """Client contexts built since install: every `ssl.SSLContext(...)`, which is what
    `ssl.create_default_context()` and urllib's per-request default both go through."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.built: list[ssl._SSLMethod | None] = []
        original = ssl.SSLContext.__new__

        def counting_new(cls: type[ssl.SSLContext], protocol: Any = None, *a: Any, **k: Any) -> Any:
            if protocol != ssl.PROTOCOL_TLS_SERVER:  # the fake's own side is not the bot's
                self.built.append(protocol)
            return original(cls, protocol, *a, **k)

        monkeypatch.setattr(ssl.SSLContext, "__new__", counting_new)

    @property
    def count(self) -> int:
        return len(self.built)


@pytest.fixture
def contexts(monkeypatch: pytest.MonkeyPatch) -> ContextCount:
    return ContextCount(monkeypatch)


def test_commands_replies_and_a_tick_over_https_build_one_ssl_context(
    engine: Engine, tls_slack: FakeSlack, contexts: ContextCount
) -> None:
    assert tls_slack.api_url.startswith("https://")
    with start_bot(engine, tls_slack, slack_ca_bundle=tls_slack.ca_bundle) as bot:
        assert "Added vendor" in bot.command(f"vendor add {ACME}")
        for n in range(3):
            assert "Logo" in bot.command(f"{ACME} Logo {n} due:tomorrow")
        # The scheduler's own client, as `run` builds it beside the app.
        vendor = add_vendor(engine, "C0GLOBEX", checkins="weekdays@09:00")
        add_task(engine, vendor, "Flyer")
        client = build_client(BOT_TOKEN, tls_slack.api_url, tls_slack.ca_bundle)
        from bot.scheduling import run_tick

        report = run_tick(bot.deps, client, utc("2026-12-01 09:05"))
    assert report.posted.get("checkin", 0) >= 1, report.line()
    methods = [call.method for call in tls_slack.calls]
    assert methods.count("chat.postMessage") >= 4  # three announcements and the check-in
    assert len(tls_slack.responses) == 4  # every reply went to its response_url over HTTPS
    assert contexts.count == 1, contexts.built


def test_socket_mode_shares_the_one_context(
    engine: Engine, tls_slack: FakeSlack, contexts: ContextCount
) -> None:
    deps = make_deps(engine, tls_slack, slack_ca_bundle=tls_slack.ca_bundle)
    handler = SocketModeHandler(build_app(deps), app_token=APP_TOKEN)
    handler.connect()  # type: ignore[no-untyped-call]
    try:
        for text in ("vendor add <#C0ACME|acme-design>", "vendor list"):
            key = uuid.uuid4().hex
            tls_slack.socket_send("slash_commands", command_payload(tls_slack, text, key))
            # No tracked executor here: wait on the fake's condition for the reply.
            tls_slack.wait_for_response_keys([key], timeout=10)
            assert "acme" in reply_to(tls_slack, key).lower()
    finally:
        handler.close()  # type: ignore[no-untyped-call]
    # The socket itself is ws:// here (slack_sdk speaks TLS to port 443 only, see
    # tests/support/socket_mode.py); what it would wrap a wss:// socket with is the same context.
    assert handler.client.web_client.ssl is handler.app.client.ssl
    assert handler.app.client.ssl is not None
    assert contexts.count == 1, contexts.built


def test_the_fake_is_not_trusted_without_its_ca(tls_slack: FakeSlack) -> None:
    """SLACK_CA_BUNDLE names the CAs to trust; without it the system's decide, and verification
    refuses the run's throwaway certificate."""
    client = build_client(BOT_TOKEN, tls_slack.api_url)
    client.retry_handlers = []
    with pytest.raises(Exception) as raised:
        client.auth_test()
    assert not isinstance(raised.value, SlackApiError)
    assert "CERTIFICATE_VERIFY_FAILED" in str(raised.value)
    assert tls_slack.calls == []


# ---------------------------------------------------------------- the setting


def test_slack_ca_bundle_is_read_and_checked(tmp_path: Path, tls_slack: FakeSlack) -> None:
    settings = load_settings({"SLACK_CA_BUNDLE": tls_slack.ca_bundle}, dotenv_path=None)
    assert settings.slack_ca_bundle == tls_slack.ca_bundle
    assert load_settings({}, dotenv_path=None).slack_ca_bundle is None


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        pytest.param(None, "is not a file", id="missing"),
        pytest.param("not a certificate\n", "no PEM certificate", id="not-pem"),
        pytest.param(
            "-----BEGIN CERTIFICATE-----\nMIIBA\n-----END CERTIFICATE-----\n",
            "damaged",
            id="bad-base64",
        ),
    ],
)
def test_a_bad_ca_bundle_is_refused(tmp_path: Path, content: str | None, complaint: str) -> None:
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_text(content)
    settings = load_settings({"SLACK_CA_BUNDLE": str(path)}, dotenv_path=None)
    with pytest.raises(MissingSettingError, match=complaint):  # by the commands that use it
        settings.check("SLACK_CA_BUNDLE")


def test_a_bundle_openssl_cannot_read_stops_start_up_with_status_2(tmp_path: Path) -> None:
    """PEM armour around bytes that are no certificate: refused before the database."""
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    work = tmp_path / "work"
    work.mkdir()
    result: subprocess.CompletedProcess[str] = run_bot(
        work,
        "tick",
        env=bot_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_CA_BUNDLE=str(bundle)),
    )
    assert result.returncode == 2, result.stderr
    assert_one_line_error(result, "SLACK_CA_BUNDLE")
    assert list(work.iterdir()) == []


# ---------------------------------------------------------------- kept-alive connections


def test_a_burst_of_calls_from_one_thread_uses_one_tls_connection(
    tls_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    close_idle_connections()
    connections: list[str | None] = []
    original = ssl.SSLContext.wrap_socket

    def counting_wrap(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        if not kwargs.get("server_side"):  # the fake's own side runs in this process too
            connections.append(kwargs.get("server_hostname"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", counting_wrap)
    client = build_client(BOT_TOKEN, tls_slack.api_url, tls_slack.ca_bundle)
    for n in range(10):
        client.chat_postMessage(channel="C0ACME", text=f"message {n}")
    assert len(tls_slack.messages_in("C0ACME")) == 10
    assert connections == ["127.0.0.1"]
    close_idle_connections()


class _ClosesAfterEachAnswer(BaseHTTPRequestHandler):
    """Speaks HTTP/1.1 without `Connection: close`, then hangs up anyway: a kept-alive
    connection the server dropped while it sat idle."""

    protocol_version = "HTTP/1.1"
    requests: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).requests.append(self.path)
        body = b'{"ok": true, "channel": "C1", "ts": "1.000001"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_connection_the_server_closed_is_replaced_and_nothing_is_sent_twice() -> None:
    close_idle_connections()
    _ClosesAfterEachAnswer.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ClosesAfterEachAnswer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        client = build_client(BOT_TOKEN, f"http://127.0.0.1:{server.server_port}/api/")
        for _ in range(3):
            assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    finally:
        close_idle_connections()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert _ClosesAfterEachAnswer.requests == ["/api/chat.postMessage"] * 3


def test_a_stopped_fake_answers_nothing_even_on_a_kept_alive_connection() -> None:
    close_idle_connections()
    fake = FakeSlack().start()
    fake.add_channel("C1", "one")
    fake.add_bot_to("C1")
    client = build_client(fake.bot_token, fake.api_url)
    client.retry_handlers = []
    assert client.chat_postMessage(channel="C1", text="before")["ok"]
    fake.stop()
    with pytest.raises(urllib.error.URLError):
        client.chat_postMessage(channel="C1", text="after")
    close_idle_connections()


def test_a_bot_that_does_not_trust_slack_says_so_in_its_log(
    engine: Engine, tls_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """SLACK_CA_BUNDLE forgotten: Bolt's first auth.test fails verification. The operator
    reads why, not "malformed payload"; Slack gets a 5xx; nothing is written."""
    with start_bot(engine, tls_slack) as bot:
        result = bot.send_command(f"vendor add {ACME}")
    assert result.status == 500
    errors = [r.getMessage() for r in caplog.records if r.name == "bot.app"]
    assert any(
        "cannot reach Slack's API" in m and "CERTIFICATE_VERIFY_FAILED" in m for m in errors
    ), errors
    assert not any("malformed" in m for m in errors)
    assert tls_slack.calls == []
