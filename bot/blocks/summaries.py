"""Block Kit for a vendor's summary in its channel, its thread, the weekly question, and
the replies to `/delegate summary` and `/delegate report`.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.blocks import vendor_side
from bot.blocks.checkins import STATUS_EMOJI, STATUS_LABELS
from bot.blocks.common import (
    MAX_MESSAGE_BLOCKS,
    Message,
    capped,
    channel_link,
    context,
    format_due,
    one_line,
    plain_reply,
    section,
    sections,
    task_line,
)
from bot.blocks.figures import figure_lines, period_text
from bot.schedule_rules import vendor_today
from bot.slack_text import escape
from bot.summaries import (
    VendorSummary,
)
from storage.models import (
    ReviewOutcome,
    Task,
    TaskUpdate,
    Vendor,
)
from storage.summaries import AttentionTask

QUESTION_QUOTE_LENGTH = 200  # a vendor's question quoted in "Waiting on us"
MAX_DIGEST_ANSWERS = 15  # the newest answers to the team's questions quoted in the digest


def summary_message(summary: VendorSummary) -> Message:
    """The summary in a vendor's channel: an alignment note (bot.alignment) about that
    vendor only; its rates, ratings and trends too when its `figures:` setting is on.
    Nobody is mentioned: the owners hear about overdue and blocked tasks in the thread."""
    vendor, note = summary.vendor, summary.note
    name = escape(vendor.name)
    tz = ZoneInfo(vendor.timezone)
    head = f":bar_chart: *Weekly summary for {name}* · {period_text(summary.period, tz)}"
    blocks = [section(head)]

    def short(task: Task) -> str:
        return f"*#{task.id}* {escape(task.title)}"

    def day(moment: datetime | None) -> str:
        return f"{moment.astimezone(tz):%a %-d %b}" if moment else ""

    delivered = [f"• {short(task)}" for task in note.delivered]
    if delivered:
        blocks += sections([":tada: *Delivered since the last summary*: thank you!", *delivered])
    else:
        blocks.append(section(":tada: *Delivered since the last summary*: nothing this time."))
    due = [
        f"• {short(task)} · due {format_due(task.due_date, note.today)}" for task in note.due_soon
    ]
    blocks += sections(
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
        blocks += sections(["*Blocked or at risk*: what it waits on", *stuck])
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
                f"“{escape(one_line(question.text, QUESTION_QUOTE_LENGTH))}”"
            )
        blocks += sections(["*Waiting on us*", *waiting])
    if vendor.show_figures:
        blocks.append(section("\n".join(figure_lines(summary.current, summary.previous))))
        if summary.previous is not None:
            blocks.append(context("In brackets: the change from the previous summary's period."))
    if summary.attention:
        blocks.append(
            context("The overdue and blocked tasks, with their owners, are in this thread.")
        )
    c = summary.current  # counts, not rates: fine for the vendor's own channel
    text = (
        f"Weekly summary for {name}: {c.completed} completed, {c.open} open, "
        f"{c.overdue} overdue, {c.blocked} blocked"
    )
    return {"text": text, "blocks": capped(blocks)}


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
            *vendor_side.answers_quote_lines(summary.answers, limit=MAX_DIGEST_ANSWERS),
        ]
    text = (
        f"{len(summary.attention)} tasks need attention"
        if summary.attention
        else "This week's answers to the check-in questions"
    )
    return {"text": text, "blocks": capped(sections(lines), MAX_MESSAGE_BLOCKS - 1)}


def feedback_prompt(vendor: Vendor) -> Message:
    """The weekly question in a vendor's channel; the answers are its thread replies."""
    text = (
        f":speech_balloon: *A quick question for {escape(vendor.name)}*: is anything blocking "
        "you, and what could we do better? Reply in this thread; the team reads every answer."
    )
    return {
        "text": f"A quick question for {escape(vendor.name)}: what is blocking you?",
        "blocks": [section(text)],
    }


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
