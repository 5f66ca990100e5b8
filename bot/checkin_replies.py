"""Reading a reply in a check-in's thread: one or several task statuses, "all on track",
or something that looks meant for the bot but that it cannot read. No database, no Slack.

- `#7 on track, #10 blocked waiting for assets`: one status per task. A new task starts at
  a `#<id>` after a comma, a semicolon, a new line or "and"; a `#10` inside a note
  ("blocked until #10 is merged") stays in the note.
- `all on track`, `All on track, thanks!`, `everything is on track`, `all tasks on-track`:
  every open task of the check-in is on track.
- A part that starts with `#<id>` but has no status the bot knows (`#10 blokced`) is
  *unread*: the person who wrote it is told privately which words work, and the
  check-in's task ids. A reply that does not start with a task id or "all"/"everything"
  is people talking, and left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storage.models import TaskUpdate


@dataclass(frozen=True)
class ThreadMessage:
    """A person's reply in some thread: where, who and what (Slack's escaped text)."""

    channel_id: str
    thread_ts: str
    message_ts: str
    user_id: str
    text: str


MAX_NOTE_LENGTH = 2000
ACCEPTED_WORDS = "on track, at risk, blocked, done"


@dataclass(frozen=True)
class ReplyStatus:
    """A thread reply that reports on a task: `#12 blocked waiting for the assets`."""

    task_id: int
    status: TaskUpdate
    note: str


@dataclass(frozen=True)
class ParsedReply:
    statuses: tuple[ReplyStatus, ...] = ()
    all_on_track: bool = False
    all_note: str = ""
    unread: tuple[str, ...] = field(default=())  # the parts it could not read, as written

    @property
    def addressed_to_bot(self) -> bool:
        return bool(self.statuses or self.all_on_track or self.unread)


# Keyed by the status as written, lower-cased, with hyphens and runs of spaces made one space.
_STATUS_WORDS = {
    "on track": TaskUpdate.ON_TRACK,
    "ontrack": TaskUpdate.ON_TRACK,
    "at risk": TaskUpdate.AT_RISK,
    "blocked": TaskUpdate.BLOCKED,
    "done": TaskUpdate.DONE,
}
_SEPARATORS = r"[\s:,.;!\-\u2013\u2014]*"  # en and em dashes included
_REPLY_STATUS = re.compile(
    r"^\s*#?(?P<task>[0-9]{1,9})[\s:.)-]+"
    r"(?P<status>on[\s-]+track|ontrack|at[\s-]+risk|blocked|done)"
    r"(?![\w-])"  # `#12 doneish` or `#12 done-ish` is not a status
    + _SEPARATORS
    + r"(?P<note>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_ALL_ON_TRACK = re.compile(
    r"^\s*(?:all|everything)(?:\s+(?:tasks|of\s+them|is|are|still))*\s+"
    r"(?:on[\s-]*track)(?![\w-])" + _SEPARATORS + r"(?P<note>.*)$",
    re.IGNORECASE | re.DOTALL,
)
# Where the next task starts: a `#<id>` after a comma, semicolon, new line or "and".
_NEXT_TASK = re.compile(r"(?:[,;\n]|\s(?:and|&))\s*(?=#[0-9])", re.IGNORECASE)
_ADDRESSED = re.compile(r"^\s*#[0-9]{1,9}\b")


def _one(text: str) -> ReplyStatus | None:
    match = _REPLY_STATUS.match(text)
    if match is None:
        return None
    word = " ".join(match.group("status").lower().replace("-", " ").split())
    return ReplyStatus(
        task_id=int(match.group("task")),
        status=_STATUS_WORDS[word],
        note=match.group("note").strip()[:MAX_NOTE_LENGTH],
    )


def parse_reply(text: str) -> ParsedReply:
    """Everything a reply says to the bot (`text` is plain text, Slack's escaping undone)."""
    whole = _ALL_ON_TRACK.match(text)
    if whole is not None:
        return ParsedReply(
            all_on_track=True, all_note=whole.group("note").strip()[:MAX_NOTE_LENGTH]
        )
    first = _one(text)
    if first is None and not _ADDRESSED.match(text):
        return ParsedReply()  # people talking
    parts: list[str] = []
    start = 0
    for match in _NEXT_TASK.finditer(text):
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    statuses: list[ReplyStatus] = []
    unread: list[str] = []
    for part in parts:
        said = _one(part)
        if said is not None:
            statuses.append(said)
            continue
        # Not added to the previous task's note (it would show `#3 blokced` as a note on
        # #2): its author is told which words work instead.
        unread.append(part.strip()[:80])
    return ParsedReply(statuses=tuple(statuses), unread=tuple(unread))


def parse_status_reply(text: str) -> ReplyStatus | None:
    """The first task status of a reply (`#12 blocked waiting`, `12 done`), else None."""
    found = parse_reply(text).statuses
    return found[0] if found else None


def hint(unread: tuple[str, ...], task_ids: list[int]) -> str:
    """What to tell someone whose reply the bot could not read."""
    parts = ", ".join(f"`{part}`" for part in unread[:3])
    ids = ", ".join(f"#{task_id}" for task_id in task_ids[:20]) or "none open"
    return (
        f"I couldn't read {parts}, so I recorded no status for it. Write the task id, then "
        f"one of: {ACCEPTED_WORDS}; for example `#{task_ids[0] if task_ids else 12} on track` "
        f"or `all on track`. This check-in's tasks: {ids}."
    )
