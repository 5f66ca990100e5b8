"""Slash commands as Slack sends them over Socket Mode, and the replies to them."""

from __future__ import annotations

from typing import Any

from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import command_form, rendered

APP_TOKEN = "xapp-1-test"


def command_payload(fake: FakeSlack, text: str, key: str) -> dict[str, Any]:
    """A slash command as Slack sends it in a Socket Mode `slash_commands` envelope."""
    return command_form(
        text,
        fake.response_url(key),
        channel_name="acme-design",
        is_enterprise_install=False,
    )


def reply_to(fake: FakeSlack, key: str) -> str:
    """The text of the response_url post for command `key`."""
    for response in list(fake.responses):
        if response.get("_key") == key:
            return rendered(response)
    raise AssertionError(f"no reply to {key}: {fake.responses}")
