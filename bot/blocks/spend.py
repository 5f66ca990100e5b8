"""Block Kit for money: a vendor's rate and budget, its spend, a task's cost, and the
budget alert. Spend is only ever shown to the team, never in a vendor's channel.
"""

from __future__ import annotations

from bot.blocks.common import (
    Message,
    channel_link,
    context,
    plain_reply,
    section,
)
from bot.money import format_money
from bot.slack_text import escape
from bot.spend import VendorSpend
from storage.models import (
    Task,
    Vendor,
)


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
            section(head),
            context(
                "Spend is the cost of tasks done this month (the vendor's calendar). You hear "
                "about 80% and 100% once a month each; `/delegate scorecard "
                f"{channel_link(vendor.channel_id)}` has the details."
            ),
        ],
    }
