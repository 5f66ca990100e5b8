"""Queries behind the scheduler: claims on scheduled posts, calendars, unanswered check-ins.

A claim is a `ScheduledPost` row, unique per (vendor, kind, occurrence), or, for a message
that belongs to a whole team (the internal digest), a `TeamPost` row, unique per (team,
kind, occurrence). Both tables have the same claim columns, so one set of functions serves
both: a `ClaimKey` (table, owner, kind, occurrence) says which table and which row, and
every function below (`find_claim`, `claim`, `record_skipped`, `retake_stale_claim`,
`record_sent`, `finish_claim`, `release_claim`, `skip_abandoned_claims`) takes either.
Why two tables and not one: docs/decisions.md ("One claim protocol, two claim tables").
The functions that take an `Engine` run their own short transaction on purpose: a claim
must be committed before anything is posted (so another process sees it), and the outcome
is recorded in a second transaction after Slack has answered. Functions that take a
`Session` join the caller's transaction.

States move only forward, each change guarded in SQL so that two processes can race:

    (insert) -> claimed -> sent | skipped | failed
    claimed, lease expired -> claimed again by whoever's UPDATE matches first
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import Update, bindparam, exists, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, select

from storage.answers import checkin_answered
from storage.checkins import add_checkin_tasks
from storage.database import save_changes, transaction
from storage.models import (
    CheckinTask,
    PostKind,
    PostState,
    ScheduledPost,
    Task,
    TeamPost,
    Vendor,
)
from storage.tasks import list_open_tasks

DETAIL_MAX = 200  # ScheduledPost.detail's column width

# A claim row of either table; the transitions below work on both.
Claim = TypeVar("Claim", ScheduledPost, TeamPost)


@dataclass(frozen=True)
class ClaimKey(Generic[Claim]):
    """What a claim is unique on: its table, its owner (a vendor's id in scheduled_posts, a
    team's id in team_posts), its kind and its occurrence."""

    table: type[Claim]
    owner: int | str
    kind: str
    occurrence: str

    def _owner_column(self) -> Any:
        return (
            col(ScheduledPost.vendor_id) if self.table is ScheduledPost else col(TeamPost.team_id)
        )

    def new_row(self, **columns: Any) -> Claim:
        owner = "vendor_id" if self.table is ScheduledPost else "team_id"
        fields: dict[str, Any] = {owner: self.owner, "kind": self.kind, **columns}
        return self.table(occurrence=self.occurrence, **fields)


def vendor_key(vendor_id: int, kind: str, occurrence: str) -> ClaimKey[ScheduledPost]:
    return ClaimKey(ScheduledPost, vendor_id, kind, occurrence)


def list_active_vendors(session: Session) -> Sequence[Vendor]:
    """Every vendor that is neither paused nor removed, in every team."""
    return session.exec(
        select(Vendor)
        .where(col(Vendor.paused).is_(False), col(Vendor.removed_at).is_(None))
        .order_by(col(Vendor.id))
    ).all()


def find_claim(session: Session, key: ClaimKey[Claim]) -> Claim | None:
    table = key.table
    return session.exec(
        select(table).where(
            key._owner_column() == key.owner,
            col(table.kind) == key.kind,
            col(table.occurrence) == key.occurrence,
        )
    ).first()


def checkins_awaiting(
    session: Session,
    *,
    vendor_id: int,
    follow_up: PostKind,
    sent_since: datetime,
    stale_before: datetime,
) -> Sequence[ScheduledPost]:
    """Sent check-ins nobody has answered that still need a decision about `follow_up`.

    Unanswered: no status update answers the check-in (given on it, or by any route on one
    of its tasks since it was posted: `storage.checkins.answers_checkin`) and nobody
    replied in its thread.
    Still needing a decision: no reminder (or escalation) row exists for the same
    occurrence, or only a claim whose lease expired before `stale_before`.
    """
    params = _awaiting_params(follow_up, sent_since, stale_before)
    found: Sequence[ScheduledPost] = session.exec(
        _checkins_awaiting(), params={**params, "vendor_id": vendor_id}
    ).all()
    return found


def vendors_awaiting(
    session: Session, *, follow_up: PostKind, sent_since: datetime, stale_before: datetime
) -> set[int]:
    """The vendors that have a check-in `checkins_awaiting` would list, in one query for
    every vendor: a tick asks each of them only, not every vendor, which check-ins."""
    params = _awaiting_params(follow_up, sent_since, stale_before)
    return set(session.exec(_vendors_awaiting(), params=params).all())


# Both statements are built once, with bound parameters: building the nested EXISTS
# expressions was most of a tick's time for a vendor (SQLAlchemy caches the compiled SQL,
# not the construction of the expression).
@cache
def _checkins_awaiting() -> Any:
    return (
        select(ScheduledPost)
        .where(ScheduledPost.vendor_id == bindparam("vendor_id"), *_awaiting())
        .order_by(col(ScheduledPost.sent_at))
    )


@cache
def _vendors_awaiting() -> Any:
    return select(ScheduledPost.vendor_id).where(*_awaiting()).distinct()


def _awaiting_params(
    follow_up: PostKind, sent_since: datetime, stale_before: datetime
) -> dict[str, Any]:
    return {"follow_up": follow_up, "sent_since": sent_since, "stale_before": stale_before}


def _awaiting() -> list[Any]:
    other = aliased(ScheduledPost)
    decided = (
        exists()
        .where(
            col(other.vendor_id) == col(ScheduledPost.vendor_id),
            col(other.kind) == bindparam("follow_up"),
            col(other.occurrence) == col(ScheduledPost.occurrence),
            or_(
                col(other.state) != PostState.CLAIMED,
                col(other.claimed_at) >= bindparam("stale_before"),
            ),
        )
        .correlate(ScheduledPost)
    )
    return [
        ScheduledPost.kind == PostKind.CHECKIN,
        ScheduledPost.state == PostState.SENT,
        col(ScheduledPost.sent_at) >= bindparam("sent_since"),
        ~checkin_answered(ScheduledPost),
        ~decided,
    ]


def find_vendor_claims(
    session: Session, vendor_id: int, wanted: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], ScheduledPost]:
    """The vendor's claims on each wanted (kind, occurrence), in one query, by key."""
    if not wanted:
        return {}
    rows = session.exec(
        select(ScheduledPost).where(
            ScheduledPost.vendor_id == vendor_id,
            or_(
                *(
                    (col(ScheduledPost.kind) == kind) & (col(ScheduledPost.occurrence) == key)
                    for kind, key in wanted
                )
            ),
        )
    ).all()
    return {(row.kind, row.occurrence): row for row in rows}


