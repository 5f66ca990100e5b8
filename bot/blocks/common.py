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
SECTION_CHARS = 2900  # Slack allows 3000 characters in a section's text


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


def plain_reply(text: str) -> Message:
    """A short reply whose text we wrote (it may hold backticks and mrkdwn)."""
    return {"text": text, "blocks": [section(text)]}


def problem_reply(text: str) -> Message:
    return plain_reply(f":warning: {text}")
