"""The claim protocol, written once for every kind of post: claim -> post -> record, or give
back for the next tick, or record skipped.

A `Target` says whose occurrence it is: a vendor's (a `ScheduledPost` row, unique per vendor,
kind and occurrence) or a whole team's (a `TeamPost` row, the digest). Everything else is
the same for both:

- `find` the claim and `Tick.is_open` it: no claim, or a stale one (its holder died
  between claim and post, or gave it back after a transient failure).
- `take` it: insert the claim (the unique constraint decides between processes) or re-take
  the stale one with one conditional UPDATE; None if another process has it.
- `post_claimed`: post it and `record` how it went; a transient failure is given back
  (`give_back`: the lease made to have run out, so the next tick retries it), a refusal
  recorded failed, and a vendor whose channel is unreachable paused.
- `skip`: record once that the occurrence will not be posted, and why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic

from bot.scheduling.context import Tick, logger
from bot.scheduling.delivery import APP_AUTH_ERRORS, UNREACHABLE_ERRORS, Delivery, deliver
from bot.scheduling.unreachable import pause_unreachable_vendor
from storage import schedule
from storage.database import transaction
from storage.models import PostKind, PostState, ScheduledPost, Task, TeamPost, Vendor
from storage.schedule import Claim, ClaimKey


@dataclass(frozen=True)
class Target(Generic[Claim]):
    """Whose occurrences these are, where they are posted, and how the log names them."""

    table: type[Claim]
    owner: int | str  # the vendor's id, or the team's
    channel_id: str
    vendor: Vendor | None = None  # None for a team's post

    def key(self, kind: str, occurrence: str) -> ClaimKey[Claim]:
        return ClaimKey(self.table, self.owner, kind, occurrence)

    def about(self, kind: str, occurrence: str) -> str:
        if self.vendor is not None:
            return f"{kind} {occurrence} for vendor {self.owner}"
        return f"the {kind} {occurrence} for team {self.owner}"

    def refused(self, kind: str, occurrence: str, error: str | None) -> str:
        if self.vendor is not None:
            return f"scheduler: Slack refused {self.about(kind, occurrence)}: {error}"
        return (
            f"scheduler: Slack refused the {kind} in SUMMARY_CHANNEL {self.channel_id}: "
            f"{error} (is the bot in it?)"
        )


def vendor_target(vendor: Vendor) -> Target[ScheduledPost]:
    return Target(ScheduledPost, vendor.id or 0, vendor.channel_id, vendor)


def team_target(team_id: str, channel_id: str) -> Target[TeamPost]:
    return Target(TeamPost, team_id, channel_id)


def find(tick: Tick, target: Target[Claim], kind: str, occurrence: str) -> Claim | None:
    with transaction(tick.engine) as session:
        return schedule.find_claim(session, target.key(kind, occurrence))


def take(
    tick: Tick,
    target: Target[Claim],
    kind: str,
    occurrence: str,
    existing: Claim | None,
    *,
    thread_ts: str | None = None,
    tasks: Sequence[Task] = (),
    channel_id: str | None = None,
) -> Claim | None:
    """Claim the occurrence, or take over its stale claim; None if another process has it.
    `channel_id` is where it goes when not the target's channel (a person's DM)."""
    if existing is None:
        return schedule.claim(
            tick.engine,
            target.key(kind, occurrence),
            channel_id=channel_id or target.channel_id,
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
            "scheduler: took over the claim on %s held by %s since %s",
            target.about(kind, occurrence),
            existing.claimed_by,
            existing.claimed_at.isoformat(),
        )
    return post


def skip(
    tick: Tick,
    target: Target[Claim],
    kind: str,
    occurrence: str,
    existing: Claim | None,
    reason: str,
    *,
    level: int = logging.INFO,
) -> None:
    """Record (once) that this occurrence will not be posted, and why."""
    if existing is None:
        recorded = schedule.record_skipped(
            tick.engine,
            target.key(kind, occurrence),
            channel_id=target.channel_id,
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
        logger.log(level, "scheduler: skipped %s: %s", target.about(kind, occurrence), reason)


def post_claimed(
    tick: Tick,
    target: Target[Claim],
    post: Claim,
    message: dict[str, Any],
    *,
    thread_ts: str | None = None,
    to_user: str | None = None,
) -> bool:
    """Post a claimed message in the target's channel (or, with `to_user`, as a direct
    message to that person) and record how it went. False if the vendor's channel is
    unreachable (the vendor is now paused); a refused direct message pauses nothing."""
    delivery = deliver(tick.client, to_user or target.channel_id, message, thread_ts)
    if delivery.ts is not None:
        record(tick, target, post, delivery.ts)
        return True
    if delivery.retry:
        give_back(tick, target, post, delivery)
        return True
    fail(tick, post, str(delivery.error))
    if delivery.error in UNREACHABLE_ERRORS and to_user is None and target.vendor is not None:
        pause_unreachable_vendor(tick, target.vendor, str(delivery.error))
        return False
    logger.error(target.refused(post.kind, post.occurrence, delivery.error))
    return True


def record(
    tick: Tick,
    target: Target[Claim],
    post: Claim,
    message_ts: str,
    *,
    detail: str | None = None,
    count: int = 1,
) -> None:
    """Mark the claim sent (`count` messages went out under it)."""
    if not schedule.record_sent(
        tick.engine,
        post,
        claimed_by=tick.claimant,
        message_ts=message_ts,
        now=tick.now,
        detail=detail,
    ):
        # Only if posting outlasted the lease and another process took the claim over.
        logger.warning("scheduler: %s %s was posted after its lease ran out", post.kind, post.id)
    tick.report.posted[post.kind] += count
    about = target.about(post.kind, post.occurrence)
    logger.info("scheduler: posted %s%s", about, f": {detail}" if detail else "")


def fail(tick: Tick, post: ScheduledPost | TeamPost, detail: str) -> None:
    """Record that Slack refused the claim's message for good."""
    schedule.finish_claim(
        tick.engine, post, state=PostState.FAILED, detail=detail, claimed_by=tick.claimant
    )
    tick.report.failed[post.kind] += 1


def give_back(tick: Tick, target: Target[Claim], post: Claim, delivery: Delivery) -> None:
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
        "scheduler: %s not posted (%s), will retry%s",
        target.about(post.kind, post.occurrence),
        delivery.error,
        hint,
    )
