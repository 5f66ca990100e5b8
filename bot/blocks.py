"""Every Slack message and view the bot sends is built here, as plain dicts.

User-supplied text (titles, standards, names) always passes through `escape()` before it is
placed in a message, so it cannot ping `@channel` or a person. Mentions the bot means to make
(`<@U…>` for an owner) are built from stored ids, never from user text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from bot import vendor_blocks
from bot.absences import Away
from bot.command_help import help_text
from bot.money import format_money
from bot.periods import Period
from bot.schedule_rules import vendor_today
from bot.scorecards import VERDICT_WEEKS, CardFigures, Scorecard, Trend, TrialCard, Verdict
from bot.slack_text import block_quote, escape
from bot.spend import VendorSpend
from bot.summaries import (
    MIN_SAMPLE,
    Digest,
    Figures,
    Health,
    HomeOverview,
    HomeTask,
    Mark,
    VendorRow,
    VendorSummary,
    Week,
)
from bot.trial_verdict import THRESHOLDS_TEXT, TrialJudgement, judge_trial
from storage import on_time
from storage.checkins import CheckinRow
from storage.models import (
    Delivery,
    ReviewOutcome,
    Task,
    TaskFeedback,
    TaskStatus,
    TaskUpdate,
    TrialDecision,
    Vendor,
)
from storage.overdue_reviews import OverdueReview
from storage.slips import Slips
from storage.summaries import AttentionTask
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
# The check-in's **All on track** button (value: the post id). Not under the prefix above,
# which the per-task listener owns.
ALL_ON_TRACK_ACTION = "all_on_track"
CHECKIN_BUTTONS: tuple[tuple[TaskUpdate, str], ...] = (
    (TaskUpdate.ON_TRACK, "On track"),
    (TaskUpdate.AT_RISK, "At risk"),
    (TaskUpdate.BLOCKED, "Blocked"),
    (TaskUpdate.DONE, "Done"),
)
# Slack allows 50 blocks a message: a header, a section and an actions block per task, the
# menu (Nothing new today, Away…, Answer) and the progress line.
MAX_CHECKIN_TASKS = 23
STATUS_LABELS = {status: label for status, label in CHECKIN_BUTTONS}
STATUS_EMOJI = {
    TaskUpdate.ON_TRACK: ":large_green_circle:",
    TaskUpdate.AT_RISK: ":large_yellow_circle:",
    TaskUpdate.BLOCKED: ":red_circle:",
    TaskUpdate.DONE: ":white_check_mark:",
}

# A delivery's review, in the owner's DM: two buttons whose value is the delivery id.
REVIEW_ACCEPT_ACTION = "review_accept"
REVIEW_CHANGES_ACTION = "review_request_changes"
# "What should change?"; private_metadata is "<delivery id>:<channel>:<ts>" (the review
# message, to update in place), see message_metadata().
REVIEW_CHANGES_MODAL = "review_changes_modal"
FIELD_CHANGES = "changes"
# The rating prompt's button (value: the task id) and the form it opens; private_metadata
# is "<task id>:<channel>:<ts>" (the prompt, to update in place).
RATE_TASK_ACTION = "rate_task"
RATING_MODAL = "task_rating_modal"
RATING_FIELDS: tuple[tuple[str, str], ...] = (
    ("quality", "Quality"),
    ("timeliness", "Timeliness"),
    ("communication", "Communication"),
)
FIELD_RATING_COMMENT = "comment"
RATING_LABELS = {5: "excellent", 4: "good", 3: "acceptable", 2: "poor", 1: "unacceptable"}


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
    # The help outgrew one section (3000 characters): as many sections as it needs.
    text = help_text()
    return {"text": text, "blocks": _sections(text.splitlines())}


def task_line(task: Task, vendor: Vendor | None = None, today: date | None = None) -> str:
    where = f" · {channel_link(vendor.channel_id)}" if vendor else ""
    assignee = f" · assignee {mention(task.assignee_id)}" if task.assignee_id else ""
    due = f"due {format_due(task.due_date, today)}" if task.due_date else "no due date"
    return (
        f"*#{task.id}* {escape(task.title)}{where} · {due}"
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
        TaskStatus.DELIVERED: "delivered, waiting for review",
        TaskStatus.DONE: "done",
        TaskStatus.CANCELLED: "cancelled",
    }.get(TaskStatus(status), status)


def vendor_line(vendor: Vendor, now: datetime | None = None) -> str:
    state = " · *paused*" if vendor.paused else ""
    if vendor.paused and vendor.pause_reason:
        state += f" ({escape(vendor.pause_reason)})"
    trial = trial_text(vendor, now) if now else None
    return (
        f"• *{escape(vendor.name)}* {channel_link(vendor.channel_id)} · {vendor.timezone}"
        f" · check-ins `{vendor.checkin_cadence}` · summary `{vendor.summary_cadence}`{state}"
        + (f" · {trial}" if trial else "")
    )


def vendor_list_reply(
    vendors: Sequence[Vendor], now: datetime | None = None, *, removed: bool = False
) -> Message:
    if removed:
        if not vendors:
            return plain_reply("*Removed vendors*\nNone.")
        lines = [
            f"• *{escape(v.name)}* {channel_link(v.channel_id)} · removed "
            f"{v.removed_at:%a %-d %b %Y} by {mention(v.removed_by)} · "
            f"`/delegate vendor restore {channel_link(v.channel_id)}`"
            for v in vendors
            if v.removed_at is not None
        ]
        return plain_reply(f"*Removed vendors* ({len(vendors)})\n" + "\n".join(lines))
    if not vendors:
        return plain_reply(
            "*Vendors*\nNo vendors yet. Add one with `/delegate vendor add #channel`."
        )
    lines = [vendor_line(v, now) for v in vendors]
    return plain_reply(f"*Vendors* ({len(vendors)})\n" + "\n".join(lines))


def vendor_added_reply(
    vendor: Vendor, now: datetime | None = None, registered_by_task_of: str | None = None
) -> Message:
    money = money_settings_text(vendor)
    heading = ":white_check_mark: Added vendor"
    if registered_by_task_of:
        heading = (
            f":white_check_mark: {channel_link(vendor.channel_id)} had just been registered "
            f"with the defaults by a task from <@{registered_by_task_of}>; I applied your "
            "settings to it"
        )
    return plain_reply(heading + "\n" + vendor_line(vendor, now) + (f"\n{money}" if money else ""))


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
    head = _section(header)
    blocks: list[dict[str, Any]] = [head]
    for row in rows[:MAX_CHECKIN_TASKS]:
        task = row.task
        gone = away.get(task.assignee_id or "")
        note = vendor_blocks.away_line(gone) if gone else ""
        blocks.append(_section(checkin_row_text(vendor, row, today) + note))
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
    progress = f"{answered} of {len(rows)} task{'' if len(rows) == 1 else 's'} answered"
    if answered_questions:
        progress += " · questions answered by " + ", ".join(map(mention, answered_questions))
    if any(row.task.status == TaskStatus.OPEN for row in rows):
        blocks.append(
            {
                "type": "actions",
                "block_id": "all",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ALL_ON_TRACK_ACTION,
                        "text": {"type": "plain_text", "text": "All on track"},
                        "value": str(post_id),
                    }
                ],
            }
        )
    blocks.append(vendor_blocks.checkin_menu_block(post_id, has_questions))
    away_text = vendor_blocks.away_context(away)
    footer = progress + (f" · {away_text}" if away_text else "")
    if len(blocks) < MAX_MESSAGE_BLOCKS:
        blocks.append(_context(footer))
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
    note = f": {escape(latest.note)}" if latest.note else ""
    return (
        line
        + f"\n{STATUS_EMOJI[status]} *{STATUS_LABELS[status]}* by {mention(latest.user_id)}{note}"
    )


def _done_text(vendor: Vendor, task: Task) -> str:
    """`:white_check_mark: Done on time, accepted by @owner` / `Done 2 days late`."""
    late = on_time.task_days_late(task, ZoneInfo(vendor.timezone))
    how = ""
    if task.due_in_force is not None and late is not None:
        how = " on time" if late <= 0 else f" {late} day{'s' if late != 1 else ''} late"
    who = (
        f", accepted by {mention(task.closed_by)}"
        if task.delivered_at is not None and task.closed_by
        else (f", closed by {mention(task.closed_by)}" if task.closed_by else "")
    )
    return f":white_check_mark: *Done*{how}{who}"


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
    # Not "nobody at": a vendor is often one person.
    head = (
        f":rotating_light: *{escape(vendor.name)}* ({channel_link(vendor.channel_id)}) has not "
        f"answered {checkin} about your tasks:"
    )
    lines = ["• " + task_line(task, today=today) for task in tasks[:40]]
    blocks = [_section(head), _section("\n".join(lines)[:2900])]
    blocks.append(_context("You may want to ask them directly."))
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
        f"*Standard expected*\n{escape(task.standard)[:2900]}"
        if task.standard
        else "*Standard expected*\n_None was given when the task was delegated._"
    )
    blocks: list[dict[str, Any]] = [_section(head)]
    if delivery.note:
        blocks.append(_section(f"*Their note*\n{block_quote(delivery.note)[:2900]}"))
    due = f"Due {format_due(task.due_date)}" if task.due_date else "No due date"
    blocks += [
        _section(standard),
        _context(f"{due} · delivered {delivery.delivered_at:%a %-d %b}"),
    ]
    if delivery.outcome == ReviewOutcome.PENDING:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"review:{delivery.id}",
                "elements": [
                    {
                        "type": "button",
                        "action_id": REVIEW_ACCEPT_ACTION,
                        "text": {"type": "plain_text", "text": "Accept"},
                        "style": "primary",
                        "value": str(delivery.id),
                    },
                    {
                        "type": "button",
                        "action_id": REVIEW_CHANGES_ACTION,
                        "text": {"type": "plain_text", "text": "Request changes"},
                        "value": str(delivery.id),
                    },
                ],
            }
        )
    elif delivery.outcome == ReviewOutcome.ACCEPTED:
        blocks.append(_section(f":white_check_mark: Accepted by {mention(delivery.reviewed_by)}"))
    else:
        blocks.append(
            _section(
                f":leftwards_arrow_with_hook: Changes requested by "
                f"{mention(delivery.reviewed_by)}:\n{block_quote(delivery.review_note)[:2900]}"
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
    blocks = [_section(text)]
    if delivery.note:
        blocks.append(_section(f"*Their note*\n{block_quote(delivery.note)[:2900]}"))
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
            _section(head),
            _section(block_quote(delivery.review_note)[:2900]),
            _context("The task is open again; mark it done when the changes are in."),
        ],
    }


def changes_modal(task: Task, metadata: str) -> dict[str, Any]:
    """The form Request changes opens: what should change (required)."""
    return {
        "type": "modal",
        "callback_id": REVIEW_CHANGES_MODAL,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": "Request changes"},
        "submit": {"type": "plain_text", "text": "Send to vendor"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _section(
                f"Task *#{task.id}* {escape(task.title)} goes back to the vendor, open again, "
                "with your request in its thread."
            ),
            {
                "type": "input",
                "block_id": FIELD_CHANGES,
                "label": {"type": "plain_text", "text": "What should change?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": FIELD_CHANGES + ACTION_SUFFIX,
                    "multiline": True,
                    "max_length": 2000,
                    "placeholder": {"type": "plain_text", "text": "The logo needs an SVG too"},
                },
            },
        ],
    }


def rating_summary(feedback: TaskFeedback) -> str:
    scores = " · ".join(
        f"{label.lower()} {getattr(feedback, field)}/5" for field, label in RATING_FIELDS
    )
    comment = f"\n{block_quote(feedback.comment)[:2900]}" if feedback.comment else ""
    return f"Rated by {mention(feedback.rated_by)}: {scores}{comment}"


def rating_prompt(task: Task, vendor: Vendor, feedback: TaskFeedback | None = None) -> Message:
    """A DM to the owner once a task is done: rate the delivery (again, if rated already)."""
    head = (
        f":star: Task *#{task.id}* {escape(task.title)} for *{escape(vendor.name)}* is done. "
        "How did it go? Rate quality, timeliness and communication, 1 to 5."
    )
    blocks: list[dict[str, Any]] = [_section(head)]
    if feedback is not None:
        blocks.append(_context(rating_summary(feedback)))
    blocks.append(
        {
            "type": "actions",
            "block_id": f"rate:{task.id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": RATE_TASK_ACTION,
                    "text": {
                        "type": "plain_text",
                        "text": "Change rating" if feedback else "Rate this delivery",
                    },
                    "value": str(task.id),
                    **({} if feedback else {"style": "primary"}),
                }
            ],
        }
    )
    return {"text": f"Rate task #{task.id} {escape(task.title)}", "blocks": blocks}


def _score_option(score: int) -> dict[str, Any]:
    return {
        "text": {"type": "plain_text", "text": f"{score} · {RATING_LABELS[score]}"},
        "value": str(score),
    }


def rating_modal(task: Task, metadata: str, feedback: TaskFeedback | None = None) -> dict[str, Any]:
    """Three scores (1 to 5) and an optional comment; filled in with the rating there is."""
    blocks: list[dict[str, Any]] = [
        _section(f"How did *#{task.id}* {escape(task.title)} go?"),
    ]
    for field, label in RATING_FIELDS:
        element: dict[str, Any] = {
            "type": "static_select",
            "action_id": field + ACTION_SUFFIX,
            "placeholder": {"type": "plain_text", "text": "1 to 5"},
            "options": [_score_option(score) for score in (5, 4, 3, 2, 1)],
        }
        if feedback is not None:
            element["initial_option"] = _score_option(int(getattr(feedback, field)))
        blocks.append(
            {
                "type": "input",
                "block_id": field,
                "label": {"type": "plain_text", "text": label},
                "element": element,
            }
        )
    comment: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": FIELD_RATING_COMMENT + ACTION_SUFFIX,
        "multiline": True,
        "max_length": 2000,
    }
    if feedback is not None and feedback.comment:
        comment["initial_value"] = feedback.comment
    blocks.append(
        {
            "type": "input",
            "block_id": FIELD_RATING_COMMENT,
            "optional": True,
            "label": {"type": "plain_text", "text": "Comment"},
            "element": comment,
        }
    )
    return {
        "type": "modal",
        "callback_id": RATING_MODAL,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": "Rate this delivery"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
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


def vendor_settings_lines(vendor: Vendor, now: datetime | None = None) -> list[str]:
    paused = ""
    if vendor.paused:
        paused = " · *paused*" + (
            f" ({escape(vendor.pause_reason)})" if vendor.pause_reason else ""
        )
    return [
        f"*{escape(vendor.name)}* {channel_link(vendor.channel_id)} · {vendor.timezone}{paused}",
        f"Check-ins `{vendor.checkin_cadence}` · summary `{vendor.summary_cadence}` · "
        f"feedback prompt `{vendor.feedback_cadence or 'with the summary'}` · "
        f"workdays `{vendor.workdays}` · "
        + (f"public holidays `{vendor.public_holidays}` · " if vendor.public_holidays else "")
        + f"reminder after `{format_minutes(vendor.remind_after_minutes)}` · "
        f"review within `{format_minutes(vendor.review_after_minutes)}` · "
        f"figures in its summary `{'on' if vendor.show_figures else 'off'}`",
        *[text for text in (trial_text(vendor, now) if now else None,) if text],
        money_settings_text(vendor) or f"currency {vendor.currency}",
    ]


def vendor_updated_reply(
    vendor: Vendor, changed: Sequence[str], now: datetime | None = None
) -> Message:
    return plain_reply(
        f":white_check_mark: Changed {', '.join(changed)}. Settings now:\n"
        + "\n".join(vendor_settings_lines(vendor, now))
    )


def _days(days: Sequence[date]) -> str:
    return ", ".join(f"{day:%a %-d %b %Y}" for day in days)


def holidays_reply(
    vendor: Vendor,
    upcoming: Sequence[date],
    added: Sequence[date] = (),
    removed: Sequence[date] = (),
    already: Sequence[date] = (),
    public: Mapping[date, str] | None = None,
) -> Message:
    """The vendor's upcoming holidays, its own and its country's (merged by date), after
    saying what changed."""
    lines: list[str] = []
    if added:
        lines.append(f":white_check_mark: Added {_days(added)}.")
    if removed:
        lines.append(f":white_check_mark: Removed {_days(removed)}.")
    if already:
        lines.append(f"Already holidays: {_days(already)}.")
    channel = channel_link(vendor.channel_id)
    public = public or {}
    own = set(upcoming)
    country = vendor.public_holidays or ""
    if upcoming or public:
        where = f"{vendor.timezone}" + (f"; public holidays of {country}" if country else "")
        lines.append(f"*Upcoming holidays for {escape(vendor.name)}* ({where}):")
        for day in sorted(own | set(public))[:MAX_HOLIDAY_LINES]:
            sources = [f"{escape(public[day])} ({country})"] if day in public else []
            if day in own:
                sources.append("own day off")
            lines.append(f"• {day:%a %-d %b %Y}: " + ", ".join(sources))
        lines.append("No check-ins, reminders, summaries or trial prompts fall on these days.")
    else:
        lines.append(
            f"*{escape(vendor.name)}* has no upcoming holidays. Add some with "
            f"`/delegate vendor holiday {channel} add 2026-12-25`, or a country's public "
            f"holidays with `/delegate vendor set {channel} holidays:PH`."
        )
    return plain_reply("\n".join(lines))


MAX_HOLIDAY_LINES = 80


# --------------------------------------------------------------------------- summaries

# Where a mark is shown, its rule, with the minimum sample behind a rate.
HEALTH_LEGEND = (
    "Red: 3+ overdue, 2+ blocked, or on time or answered below 50%. Yellow: any overdue, "
    "blocked or at risk, or a rate below 80%. A rate counts only with at least "
    f"{MIN_SAMPLE} tasks done (on time) or {MIN_SAMPLE} check-ins (answered). White: "
    "paused, not judged."
)
HEALTH_EMOJI = {
    Mark.GREEN: ":large_green_circle:",
    Mark.YELLOW: ":large_yellow_circle:",
    Mark.RED: ":red_circle:",
    Mark.PAUSED: ":white_circle:",
}
MAX_MESSAGE_BLOCKS = 50
MAX_DIGEST_ANSWERS = 15  # the newest answers to the team's questions quoted in the digest
MAX_HOME_BLOCKS = 100
_SECTION_CHARS = 2900  # Slack allows 3000 characters in a section's text
QUESTION_QUOTE_LENGTH = 200  # a vendor's question quoted in "Waiting on us"


def _clipped(text: str, length: int) -> str:
    """Plain text on one line, cut to `length` characters with an ellipsis (before escaping,
    so no entity is cut in half)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def _sections(lines: Sequence[str]) -> list[dict[str, Any]]:
    """Lines packed into as few sections as fit Slack's 3000 characters each."""
    blocks: list[dict[str, Any]] = []
    chunk: list[str] = []
    for line in lines:
        line = line[:_SECTION_CHARS]
        if chunk and sum(len(x) + 1 for x in chunk) + len(line) > _SECTION_CHARS:
            blocks.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(_section("\n".join(chunk)))
    return blocks