def claim(
    engine: Engine,
    key: ClaimKey[Claim],
    *,
    channel_id: str,
    claimed_by: str,
    now: datetime,
    thread_ts: str | None = None,
    tasks: Sequence[Task] = (),
) -> Claim | None:
    """Take the occurrence for this process, or return None if another process has it.

    The unique constraint decides: of several processes inserting at once exactly one
    commits, the others get an IntegrityError. A check-in's tasks (and a reminder's
    thread) are recorded in the same transaction, so a button clicked right after the post
    finds them; team posts have neither.
    """
    extra = {"thread_ts": thread_ts} if key.table is ScheduledPost else {}
    post = key.new_row(
        state=PostState.CLAIMED,
        claimed_by=claimed_by,
        claimed_at=now,
        channel_id=channel_id,
        **extra,
    )

    def with_tasks(session: Session) -> None:
        if isinstance(post, ScheduledPost) and tasks:
            session.flush()
            add_checkin_tasks(session, post, tasks)

    return post if _insert_once(engine, post, with_tasks) else None


def retake_stale_claim(
    engine: Engine,
    post: Claim,
    *,
    claimed_by: str,
    now: datetime,
    stale_before: datetime,
    tasks: Sequence[Task] | None = None,
) -> Claim | None:
    """Take over a claim whose holder never posted (crashed, or gave it back), or None.

    One conditional UPDATE: whichever process matches `claimed_at < stale_before` first
    moves `claimed_at` to now, and the others then match no row. `tasks`, if given,
    replace the check-in's task list (some may have been closed since the first claim).
    """
    table = type(post)
    with transaction(engine) as session:
        result = session.exec(
            _still_claimed(
                post, col(table.message_ts).is_(None), col(table.claimed_at) < stale_before
            ).values(claimed_by=claimed_by, claimed_at=now)
        )
        if result.rowcount != 1:
            return None
        if tasks is not None and isinstance(post, ScheduledPost):
            session.exec(delete(CheckinTask).where(col(CheckinTask.post_id) == post.id))
            add_checkin_tasks(session, post, tasks)
        taken = session.get(table, post.id, populate_existing=True)
    return taken


def record_sent(
    engine: Engine,
    post: ScheduledPost | TeamPost,
    *,
    claimed_by: str,
    message_ts: str,
    now: datetime,
    detail: str | None = None,
) -> bool:
    """Mark the claim sent with the message's ts. False if this process no longer held it
    (its lease ran out while Slack was slow and another process took it over)."""
    with transaction(engine) as session:
        result = session.exec(
            _still_claimed(post, col(type(post).claimed_by) == claimed_by).values(
                state=PostState.SENT,
                message_ts=message_ts,
                sent_at=now,
                detail=_clip(detail),
            )
        )
        return result.rowcount == 1


