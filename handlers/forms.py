"""Reading forms (modals) into typed values, with an error message per field block id.

The rules for what makes a value acceptable stay with their feature in `bot/`; these only
take the inputs out of a form's state (`handlers.payloads.FormValues`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import absences, blocks, reviews
from bot.commands import MAX_TITLE_LENGTH
from bot.reviews import Rating
from handlers.payloads import FormValues


@dataclass(frozen=True)
class NewTask:
    """A task as asked for, by the `/delegate` form, the command or a confirmation button:
    what `bot.delegation.create_task` is given besides who, when and the channel's name."""

    channel_id: str
    title: str
    due: date | None
    standard: str
    assignee_id: str | None


def read_delegate_form(
    values: FormValues | Mapping[str, Any],
) -> tuple[NewTask | None, dict[str, str]]:
    """The `/delegate` form's values, or None and an error message per field block id."""
    form = FormValues.of(values)
    errors: dict[str, str] = {}
    channel_id = form.element(blocks.FIELD_VENDOR).selected_conversation.strip()
    if not channel_id:
        errors[blocks.FIELD_VENDOR] = "Pick the vendor's channel."
    elif not channel_id.startswith(("C", "G")):
        errors[blocks.FIELD_VENDOR] = "Pick a channel, not a direct message."
    # Modal text arrives as typed (not Slack-escaped); bot.blocks escapes it on output.
    title = " ".join(form.element(blocks.FIELD_TITLE).value.split())
    if not title:
        errors[blocks.FIELD_TITLE] = "Say what needs doing."
    elif len(title) > MAX_TITLE_LENGTH:
        errors[blocks.FIELD_TITLE] = f"A title is at most {MAX_TITLE_LENGTH} characters."
    due_text = form.element(blocks.FIELD_DUE).selected_date.strip()
    due: date | None = None
    if due_text:
        try:
            due = date.fromisoformat(due_text)
        except ValueError:
            errors[blocks.FIELD_DUE] = "Pick a date from the calendar."
    standard = form.element(blocks.FIELD_STANDARD).value.strip()[:2000]
    assignee_id = form.element(blocks.FIELD_ASSIGNEE).selected_user.strip() or None
    if errors:
        return None, errors
    return NewTask(channel_id, title, due, standard, assignee_id), {}


@dataclass(frozen=True)
class AwayForm:
    """The check-in's Away… form: the days away (None when not picked) and a note."""

    first: date | None
    last: date | None
    note: str


def read_away_form(values: FormValues) -> AwayForm:
    """The Away… form's values; the dates are checked by bot.absences.check_dates."""
    return AwayForm(
        day(values.element(absences.FIELD_FIRST).selected_date),
        day(values.element(absences.FIELD_LAST).selected_date),
        values.element(absences.FIELD_NOTE).value.strip(),
    )


def read_rating_form(
    values: FormValues | Mapping[str, Any],
) -> tuple[Rating | None, dict[str, str]]:
    """The rating form -> a Rating, or the errors to show per field (bot.reviews' rules)."""
    form = FormValues.of(values)
    scores = {field: form.element(field).option for field, _ in blocks.RATING_FIELDS}
    return reviews.check_rating(scores, form.element(blocks.FIELD_RATING_COMMENT).value)


def day(value: str) -> date | None:
    """A datepicker's `YYYY-MM-DD`; None when missing or not a date."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
