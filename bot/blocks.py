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

# The form an At risk / Blocked click opens; private_metadata holds the status update's id.
CHECKIN_NOTE_MODAL = "checkin_note_modal"
FIELD_NOTE = "note"

# Check-in buttons: one action id per status (ids must be unique within a block); the value
# is "<post id>:<task id>", the block id "task:<task id>".
CHECKIN_ACTION_PREFIX = "checkin_"
CHECKIN_BUTTONS: tuple[tuple[TaskUpdate, str], ...] = (
    (TaskUpdate.ON_TRACK, "On track"),
    (TaskUpdate.AT_RISK, "At risk"),
    (TaskUpdate.BLOCKED, "Blocked"),
    (TaskUpdate.DONE, "Done"),
)
# Slack allows 50 blocks a message: a header, a section and an actions block per task, and
# the progress line.
MAX_CHECKIN_TASKS = 24
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
    if vendor.paused and vendor.pause_reason:
        state += f" ({escape(vendor.pause_reason)})"
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
    for row in rows[:MAX_CHECKIN_TASKS]:
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


def checkin_reminder(user_ids: Sequence[str]) -> Message:
    """Posted in a check-in's thread when nobody has answered it after a while."""
    text = (
        f"{' '.join(mention(user_id) for user_id in user_ids)} :bell: Nobody has answered this "
        "check-in yet. Use the buttons above, or reply here like `#12 on track`."
    )
    return {"text": text, "blocks": [_section(text)]}


def checkin_escalation(
    vendor: Vendor, tasks: Sequence[Task], permalink: str | None, today: date
) -> Message:
    """A direct message to a task owner: the vendor answered neither a check-in nor its
    reminder before the next check-in was due."""
    checkin = f"<{permalink}|the last check-in>" if permalink else "the last check-in"
    head = (
        f":rotating_light: Nobody at *{escape(vendor.name)}* ({channel_link(vendor.channel_id)}) "
        f"answered {checkin} about your tasks:"
    )
    lines = ["• " + task_line(task, today=today) for task in tasks[:40]]
    blocks = [_section(head), _section("\n".join(lines)[:2900])]
    blocks.append(_context("You may want to ask them directly."))
    return {"text": f"Nobody at {escape(vendor.name)} answered the last check-in", "blocks": blocks}


def vendor_unreachable_notice(vendor: Vendor, error: str) -> Message:
    """A direct message to whoever added the vendor: Slack refuses posts in its channel."""
    channel = channel_link(vendor.channel_id)
    text = (
        f":warning: I couldn't post the check-in in {channel} (Slack said `{escape(error)}`), "
        f"so I paused check-ins for *{escape(vendor.name)}*. Once I can post there again "
        f"(unarchive the channel or invite me back), run `/delegate vendor resume {channel}`."
    )
    return plain_reply(text)


