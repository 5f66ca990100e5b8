"""What the console reads and what it shows: typed or scripted lines, and numbered items."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from bot.console.render import Control, controls, number_rows

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
class Origin:
    """Who a response_url belongs to, and the message an action was taken on."""

    user: str
    channel: str
    about: str
    item: Item | None = None