class _NoFigures:
    """Stands for "no previous period to compare with": every figure is None, so no
    change is shown in brackets."""

    def __getattr__(self, name: str) -> None:
        return None


_NO_FIGURES: Any = _NoFigures()


def _signed(number: float, digits: int = 0) -> str:
    if round(number, digits) == 0:
        return "±0"
    text = f"{abs(number):.{digits}f}"
    return f"+{text}" if number > 0 else f"-{text}"


def _vs(current: float | None, previous: float | None, digits: int = 0, unit: str = "") -> str:
    """` (+2)`: the change from the previous week, when both weeks have the figure."""
    if current is None or previous is None:
        return ""
    return f" ({_signed(current - previous, digits)}{unit})"


def _vs_duration(current: float | None, previous: float | None) -> str:
    """` (-2 h 45 min)`: a change of duration in the same units as the duration itself."""
    if current is None or previous is None:
        return ""
    change = current - previous
    if round(change) == 0:
        return " (±0)"
    sign = "+" if change > 0 else "-"
    return f" ({sign}{format_duration_minutes(abs(change))})"


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"


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


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def figure_lines(current: Figures, previous: Figures | None) -> list[str]:
    """The period's figures; in brackets the change from the previous period (when the
    vendor existed through it, else no brackets)."""
    c = current
    p = previous if previous is not None else _NO_FIGURES
    delivered = f", {c.delivered} delivered and awaiting review" if c.delivered else ""
    rate = c.response_rate
    answered = (
        f"*Check-ins answered:* {c.answered} of {c.checkins} ({_percent(rate)})"
        + _vs(_points(rate), _points(p.response_rate), unit=" pts")
        + f" · *median time to first answer:* {format_duration_minutes(c.median_response_minutes)}"
        + _vs_duration(c.median_response_minutes, p.median_response_minutes)
        if c.checkins
        else "*Check-ins answered:* no check-ins"
    )
    ratings = (
        f"*Ratings* ({c.ratings}): quality {_score(c.quality)}{_vs(c.quality, p.quality, 1)}"
        f" · timeliness {_score(c.timeliness)}{_vs(c.timeliness, p.timeliness, 1)}"
        f" · communication {_score(c.communication)}"
        f"{_vs(c.communication, p.communication, 1)}"
        if c.ratings
        else "*Ratings:* none"
    )
    return [
        f"*Completed:* {c.completed}{_vs(c.completed, p.completed)} "
        f"({c.on_time} on time, {c.late} late)",
        f"*Open:* {c.open}{_vs(c.open, p.open)}{delivered}",
        f"*Overdue:* {c.overdue}{_vs(c.overdue, p.overdue)} · "
        f"*At risk:* {c.at_risk}{_vs(c.at_risk, p.at_risk)} · "
        f"*Blocked:* {c.blocked}{_vs(c.blocked, p.blocked)}",
        answered,
        ratings,
    ]


