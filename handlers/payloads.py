"""Reading a button click (block_actions) the same way in every listener.

The payload's shape is already checked by `handlers.payload_guard`; this gathers the
fields listeners use, with the installing team from `handlers.delegate.team_of`.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.reviews import MessageRef
from handlers.delegate import team_of


class Click:
    """The parts of a block_actions payload these listeners read."""

    def __init__(self, body: dict[str, Any], context: BoltContext) -> None:
        user = body.get("user") or {}
        self.user_id = str(user.get("id") or "")
        # An interactivity payload says the user's own team (Slack Connect included).
        self.user_team_id = str(user.get("team_id") or "")
        self.team_id = team_of(context, body)
        action = (body.get("actions") or [{}])[0]
        self.action_id = str(action.get("action_id") or "")
        self.block_id = str(action.get("block_id") or "")
        self.value = str(action.get("value") or "")
        self.trigger_id = str(body.get("trigger_id") or "")
        # The clicked message: `channel` and `message` as the check-in buttons have always
        # read it, `container` (there for every surface) when they are missing.
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        ts = (body.get("message") or {}).get("ts") or container.get("message_ts")
        self.message = MessageRef(str(channel), str(ts)) if channel and ts else None

    @property
    def channel_id(self) -> str:
        return self.message.channel_id if self.message else ""

    @property
    def message_ts(self) -> str | None:
        return self.message.ts if self.message else None
