"""Block Kit for the App Home tab: the viewer's open tasks, the reviews we owe, and each
vendor's health.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.absences import Away
from bot.blocks import vendor_side
from bot.blocks.common import (
    MAX_HOME_BLOCKS,
    SECTION_CHARS,
    capped,
    channel_link,
    context,
    header,
    section,
    sections,
    task_line,
)
from bot.blocks.figures import HEALTH_EMOJI, HEALTH_LEGEND, percent, score_text
from bot.blocks.reviews import overdue_review_lines
from bot.blocks.trials import trial_text
from bot.slack_text import counted, escape
from bot.summaries import (
    HomeOverview,
    HomeTask,
    VendorRow,
)
from storage.models import (
    TaskStatus,
)


def _home_task_line(item: HomeTask) -> str:
    task, vendor = item.row.task, item.row.vendor
    mark = ":warning: " if item.overdue else ""
    review = (
        " · :hourglass_flowing_sand: delivered, waiting for your review"
        if task.status == TaskStatus.DELIVERED
        else ""
    )
    asked = (
        f" · :question: {counted(item.questions, 'question')} from the vendor waiting in its thread"
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
        f"quality {score_text(c.quality)} · timeliness {score_text(c.timeliness)} · "
        f"communication {score_text(c.communication)} ({c.ratings} rated)"
        if c.ratings
        else "no ratings yet"
    )
    paused = " · paused" if row.vendor.paused else ""
    trial = trial_text(row.vendor, now) if now else None
    paused += f" · {trial}" if trial else ""
    return (
        f"{HEALTH_EMOJI[row.health.mark]} *{escape(row.vendor.name)}* "
        f"{channel_link(row.vendor.channel_id)}{paused}\n"
        f"Response rate {percent(c.response_rate)} ({c.answered}/{c.checkins}) · "
        f"on time {percent(c.on_time_rate)} ({c.on_time}/{c.completed}) · {ratings}"
        + (f"\n_{', '.join(map(escape, row.health.reasons))}_" if row.health.reasons else "")
        + (f"\n{vendor_side.away_digest_text(away)}" if away else "")
    )


def home_outsider_view() -> dict[str, Any]:
    """The Home tab for someone outside the team (a vendor's people in Slack Connect)."""
    text = (
        "Hi! This bot helps the team you work with keep track of shared tasks. You'll find "
        "its check-ins in your shared channel: answer them with the buttons, or reply in "
        "the thread like `#12 on track`."
    )
    return {"type": "home", "blocks": [section(text)]}


def home_view(overview: HomeOverview) -> dict[str, Any]:
    """The App Home tab: the viewer's open tasks (overdue first) and each vendor's health."""
    blocks: list[dict[str, Any]] = [header("Your open tasks")]
    if overview.tasks:
        blocks += sections([_home_task_line(item) for item in overview.tasks])
        if overview.more_tasks:
            blocks.append(context("Only the soonest due are shown; `/delegate list` has all."))
    else:
        blocks.append(section("You have no open tasks. Delegate one with `/delegate`."))
    if overview.overdue_reviews:
        blocks += [{"type": "divider"}, header("Vendors waiting on us")]
        blocks += sections(
            [
                "Deliveries past their vendor's review time, by owner:",
                *overdue_review_lines(overview.overdue_reviews, overview.made_at),
            ]
        )
    blocks += [
        {"type": "divider"},
        header("Vendor health"),
        context(
            f"{overview.first_day:%a %-d %b} to {overview.last_day:%a %-d %b %Y}, each vendor's "
            "own calendar. " + HEALTH_LEGEND
        ),
    ]
    room = MAX_HOME_BLOCKS - len(blocks) - 1
    shown = overview.vendors if len(overview.vendors) <= room else overview.vendors[: room - 1]
    blocks += [
        section(
            _home_vendor_line(row, overview.made_at, overview.away.get(row.vendor.saved_id))[
                :SECTION_CHARS
            ]
        )
        for row in shown
    ]
    if not overview.vendors:
        blocks.append(section("No vendors yet. Add one with `/delegate vendor add #channel`."))
    elif len(shown) < len(overview.vendors):
        blocks.append(context(f"And {len(overview.vendors) - len(shown)} more vendors."))
    blocks.append(context(f"Updated {overview.made_at:%a %-d %b %H:%M} UTC"))
    return {"type": "home", "blocks": capped(blocks, MAX_HOME_BLOCKS)}