def _points(rate: float | None) -> float | None:
    return None if rate is None else rate * 100


def period_text(period: Period, tz: ZoneInfo) -> str:
    """`Fri 27 Nov 16:00 to Fri 4 Dec 2026 16:00 (since the vendor was added)`."""
    return period.label(tz) + (" (since the vendor was added)" if period.from_addition else "")


def summary_message(summary: VendorSummary) -> Message:
    """The summary in a vendor's channel: an alignment note (bot.alignment) about that
    vendor only; its rates, ratings and trends too when its `figures:` setting is on.
    Nobody is mentioned: the owners hear about overdue and blocked tasks in the thread."""
    vendor, note = summary.vendor, summary.note
    name = escape(vendor.name)
    tz = ZoneInfo(vendor.timezone)
    head = f":bar_chart: *Weekly summary for {name}* · {period_text(summary.period, tz)}"
    blocks = [_section(head)]

    def short(task: Task) -> str:
        return f"*#{task.id}* {escape(task.title)}"

    def day(moment: datetime | None) -> str:
        return f"{moment.astimezone(tz):%a %-d %b}" if moment else ""

    delivered = [f"• {short(task)}" for task in note.delivered]
    if delivered:
        blocks += _sections([":tada: *Delivered since the last summary*: thank you!", *delivered])
    else:
        blocks.append(_section(":tada: *Delivered since the last summary*: nothing this time."))
    due = [
        f"• {short(task)} · due {format_due(task.due_date, note.today)}" for task in note.due_soon
    ]
    blocks += _sections(
        ["*Due in the next 7 days*", *due] if due else ["*Due in the next 7 days*: nothing."]
    )
    if note.stuck:
        stuck = []
        for item in note.stuck:
            status = TaskUpdate(item.update.status)
            word = f": {escape(item.update.note)}" if item.update.note else ""
            stuck.append(
                f"• {short(item.task)} · {STATUS_EMOJI[status]} {STATUS_LABELS[status].lower()}"
                f"{word} (said {day(item.update.at)})"
            )
        blocks += _sections(["*Blocked or at risk*: what it waits on", *stuck])
    if note.waiting_on_us or note.questions:
        waiting = []
        for wait in note.waiting_on_us:
            if wait.delivery.outcome == ReviewOutcome.CHANGES_REQUESTED:
                asked = (
                    f": {escape(wait.delivery.review_note)}" if wait.delivery.review_note else ""
                )
                waiting.append(
                    f"• {short(wait.task)} · changes requested {day(wait.delivery.reviewed_at)}"
                    f"{asked}"
                )
            else:
                waiting.append(
                    f"• {short(wait.task)} · delivered {day(wait.delivery.delivered_at)}, "
                    "waiting for our review"
                )
        for open_question in note.questions:
            question = open_question.question
            waiting.append(
                f"• {short(open_question.task)} · your question of {day(question.asked_at)}: "
                f"“{escape(_clipped(question.text, QUESTION_QUOTE_LENGTH))}”"
            )
        blocks += _sections(["*Waiting on us*", *waiting])
    if vendor.show_figures:
        blocks.append(_section("\n".join(figure_lines(summary.current, summary.previous))))
        if summary.previous is not None:
            blocks.append(_context("In brackets: the change from the previous summary's period."))
    if summary.attention:
        blocks.append(
            _context("The overdue and blocked tasks, with their owners, are in this thread.")
        )
    c = summary.current  # counts, not rates: fine for the vendor's own channel
    text = (
        f"Weekly summary for {name}: {c.completed} completed, {c.open} open, "
        f"{c.overdue} overdue, {c.blocked} blocked"
    )
    return {"text": text, "blocks": blocks[:MAX_MESSAGE_BLOCKS]}


