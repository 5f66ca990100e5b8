"""Reading the `/delegate` form (a modal) into values, with errors per field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import blocks
from bot.commands import MAX_TITLE_LENGTH


@dataclass(frozen=True)
class DelegateForm:
    channel_id: str
    title: str
    due: date | None
    standard: str
    assignee_id: str | None


def _value(values: dict[str, Any], field: str) -> dict[str, Any]:
    block = values.get(field)
    if not isinstance(block, dict):
        return {}
    element = block.get(field + blocks.ACTION_SUFFIX)
    return element if isinstance(element, dict) else {}


def _text(values: dict[str, Any], field: str, key: str) -> str:
    value = _value(values, field).get(key)
    return value.strip() if isinstance(value, str) else ""


def read_delegate_form(values: dict[str, Any]) -> tuple[DelegateForm | None, dict[str, str]]:
    """Return the form's values, or None and an error message per field block id."""
    errors: dict[str, str] = {}
    channel_id = _text(values, blocks.FIELD_VENDOR, "selected_conversation")
    if not channel_id:
        errors[blocks.FIELD_VENDOR] = "Pick the vendor's channel."
    elif not channel_id.startswith(("C", "G")):
        errors[blocks.FIELD_VENDOR] = "Pick a channel, not a direct message."
    # Modal text arrives as typed (not Slack-escaped); bot.blocks escapes it on output.
    title = " ".join(_text(values, blocks.FIELD_TITLE, "value").split())
    if not title:
        errors[blocks.FIELD_TITLE] = "Say what needs doing."
    elif len(title) > MAX_TITLE_LENGTH:
        errors[blocks.FIELD_TITLE] = f"A title is at most {MAX_TITLE_LENGTH} characters."
    due_text = _text(values, blocks.FIELD_DUE, "selected_date")
    due: date | None = None
    if due_text:
        try:
            due = date.fromisoformat(due_text)
        except ValueError:
            errors[blocks.FIELD_DUE] = "Pick a date from the calendar."
    standard = _text(values, blocks.FIELD_STANDARD, "value")[:2000]
    assignee_id = _text(values, blocks.FIELD_ASSIGNEE, "selected_user") or None
    if errors:
        return None, errors
    return DelegateForm(channel_id, title, due, standard, assignee_id), {}
