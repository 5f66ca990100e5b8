"""`python -m bot console`: try the bot without a Slack workspace.

The real app runs in-process: `bot.app.build_app` behind `bot.web.build_wsgi_app` on a
loopback HTTP server (`bot.console_transport`), talking to the same fake Slack Web API the
tests use (`bot.fake_slack`). What you type becomes what Slack would send: a `/delegate`
line a signed slash command, a plain line a message event, `:click` a block_actions payload
built from the real message's buttons, a form's answers a view_submission. Whatever the bot
then did to the fake Slack (messages, updates, ephemeral replies, direct messages, forms)
is shown, numbered, in the order it happened. The clock is the console's own: `:time`
moves it and runs the scheduler for everything due on the way, in 15-minute steps.

Reads a script from standard input when it is not a terminal, echoing each line after its
prompt, so a session can be replayed and compared screen for screen.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import shlex
import sys
import tempfile
import time as wall_time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

from slack_sdk import WebClient
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from bot.config import Settings
from bot.console_files import FILES_FOLDER, ConsoleFiles, changed_lines, file_lines
from bot.console_forms import empty_value, field_value, initial_text, initial_value
from bot.console_render import (
    Control,
    controls,
    form_lines,
    indented,
    label_matches,
    mrkdwn,
    number_rows,
    plain,
    render_element,
    render_message,
)
from bot.console_session import messages_to_keep, restore_messages
from bot.console_time import NEXT_LIMIT, STEP, next_boundary, parse_time, when
from bot.console_transport import HttpResult, LoopbackApp
from bot.console_world import (
    BOT_TOKEN,
    BOT_USER_ID,
    DEFAULT_CHANNEL,
    DEFAULT_USER,
    TEAM_ID,
    ConsoleClock,
    ConsoleError,
    Person,
    Room,
    Workspace,
    load_sidecar,
    save_sidecar,
    sidecar_path,
)
from bot.deps import Deps
from bot.fake_slack import Call, FakeSlack
from bot.logs import configure_logging
from bot.scheduler import tick_safely
from storage import schedule
from storage.database import normalise_url, redact_url, transaction
from storage.models import Task, Vendor

N = TypeVar("N", Person, Room)

logger = logging.getLogger(__name__)
SIGNING_SECRET = "console-signing-secret-not-a-real-one"
APP_ID = "A0CONSOLE"
DIGEST_CHANNEL = "vendor-digest"
# The console's own database: never the bot's DATABASE_URL unless `--db` names it.
CONSOLE_DATABASE_URL = "sqlite:///console.db"
SETTLE_TIMEOUT = 15.0
PLACEHOLDER_TS = "1600000000.{:06d}"

HELP = """\
Type as a Slack user would:
  /delegate …                      the slash command, exactly as in Slack
  any other text                   a message in the current channel
  :reply N text                    a reply in the thread of message N (`last`: the
                                   newest message in this channel)
  :click N "label"                 press a button (or pick a menu option) in message N;
                                   N.k for its k-th row of buttons; without N (or with
                                   `last`) the newest message you can see that has it
  :as @name [--external]           be someone else; --external: a Slack Connect guest from
                                   the vendor's organisation (new names are created)
  :in #channel [--private]         go to a channel (new names are created)
  :new #channel [--private]        create a channel without going there
  :new @name [--external]          add a teammate (or a vendor's guest)
  :time +1d | +2h30m | 2026-12-04 09:00 | fri 16:05 [Area/City]
                                   move the clock (UTC unless a time zone is given); all
                                   scheduled work due by then runs, in order. Days as
                                   in due: (today, tomorrow, mon…sun: the next such day).
                                   Moving back asks first
  :time next                       move to the next thing the scheduler posts
  :time                            show the clock
  :show N                          show message N again
  :home                            open the bot's App Home tab
  :help                            this help
  :quit                            leave (the end of the input does too)
In text, #channel and @name of channels and people that exist become Slack's mentions;
other names stay text, as in Slack (`#1A5CFF` is a colour), and the console says so.
Forms: answer each field on its own line; an empty line leaves it empty (or as it was);
:cancel closes the form without sending, :quit also leaves the console.
Script lines starting with "# " are comments."""

FORM_HINT = (
    "    · one line per field; an empty line leaves it as it is; "
    ":cancel closes the form, :quit leaves the console"
)

BANNER = """\
Delegate console: the real bot, a stand-in Slack workspace. Type :help for help.
Database: {database}"""


class ConsoleRefused(Exception):
    """The console cannot start (exit status 2); the message is one line."""


# --------------------------------------------------------------------------- input


class LineSource:
    """Lines typed at a terminal, or read from a script and echoed after their prompt.

    In a script, comment lines (`# ...`) are echoed as they are and skipped, and a form's
    answers may be indented; an indented line when no form is asking is skipped, so a
    script stays in step when a button it expected (and its form) is not there.
    """

    def __init__(self, lines: Iterator[str] | None, out: TextIO) -> None:
        self._lines = lines  # None: read from the terminal with input()
        self._out = out

    def read(self, prompt: str, *, answer: bool = False) -> str | None:
        if self._lines is None:
            try:
                return input(prompt)
            except EOFError:
                self._out.write("\n")
                return None
        for raw in self._lines:
            line = raw.rstrip("\r\n")
            stripped = line.strip()
            if stripped == "#" or stripped.startswith("# "):
                self._out.write(stripped + "\n")
                continue
            if not answer and not stripped:
                self._out.write("\n")
                continue
            if not answer and line[:1].isspace():
                self._out.write(f"· no form is open; skipped the answer line: {stripped}\n")
                continue
            shown = stripped if answer else line
            self._out.write(f"{prompt}{shown}".rstrip() + "\n")
            self._out.flush()
            return shown
        return None


# --------------------------------------------------------------------------- items


@dataclass
class Item:
    """Something shown with a number: a message, an ephemeral reply, a form, a home tab."""

    number: int
    kind: str  # "message", "ephemeral", "reply", "form", "home", "file"
    channel: str | None
    author: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    ts: str | None = None
    thread_ts: str | None = None
    visible_to: str | None = None  # only this person sees it
    about: str = ""  # what it answers, e.g. "/delegate"
    view: dict[str, Any] | None = None
    deleted: bool = False
    # Row of controls (block_id) -> the number `:click N.k` uses, kept across updates.
    rows: dict[str, int] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)  # the body as last printed

    def controls(self) -> list[Control]:
        return controls(self.blocks, number_rows(self.rows, self.blocks))

    @property
    def is_channel_message(self) -> bool:
        return self.kind == "message" and self.ts is not None


@dataclass
class _Origin:
    """Who a response_url belongs to, and the message an action was taken on."""

    user: str
    channel: str
    about: str
    item: Item | None = None


# --------------------------------------------------------------------------- the console


class Console:
    def __init__(
        self,
        *,
        deps: Deps,
        fake: FakeSlack,
        world: Workspace,
        app: LoopbackApp,
        client: WebClient,
        clock: ConsoleClock,
        user: Person,
        channel: Room,
        out: TextIO,
        save: Callable[[Console], None] | None = None,
    ) -> None:
        self.deps = deps
        self.fake = fake
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
        self._origins: dict[str, _Origin] = {}
        self._triggers: dict[str, str] = {}
        self._forms: list[Item] = []
        self._seen = len(fake.timeline)
        self._serial = 0
        self._source: LineSource | None = None
        self.files: ConsoleFiles | None = None
        self.running = True

    # ------------------------------------------------------------------ the loop

    def run(self, source: LineSource) -> int:
        self._source = source
        self.say_clock()
        while self.running:
            line = source.read(self.prompt())
            if line is None:
                break
            self.handle(line)
            if self._save is not None:
                self._save(self)
        return 0

    def prompt(self) -> str:
        return f"[{self.clock.now:%a %-d %b %H:%M} UTC] @{self.user.name} in #{self.channel.name}> "

    def handle(self, line: str) -> None:
        text = line.strip()
        if not text or text == "#" or text.startswith("# "):
            return  # a comment
        try:
            if text.startswith(":"):
                self.console_command(text)
            elif text.startswith("/"):
                self.slash_command(text)
            else:
                self.post_message(text)
        except ConsoleError as error:
            self.print(f"! {error}")
        except Exception as error:  # a bug, or the database gone: say so and carry on
            logger.debug("console: %r failed", text, exc_info=True)
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            self.print(f"! that failed: {type(error).__name__}" + (f": {reason}" if reason else ""))

    def print(self, line: str = "") -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def say_clock(self, extra: str = "") -> None:
        self.print(f"· Clock: {when(self.clock.now)}{extra}")

    def reopen(self, saved: Any) -> None:
        """The messages of the last session that still have buttons, shown again."""
        restored = restore_messages(self.fake, saved)
        if restored:
            self.print("· From your last session, the messages that still have buttons:")
        for message in restored:
            item = self._add_item(
                kind="message",
                channel=str(message["channel"]),
                author=str(message.get("author") or self.world.bot.id),
                text=str(message.get("text") or ""),
                blocks=list(message.get("blocks") or []),
                ts=str(message["ts"]),
                thread_ts=message.get("thread_ts") or None,
            )
            item.rows = {str(k): int(v) for k, v in (message.get("rows") or {}).items()}
            self.render(item, new=True)

    # ------------------------------------------------------------------ console commands

    def console_command(self, text: str) -> None:
        word, _, rest = text.partition(" ")
        rest = rest.strip()
        commands: dict[str, Callable[[str], None]] = {
            ":help": lambda _: self.print(HELP),
            ":as": self.switch_user,
            ":in": self.switch_channel,
            ":reply": self.reply,
            ":click": self.click,
            ":time": self.move_clock,
            ":new": self.create,
            ":show": self.show,
            ":home": self.open_home,
            ":quit": self.quit,
            ":exit": self.quit,
        }
        command = commands.get(word.lower())
        if command is None:
            raise ConsoleError(f"unknown console command {word}; type :help for the list")
        command(rest)

    def quit(self, rest: str) -> None:
        self.running = False

    def switch_user(self, rest: str) -> None:
        words = rest.split()
        flags = {w for w in words if w.startswith("--")}
        names = [w for w in words if not w.startswith("--")]
        if len(names) != 1 or not names[0].startswith("@") or flags - {"--external", "--internal"}:
            raise ConsoleError("write :as @name, or :as @name --external for a vendor's guest")
        if flags == {"--external", "--internal"}:
            raise ConsoleError("a person is either --external or --internal, not both")
        external = True if "--external" in flags else False if "--internal" in flags else None
        if names[0].lower() == f"@{self.world.bot.name}":
            raise ConsoleError(f"@{self.world.bot.name} is the bot; you can't type as it")
        person = self._named(lambda: self.world.person(names[0], external))
        self.user = person
        kind = (
            "a Slack Connect guest from the vendor's organisation"
            if person.external
            else ("a member of the team")
        )
        self.print(f"· You are @{person.name} ({kind}) in #{self.channel.name}.")

    def switch_channel(self, rest: str) -> None:
        words = rest.split()
        flags = {w for w in words if w.startswith("--")}
        names = [w for w in words if not w.startswith("--")]
        if len(names) != 1 or not names[0].startswith("#") or flags - {"--private"}:
            raise ConsoleError("write :in #channel, or :in #channel --private for a new one")
        existed = self.world.room_named(names[0].lstrip("#")) is not None
        room = self._named(lambda: self.world.room(names[0], private="--private" in flags))
        if existed:
            self._check_member(room)
        self.world.join(room, self.user)
        self.channel = room
        self.print(f"· You are in #{room.name}.")

    def create(self, rest: str) -> None:
        """`:new #name [--private]` or `:new @name [--external]`: a channel or a person."""
        usage = "write :new #channel [--private] or :new @name [--external]"
        words = rest.split()
        flags = {w for w in words if w.startswith("--")}
        names = [w for w in words if not w.startswith("--")]
        if len(names) != 1 or names[0][:1] not in ("#", "@"):
            raise ConsoleError(usage)
        name = names[0]
        if name.startswith("#"):
            if flags - {"--private"}:
                raise ConsoleError(usage)
            if self.world.room_named(name[1:]) is not None:
                raise ConsoleError(f"{name} exists already; go there with :in {name}")
            self._named(lambda: self.world.room(name, private="--private" in flags))
            return
        if flags - {"--external"}:
            raise ConsoleError(usage)
        if self.world.person_named(name[1:]) is not None:
            raise ConsoleError(f"{name} exists already; be them with :as {name}")
        self._named(lambda: self.world.person(name, external="--external" in flags))

    def show(self, rest: str) -> None:
        item = self._item(rest.strip(), "write :show N, with N a message number")
        self.render(item, new=True)

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
        self._origins[key] = _Origin(self.user.id, self.channel.id, "/delegate")
        form = {
            "token": "console",
            "team_id": TEAM_ID,
            "team_domain": "console",
            "channel_id": self.channel.id,
            "channel_name": self.channel.name,
            "user_id": self.user.id,
            "user_name": self.user.name,
            "command": "/delegate",
            "text": slack_text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(key),
            "trigger_id": trigger,
        }
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

    # ------------------------------------------------------------------ buttons

    def click(self, rest: str) -> None:
        usage = 'write :click N "label" (N.k for the k-th row of buttons, or no N for the newest)'
        try:
            words = shlex.split(rest)
        except ValueError:
            raise ConsoleError(f"unbalanced quotes; {usage}") from None
        if not words:
            raise ConsoleError(usage)
        target = words[0] if re.fullmatch(r"(\d+|last)(\.\d+)?", words[0].lower()) else None
        label = " ".join(words[1:] if target else words)
        if not label:
            raise ConsoleError(usage)
        row: int | None = None
        if target is not None and "." in target:
            target, _, row_text = target.partition(".")
            row = int(row_text)
        if target is None or target.lower() == "last":
            item, found = self._newest_with(label, row)
        else:
            item = self._item(target, usage)
            self._check_can_see(item)
            found = [c for c in item.controls() if label_matches(c.label, label)]
            if row is not None:
                found = [c for c in found if c.row == row]
            if not found:
                raise ConsoleError(f"[{item.number}] has no {_describe_controls(item, label, row)}")
        if len({c.row for c in found}) > 1:
            choices = " or ".join(f':click {item.number}.{c.row} "{label}"' for c in found)
            raise ConsoleError(f'"{label}" is on more than one row of [{item.number}]: {choices}')
        self.press(item, found[0])

    def _newest_with(self, label: str, row: int | None) -> tuple[Item, list[Control]]:
        for item in reversed(self.items):
            if item.deleted or item.kind in ("form", "file") or not self._can_see(item):
                continue
            found = [c for c in item.controls() if label_matches(c.label, label)]
            if row is not None:
                found = [c for c in found if c.row == row]
            if found:
                return item, found
        raise ConsoleError(f'no message you can see (as @{self.user.name}) has a "{label}" button')

    def press(self, item: Item, control: Control) -> None:
        element = control.element
        action: dict[str, Any] = {
            "type": element.get("type", "button"),
            "action_id": element.get("action_id", ""),
            "block_id": control.block_id,
            "action_ts": self._placeholder_ts(),
        }
        if control.option is None:
            action["text"] = element.get("text", {"type": "plain_text", "text": control.label})
            if "value" in element:
                action["value"] = element["value"]
            if "style" in element:
                action["style"] = element["style"]
        else:
            action["selected_option"] = control.option
        key = self._next_id("act")
        channel = item.channel or f"D{self.user.id}"
        self._origins[key] = _Origin(self.user.id, channel, f'"{control.label}"', item)
        ephemeral = item.kind in ("ephemeral", "reply")
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": item.ts or self._placeholder_ts(),
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_object(),
            "api_app_id": APP_ID,
            "token": "console",
            "container": container,
            "trigger_id": self._trigger(),
            "team": {"id": TEAM_ID, "domain": "console"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": self.world.channel_name(channel)},
            "state": {"values": {}},
            "response_url": self.fake.response_url(key),
            "actions": [action],
        }
        if not ephemeral and item.ts is not None:
            payload["message"] = self._stored_message(channel, item.ts) or {
                "type": "message",
                "ts": item.ts,
                "text": item.text,
                "blocks": item.blocks,
            }
        self.deliver(lambda: self.app.interact(payload))

    def _stored_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        for message in self.fake.messages_in(channel):
            if message.get("ts") == ts:
                return {k: v for k, v in message.items() if v is not None}
        return None

    # ------------------------------------------------------------------ the clock

    def move_clock(self, rest: str) -> None:
        if not rest:
            self.say_clock()
            return
        if rest.strip().lower() == "next":
            self.next_post()
            return
        target = parse_time(rest, self.clock.now)
        if target < self.clock.now and not self._confirm_back(target):
            self.say_clock(" (not moved)")
            return
        if target <= self.clock.now:
            back = target < self.clock.now
            self.clock.now = target
            self.say_clock(" (moved back: nothing runs for the past)" if back else "")
            return
        shown = False
        for step in self._steps(target):
            shown = self._tick(step) or shown
        self.say_clock("" if shown else " (nothing new)")

    def _tick(self, step: datetime) -> bool:
        """Set the clock to `step`, run what is due, show it; whether anything showed."""
        self.clock.now = step
        tick_safely(self.deps, self.client, step)
        batch = self.collect()
        if batch:
            self.print(f"── {when(step)} ──")
            for item, new in batch:
                self.render(item, new)
        return bool(batch)

    def next_post(self) -> None:
        """`:time next`: quarter hour by quarter hour until the scheduler posts something."""
        with transaction(self.deps.engine) as session:
            active = schedule.list_active_vendors(session)
        if not active:
            raise ConsoleError("no vendor is active, so nothing is scheduled; the clock stays")
        step, limit = next_boundary(self.clock.now), self.clock.now + NEXT_LIMIT
        while step <= limit:
            if self._tick(step):
                self.say_clock()
                return
            step += STEP
        self.clock.now = limit
        self.say_clock(f" (nothing scheduled within {NEXT_LIMIT.days} days)")

    def _confirm_back(self, target: datetime) -> bool:
        """Moving back in time asks first: nothing runs for the past, and check-ins already
        posted would come again when the clock passes them once more."""
        if self._source is None:
            return True
        answer = self._source.read(
            f"    {when(target)} is before the clock; move back? (nothing runs for the "
            "past) [y/N]> ",
            answer=True,
        )
        return (answer or "").strip().lower() in ("y", "yes")

    def _steps(self, target: datetime) -> Iterator[datetime]:
        """Every quarter hour from now to `target` (then `target`); just `target` when no
        vendor is active, so a jump across an empty calendar is instant."""
        with transaction(self.deps.engine) as session:
            active = schedule.list_active_vendors(session)
        if active:
            step = next_boundary(self.clock.now)
            while step < target:
                yield step
                step += STEP
        yield target

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

    # ------------------------------------------------------------------ forms

    def fill_forms(self) -> None:
        while self._forms and self.running:
            self.fill(self._forms.pop(0))

    def fill(self, item: Item) -> None:
        view = item.view or {}
        self.print(FORM_HINT)
        inputs = [b for b in view.get("blocks") or [] if b.get("type") == "input"]
        answers: dict[str, dict[str, Any]] = {}
        ask = inputs
        while True:
            for block in ask:
                answer = self.ask_field(block)
                if answer is None:
                    self.close_form(item, view)
                    return
                answers[str(block.get("block_id"))] = answer
            result = self.submit_form(item, view, answers)
            body = _json_or_none(result)
            action = body.get("response_action") if isinstance(body, dict) else None
            if action == "errors" and isinstance(body, dict):
                errors = body.get("errors") or {}
                by_id = {str(b.get("block_id")): b for b in inputs}
                for block_id, message in errors.items():
                    label = plain(by_id[block_id].get("label")) if block_id in by_id else block_id
                    self.print(f"    ! {label}: {message}")
                ask = [by_id[b] for b in errors if b in by_id] or inputs
                self.settle()
                self.show_new()
                continue
            if action in ("update", "push") and isinstance(body, dict):
                new_view = dict(body.get("view") or {})
                new_view.setdefault("id", view.get("id") if action == "update" else "")
                self.settle()
                self.show_new()
                form = self._add_item(
                    kind="form", channel=None, author=self.world.bot.id, view=new_view
                )
                form.visible_to = item.visible_to
                self.render(form, new=True)
                item, view = form, new_view
                inputs = [b for b in view.get("blocks") or [] if b.get("type") == "input"]
                ask, answers = inputs, {}
                continue
            self.settle()
            self.show_new()
            return

    def ask_field(self, block: dict[str, Any]) -> dict[str, Any] | None:
        """One answer, read and checked like Slack's own form would; None: cancelled."""
        assert self._source is not None
        element = block.get("element") or {}
        label = plain(block.get("label"))
        optional = bool(block.get("optional"))
        initial = initial_text(element, self.world)
        prompt = f"    {label}" + (" (optional)" if optional else "")
        if initial:
            prompt += f" [{initial}]"
        while True:
            line = self._source.read(prompt + "> ", answer=True)
            if line is None:
                self.print("· the input ended; the form was closed without sending")
                return None
            text = line.strip()
            if text.lower() in (":cancel", ":quit", ":exit"):
                # Never a field's value: `:cancel` closes the form, `:quit` the console too.
                if text.lower() != ":cancel":
                    self.running = False
                return None
            if not text:
                if initial:
                    return initial_value(element)
                if optional:
                    return empty_value(element)
                self.print(f"    ! {label} is required")
                continue
            try:
                return field_value(
                    element, text, self.clock.now, self._person_ref, self._channel_ref
                )
            except ConsoleError as error:
                self.print(f"    ! {error}")

    def _person_ref(self, text: str) -> str:
        if not text.startswith("@"):
            raise ConsoleError("name a person like @alice")
        person = self.world.person_named(text[1:])
        if person is None:  # Slack's picker offers only people who exist
            raise ConsoleError(f"{text} is nobody here (:cancel, then :new {text.lower()})")
        return person.id

    def _channel_ref(self, text: str) -> str:
        if not text.startswith("#"):
            raise ConsoleError("name a channel like #acme-design")
        room = self.world.room_named(text[1:])
        if room is None:  # Slack's picker offers only channels that exist
            raise ConsoleError(f"{text} is not a channel here (:cancel, then :new {text.lower()})")
        return room.id

    def submit_form(
        self, item: Item, view: dict[str, Any], answers: dict[str, dict[str, Any]]
    ) -> HttpResult:
        sent = {k: v for k, v in view.items() if not k.startswith("_")}
        sent["state"] = {"values": answers}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "console"},
            "user": self._user_object(item.visible_to),
            "api_app_id": APP_ID,
            "token": "console",
            "trigger_id": self._trigger(),
            "view": sent,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.app.interact(payload)

    def close_form(self, item: Item, view: dict[str, Any]) -> None:
        self.print("    · form closed without sending")
        if view.get("notify_on_close"):
            payload = {
                "type": "view_closed",
                "team": {"id": TEAM_ID, "domain": "console"},
                "user": self._user_object(item.visible_to),
                "api_app_id": APP_ID,
                "token": "console",
                "view": {k: v for k, v in view.items() if not k.startswith("_")},
                "is_cleared": False,
            }
            self.app.interact(payload)
            self.settle()
            self.show_new()

    # ------------------------------------------------------------------ what happened

    def collect(self) -> list[tuple[Item, bool]]:
        """What the fake Slack saw since last time, as items: new ones, and earlier ones
        that changed, each once, in the order they were first touched."""
        touched: dict[int, bool] = {}

        def touch(item: Item, new: bool) -> None:
            touched[item.number] = touched.get(item.number, False) or new

        # Forms come last: they are filled in once everything else is on screen (Slack
        # shows a modal over the conversation, which goes on updating behind it).
        opened: list[Call] = []
        timeline = self.fake.timeline
        while self._seen < len(timeline):
            entry = timeline[self._seen]
            self._seen += 1
            if isinstance(entry, Call):
                if entry.result is None:
                    continue
                if entry.method in ("views.open", "views.push"):
                    opened.append(entry)
                else:
                    self._on_call(entry, entry.result, touch)
            else:
                self._on_response(entry, touch)
        for call in opened:
            self._on_call(call, call.result or {}, touch)
        return [(self.items[number - 1], new) for number, new in touched.items()]

    def _on_call(
        self, call: Call, result: dict[str, Any], touch: Callable[[Item, bool], None]
    ) -> None:
        method, params = call.method, call.params
        if method == "chat.postMessage":
            message = result.get("message") or {}
            ts = str(result.get("ts"))
            thread = message.get("thread_ts")
            item = self._add_item(
                kind="message",
                channel=str(result.get("channel")),
                author=str(message.get("user") or self.world.bot.id),
                text=str(message.get("text") or ""),
                blocks=list(message.get("blocks") or []),
                ts=ts,
                thread_ts=str(thread) if thread and thread != ts else None,
            )
            touch(item, True)
        elif method == "chat.update":
            key = (str(result.get("channel")), str(result.get("ts")))
            message = result.get("message") or {}
            known = self._by_message.get(key)
            if known is None:
                known = self._add_item(
                    kind="message", channel=key[0], author=self.world.bot.id, ts=key[1]
                )
            known.text = str(message.get("text") or "")
            known.blocks = list(message.get("blocks") or [])
            touch(known, False)
        elif method == "chat.delete":
            known = self._by_message.get((str(result.get("channel")), str(result.get("ts"))))
            if known is not None:
                known.deleted = True
                touch(known, False)
        elif method == "chat.postEphemeral":
            item = self._add_item(
                kind="ephemeral",
                channel=str(params.get("channel")),
                author=self.world.bot.id,
                text=str(params.get("text") or ""),
                blocks=list(params.get("blocks") or []),
                ts=str(result.get("message_ts")),
                thread_ts=params.get("thread_ts") or None,
            )
            item.visible_to = str(params.get("user"))
            touch(item, True)
        elif method in ("views.open", "views.push"):
            view = dict(result.get("view") or {})
            item = self._add_item(kind="form", channel=None, author=self.world.bot.id, view=view)
            item.visible_to = self._triggers.get(str(params.get("trigger_id")), self.user.id)
            self._views[str(view.get("id"))] = item
            if view.get("type", "modal") == "modal":
                self._forms.append(item)
            touch(item, True)
        elif method == "views.update":
            view = dict(result.get("view") or {})
            known = self._views.get(str(view.get("id")))
            if known is not None:
                known.view = view
                touch(known, False)
        elif method == "views.publish":
            user = str(params.get("user_id"))
            view = dict(result.get("view") or {})
            home = self._homes.get(user)
            if home is None:
                home = self._add_item(kind="home", channel=None, author=self.world.bot.id)
                home.visible_to = user
                self._homes[user] = home
                touch(home, True)
            else:
                touch(home, False)
            home.view, home.blocks = view, list(view.get("blocks") or [])
        elif method == "files.completeUploadExternal":
            for shared in result.get("files") or []:
                self._on_file(shared, str(params.get("initial_comment") or ""), touch)

    def _on_file(
        self, shared: dict[str, Any], comment: str, touch: Callable[[Item, bool], None]
    ) -> None:
        """An uploaded file: saved under the console's files folder, a CSV shown as a table."""
        places = [*shared.get("channels", []), *shared.get("groups", []), *shared.get("ims", [])]
        name = str(shared.get("name") or "file")
        content = self.fake.uploads.get(str(shared.get("id")))
        lines = mrkdwn(comment, self).splitlines() if comment else []
        if content is not None and self.files is not None:
            path = self.files.save(name, content)
            title = str(shared.get("title") or name)
            lines += file_lines(title, self.files.shown_path(path), len(content), content)
        else:
            lines.append(f"file: {shared.get('title') or name}")
        item = self._add_item(
            kind="file",
            channel=places[0] if places else None,
            author=self.world.bot.id,
            text="\n".join(lines),
        )
        touch(item, True)

    def _on_response(self, body: dict[str, Any], touch: Callable[[Item, bool], None]) -> None:
        origin = self._origins.get(str(body.get("_key")))
        if origin is None:
            origin = _Origin(self.user.id, self.channel.id, "an unknown request")
        original = origin.item
        if body.get("delete_original") and original is not None:
            original.deleted = True
            touch(original, False)
            return
        text = str(body.get("text") or "")
        blocks = list(body.get("blocks") or [])
        if _truthy(body.get("replace_original")) and original is not None:
            original.text, original.blocks = text, blocks
            touch(original, False)
            return
        in_channel = body.get("response_type") == "in_channel"
        item = self._add_item(
            kind="message" if in_channel else "reply",
            channel=origin.channel,
            author=self.world.bot.id,
            text=text,
            blocks=blocks,
            ts=None,
            thread_ts=body.get("thread_ts") or None,
        )
        item.about = origin.about
        item.visible_to = None if in_channel else origin.user
        touch(item, True)

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

    # Names, for bot.console_render

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


