"""The internal digest: each team's, in its digest channel (`/delegate settings`, else
SUMMARY_CHANNEL), at the latest occurrence of DIGEST_CADENCE (`fri@16:00`) in the team's time
zone (else DEFAULT_TIMEZONE); claimed per team in team_posts with the vendors' grace window,
lease and retries (`claims`), and no day-off rule (it is the team's own channel). A refusal
from Slack (the bot is not in that channel) is logged as an error and the claim marked
failed; no vendor is paused for it."""

from __future__ import annotations

import logging
from dataclasses import replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import OperationalError

from bot import blocks, periods
from bot import summaries as summary_rules
from bot.config import Settings
from bot.schedule_rules import DEFAULT_SUMMARY_TIME, parse_cadence, previous_slot
from bot.scheduling import claims
from bot.scheduling.calendar import Occurrence
from bot.scheduling.context import Tick, logger
from bot.scheduling.rate_limits import TeamClients
from storage import schedule, vendors
from storage import workspaces as workspace_settings
from storage.database import transaction

DIGEST_KIND = periods.DIGEST_KIND
DIGEST_CADENCE = periods.DIGEST_CADENCE


def post_due_digests(tick: Tick, settings: Settings, clients: TeamClients) -> None:
    """Each team's digest in its digest channel, once per occurrence."""
    with transaction(tick.engine) as session:
        teams = schedule.list_teams(session)
        own = workspace_settings.settings_of(session, teams)
    cadence = parse_cadence(DIGEST_CADENCE, DEFAULT_SUMMARY_TIME)
    for team_id in teams:
        client = clients.for_team(team_id)
        mine = own.get(team_id)
        channel = (mine.digest_channel if mine else None) or settings.summary_channel or ""
        zone = (mine.timezone if mine else None) or settings.default_timezone
        if client is None or not channel:
            continue
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            tick.report.errors += 1
            logger.error("scheduler: the time zone %r of team %s is unusable", zone, team_id)
            continue
        slot = previous_slot(cadence, tz, tick.now)
        if slot is None:
            continue
        occurrence = Occurrence(slot.local_date, slot.instant, slot.key)
        try:
            _post_team_digest(replace(tick, client=client), team_id, channel, tz, occurrence)
        except OperationalError:
            raise
        except Exception:
            tick.report.errors += 1
            logger.exception("scheduler: the digest for team %s failed this tick", team_id)


def _post_team_digest(
    tick: Tick, team_id: str, channel: str, tz: ZoneInfo, occurrence: Occurrence
) -> None:
    target = claims.team_target(team_id, channel)
    existing = claims.find(tick, target, DIGEST_KIND, occurrence.key)
    if not tick.is_open(existing):
        return
    late = tick.now - occurrence.at
    if late > tick.policy.grace:
        reason = f"missed by {late}, past the {tick.policy.grace} grace window"
        claims.skip(
            tick, target, DIGEST_KIND, occurrence.key, existing, reason, level=logging.WARNING
        )
        return
    with transaction(tick.engine) as session:
        digest = summary_rules.team_digest(session, team_id, tz, tick.now)
        if vendors.find_vendor_by_channel(session, team_id, channel) is not None:
            # Spend is never shown in a vendor's channel, even a misconfigured one.
            logger.error("scheduler: SUMMARY_CHANNEL %s is a vendor's channel", channel)
            digest = replace(digest, spend={})
    post = claims.take(tick, target, DIGEST_KIND, occurrence.key, existing)
    if post is not None:
        claims.post_claimed(tick, target, post, blocks.digest_message(digest))
