"""Review reminders (kind `review_reminder`, occurrence `delivery:<id>`): one direct message to
the owner of each delivery not reviewed within its vendor's review time (`review:`).

After the vendors' turns, with one query for every team (few deliveries wait at any time).
No grace window and no day-off rule: it is the team's own work, and a late reminder beats
none. Paused vendors' deliveries wait like the rest of their messages."""

from __future__ import annotations

from dataclasses import replace

from bot import blocks
from bot.scheduling import claims
from bot.scheduling.context import Tick
from bot.scheduling.rate_limits import TeamClients
from storage.database import transaction
from storage.models import PostKind
from storage.overdue_reviews import overdue_reviews


def post_due_review_reminders(tick: Tick, clients: TeamClients) -> None:
    kind = PostKind.REVIEW_REMINDER
    with transaction(tick.engine) as session:
        due = overdue_reviews(session, None, tick.now)
    for item in due:
        vendor = item.vendor
        client = clients.for_team(vendor.team_id)
        if vendor.paused or client is None:  # a workspace uninstalled: nothing goes out
            continue
        target = claims.vendor_target(vendor)
        key = f"delivery:{item.delivery.id}"
        existing = claims.find(tick, target, kind, key)
        if not tick.is_open(existing):
            continue
        owner = item.task.owner_id
        post = claims.take(tick, target, kind, key, existing, channel_id=owner)
        if post is not None:
            message = blocks.review_reminder(item, tick.now)
            claims.post_claimed(replace(tick, client=client), target, post, message, to_user=owner)
