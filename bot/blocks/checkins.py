"""Block Kit for check-ins: the check-in in a vendor channel (a row and four buttons per
task), its reminder and escalation, the At risk / Blocked note form, and the owner's
alerts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.absences import Away
from bot.blocks import vendor_side
from bot.blocks.common import (
    MAX_MESSAGE_BLOCKS,
    SECTION_CHARS,
    Message,
    channel_link,
    clip,
    context,
    listed,
    mention,
    plain_reply,
    section,
    task_line,
)
from bot.blocks.elements import actions, button, input_block, modal, text_input
from bot.blocks.ids import (
    ALL_ON_TRACK_ACTION,
    CHECKIN_NOTE_MODAL,
    FIELD_NOTE,
    checkin_action_id,
)
from bot.slack_text import counted, escape
from storage import on_time
from storage.checkins import CheckinRow
from storage.models import (
    Task,
    TaskStatus,
    TaskUpdate,
    Vendor,
)

CHECKIN_BUTTONS: tuple[tuple[TaskUpdate, str], ...] = (
    (TaskUpdate.ON_TRACK, "On track"),
    (TaskUpdate.AT_RISK, "At risk"),
    (TaskUpdate.BLOCKED, "Blocked"),
    (TaskUpdate.DONE, "Done"),
)

# Slack allows 50 blocks a message: a header, a section and an actions block per task, the
# menu (Nothing new today, Away…, Answer) and the progress line.
MAX_CHECKIN_TASKS = 23
# The footer (or, in a full check-in, the header) lists who answered the questions and who
# is away: within these characters, then "and N more", so it stays in one text's 3000.
MAX_FOOTER_MENTIONS = 600

STATUS_LABELS = {status: label for status, label in CHECKIN_BUTTONS}

STATUS_EMOJI = {
    TaskUpdate.ON_TRACK: ":large_green_circle:",
    TaskUpdate.AT_RISK: ":large_yellow_circle:",
    TaskUpdate.BLOCKED: ":red_circle:",
    TaskUpdate.DONE: ":white_check_mark:",
}


def checkin_message(
    vendor: Vendor,
    post_id: int,
    rows: Sequence[CheckinRow],
    today: date,
    *,
    away: Mapping[str, Away] | None = None,
    has_questions: bool = False,
    answered_questions: Sequence[str] = (),
) -> Message:
    """The check-in in a vendor channel: each task with its latest status and four buttons,
    then the menu (Nothing new today, Away…) and, with the team's questions, Answer.

    Rebuilt from the database on every change, so a button click or a thread reply shows
    up in place with the progress line kept current. `away`: who is away today; their
    tasks say so, and a footer line lists them for the team.
    """
    away = away or {}
    answered = sum(1 for row in rows if row.latest is not None)
    header = (
        f":wave: *Check-in for {escape(vendor.name)}*: how are these going? "
        "Use the buttons, or reply in this thread like `#12 blocked waiting for assets`."
    )
    head = section(header)
    blocks: list[dict[str, Any]] = [head]
    for row in rows[:MAX_CHECKIN_TASKS]:
        task = row.task
        gone = away.get(task.assignee_id or "")
        note = vendor_side.away_line(gone) if gone else ""
        blocks.append(section(checkin_row_text(vendor, row, today) + note))
        if task.status == TaskStatus.OPEN:
            buttons = [
                button(
                    checkin_action_id(update),
                    label,
                    f"{post_id}:{task.id}",
                    "primary" if update == TaskUpdate.DONE else None,
                )
                for update, label in CHECKIN_BUTTONS
            ]
            blocks.append(actions(f"task:{task.id}", buttons))
    progress = f"{answered} of {len(rows)} task{'' if len(rows) == 1 else 's'} answered"
    if answered_questions:
        people = listed([mention(user) for user in answered_questions], MAX_FOOTER_MENTIONS)
        progress += " · questions answered by " + people
    hidden = len(rows) - MAX_CHECKIN_TASKS
    if hidden > 0:
        progress += f" · {hidden} more task{'' if hidden == 1 else 's'} not shown"
    if any(row.task.status == TaskStatus.OPEN for row in rows):
        blocks.append(actions("all", [button(ALL_ON_TRACK_ACTION, "All on track", str(post_id))]))
    blocks.append(vendor_side.checkin_menu_block(post_id, has_questions))
    away_text = vendor_side.away_context(away)
    footer = progress + (f" · {away_text}" if away_text else "")
    if len(blocks) < MAX_MESSAGE_BLOCKS:
        blocks.append(context(footer))
    else:  # a full check-in fills Slack's 50 blocks: the count goes in the header
        head["text"]["text"] += f" ({footer})"
    return {
        "text": f"Check-in for {escape(vendor.name)}: {progress}",
        "blocks": blocks,
    }


def checkin_row_text(vendor: Vendor, row: CheckinRow, today: date) -> str:
    """A check-in row as things stand now: an open task with its latest word (and overdue
    marked), or where a finished one stands: delivered and awaiting review, done on time
    or late (judged when the vendor finished it), cancelled."""
    task = row.task
    is_open = task.status == TaskStatus.OPEN
    line = task_line(task, today=today if is_open else None)
    if task.status == TaskStatus.DELIVERED:
        return (
            line
            + f"\n:hourglass_flowing_sand: Delivered, waiting for {mention(task.owner_id)}'s review"
        )
    if task.status == TaskStatus.DONE:
        return line + "\n" + _done_text(vendor, task)
    if task.status == TaskStatus.CANCELLED:
        return line + "\n:heavy_multiplication_x: Cancelled"
    latest = row.latest
    if latest is None:
        return line
    if latest.status == TaskUpdate.DONE:
        # Open again after a "Done": the owner sent the delivery back.
        return line + f"\n:leftwards_arrow_with_hook: {mention(task.owner_id)} asked for changes"
    status = TaskUpdate(latest.status)
    said = f"{line}\n{STATUS_EMOJI[status]} *{STATUS_LABELS[status]}* by {mention(latest.user_id)}"
    # A note may be 2000 characters, five times that escaped: cut to what the row has room
    # for (the rest of SECTION_CHARS; an away line may follow within Slack's 3000).
    return said + (f": {clip(latest.note, SECTION_CHARS - len(said) - 2)}" if latest.note else "")


def _done_text(vendor: Vendor, task: Task) -> str:
    """`:white_check_mark: Done on time, accepted by @owner` / `Done 2 days late`."""
    late = on_time.task_days_late(task, ZoneInfo(vendor.timezone))
    how = ""
    if task.due_in_force is not None and late is not None:
        how = " on time" if late <= 0 else f" {counted(late, 'day')} late"
    who = (
        f", accepted by {mention(task.closed_by)}"
        if task.delivered_at is not None and task.closed_by
        else (f", closed by {mention(task.closed_by)}" if task.closed_by else "")
    )
    return f":white_check_mark: *Done*{how}{who}"


def checkin_reminder(user_ids: Sequence[str]) -> Message:
    """Posted in a check-in's thread when nobody has answered it after a while."""
    people = listed([mention(user_id) for user_id in user_ids], SECTION_CHARS // 2, " ")
    text = (
        f"{people} :bell: Nobody has answered this "
        "check-in yet. Use the buttons above, or reply here like `#12 on track`."
    )
    return {"text": text, "blocks": [section(text)]}


def checkin_escalation(
    vendor: Vendor, tasks: Sequence[Task], permalink: str | None, today: date
) -> Message:
    """A direct message to a task owner: the vendor answered neither a check-in nor its
    reminder before the next check-in was due."""
    checkin = f"<{permalink}|the last check-in>" if permalink else "the last check-in"
    # Not "nobody at": a vendor is often one person.
    head = (
        f":rotating_light: *{escape(vendor.name)}* ({channel_link(vendor.channel_id)}) has not "
        f"answered {checkin} about your tasks:"
    )
    lines = ["• " + task_line(task, today=today) for task in tasks[:40]]
    blocks = [section(head), section("\n".join(lines)[:2900])]
    blocks.append(context("You may want to ask them directly."))
    return {
        "text": f"{escape(vendor.name)} has not answered the last check-in",
        "blocks": blocks,
    }


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
    intro = (
        f"{STATUS_EMOJI[status]} Saved *{label}* for *#{task.id}* {escape(task.title)}. "
        "What's in the way? The owner gets your note."
    )
    note = text_input(2000, multiline=True, placeholder="Waiting for the final copy")
    blocks = [section(intro), input_block(FIELD_NOTE, "Note", note, optional=True)]
    title = f"{label}: add a note"[:24]
    return modal(
        CHECKIN_NOTE_MODAL, title, "Save note", blocks, metadata=str(update_id), close="Skip"
    )


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
    blocks = [section(head)]
    if note:
        blocks.append(section(f"> {escape(note)[:2900]}"))
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
        "blocks": [section(head), section(f"> {escape(note)[:2900]}")],
    }
