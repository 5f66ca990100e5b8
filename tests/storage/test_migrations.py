"""The Alembic migrations, on SQLite and PostgreSQL: `head` builds exactly the schema the
models describe, every revision goes down and up again, and the data migrations keep what
they should (duplicate absences merged before the one-per-span constraint)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from storage import models  # noqa: F401  (the tables, on SQLModel's metadata)
from storage.database import alembic_config, make_engine
from tests.conftest import private_schema

# slack_sdk's installation and OAuth state stores: created by migration 0009 from
# slack_sdk's own table definitions, not on SQLModel's metadata.
SLACK_SDK_TABLES = {"slack_bots", "slack_installations", "slack_oauth_states"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'blank.db'}")
        yield engine
        engine.dispose()
        return
    with private_schema("m") as engine:
        yield engine


def differences(engine: Engine) -> list[Any]:
    def ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return not (type_ == "table" and name in SLACK_SDK_TABLES)

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": ours, "compare_type": True}
        )
        return list(compare_metadata(context, SQLModel.metadata))


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_head_is_the_schema_the_models_describe(blank: Engine) -> None:
    command.upgrade(alembic_config(blank), "head")
    assert differences(blank) == []


def test_every_revision_goes_down_and_up_again(blank: Engine) -> None:
    config = alembic_config(blank)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert tables(blank) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert differences(blank) == []


def test_duplicate_absences_are_merged_before_one_per_span(blank: Engine) -> None:
    config = alembic_config(blank)
    command.upgrade(config, "0010")
    with blank.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO vendors (id, team_id, channel_id, name, timezone,"
                " checkin_cadence, summary_cadence, added_by, created_at, updated_at, paused)"
                " VALUES (1, 'T0TEAM', 'C0ACME', 'Acme', 'UTC', 'weekdays', 'fri@16:00', 'U0ALICE',"
                " '2026-11-30 09:00:00', '2026-11-30 09:00:00', false)"
            )
        )
        for note in ("first", "again", "again"):
            connection.execute(
                text(
                    "INSERT INTO vendor_absences"
                    " (vendor_id, user_id, first_day, last_day, note, created_at)"
                    " VALUES (1, 'U0VERA', '2026-12-03', '2026-12-04', :note,"
                    " '2026-12-01 10:00:00')"
                ),
                {"note": note},
            )
    command.upgrade(config, "0011")
    with blank.connect() as connection:
        kept = connection.execute(text("SELECT note FROM vendor_absences")).scalars().all()
    assert kept == ["first"]
