"""Block Kit for a vendor's scorecard (the requester's DM only: it holds spend): week by
week, the verdict, the totals and the chart's title and alternative text.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from bot.blocks.common import (
    Message,
    capped,
    channel_link,
    context,
    format_duration_minutes,
    plain_reply,
    section,
    sections,
)
from bot.blocks.figures import slips_text
from bot.blocks.spend import spend_text
from bot.money import format_money
from bot.scorecards import VERDICT_WEEKS, CardFigures, Scorecard, Trend, Verdict
from bot.slack_text import counted, escape
from bot.summaries import (
    Week,
)
from storage.models import (
    Vendor,
)

VERDICT_EMOJI = {
    Verdict.IMPROVING: ":chart_with_upwards_trend:",
    Verdict.STEADY: ":left_right_arrow:",
    Verdict.SLIPPING: ":chart_with_downwards_trend:",
    Verdict.NOT_ENOUGH_DATA: ":grey_question:",
}


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
    weeks_shown = counted(len(card.rows), "week")
    head = (
        f":bar_chart: *Scorecard for {name}* {channel_link(vendor.channel_id)} · "
        f"{weeks_shown}, {first:%a %-d %b} to {card.today:%a %-d %b %Y} (so far)"
    )
    weeks = [_week_line(row.week, row.figures, row.partial, vendor.currency) for row in card.rows]
    blocks: list[dict[str, Any]] = [section(head), section(verdict_text(card.trend))]
    blocks += sections(["*Week by week* (weeks start on Monday, the vendor's calendar)", *weeks])
    blocks.append(
        section(
            f"*Over the {weeks_shown}*\n"
            + "\n".join(card_lines(card.total))
            + f"\n*Spend in these weeks:* {format_money(card.total.spend, vendor.currency)}"
            + f"\n*Due dates moved:* {slips_text(card.slips) or 'none'}"
        )
    )
    blocks.append(section(f":moneybag: *Spend* (internal): {spend_text(card.spend)}"))
    blocks.append(
        context(
            "Ratings: quality/timeliness/communication, 1 to 5. Changes: deliveries sent back "
            "for changes, of those made that week. Spend: the cost of tasks done. " + VERDICT_RULE
        )
    )
    return {
        "text": f"Scorecard for {name}: {card.trend.verdict.value}",
        "blocks": capped(blocks),
    }


def scorecard_chart_title(card: Scorecard) -> str:
    weeks_shown = counted(len(card.rows), "week")
    return f"{card.vendor.name[:60]}: on-time rate and average score, {weeks_shown}"


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
