"""The console's stand-in workspace: people and channels by name, mirrored into FakeSlack,
and kept next to a SQLite database between sessions.

Ids are made from names (`@alice` -> `U0ALICE`, `#acme-design` -> `C0ACMEDESIGN`) so that
transcripts read well. A session on a database file saves the workspace beside it
(`console.db` -> `console.json`): who exists, who is external, which channels
exist with whom, the console's clock and the last message timestamp handed out, so that the
next session finds the vendor channels the database names, and never reuses a timestamp.
Messages themselves are not kept: a new session starts with empty channels.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.fake_slack import FakeSlack
from bot.slack_text import escape

logger = logging.getLogger(__name__)

TEAM_ID = "T0CONSOLE"
EXTERNAL_TEAM_ID = "T0VENDOR"
BOT_USER_ID = "U0DELEGATE"
BOT_NAME = "delegate"
BOT_TOKEN = "xoxb-console-not-a-real-token"
DEFAULT_USER = "alice"
DEFAULT_CHANNEL = "general"
SIDECAR_VERSION = 1

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
# `@name` and `#name` in typed text; not inside a word (mail addresses), not a bare number
# (`#12` is a task id), trailing punctuation left out.
MENTION = re.compile(r"(?<![\w&<@#])([@#])([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|[A-Za-z0-9])")
SPECIAL_MENTIONS = {"here", "channel", "everyone"}


class ConsoleError(Exception):
    """Something typed that the console cannot do; the message is one line."""


@dataclass
class ConsoleClock:
    """The console's time: Deps.clock for the listeners, `now` for the scheduler."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Person:
    id: str
    name: str
    external: bool = False


@dataclass
class Room:
    """A channel by its console name; who is in it is the fake Slack's to say (members_of)."""

    id: str
    name: str
    private: bool = False


