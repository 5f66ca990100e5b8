"""Helpers for the mistakes issue: the raw reply to a command, and presses on the buttons
of the private "not a vendor yet" question (an ephemeral message, or the form's DM)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, func, select

from bot import blocks
from storage.models import (
    AuditEntry,
    ConfirmedRequest,
    Delivery,
    ScheduledPost,
    Task,
    TaskFeedback,
    Vendor,
)
from tests.support.checkin_support import payload
from tests.support.slack_requests import BotUnderTest, rendered

SLACK_WRITES = (
    "chat.postMessage",
    "chat.update",
    "chat.delete",
    "conversations.join",
    "views.open",
    "chat.postEphemeral",
    "files.completeUploadExternal",
)


def command_message(
    bot: BotUnderTest, text: str, user: str = "U0ALICE", channel: str = "C0ACME"
) -> dict[str, Any]:
    """The bot's reply to `/delegate text`, as the response_url received it."""
    key = uuid.uuid4().hex
    assert bot.send_command(text, user=user, channel=channel, key=key).status == 200
    bot.wait_reply(key)
    [message] = [r for r in bot.slack.responses if r.get("_key") == key]
    return message


def press(
    bot: BotUnderTest,
    message: dict[str, Any],
    action_id: str,
    *,
    user: str = "U0ALICE",
    team: str = "T0TEAM",
    channel: str = "C0ACME",
    value: str | None = None,
) -> dict[str, Any]:
    """Press a button of an ephemeral reply (or the DM the form sent); the bot's answer
    to the press's response_url."""
    [button] = [
        element
        for block in message.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == action_id
    ]
    key = uuid.uuid4().hex
    body = payload("block_actions_review_button")
    body.pop("message", None)  # an ephemeral message is not sent back with the click
    body["user"].update(id=user, username=user.lower(), name=user.lower(), team_id=team)
    body["container"].update(
        channel_id=channel, message_ts=message.get("ts") or "1.000001", is_ephemeral=True
    )
    body["channel"]["id"] = channel
    body["response_url"] = bot.slack.response_url(key)
    body["actions"][0].update(
        action_id=action_id,
        value=button["value"] if value is None else value,
        block_id="pending_task",
    )
    assert bot.interact(body).status == 200
    bot.wait_reply(key)
    [answer] = [r for r in bot.slack.responses if r.get("_key") == key]
    return answer


def delegate_new(
    bot: BotUnderTest, text: str, user: str = "U0ALICE", channel: str = "C0ACME"
) -> str:
    """Delegate to a channel that is not a vendor yet, pressing Register and delegate."""
    question = command_message(bot, text, user=user, channel=channel)
    assert "not a vendor yet" in rendered(question), rendered(question)
    answer = press(bot, question, blocks.REGISTER_AND_DELEGATE_ACTION, user=user, channel=channel)
    return rendered(answer)


def snapshot(bot: BotUnderTest) -> tuple[Any, ...]:
    """Everything a refusal must leave alone: every row that matters, and what the bot
    posted in channels (messages, with their text and replies)."""
    with Session(bot.engine) as session:
        rows = tuple(
            tuple(repr(sorted(row.model_dump().items())) for row in session.exec(select(model)))
            for model in (
                Vendor,
                Task,
                AuditEntry,
                TaskFeedback,
                Delivery,
                ScheduledPost,
                ConfirmedRequest,
            )
        )
    messages = tuple(
        (call.method, repr(sorted(call.params.items())))
        for call in bot.slack.calls
        if call.method in SLACK_WRITES
    )
    return rows, messages


def count_rows(bot: BotUnderTest, model: Any) -> int:
    with Session(bot.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())
