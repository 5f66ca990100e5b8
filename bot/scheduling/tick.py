"""One tick: every vendor's turn (on SCHEDULER_WORKERS threads), then the review reminders,
the digests and the sweep of abandoned claims.

A vendor's turn does, in this order, whatever is due at `now` and not done yet: its
lifecycle messages (trial prompt, budget alerts), its check-in, the reminders and
escalations of check-ins nobody answered, its summary and its feedback prompt. A turn reads
and claims only its own vendor's rows, each step in a short transaction of its own, so turns
need no coordination beyond the claims. Threads rather than asyncio because every step
blocks (the sync WebClient, SQLAlchemy sessions) and stays as it is; the engine's pool
(5 + 10 overflow by default) covers the workers.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime

from slack_sdk import WebClient
from sqlalchemy.exc import OperationalError

from bot.deps import Deps
from bot.installations import WorkspaceClients
from bot.scheduling.budget_alerts import post_due_budget_alerts
from bot.scheduling.calendar import (
    FOLLOW_UP_LOOKBACK,
    MAX_HOLIDAYS,
    calendar_for,
    holidays_since,
    known_claims,
    load_calendar,
)
from bot.scheduling.checkins import post_due_checkin
from bot.scheduling.context import (
    SchedulePolicy,
    Tick,
    TickReads,
    TickReport,
    logger,
    this_process,
)
from bot.scheduling.digests import post_due_digests
from bot.scheduling.escalations import send_due_escalations
from bot.scheduling.feedback_prompts import post_due_feedback_prompt
from bot.scheduling.rate_limits import TeamClients
from bot.scheduling.reminders import post_due_reminders
from bot.scheduling.review_reminders import post_due_review_reminders
from bot.scheduling.summaries import post_due_summary
from bot.scheduling.trial_prompts import post_due_trial_prompt
from storage import holidays, schedule
from storage.database import transaction
from storage.models import PostKind, Vendor


def run_tick(
    deps: Deps,
    client: WebClient | WorkspaceClients,
    now: datetime,
    *,
    policy: SchedulePolicy | None = None,
) -> TickReport:
    """Do everything due at or before `now` (aware UTC) that is not done yet, once.

    A problem with one vendor (bad settings, a bug) is logged and the others go on; a
    database that stops answering ends the tick with the exception (the loop logs it and
    tries again at the next tick).
    """
    if now.tzinfo is None:
        raise ValueError("run_tick needs an aware datetime (UTC)")
    # Each workspace's own client (many-workspace mode: its token from the installation
    # store, one query per tick); workspaces without a token (uninstalled) are left alone.
    clients = client if isinstance(client, WorkspaceClients) else WorkspaceClients.single(client)
    clients.refresh(now)
    tick = Tick(
        engine=deps.engine,
        client=clients.base,
        now=now.astimezone(UTC),
        policy=policy or SchedulePolicy(),
        report=TickReport(now=now),
        claimant=this_process(),
    )
    with transaction(tick.engine) as session:
        vendors = schedule.list_active_vendors(session)
    vendors = _interleave_by_team([v for v in vendors if clients.installed(v.team_id)])
    tick.reads = _read_for_every_vendor(tick, vendors)
    team_clients = TeamClients(clients, pooled=deps.settings.scheduler_workers > 1)
    _run_vendors(tick, vendors, deps.settings.scheduler_workers, team_clients)
    post_due_review_reminders(tick, team_clients)
    # Every tick: a workspace may have its own digest channel (`/delegate settings`) even
    # when SUMMARY_CHANNEL is unset.
    post_due_digests(tick, deps.settings, team_clients)
    cutoff = tick.now - tick.policy.grace - tick.policy.lease
    tick.report.abandoned = schedule.skip_abandoned_claims(
        tick.engine,
        claimed_before=cutoff,
        reason="abandoned: not posted within the grace window",
    )
    if tick.report.abandoned:
        logger.warning("scheduler: closed %d abandoned claim(s)", tick.report.abandoned)
    return tick.report


def _read_for_every_vendor(tick: Tick, vendors: Sequence[Vendor]) -> TickReads:
    """The tick's reads about every vendor at once (see TickReads): three queries."""
    with transaction(tick.engine) as session:
        days_off = holidays.holidays_by_vendor(
            session, [v.id or 0 for v in vendors], since=holidays_since(tick), limit=MAX_HOLIDAYS
        )
        awaiting = {
            str(kind): schedule.vendors_awaiting(
                session,
                follow_up=kind,
                sent_since=tick.now - FOLLOW_UP_LOOKBACK,
                stale_before=tick.stale_before,
            )
            for kind in (PostKind.REMINDER, PostKind.ESCALATION)
        }
    return TickReads(holidays=days_off, awaiting=awaiting)


