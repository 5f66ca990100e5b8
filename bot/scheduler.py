"""Scheduled posts: what is due at `now`, claimed once across processes, then posted.

`run_tick(deps, client, now)` looks at every vendor that is not paused and does whatever is
due at `now` and not yet done: the check-in of the latest occurrence of its cadence, a
reminder in the thread of a check-in nobody answered, a direct message to the owners when a
check-in is still unanswered at the next one, the weekly summary (`summary_cadence`) and the
weekly feedback prompt (`feedback_cadence`, or with the summary). With SUMMARY_CHANNEL set
it then posts each team's internal digest. Running it twice with the same `now` sends
nothing new, so the loop can run it every 30 seconds in any number of processes.

The rules, in one place:

- **Occurrences** are computed from the vendor's cadence in its own time zone by walking
  local dates (`bot.schedule_rules`), so 09:00 stays 09:00 local across DST, and are keyed
  by local date and slot (`2026-03-09T09:00`), never by a UTC instant. A cadence with
  several slots a day (`weekdays@09:00,15:00`) has one occurrence per slot, each claimed
  on its own; a spring-gap slot pushed to or past a later slot that day is dropped
  (`schedule_rules.day_slots`).
- An occurrence from before the vendor was added is never due: a vendor added at 14:00
  gets its first check-in at its next occurrence, not a catch-up of that morning's.
- **Claim before post.** A `ScheduledPost` row, unique per (vendor, kind, occurrence), is
  committed before Slack is called; whoever fails to insert it does nothing. The outcome
  is recorded in a second transaction once Slack has answered.
- **Grace window** (`GRACE`, 6 h): only the latest occurrence at or before `now` is ever
  considered. If it is older than the grace window when first seen (the bot was down), it
  is recorded as skipped and logged, never posted, and nothing older is posted in a burst.
  Reminders and escalations get the same window, counted from when they fell due.
- **Lease** (`CLAIM_LEASE`, 10 min): a claim still `claimed` with no message after the lease
  belongs to a process that died between claim and post. The next tick re-takes it with one
  conditional UPDATE (only one process matches) and posts it if still within the grace
  window, or marks it skipped if not. Transient failures use the same path: the claim's
  lease is made to have run out, so it is retried at the next tick and never lost. A lease
  far longer than one post can take (slack_sdk's retries wait seconds) means a live process
  never has its claim taken away.
- **Days off** (`vendor.workdays`, `Holiday` rows and the public holidays of
  `vendor.public_holidays` from the `holidays` package, the vendor's local dates): no check-in
  whose occurrence falls on a day off, no reminder while the vendor's today is a day off.
  A reminder that falls due on a day off waits for the first working-day tick, but is
  dropped (recorded skipped) once its grace window has passed or the next working check-in
  is due: that check-in asks again, and its thread is where answers belong.
- **Days away** (`VendorAbsence`, said from a check-in's Away… form; `bot.absences`): a
  person's own. While everyone who speaks for the vendor is away, its check-ins,
  reminders and escalations are recorded skipped; otherwise reminders leave out the
  people away, escalations leave out their tasks, and the check-in says who is away.
- **Escalation** happens at the next *working* occurrence after the check-in (the moment
  the next check-in is due), so a vendor always gets one full working day to answer.
- **Summaries and feedback prompts** follow the same rules as check-ins: occurrences of the
  vendor's `summary_cadence` (and `feedback_cadence`, which defaults to the summary's) in its
  time zone, claimed per (vendor, kind, occurrence), the grace window, and the same days
  off: nothing on a day the vendor does not work. With the summary's, the prompt is a
  second message right after it (its thread is where the vendor's answers go). A summary
  with nothing to report (no task open or finished, no check-in, no rating, this week or
  last) and a prompt to a vendor without work in the last two weeks are recorded skipped.
  The summary's thread reply (overdue and blocked tasks) is posted right after it under
  the same claim; should that one reply fail it is logged, not retried, so the summary is
  never posted twice.
- **The digest** (SUMMARY_CHANNEL set): `DIGEST_CADENCE` (`fri@16:00`) in DEFAULT_TIMEZONE,
  one per team, claimed in `team_posts` (unique per team, kind and occurrence) with the
  same grace window, lease and retries; no day-off rule (it is the team's own channel).
  A refusal from Slack (the bot is not in that channel) is logged as an error and the
  claim marked failed; no vendor is paused for it.
- **Lifecycle messages** (bot.lifecycle) are direct messages to whoever added the vendor,
  claimed like the rest (the claim's channel is that person's id) and retried the same way;
  a refusal is logged, and the vendor is not paused for it. The **trial prompt** (kind
  `trial_prompt`, occurrence the trial's end date) is due on the third working day before
  the end (the vendor's workdays and holidays) at its check-in time; it has no grace
  window: as long as the trial waits for a decision a late prompt beats none. **Budget
  alerts** (kind `budget_alert`, occurrence `2026-12@80`) are due as soon as the vendor's
  spend this month (its calendar) reaches 80 % / 100 % of its budget, so once a month per
  threshold; both reached at once sends the 100 % one and records the 80 % one skipped.
  Paused vendors get neither, like the rest.
- **Permanent refusals** for the vendor's channel (archived, deleted, bot removed): the
  claim is marked failed, the vendor paused with `pause_reason="unreachable: <error>"`,
  and whoever added it told once by direct message. Refusals of the bot's own token or
  scopes (`invalid_auth`, `missing_scope`...) are not the vendor's fault: the vendor is not
  paused and the claim is retried like a transient failure, so nothing is lost once the
  token is fixed.
- **Vendors in parallel**: a tick runs the vendors' turns on `SCHEDULER_WORKERS` threads
  (default 8). A turn reads and claims only its own vendor's rows, each step in a short
  transaction of its own, so turns need no coordination beyond the claims; a 429 from
  Slack makes that one worker wait out Retry-After while the others go on posting in other
  channels, and the workers refused wait together (`_SharedRateLimitWait`) so that they do
  not use up their retries racing one another for Slack's refilled budget. Threads rather
  than asyncio because every step blocks (the sync WebClient, SQLAlchemy sessions) and
  stays as it is. The engine's pool (5 + 10 overflow by default) covers the workers; on
  SQLite one writer at a time commits and the others wait on the busy timeout.
"""

from __future__ import annotations