# --------------------------------------------------------------------------- parsing


def _json_or_none(result: HttpResult) -> Any:
    try:
        return result.json()
    except ValueError:
        return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _channel_type(channel: str, world: Workspace) -> str:
    if channel.startswith("D"):
        return "im"
    room = world.rooms.get(channel)
    return "group" if room is not None and room.private else "channel"


def _describe_controls(item: Item, label: str, row: int | None) -> str:
    found = item.controls()
    where = f" on row {row}" if row is not None else ""
    if not found:
        return "buttons"
    rows = sorted({c.row for c in found})
    shown = "; ".join(
        " ".join(render_element(e) for e in _row_elements(found, r)) for r in rows[:4]
    )
    return f'"{label}" button{where} (it has {shown})'


def _row_elements(found: Sequence[Control], row: int) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    for control in found:
        if control.row == row and control.element not in elements:
            elements.append(control.element)
    return elements


# --------------------------------------------------------------------------- start-up


def run_console(
    settings: Settings,
    *,
    build_deps: Callable[[Settings, bool], Deps],
    fresh: bool = False,
    demo: bool = False,
    now: datetime | None = None,
    database_url: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """The console, until `:quit` or the end of the input; the demo plays its script.

    Its database is `console.db` in the working directory, never the bot's DATABASE_URL
    (fake vendors there would be posted to by a real `tick`): `database_url` (`--db`) names
    another explicitly. Exit status 0, or 2 with one line on stderr when the database
    belongs to a real workspace. Other start-up failures (a bad --db URL, an old
    PostgreSQL schema) are raised for `python -m bot` to report as for every command.
    """
    # The app's log would interleave with the conversation: errors only, unless asked.
    level = "DEBUG" if settings.log_level == "DEBUG" else "ERROR"
    configure_logging(level, [BOT_TOKEN, SIGNING_SECRET])
    try:
        return _run_console(
            settings,
            build_deps=build_deps,
            fresh=fresh,
            demo=demo,
            now=now,
            database_url=database_url,
            stdin=stdin or sys.stdin,
            stdout=stdout or sys.stdout,
            level=level,
        )
    except ConsoleRefused as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run_console(
    settings: Settings,
    *,
    build_deps: Callable[[Settings, bool], Deps],
    fresh: bool,
    demo: bool,
    now: datetime | None,
    database_url: str | None,
    stdin: TextIO,
    stdout: TextIO,
    level: str,
) -> int:
    with contextlib.ExitStack() as stack:
        if fresh or demo:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="console-")))
            database_url = f"sqlite:///{folder / 'console.db'}"
            described = "a temporary one, gone when you leave (--fresh)"
            files_folder = folder / "files"
        else:
            database_url = database_url or CONSOLE_DATABASE_URL
            described = _describe_database(database_url)
            files_folder = _files_folder_for(database_url)
        fake = stack.enter_context(
            FakeSlack(team_id=TEAM_ID, bot_user_id=BOT_USER_ID, bot_token=BOT_TOKEN)
        )
        world = Workspace(fake)
        sidecar = None if fresh or demo else _sidecar_for(database_url)
        saved = load_sidecar(sidecar) if sidecar is not None else None
        if saved is not None:
            world.restore(saved)
        else:
            _new_workspace(world)
        digest = world.room(DIGEST_CHANNEL)
        fake.add_bot_to(digest.id)
        world.created.clear()
        console_settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.api_url,
            database_url=database_url,
            default_timezone=settings.default_timezone,
            summary_channel=digest.id,
            log_level=level,
        )
        deps = build_deps(console_settings, False)
        stack.callback(deps.engine.dispose)
        clock = ConsoleClock(_start_time(now, saved, demo))
        deps = dataclasses.replace(deps, clock=clock)
        _check_database_is_ours(deps, world)
        app = stack.enter_context(LoopbackApp(deps))
        from bot.app import build_client

        client = build_client(BOT_TOKEN, fake.api_url)
        user = world.people.get(str((saved or {}).get("user"))) or world.person(DEFAULT_USER)
        channel = world.rooms.get(str((saved or {}).get("channel"))) or world.room(DEFAULT_CHANNEL)
        world.created.clear()

        def save(console: Console) -> None:
            if sidecar is not None:
                data = world.snapshot(console.clock.now, console.user.id, console.channel.id)
                data["messages"] = messages_to_keep(console.items)
                save_sidecar(sidecar, data)

        console = Console(
            deps=deps,
            fake=fake,
            world=world,
            app=app,
            client=client,
            clock=clock,
            user=user,
            channel=channel,
            out=stdout,
            save=save,
        )
        console.files = ConsoleFiles(files_folder, temporary=fresh or demo)
        console.print(BANNER.format(database=described))
        if saved is not None:
            console.reopen(saved.get("messages"))
        if demo:
            from bot.console_demo import DEMO_SCRIPT

            source = LineSource(iter(DEMO_SCRIPT.splitlines()), stdout)
        elif stdin.isatty():
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401  (line editing and history for input())
            source = LineSource(None, stdout)
        else:
            source = LineSource(iter(stdin), stdout)
        try:
            status = console.run(source)
        except KeyboardInterrupt:
            console.print()
            status = 0
        finally:
            save(console)
        if demo:
            console.print("· End of the demo. Try your own: python -m bot console --fresh")
        return status


