"""Every Slack message and view the bot sends is built here, as plain dicts.

User-supplied text (titles, standards, names) always passes through `escape()` before it is
placed in a message, so it cannot ping `@channel` or a person. Mentions the bot means to make
(`<@U…>` for an owner) are built from stored ids, never from user text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.commands import help_text
from bot.slack_text import escape
from storage.checkins import CheckinRow
from storage.models import Task, TaskStatus, TaskUpdate, Vendor
from storage.tasks import TaskRow

Message = dict[str, Any]

# Ids shared by the view builder and the listener that reads the submission.
DELEGATE_MODAL = "delegate_modal"
FIELD_VENDOR = "vendor"
FIELD_TITLE = "title"
FIELD_DUE = "due"
FIELD_STANDARD = "standard"
FIELD_ASSIGNEE = "assignee"
ACTION_SUFFIX = "_input"

# Check-in buttons: one action id per status (ids must be unique within a block); the value
# is "<post id>:<task id>", the block id "task:<task id>".
CHECKIN_ACTION_PREFIX = "checkin_"
CHECKIN_BUTTONS: tuple[tuple[TaskUpdate, str], ...] = (
    (TaskUpdate.ON_TRACK, "On track"),
    (TaskUpdate.AT_RISK, "At risk"),
    (TaskUpdate.BLOCKED, "Blocked"),
    (TaskUpdate.DONE, "Done"),
)
STATUS_LABELS = {status: label for status, label in CHECKIN_BUTTONS}
STATUS_EMOJI = {
    TaskUpdate.ON_TRACK: ":large_green_circle:",
    TaskUpdate.AT_RISK: ":large_yellow_circle:",
    TaskUpdate.BLOCKED: ":red_circle:",
    TaskUpdate.DONE: ":white_check_mark:",
}


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


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def plain_reply(text: str) -> Message:
    """A short reply whose text we wrote (it may hold backticks and mrkdwn)."""
    return {"text": text, "blocks": [_section(text)]}


def problem_reply(text: str) -> Message:
    return plain_reply(f":warning: {text}")


def help_reply() -> Message:
    return plain_reply(help_text())


def task_line(task: Task, vendor: Vendor | None = None, today: date | None = None) -> str:
    where = f" · {channel_link(vendor.channel_id)}" if vendor else ""
    assignee = f" · assignee {mention(task.assignee_id)}" if task.assignee_id else ""
    return (
        f"*#{task.id}* {escape(task.title)}{where} · due {format_due(task.due_date, today)}"
        f" · owner {mention(task.owner_id)}{assignee}"
    )


def task_announcement(task: Task, vendor: Vendor) -> Message:
    """Posted in the vendor channel when a task is delegated."""
    lines = [
        f":inbox_tray: *New task #{task.id}: {escape(task.title)}*",
        f"Due: {format_due(task.due_date)} · Owner: {mention(task.owner_id)}"
        + (f" · Assignee: {mention(task.assignee_id)}" if task.assignee_id else ""),
    ]
    blocks = [_section("\n".join(lines))]
    if task.standard:
        blocks.append(_section(f"*Standard expected*\n{escape(task.standard)}"))
    blocks.append(_context(f"Reply in this thread with questions. Task id: #{task.id}"))
    return {"text": f"New task #{task.id}: {escape(task.title)}", "blocks": blocks}


def task_created_reply(task: Task, vendor: Vendor, vendor_registered: bool) -> Message:
    text = (
        f":white_check_mark: Task *#{task.id}* {escape(task.title)} delegated to "
        f"{channel_link(vendor.channel_id)}, due {format_due(task.due_date)}."
    )
    if vendor_registered:
        text += (
            f"\n{channel_link(vendor.channel_id)} was not a vendor yet, so I registered it as "
            f"*{escape(vendor.name)}* with defaults (time zone {vendor.timezone}, check-ins "
            f"`{vendor.checkin_cadence}`, summary `{vendor.summary_cadence}`). Change them with "
            "`/delegate vendor add`."
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
    blocks: list[dict[str, Any]] = [_section(f"*{heading}* ({len(rows)})")]
    # A section holds at most 3000 characters: put tasks in chunks.
    chunk: list[str] = []
    for row in rows:
        line = "• " + task_line(row.task, row.vendor, today_of.get(row.vendor.id or 0))
        if sum(len(x) + 1 for x in chunk) + len(line) > 2800:
            blocks.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(_section("\n".join(chunk)))
    return {"text": f"{heading} ({len(rows)})", "blocks": blocks[:50]}


def task_changed_reply(task: Task, what: str) -> Message:
    return plain_reply(f":white_check_mark: Task *#{task.id}* {escape(task.title)} {what}.")


def task_changed_notice(task: Task, actor_id: str, what: str) -> Message:
    """Posted in the vendor channel's announcement thread when a task changes."""
    text = f"Task *#{task.id}* {escape(task.title)} {what} by {mention(actor_id)}."
    return {"text": text, "blocks": [_section(text)]}


