"""Block Kit for reviews and ratings: the owner's review of a delivery, its reminder, the
Request changes form, and the rating prompt and form.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.blocks.common import (
    SECTION_CHARS,
    Message,
    channel_link,
    clip,
    context,
    format_due,
    format_duration_minutes,
    mention,
    plain_text,
    quote,
    section,
)
from bot.blocks.elements import actions, button, input_block, modal, text_input
from bot.blocks.ids import (
    FIELD_CHANGES,
    FIELD_RATING_COMMENT,
    RATE_TASK_ACTION,
    RATING_FIELDS,
    RATING_MODAL,
    REVIEW_ACCEPT_ACTION,
    REVIEW_CHANGES_ACTION,
    REVIEW_CHANGES_MODAL,
)
from bot.slack_text import escape
from storage.models import (
    Delivery,
    ReviewOutcome,
    Task,
    TaskFeedback,
    Vendor,
)
from storage.overdue_reviews import OverdueReview

RATING_LABELS = {5: "excellent", 4: "good", 3: "acceptable", 2: "poor", 1: "unacceptable"}


# --------------------------------------------------------------------------- reviews, ratings
def message_metadata(item_id: int, channel_id: str | None, ts: str | None) -> str:
    """A form's private_metadata: the id it is about and the message to update afterwards."""
    return f"{item_id}:{channel_id}:{ts}" if channel_id and ts else str(item_id)


def delivery_review_message(task: Task, vendor: Vendor, delivery: Delivery) -> Message:
    """The owner's DM about a delivery: the task, the standard expected, and Accept /
    Request changes while it waits; once decided, the decision in place of the buttons."""
    head = (
        f":package: {mention(delivery.delivered_by)} delivered your task *#{task.id}* "
        f"{escape(task.title)} for *{escape(vendor.name)}* ({channel_link(vendor.channel_id)})."
    )
    standard = (
        f"*Standard expected*\n{clip(task.standard, SECTION_CHARS)}"
        if task.standard
        else "*Standard expected*\n_None was given when the task was delegated._"
    )
    blocks: list[dict[str, Any]] = [section(head)]
    if delivery.note:
        blocks.append(section(f"*Their note*\n{quote(delivery.note)[:2900]}"))
    due = f"Due {format_due(task.due_date)}" if task.due_date else "No due date"
    blocks += [
        section(standard),
        context(f"{due} · delivered {delivery.delivered_at:%a %-d %b}"),
    ]
    if delivery.outcome == ReviewOutcome.PENDING:
        value = str(delivery.id)
        buttons = [
            button(REVIEW_ACCEPT_ACTION, "Accept", value, "primary"),
            button(REVIEW_CHANGES_ACTION, "Request changes", value),
        ]
        blocks.append(actions(f"review:{delivery.id}", buttons))
    elif delivery.outcome == ReviewOutcome.ACCEPTED:
        blocks.append(section(f":white_check_mark: Accepted by {mention(delivery.reviewed_by)}"))
    else:
        blocks.append(
            section(
                f":leftwards_arrow_with_hook: Changes requested by "
                f"{mention(delivery.reviewed_by)}:\n{quote(delivery.review_note)[:2900]}"
            )
        )
    return {"text": f"Task #{task.id} {escape(task.title)} was delivered", "blocks": blocks}


def format_waited(waited: timedelta) -> str:
    """How long something has waited, in one unit family: `26 h`, `3 d 2 h`, `45 min`."""
    return format_duration_minutes(waited.total_seconds() / 60)


def review_reminder(item: OverdueReview, now: datetime) -> Message:
    """The owner's one reminder about a delivery waiting longer than the vendor's review
    time: the vendor waits on us."""
    task, vendor, delivery = item.task, item.vendor, item.delivery
    text = (
        f":hourglass: *{escape(vendor.name)}* ({channel_link(vendor.channel_id)}) delivered "
        f"*#{task.id}* {escape(task.title)} {format_waited(item.waited(now))} ago and is "
        "waiting for your review (review time "
        f"{format_duration_minutes(vendor.review_after_minutes)}). "
        "Accept it or request changes from the review message I sent you."
    )
    blocks = [section(text)]
    if delivery.note:
        blocks.append(section(f"*Their note*\n{quote(delivery.note)[:2900]}"))
    return {"text": f"#{task.id} {escape(task.title)} is waiting for your review", "blocks": blocks}


