"""What one tick carries through every step: the clock, the policy, the report, the claimant.

`Tick` is handed to every kind of post; `TickReport` is what `python -m bot tick` prints and
the loop logs; `SchedulePolicy` holds the two durations every claim is judged by.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from storage.models import PostState, ScheduledPost, TeamPost

# Every module of the package logs as `bot.scheduler`, the name operators' log settings and
# `python -m bot tick` (which quiets it) have always used.
logger = logging.getLogger("bot.scheduler")

GRACE = timedelta(hours=6)
CLAIM_LEASE = timedelta(minutes=10)
AUDIT_ACTOR = "scheduler"
EVERYONE_AWAY = "everyone at the vendor is away"


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
class TickReads:
    """What a tick reads once for every vendor instead of once per vendor (a tick of
    thousands of vendors would otherwise spend most of its time on these round trips)."""

    holidays: dict[int, list[date]]  # each vendor's own days off, from the lookback on
    # The vendors with a sent, unanswered check-in awaiting a reminder (or an escalation)
    # when the tick began: only they are asked which ones.
    awaiting: dict[str, set[int]]


@dataclass(frozen=True)
class KnownClaims:
    """A vendor's claims on the occurrences its turn will consider, read in one query at
    the start of the turn. Only a hint: whatever is done with it goes through the guarded
    claim, so a row another process wrote since is still never doubled."""

    looked_up: frozenset[tuple[str, str]] = frozenset()
    rows: dict[tuple[str, str], ScheduledPost] = field(default_factory=dict)


@dataclass
class Tick:
    engine: Engine
    client: WebClient  # the workspace's own client inside a vendor's or a team's turn
    now: datetime
    policy: SchedulePolicy
    report: TickReport
    claimant: str
    reads: TickReads | None = None  # None: every turn asks the database itself
    known: KnownClaims = field(default_factory=KnownClaims)  # inside a vendor's turn

    @property
    def stale_before(self) -> datetime:
        return self.now - self.policy.lease

    def is_stale(self, post: ScheduledPost | TeamPost) -> bool:
        return (
            post.state == PostState.CLAIMED
            and post.message_ts is None
            and post.claimed_at < self.stale_before
        )

    def is_open(self, post: ScheduledPost | TeamPost | None) -> bool:
        """Nobody has done this occurrence and nobody is doing it: no claim, or a stale one."""
        return post is None or self.is_stale(post)


def this_process() -> str:
    """Who holds a claim, for the record and for guarded updates: host and pid."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}"
