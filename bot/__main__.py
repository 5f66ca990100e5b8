"""Command line: `python -m bot [run|web|migrate]`.

- `run` (the default): the app; Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP.
- `web`: HTTP mode under gunicorn, `POST /slack/events` and `GET /healthz`.
- `migrate`: apply database migrations.
"""

from __future__ import annotations

import argparse
import logging
import sys

from bot.config import MissingSettingError, Settings, load_settings
from bot.delegation import VendorDefaults
from bot.deps import Deps
from bot.errors import UsageError
from bot.logs import configure_logging
from bot.schedule_rules import parse_timezone
from storage.database import is_sqlite, make_engine, migrate, schema_is_current

logger = logging.getLogger("bot")
SCHEMA_OUT_OF_DATE = 3


class StartupError(Exception):
    """A one-line reason the command cannot start, and the exit status to use."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="run", choices=["run", "web", "migrate"])
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level, settings.secrets())
        if args.command == "migrate":
            return run_migrate(settings)
        if args.command == "web":
            return run_web(settings)
        return run_app(settings)
    except MissingSettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except StartupError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        return 0


def run_migrate(settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    migrate(engine)
    print("database schema is up to date")
    return 0


def build_deps(settings: Settings) -> Deps:
    """Check settings and schema, and build what the listeners need."""
    settings.require("SLACK_BOT_TOKEN")
    if not settings.socket_mode:
        settings.require("SLACK_SIGNING_SECRET")
    try:
        timezone = parse_timezone(settings.default_timezone).key
    except UsageError:
        raise MissingSettingError(
            f"DEFAULT_TIMEZONE {settings.default_timezone!r} is not an IANA time zone"
        ) from None
    engine = make_engine(settings.database_url)
    if not schema_is_current(engine):
        if not is_sqlite(settings.database_url):
            raise StartupError(
                "the database schema is out of date: run `python -m bot migrate` first",
                SCHEMA_OUT_OF_DATE,
            )
        # One-machine SQLite installs have no separate release step: migrate in place.
        migrate(engine)
    return Deps(settings=settings, engine=engine, vendor_defaults=VendorDefaults(timezone))


def run_web(settings: Settings) -> int:
    deps = build_deps(settings)
    from bot.gunicorn_app import serve

    serve(deps)
    return 0


def run_app(settings: Settings) -> int:
    deps = build_deps(settings)
    if not settings.socket_mode:
        from bot.gunicorn_app import serve

        serve(deps)
        return 0
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import build_app

    app = build_app(deps)
    logger.info("starting in Socket Mode")
    SocketModeHandler(app, app_token=settings.slack_app_token).start()  # type: ignore[no-untyped-call]
    return 0


if __name__ == "__main__":
    sys.exit(main())