def describe_status(status: str) -> str:
    return {
        TaskStatus.OPEN: "open",
        TaskStatus.DONE: "done",
        TaskStatus.CANCELLED: "cancelled",
    }.get(TaskStatus(status), status)


def vendor_line(vendor: Vendor) -> str:
    state = " · *paused*" if vendor.paused else ""
    return (
        f"• *{escape(vendor.name)}* {channel_link(vendor.channel_id)} · {vendor.timezone}"
        f" · check-ins `{vendor.checkin_cadence}` · summary `{vendor.summary_cadence}`{state}"
    )


def vendor_list_reply(vendors: Sequence[Vendor]) -> Message:
    if not vendors:
        return plain_reply(
            "*Vendors*\nNo vendors yet. Add one with `/delegate vendor add #channel`."
        )
    lines = [vendor_line(v) for v in vendors]
    return plain_reply(f"*Vendors* ({len(vendors)})\n" + "\n".join(lines))


def vendor_added_reply(vendor: Vendor) -> Message:
    return plain_reply(":white_check_mark: Added vendor\n" + vendor_line(vendor))


def vendor_paused_reply(vendor: Vendor) -> Message:
    what = "paused: no check-ins until `/delegate vendor resume`" if vendor.paused else "resumed"
    return plain_reply(
        f":white_check_mark: {escape(vendor.name)} ({channel_link(vendor.channel_id)}) {what}."
    )


def delegate_modal(initial_channel: str | None = None) -> dict[str, Any]:
    """The form `/delegate` opens with no text; field ids are the constants above."""
    vendor_select: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": FIELD_VENDOR + ACTION_SUFFIX,
        "placeholder": {"type": "plain_text", "text": "Vendor channel"},
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if initial_channel:
        vendor_select["initial_conversation"] = initial_channel

    def field(block_id: str, label: str, element: dict[str, Any], optional: bool = False) -> Any:
        return {
            "type": "input",
            "block_id": block_id,
            "optional": optional,
            "label": {"type": "plain_text", "text": label},
            "element": element,
        }

    return {
        "type": "modal",
        "callback_id": DELEGATE_MODAL,
        "title": {"type": "plain_text", "text": "Delegate a task"},
        "submit": {"type": "plain_text", "text": "Delegate"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            field(FIELD_VENDOR, "Vendor channel", vendor_select),
            field(
                FIELD_TITLE,
                "Task",
                {
                    "type": "plain_text_input",
                    "action_id": FIELD_TITLE + ACTION_SUFFIX,
                    "max_length": 300,
                    "placeholder": {"type": "plain_text", "text": "What needs doing"},
                },
            ),
            field(
                FIELD_DUE,
                "Due date",
                {"type": "datepicker", "action_id": FIELD_DUE + ACTION_SUFFIX},
                optional=True,
            ),
            field(
                FIELD_STANDARD,
                "Standard expected",
                {
                    "type": "plain_text_input",
                    "action_id": FIELD_STANDARD + ACTION_SUFFIX,
                    "multiline": True,
                    "max_length": 2000,
                    "placeholder": {"type": "plain_text", "text": "What good looks like"},
                },
                optional=True,
            ),
            field(
                FIELD_ASSIGNEE,
                "Assignee at the vendor",
                {"type": "users_select", "action_id": FIELD_ASSIGNEE + ACTION_SUFFIX},
                optional=True,
            ),
        ],
    }


def checkin_action_id(status: TaskUpdate) -> str:
    return CHECKIN_ACTION_PREFIX + status.value


def checkin_message(
    vendor: Vendor, post_id: int, rows: Sequence[CheckinRow], today: date
) -> Message:
    """The check-in in a vendor channel: each task with its latest status and four buttons.

    Rebuilt from the database on every change, so a button click or a thread reply shows
    up in place with the progress line kept current.
    """
    answered = sum(1 for row in rows if row.latest is not None)
    header = (
        f":wave: *Check-in for {escape(vendor.name)}*: how are these going? "
        "Use the buttons, or reply in this thread like `#12 blocked waiting for assets`."
    )
    blocks: list[dict[str, Any]] = [_section(header)]
    for row in rows[:45]:  # Slack allows 50 blocks per message
        task = row.task
        status = (
            f"\n{STATUS_EMOJI[TaskUpdate(row.latest.status)]} "
            f"*{STATUS_LABELS[TaskUpdate(row.latest.status)]}* by {mention(row.latest.user_id)}"
            + (f": {escape(row.latest.note)}" if row.latest.note else "")
            if row.latest
            else ""
        )
        blocks.append(_section(task_line(task, today=today) + status))
        if task.status == TaskStatus.OPEN:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"task:{task.id}",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": checkin_action_id(update),
                            "text": {"type": "plain_text", "text": label},
                            "value": f"{post_id}:{task.id}",
                            **({"style": "primary"} if update == TaskUpdate.DONE else {}),
                        }
                        for update, label in CHECKIN_BUTTONS
                    ],
                }
            )
    blocks.append(_context(f"{answered} of {len(rows)} tasks answered"))
    return {
        "text": f"Check-in for {escape(vendor.name)}: {answered} of {len(rows)} tasks answered",
        "blocks": blocks,
    }