def summary_thread(summary: VendorSummary) -> Message | None:
    """The summary's thread reply: overdue and blocked tasks by name, with their owners, and
    the week's answers to the team's check-in questions."""
    if not summary.attention and not summary.answers:
        return None
    today = vendor_today(summary.vendor, summary.made_at)

    def line(item: AttentionTask) -> str:
        return "• " + task_line(item.task, today=today)

    blocked = [line(item) for item in summary.attention if item.blocked]
    overdue = [line(item) for item in summary.attention if item.overdue and not item.blocked]
    lines: list[str] = []
    if blocked:
        lines += [f"{STATUS_EMOJI[TaskUpdate.BLOCKED]} *Blocked* ({len(blocked)})", *blocked]
    if overdue:
        lines += [f":hourglass: *Overdue* ({len(overdue)})", *overdue]
    if summary.answers:
        lines += [
            f":speech_balloon: *Answers to the check-in questions* ({len(summary.answers)})",
            *vendor_blocks.answers_quote_lines(summary.answers, limit=MAX_DIGEST_ANSWERS),
        ]
    text = (
        f"{len(summary.attention)} tasks need attention"
        if summary.attention
        else "This week's answers to the check-in questions"
    )
    return {"text": text, "blocks": _sections(lines)[: MAX_MESSAGE_BLOCKS - 1]}


def feedback_prompt(vendor: Vendor) -> Message:
    """The weekly question in a vendor's channel; the answers are its thread replies."""
    text = (
        f":speech_balloon: *A quick question for {escape(vendor.name)}*: is anything blocking "
        "you, and what could we do better? Reply in this thread; the team reads every answer."
    )
    return {
        "text": f"A quick question for {escape(vendor.name)}: what is blocking you?",
        "blocks": [_section(text)],
    }


def health_text(health: Health, *, emoji: bool = True) -> str:
    """`:red_circle: red (3 overdue)`."""
    reasons = f" ({', '.join(health.reasons)})" if health.reasons else ""
    mark = f"{HEALTH_EMOJI[health.mark]} " if emoji else ""
    return f"{mark}{health.mark.value}{reasons}"


def slips_text(slips: Slips | None) -> str:
    """`2 due dates moved (+5 d in all)`, or "" without any."""
    if slips is None or not slips.count:
        return ""
    dates = "1 due date" if slips.count == 1 else f"{slips.count} due dates"
    return f"{dates} moved later (+{slips.days} d in all)"


