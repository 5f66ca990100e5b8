"""Block Kit for delegating: the `/delegate` form, the task's announcement in the vendor
channel, the replies about tasks, and the pending task of a channel that is not a vendor yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.blocks.common import (
    MAX_SECTION_TEXT,
    Message,
    capped,
    channel_link,
    clip,
    context,
    format_due,
    mention,
    plain_reply,
    plain_text,
    section,
    sections,
    task_line,
)
from bot.blocks.elements import actions, button, input_block, modal, text_input
from bot.blocks.ids import (
    CANCEL_PENDING_TASK_ACTION,
    DELEGATE_MODAL,
    FIELD_ASSIGNEE,
    FIELD_DUE,
    FIELD_STANDARD,
    FIELD_TITLE,
    FIELD_VENDOR,
    REGISTER_AND_DELEGATE_ACTION,
)
from bot.command_help import help_text
from bot.money import format_money
from bot.slack_text import escape
from storage.models import Task, Vendor
from storage.tasks import TaskRow


def help_reply() -> Message:
    # The help outgrew one section (3000 characters): as many sections as it needs.
    text = help_text()
    return {"text": text, "blocks": sections(text.splitlines())}


def task_announcement(task: Task, vendor: Vendor) -> Message:
    """Posted in the vendor channel when a task is delegated."""
    lines = [
        f":inbox_tray: *New task #{task.id}: {escape(task.title)}*",
        f"Due: {format_due(task.due_date)} · Owner: {mention(task.owner_id)}"
        + (f" · Assignee: {mention(task.assignee_id)}" if task.assignee_id else ""),
    ]
    blocks = [section("\n".join(lines))]
    if task.standard:
        heading = "*Standard expected*\n"
        blocks.append(section(heading + clip(task.standard, MAX_SECTION_TEXT - len(heading))))
    blocks.append(context(f"Reply in this thread with questions. Task id: #{task.id}"))
    return {"text": f"New task #{task.id}: {escape(task.title)}", "blocks": blocks}


def task_created_reply(
    task: Task, vendor: Vendor, vendor_registered: bool, registered_meanwhile: bool = False
) -> Message:
    # Only the requester sees this reply; the announcement in the vendor channel never
    # carries the cost.
    cost = (
        f" Cost {format_money(task.cost_minor, vendor.currency)} (not shown to the vendor)."
        if task.cost_minor is not None
        else ""
    )
    text = (
        f":white_check_mark: Task *#{task.id}* {escape(task.title)} delegated to "
        f"{channel_link(vendor.channel_id)}, due {format_due(task.due_date)}.{cost}"
    )
    if vendor_registered:
        text += (
            f"\n{channel_link(vendor.channel_id)} was not a vendor yet, so I registered it as "
            f"*{escape(vendor.name)}* with defaults (time zone {vendor.timezone}, check-ins "
            f"`{vendor.checkin_cadence}`, summary `{vendor.summary_cadence}`). Change them with "
            f"`/delegate vendor set {channel_link(vendor.channel_id)} …`; "
            f"`/delegate vendor remove {channel_link(vendor.channel_id)}` undoes it."
        )
    if registered_meanwhile:
        text += (
            f"\n{channel_link(vendor.channel_id)} was registered as a vendor a moment ago by "
            f"someone else (*{escape(vendor.name)}*); your task was added to it."
        )
    return plain_reply(text)


def announcement_failed_note(vendor: Vendor) -> str:
    return (
        f"The task is saved, but I could not post it in {channel_link(vendor.channel_id)}; "
        "check that I am still in that channel."
    )


def task_list_reply(
    heading: str, rows: Sequence[TaskRow], today_of: dict[int, date], empty: str
) -> Message:
    if not rows:
        return plain_reply(f"*{heading}*\n{empty}")
    lines = [
        "• " + task_line(row.task, row.vendor, today_of.get(row.vendor.saved_id)) for row in rows
    ]
    blocks = [section(f"*{heading}* ({len(rows)})"), *sections(lines)]
    return {"text": f"{heading} ({len(rows)})", "blocks": capped(blocks)}


def task_changed_reply(task: Task, what: str) -> Message:
    return plain_reply(f":white_check_mark: Task *#{task.id}* {escape(task.title)} {what}.")


def task_changed_notice(task: Task, actor_id: str, what: str) -> Message:
    """Posted in the vendor channel's announcement thread when a task changes."""
    text = f"Task *#{task.id}* {escape(task.title)} {what} by {mention(actor_id)}."
    return {"text": text, "blocks": [section(text)]}


def delegate_modal(initial_channel: str | None = None) -> dict[str, Any]:
    """The form `/delegate` opens with no text; field ids are the constants above."""
    vendor_select: dict[str, Any] = {
        "type": "conversations_select",
        "placeholder": plain_text("Vendor channel"),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if initial_channel:
        vendor_select["initial_conversation"] = initial_channel
    title = text_input(300, placeholder="What needs doing")
    standard = text_input(2000, multiline=True, placeholder="What good looks like")
    fields = [
        input_block(FIELD_VENDOR, "Vendor channel", vendor_select),
        input_block(FIELD_TITLE, "Task", title),
        input_block(FIELD_DUE, "Due date", {"type": "datepicker"}, optional=True),
        input_block(FIELD_STANDARD, "Standard expected", standard, optional=True),
        input_block(
            FIELD_ASSIGNEE, "Assignee at the vendor", {"type": "users_select"}, optional=True
        ),
    ]
    return modal(DELEGATE_MODAL, "Delegate a task", "Delegate", fields)


def pending_task_reply(channel_id: str, title: str, value: str) -> Message:
    """A task for a channel that is not a vendor yet: nothing is written or posted until the
    requester presses Register and delegate (the `value` carries the task)."""
    text = (
        f":raised_hand: {channel_link(channel_id)} is not a vendor yet, so nothing was created "
        f"or posted. Delegating *{escape(title)}* there registers it as a vendor with the "
        "defaults: it gets check-ins and summaries, and a shared channel shows them to "
        "the other company too. Is that channel meant to be a vendor's?"
    )
    buttons = [
        button(REGISTER_AND_DELEGATE_ACTION, "Register and delegate", value, "primary"),
        button(CANCEL_PENDING_TASK_ACTION, "Cancel", value),
    ]
    return {
        "text": text,
        "blocks": [
            section(text),
            actions("pending_task", buttons),
            context(
                "Only you see this. To pick settings first, use "
                f"`/delegate vendor add {channel_link(channel_id)} tz:… checkins:…`."
            ),
        ],
    }


def pending_task_cancelled_reply() -> Message:
    return plain_reply("Cancelled: nothing was created or posted.")


def task_change_for_owner(task: Task, vendor: Vendor, actor_id: str, what: str) -> Message:
    """A direct message to a task's owner when someone else (an admin) changed the task."""
    text = (
        f"{mention(actor_id)} changed your task *#{task.id}* {escape(task.title)} "
        f"({escape(vendor.name)}): {what}."
    )
    return plain_reply(text)


def task_handed_over_message(task: Task, vendor: Vendor, actor_id: str, new_owner: str) -> Message:
    text = (
        f"Task *#{task.id}* {escape(task.title)} ({escape(vendor.name)}, "
        f"{channel_link(vendor.channel_id)}) now belongs to {mention(new_owner)}, "
        f"handed over by {mention(actor_id)}."
    )
    return plain_reply(text)
