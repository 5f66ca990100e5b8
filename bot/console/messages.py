"""What a person sends: the slash command, messages and thread replies, App Home opened; each
as the request Slack would send.
"""

from __future__ import annotations

from typing import Any

from bot.console.base import APP_ID, ConsoleBase
from bot.console.items import Item, Origin
from bot.console.transport import slash_command_form
from bot.console.world import TEAM_ID, ConsoleError, Workspace


class Messages(ConsoleBase):
    """The slash command, messages, thread replies and `:home`, as Slack delivers them."""

    # ------------------------------------------------------------------ slash commands

    def slash_command(self, text: str) -> None:
        command, _, arguments = text.partition(" ")
        if command != "/delegate":
            raise ConsoleError(f"{command} is not a command here; the bot's command is /delegate")
        if self.user.external:
            raise ConsoleError(
                f"Slack doesn't offer another organisation's commands to @{self.user.name} "
                "(external); switch with :as @name"
            )
        slack_text = self._converted(arguments.strip())
        key = self._next_id("cmd")
        trigger = self._trigger()
        self._origins[key] = Origin(self.user.id, self.channel.id, "/delegate")
        form = slash_command_form(
            slack_text,
            token="console",
            team_id=TEAM_ID,
            team_domain="console",
            channel_id=self.channel.id,
            channel_name=self.channel.name,
            user_id=self.user.id,
            user_name=self.user.name,
            api_app_id=APP_ID,
            is_enterprise_install=False,
            response_url=self.fake.response_url(key),
            trigger_id=trigger,
        )
        self.deliver(lambda: self.app.command(form))

    # ------------------------------------------------------------------ messages

    def post_message(self, text: str) -> None:
        self._check_member(self.channel)
        self.world.join(self.channel, self.user)
        self._write(self.channel.id, self._converted(text), thread_ts=None, parent=None)

    def reply(self, rest: str) -> None:
        target, _, text = rest.partition(" ")
        if not target or not text.strip():
            raise ConsoleError("write :reply N text, with N the number of a message")
        item = self._item(target, "write :reply N text, with N the number of a message")
        if item.kind in ("ephemeral", "reply") or not item.is_channel_message:
            raise ConsoleError(f"[{item.number}] is not a message in a channel; it has no thread")
        if item.deleted:
            raise ConsoleError(f"[{item.number}] was deleted")
        assert item.channel is not None and item.ts is not None
        self._check_can_see(item)
        if item.channel in self.world.rooms:
            self.world.join(self.world.rooms[item.channel], self.user)
        thread_ts = item.thread_ts or item.ts
        parent = self._by_message.get((item.channel, thread_ts), item)
        self._write(item.channel, self._converted(text.strip()), thread_ts, parent)

    def _write(
        self, channel: str, slack_text: str, thread_ts: str | None, parent: Item | None
    ) -> None:
        ts = self.fake.add_message(channel, slack_text, user=self.user.id, thread_ts=thread_ts)
        item = self._add_item(
            kind="message",
            channel=channel,
            author=self.user.id,
            text=slack_text,
            ts=ts,
            thread_ts=thread_ts,
        )
        self.render(item, new=True)
        event: dict[str, Any] = {
            "type": "message",
            "user": self.user.id,
            "text": slack_text,
            "ts": ts,
            "team": self.world.team_of(self.user.id),
            "channel": channel,
            "event_ts": ts,
            "channel_type": _channel_type(channel, self.world),
        }
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
            if parent is not None:
                event["parent_user_id"] = parent.author
        self.send_event(event, channel)

    def open_home(self, rest: str) -> None:
        if rest:
            raise ConsoleError(":home takes nothing after it")
        ts = self._placeholder_ts()
        event = {
            "type": "app_home_opened",
            "user": self.user.id,
            "channel": f"D{self.user.id}",
            "tab": "home",
            "event_ts": ts,
        }
        self.send_event(event, f"D{self.user.id}")
        if not any(item.kind == "home" and item.visible_to == self.user.id for item in self.items):
            self.print(f"· the bot has no App Home for @{self.user.name}")

    def send_event(self, event: dict[str, Any], channel: str) -> None:
        """An Events API delivery of `event`, as Slack wraps it."""
        envelope = {
            "token": "console",
            "team_id": TEAM_ID,
            "context_team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": self._next_id("Ev").upper(),
            "event_time": int(self.clock.now.timestamp()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": self.world.bot.id,
                    "is_bot": True,
                }
            ],
            "is_ext_shared_channel": any(
                self.world.is_external(member) for member in self.fake.members_of(channel)
            ),
        }
        self.deliver(lambda: self.app.event(envelope))


def _channel_type(channel: str, world: Workspace) -> str:
    if channel.startswith("D"):
        return "im"
    room = world.rooms.get(channel)
    return "group" if room is not None and room.private else "channel"
