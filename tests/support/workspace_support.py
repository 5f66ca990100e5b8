"""Many-workspace mode under test: the bot with SLACK_CLIENT_ID/SECRET on loopback, the
fake Slack's authorize page, and an install walked through as a browser would (cookies,
redirects) with urllib; tests/bot/test_install_browser.py does it in a real Chromium."""

from __future__ import annotations

import http.cookiejar
import json
import re
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

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.config import Settings, VendorDefaults
from bot.console.transport import LoopbackApp, LoopbackServer
from bot.deps import Deps
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import (
    SIGNING_SECRET,
    HttpResult,
    command_form,
    rendered,
    settle_or_fail,
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
    loopback: LoopbackApp

    def settle(self) -> None:
        """Wait for the listeners (Bolt submits each before it answers the request)."""
        settle_or_fail(self.loopback.settle)

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
        return self.loopback.post_signed(body, content_type)

    def command(self, team_id: str, text: str, user: str, channel: str) -> str:
        key = uuid.uuid4().hex
        form = command_form(
            text,
            self.slack.response_url(key),
            user=user,
            channel=channel,
            team_id=team_id,
            team_domain=team_id.lower(),
            api_app_id=self.slack.app_id,
        )
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
    server = LoopbackServer()
    deps = Deps(
        settings=many_settings(slack, engine, server.url, **overrides),
        engine=engine,
        vendor_defaults=VendorDefaults(),
    )
    loopback = LoopbackApp(deps, server=server).start()
    try:
        yield ManyBot(server.url, slack, engine, deps, loopback)
    finally:
        loopback.stop()
        clear_slack_tables(engine)
