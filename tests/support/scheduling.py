"""Helpers for the scheduler tests: vendors and tasks made through the real domain functions,
ticks run at chosen instants, and what ended up in the claims table."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot import delegation
from bot.config import Settings, VendorDefaults
from bot.deps import Deps
from bot.scheduling import SchedulePolicy, TickReport, run_tick
from storage import vendors
from storage.database import transaction
from storage.models import ScheduledPost, Task, Vendor

TEAM_ID = "T0TEAM"
# Long before any tick in these tests, so every occurrence counts.
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def utc(text: str) -> datetime:
    """`2026-12-01 09:00` -> aware UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_deps(engine: Engine) -> Deps:
    return Deps(settings=Settings(), engine=engine, vendor_defaults=VendorDefaults())


def add_vendor(
    engine: Engine,
    channel_id: str = "C0ACME",
    *,
    timezone: str = "UTC",
    checkins: str = "weekdays@09:00",
    workdays: str | None = None,
    remind_after_minutes: int | None = None,
    added_by: str = "U0ALICE",
    created: datetime = LONG_AGO,
) -> Vendor:
    defaults = VendorDefaults(timezone=timezone, checkin_cadence=checkins)
    with transaction(engine) as session:
        vendor = delegation.register_vendor(
            session,
            delegation.NewChannel(TEAM_ID, channel_id, channel_id.lower()),
            actor_id=added_by,
            defaults=defaults,
            now=created,
        )
        changes: dict[str, Any] = {}
        if workdays is not None:
            changes["workdays"] = workdays
        if remind_after_minutes is not None:
            changes["remind_after_minutes"] = remind_after_minutes
        if changes:
            vendors.update_vendor(session, vendor, created, **changes)
    return vendor


def add_task(
    engine: Engine,
    vendor: Vendor,
    title: str,
    *,
    owner: str = "U0ALICE",
    assignee: str | None = "U0VENDOR",
    due: date | None = None,
    created: datetime = LONG_AGO,
) -> Task:
    with transaction(engine) as session:
        return delegation.create_task(
            session,
            team_id=TEAM_ID,
            owner_id=owner,
            channel_id=vendor.channel_id,
            channel_name=vendor.channel_id.lower(),
            title=title,
            standard="",
            assignee_id=assignee,
            due=due,
            defaults=VendorDefaults(),
            now=created,
        ).task


def update_vendor(engine: Engine, vendor: Vendor, **changes: Any) -> None:
    with transaction(engine) as session:
        fresh = session.get(Vendor, vendor.id)
        assert fresh is not None
        vendors.update_vendor(session, fresh, LONG_AGO, **changes)


def get_vendor(engine: Engine, vendor: Vendor) -> Vendor:
    with transaction(engine) as session:
        fresh = session.get(Vendor, vendor.id)
        assert fresh is not None
        return fresh


def claims(
    engine: Engine, kind: str | None = None, state: str | None = None
) -> list[ScheduledPost]:
    with transaction(engine) as session:
        query = select(ScheduledPost).order_by(col(ScheduledPost.id))
        if kind is not None:
            query = query.where(ScheduledPost.kind == kind)
        if state is not None:
            query = query.where(ScheduledPost.state == state)
        return list(session.exec(query).all())


@dataclass
class Clock:
    """Runs ticks at chosen instants against one database and one fake Slack."""

    deps: Deps
    client: WebClient
    policy: SchedulePolicy | None = None

    def tick(self, when: str | datetime) -> TickReport:
        now = utc(when) if isinstance(when, str) else when
        return run_tick(self.deps, self.client, now, policy=self.policy)

    def run(self, start: str, end: str, step: timedelta = timedelta(hours=1)) -> None:
        for now in _instants(utc(start), utc(end), step):
            self.tick(now)


def _instants(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    now = start
    while now <= end:
        yield now
        now += step


def sent_checkins(engine: Engine, vendor: Vendor) -> list[tuple[str, str]]:
    """(occurrence key, UTC instant it was posted at) for each check-in sent to `vendor`."""
    return [
        (post.occurrence, f"{post.sent_at:%Y-%m-%d %H:%M}")
        for post in claims(engine, "checkin", "sent")
        if post.vendor_id == vendor.id
    ]