def record_skipped(
    engine: Engine,
    key: ClaimKey[Claim],
    *,
    channel_id: str,
    claimed_by: str,
    now: datetime,
    reason: str,
) -> bool:
    """Record that an occurrence will not be posted. True if this call recorded it (so the
    caller logs it once), False if a row for it already existed."""
    return _insert_once(
        engine,
        key.new_row(
            state=PostState.SKIPPED,
            claimed_by=claimed_by,
            claimed_at=now,
            channel_id=channel_id,
            detail=_clip(reason),
        ),
    )


def finish_claim(
    engine: Engine,
    post: ScheduledPost | TeamPost,
    *,
    state: PostState,
    detail: str,
    claimed_by: str | None = None,
    stale_before: datetime | None = None,
) -> bool:
    """Move a claim that will not be posted to `skipped` or `failed`, with the reason.

    Guarded like every transition: the claim must still be `claimed` and either held by
    `claimed_by` or stale (`claimed_at < stale_before`). True if this call moved it.
    """
    table = type(post)
    query = _still_claimed(post, col(table.message_ts).is_(None))
    if claimed_by is not None:
        query = query.where(col(table.claimed_by) == claimed_by)
    if stale_before is not None:
        query = query.where(col(table.claimed_at) < stale_before)
    with transaction(engine) as session:
        result = session.exec(query.values(state=state, detail=_clip(detail)))
        return result.rowcount == 1


def release_claim(
    engine: Engine,
    post: ScheduledPost | TeamPost,
    *,
    claimed_by: str,
    lease_expired_at: datetime,
    reason: str,
) -> None:
    """Give a claim back after a transient failure: its lease is dated so that it has
    already run out, and the next tick (of any process) re-takes it through the stale-claim
    path, posting it if still within the grace window. The claim, and the check-in's task
    list, are kept: nothing is lost and no second row is needed."""
    with transaction(engine) as session:
        session.exec(
            _still_claimed(post, col(type(post).claimed_by) == claimed_by).values(
                claimed_at=lease_expired_at, detail=_clip(reason)
            )
        )


def _still_claimed(post: ScheduledPost | TeamPost, *conditions: Any) -> Update:
    """The conditional UPDATE of the claim protocol: this post, while it is still claimed
    and `conditions` hold (the caller adds `.values(...)`; rowcount says whether it won)."""
    table = type(post)
    return update(table).where(
        col(table.id) == post.id, col(table.state) == PostState.CLAIMED, *conditions
    )


def skip_abandoned_claims(engine: Engine, *, claimed_before: datetime, reason: str) -> int:
    """Close claims nobody came back for (their occurrence is no longer the one considered,
    or the vendor was paused meanwhile). Callers pass a cut-off past both the lease and
    the grace window, so nothing matched here could still be posted. Returns how many,
    vendor and team claims together."""
    closed = 0
    with transaction(engine) as session:
        for table in (ScheduledPost, TeamPost):
            result = session.exec(
                update(table)
                .where(
                    col(table.state) == PostState.CLAIMED,
                    col(table.message_ts).is_(None),
                    col(table.claimed_at) < claimed_before,
                )
                .values(state=PostState.SKIPPED, detail=_clip(reason))
            )
            closed += int(result.rowcount)
    return closed


def pause_unreachable_vendor(
    session: Session, vendor_id: int, reason: str, now: datetime
) -> Vendor:
    """Pause the vendor because Slack refuses to post in its channel; returns it."""
    vendor = session.get(Vendor, vendor_id, populate_existing=True)
    if vendor is None:
        raise LookupError(f"vendor {vendor_id} is gone")
    return save_changes(session, vendor, now, {"paused": True, "pause_reason": reason[:200]})


def open_tasks_of(session: Session, vendor: Vendor) -> Sequence[Task]:
    """The vendor's open tasks as a check-in lists them: soonest due first, undated last."""
    return [row.task for row in list_open_tasks(session, vendor.team_id, vendor_id=vendor.id)]


def _insert_once(
    engine: Engine,
    row: ScheduledPost | TeamPost,
    then: Callable[[Session], None] | None = None,
) -> bool:
    """Insert a claim row (and whatever `then` adds) in one transaction. False when the
    row's unique key is already taken: another process got there first, so do nothing."""
    try:
        with transaction(engine) as session:
            session.add(row)
            if then is not None:
                then(session)
    except IntegrityError:
        return False
    return True


def _clip(text: str | None) -> str | None:
    return None if text is None else text[:DETAIL_MAX]


def list_teams(session: Session) -> Sequence[str]:
    """Every team with at least one vendor in use (paused or not)."""
    return session.exec(
        select(Vendor.team_id)
        .where(col(Vendor.removed_at).is_(None))
        .distinct()
        .order_by(col(Vendor.team_id))
    ).all()
