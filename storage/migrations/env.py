"""Alembic environment: uses the engine handed over by storage.database, or alembic.ini's URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from storage import models  # noqa: F401  (registers every table on SQLModel.metadata)
from storage.database import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # ALTER TABLE on SQLite goes through batch mode
            compare_type=True,
        )
        context.run_migrations()


run_migrations()
