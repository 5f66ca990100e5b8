"""The console's state and screen: printing, rendering an item, delivering a request and
waiting for what it started, and the small helpers every part of the console shares.
"""

from __future__ import annotations

import time as wall_time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from slack_sdk import WebClient

from bot.console.clock import when
from bot.console.files import ConsoleFiles, changed_lines
from bot.console.items import Item, LineSource, Origin
from bot.console.render import form_lines, indented, number_rows, plain, render_message
from bot.console.transport import HttpResult, LoopbackApp
from bot.console.world import TEAM_ID, ConsoleClock, ConsoleError, Person, Room, Workspace
from bot.deps import Deps
from bot.fake_slack import FakeSlack

if TYPE_CHECKING:
    from bot.console.repl import Console


APP_ID = "A0CONSOLE"
SETTLE_TIMEOUT = 15.0
PLACEHOLDER_TS = "1600000000.{:06d}"

N = TypeVar("N", Person, Room)


class ConsoleBase:
    """The console's state, its screen and the helpers every part of it uses. The parts (what
    you type, buttons, forms, the clock, what the bot did) are subclasses put together in
    bot.console.repl.Console."""

    def __init__(
        self,
        app: LoopbackApp,
        world: Workspace,
        client: WebClient,
        clock: ConsoleClock,
        out: TextIO,
        *,
        user: Person,
        channel: Room,
        save: Callable[[Console], None] | None = None,
    ) -> None:
        """`app` runs the bot on `world`'s fake Slack with the deps it was built with (their
        clock is `clock`); `client` is the scheduler's; `user` types in `channel`."""
        self.deps: Deps = app.deps
        self.fake: FakeSlack = world.fake
        self.world = world
        self.app = app
        self.client = client
        self.clock = clock
        self.user = user
        self.channel = channel
        self.out = out
        self._save = save
        self.items: list[Item] = []
        self._by_message: dict[tuple[str, str], Item] = {}
        self._views: dict[str, Item] = {}
        self._homes: dict[str, Item] = {}
        self._origins: dict[str, Origin] = {}
        self._triggers: dict[str, str] = {}
        self._forms: list[Item] = []
        self._seen = len(self.fake.timeline)
        self._serial = 0
        self._source: LineSource | None = None
        self.files: ConsoleFiles | None = None
        self.running = True

    def print(self, line: str = "") -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def say_clock(self, extra: str = "") -> None:
        self.print(f"· Clock: {when(self.clock.now)}{extra}")

    # ------------------------------------------------------------------ talking to the app

    def deliver(self, send: Callable[[], HttpResult]) -> HttpResult:
        """Send one request, wait for the listeners it started, show what they did, then
        fill in any form they opened."""
        result = send()
        if result.status != 200:
            self.print(f"! the app answered HTTP {result.status}: {result.body[:200]}")
        self.settle()
        self.show_new()
        self.fill_forms()
        return result

    def settle(self) -> None:
        if not self.app.settle(SETTLE_TIMEOUT):
            self.print("! the app is still busy; what it does next shows up later")

    def show_new(self) -> None:
        for item, new in self.collect():
            self.render(item, new)

    # Provided by the parts (bot.console.replay and bot.console.forms).

    def collect(self) -> list[tuple[Item, bool]]:
        raise NotImplementedError

    def fill_forms(self) -> None:
        raise NotImplementedError

    def send_event(self, event: dict[str, Any], channel: str) -> None:
        raise NotImplementedError

    def _add_item(self, **fields: Any) -> Item:
        item = Item(number=len(self.items) + 1, **fields)
        self.items.append(item)
        if item.kind == "message" and item.channel and item.ts:
            self._by_message[(item.channel, item.ts)] = item
        return item

    # ------------------------------------------------------------------ rendering

    def render(self, item: Item, new: bool) -> None:
        """An item in full when new (or asked for with :show); an update as what changed."""
        self.print(self.header(item, new))
        if item.deleted:
            self.print("    (deleted)")
            return
        if item.kind == "form":
            lines = form_lines(item.view or {}, self)
        elif item.kind == "home":
            lines = render_message("", item.blocks, self, item.number)
        elif item.kind == "file":
            lines = item.text.splitlines()  # already text (a comment, the file, its table)
        else:
            rows = number_rows(item.rows, item.blocks)
            lines = render_message(item.text, item.blocks, self, item.number, rows)
        before, item.shown = item.shown, lines
        shown = indented(lines) if new or not before else changed_lines(before, lines)
        for line in shown:
            self.print(line)

    def header(self, item: Item, new: bool) -> str:
        number = f"[{item.number}]" + ("" if new else " (updated)")
        if item.kind == "form":
            title = plain((item.view or {}).get("title"))
            return f'{number} form for @{self.user_name(item.visible_to or "")}: "{title}"'
        if item.kind == "home":
            return f"{number} App Home of @{self.user_name(item.visible_to or '')}"
        where = self.where(item.channel)
        if item.thread_ts:
            parent = self._by_message.get((item.channel or "", item.thread_ts))
            where += f", thread of [{parent.number}]" if parent else ", in a thread"
        parts = [f"{number} {where}", f"@{self.user_name(item.author)}"]
        if item.visible_to and item.kind in ("ephemeral", "reply"):
            parts.append(f"only visible to @{self.user_name(item.visible_to)}")
        if item.about and item.kind == "reply":
            parts.append(f"reply to {item.about}")
        return " · ".join(parts)

    def where(self, channel: str | None) -> str:
        if channel is None:
            return "(nowhere)"
        if channel.startswith("D"):
            return f"DM to @{self.user_name(channel[1:])}"
        if channel.startswith(("U", "W")):
            return f"DM to @{self.user_name(channel)}"
        return "#" + self.channel_name(channel)

    # Names, for bot.console.render

    def user_name(self, user_id: str) -> str:
        return self.world.user_name(user_id)

    def channel_name(self, channel_id: str) -> str:
        return self.world.channel_name(channel_id)

    def item_for_message(self, channel_id: str, ts: str) -> int | None:
        item = self._by_message.get((channel_id, ts))
        return item.number if item else None

    # ------------------------------------------------------------------ helpers

    def _item(self, text: str, usage: str) -> Item:
        if text.lower() == "last":
            for item in reversed(self.items):
                if (
                    item.is_channel_message
                    and item.channel == self.channel.id
                    and not item.thread_ts
                    and not item.deleted
                ):
                    return item
            raise ConsoleError(f"#{self.channel.name} has no message yet")
        if not text.isdigit():
            raise ConsoleError(usage)
        number = int(text)
        if not self.items:
            raise ConsoleError(f"there is no message [{number}]: nothing has been shown yet")
        if not 1 <= number <= len(self.items):
            raise ConsoleError(f"there is no message [{number}] (the last is [{len(self.items)}])")
        return self.items[number - 1]

    def _can_see(self, item: Item) -> bool:
        if item.visible_to is not None and item.kind in ("ephemeral", "reply", "form", "home"):
            return item.visible_to == self.user.id
        if item.channel and item.channel.startswith("D"):
            return item.channel[1:] == self.user.id
        room = self.world.rooms.get(item.channel or "")
        if room is not None and room.private:
            return self.user.id in self.fake.members_of(room.id)
        return True

    def _check_member(self, room: Room) -> None:
        """Anyone can join a public channel; a private one only lets its members in."""
        if room.private and self.user.id not in self.fake.members_of(room.id):
            raise ConsoleError(
                f"#{room.name} is private and @{self.user.name} is not in it; "
                "go elsewhere with :in #channel"
            )

    def _check_can_see(self, item: Item) -> None:
        if self._can_see(item):
            if item.channel in self.world.rooms:
                self.world.join(self.world.rooms[item.channel], self.user)
            return
        room = self.world.rooms.get(item.channel or "")
        if room is not None and item.kind not in ("ephemeral", "reply"):
            self._check_member(room)
        who = item.visible_to or (item.channel or "")[1:]
        raise ConsoleError(
            f"only @{self.user_name(who)} can see [{item.number}]; "
            f"switch with :as @{self.user_name(who)}"
        )

    def _named(self, make: Callable[[], N]) -> N:
        try:
            made = make()
        except ValueError as error:
            raise ConsoleError(str(error)) from None
        self._announce_created()
        return made

    def _converted(self, text: str) -> str:
        try:
            converted = self.world.slack_text(text)
        except ValueError as error:
            raise ConsoleError(str(error)) from None
        self._announce_created()
        self._announce_unknown()
        return converted

    def _announce_unknown(self) -> None:
        """Names typed that are nobody and no channel stay text, as in Slack; say so."""
        for typed in dict.fromkeys(self.world.unknown):
            if typed.startswith("@"):
                self.print(
                    f"· {typed} is nobody here, so it stays text "
                    f"(:new {typed.lower()} adds a teammate, --external a vendor's guest)"
                )
            else:
                self.print(
                    f"· {typed} is not a channel here, so it stays text "
                    f"(:new {typed.lower()} creates it)"
                )
        self.world.unknown.clear()

    def _announce_created(self) -> None:
        for made in self.world.created:
            if isinstance(made, Person):
                kind = "a guest from the vendor" if made.external else "a teammate"
                self.print(f"· @{made.name} is new here: {kind}")
            else:
                kind = "private" if made.private else "public"
                self.print(f"· #{made.name} is a new {kind} channel")
        self.world.created.clear()

    def _interaction(self, kind: str, user_id: str | None = None) -> dict[str, Any]:
        """How every interactivity payload Slack sends starts: its type, the team, who
        acted (`user_id`, else the console's user) and the app."""
        return {
            "type": kind,
            "team": {"id": TEAM_ID, "domain": "console"},
            "user": self._user_object(user_id),
            "api_app_id": APP_ID,
            "token": "console",
        }

    def _user_object(self, user_id: str | None = None) -> dict[str, Any]:
        user_id = user_id or self.user.id
        name = self.user_name(user_id)
        return {
            "id": user_id,
            "username": name,
            "name": name,
            "team_id": self.world.team_of(user_id),
        }

    def _next_id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}{self._serial:06d}"

    def _trigger(self) -> str:
        trigger = f"{self._next_id('')}.console.{int(wall_time.time())}"
        self._triggers[trigger] = self.user.id
        return trigger

    def _placeholder_ts(self) -> str:
        self._serial += 1
        return PLACEHOLDER_TS.format(self._serial)
