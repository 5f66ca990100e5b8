"""The console's loop: each line typed (or read from a script) becomes a console command,
a signed slash command or a message event; the parts it is made of are mixed in here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.console.buttons import Buttons
from bot.console.commands import HELP, People
from bot.console.forms import Forms
from bot.console.items import LineSource
from bot.console.messages import Messages
from bot.console.replay import Replay
from bot.console.session import restore_messages
from bot.console.time_travel import TimeTravel
from bot.console.world import ConsoleError

logger = logging.getLogger("bot.console")


class Console(People, Messages, Buttons, TimeTravel, Forms, Replay):
    """The console: a line typed is a console command, a slash command or a message."""

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
            ":rename": self.rename,
            ":show": self.show,
            ":home": self.open_home,
            ":quit": self.quit,
            ":exit": self.quit,
        }
        command = commands.get(word.lower())
        if command is None:
            raise ConsoleError(f"unknown console command {word}; type :help for the list")
        command(rest)