def _new_workspace(world: Workspace) -> None:
    alice = world.person(DEFAULT_USER)
    general = world.room(DEFAULT_CHANNEL)
    world.join(general, alice)


def _start_time(now: datetime | None, saved: dict[str, Any] | None, demo: bool) -> datetime:
    if now is not None:
        return now.astimezone(UTC)
    if demo:
        from bot.console_demo import DEMO_START

        return DEMO_START
    if saved and saved.get("clock"):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(str(saved["clock"])).astimezone(UTC)
    return datetime.now(UTC).replace(second=0, microsecond=0)


def _sidecar_for(database_url: str) -> Path | None:
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return sidecar_path(Path(url.database))


def _describe_database(database_url: str) -> str:
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return (
            f"{Path(url.database).resolve()} (the console's own, kept between sessions; "
            "--fresh for a temporary one)"
        )
    return redact_url(url, query=False)


def _files_folder_for(database_url: str) -> Path:
    """Where uploaded files are saved: beside a SQLite file, else in the working directory."""
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / FILES_FOLDER
    return Path(FILES_FOLDER).resolve()


def _check_database_is_ours(deps: Deps, world: Workspace) -> None:
    """Refuse a database a real workspace uses (its check-ins would go to the stand-in),
    and make sure the channels and people it names exist in the stand-in."""
    with Session(deps.engine) as session:
        teams = set(session.exec(select(Vendor.team_id).distinct()).all())
        teams |= set(session.exec(select(Task.team_id).distinct()).all())
        others = sorted(teams - {TEAM_ID})
        if others:
            raise ConsoleRefused(
                f"the database holds a Slack workspace's data (team {others[0]}); the console "
                "only uses its own: run `python -m bot console --fresh`, or give --db another "
                "SQLite file"
            )
        vendors = session.exec(select(Vendor)).all()
        owners = session.exec(select(Task.owner_id, Task.assignee_id)).all()
    for vendor in vendors:
        world.ensure_channel(vendor.channel_id, with_bot=not vendor.paused)
        world.ensure_person(vendor.added_by)
    for owner, assignee in owners:
        world.ensure_person(owner)
        if assignee:
            world.ensure_person(assignee)
