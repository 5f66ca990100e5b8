"""The state every Web API area of the stand-in Slack shares, and the model's helpers:
finding a conversation, storing a message, Slack's shapes of a channel and of a user."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.fake_slack.model import (
    APP_ID,
    BOT_ID,
    CREATED,
    Call,
    Channel,
    SlackError,
    User,
    Workspace,
)


class SlackState:
    """One workspace's people, conversations, messages, views and files, and the traffic
    recorded so far. Each Web API area (bot.fake_slack.chat, .conversations, ...) is a
    subclass; bot.fake_slack.server.FakeSlack puts them together behind the HTTP server."""

    def __init__(self, team_id: str, bot_user_id: str, bot_token: str) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_token = bot_token
        self.bot_id = BOT_ID
        self.app_id = APP_ID
        self.team_name = "Fake Team"
        self.team_domain = "fake-team"

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)

        # Recorded traffic (read these from tests; mutate only through the API).
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.uploads: dict[str, bytes] = {}
        self.file_shares: list[dict[str, Any]] = []
        # Web API calls and response_url posts in the order they arrived, for readers that
        # replay what happened (the console): a Call, or a response_url body (with "_key").
        self.timeline: list[Call | dict[str, Any]] = []

        # Workspace model.
        self._users: dict[str, User] = {}
        self._channels: dict[str, Channel] = {}
        self._views_by_id: dict[str, dict[str, Any]] = {}
        self._home_view_ids: dict[str, str] = {}
        self._pending_files: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._ts_counter = 0
        self._ids = itertools.count(1)
        # OAuth (many-workspace mode): installable workspaces by team id, their tokens, the
        # codes handed out by the authorize page (each good once), the app's credentials.
        self._workspaces: dict[str, Workspace] = {}
        self._team_of_token: dict[str, str] = {}
        self._revoked_tokens: set[str] = set()
        self._oauth_codes: dict[str, str] = {}
        self.oauth_client: tuple[str, str] | None = None

    @property
    def base_url(self) -> str:
        """Where the server answers (bot.fake_slack.server.FakeSlack)."""
        raise NotImplementedError

    def _next_ts(self) -> str:
        self._ts_counter += 100
        secs, micros = divmod(self._ts_counter, 1_000_000)
        return f"{CREATED + secs}.{micros:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):09d}"

    def _dm_for(self, user_id: str) -> Channel:
        channel_id = "D" + user_id
        channel = self._channels.get(channel_id)
        if channel is None:
            channel = Channel(id=channel_id, name=channel_id, is_private=True, is_im=True)
            channel.user = user_id
            channel.add_member(user_id)
            channel.add_member(self.bot_user_id)
            self._channels[channel_id] = channel
        return channel

    def _resolve(self, ref: Any, *, allow_user: bool, allow_name: bool) -> Channel:
        """Find a conversation by id (or ``#name``); user ids map to the bot's DM with them."""
        if not isinstance(ref, str) or not ref.strip():
            raise SlackError("channel_not_found")
        ref = ref.strip()
        if ref.startswith("#"):
            if allow_name:
                for candidate in self._channels.values():
                    if candidate.name == ref[1:] and not candidate.is_im:
                        return candidate
            raise SlackError("channel_not_found")
        known = self._channels.get(ref)
        if known is not None:
            return known
        if allow_user and ref[0] in "UW":
            return self._dm_for(ref)
        if ref.startswith("D") and len(ref) > 1:
            return self._dm_for(ref[1:])
        if allow_name:
            for candidate in self._channels.values():
                if candidate.name == ref and not candidate.is_im:
                    return candidate
        raise SlackError("channel_not_found")

    def _postable(self, ref: Any) -> Channel:
        channel = self._resolve(ref, allow_user=True, allow_name=True)
        if channel.is_archived:
            raise SlackError("is_archived")
        if not (channel.is_im or channel.is_mpim) and self.bot_user_id not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    def _find_message(self, channel: Channel, ts: Any) -> dict[str, Any]:
        for message in self.messages.get(channel.id, []):
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def _store_message(
        self,
        channel: Channel,
        text: str | None,
        blocks: Any,
        thread_ts: str | None,
        user: str,
        extra: dict[str, Any],
    ) -> str:
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "ts": ts,
            "user": user,
            "text": text or "",
            "blocks": blocks,
            "thread_ts": thread_ts,
            "team": self._users[user].team_id if user in self._users else self.team_id,
            **extra,
        }
        if user == self.bot_user_id:
            message.update(bot_id=self.bot_id, app_id=self.app_id)
        if thread_ts:
            for parent in self.messages.get(channel.id, []):
                if parent["ts"] == thread_ts:
                    parent["thread_ts"] = thread_ts
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
                    parent["latest_reply"] = ts
        self.messages.setdefault(channel.id, []).append(message)
        return ts

    def _channel_obj(self, channel: Channel) -> dict[str, Any]:
        if channel.is_im:
            return {
                "id": channel.id,
                "created": CREATED,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": self.team_id,
                "updated": CREATED * 1000,
                "user": channel.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        legacy_group = channel.id.startswith("G") and channel.is_private and not channel.is_mpim
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not legacy_group and not channel.is_mpim,
            "is_group": legacy_group,
            "is_im": False,
            "is_mpim": channel.is_mpim,
            "is_private": channel.is_private,
            "created": CREATED,
            "is_archived": channel.is_archived,
            "is_general": channel.is_general,
            "unlinked": 0,
            "name_normalized": channel.name,
            "is_shared": channel.is_ext_shared,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": self.team_id,
            "updated": CREATED * 1000,
            "parent_conversation": None,
            "creator": channel.members[0] if channel.members else self.bot_user_id,
            "is_ext_shared": channel.is_ext_shared,
            "shared_team_ids": [self.team_id],
            "pending_connected_team_ids": [],
            "is_member": self.bot_user_id in channel.members,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }

    def _user_obj(self, user: User) -> dict[str, Any]:
        try:
            now = datetime.now(ZoneInfo(user.tz))
            offset = now.utcoffset()
            tz_offset = int(offset.total_seconds()) if offset is not None else 0
            tz_label = now.tzname() or user.tz
        except (ZoneInfoNotFoundError, ValueError):
            tz_offset, tz_label = 0, user.tz
        profile: dict[str, Any] = {
            "real_name": user.name,
            "display_name": user.name,
            "real_name_normalized": user.name,
            "display_name_normalized": user.name,
            "team": user.team_id,
        }
        if user.is_bot:
            profile["bot_id"] = self.bot_id if user.id == self.bot_user_id else f"B{user.id}"
        return {
            "id": user.id,
            "team_id": user.team_id,
            "name": user.name,
            "deleted": False,
            "color": "9f69e7",
            "real_name": user.name,
            "tz": user.tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": CREATED,
        }
