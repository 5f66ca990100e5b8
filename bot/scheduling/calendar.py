"""A vendor's calendar in its own time zone, and what decides that a cadence's post is due.

Occurrences are computed from the vendor's cadence by walking local dates
(`bot.schedule_rules`), so 09:00 stays 09:00 local across DST, and are keyed by local date
and slot (`2026-03-09T09:00`), never by a UTC instant. A cadence with several slots a day
has one occurrence per slot, each claimed on its own. Days off are the vendor's workdays,
its `Holiday` rows and the public holidays of `vendor.public_holidays`.

`due_occurrence` is the rule shared by check-ins, summaries and feedback prompts: only the
latest occurrence at or before `now` is ever considered; not if it is from before the vendor
was added, on a day off, or done; recorded skipped (once) if older than the grace window.
`post_due_occurrence` runs it and the claim protocol around what each kind decides.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UsageError
from bot.public_holidays import public_holidays
from bot.schedule_rules import (
    DEFAULT_CHECKIN_TIME,
    DEFAULT_SUMMARY_TIME,
    Cadence,
    next_occurrence,
    parse_cadence,
    parse_workdays,
    previous_slot,
)
from bot.scheduling import claims
from bot.scheduling.context import KnownClaims, Tick, logger
from storage import holidays, schedule
from storage.database import transaction
from storage.models import PostKind, ScheduledPost, Task, Vendor

# How far back unanswered check-ins are looked at for reminders and escalations: longer
# than a weekly cadence plus a holiday week, short enough to keep the query small.
FOLLOW_UP_LOOKBACK = timedelta(days=15)
# A working occurrence is searched this many occurrences ahead (weeks of holidays).
MAX_OCCURRENCES_AHEAD = 60
PUBLIC_HOLIDAYS_AHEAD = timedelta(days=7 * MAX_OCCURRENCES_AHEAD + 10)
MAX_HOLIDAYS = 1000  # a vendor's own days off read per tick


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


def holidays_since(tick: Tick) -> date:
    """The first day whose holidays a tick needs (the follow-ups' lookback)."""
    return tick.now.date() - FOLLOW_UP_LOOKBACK - timedelta(days=1)


def load_calendar(tick: Tick, vendor: Vendor) -> VendorCalendar | None:
    """The vendor's check-in calendar with its days off; None (logged, counted) for
    settings that cannot be used."""
    since = holidays_since(tick)
    try:
        days_off: Sequence[date]
        if tick.reads is not None:
            days_off = tick.reads.holidays.get(vendor.saved_id, [])
        else:
            with transaction(tick.engine) as session:
                days_off = holidays.list_holidays(
                    session, vendor.saved_id, since=since, limit=MAX_HOLIDAYS
                )
        # The country's public holidays are days off on top of the vendor's own, far enough
        # ahead for the next working occurrence and a year-long trial's prompt.
        public = public_holidays(
            vendor.public_holidays, since, tick.now.date() + PUBLIC_HOLIDAYS_AHEAD
        )
        return VendorCalendar.of(vendor, frozenset(days_off) | frozenset(public))
    except (UsageError, ValueError, ZoneInfoNotFoundError) as error:
        # Settings are checked when typed, so this is an old or hand-edited row.
        tick.report.errors += 1
        logger.warning("scheduler: vendor %s has unusable settings: %s", vendor.id, error)
        return None


def calendar_for(
    tick: Tick, vendor: Vendor, calendar: VendorCalendar, cadence: str
) -> VendorCalendar | None:
    """The vendor's calendar for another of its cadences; None (logged) if unusable."""
    try:
        return calendar.with_cadence(cadence)
    except (UsageError, ValueError) as error:
        tick.report.errors += 1
        logger.warning("scheduler: vendor %s has an unusable cadence: %s", vendor.id, error)
        return None


def known_claims(
    tick: Tick, vendor: Vendor, calendar: VendorCalendar, prompt_cadence: str
) -> KnownClaims:
    """The vendor's claims on the latest occurrence of its check-in, summary and feedback
    prompt, in one query, for `due_occurrence` to start from. An unusable cadence is
    left out here: `calendar_for` says so when its turn comes."""
    wanted = [(PostKind.CHECKIN, calendar.cadence)]
    for kind, text in (
        (PostKind.SUMMARY, vendor.summary_cadence),
        (PostKind.FEEDBACK_PROMPT, prompt_cadence),
    ):
        try:
            wanted.append((kind, calendar.with_cadence(text).cadence))
        except (UsageError, ValueError):
            continue
    keys = []
    for kind, cadence in wanted:
        occurrence = replace(calendar, cadence=cadence).latest_occurrence(tick.now)
        if occurrence is not None and occurrence.at >= vendor.created_at:
            keys.append((str(kind), occurrence.key))
    if not keys:
        return KnownClaims()
    with transaction(tick.engine) as session:
        rows = schedule.find_vendor_claims(session, vendor.saved_id, keys)
    return KnownClaims(looked_up=frozenset(keys), rows=rows)


def due_occurrence(
    tick: Tick, vendor: Vendor, calendar: VendorCalendar, kind: PostKind
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
    target = claims.vendor_target(vendor)
    if (kind, occurrence.key) in tick.known.looked_up:
        existing = tick.known.rows.get((kind, occurrence.key))
    else:
        existing = claims.find(tick, target, kind, occurrence.key)
    if not tick.is_open(existing):
        return None  # done, or being done by another process
    late = tick.now - occurrence.at
    if late > tick.policy.grace:
        reason = f"missed by {late}, past the {tick.policy.grace} grace window"
        claims.skip(tick, target, kind, occurrence.key, existing, reason, level=logging.WARNING)
        return None
    return occurrence, existing


@dataclass(frozen=True)
class Ready:
    """A due occurrence that is to be posted: its message, built once claimed (a check-in's
    buttons name its claim), the tasks the claim records, and what follows a post."""

    message: Callable[[ScheduledPost], dict[str, Any]]
    tasks: Sequence[Task] = ()
    then: Callable[[ScheduledPost], None] | None = None


def post_due_occurrence(
    tick: Tick,
    vendor: Vendor,
    calendar: VendorCalendar,
    kind: PostKind,
    prepare: Callable[[Occurrence], Ready | str],
) -> bool:
    """Post the latest occurrence of the calendar's cadence if `due_occurrence`, as
    `prepare` decides: Ready, or the reason it is skipped. False if the vendor turned out
    to be unreachable (and is now paused)."""
    due = due_occurrence(tick, vendor, calendar, kind)
    if due is None:
        return True
    occurrence, existing = due
    target = claims.vendor_target(vendor)
    ready = prepare(occurrence)
    if isinstance(ready, str):
        claims.skip(tick, target, kind, occurrence.key, existing, ready)
        return True
    post = claims.take(tick, target, kind, occurrence.key, existing, tasks=ready.tasks)
    if post is None:
        return True
    if not claims.post_claimed(tick, target, post, ready.message(post)):
        return False
    if ready.then is not None:
        ready.then(post)
    return True
