"""What a saved console session keeps of its conversation: the messages that still have
buttons, so that a check-in posted yesterday can be answered after `:quit` and a restart.

Everything else starts afresh (the database keeps the history); these messages are put back
into the fake Slack with their own timestamps, so the bot updates them in place as before.
"""

from __future__ import annotations

from typing import Any

from bot.console.render import controls
from bot.fake_slack import FakeSlack

KEPT_AT_MOST = 20  # the newest; older ones can be posted again with /delegate commands


def messages_to_keep(items: list[Any]) -> list[dict[str, Any]]:
    """The channel messages (and DMs) on screen that have buttons and are not deleted."""
    kept = [
        {
            "channel": item.channel,
            "ts": item.ts,
            "thread_ts": item.thread_ts,
            "author": item.author,
            "text": item.text,
            "blocks": item.blocks,
            "rows": item.rows,
        }
        for item in items
        if item.is_channel_message and not item.deleted and controls(item.blocks)
    ]
    return kept[-KEPT_AT_MOST:]


def restore_messages(fake: FakeSlack, saved: Any) -> list[dict[str, Any]]:
    """Put `saved` messages back into `fake`; the ones that could be (a channel gone from
    the workspace file is skipped), oldest first."""
    restored = []
    for message in saved if isinstance(saved, list) else []:
        if not isinstance(message, dict) or not message.get("channel") or not message.get("ts"):
            continue
        stored = {
            "type": "message",
            "ts": str(message["ts"]),
            "user": str(message.get("author") or ""),
            "text": str(message.get("text") or ""),
            "blocks": list(message.get("blocks") or []),
            "thread_ts": message.get("thread_ts"),
            "team": fake.team_id,
        }
        if stored["user"] == fake.bot_user_id:
            stored.update(bot_id=fake.bot_id, app_id=fake.app_id)
        try:
            fake.restore_message(str(message["channel"]), stored)
        except Exception:  # the fake refuses an unknown channel: nothing to restore there
            continue
        restored.append(message)
    return restored
