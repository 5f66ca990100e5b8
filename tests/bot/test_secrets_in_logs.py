"""Tokens and secrets never reach the logs: every log line of a whole scenario, at DEBUG
(where slack_sdk logs request headers), is captured and searched."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from bot.app import build_client
from bot.logs import configure_logging
from bot.scheduling import run_tick
from tests.support.slack_requests import BOT_TOKEN, SIGNING_SECRET, BotUnderTest, sign

BODY_MARKER = "private-words-in-an-unsigned-body"


@pytest.fixture
def debug_logs() -> Iterator[io.StringIO]:
    """Our real logging set-up (root handler with the redaction filter), into a buffer."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    buffer = io.StringIO()
    configure_logging("DEBUG", [BOT_TOKEN, SIGNING_SECRET], stream=buffer)
    yield buffer
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_a_full_scenario_logs_no_secret(bot: BotUnderTest, debug_logs: io.StringIO) -> None:
    bot.command("vendor add <#C0ACME|acme> tz:Asia/Manila")
    bot.command("<#C0ACME|acme> Logo refresh due:fri")
    bot.command("list all")
    bot.command("done 999")
    body = urlencode({"command": "/delegate", "text": BODY_MARKER})
    assert bot.post(body, headers=sign(body, secret="wrong-secret")).status == 401
    client = build_client(BOT_TOKEN, bot.slack.api_url)
    report = run_tick(bot.deps, client, datetime(2026, 12, 1, 1, 5, tzinfo=UTC))
    assert report.line().startswith("tick")
    logged = debug_logs.getvalue()
    assert "Sending a request" in logged  # slack_sdk's DEBUG lines, with headers, were seen
    assert "Invalid request signature" in logged
    assert BOT_TOKEN not in logged
    assert SIGNING_SECRET not in logged
    assert BODY_MARKER not in logged
    assert "Logging error" not in logged
