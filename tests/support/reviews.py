"""Clicking through the owner's review DMs, for the review and on-time tests."""

from __future__ import annotations

from typing import Any

from tests.support.checkin_support import payload
from tests.support.slack_requests import BotUnderTest

OWNER_DM = "DU0ALICE"  # the fake's DM channel between the bot and U0ALICE


def actions_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def click(
    message: dict[str, Any],
    action_id: str,
    *,
    user: str = "U0ALICE",
    team: str = "T0TEAM",
    value: str | None = None,
    channel: str = OWNER_DM,
) -> dict[str, Any]:
    """A click on a button of a DM the bot sent (review or rating prompt), as Slack sends it."""
    [button] = [a for a in actions_of(message) if a["action_id"] == action_id]
    body = payload("block_actions_review_button")
    body["user"].update(id=user, username=user.lower(), name=user.lower(), team_id=team)
    body["container"].update(channel_id=channel, message_ts=message["ts"])
    body["channel"]["id"] = channel
    body["message"]["ts"] = message["ts"]
    body["actions"][0].update(
        action_id=action_id, value=button["value"] if value is None else value, block_id="x"
    )
    return body


def changes_submission(metadata: str, text: str, user: str = "U0ALICE") -> dict[str, Any]:
    body = payload("view_submission_review_changes")
    body["user"]["id"] = user
    body["view"]["private_metadata"] = metadata
    body["view"]["state"]["values"]["changes"]["changes_input"]["value"] = text
    return body


def opened_view(bot: BotUnderTest, count: int = 1) -> dict[str, Any]:
    view: dict[str, Any] = bot.slack.wait_for("views.open", count=count)[-1].params["view"]
    return view