def _digest_row(
    row: VendorRow,
    spend: VendorSpend | None = None,
    slips: Slips | None = None,
    away: Mapping[str, Away] | None = None,
) -> str:
    c = row.current
    p = row.previous if row.previous is not None else _NO_FIGURES
    vendor = row.vendor
    paused = " · paused" if vendor.paused else ""
    delivered = f", {c.delivered} delivered" if c.delivered else ""
    answered = (
        f"answered {c.answered}/{c.checkins} ({_percent(c.response_rate)})"
        + _vs(_points(c.response_rate), _points(p.response_rate), unit=" pts")
        + f" · median {format_duration_minutes(c.median_response_minutes)}"
        if c.checkins
        else "no check-ins"
    )
    ratings = (
        f"ratings {_score(c.quality)}/{_score(c.timeliness)}/{_score(c.communication)}"
        f" ({c.ratings})"
        if c.ratings
        else "no ratings"
    )
    return (
        f"{HEALTH_EMOJI[row.health.mark]} *{escape(vendor.name)}* "
        f"{channel_link(vendor.channel_id)}{paused}\n"
        f"completed {c.completed}{_vs(c.completed, p.completed)} ({c.late} late) · "
        f"open {c.open}{delivered} · overdue {c.overdue}{_vs(c.overdue, p.overdue)} · "
        f"at risk {c.at_risk} · blocked {c.blocked}{_vs(c.blocked, p.blocked)} · "
        f"{answered} · {ratings}\n"
        + (f"spend {spend_text(spend)}\n" if spend and spend.worth_showing else "")
        + (f"{vendor_blocks.away_digest_text(away)}\n" if away else "")
        + (f"{slips_text(slips)}\n" if slips_text(slips) else "")
        + f"_{health_text(row.health, emoji=False)}_"
    )


def digest_message(digest: Digest) -> Message:
    """The internal digest for SUMMARY_CHANNEL: a row per vendor and their own feedback."""
    vendors = f"{len(digest.rows)} vendor" + ("" if len(digest.rows) == 1 else "s")
    head = f":clipboard: *Vendor digest* · {period_text(digest.period, digest.tz)} · {vendors}"
    blocks: list[dict[str, Any]] = [_section(head)]
    rows = [
        _digest_row(
            row,
            digest.spend.get(row.vendor.id or 0),
            digest.slips.get(row.vendor.id or 0),
            digest.away.get(row.vendor.id or 0),
        )
        for row in digest.rows
    ] or ["No vendors yet."]
    blocks += _sections(rows)
    if digest.answers:
        quoted: list[str] = ["*Answers to your check-in questions*"]
        shown_vendor: int | None = None
        for vendor, answer in digest.answers[-MAX_DIGEST_ANSWERS:]:
            if vendor.id != shown_vendor:  # answers come by time: a heading per vendor run
                quoted.append(f"• *{escape(vendor.name)}* {channel_link(vendor.channel_id)}")
                shown_vendor = vendor.id
            quoted += vendor_blocks.answers_quote_lines([answer])
        blocks += _sections(quoted)
    if digest.feedback:
        said = [
            f"• *{escape(vendor.name)}*, {mention(item.user_id)}: {escape(item.text)[:600]}"
            for vendor, item in digest.feedback
        ]
        blocks += _sections(["*What vendors told us since the last digest*", *said])
    else:
        blocks.append(_section("*What vendors told us since the last digest*\nNo feedback."))
    if digest.overdue_reviews:
        blocks += _sections(
            [
                "*Waiting on us: reviews past the vendor's review time*",
                *overdue_review_lines(digest.overdue_reviews, digest.made_at),
            ]
        )
    blocks = blocks[: MAX_MESSAGE_BLOCKS - 1]
    blocks.append(
        _context(
            "In brackets: the change from the previous digest's period (vendors that existed "
            "through it). Ratings: quality/timeliness/"
            "communication, 1 to 5. " + HEALTH_LEGEND
        )
    )
    marks = [row.health.mark for row in digest.rows]
    red, yellow = marks.count(Mark.RED), marks.count(Mark.YELLOW)
    paused = marks.count(Mark.PAUSED)
    text = f"Vendor digest: {vendors}, {red} red, {yellow} yellow" + (
        f", {paused} paused" if paused else ""
    )
    return {"text": text, "blocks": blocks}


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def _home_task_line(item: HomeTask) -> str:
    task, vendor = item.row.task, item.row.vendor
    mark = ":warning: " if item.overdue else ""
    review = (
        " · :hourglass_flowing_sand: delivered, waiting for your review"
        if task.status == TaskStatus.DELIVERED
        else ""
    )
    asked = (
        f" · :question: {item.questions} question{'s' if item.questions != 1 else ''} "
        "from the vendor waiting in its thread"
        if item.questions
        else ""
    )
    today = item.today if task.status == TaskStatus.OPEN else None  # delivered: not overdue
    return f"• {mark}{task_line(task, vendor, today)}{review}{asked}"


def _home_vendor_line(
    row: VendorRow, now: datetime | None = None, away: Mapping[str, Away] | None = None
) -> str:
    c = row.current
    ratings = (
        f"quality {_score(c.quality)} · timeliness {_score(c.timeliness)} · "
        f"communication {_score(c.communication)} ({c.ratings} rated)"
        if c.ratings
        else "no ratings yet"
    )
    paused = " · paused" if row.vendor.paused else ""
    trial = trial_text(row.vendor, now) if now else None
    paused += f" · {trial}" if trial else ""
    return (
        f"{HEALTH_EMOJI[row.health.mark]} *{escape(row.vendor.name)}* "
        f"{channel_link(row.vendor.channel_id)}{paused}\n"
        f"Response rate {_percent(c.response_rate)} ({c.answered}/{c.checkins}) · "
        f"on time {_percent(c.on_time_rate)} ({c.on_time}/{c.completed}) · {ratings}"
        + (f"\n_{', '.join(row.health.reasons)}_" if row.health.reasons else "")
        + (f"\n{vendor_blocks.away_digest_text(away)}" if away else "")
    )


def home_outsider_view() -> dict[str, Any]:
    """The Home tab for someone outside the team (a vendor's people in Slack Connect)."""
    text = (
        "Hi! This bot helps the team you work with keep track of shared tasks. You'll find "
        "its check-ins in your shared channel: answer them with the buttons, or reply in "
        "the thread like `#12 on track`."
    )
    return {"type": "home", "blocks": [_section(text)]}


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


