"""Correct under concurrency, on PostgreSQL as production runs it.

`python -m bot web` with two gunicorn workers and scheduler ticks in their own processes;
several simulated people send a seeded random mix of commands, clicks (two at the same
instant on one check-in) and thread replies at once. Then every invariant of
bench/concurrency_scenario.check_invariants must hold. A heavier run: bench/concurrency.py.

Also here: the unit-level races the scenario relies on, made deterministic.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from bench.concurrency_scenario import Scenario, check_invariants, play, running_cluster
from bot import delegation
from bot.commands import AddVendor
from bot.config import VendorDefaults
from bot.errors import UsageError
from storage.database import (
    is_connection_failure,
    lost_a_race,
    make_engine,
    run_transaction,
    transaction,
)
from storage.models import Task, Vendor
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES
from tests.support.cli import free_port

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.mark.postgres
@pytest.mark.parametrize("seed", [11])
def test_many_people_at_once_on_two_web_workers(tmp_path: Path, seed: int) -> None:
    scenario = Scenario(seed=seed, users=4, channels_per_user=2, extra_commands=3, workers=2)
    try:
        cluster_context = running_cluster(POSTGRES_URL, tmp_path, scenario, free_port())
        cluster = cluster_context.__enter__()
    except Exception as error:  # no server: skip, unless CI requires PostgreSQL
        if REQUIRE_POSTGRES:
            raise
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}")
    try:
        play(cluster, scenario)
        findings = check_invariants(cluster, scenario)
    finally:
        cluster_context.__exit__(None, None, None)
    commands = [s for s in scenario.sent if s.kind == "command"]
    assert len(commands) >= 4 * (2 * 2 + 3)  # the burst really happened
    assert any(s.kind == "click" for s in scenario.sent)
    assert findings.problems == []


# ----------------------------------------------------------------- one race, made certain


def _vendor(name: str) -> Vendor:
    """A vendor row for channel C of team T: two of them collide on the unique key."""
    return Vendor(
        team_id="T",
        channel_id="C",
        name=name,
        timezone="UTC",
        checkin_cadence="x",
        summary_cadence="y",
        added_by="U",
        created_at=NOW,
        updated_at=NOW,
    )


def _register(engine: Engine, command: AddVendor | None, result: list[object]) -> None:
    def work(session: Session) -> object:
        if command is None:
            return delegation.create_task(
                session,
                team_id="T0TEAM",
                owner_id="U0BOB",
                channel_id="C0ACME",
                channel_name="acme-design",
                title="Task one",
                standard="",
                assignee_id=None,
                due=None,
                defaults=VendorDefaults(),
                now=NOW,
            )
        return delegation.add_vendor(
            session,
            command,
            team_id="T0TEAM",
            actor_id="U0ALICE",
            channel_name="acme-design",
            defaults=VendorDefaults(),
            now=NOW,
        )

    try:
        result.append(run_transaction(engine, work))
    except Exception as error:  # reported to the test, which fails on it
        result.append(error)


def _wait_for_a_lock_wait(engine: Engine) -> None:
    """Until another backend of this database waits on a lock (PostgreSQL's own view)."""
    with engine.connect() as connection:
        for _ in range(2000):
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            if waiting:
                return
            connection.execute(text("SELECT pg_sleep(0.005)"))
    raise AssertionError("the second transaction never waited for the first")


def test_a_task_for_a_channel_registered_meanwhile_goes_to_that_vendor(engine: Engine) -> None:
    """`vendor add` has inserted the vendor and not committed when a task for the same
    channel registers it: the task waits, then goes to that vendor; no error, one vendor."""
    result: list[object] = []
    with transaction(engine) as first:
        added = delegation.add_vendor(
            first,
            AddVendor(channel_id="C0ACME", name="Acme"),
            team_id="T0TEAM",
            actor_id="U0ALICE",
            channel_name="acme-design",
            defaults=VendorDefaults(),
            now=NOW,
        )
        second = threading.Thread(target=_register, args=(engine, None, result))
        second.start()
        if engine.dialect.name == "postgresql":
            _wait_for_a_lock_wait(engine)
    second.join(timeout=30)
    [created] = result
    assert isinstance(created, delegation.TaskCreated), created
    assert created.vendor.id == added.vendor.id and created.vendor.name == "Acme"
    assert not created.vendor_registered
    # PostgreSQL: the task's lookup missed the uncommitted vendor, and its insert found the
    # key taken once `vendor add` committed. SQLite: the task waited at BEGIN IMMEDIATE.
    assert created.registered_meanwhile == (engine.dialect.name == "postgresql")
    with Session(engine) as session:
        assert len(session.exec(select(Vendor)).all()) == 1
        assert [t.title for t in session.exec(select(Task)).all()] == ["Task one"]


def test_vendor_add_after_a_task_registered_the_channel_applies_its_settings(
    engine: Engine,
) -> None:
    """The other order: a task registered the channel with the defaults a moment before
    `vendor add` ran. The add's settings are applied to that vendor, not refused."""
    result: list[object] = []
    _register(engine, None, result)
    _register(engine, AddVendor(channel_id="C0ACME", name="Acme", timezone="Asia/Manila"), result)
    created, added = result
    assert isinstance(created, delegation.TaskCreated) and created.vendor_registered
    assert isinstance(added, delegation.VendorAdded), added
    assert added.registered_by_task_of == "U0BOB"
    assert (added.vendor.name, added.vendor.timezone) == ("Acme", "Asia/Manila")
    with Session(engine) as session:
        assert len(session.exec(select(Vendor)).all()) == 1
    # Once changed, the vendor is no longer "just registered": a second add is refused.
    _register(engine, AddVendor(channel_id="C0ACME", name="Other"), result)
    assert isinstance(result[-1], UsageError) and "already a vendor" in result[-1].message


def test_a_taken_unique_key_is_a_lost_race_not_an_outage(engine: Engine) -> None:
    with transaction(engine) as session:
        session.add(_vendor("a"))
    with pytest.raises(DBAPIError) as raised, transaction(engine) as session:
        session.add(_vendor("b"))
    assert lost_a_race(raised.value) and not is_connection_failure(raised.value)


def test_a_refused_connection_is_an_outage() -> None:
    down = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test")
    with pytest.raises(DBAPIError) as raised, down.connect():
        pass
    down.dispose()
    assert is_connection_failure(raised.value) and not lost_a_race(raised.value)


def test_run_transaction_gives_up_after_its_attempts(engine: Engine) -> None:
    """A unit of work that loses every time is tried TRANSACTION_ATTEMPTS times, then the
    error goes to the error boundary; nothing it wrote stays."""
    tries: list[int] = []

    def always_conflicting(session: Session) -> None:
        tries.append(1)
        for name in ("a", "b"):
            session.add(_vendor(name))
            session.flush()

    with pytest.raises(DBAPIError) as raised:
        run_transaction(engine, always_conflicting, pause=lambda _seconds: None)
    assert lost_a_race(raised.value) and len(tries) == 4
    with Session(engine) as session:
        assert session.exec(select(Vendor)).all() == []
