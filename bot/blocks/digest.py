"""Block Kit for the internal digest in SUMMARY_CHANNEL: a row per vendor, their answers
and their feedback, and the reviews we owe.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.absences import Away
from bot.blocks import vendor_side
from bot.blocks.common import (
    MAX_MESSAGE_BLOCKS,
    Message,
    capped,
    channel_link,
    context,
    format_duration_minutes,
    mention,
    section,
    sections,
)
from bot.blocks.figures import (
    HEALTH_EMOJI,
    HEALTH_LEGEND,
    NO_FIGURES,
    health_text,
    percent,
    period_text,
    points,
    score_text,
    slips_text,
    versus,
)
from bot.blocks.reviews import overdue_review_lines
from bot.blocks.spend import spend_text
from bot.blocks.summaries import MAX_DIGEST_ANSWERS
from bot.slack_text import escape
from bot.spend import VendorSpend
from bot.summaries import (
    Digest,
    Mark,
    VendorRow,
)
from storage.slips import Slips


def _digest_row(
    row: VendorRow,
    spend: VendorSpend | None = None,
    slips: Slips | None = None,
    away: Mapping[str, Away] | None = None,
) -> str:
    c = row.current
    p = row.previous if row.previous is not None else NO_FIGURES
    vendor = row.vendor
    paused = " · paused" if vendor.paused else ""
    delivered = f", {c.delivered} delivered" if c.delivered else ""
    answered = (
        f"answered {c.answered}/{c.checkins} ({percent(c.response_rate)})"
        + versus(points(c.response_rate), points(p.response_rate), unit=" pts")
        + f" · median {format_duration_minutes(c.median_response_minutes)}"
        if c.checkins
        else "no check-ins"
    )
    ratings = (
        f"ratings {score_text(c.quality)}/{score_text(c.timeliness)}/{score_text(c.communication)}"
        f" ({c.ratings})"
        if c.ratings
        else "no ratings"
    )
    return (
        f"{HEALTH_EMOJI[row.health.mark]} *{escape(vendor.name)}* "
        f"{channel_link(vendor.channel_id)}{paused}\n"
        f"completed {c.completed}{versus(c.completed, p.completed)} ({c.late} late) · "
        f"open {c.open}{delivered} · overdue {c.overdue}{versus(c.overdue, p.overdue)} · "
        f"at risk {c.at_risk} · blocked {c.blocked}{versus(c.blocked, p.blocked)} · "
        f"{answered} · {ratings}\n"
        + (f"spend {spend_text(spend)}\n" if spend and spend.worth_showing else "")
        + (f"{vendor_side.away_digest_text(away)}\n" if away else "")
        + (f"{slips_text(slips)}\n" if slips_text(slips) else "")
        + f"_{health_text(row.health, emoji=False)}_"
    )


def digest_message(digest: Digest) -> Message:
    """The internal digest for SUMMARY_CHANNEL: a row per vendor and their own feedback."""
    vendors = f"{len(digest.rows)} vendor" + ("" if len(digest.rows) == 1 else "s")
    head = f":clipboard: *Vendor digest* · {period_text(digest.period, digest.tz)} · {vendors}"
    blocks: list[dict[str, Any]] = [section(head)]
    rows = [
        _digest_row(
            row,
            digest.spend.get(row.vendor.saved_id),
            digest.slips.get(row.vendor.saved_id),
            digest.away.get(row.vendor.saved_id),
        )
        for row in digest.rows
    ] or ["No vendors yet."]
    blocks += sections(rows)
    if digest.answers:
        quoted: list[str] = ["*Answers to your check-in questions*"]
        shown_vendor: int | None = None
        for vendor, answer in digest.answers[-MAX_DIGEST_ANSWERS:]:
            if vendor.id != shown_vendor:  # answers come by time: a heading per vendor run
                quoted.append(f"• *{escape(vendor.name)}* {channel_link(vendor.channel_id)}")
                shown_vendor = vendor.id
            quoted += vendor_side.answers_quote_lines([answer])
        blocks += sections(quoted)
    if digest.feedback:
        said = [
            f"• *{escape(vendor.name)}*, {mention(item.user_id)}: {escape(item.text)[:600]}"
            for vendor, item in digest.feedback
        ]
        blocks += sections(["*What vendors told us since the last digest*", *said])
    else:
        blocks.append(section("*What vendors told us since the last digest*\nNo feedback."))
    if digest.overdue_reviews:
        blocks += sections(
            [
                "*Waiting on us: reviews past the vendor's review time*",
                *overdue_review_lines(digest.overdue_reviews, digest.made_at),
            ]
        )
    blocks = capped(blocks, MAX_MESSAGE_BLOCKS - 1)  # and the legend below
    blocks.append(
        context(
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
