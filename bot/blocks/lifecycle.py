"""Block Kit for a vendor's life: added, listed, paused, its settings and holidays, removed
and restored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from bot.blocks.common import (
    ELLIPSIS,
    Message,
    channel_link,
    lines_reply,
    mention,
    plain_reply,
)
from bot.blocks.spend import money_settings_text
from bot.blocks.trials import trial_text
from bot.slack_text import escape
from storage.models import (
    Vendor,
)


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
        return lines_reply([f"*Removed vendors* ({len(vendors)})", *lines])
    if not vendors:
        return plain_reply(
            "*Vendors*\nNo vendors yet. Add one with `/delegate vendor add #channel`."
        )
    lines = [vendor_line(v, now) for v in vendors]
    return lines_reply([f"*Vendors* ({len(vendors)})", *lines])


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
        days = sorted(own | set(public))
        for day in days[:MAX_HOLIDAY_LINES]:
            sources = [f"{escape(public[day])} ({country})"] if day in public else []
            if day in own:
                sources.append("own day off")
            lines.append(f"• {day:%a %-d %b %Y}: " + ", ".join(sources))
        if len(days) > MAX_HOLIDAY_LINES:
            lines.append(f"{ELLIPSIS} and {len(days) - MAX_HOLIDAY_LINES} more.")
        lines.append("No check-ins, reminders, summaries or trial prompts fall on these days.")
    else:
        lines.append(
            f"*{escape(vendor.name)}* has no upcoming holidays. Add some with "
            f"`/delegate vendor holiday {channel} add 2026-12-25`, or a country's public "
            f"holidays with `/delegate vendor set {channel} holidays:PH`."
        )
    return lines_reply(lines)


MAX_HOLIDAY_LINES = 80


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
