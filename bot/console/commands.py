"""Console commands about who and where you are: `:as`, `:in`, `:new`, `:rename`, `:show`,
`:quit`, and the help.

A change Slack would announce to the bot is announced here too, with the same event: a
person turned guest (or back) by `:as … --external` sends `user_change`, `:rename` sends
`channel_rename` (the bot forgets what it remembered about them: bot.slack_facts).
"""

from __future__ import annotations

from bot.console.base import ConsoleBase
from bot.console.world import ConsoleError

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
  :rename #channel #new-name       rename a channel, as anyone in it could
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


class People(ConsoleBase):
    """`:as`, `:in`, `:new`, `:show` and `:quit`."""

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
        before = self.world.person_named(names[0].lstrip("@"))
        was_external = before.external if before is not None else None
        person = self._named(lambda: self.world.person(names[0], external))
        if was_external is not None and was_external != person.external:
            # Slack tells the bot when a person's organisation changes.
            user = {"id": person.id, "name": person.name, "team_id": self.world.team_of(person.id)}
            self.send_event({"type": "user_change", "user": user}, self.channel.id)
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

    def rename(self, rest: str) -> None:
        """`:rename #old #new`: the channel gets the new name, and the bot hears of it."""
        names = rest.split()
        if len(names) != 2 or not all(n.startswith("#") for n in names):
            raise ConsoleError("write :rename #channel #new-name")
        room = self.world.room_named(names[0][1:])
        if room is None:
            raise ConsoleError(f"{names[0]} is not a channel here; :new {names[0]} creates it")
        old = room.name
        self._named(lambda: self.world.rename(room, names[1]))
        channel = {"id": room.id, "name": room.name, "created": 0}
        self.send_event({"type": "channel_rename", "channel": channel}, room.id)
        self.print(f"· #{old} is now #{room.name}.")

    def show(self, rest: str) -> None:
        item = self._item(rest.strip(), "write :show N, with N a message number")
        self.render(item, new=True)
