"""Typed rows (storage/models.py): `Task.status` a TaskStatus over unchanged strings, and
`saved_id` for the id of a row the database has given one."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from storage import tasks
from storage.database import transaction
from storage.models import Task, TaskStatus, UnsavedRowError, Vendor
from tests.support.scheduling import add_task, add_vendor, utc


def test_task_status_is_the_enum_in_python_and_the_same_string_in_the_database(
    engine: Engine,
) -> None:
    vendor = add_vendor(engine)
    task = add_task(engine, vendor, "Translate the FAQ")
    with transaction(engine) as session:
        stored = session.get(Task, task.saved_id)
        assert stored is not None
        assert type(stored.status) is TaskStatus and stored.status is TaskStatus.OPEN
        tasks.update_task(session, stored, utc("2026-12-01 09:00"), status=TaskStatus.DELIVERED)
    with engine.connect() as connection:
        raw = connection.execute(text("SELECT status FROM tasks")).scalars().all()
    assert raw == ["delivered"]  # what the migrations' VARCHAR(16) always held
    with transaction(engine) as session:
        found = session.exec(select(Task).where(col(Task.status) == "delivered")).one()
        assert found.status is TaskStatus.DELIVERED


def test_a_status_written_by_hand_reads_back_as_the_enum(engine: Engine) -> None:
    """Rows written before this change (or by SQL) are plain strings; they load as members."""
    task = add_task(engine, add_vendor(engine), "Proofread")
    with engine.begin() as connection:
        connection.execute(text("UPDATE tasks SET status = 'cancelled'"))
    with transaction(engine) as session:
        stored = session.get(Task, task.saved_id)
        assert stored is not None and stored.status is TaskStatus.CANCELLED


def test_saved_id_is_the_id_once_saved_and_refuses_before(engine: Engine) -> None:
    now = utc("2026-12-01 09:00")
    vendor = Vendor(
        team_id="T0TEAM",
        channel_id="C0NEW",
        name="new",
        timezone="UTC",
        checkin_cadence="weekdays@09:00",
        summary_cadence="fri@16:00",
        added_by="U0ALICE",
        created_at=now,
        updated_at=now,
    )
    with pytest.raises(UnsavedRowError, match="Vendor has no id before it is flushed"):
        _ = vendor.saved_id
    saved = add_vendor(engine)
    assert saved.id is not None and saved.saved_id == saved.id