def _interleave_by_team(vendors: Sequence[Vendor]) -> list[Vendor]:
    """Each workspace's first vendor, then each one's second, and so on (order otherwise
    kept): Slack's limits are per workspace, so posts spread across workspaces go out
    while one workspace's budget refills, instead of queueing behind it. One workspace:
    the order is unchanged."""
    rank: dict[str, int] = {}
    keyed = []
    for position, vendor in enumerate(vendors):
        turn = rank.get(vendor.team_id, 0)
        rank[vendor.team_id] = turn + 1
        keyed.append((turn, position, vendor))
    return [vendor for _turn, _position, vendor in sorted(keyed, key=lambda k: k[:2])]


def _run_vendors(tick: Tick, vendors: Sequence[Vendor], workers: int, clients: TeamClients) -> None:
    """Every vendor's turn, `workers` at a time (one after another with 1 worker).

    Each turn counts into a report of its own, added to the tick's when it is done, so
    workers share nothing but the engine and the WebClient (both thread-safe). A database
    that stops answering (OperationalError) cancels the turns not started yet and ends the
    tick with that exception, as it always did.
    """
    if workers <= 1 or len(vendors) <= 1:
        for vendor in vendors:
            client = clients.for_team(vendor.team_id)
            if client is not None:
                _run_vendor_guarded(replace(tick, client=client), vendor)
        return
    stop = threading.Event()

    def turn(vendor: Vendor) -> TickReport:
        client = clients.for_team(vendor.team_id)
        own = replace(tick, client=client or tick.client, report=TickReport(now=tick.report.now))
        if client is None:
            return own.report
        if not stop.is_set():
            try:
                _run_vendor_guarded(own, vendor)
            except OperationalError:
                stop.set()
                raise
        return own.report

    failure: OperationalError | None = None
    size = min(workers, len(vendors))
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="scheduler") as pool:
        for future in [pool.submit(turn, vendor) for vendor in vendors]:
            try:
                tick.report.add(future.result())
            except OperationalError as error:
                failure = failure or error
    if failure is not None:
        raise failure


def _run_vendor_guarded(tick: Tick, vendor: Vendor) -> None:
    """One vendor's turn; a failure other than the database's is logged and counted."""
    try:
        _run_vendor(tick, vendor)
    except OperationalError:
        raise  # the database is gone: every other vendor would fail the same way
    except Exception:
        tick.report.errors += 1
        logger.exception("scheduler: vendor %s failed this tick", vendor.id)


def _run_vendor(tick: Tick, vendor: Vendor) -> None:
    """One vendor's turn. A step that finds the vendor's channel unreachable (the vendor is
    now paused) returns False and ends the turn."""
    calendar = load_calendar(tick, vendor)
    if calendar is None:
        return
    prompt_cadence = vendor.feedback_cadence or vendor.summary_cadence
    tick = replace(tick, known=known_claims(tick, vendor, calendar, prompt_cadence))
    post_due_trial_prompt(tick, vendor, calendar)
    post_due_budget_alerts(tick, vendor, calendar)
    if not post_due_checkin(tick, vendor, calendar):
        return
    if not post_due_reminders(tick, vendor, calendar):
        return
    send_due_escalations(tick, vendor, calendar)
    summary_calendar = calendar_for(tick, vendor, calendar, vendor.summary_cadence)
    if summary_calendar is not None and not post_due_summary(tick, vendor, summary_calendar):
        return
    prompt_calendar = calendar_for(tick, vendor, calendar, prompt_cadence)
    if prompt_calendar is not None:
        post_due_feedback_prompt(tick, vendor, prompt_calendar)