class Workspace:
    """People and channels the console knows, by name and by id, kept in step with `fake`."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.people: dict[str, Person] = {}
        self.rooms: dict[str, Room] = {}
        self.bot = Person(BOT_USER_ID, BOT_NAME)
        # Each person or channel made on the fly, until the console has said so.
        self.created: list[Person | Room] = []
        # `@name`s and `#name`s typed that are nobody and no channel, until said so.
        self.unknown: list[str] = []
        self.people[BOT_USER_ID] = self.bot
        fake.add_user(BOT_USER_ID, BOT_NAME, is_bot=True)

    # ------------------------------------------------------------------ lookups

    def person_named(self, name: str) -> Person | None:
        name = name.lower()
        return next((p for p in self.people.values() if p.name == name), None)

    def room_named(self, name: str) -> Room | None:
        name = name.lower()
        return next((r for r in self.rooms.values() if r.name == name), None)

    def user_name(self, user_id: str) -> str:
        person = self.people.get(user_id)
        return person.name if person else user_id

    def channel_name(self, channel_id: str) -> str:
        room = self.rooms.get(channel_id)
        if room is not None:
            return room.name
        if channel_id.startswith("D"):
            return "DM with @" + self.user_name(channel_id[1:])
        return channel_id

    def is_external(self, user_id: str) -> bool:
        person = self.people.get(user_id)
        return bool(person and person.external)

    def team_of(self, user_id: str) -> str:
        return EXTERNAL_TEAM_ID if self.is_external(user_id) else TEAM_ID

    # ------------------------------------------------------------------ changes

    def person(self, name: str, external: bool | None = None) -> Person:
        """The person called `name`, created if new (inside the team unless `external`)."""
        name = _checked_name(name, "@")
        found = self.person_named(name)
        if found is None:
            found = Person(self._new_id("U0", name, self.people), name, bool(external))
            self.people[found.id] = found
            self.created.append(found)
        elif external is not None and found.external != external and found is not self.bot:
            found.external = external
        else:
            return found
        self.fake.add_user(found.id, found.name, team_id=self.team_of(found.id))
        return found

    def room(self, name: str, private: bool = False) -> Room:
        """The channel called `name`, created (public unless `private`) if new."""
        name = _checked_name(name, "#")
        found = self.room_named(name)
        if found is None:
            found = Room(self._new_id("C0", name, self.rooms), name, private)
            self.rooms[found.id] = found
            self.fake.add_channel(
                found.id, found.name, is_private=private, is_general=name == DEFAULT_CHANNEL
            )
            self.created.append(found)
        return found

    def rename(self, room: Room, name: str) -> Room:
        """Give `room` a new name, free among the channels (checked as `:new` checks)."""
        name = _checked_name(name, "#")
        if self.room_named(name) is not None:
            raise ConsoleError(f"#{name} exists already")
        room.name = name
        self.fake.rename_channel(room.id, name)
        return room

    def join(self, room: Room, person: Person) -> None:
        self.fake.add_member(room.id, person.id)

    @staticmethod
    def _new_id(prefix: str, name: str, taken: dict[str, Any]) -> str:
        base = prefix + re.sub(r"[^A-Z0-9]", "", name.upper())[:20]
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}{n}"
        return candidate

    # ------------------------------------------------------------------ typed text

    def slack_text(self, typed: str) -> str:
        """Text as Slack delivers what a person typed: `&<>` escaped, `@alice` and
        `#acme-design` of people and channels that exist turned into mention tokens. Other
        names stay text, as typed (`#1A5CFF` is a colour), and are listed in `unknown`."""

        def token(match: re.Match[str]) -> str:
            sigil, typed_name = match.group(1), match.group(2)
            name = typed_name.lower()
            if sigil == "@" and name in SPECIAL_MENTIONS:
                return f"<!{name}>"
            if sigil == "#" and name.isdigit():
                return match.group(0)
            if sigil == "@":
                person = self.person_named(name)
                if person is None:
                    self.unknown.append(match.group(0))
                    return match.group(0)
                return f"<@{person.id}|{person.name}>"
            # Channel names are lower case in Slack: `#General` is not `#general`.
            room = self.room_named(name) if typed_name == name else None
            if room is None:
                if NAME.match(name) and not re.fullmatch(r"[0-9a-f]{3}|[0-9a-f]{6}", name):
                    self.unknown.append(match.group(0))
                return match.group(0)
            return f"<#{room.id}|{room.name}>"

        return MENTION.sub(token, escape(typed))

    # ------------------------------------------------------------------ sessions

    def snapshot(self, clock: datetime, user_id: str, channel_id: str) -> dict[str, Any]:
        return {
            "version": SIDECAR_VERSION,
            "clock": clock.astimezone(UTC).isoformat(),
            "user": user_id,
            "channel": channel_id,
            "last_ts": self.fake.last_ts(),
            "people": [
                {"id": p.id, "name": p.name, "external": p.external}
                for p in self.people.values()
                if p is not self.bot
            ],
            "rooms": [
                {
                    "id": r.id,
                    "name": r.name,
                    "private": r.private,
                    "members": self.fake.members_of(r.id),
                }
                for r in self.rooms.values()
            ],
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Rebuild people and channels saved by `snapshot` (an unreadable file is ignored)."""
        for item in data.get("people") or []:
            person = Person(str(item["id"]), str(item["name"]), bool(item.get("external")))
            self.people[person.id] = person
            self.fake.add_user(person.id, person.name, team_id=self.team_of(person.id))
        for item in data.get("rooms") or []:
            room = Room(str(item["id"]), str(item["name"]), bool(item.get("private")))
            self.rooms[room.id] = room
            self.fake.add_channel(
                room.id, room.name, is_private=room.private, is_general=room.name == DEFAULT_CHANNEL
            )
            for member in item.get("members") or []:
                if member == BOT_USER_ID:
                    self.fake.add_bot_to(room.id)
                elif member in self.people:
                    self.join(room, self.people[member])
        if data.get("last_ts"):
            self.fake.resume_ts_after(str(data["last_ts"]))

    def ensure_channel(self, channel_id: str, with_bot: bool) -> None:
        """A channel the database names but the workspace has no record of (its file was
        lost): made up from its id so that the bot can keep posting there."""
        if channel_id in self.rooms or channel_id.startswith("D"):
            return
        name = re.sub(r"^C0?", "", channel_id).lower() or channel_id.lower()
        while self.room_named(name) is not None:
            name += "-1"
        room = Room(channel_id, name)
        self.rooms[channel_id] = room
        self.fake.add_channel(channel_id, name)
        if with_bot:
            self.fake.add_bot_to(channel_id)

    def ensure_person(self, user_id: str) -> None:
        if user_id in self.people or not user_id.startswith(("U", "W")):
            return
        name = re.sub(r"^U0?", "", user_id).lower() or user_id.lower()
        person = Person(user_id, name)
        self.people[user_id] = person
        self.fake.add_user(user_id, name, team_id=TEAM_ID)


def _checked_name(name: str, sigil: str) -> str:
    name = name.lstrip(sigil).lower()
    if not NAME.match(name):
        raise ValueError(
            f"{sigil}{name} is not a usable name: use lower-case letters, digits, `-`, `_`"
        )
    return name


def sidecar_path(database_path: Path) -> Path:
    """Where the workspace of a database file is kept: `console.db` -> `console.json`,
    `other.db` -> `other.console.json`."""
    if database_path.stem == "console":
        return database_path.with_name("console.json")
    return database_path.with_name(database_path.stem + ".console.json")


def load_sidecar(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        logger.warning("ignoring the console workspace in %s: %s", path, error)
        return None
    if not isinstance(data, dict) or data.get("version") != SIDECAR_VERSION:
        logger.warning("ignoring the console workspace in %s: unknown format", path)
        return None
    return data


def save_sidecar(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=1) + "\n")
    temporary.replace(path)