import copy
import logging
import os
import random
import socket
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from time import monotonic, sleep
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot import absences, blocks, lifecycle, periods, slack_channels, summaries
from bot.checkin_questions import questions_of
from bot.config import Settings
from bot.deps import Deps
from bot.errors import UsageError
from bot.installations import WorkspaceClients, purge_expired
from bot.public_holidays import public_holidays
from bot.schedule_rules import (
    DEFAULT_CHECKIN_TIME,
    DEFAULT_SUMMARY_TIME,
    Cadence,
    next_occurrence,
    parse_cadence,
    parse_workdays,
    previous_slot,
    vendor_today,
)
from bot.spend import budget_alert_key, crossed_thresholds, month_span, spend_by_vendor
from storage import audit, holidays, schedule, vendors
from storage import workspaces as workspace_settings
from storage.checkins import checkin_rows
from storage.database import transaction, without_password
from storage.models import (
    PostKind,
    PostState,
    ScheduledPost,
    Task,
    TaskStatus,
    TeamPost,
    Vendor,
)
from storage.overdue_reviews import overdue_reviews
from storage.summaries import has_recent_work

logger = logging.getLogger(__name__)

GRACE = timedelta(hours=6)
CLAIM_LEASE = timedelta(minutes=10)
TICK_INTERVAL = timedelta(seconds=30)
# A tick's workers wait out Slack's 429s together (_SharedRateLimitWait): one post may be
# refused this many times, within this long (far less than CLAIM_LEASE), before its claim
# is given back for the next tick.
RATE_LIMIT_RETRIES = 10
RATE_LIMIT_WAIT = timedelta(minutes=2)
# How far back unanswered check-ins are looked at for reminders and escalations: longer
# than a weekly cadence plus a holiday week, short enough to keep the query small.
FOLLOW_UP_LOOKBACK = timedelta(days=15)
# A working occurrence is searched this many occurrences ahead (weeks of holidays).
MAX_OCCURRENCES_AHEAD = 60
PUBLIC_HOLIDAYS_AHEAD = timedelta(days=7 * MAX_OCCURRENCES_AHEAD + 10)
AUDIT_ACTOR = "scheduler"
EVERYONE_AWAY = "everyone at the vendor is away"
# Each task takes two blocks (its line and its buttons) and Slack allows 50 per message,
# with two more for the header and the progress line. Soonest-due tasks come first.
MAX_TASKS_PER_CHECKIN = blocks.MAX_CHECKIN_TASKS
# The internal digest: once a week in DEFAULT_TIMEZONE, claimed per team in team_posts.
DIGEST_KIND = periods.DIGEST_KIND
DIGEST_CADENCE = periods.DIGEST_CADENCE
# A feedback prompt goes to vendors with an open task or one finished this recently.
FEEDBACK_LOOKBACK = timedelta(days=14)

# Slack errors meaning "this channel cannot be posted in until a person fixes it".
UNREACHABLE_ERRORS = frozenset(
    {"channel_not_found", "is_archived", "channel_is_archived", "not_in_channel"}
)
# Errors about the bot's own token or scopes: every vendor would fail alike, so none is
# paused; retried each tick so the posts go out once the token is fixed.
APP_AUTH_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "no_permission",
        "team_access_not_granted",
    }
)
# Slack's own way of saying "try again later" inside an HTTP 200.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


@dataclass(frozen=True)
class SchedulePolicy:
    """How late is too late, and how long a claim is held before it counts as abandoned."""

    grace: timedelta = GRACE
    lease: timedelta = CLAIM_LEASE


