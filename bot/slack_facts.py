"""What Slack said about channels and users, remembered per process (issue 16).

A command asks Slack two things before it writes: is the requester a guest from another
organisation (`users.info`), and may the channel be a vendor's / is the bot in it
(`conversations.info`). Both answers change rarely, and Slack tells the bot when they do,
so they are kept here and forgotten on the events that change them (handlers/channel_events):

- a channel's facts: channel_rename / group_rename, channel_archive / group_archive and the
  unarchives, channel_deleted / group_deleted, member_joined_channel / member_left_channel,
  channel_left / group_left, channel_shared / channel_unshared;
- a user's home team: user_change.

Every entry also expires after `ttl` seconds (ten minutes by default), so an event that was
missed, or that went to another process (settings.job_runner "separate" runs events in
whichever runner claims them), cannot keep a wrong answer longer than that. At most
`max_entries` entries are kept, the least recently written dropped first. Keys start with
the team, so in many-workspace mode one workspace's answers never serve another.
Failures are not remembered: the next request asks Slack again.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

# A channel's name or a user's team hardly ever change, and the events above say when they
# do; ten minutes bounds what a missed event costs and keeps users.info (Tier 4) quiet.
TTL_SECONDS = 600.0
MAX_ENTRIES = 5000

_CHANNEL = "channel"
_HOME_TEAM = "home_team"


class SlackFacts:
    """(team, kind, id) -> a fact, each kept for `ttl` seconds; safe across threads."""

    def __init__(
        self,
        ttl: float = TTL_SECONDS,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[tuple[str, str, str], tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def channel(self, team_id: str, channel_id: str) -> dict[str, Any] | None:
        """conversations.info's `channel` as last seen, or None; a copy, so callers may not
        change what is kept."""
        info = self._get((team_id, _CHANNEL, channel_id))
        return dict(info) if info is not None else None

    def remember_channel(self, team_id: str, channel_id: str, info: Mapping[str, Any]) -> None:
        self._put((team_id, _CHANNEL, channel_id), dict(info))

    def forget_channel(self, team_id: str, channel_id: str) -> None:
        self._forget((team_id, _CHANNEL, channel_id))

    def home_team(self, team_id: str, user_id: str) -> str | None:
        """The home team of `user_id` as seen from workspace `team_id`, or None."""
        home = self._get((team_id, _HOME_TEAM, user_id))
        return str(home) if home is not None else None

    def remember_home_team(self, team_id: str, user_id: str, home_team: str) -> None:
        self._put((team_id, _HOME_TEAM, user_id), home_team)

    def forget_user(self, team_id: str, user_id: str) -> None:
        self._forget((team_id, _HOME_TEAM, user_id))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _get(self, key: tuple[str, str, str]) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if self.clock() >= expires:
                del self._entries[key]
                return None
            return value

    def _put(self, key: tuple[str, str, str], value: Any) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (self.clock() + self.ttl, value)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)  # the oldest entry goes first

    def _forget(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            self._entries.pop(key, None)
