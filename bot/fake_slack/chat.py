"""chat.*: posting, updating and deleting the bot's messages, ephemeral replies,
permalinks."""

from __future__ import annotations

import copy
from typing import Any

from bot.fake_slack.model import PERMALINK_BASE, SlackError, invalid_arguments
from bot.fake_slack.state import SlackState


class ChatApi(SlackState):
    def _chat_post_message(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._postable(p.get("channel"))
        text, blocks, attachments = p.get("text"), p.get("blocks"), p.get("attachments")
        if not text and not blocks and not attachments:
            raise SlackError("no_text")
        extra = {k: p[k] for k in ("attachments", "metadata") if p.get(k) is not None}
        thread_ts = p.get("thread_ts") or None
        ts = self._store_message(channel, text, blocks, thread_ts, self.bot_user_id, extra)
        stored = self._find_message(channel, ts)
        return {
            "channel": channel.id,
            "ts": ts,
            "message": {k: v for k, v in copy.deepcopy(stored).items() if v is not None},
        }

    def _chat_update(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve(p.get("channel"), allow_user=True, allow_name=False)
        if not p.get("ts"):
            raise invalid_arguments("ts")
        if channel.is_archived:
            raise SlackError("is_archived")
        message = self._find_message(channel, p["ts"])
        if message["user"] != self.bot_user_id:
            raise SlackError("cant_update_message")
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in p:
                message[key] = p[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": {k: v for k, v in copy.deepcopy(message).items() if v is not None},
        }

    def _chat_post_ephemeral(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._postable(p.get("channel"))
        user = p.get("user")
        if not user:
            raise invalid_arguments("user")
        if not p.get("text") and not p.get("blocks") and not p.get("attachments"):
            raise SlackError("no_text")
        ts = self._next_ts()
        self.ephemerals.append(
            {
                "channel": channel.id,
                "user": user,
                "text": p.get("text") or "",
                "blocks": p.get("blocks"),
                "thread_ts": p.get("thread_ts") or None,
                "message_ts": ts,
            }
        )
        return {"message_ts": ts}

    def _chat_get_permalink(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve(p.get("channel"), allow_user=True, allow_name=False)
        if not p.get("message_ts"):
            raise invalid_arguments("message_ts")
        message = self._find_message(channel, p["message_ts"])
        link = f"{PERMALINK_BASE}/archives/{channel.id}/p{message['ts'].replace('.', '')}"
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            link += f"?thread_ts={thread_ts}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    def _chat_delete(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve(p.get("channel"), allow_user=True, allow_name=False)
        message = self._find_message(channel, p.get("ts"))
        if message["user"] != self.bot_user_id:
            raise SlackError("cant_delete_message")
        self.messages[channel.id].remove(message)
        return {"channel": channel.id, "ts": message["ts"]}
