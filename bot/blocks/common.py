"""The small pieces every Block Kit module uses, written once: mentions and channel links,
due dates and durations, quoting user text, section/context/header blocks, packing lines
into sections, and Slack's limits.

User-supplied text (titles, standards, names, notes) always passes through
`bot.slack_text.escape()` (or `quote()`, which escapes) before it is placed in a message, so
it cannot ping `@channel` or a person. Mentions the bot means to make (`<@U…>` for an owner)
are built from stored ids, never from user text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.slack_text import escape
from storage.models import Task, Vendor

Message = dict[str, Any]

# Slack's limits: blocks in a message, blocks in a modal or the Home tab.
MAX_MESSAGE_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION_TEXT = 3000  # characters in a section's text (in any text object)
SECTION_CHARS = 2900  # what we fill a section to, leaving room for a short suffix
ELLIPSIS = "…"


def mention(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "nobody yet"


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>"


def format_due(due: date | None, today: date | None = None) -> str:
    if due is None:
        return "no due date"
    text = f"{due:%a %-d %b %Y}"
    if today is not None and due < today:
        return f"{text} (overdue)"
    return text


def format_duration_minutes(minutes: float | None) -> str:
    """35 -> `35 min`, 125 -> `2 h 5 min`, 1600 -> `1 d 3 h`."""
    if minutes is None:
        return "n/a"
    whole = round(minutes)
    if whole < 60:
        return f"{whole} min"
    if whole < 1440:
        hours, mins = divmod(whole, 60)
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    days, rest = divmod(whole, 1440)
    return f"{days} d {rest // 60} h" if rest // 60 else f"{days} d"


def clip(text: str, limit: int) -> str:
    """User text escaped, and cut to `limit` characters with an ellipsis when longer. Never
    cuts an escaped `&amp;` in two. Escaping can make text five times longer (`&`)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: max(limit - len(ELLIPSIS), 0)]
    entity = cut.rfind("&")
    if entity != -1 and ";" not in cut[entity:]:
        cut = cut[:entity]
    return cut + ELLIPSIS


def one_line(text: str, length: int) -> str:
    """Plain text on one line, cut to `length` characters with an ellipsis (before escaping,
    so no entity is cut in half); escape it afterwards. `clip` escapes and cuts to a length
    of escaped text instead, for text that must fit a block."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + ELLIPSIS


def listed(items: Sequence[str], limit: int, separator: str = ", ") -> str:
    """The items joined, as many as fit in `limit` characters, then `and N more`."""
    text = separator.join(items)
    if len(text) <= limit:
        return text
    shown: list[str] = []
    for item in items:
        more = f"{separator}and {len(items) - len(shown)} more"
        if len(separator.join([*shown, item])) + len(more) > limit:
            break
        shown.append(item)
    return separator.join(shown) + f"{separator if shown else ''}and {len(items) - len(shown)} more"


def quote(text: str) -> str:
    """User text as a Slack block quote, escaped, every line quoted."""
    return "\n".join(f"> {line}" for line in escape(text).splitlines() or [""])


def task_line(task: Task, vendor: Vendor | None = None, today: date | None = None) -> str:
    where = f" · {channel_link(vendor.channel_id)}" if vendor else ""
    assignee = f" · assignee {mention(task.assignee_id)}" if task.assignee_id else ""
    due = f"due {format_due(task.due_date, today)}" if task.due_date else "no due date"
    return (
        f"*#{task.id}* {escape(task.title)}{where} · {due}"
        f" · owner {mention(task.owner_id)}{assignee}"
    )


def plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def sections(lines: Sequence[str]) -> list[dict[str, Any]]:
    """Lines packed into as few sections as fit Slack's 3000 characters each."""
    blocks: list[dict[str, Any]] = []
    chunk: list[str] = []
    for line in lines:
        line = line[:SECTION_CHARS]
        if chunk and sum(len(x) + 1 for x in chunk) + len(line) > SECTION_CHARS:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def capped(blocks: list[dict[str, Any]], room: int = MAX_MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """At most `room` blocks (Slack refuses a message of more than 50): when there are more,
    the last one kept says how many lines were left out."""
    if len(blocks) <= room:
        return blocks
    left = sum(_lines_in(block) for block in blocks[room - 1 :])
    lines = f"{left} more line{'' if left == 1 else 's'}"
    note = f"{ELLIPSIS} and {lines} not shown: too long for one message."
    return [*blocks[: room - 1], context(note)]


def _lines_in(block: dict[str, Any]) -> int:
    text = block.get("text", {}).get("text", "") if block.get("type") == "section" else ""
    return text.count("\n") + 1


def lines_reply(lines: Sequence[str]) -> Message:
    """A reply of many lines we wrote: `plain_reply` while it fits one section; longer, in
    as many sections as a message holds, the first line as its notification text."""
    text = "\n".join(lines)
    if len(text) <= MAX_SECTION_TEXT:
        return plain_reply(text)
    return {"text": lines[0][:SECTION_CHARS], "blocks": capped(sections(lines))}


def plain_reply(text: str) -> Message:
    """A short reply whose text we wrote (it may hold backticks and mrkdwn)."""
    return {"text": text, "blocks": [section(text)]}


def problem_reply(text: str) -> Message:
    return plain_reply(f":warning: {text}")
