"""Refuses payloads whose shape Slack never sends, before any listener reads them.

Listeners read fields like `body["user"]["id"]` and `action["value"]`; Slack always sends
those as objects and strings. A forged or broken payload with a list where an object
belongs, or a number where a string belongs, is answered 400 here, once for all listeners,
instead of each listener guarding every `.get()`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

logger = logging.getLogger(__name__)

OBJECT_FIELDS = ("user", "channel", "container", "message", "view", "team", "event", "state")
ACTION_TEXT_FIELDS = ("action_id", "block_id", "value", "type")
EVENT_TEXT_FIELDS = (
    "type",
    "user",
    "channel",
    "text",
    "ts",
    "thread_ts",
    "event_ts",
    "subtype",
    "bot_id",
    "channel_type",
)
ID_FIELDS = ("id", "team_id", "channel_id", "message_ts", "callback_id", "private_metadata")


def shape_problem(body: Any) -> str | None:
    """What is wrong with the payload's shape, or None when listeners can read it."""
    if not isinstance(body, dict):
        return "the payload is not an object"
    for name in OBJECT_FIELDS:
        value = body.get(name)
        if value is not None and not isinstance(value, dict):
            return f"`{name}` is not an object"
        if isinstance(value, dict):
            for field in ID_FIELDS:
                if value.get(field) is not None and not isinstance(value[field], str):
                    return f"`{name}.{field}` is not text"
    actions = body.get("actions")
    if actions is not None:
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            return "`actions` is not a list of objects"
        for action in actions:
            for field in ACTION_TEXT_FIELDS:
                if action.get(field) is not None and not isinstance(action[field], str):
                    return f"`actions[].{field}` is not text"
    event = body.get("event")
    if isinstance(event, dict):
        for field in EVENT_TEXT_FIELDS:
            if event.get(field) is not None and not isinstance(event[field], str):
                return f"`event.{field}` is not text"
    for field in ("type", "trigger_id", "team_id", "event_id", "user_id", "channel_id", "text"):
        if body.get(field) is not None and not isinstance(body[field], str):
            return f"`{field}` is not text"
    return None


def refuse_malformed_payloads(
    body: dict[str, Any], next: Callable[[], BoltResponse]
) -> BoltResponse:
    problem = shape_problem(body)
    if problem is not None:
        logger.warning("refused a malformed payload: %s", problem)
        return BoltResponse(status=400, body={"error": "malformed payload"})
    return next()


def register(app: App) -> None:
    app.use(refuse_malformed_payloads)
