"""Block Kit for a vendor on trial: the trial's line in vendor listings, and the prompt to
whoever added it with the trial's figures and Keep / Extend 2 weeks / End.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.common import (
    Message,
    channel_link,
    context,
    mention,
    plain_text,
    section,
    sections,
    task_line,
)
from bot.blocks.elements import actions, button
from bot.blocks.ids import (
    TRIAL_END_ACTION,
    TRIAL_EXTEND_ACTION,
    TRIAL_KEEP_ACTION,
)
from bot.blocks.scorecards import card_lines
from bot.blocks.spend import spend_text
from bot.money import format_money
from bot.schedule_rules import vendor_today
from bot.scorecards import TrialCard
from bot.slack_text import escape
from bot.trial_verdict import THRESHOLDS_TEXT, TrialJudgement, judge_trial
from storage.models import (
    TrialDecision,
    Vendor,
)

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
    confirm = {
        "title": plain_text("End the trial?"),
        "text": plain_text(
            f"{name} will be paused: no more check-ins. Open tasks stay open, to reassign."
        ),
        "confirm": plain_text("End the trial"),
        "deny": plain_text("Cancel"),
        "style": "danger",
    }
    buttons = [
        button(TRIAL_KEEP_ACTION, "Keep", value, "primary"),
        button(TRIAL_EXTEND_ACTION, "Extend 2 weeks", value),
        button(TRIAL_END_ACTION, "End", value, "danger", confirm=confirm),
    ]
    return actions(f"trial:{value}", buttons)


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
        section(head),
        section(figures),
        section(trial_judgement_text(judge_trial(card.figures))),
        *sections(tasks),
    ]
    if card.decision is None:
        blocks.append(_trial_buttons(card))
        blocks.append(
            context(
                "One decision per trial. Keep ends the trial; Extend moves its end 2 weeks "
                "on; End pauses the vendor's check-ins and cancels nothing."
            )
        )
    else:
        blocks.append(section(_trial_decision_text(card)))
    return {"text": f"{name}'s trial ends {ends}: keep, extend or end?", "blocks": blocks}