def home_view(overview: HomeOverview) -> dict[str, Any]:
    """The App Home tab: the viewer's open tasks (overdue first) and each vendor's health."""
    blocks: list[dict[str, Any]] = [_header("Your open tasks")]
    if overview.tasks:
        blocks += _sections([_home_task_line(item) for item in overview.tasks])
        if overview.more_tasks:
            blocks.append(_context("Only the soonest due are shown; `/delegate list` has all."))
    else:
        blocks.append(_section("You have no open tasks. Delegate one with `/delegate`."))
    if overview.overdue_reviews:
        blocks += [{"type": "divider"}, _header("Vendors waiting on us")]
        blocks += _sections(
            [
                "Deliveries past their vendor's review time, by owner:",
                *overdue_review_lines(overview.overdue_reviews, overview.made_at),
            ]
        )
    blocks += [
        {"type": "divider"},
        _header("Vendor health"),
        _context(
            f"{overview.first_day:%a %-d %b} to {overview.last_day:%a %-d %b %Y}, each vendor's "
            "own calendar. " + HEALTH_LEGEND
        ),
    ]
    room = MAX_HOME_BLOCKS - len(blocks) - 1
    shown = overview.vendors if len(overview.vendors) <= room else overview.vendors[: room - 1]
    blocks += [
        _section(
            _home_vendor_line(row, overview.made_at, overview.away.get(row.vendor.id or 0))[
                :_SECTION_CHARS
            ]
        )
        for row in shown
    ]
    if not overview.vendors:
        blocks.append(_section("No vendors yet. Add one with `/delegate vendor add #channel`."))
    elif len(shown) < len(overview.vendors):
        blocks.append(_context(f"And {len(overview.vendors) - len(shown)} more vendors."))
    blocks.append(_context(f"Updated {overview.made_at:%a %-d %b %H:%M} UTC"))
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}


def summary_posted_reply(vendor: Vendor, summary: VendorSummary) -> Message:
    thread = " with the overdue and blocked tasks in its thread" if summary.attention else ""
    return plain_reply(
        f":white_check_mark: Posted the summary for *{escape(vendor.name)}* in "
        f"{channel_link(vendor.channel_id)}{thread}."
    )


def report_sent_reply(first_day: date, last_day: date, counts: dict[str, int]) -> Message:
    plural = {
        "task": "tasks",
        "status_update": "status updates",
        "response": "responses",
        "feedback": "ratings",
        "vendor_feedback": "vendor feedback",
        "review": "reviews",
        "due_date_change": "due date changes",
        "answer": "answers",
    }
    singular = {"feedback": "rating"}

    def word(kind: str, n: int) -> str:
        if n == 1:
            return singular.get(kind, kind.replace("_", " "))
        return plural.get(kind, kind.replace("_", " "))

    listed = ", ".join(f"{n} {word(kind, n)}" for kind, n in counts.items())
    return plain_reply(
        f":white_check_mark: Sent the report for {first_day:%a %-d %b %Y} to "
        f"{last_day:%a %-d %b %Y} to your direct messages ({listed})."
    )


# --------------------------------------------------------------------------- lifecycle

# The trial prompt's buttons (a DM to whoever added the vendor); the value of each is
# "<vendor id>:<trial end date>", see bot.lifecycle.read_trial_value.
TRIAL_KEEP_ACTION = "trial_keep"
TRIAL_EXTEND_ACTION = "trial_extend"
TRIAL_END_ACTION = "trial_end"
TRIAL_ACTIONS: dict[str, TrialDecision] = {
    TRIAL_KEEP_ACTION: TrialDecision.KEEP,
    TRIAL_EXTEND_ACTION: TrialDecision.EXTEND,
    TRIAL_END_ACTION: TrialDecision.END,
}
VERDICT_EMOJI = {
    Verdict.IMPROVING: ":chart_with_upwards_trend:",
    Verdict.STEADY: ":left_right_arrow:",
    Verdict.SLIPPING: ":chart_with_downwards_trend:",
    Verdict.NOT_ENOUGH_DATA: ":grey_question:",
}
MAX_LISTED_TASKS = 20


def trial_text(vendor: Vendor, now: datetime) -> str | None:
    """`on trial: 12 days left (ends Thu 31 Dec 2026)`, by the vendor's own date; None when
    the vendor is not on trial."""
    if vendor.trial_ends_on is None:
        return None
    today = vendor_today(vendor, now)
    left = (vendor.trial_ends_on - today).days
    ends = f"{vendor.trial_ends_on:%a %-d %b %Y}"
    if left > 1:
        return f"on trial: {left} days left (ends {ends})"
    if left == 1:
        return f"on trial: 1 day left (ends {ends})"
    if left == 0:
        return f"on trial: ends today ({ends})"
    return f"trial ended {ends}, waiting for a decision"


def money_settings_text(vendor: Vendor) -> str | None:
    """`currency EUR · rate EUR 35.00/h · budget EUR 2,000.00 a month`, when any is set
    beyond the default currency. Only ever in replies the requester alone sees."""
    c = vendor.currency
    parts = [f"currency {c}"]
    if vendor.hourly_rate_minor is not None:
        parts.append(f"rate {format_money(vendor.hourly_rate_minor, c)}/h")
    if vendor.monthly_budget_minor is not None:
        parts.append(f"budget {format_money(vendor.monthly_budget_minor, c)} a month")
    if len(parts) == 1 and c == "USD":
        return None
    return " · ".join(parts)


def spend_text(spend: VendorSpend) -> str:
    """`this week EUR 450.00 · December 2026 EUR 1,650.00 of EUR 2,000.00 (82%) · to date
    EUR 3,210.00`."""
    c = spend.currency
    month = f"{spend.month:%B %Y} {format_money(spend.this_month, c)}"
    if spend.budget:
        month += f" of {format_money(spend.budget, c)} ({spend.budget_percent}%)"
    return (
        f"this week {format_money(spend.this_week, c)} · {month} · "
        f"to date {format_money(spend.to_date, c)}"
    )


def cost_set_reply(task: Task, vendor: Vendor, cost_minor: int | None) -> Message:
    what = (
        f"now costs {format_money(cost_minor, vendor.currency)}"
        if cost_minor is not None
        else "no longer has a cost"
    )
    return plain_reply(
        f":white_check_mark: Task *#{task.id}* {escape(task.title)} {what}. Costs count as "
        "spend once a task is done, and are never shown in the vendor's channel."
    )


