"""Many-workspace mode under test: the bot with SLACK_CLIENT_ID/SECRET on loopback, the
fake Slack's authorize page, and an install walked through as a browser would (cookies,
redirects) with urllib; tests/test_install_browser.py does it in a real Chromium."""

from __future__ import annotations

import http.cookiejar
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import make_server

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.app import build_app
from bot.config import Settings
from bot.console_transport import TrackingExecutor, track_listeners
from bot.delegation import VendorDefaults
from bot.deps import Deps
from bot.fake_slack import FakeSlack
from bot.web import build_wsgi_app
from tests.slack_requests import (
    SIGNING_SECRET,
    HttpResult,
    _QuietHandler,
    _ThreadingServer,
    rendered,
    sign,
)

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret-abcdef"
SLACK_TABLES = ("slack_bots", "slack_installations", "slack_oauth_states")


def clear_slack_tables(engine: Engine) -> None:
    """slack_sdk's tables are not on SQLModel's metadata, so conftest does not empty them."""
    with engine.begin() as connection:
        for table in SLACK_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))


@dataclass
class Browser:
    """Just enough of a browser: cookies, redirects, the last page's HTML."""

    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def get(self, url: str) -> HttpResult:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        for cookie in self.jar:
            # Bolt's state cookie is Secure; browsers send those to loopback, urllib does not.
            cookie.secure = False
        try:
            with opener.open(url, timeout=10) as response:
                return HttpResult(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, error.read().decode())


def link(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}" href="([^"]+)"', html) or re.search(
        rf'href="([^"]+)"[^>]*id="{element_id}"', html
    )
    assert found, f"no link #{element_id} in the page"
    return unescape(found.group(1))


@dataclass
class ManyBot:
    url: str
    slack: FakeSlack
    engine: Engine
    deps: Deps
    listeners: TrackingExecutor

    def settle(self, timeout: float = 30) -> None:
        """Wait until every listener started so far has finished (the tracking executor's
        condition: Bolt submits each listener before it answers the request), or fail."""
        if not self.listeners.wait_idle(timeout):
            raise AssertionError(f"the bot's listeners were still running after {timeout}s")

    def install(self, team_id: str, decision: str = "allow", browser: Browser | None = None) -> str:
        """Walk /slack/install -> Slack's authorize page -> Allow; the final page's HTML."""
        browser = browser or Browser()
        page = browser.get(self.url + "/slack/install")
        assert page.status == 200, page
        authorize = link(page.body, "add-to-slack")
        assert browser.get(authorize).status == 200
        query = authorize.split("?", 1)[1]
        decide = f"{self.slack.base_url}/oauth/v2/decide?{query}&team={team_id}&decision={decision}"
        return browser.get(decide).body

    def post_signed(self, body: str, content_type: str) -> HttpResult:
        request = urllib.request.Request(
            self.url + "/slack/events",
            data=body.encode(),
            headers={"Content-Type": content_type, **sign(body)},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return HttpResult(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, error.read().decode())

    def command(self, team_id: str, text: str, user: str, channel: str) -> str:
        key = uuid.uuid4().hex
        form = {
            "team_id": team_id,
            "team_domain": team_id.lower(),
            "channel_id": channel,
            "channel_name": "channel",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/delegate",
            "text": text,
            "api_app_id": self.slack.app_id,
            "response_url": self.slack.response_url(key),
            "trigger_id": "1337.42.abcdef",
        }
        result = self.post_signed(urlencode(form), "application/x-www-form-urlencoded")
        assert result.status == 200, result
        self.settle()
        for response in list(self.slack.responses):
            if response.get("_key") == key:
                return rendered(response)
        raise AssertionError(f"no reply to {text!r} in {team_id}")

    def event(self, team_id: str, event: dict[str, Any]) -> HttpResult:
        envelope = {
            "token": "legacy",
            "team_id": team_id,
            "api_app_id": self.slack.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team_id, "user_id": "U0BOT", "is_bot": True, "enterprise_id": None}
            ],
        }
        return self.post_signed(json.dumps(envelope), "application/json")


def many_settings(slack: FakeSlack, engine: Engine, url: str, **overrides: Any) -> Settings:
    return Settings(
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        slack_redirect_uri=f"{url}/slack/oauth_redirect",
        database_url=str(engine.url),
        **overrides,
    )


@contextmanager
def start_many_bot(engine: Engine, slack: FakeSlack, **overrides: Any) -> Iterator[ManyBot]:
    """The bot in many-workspace mode; the port is bound first so the redirect URL is known."""
    slack.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
    server = make_server(
        "127.0.0.1", 0, lambda e, s: [], server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    url = f"http://127.0.0.1:{server.server_port}"
    deps = Deps(
        settings=many_settings(slack, engine, url, **overrides),
        engine=engine,
        vendor_defaults=VendorDefaults(),
    )
    app = build_app(deps)
    listeners = track_listeners(app)
    server.set_app(build_wsgi_app(app, engine))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield ManyBot(url, slack, engine, deps, listeners)
    finally:
        server.shutdown()
        server.server_close()
        clear_slack_tables(engine)