def changes_requested_notice(task: Task, delivery: Delivery) -> Message:
    """Posted in the task's thread in the vendor channel: what the owner wants changed."""
    head = (
        f":leftwards_arrow_with_hook: {mention(delivery.delivered_by)} "
        f"{mention(delivery.reviewed_by)} asked for changes to task *#{task.id}* "
        f"{escape(task.title)}:"
    )
    return {
        "text": f"Changes requested on task #{task.id} {escape(task.title)}",
        "blocks": [
            section(head),
            section(quote(delivery.review_note)[:2900]),
            context("The task is open again; mark it done when the changes are in."),
        ],
    }


def changes_modal(task: Task, metadata: str) -> dict[str, Any]:
    """The form Request changes opens: what should change (required)."""
    intro = (
        f"Task *#{task.id}* {escape(task.title)} goes back to the vendor, open again, "
        "with your request in its thread."
    )
    changes = text_input(2000, multiline=True, placeholder="The logo needs an SVG too")
    blocks = [section(intro), input_block(FIELD_CHANGES, "What should change?", changes)]
    return modal(
        REVIEW_CHANGES_MODAL, "Request changes", "Send to vendor", blocks, metadata=metadata
    )


def rating_summary(feedback: TaskFeedback) -> str:
    scores = " · ".join(
        f"{label.lower()} {getattr(feedback, field)}/5" for field, label in RATING_FIELDS
    )
    comment = f"\n{quote(feedback.comment)[:2900]}" if feedback.comment else ""
    return f"Rated by {mention(feedback.rated_by)}: {scores}{comment}"


def rating_prompt(task: Task, vendor: Vendor, feedback: TaskFeedback | None = None) -> Message:
    """A DM to the owner once a task is done: rate the delivery (again, if rated already)."""
    head = (
        f":star: Task *#{task.id}* {escape(task.title)} for *{escape(vendor.name)}* is done. "
        "How did it go? Rate quality, timeliness and communication, 1 to 5."
    )
    blocks: list[dict[str, Any]] = [section(head)]
    if feedback is not None:
        blocks.append(context(rating_summary(feedback)))
    rate = (
        button(RATE_TASK_ACTION, "Change rating", str(task.id))
        if feedback
        else button(RATE_TASK_ACTION, "Rate this delivery", str(task.id), "primary")
    )
    blocks.append(actions(f"rate:{task.id}", [rate]))
    return {"text": f"Rate task #{task.id} {escape(task.title)}", "blocks": blocks}


def _score_option(score: int) -> dict[str, Any]:
    return {
        "text": plain_text(f"{score} · {RATING_LABELS[score]}"),
        "value": str(score),
    }


def rating_modal(task: Task, metadata: str, feedback: TaskFeedback | None = None) -> dict[str, Any]:
    """Three scores (1 to 5) and an optional comment; filled in with the rating there is."""
    blocks: list[dict[str, Any]] = [
        section(f"How did *#{task.id}* {escape(task.title)} go?"),
    ]
    for field, label in RATING_FIELDS:
        element: dict[str, Any] = {
            "type": "static_select",
            "placeholder": plain_text("1 to 5"),
            "options": [_score_option(score) for score in (5, 4, 3, 2, 1)],
        }
        if feedback is not None:
            element["initial_option"] = _score_option(int(getattr(feedback, field)))
        blocks.append(input_block(field, label, element))
    comment = text_input(2000, multiline=True, initial=feedback.comment if feedback else None)
    blocks.append(input_block(FIELD_RATING_COMMENT, "Comment", comment, optional=True))
    return modal(RATING_MODAL, "Rate this delivery", "Save", blocks, metadata=metadata)


def overdue_review_lines(items: Sequence[OverdueReview], now: datetime) -> list[str]:
    """Each owner's deliveries waiting past their vendor's review time, by owner."""
    lines: list[str] = []
    owners = list(dict.fromkeys(item.task.owner_id for item in items))
    for owner in owners:
        theirs = [item for item in items if item.task.owner_id == owner]
        listed = "; ".join(
            f"*#{item.task.id}* {escape(item.task.title)} ({escape(item.vendor.name)}, "
            f"waiting {format_waited(item.waited(now))})"
            for item in theirs[:10]
        )
        lines.append(f"• {mention(owner)}: {listed}")
    return lines
