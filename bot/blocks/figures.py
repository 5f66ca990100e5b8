"""How a period's figures read, for the summary, the digest and Home: the figures with
their change from the previous period, and a vendor's health mark.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import (
    format_duration_minutes,
)
from bot.periods import Period
from bot.slack_text import (
    escape,
)
from bot.summaries import (
    MIN_SAMPLE,
    Figures,
    Health,
    Mark,
)
from storage.slips import Slips

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


class _NoFigures:
    """Stands for "no previous period to compare with": every figure is None, so no
    change is shown in brackets."""

    def __getattr__(self, name: str) -> None:
        return None


NO_FIGURES: Any = _NoFigures()


def _signed(number: float, digits: int = 0) -> str:
    if round(number, digits) == 0:
        return "±0"
    text = f"{abs(number):.{digits}f}"
    return f"+{text}" if number > 0 else f"-{text}"


def versus(current: float | None, previous: float | None, digits: int = 0, unit: str = "") -> str:
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


def percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.0%}"


def score_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def figure_lines(current: Figures, previous: Figures | None) -> list[str]:
    """The period's figures; in brackets the change from the previous period (when the
    vendor existed through it, else no brackets)."""
    c = current
    p = previous if previous is not None else NO_FIGURES
    delivered = f", {c.delivered} delivered and awaiting review" if c.delivered else ""
    rate = c.response_rate
    answered = (
        f"*Check-ins answered:* {c.answered} of {c.checkins} ({percent(rate)})"
        + versus(points(rate), points(p.response_rate), unit=" pts")
        + f" · *median time to first answer:* {format_duration_minutes(c.median_response_minutes)}"
        + _vs_duration(c.median_response_minutes, p.median_response_minutes)
        if c.checkins
        else "*Check-ins answered:* no check-ins"
    )
    ratings = (
        f"*Ratings* ({c.ratings}): quality {score_text(c.quality)}{versus(c.quality, p.quality, 1)}"
        f" · timeliness {score_text(c.timeliness)}{versus(c.timeliness, p.timeliness, 1)}"
        f" · communication {score_text(c.communication)}"
        f"{versus(c.communication, p.communication, 1)}"
        if c.ratings
        else "*Ratings:* none"
    )
    return [
        f"*Completed:* {c.completed}{versus(c.completed, p.completed)} "
        f"({c.on_time} on time, {c.late} late)",
        f"*Open:* {c.open}{versus(c.open, p.open)}{delivered}",
        f"*Overdue:* {c.overdue}{versus(c.overdue, p.overdue)} · "
        f"*At risk:* {c.at_risk}{versus(c.at_risk, p.at_risk)} · "
        f"*Blocked:* {c.blocked}{versus(c.blocked, p.blocked)}",
        answered,
        ratings,
    ]


def points(rate: float | None) -> float | None:
    return None if rate is None else rate * 100


def period_text(period: Period, tz: ZoneInfo) -> str:
    """`Fri 27 Nov 16:00 to Fri 4 Dec 2026 16:00 (since the vendor was added)`."""
    return period.label(tz) + (" (since the vendor was added)" if period.from_addition else "")


def health_text(health: Health, *, emoji: bool = True) -> str:
    """`:red_circle: red (3 overdue)`."""
    # A paused vendor's reason is the pause reason someone typed: escaped like all user text.
    reasons = f" ({', '.join(map(escape, health.reasons))})" if health.reasons else ""
    mark = f"{HEALTH_EMOJI[health.mark]} " if emoji else ""
    return f"{mark}{health.mark.value}{reasons}"


def slips_text(slips: Slips | None) -> str:
    """`2 due dates moved (+5 d in all)`, or "" without any."""
    if slips is None or not slips.count:
        return ""
    dates = "1 due date" if slips.count == 1 else f"{slips.count} due dates"
    return f"{dates} moved later (+{slips.days} d in all)"