def _ratio(value: Fraction | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{float(value):.{digits}f}"


def _rate(value: Fraction | None) -> str:
    return "n/a" if value is None else f"{float(value):.0%}"


def _days_late(value: Fraction | None) -> str:
    return "n/a" if value is None else f"{float(value):.1f} days"


def card_lines(f: CardFigures) -> list[str]:
    """A scorecard's figures over some days, one line each (no money: see spend_text)."""
    late = f" (average {_days_late(f.average_lateness)} late)" if f.late else ""
    answered = (
        f"*Check-ins answered:* {f.answered} of {f.checkins} ({_rate(f.response_rate)}) · "
        f"*median first answer:* {format_duration_minutes(f.median_response_minutes)}"
        if f.checkins
        else "*Check-ins answered:* no check-ins"
    )
    ratings = (
        f"*Ratings* ({f.ratings}): quality {_ratio(f.quality)} · timeliness "
        f"{_ratio(f.timeliness)} · communication {_ratio(f.communication)}"
        if f.ratings
        else "*Ratings:* none"
    )
    changes = (
        f"*Changes requested:* {f.changes_requested} of {f.deliveries} deliveries "
        f"({_ratio(f.changes_per_delivery, 2)} per delivery)"
        if f.deliveries
        else "*Changes requested:* no deliveries"
    )
    return [f"*Done:* {f.on_time} on time, {f.late} late{late}", answered, ratings, changes]


def verdict_text(trend: Trend) -> str:
    """`:chart_with_upwards_trend: *Verdict: improving* · on time 50% → 75% (…)`."""
    parts: list[str] = []
    if trend.on_time_compared:
        parts.append(
            f"on time {_rate(trend.previous.on_time_rate)} → {_rate(trend.last.on_time_rate)}"
        )
    if trend.score_compared:
        parts.append(
            f"average score {_ratio(trend.previous.average_score)} → "
            f"{_ratio(trend.last.average_score)}"
        )
    head = f"{VERDICT_EMOJI[trend.verdict]} *Verdict: {trend.verdict.value}*"
    if not parts:
        return head + (
            f" (to compare, the last {VERDICT_WEEKS} weeks and the {VERDICT_WEEKS} before "
            "each need 2 tasks done, or 2 ratings)"
        )
    return head + f" · {', '.join(parts)} (the last {VERDICT_WEEKS} weeks against the 4 before)"


VERDICT_RULE = (
    f"Verdict: the last {VERDICT_WEEKS} weeks against the {VERDICT_WEEKS} before. A measure "
    "(on-time rate, average score) counts when both blocks have 2+ tasks (ratings): better "
    "by 10 points / 0.3 or more, worse by as much, else level. Slipping if any is worse, "
    "improving if none is worse and one is better, else steady."
)


def _week_line(week: Week, f: CardFigures, partial: bool, currency: str) -> str:
    label = f"{week.monday:%a %-d %b}" + (" (so far)" if partial else "")
    late = f" (avg {_days_late(f.average_lateness)})" if f.late else ""
    answered = (
        f"answered {f.answered}/{f.checkins} ({_rate(f.response_rate)}), median "
        f"{format_duration_minutes(f.median_response_minutes)}"
        if f.checkins
        else "no check-ins"
    )
    ratings = (
        f"ratings {_ratio(f.quality)}/{_ratio(f.timeliness)}/{_ratio(f.communication)} "
        f"({f.ratings})"
        if f.ratings
        else "no ratings"
    )
    changes = (
        f"changes {f.changes_requested}/{f.deliveries} ({_ratio(f.changes_per_delivery, 2)})"
        if f.deliveries
        else "no deliveries"
    )
    return (
        f"*{label}*: {f.on_time} on time, {f.late} late{late} · {answered} · {ratings} · "
        f"{changes} · spend {format_money(f.spend, currency)}"
    )


def scorecard_message(card: Scorecard) -> Message:
    """The scorecard, in the requester's DM only (it holds spend): week by week, the
    verdict, the totals and the money."""
    vendor = card.vendor
    name = escape(vendor.name)
    first = card.rows[0].week.monday
    head = (
        f":bar_chart: *Scorecard for {name}* {channel_link(vendor.channel_id)} · "
        f"{len(card.rows)} weeks, {first:%a %-d %b} to {card.today:%a %-d %b %Y} (so far)"
    )
    weeks = [_week_line(row.week, row.figures, row.partial, vendor.currency) for row in card.rows]
    blocks: list[dict[str, Any]] = [_section(head), _section(verdict_text(card.trend))]
    blocks += _sections(["*Week by week* (weeks start on Monday, the vendor's calendar)", *weeks])
    blocks.append(
        _section(
            f"*Over the {len(card.rows)} weeks*\n"
            + "\n".join(card_lines(card.total))
            + f"\n*Spend in these weeks:* {format_money(card.total.spend, vendor.currency)}"
            + f"\n*Due dates moved:* {slips_text(card.slips) or 'none'}"
        )
    )
    blocks.append(_section(f":moneybag: *Spend* (internal): {spend_text(card.spend)}"))
    blocks.append(
        _context(
            "Ratings: quality/timeliness/communication, 1 to 5. Changes: deliveries sent back "
            "for changes, of those made that week. Spend: the cost of tasks done. " + VERDICT_RULE
        )
    )
    return {
        "text": f"Scorecard for {name}: {card.trend.verdict.value}",
        "blocks": blocks[:MAX_MESSAGE_BLOCKS],
    }


def scorecard_chart_title(card: Scorecard) -> str:
    return f"{card.vendor.name[:60]}: on-time rate and average score, {len(card.rows)} weeks"


def scorecard_chart_alt(card: Scorecard) -> str:
    """The chart's alternative text: what it shows, week by week."""
    points = [
        f"{row.week.monday:%-d %b} {_rate(row.figures.on_time_rate)} on time, score "
        f"{_ratio(row.figures.average_score)}"
        for row in card.rows
    ]
    return ("Weekly on-time rate (blue) and average score (orange): " + "; ".join(points))[:1000]


def scorecard_sent_reply(vendor: Vendor) -> Message:
    return plain_reply(
        f":white_check_mark: Sent the scorecard for *{escape(vendor.name)}* to your direct "
        "messages, with its chart. It shows spend, so it never goes to a channel."
    )


def _trial_decision_text(card: TrialCard) -> str:
    decision = card.decision
    assert decision is not None
    who = mention(decision.decided_by)
    when = f"{decision.decided_at:%a %-d %b %Y}"
    name = escape(card.vendor.name)
    if decision.decision == TrialDecision.KEEP:
        return f":white_check_mark: *Kept* by {who} on {when}: {name} is no longer on trial."
    if decision.decision == TrialDecision.EXTEND and decision.new_trial_ends_on:
        return (
            f":arrows_counterclockwise: *Extended* by {who} on {when}: the trial now ends "
            f"{decision.new_trial_ends_on:%a %-d %b %Y}; I'll ask again 3 working days before."
        )
    return (
        f":stop_sign: *Ended* by {who} on {when}: {name} is paused (no more check-ins) and "
        "nothing was cancelled. Reassign the open tasks listed here; "
        f"`/delegate vendor resume {channel_link(card.vendor.channel_id)}` undoes the pause."
    )


def _trial_buttons(card: TrialCard) -> dict[str, Any]:
    value = f"{card.vendor.id}:{card.ends_on.isoformat()}"
    name = card.vendor.name[:40]
    return {
        "type": "actions",
        "block_id": f"trial:{value}",
        "elements": [
            {
                "type": "button",
                "action_id": TRIAL_KEEP_ACTION,
                "text": {"type": "plain_text", "text": "Keep"},
                "style": "primary",
                "value": value,
            },
            {
                "type": "button",
                "action_id": TRIAL_EXTEND_ACTION,
                "text": {"type": "plain_text", "text": "Extend 2 weeks"},
                "value": value,
            },
            {
                "type": "button",
                "action_id": TRIAL_END_ACTION,
                "text": {"type": "plain_text", "text": "End"},
                "style": "danger",
                "value": value,
                "confirm": {
                    "title": {"type": "plain_text", "text": "End the trial?"},
                    "text": {
                        "type": "plain_text",
                        "text": f"{name} will be paused: no more check-ins. Open tasks stay "
                        "open, to reassign.",
                    },
                    "confirm": {"type": "plain_text", "text": "End the trial"},
                    "deny": {"type": "plain_text", "text": "Cancel"},
                    "style": "danger",
                },
            },
        ],
    }


def trial_judgement_text(judgement: TrialJudgement) -> str:
    """`:white_check_mark: *Verdict: meets the bar* · on time 90% ✓ · …` and the rule."""
    checks = " · ".join(
        f"{m.name} {m.value} {':white_check_mark:' if m.passed else ':x:'}"
        for m in judgement.measures
    )
    if not judgement.enough_data:
        done = f"{judgement.sample} task{'' if judgement.sample == 1 else 's'}"
        head = f":grey_question: *Verdict: not enough data yet* ({done} done or delivered)"
    elif judgement.passed:
        head = ":white_check_mark: *Verdict: meets the bar*"
    else:
        short = ", ".join(m.name for m in judgement.failed)
        head = f":warning: *Verdict: falls short* on {short}"
    return head + (f" · {checks}" if checks else "") + f"\n_{THRESHOLDS_TEXT}_"


def trial_prompt_message(card: TrialCard) -> Message:
    """The DM to whoever added a vendor on trial: the trial's figures, verdict, spend and
    open tasks, with Keep / Extend 2 weeks / End; once decided, the decision instead."""
    vendor = card.vendor
    name = escape(vendor.name)
    ends = f"{card.ends_on:%a %-d %b %Y}"
    channel = channel_link(vendor.channel_id)
    if card.decision is None:
        left = card.days_left
        when = (
            f"in {left} days"
            if left > 1
            else "tomorrow"
            if left == 1
            else "today"
            if left == 0
            else f"{-left} days ago"
        )
        head = (
            f":hourglass_flowing_sand: *{name}*'s trial ({channel}) ends *{ends}* ({when}). "
            "Keep them, extend the trial by 2 weeks, or end it?"
        )
    else:
        head = f":hourglass_flowing_sand: *{name}*'s trial ({channel}), ending {ends}."
    c = vendor.currency
    figures = (
        f"*The trial so far* ({card.started_on:%a %-d %b} to {card.today:%a %-d %b %Y}):\n"
        + "\n".join(f"• {line}" for line in card_lines(card.figures))
        + f"\n• *Spend during the trial:* {format_money(card.figures.spend, c)} "
        f"({spend_text(card.spend)})"
    )
    ended = card.decision is not None and card.decision.decision == TrialDecision.END
    listed = card.open_tasks[:MAX_LISTED_TASKS]
    heading = "Open tasks to reassign" if ended else "Open tasks"
    tasks = (
        [f"*{heading}* ({len(card.open_tasks)})"]
        + ["• " + task_line(task, today=card.today) for task in listed]
        if listed
        else ["*Open tasks:* none."]
    )
    blocks: list[dict[str, Any]] = [
        _section(head),
        _section(figures),
        _section(trial_judgement_text(judge_trial(card.figures))),
        *_sections(tasks),
    ]
    if card.decision is None:
        blocks.append(_trial_buttons(card))
        blocks.append(
            _context(
                "One decision per trial. Keep ends the trial; Extend moves its end 2 weeks "
                "on; End pauses the vendor's check-ins and cancels nothing."
            )
        )
    else:
        blocks.append(_section(_trial_decision_text(card)))
    return {"text": f"{name}'s trial ends {ends}: keep, extend or end?", "blocks": blocks}


def budget_alert(vendor: Vendor, spend: VendorSpend, threshold: int) -> Message:
    """A DM to whoever added the vendor: its spend this month crossed 80 % or 100 %."""
    c = vendor.currency
    name = escape(vendor.name)
    spent = (
        f"{format_money(spend.this_month, c)} of {format_money(spend.budget or 0, c)} in "
        f"{spend.month:%B %Y} ({spend.budget_percent}%)"
    )
    if threshold >= 100:
        head = (
            f":rotating_light: *{name}* ({channel_link(vendor.channel_id)}) has reached its "
            f"monthly budget: {spent}."
        )
    else:
        head = (
            f":money_with_wings: *{name}* ({channel_link(vendor.channel_id)}) has used "
            f"{threshold}% of its monthly budget: {spent}."
        )
    return {
        "text": f"{name}: {threshold}% of the monthly budget",
        "blocks": [
            _section(head),
            _context(
                "Spend is the cost of tasks done this month (the vendor's calendar). You hear "
                "about 80% and 100% once a month each; `/delegate scorecard "
                f"{channel_link(vendor.channel_id)}` has the details."
            ),
        ],
    }


# --------------------------------------------------------------------------- mistakes

REGISTER_AND_DELEGATE_ACTION = "pending_task_register"
CANCEL_PENDING_TASK_ACTION = "pending_task_cancel"


def pending_task_reply(channel_id: str, title: str, value: str) -> Message:
    """A task for a channel that is not a vendor yet: nothing is written or posted until the
    requester presses Register and delegate (the `value` carries the task)."""
    text = (
        f":raised_hand: {channel_link(channel_id)} is not a vendor yet, so nothing was created "
        f"or posted. Delegating *{escape(title)}* there registers it as a vendor with the "
        "defaults: it gets check-ins and summaries, and a shared channel shows them to "
        "the other company too. Is that channel meant to be a vendor's?"
    )
    return {
        "text": text,
        "blocks": [
            _section(text),
            {
                "type": "actions",
                "block_id": "pending_task",
                "elements": [
                    {
                        "type": "button",
                        "action_id": REGISTER_AND_DELEGATE_ACTION,
                        "text": {"type": "plain_text", "text": "Register and delegate"},
                        "style": "primary",
                        "value": value,
                    },
                    {
                        "type": "button",
                        "action_id": CANCEL_PENDING_TASK_ACTION,
                        "text": {"type": "plain_text", "text": "Cancel"},
                        "value": value,
                    },
                ],
            },
            _context(
                "Only you see this. To pick settings first, use "
                f"`/delegate vendor add {channel_link(channel_id)} tz:… checkins:…`."
            ),
        ],
    }


def pending_task_cancelled_reply() -> Message:
    return plain_reply("Cancelled: nothing was created or posted.")


def vendor_removed_reply(vendor: Vendor, open_tasks: int) -> Message:
    kept = f" Its {open_tasks} open task(s) are kept but hidden." if open_tasks else ""
    return plain_reply(
        f":white_check_mark: {escape(vendor.name)} ({channel_link(vendor.channel_id)}) is "
        "removed: no more check-ins, reminders, summaries or prompts, and it is out of "
        f"`/delegate vendor list`, the digest, the Home tab and reports.{kept} Its history "
        f"is kept. Undo with `/delegate vendor restore {channel_link(vendor.channel_id)}`; "
        "`/delegate vendor list removed` shows removed vendors."
    )


def vendor_restored_reply(vendor: Vendor) -> Message:
    state = " It is still paused: `/delegate vendor resume`." if vendor.paused else ""
    return plain_reply(
        f":white_check_mark: {escape(vendor.name)} ({channel_link(vendor.channel_id)}) is "
        f"back, with its settings and history.{state}"
    )


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