def status_note_modal(task: Task, status: TaskUpdate, update_id: int) -> dict[str, Any]:
    """Asks for an optional note after an At risk / Blocked click (the status is saved)."""
    label = STATUS_LABELS[status]
    return {
        "type": "modal",
        "callback_id": CHECKIN_NOTE_MODAL,
        "private_metadata": str(update_id),
        "title": {"type": "plain_text", "text": f"{label}: add a note"[:24]},
        "submit": {"type": "plain_text", "text": "Save note"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [
            _section(
                f"{STATUS_EMOJI[status]} Saved *{label}* for *#{task.id}* {escape(task.title)}. "
                "What's in the way? The owner gets your note."
            ),
            {
                "type": "input",
                "block_id": FIELD_NOTE,
                "optional": True,
                "label": {"type": "plain_text", "text": "Note"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": FIELD_NOTE + ACTION_SUFFIX,
                    "multiline": True,
                    "max_length": 2000,
                    "placeholder": {"type": "plain_text", "text": "Waiting for the final copy"},
                },
            },
        ],
    }


def _checkin_link(permalink: str | None) -> str:
    return f"<{permalink}|the check-in>" if permalink else "the check-in"


def owner_status_alert(
    task: Task, vendor: Vendor, status: TaskUpdate, user_id: str, note: str, permalink: str | None
) -> Message:
    """A direct message to a task's owner: someone marked it at risk or blocked."""
    label = STATUS_LABELS[status]
    head = (
        f"{STATUS_EMOJI[status]} {mention(user_id)} marked your task *#{task.id}* "
        f"{escape(task.title)} *{label}* in {_checkin_link(permalink)} for "
        f"*{escape(vendor.name)}* ({channel_link(vendor.channel_id)})."
    )
    blocks = [_section(head)]
    if note:
        blocks.append(_section(f"> {escape(note)[:2900]}"))
    return {"text": f"Task #{task.id} {escape(task.title)} is {label.lower()}", "blocks": blocks}


def owner_note_alert(
    task: Task, vendor: Vendor, status: TaskUpdate, user_id: str, note: str, permalink: str | None
) -> Message:
    """A direct message to a task's owner with the note added to an at-risk/blocked status."""
    head = (
        f"{STATUS_EMOJI[status]} {mention(user_id)} added a note to *{STATUS_LABELS[status]}* "
        f"on your task *#{task.id}* {escape(task.title)} ({_checkin_link(permalink)}, "
        f"{channel_link(vendor.channel_id)}):"
    )
    return {
        "text": f"Note on task #{task.id} {escape(task.title)}",
        "blocks": [_section(head), _section(f"> {escape(note)[:2900]}")],
    }


def vendor_paused_notice(vendor: Vendor, reason: str) -> Message:
    """A direct message to whoever added a vendor: the bot paused it after a channel change."""
    channel = channel_link(vendor.channel_id)
    return plain_reply(
        f":double_vertical_bar: I paused check-ins for *{escape(vendor.name)}* ({channel}) "
        f"because {escape(reason)}. When I can work there again, run "
        f"`/delegate vendor resume {channel}`."
    )


def format_minutes(minutes: int) -> str:
    """240 -> `4h`, 90 -> `1h30m`, 1440 -> `1d` (what `remind:` accepts)."""
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    text = (
        (f"{days}d" if days else "") + (f"{hours}h" if hours else "") + (f"{mins}m" if mins else "")
    )
    return text or "0m"


def vendor_settings_lines(vendor: Vendor) -> list[str]:
    paused = ""
    if vendor.paused:
        paused = " · *paused*" + (
            f" ({escape(vendor.pause_reason)})" if vendor.pause_reason else ""
        )
    return [
        f"*{escape(vendor.name)}* {channel_link(vendor.channel_id)} · {vendor.timezone}{paused}",
        f"Check-ins `{vendor.checkin_cadence}` · summary `{vendor.summary_cadence}` · "
        f"workdays `{vendor.workdays}` · "
        f"reminder after `{format_minutes(vendor.remind_after_minutes)}`",
    ]


def vendor_updated_reply(vendor: Vendor, changed: Sequence[str]) -> Message:
    return plain_reply(
        f":white_check_mark: Changed {', '.join(changed)}. Settings now:\n"
        + "\n".join(vendor_settings_lines(vendor))
    )


def _days(days: Sequence[date]) -> str:
    return ", ".join(f"{day:%a %-d %b %Y}" for day in days)


def holidays_reply(
    vendor: Vendor,
    upcoming: Sequence[date],
    added: Sequence[date] = (),
    removed: Sequence[date] = (),
    already: Sequence[date] = (),
) -> Message:
    """The vendor's upcoming holidays, after saying what changed."""
    lines: list[str] = []
    if added:
        lines.append(f":white_check_mark: Added {_days(added)}.")
    if removed:
        lines.append(f":white_check_mark: Removed {_days(removed)}.")
    if already:
        lines.append(f"Already holidays: {_days(already)}.")
    channel = channel_link(vendor.channel_id)
    if upcoming:
        lines.append(f"*Upcoming holidays for {escape(vendor.name)}* ({vendor.timezone}):")
        lines += [f"• {day:%a %-d %b %Y}" for day in upcoming]
        lines.append("No check-ins, reminders or summaries are posted on these days.")
    else:
        lines.append(
            f"*{escape(vendor.name)}* has no upcoming holidays. Add some with "
            f"`/delegate vendor holiday {channel} add 2026-12-25`."
        )
    return plain_reply("\n".join(lines))
