"""Budget alerts (kind `budget_alert`, occurrence `2026-12@80`): a direct message to whoever
added the vendor as soon as its spend this month (its calendar) reaches 80 % / 100 % of its
budget, so once a month per threshold; both reached at once sends the 100 % one and records
the 80 % one skipped."""

from __future__ import annotations

from bot import blocks
from bot import summaries as summary_rules
from bot.scheduling import claims
from bot.scheduling.calendar import VendorCalendar
from bot.scheduling.context import Tick
from bot.spend import budget_alert_key, crossed_thresholds, month_span, vendor_spend
from storage import schedule
from storage.database import transaction
from storage.models import PostKind, Vendor


def post_due_budget_alerts(tick: Tick, vendor: Vendor, calendar: VendorCalendar) -> None:
    budget = vendor.monthly_budget_minor or 0
    if not budget:
        return
    today = calendar.local_date(tick.now)
    month = month_span(today, tick.now)
    with transaction(tick.engine) as session:
        week = summary_rules.week_of(today).span(tick.now)
        spend = vendor_spend(session, vendor, week, month, tick.now)
    crossed = crossed_thresholds(spend.this_month, budget)
    if not crossed:
        return
    target = claims.vendor_target(vendor)
    kind, top = PostKind.BUDGET_ALERT, crossed[-1]
    key = budget_alert_key(month.first_day, top)
    with transaction(tick.engine) as session:
        existing = schedule.find_claim(session, target.key(kind, key))
        lower = {
            threshold: schedule.find_claim(
                session, target.key(kind, budget_alert_key(month.first_day, threshold))
            )
            for threshold in crossed[:-1]
        }
    if not tick.is_open(existing):
        return
    post = claims.take(tick, target, kind, key, existing, channel_id=vendor.added_by)
    if post is None:
        return
    for threshold, found in lower.items():
        if found is None:  # crossed together with a higher one: that message says it all
            reason = f"crossed together with {top}%"
            occurrence = budget_alert_key(month.first_day, threshold)
            claims.skip(tick, target, kind, occurrence, None, reason)
    message = blocks.budget_alert(vendor, spend, top)
    claims.post_claimed(tick, target, post, message, to_user=vendor.added_by)