@dataclass
class TickReport:
    """What one tick did, counted per kind of post (checkin, reminder, escalation, notice,
    summary, feedback_prompt, digest)."""

    now: datetime
    posted: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    retrying: Counter[str] = field(default_factory=Counter)
    abandoned: int = 0  # stale claims closed as skipped
    errors: int = 0  # vendors whose turn raised (logged) or whose settings are unusable
    last_error: str | None = None  # why the last post given back for retry was not taken

    @property
    def did_something(self) -> bool:
        counters = (self.posted, self.skipped, self.failed, self.retrying)
        return any(counters) or bool(self.abandoned or self.errors)

    def add(self, other: TickReport) -> None:
        """Count in what another part of the same tick did (a vendor's turn on a worker)."""
        self.posted.update(other.posted)
        self.skipped.update(other.skipped)
        self.failed.update(other.failed)
        self.retrying.update(other.retrying)
        self.abandoned += other.abandoned
        self.errors += other.errors
        self.last_error = other.last_error or self.last_error

    def line(self) -> str:
        """One line for the CLI and the log, e.g. `... posted 2 checkin, 1 reminder`."""
        parts = []
        for label, counts in (
            ("posted", self.posted),
            ("skipped", self.skipped),
            ("failed", self.failed),
            ("retrying", self.retrying),
        ):
            if counts:
                parts.append(f"{label} " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
        if self.abandoned:
            parts.append(f"closed {self.abandoned} abandoned claim(s)")
        if self.errors:
            parts.append(f"{self.errors} vendor(s) with errors")
        when = self.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"tick at {when}: " + ("; ".join(parts) or "nothing due")


@dataclass(frozen=True)
class Occurrence:
    local_date: date  # the vendor's calendar date of the slot
    at: datetime  # its instant, aware UTC
    key: str  # occurrence_key(local_date, slot): what claims are unique on


@dataclass(frozen=True)
class VendorCalendar:
    """A vendor's cadence and working calendar, in its own time zone."""

    tz: ZoneInfo
    cadence: Cadence
    workdays: frozenset[int]
    holidays: frozenset[date]

    @classmethod
    def of(cls, vendor: Vendor, holidays: frozenset[date]) -> VendorCalendar:
        """Raises UsageError, ValueError or ZoneInfoNotFoundError for unusable settings."""
        return cls(
            tz=ZoneInfo(vendor.timezone),
            cadence=parse_cadence(vendor.checkin_cadence, DEFAULT_CHECKIN_TIME),
            workdays=frozenset(parse_workdays(vendor.workdays or "mon-fri")),
            holidays=holidays,
        )

    def with_cadence(self, text: str) -> VendorCalendar:
        """The same zone and days off for another cadence (summaries default to 16:00).
        Raises UsageError for an unusable cadence."""
        return replace(self, cadence=parse_cadence(text, DEFAULT_SUMMARY_TIME))

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def is_day_off(self, day: date) -> bool:
        return day.weekday() not in self.workdays or day in self.holidays

    def latest_occurrence(self, now: datetime) -> Occurrence | None:
        slot = previous_slot(self.cadence, self.tz, now)
        if slot is None:
            return None
        # Keyed by the slot as written (`T15:00`), so each of a day's slots is its own claim.
        return Occurrence(slot.local_date, slot.instant, slot.key)

    def next_working_occurrence(self, after: datetime) -> datetime | None:
        """The first occurrence after `after` on a working day: when the next check-in is due.
        None if there is none in sight (say, a cadence only on the vendor's days off)."""
        if not self.workdays.intersection(self.cadence.days):
            return None
        moment = after
        for _ in range(MAX_OCCURRENCES_AHEAD):
            moment = next_occurrence(self.cadence, self.tz, moment)
            if not self.is_day_off(self.local_date(moment)):
                return moment
        return None


@dataclass(frozen=True)
class _Delivery:
    """How a chat.postMessage went."""

    ts: str | None = None
    error: str | None = None  # Slack's error code, or the exception's class name
    retry: bool = False  # worth trying again at a later tick


@dataclass
class _Tick:
    engine: Engine
    client: WebClient  # the workspace's own client inside a vendor's or a team's turn
    now: datetime
    policy: SchedulePolicy
    report: TickReport
    claimant: str

    @property
    def stale_before(self) -> datetime:
        return self.now - self.policy.lease

    def is_stale(self, post: ScheduledPost | TeamPost) -> bool:
        return (
            post.state == PostState.CLAIMED
            and post.message_ts is None
            and post.claimed_at < self.stale_before
        )


# --------------------------------------------------------------------------- the tick


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
    tick = _Tick(
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
    team_clients = _TeamClients(clients, pooled=deps.settings.scheduler_workers > 1)
    _run_vendors(tick, vendors, deps.settings.scheduler_workers, team_clients)
    _post_due_review_reminders(tick, team_clients)
    # Every tick: a workspace may have its own digest channel (`/delegate settings`) even
    # when SUMMARY_CHANNEL is unset.
    _post_due_digests(tick, deps.settings, team_clients)
    cutoff = tick.now - tick.policy.grace - tick.policy.lease
    tick.report.abandoned = schedule.skip_abandoned_claims(
        tick.engine,
        claimed_before=cutoff,
        reason="abandoned: not posted within the grace window",
    )
    if tick.report.abandoned:
        logger.warning("scheduler: closed %d abandoned claim(s)", tick.report.abandoned)
    return tick.report


def this_process() -> str:
    """Who holds a claim, for the record and for guarded updates: host and pid."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}"


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


class _TeamClients:
    """One tick's client for each workspace. Slack's rate limits are per workspace, so with
    several workers each workspace gets its own _SharedRateLimitWait: a 429 in one workspace
    holds back that workspace's workers only, never another's posts."""

    def __init__(self, clients: WorkspaceClients, pooled: bool) -> None:
        self._clients = clients
        self._pooled = pooled
        self._lock = threading.Lock()
        self._by_team: dict[str, WebClient | None] = {}

    def for_team(self, team_id: str) -> WebClient | None:
        with self._lock:
            if team_id not in self._by_team:
                client = self._clients.for_team(team_id)
                if client is not None and self._pooled:
                    client = _with_shared_rate_limit_wait(client)
                self._by_team[team_id] = client
            return self._by_team[team_id]


def _run_vendors(
    tick: _Tick, vendors: Sequence[Vendor], workers: int, clients: _TeamClients
) -> None:
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


def _run_vendor_guarded(tick: _Tick, vendor: Vendor) -> None:
    """One vendor's turn; a failure other than the database's is logged and counted."""
    try:
        _run_vendor(tick, vendor)
    except OperationalError:
        raise  # the database is gone: every other vendor would fail the same way
    except Exception:
        tick.report.errors += 1
        logger.exception("scheduler: vendor %s failed this tick", vendor.id)


class _SharedRateLimitWait(RateLimitErrorRetryHandler):
    """slack_sdk's retry on HTTP 429, shared by the workers of one tick.

    On its own each worker would sleep its Retry-After plus a random second and come back
    alone, into a budget the other workers have just used up again, and after three
    refusals its post would wait for the next tick. Here a 429 in any worker moves one
    common resume time to its Retry-After, and every worker being refused waits until
    then, so they come back together when Slack's budget has refilled; and one post may
    be refused up to RATE_LIMIT_RETRIES times within RATE_LIMIT_WAIT (nobody waits on the
    scheduler, and that is far inside the claim's lease). Workers not being refused post
    as usual: a 429 can be for one channel only (one post a second per channel), which
    must not hold up the others.
    """

    def __init__(self, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._lock = threading.Lock()
        self._resume_at = 0.0

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        since = float((state.custom_values or {}).get("rate_limited_since", monotonic()))
        waited = monotonic() - since + _retry_after(response)
        return waited <= RATE_LIMIT_WAIT.total_seconds()

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error or RuntimeError("a 429 retry without a response")
        state.next_attempt_requested = True
        if state.custom_values is None:
            state.custom_values = {}
        state.custom_values.setdefault("rate_limited_since", monotonic())
        with self._lock:
            self._resume_at = max(self._resume_at, monotonic() + _retry_after(response))
            resume_at = self._resume_at
        sleep(max(0.0, resume_at - monotonic()) + random.uniform(0, 0.05))
        state.increment_current_attempt()


def _retry_after(response: HttpResponse) -> float:
    """Slack's Retry-After in seconds; 1 if it is missing or unreadable."""
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values and str(values[0]).strip().isdigit():
            return float(values[0])
    return 1.0


def _with_shared_rate_limit_wait(client: WebClient) -> WebClient:
    """A copy of `client` for one tick's workers: its 429 retry handler replaced by a
    _SharedRateLimitWait; the other handlers as they were."""
    handlers = [
        _SharedRateLimitWait(max(handler.max_retry_count, RATE_LIMIT_RETRIES))
        if isinstance(handler, RateLimitErrorRetryHandler)
        else handler
        for handler in client.retry_handlers
    ]
    pooled = copy.copy(client)
    pooled.retry_handlers = handlers
    return pooled


def _run_vendor(tick: _Tick, vendor: Vendor) -> None:
    vendor_id = vendor.id or 0
    try:
        with transaction(tick.engine) as session:
            since = tick.now.date() - FOLLOW_UP_LOOKBACK - timedelta(days=1)
            days_off = holidays.list_holidays(session, vendor_id, since=since, limit=1000)
        # The country's public holidays are days off on top of the vendor's own, far enough
        # ahead for the next working occurrence and a year-long trial's prompt.
        public = public_holidays(
            vendor.public_holidays, since, tick.now.date() + PUBLIC_HOLIDAYS_AHEAD
        )
        calendar = VendorCalendar.of(vendor, frozenset(days_off) | frozenset(public))
    except (UsageError, ValueError, ZoneInfoNotFoundError) as error:
        # Settings are checked when typed, so this is an old or hand-edited row.
        tick.report.errors += 1
        logger.warning("scheduler: vendor %s has unusable settings: %s", vendor_id, error)
        return
    _post_due_lifecycle(tick, vendor, calendar)
    if not _post_due_checkin(tick, vendor, calendar):
        return
    if not _post_due_reminders(tick, vendor, calendar):
        return
    _send_due_escalations(tick, vendor, calendar)
    summary_calendar = _calendar_for(tick, vendor, calendar, vendor.summary_cadence)
    if summary_calendar is not None and not _post_due_summary(tick, vendor, summary_calendar):
        return
    prompt_cadence = vendor.feedback_cadence or vendor.summary_cadence
    prompt_calendar = _calendar_for(tick, vendor, calendar, prompt_cadence)
    if prompt_calendar is not None:
        _post_due_feedback_prompt(tick, vendor, prompt_calendar)


def _calendar_for(
    tick: _Tick, vendor: Vendor, calendar: VendorCalendar, cadence: str
) -> VendorCalendar | None:
    try:
        return calendar.with_cadence(cadence)
    except (UsageError, ValueError) as error:
        tick.report.errors += 1
        logger.warning("scheduler: vendor %s has an unusable cadence: %s", vendor.id, error)
        return None


def _due_occurrence(
    tick: _Tick, vendor: Vendor, calendar: VendorCalendar, kind: PostKind
) -> tuple[Occurrence, ScheduledPost | None] | None:
    """The latest occurrence of the calendar's cadence if it is still to be posted, with
    the stale claim on it if there is one; None if there is nothing to do: not due since
    the vendor was added, a day off, done (or being done by another process), or too late
    (then recorded skipped, once, and logged)."""
    occurrence = calendar.latest_occurrence(tick.now)
    if occurrence is None or occurrence.at < vendor.created_at:
        return None  # nothing was due since the vendor was added
    if calendar.is_day_off(occurrence.local_date):
        return None
    with transaction(tick.engine) as session:
        existing = schedule.find_post(session, vendor.id or 0, kind, occurrence.key)
    if existing is not None and not tick.is_stale(existing):
        return None  # done, or being done by another process
    late = tick.now - occurrence.at
    if late > tick.policy.grace:
        _skip(
            tick,
            vendor,
            kind,
            occurrence.key,
            existing,
            f"missed by {late}, past the {tick.policy.grace} grace window",
            level=logging.WARNING,
        )
        return None
    return occurrence, existing


# --------------------------------------------------------------------------- check-ins


def _post_due_checkin(tick: _Tick, vendor: Vendor, calendar: VendorCalendar) -> bool:
    """Post the check-in of the latest occurrence if due. False if the vendor turned out
    to be unreachable (and is now paused)."""
    kind = PostKind.CHECKIN
    due = _due_occurrence(tick, vendor, calendar, kind)
    if due is None:
        return True
    occurrence, existing = due
    with transaction(tick.engine) as session:
        tasks = schedule.open_tasks_of(session, vendor)[:MAX_TASKS_PER_CHECKIN]
        gone = absences.load_absences(session, vendor.id or 0, occurrence.local_date)
    if not tasks:
        _skip(tick, vendor, kind, occurrence.key, existing, "no open tasks")
        return True
    if absences.everyone_away(tasks, gone, occurrence.local_date):
        _skip(tick, vendor, kind, occurrence.key, existing, EVERYONE_AWAY)
        return True
    post = _take(tick, vendor, kind, occurrence.key, existing, tasks=tasks)
    if post is None:
        return True
    with transaction(tick.engine) as session:
        rows = checkin_rows(session, post)
    today = calendar.local_date(tick.now)
    message = blocks.checkin_message(
        vendor,
        post.id or 0,
        rows,
        today,
        away=absences.away_on(gone, today),
        has_questions=bool(questions_of(vendor)),
    )
    return _post_claimed(tick, vendor, post, message)


# --------------------------------------------------------------------------- summaries


def _post_due_summary(tick: _Tick, vendor: Vendor, calendar: VendorCalendar) -> bool:
    """Post the weekly summary of the latest occurrence if due, then its thread. False if
    the vendor turned out to be unreachable (and is now paused)."""
    kind = PostKind.SUMMARY
    due = _due_occurrence(tick, vendor, calendar, kind)
    if due is None:
        return True
    occurrence, existing = due
    with transaction(tick.engine) as session:
        summary = summaries.vendor_summary(session, vendor, tick.now)
    if summary.is_empty:
        _skip(tick, vendor, kind, occurrence.key, existing, "nothing to report")
        return True
    post = _take(tick, vendor, kind, occurrence.key, existing)
    if post is None:
        return True
    if not _post_claimed(tick, vendor, post, blocks.summary_message(summary)):
        return False
    _post_summary_thread(tick, vendor, post, summary)
    return True


def _post_summary_thread(
    tick: _Tick, vendor: Vendor, post: ScheduledPost, summary: summaries.VendorSummary
) -> None:
    """The overdue and blocked tasks, in the thread of the summary this process just sent."""
    message = blocks.summary_thread(summary)
    if message is None:
        return
    with transaction(tick.engine) as session:
        sent = schedule.find_post(session, vendor.id or 0, PostKind.SUMMARY, post.occurrence)
    if sent is None or sent.state != PostState.SENT or sent.claimed_by != tick.claimant:
        return  # given back for a retry (the next tick posts both) or refused
    delivery = _deliver(tick.client, vendor.channel_id, message, thread_ts=sent.message_ts)
    if delivery.ts is None:
        logger.warning(
            "scheduler: the thread of summary %s for vendor %s was not posted: %s",
            post.occurrence,
            vendor.id,
            delivery.error,
        )


def _post_due_feedback_prompt(tick: _Tick, vendor: Vendor, calendar: VendorCalendar) -> bool:
    """Ask the vendor what blocks them, once per occurrence of its feedback cadence."""
    kind = PostKind.FEEDBACK_PROMPT
    due = _due_occurrence(tick, vendor, calendar, kind)
    if due is None:
        return True
    occurrence, existing = due
    with transaction(tick.engine) as session:
        busy = has_recent_work(session, vendor.id or 0, tick.now - FEEDBACK_LOOKBACK)
    if not busy:
        _skip(tick, vendor, kind, occurrence.key, existing, "no recent tasks")
        return True
    post = _take(tick, vendor, kind, occurrence.key, existing)
    if post is None:
        return True
    return _post_claimed(tick, vendor, post, blocks.feedback_prompt(vendor))


# --------------------------------------------------------------------------- lifecycle


def _post_due_lifecycle(tick: _Tick, vendor: Vendor, calendar: VendorCalendar) -> None:
    """The direct messages about the vendor to whoever added it: the trial prompt and the
    budget alerts (see the module docstring and bot.lifecycle)."""
    if vendor.trial_ends_on is not None:
        _post_due_trial_prompt(tick, vendor, calendar)
    if vendor.monthly_budget_minor:
        _post_due_budget_alerts(tick, vendor, calendar)


def _post_due_trial_prompt(tick: _Tick, vendor: Vendor, calendar: VendorCalendar) -> None:
    ends_on = vendor.trial_ends_on
    assert ends_on is not None
    due_at = lifecycle.trial_prompt_at(
        ends_on, calendar.tz, calendar.cadence.at, calendar.is_day_off
    )
    if tick.now < due_at:
        return
    kind, key = PostKind.TRIAL_PROMPT, ends_on.isoformat()
    with transaction(tick.engine) as session:
        existing = schedule.find_post(session, vendor.id or 0, kind, key)
    if existing is not None and not tick.is_stale(existing):
        return
    with transaction(tick.engine) as session:
        card = lifecycle.prompt_card(session, vendor, tick.now)
    if card is None:
        return
    post = _take(tick, vendor, kind, key, existing, channel_id=vendor.added_by)
    if post is not None:
        message = blocks.trial_prompt_message(card)
        _post_claimed(tick, vendor, post, message, to_user=vendor.added_by)


def _post_due_review_reminders(tick: _Tick, clients: _TeamClients) -> None:
    """One direct message to the owner of each delivery not reviewed within its vendor's
    review time (`review:`), claimed per delivery; after the vendors' turns, with one
    query for every team (few deliveries wait at any time). No grace window and no
    day-off rule: it is the team's own work, and a late reminder beats none. Paused
    vendors' deliveries wait like the rest of their messages."""
    kind = PostKind.REVIEW_REMINDER
    with transaction(tick.engine) as session:
        due = overdue_reviews(session, None, tick.now)
    for item in due:
        vendor = item.vendor
        client = clients.for_team(vendor.team_id)
        if vendor.paused or client is None:  # a workspace uninstalled: nothing goes out
            continue
        key = f"delivery:{item.delivery.id}"
        with transaction(tick.engine) as session:
            existing = schedule.find_post(session, vendor.id or 0, kind, key)
        if existing is not None and not tick.is_stale(existing):
            continue
        owner = item.task.owner_id
        post = _take(tick, vendor, kind, key, existing, channel_id=owner)
        if post is not None:
            message = blocks.review_reminder(item, tick.now)
            _post_claimed(replace(tick, client=client), vendor, post, message, to_user=owner)


def _post_due_budget_alerts(tick: _Tick, vendor: Vendor, calendar: VendorCalendar) -> None:
    budget = vendor.monthly_budget_minor or 0
    today = calendar.local_date(tick.now)
    month = month_span(today, tick.now)
    with transaction(tick.engine) as session:
        spend = spend_by_vendor(
            session,
            vendor.team_id,
            [vendor],
            summaries.week_of(today).span(tick.now),
            month,
            tick.now,
            vendor_id=vendor.id,
        )[vendor.id or 0]
    crossed = crossed_thresholds(spend.this_month, budget)
    if not crossed:
        return
    kind, top = PostKind.BUDGET_ALERT, crossed[-1]
    key = budget_alert_key(month.first_day, top)
    with transaction(tick.engine) as session:
        existing = schedule.find_post(session, vendor.id or 0, kind, key)
        lower = {
            threshold: schedule.find_post(
                session,
                vendor.id or 0,
                kind,
                budget_alert_key(month.first_day, threshold),
            )
            for threshold in crossed[:-1]
        }
    if existing is not None and not tick.is_stale(existing):
        return
    post = _take(tick, vendor, kind, key, existing, channel_id=vendor.added_by)
    if post is None:
        return
    for threshold, found in lower.items():
        if found is None:  # crossed together with a higher one: that message says it all
            reason = f"crossed together with {top}%"
            occurrence = budget_alert_key(month.first_day, threshold)
            _skip(tick, vendor, kind, occurrence, None, reason)
    message = blocks.budget_alert(vendor, spend, top)
    _post_claimed(tick, vendor, post, message, to_user=vendor.added_by)


# --------------------------------------------------------------------------- the digest


def _post_due_digests(tick: _Tick, settings: Settings, clients: _TeamClients) -> None:
    """Each team's digest in its digest channel (`/delegate settings`, else SUMMARY_CHANNEL),
    at the latest occurrence of DIGEST_CADENCE in its time zone (else DEFAULT_TIMEZONE), once."""
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
    tick: _Tick, team_id: str, channel: str, tz: ZoneInfo, occurrence: Occurrence
) -> None:
    with transaction(tick.engine) as session:
        existing = schedule.find_team_post(session, team_id, DIGEST_KIND, occurrence.key)
    if existing is not None and not tick.is_stale(existing):
        return
    late = tick.now - occurrence.at
    if late > tick.policy.grace:
        reason = f"missed by {late}, past the {tick.policy.grace} grace window"
        if existing is None:
            recorded = schedule.record_team_skipped(
                tick.engine,
                team_id=team_id,
                kind=DIGEST_KIND,
                occurrence=occurrence.key,
                channel_id=channel,
                claimed_by=tick.claimant,
                now=tick.now,
                reason=reason,
            )
        else:
            recorded = schedule.finish_claim(
                tick.engine,
                existing,
                state=PostState.SKIPPED,
                detail=reason,
                stale_before=tick.stale_before,
            )
        if recorded:
            tick.report.skipped[DIGEST_KIND] += 1
            logger.warning(
                "scheduler: skipped the digest %s for team %s: %s",
                occurrence.key,
                team_id,
                reason,
            )
        return
    with transaction(tick.engine) as session:
        digest = summaries.team_digest(session, team_id, tz, tick.now)
        if vendors.find_vendor_by_channel(session, team_id, channel) is not None:
            # Spend is never shown in a vendor's channel, even a misconfigured one.
            logger.error("scheduler: SUMMARY_CHANNEL %s is a vendor's channel", channel)
            digest = replace(digest, spend={})
    if existing is None:
        post = schedule.claim_team_occurrence(
            tick.engine,
            team_id=team_id,
            kind=DIGEST_KIND,
            occurrence=occurrence.key,
            channel_id=channel,
            claimed_by=tick.claimant,
            now=tick.now,
        )
    else:
        post = schedule.retake_stale_claim(
            tick.engine,
            existing,
            claimed_by=tick.claimant,
            now=tick.now,
            stale_before=tick.stale_before,
        )
    if post is None:
        return
    delivery = _deliver(tick.client, channel, blocks.digest_message(digest))
    if delivery.ts is not None:
        schedule.record_sent(
            tick.engine, post, claimed_by=tick.claimant, message_ts=delivery.ts, now=tick.now
        )
        tick.report.posted[DIGEST_KIND] += 1
        logger.info("scheduler: posted the digest %s for team %s", occurrence.key, team_id)
    elif delivery.retry:
        schedule.release_claim(
            tick.engine,
            post,
            claimed_by=tick.claimant,
            lease_expired_at=tick.stale_before - timedelta(seconds=1),
            reason=f"retrying after {delivery.error}",
        )
        tick.report.retrying[DIGEST_KIND] += 1
        logger.warning(
            "scheduler: the digest for team %s will be retried: %s", team_id, delivery.error
        )
    else:
        schedule.finish_claim(
            tick.engine,
            post,
            state=PostState.FAILED,
            detail=str(delivery.error),
            claimed_by=tick.claimant,
        )
        tick.report.failed[DIGEST_KIND] += 1
        logger.error(
            "scheduler: Slack refused the digest in SUMMARY_CHANNEL %s: %s (is the bot in it?)",
            channel,
            delivery.error,
        )


# --------------------------------------------------------------------------- reminders


def _post_due_reminders(tick: _Tick, vendor: Vendor, calendar: VendorCalendar) -> bool:
    """Remind in the thread of each check-in nobody answered within remind_after_minutes."""
    kind = PostKind.REMINDER
    remind_after = timedelta(minutes=vendor.remind_after_minutes)
    for checkin in _checkins_awaiting(tick, vendor, kind):
        sent_at = checkin.sent_at or tick.now
        due = sent_at + remind_after
        if tick.now < due:
            continue
        next_checkin = calendar.next_working_occurrence(sent_at)
        reason: str | None = None
        if next_checkin is not None and tick.now >= next_checkin:
            reason = "the next check-in is due; it asks again"
        elif tick.now - due > tick.policy.grace:
            reason = f"due {tick.now - due} ago, past the {tick.policy.grace} grace window"
        elif calendar.is_day_off(calendar.local_date(tick.now)):
            continue  # wait for a working day
        today = calendar.local_date(tick.now)
        with transaction(tick.engine) as session:
            existing = schedule.find_post(session, vendor.id or 0, kind, checkin.occurrence)
            unanswered = [
                row.task
                for row in checkin_rows(session, checkin)
                if row.latest is None and row.task.status == TaskStatus.OPEN
            ]
            gone = absences.load_absences(session, vendor.id or 0, today)
        # Nobody is reminded on their days away (bot.absences).
        away = absences.away_on(gone, today)
        people = [
            person
            for person in _distinct(task.assignee_id or task.owner_id for task in unanswered)
            if person not in away
        ]
        if reason is None and not unanswered:
            reason = "its tasks are closed"
        if reason is None and (absences.everyone_away(unanswered, gone, today) or not people):
            reason = EVERYONE_AWAY
        if reason is not None:
            _skip(tick, vendor, kind, checkin.occurrence, existing, reason)
            continue
        post = _take(tick, vendor, kind, checkin.occurrence, existing, thread_ts=checkin.message_ts)
        if post is None:
            continue
        message = blocks.checkin_reminder(people)
        if not _post_claimed(tick, vendor, post, message, thread_ts=checkin.message_ts):
            return False
    return True


# --------------------------------------------------------------------------- escalations


def _send_due_escalations(tick: _Tick, vendor: Vendor, calendar: VendorCalendar) -> None:
    """DM the owners of each check-in still unanswered when the next one is due."""
    kind = PostKind.ESCALATION
    for checkin in _checkins_awaiting(tick, vendor, kind):
        next_checkin = calendar.next_working_occurrence(checkin.sent_at or tick.now)
        if next_checkin is None or tick.now < next_checkin:
            continue
        today = calendar.local_date(tick.now)
        with transaction(tick.engine) as session:
            existing = schedule.find_post(session, vendor.id or 0, kind, checkin.occurrence)
            open_tasks = [
                row.task
                for row in checkin_rows(session, checkin)
                if row.task.status == TaskStatus.OPEN
            ]
            gone = absences.load_absences(session, vendor.id or 0, today)
        everyone_gone = absences.everyone_away(open_tasks, gone, today)
        # Nobody is escalated about a person who is away: only the others' tasks count.
        away = absences.away_on(gone, today)
        present = [task for task in open_tasks if (task.assignee_id or "") not in away]
        reason: str | None = None
        if tick.now - next_checkin > tick.policy.grace:
            reason = f"due {tick.now - next_checkin} ago, past the {tick.policy.grace} grace window"
        elif not open_tasks:
            reason = "its tasks are closed"
        elif everyone_gone or not present:
            reason = EVERYONE_AWAY
        open_tasks = present
        if reason is not None:
            _skip(tick, vendor, kind, checkin.occurrence, existing, reason)
            continue
        post = _take(tick, vendor, kind, checkin.occurrence, existing)
        if post is not None:
            _send_escalation(tick, vendor, post, checkin, open_tasks, calendar)


def _send_escalation(
    tick: _Tick,
    vendor: Vendor,
    post: ScheduledPost,
    checkin: ScheduledPost,
    open_tasks: Sequence[Task],
    calendar: VendorCalendar,
) -> None:
    """One DM per distinct owner under one claim. A DM Slack refuses (owner deactivated)
    is noted and the others still go; a transient failure before any DM went out gives
    the claim back so the whole escalation is retried."""
    permalink = slack_channels.permalink(tick.client, vendor.channel_id, checkin.message_ts)
    today = calendar.local_date(tick.now)
    sent: list[tuple[str, str]] = []
    refused: list[str] = []
    for owner in _distinct(task.owner_id for task in open_tasks):
        owned = [task for task in open_tasks if task.owner_id == owner]
        delivery = _deliver(
            tick.client, owner, blocks.checkin_escalation(vendor, owned, permalink, today)
        )
        if delivery.ts is not None:
            sent.append((owner, delivery.ts))
        elif delivery.retry and not sent:
            _give_back(tick, vendor, post, delivery)
            return
        else:
            refused.append(f"{owner}: {delivery.error}")
            logger.warning(
                "scheduler: escalation DM to %s for vendor %s refused: %s",
                owner,
                vendor.id,
                delivery.error,
            )
    detail = "dm " + ", ".join(owner for owner, _ in sent)
    if refused:
        detail += "; refused " + ", ".join(refused)
    if sent:
        schedule.record_sent(
            tick.engine,
            post,
            claimed_by=tick.claimant,
            message_ts=sent[0][1],
            now=tick.now,
            detail=detail,
        )
        tick.report.posted[post.kind] += len(sent)
        logger.info("scheduler: escalated %s for vendor %s: %s", post.occurrence, vendor.id, detail)
    else:
        schedule.finish_claim(
            tick.engine, post, state=PostState.FAILED, detail=detail, claimed_by=tick.claimant
        )
        tick.report.failed[post.kind] += 1


# --------------------------------------------------------------------------- claims


def _checkins_awaiting(tick: _Tick, vendor: Vendor, follow_up: PostKind) -> Sequence[ScheduledPost]:
    with transaction(tick.engine) as session:
        return schedule.checkins_awaiting(
            session,
            vendor_id=vendor.id or 0,
            follow_up=follow_up,
            sent_since=tick.now - FOLLOW_UP_LOOKBACK,
            stale_before=tick.stale_before,
        )


def _take(
    tick: _Tick,
    vendor: Vendor,
    kind: PostKind,
    occurrence: str,
    existing: ScheduledPost | None,
    *,
    thread_ts: str | None = None,
    tasks: Sequence[Task] = (),
    channel_id: str | None = None,
) -> ScheduledPost | None:
    """Claim the occurrence, or take over its stale claim; None if another process has it.
    `channel_id` is where it goes when not the vendor's channel (a person's DM)."""
    if existing is None:
        return schedule.claim_occurrence(
            tick.engine,
            vendor_id=vendor.id or 0,
            kind=kind,
            occurrence=occurrence,
            channel_id=channel_id or vendor.channel_id,
            claimed_by=tick.claimant,
            now=tick.now,
            thread_ts=thread_ts,
            tasks=tasks,
        )
    post = schedule.retake_stale_claim(
        tick.engine,
        existing,
        claimed_by=tick.claimant,
        now=tick.now,
        stale_before=tick.stale_before,
        tasks=tasks if kind == PostKind.CHECKIN else None,
    )
    if post is not None:
        logger.warning(
            "scheduler: took over the %s claim for vendor %s (%s) held by %s since %s",
            kind,
            vendor.id,
            occurrence,
            existing.claimed_by,
            existing.claimed_at.isoformat(),
        )
    return post


def _skip(
    tick: _Tick,
    vendor: Vendor,
    kind: PostKind,
    occurrence: str,
    existing: ScheduledPost | None,
    reason: str,
    *,
    level: int = logging.INFO,
) -> None:
    """Record (once) that this occurrence will not be posted, and why."""
    if existing is None:
        recorded = schedule.record_skipped(
            tick.engine,
            vendor_id=vendor.id or 0,
            kind=kind,
            occurrence=occurrence,
            channel_id=vendor.channel_id,
            claimed_by=tick.claimant,
            now=tick.now,
            reason=reason,
        )
    else:  # a stale claim: close it unless another process has just re-taken it
        recorded = schedule.finish_claim(
            tick.engine,
            existing,
            state=PostState.SKIPPED,
            detail=reason,
            stale_before=tick.stale_before,
        )
    if recorded:
        tick.report.skipped[kind] += 1
        logger.log(
            level, "scheduler: skipped %s %s for vendor %s: %s", kind, occurrence, vendor.id, reason
        )


# --------------------------------------------------------------------------- posting


def _deliver(
    client: WebClient, channel: str, message: dict[str, Any], thread_ts: str | None = None
) -> _Delivery:
    """chat.postMessage, after slack_sdk's own retries (429 with Retry-After, 5xx,
    dropped connections), classified for the caller."""
    try:
        response = client.chat_postMessage(
            channel=channel,
            text=message["text"],
            blocks=message.get("blocks"),
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        status = error.response.status_code
        retry = (
            status == 429 or status >= 500 or code in TRANSIENT_ERRORS or code in APP_AUTH_ERRORS
        )
        return _Delivery(error=code, retry=retry)
    except (SlackClientError, OSError) as error:  # timeouts, refused connections
        return _Delivery(error=_name(error), retry=True)
    return _Delivery(ts=str(response["ts"]))


def _post_claimed(
    tick: _Tick,
    vendor: Vendor,
    post: ScheduledPost,
    message: dict[str, Any],
    *,
    thread_ts: str | None = None,
    to_user: str | None = None,
) -> bool:
    """Post a claimed message in the vendor's channel (or, with `to_user`, as a direct
    message to that person) and record how it went. False if the vendor's channel is
    unreachable (the vendor is now paused); a refused direct message pauses nothing."""
    kind = post.kind
    delivery = _deliver(tick.client, to_user or vendor.channel_id, message, thread_ts)
    if delivery.ts is not None:
        if not schedule.record_sent(
            tick.engine, post, claimed_by=tick.claimant, message_ts=delivery.ts, now=tick.now
        ):
            # Only if posting outlasted the lease and another process took the claim over.
            logger.warning("scheduler: %s %s was posted after its lease ran out", kind, post.id)
        tick.report.posted[kind] += 1
        logger.info("scheduler: posted %s %s for vendor %s", kind, post.occurrence, vendor.id)
        return True
    if delivery.retry:
        _give_back(tick, vendor, post, delivery)
        return True
    schedule.finish_claim(
        tick.engine,
        post,
        state=PostState.FAILED,
        detail=str(delivery.error),
        claimed_by=tick.claimant,
    )
    tick.report.failed[kind] += 1
    if delivery.error in UNREACHABLE_ERRORS and to_user is None:
        _pause_unreachable_vendor(tick, vendor, str(delivery.error))
        return False
    logger.error(
        "scheduler: Slack refused %s %s for vendor %s: %s",
        kind,
        post.occurrence,
        vendor.id,
        delivery.error,
    )
    return True


def _give_back(tick: _Tick, vendor: Vendor, post: ScheduledPost, delivery: _Delivery) -> None:
    """Release the claim after a failure worth retrying: the next tick takes it again."""
    schedule.release_claim(
        tick.engine,
        post,
        claimed_by=tick.claimant,
        lease_expired_at=tick.stale_before - timedelta(seconds=1),
        reason=f"retrying after {delivery.error}",
    )
    tick.report.retrying[post.kind] += 1
    tick.report.last_error = str(delivery.error)
    level = logging.ERROR if delivery.error in APP_AUTH_ERRORS else logging.WARNING
    hint = ": check SLACK_BOT_TOKEN and the app's scopes" if level == logging.ERROR else ""
    logger.log(
        level,
        "scheduler: %s %s for vendor %s not posted (%s), will retry%s",
        post.kind,
        post.occurrence,
        vendor.id,
        delivery.error,
        hint,
    )


def _pause_unreachable_vendor(tick: _Tick, vendor: Vendor, error: str) -> None:
    """Stop posting to a channel Slack refuses, until someone runs `vendor resume`, and
    tell whoever added the vendor, once a day at most (the claim's occurrence is the date)."""
    reason = f"unreachable: {error}"
    with transaction(tick.engine) as session:
        schedule.pause_unreachable_vendor(session, vendor.id or 0, reason, tick.now)
        audit.record_change(
            session,
            team_id=vendor.team_id,
            actor_id=AUDIT_ACTOR,
            action="vendor.paused",
            at=tick.now,
            vendor_id=vendor.id,
            detail={"reason": reason},
        )
    logger.warning("scheduler: paused vendor %s (%s): %s", vendor.id, vendor.channel_id, reason)
    today = vendor_today(vendor, tick.now)
    notice = schedule.claim_occurrence(
        tick.engine,
        vendor_id=vendor.id or 0,
        kind=PostKind.NOTICE,
        occurrence=f"unreachable:{today.isoformat()}",
        channel_id=vendor.added_by,
        claimed_by=tick.claimant,
        now=tick.now,
    )
    if notice is None:
        return
    delivery = _deliver(
        tick.client, vendor.added_by, blocks.vendor_unreachable_notice(vendor, error)
    )
    if delivery.ts is not None:
        schedule.record_sent(
            tick.engine, notice, claimed_by=tick.claimant, message_ts=delivery.ts, now=tick.now
        )
        tick.report.posted[PostKind.NOTICE] += 1
        return
    # Not retried: the vendor is paused, so no later tick comes back to it; the reason
    # stays visible in `/delegate vendor list`.
    schedule.finish_claim(
        tick.engine,
        notice,
        state=PostState.FAILED,
        detail=str(delivery.error),
        claimed_by=tick.claimant,
    )
    tick.report.failed[PostKind.NOTICE] += 1
    logger.warning("scheduler: could not tell %s: %s", vendor.added_by, delivery.error)


# --------------------------------------------------------------------------- the loop


def tick_safely(
    deps: Deps,
    client: WebClient | WorkspaceClients,
    now: datetime | None = None,
    *,
    policy: SchedulePolicy | None = None,
) -> TickReport | None:
    """One tick that never raises: a database or Slack outage is logged in one line
    (without the database password) and the next tick simply tries again."""
    moment = now or deps.clock()
    try:
        report = run_tick(deps, client, moment, policy=policy)
    except (SQLAlchemyError, SlackClientError, OSError) as error:
        logger.error("scheduler: tick failed: %s", _describe(error, deps.engine))
        logger.debug("scheduler: tick failure", exc_info=True)
        return None
    except Exception:
        logger.exception("scheduler: tick failed")
        return None
    if report.did_something:
        logger.info("scheduler: %s", report.line())
    return report


def start_background_scheduler(
    deps: Deps,
    client: WebClient | WorkspaceClients,
    *,
    interval: timedelta = TICK_INTERVAL,
    policy: SchedulePolicy | None = None,
) -> BackgroundScheduler:
    """Start ticking in a background thread (first tick at once); the caller shuts it down.

    Job settings, deliberately: `max_instances=1` so a slow tick (Slack retrying) is never
    overlapped by the next in this process; `coalesce=True` so ticks missed while the
    process was stalled run as one; `misfire_grace_time=None` so that one still runs however
    late, which is safe because a tick only does what is due and not yet claimed. One job
    store per process, in memory: cross-process "exactly once" lives in the database claims,
    not in APScheduler (its job stores cannot be shared between processes).
    """
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        tick_safely,
        trigger=IntervalTrigger(seconds=int(interval.total_seconds()), timezone=UTC),
        args=(deps, client),
        kwargs={"policy": policy},
        id="checkins-tick",
        name="scheduled check-ins",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),
        replace_existing=True,
    )
    if deps.settings.many_workspaces:
        # Uninstalled workspaces' data is deleted once the retention period is over.
        scheduler.add_job(
            purge_safely,
            trigger=IntervalTrigger(hours=24, timezone=UTC),
            args=(deps,),
            id="workspace-purge",
            name="purge of uninstalled workspaces",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )
    scheduler.start()
    return scheduler


def purge_safely(deps: Deps) -> None:
    """The daily purge of workspaces uninstalled more than RETENTION ago; never raises."""
    try:
        purge_expired(deps.engine, deps.clock())
    except Exception as error:
        logger.error("scheduler: purge failed: %s", _describe(error, deps.engine))


def run_scheduler(
    deps: Deps,
    client: WebClient | WorkspaceClients,
    stop: threading.Event | None = None,
    *,
    policy: SchedulePolicy | None = None,
) -> None:
    """Tick until `stop` is set (or forever); waits for a running tick before returning."""
    stop = stop or threading.Event()
    scheduler = start_background_scheduler(deps, client, policy=policy)
    logger.info("scheduler: running, a tick every %ss", int(TICK_INTERVAL.total_seconds()))
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)
        logger.info("scheduler: stopped")


# --------------------------------------------------------------------------- helpers


def _distinct(values: Iterable[str]) -> list[str]:
    """Values in first-seen order, without repeats."""
    return list(dict.fromkeys(values))


def _name(error: BaseException) -> str:
    return type(error).__name__


def _describe(error: BaseException, engine: Engine) -> str:
    """The error's first line, with the database password blanked out just in case."""
    cause = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    text = f"{_name(error)}: {lines[0]}" if lines else _name(error)
    return without_password(text, engine.url)
