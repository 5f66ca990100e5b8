"""Command line: `python -m bot [run|web|scheduler|tick|migrate|console]`.

- `run` (the default): the app and the scheduler in one process; Socket Mode when
  SLACK_APP_TOKEN is set, otherwise HTTP.
- `web`: HTTP mode under gunicorn, `POST /slack/events` and `GET /healthz`.
- `scheduler`: the scheduler loop alone (the Procfile's `clock` process).
- `tick [--now ISO8601]`: all scheduled work due at or before NOW, once; then exit.
- `migrate`: apply database migrations.
- `console [--fresh] [--demo] [--now ISO8601]`: try the bot without Slack (bot.console).
- `purge [--team T…]`: delete a workspace's data at once; without --team, the workspaces
  uninstalled more than 30 days ago (what the scheduler's daily purge does).

Whatever stops a command from starting (a missing or bad setting, a database that does not
answer, an old schema) is reported as one line on stderr with a non-zero exit status, never
as a traceback: 2 for settings, 3 for an out-of-date schema, 1 for anything else.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import UTC, datetime
from types import FrameType

from alembic.util.exc import CommandError
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from bot.config import MissingSettingError, Settings, load_settings
from bot.delegation import VendorDefaults
from bot.deps import Deps
from bot.errors import UsageError
from bot.logs import configure_logging
from bot.schedule_rules import parse_timezone
from storage.database import is_sqlite, make_engine, migrate, normalise_url, ping, schema_is_current

logger = logging.getLogger("bot")
BAD_SETTING = 2
SCHEMA_OUT_OF_DATE = 3
CANNOT_START = 1


class StartupError(Exception):
    """A one-line reason the command cannot start, and the exit status to use."""

    def __init__(self, message: str, status: int = CANNOT_START) -> None:
        super().__init__(message)
        self.status = status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "web", "scheduler", "tick", "migrate", "console", "purge"],
    )
    parser.add_argument("--team", help="purge only: the team id (T…) whose data to delete now")
    parser.add_argument(
        "--now",
        type=parse_now,
        help="tick: do the work due at or before this ISO 8601 time (default: now); "
        "console: start the console's clock there",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="console only: use a temporary database"
    )
    parser.add_argument(
        "--demo", action="store_true", help="console only: play a built-in week, then exit"
    )
    args = parser.parse_args(argv)
    if args.now is not None and args.command not in ("tick", "console"):
        parser.error("--now goes with the tick and console commands only")
    if args.team is not None and args.command != "purge":
        parser.error("--team goes with the purge command only")
    if (args.fresh or args.demo) and args.command != "console":
        parser.error("--fresh and --demo go with the console command only")
    try:
        settings = load_settings()
        if args.command == "console":
            from bot.console import run_console

            return run_console(
                settings, build_deps=build_deps, fresh=args.fresh, demo=args.demo, now=args.now
            )
        configure_logging(settings.log_level, settings.secrets())
        logging.getLogger("alembic.runtime.migration").addFilter(_AlembicPreamble())
        if args.command == "migrate":
            return run_migrate(settings)
        if args.command == "purge":
            return run_purge(settings, args.team)
        if args.command == "web":
            return run_web(settings)
        if args.command == "tick":
            return run_tick_once(settings, args.now)
        if args.command == "scheduler":
            return run_scheduler_loop(settings)
        return run_app(settings)
    except MissingSettingError as error:
        return _fail(str(error), BAD_SETTING)
    except StartupError as error:
        return _fail(str(error), error.status)
    except (SQLAlchemyError, CommandError) as error:
        # A failure half-way through a migration, say: the reason, with the detail at DEBUG.
        logger.debug("database error", exc_info=True)
        return _fail(f"database error: {_first_line(error)}", CANNOT_START)
    except KeyboardInterrupt:
        return 0


def parse_now(text: str) -> datetime:
    """`--now`: ISO 8601; a time without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time; write it like 2026-12-01T01:05:00Z"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_tick_once(settings: Settings, now: datetime | None) -> int:
    """Do once all scheduled work due at or before `now`, print what was done, exit."""
    from bot.installations import scheduler_clients
    from bot.scheduler import run_tick

    deps = build_deps(settings, http=False)
    report = run_tick(deps, scheduler_clients(settings, deps.engine), now or deps.clock())
    print(report.line())
    deps.engine.dispose()
    return 0


def run_scheduler_loop(settings: Settings) -> int:
    """The scheduler alone (the `clock` process), until SIGTERM or SIGINT."""
    from bot.installations import scheduler_clients
    from bot.scheduler import run_scheduler

    deps = build_deps(settings, http=False)
    stop = _stop_on_signals()
    run_scheduler(deps, scheduler_clients(settings, deps.engine), stop)
    deps.engine.dispose()
    return 0


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop


def _fail(message: str, status: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status


class _AlembicPreamble(logging.Filter):
    """Drop the two lines Alembic logs every time it looks at the schema ("Context impl
    SQLiteImpl.", "Will assume ... DDL."), so a refusal to start stays one line; the
    "Running upgrade" lines of an actual migration still show."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("Context impl", "Will assume"))


def run_migrate(settings: Settings) -> int:
    engine = open_database(settings.database_url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    print("database schema is up to date")
    return 0


def run_purge(settings: Settings, team: str | None) -> int:
    """Delete one workspace's data now, or every workspace's past its retention period."""
    from bot.installations import purge_expired, purge_team

    if team is not None and not (team.strip() and team.strip().isalnum()):
        raise MissingSettingError(f"--team must be a Slack team id like T0123ABCD, not {team!r}")
    engine = open_database(settings.database_url)
    try:
        if not schema_is_current(engine):
            raise StartupError(
                "the database schema is out of date: run `python -m bot migrate` first",
                SCHEMA_OUT_OF_DATE,
            )
        if team is not None:
            deleted = purge_team(engine, team.strip())
            print(f"deleted {deleted} row(s) of workspace {team.strip()}")
        else:
            purged = purge_expired(engine, datetime.now(UTC))
            print(f"purged {len(purged)} workspace(s) uninstalled over 30 days ago")
    finally:
        engine.dispose()
    return 0


def open_database(url: str) -> Engine:
    """The engine for DATABASE_URL, once the database has answered a query."""
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as error:
        raise MissingSettingError(
            f"DATABASE_URL is not a usable database URL ({_first_line(error)})"
        ) from None
    try:
        ping(engine)
    except SQLAlchemyError as error:
        engine.dispose()
        reason = _first_line(getattr(error, "orig", None) or error)
        password = make_url(normalise_url(url)).password
        if password:
            reason = reason.replace(str(password), "***")
        raise StartupError(
            f"cannot connect to the database {_describe(url)}: {reason}", CANNOT_START
        ) from None
    return engine


def _describe(url: str) -> str:
    """The database URL without password or query string, for an error message."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        return f"(SQLite file {parsed.database or ':memory:'})"
    return f"at {parsed.set(query={}).render_as_string(hide_password=True)}"


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def build_deps(settings: Settings, http: bool) -> Deps:
    """Check settings, port and schema, and build what the listeners need."""
    settings.require_one_mode()
    if settings.many_workspaces and settings.slack_app_token:
        # The install pages and the OAuth redirect are served over HTTP only.
        raise MissingSettingError(
            "Socket Mode (SLACK_APP_TOKEN) serves one workspace: unset it, or use "
            "SLACK_BOT_TOKEN instead of SLACK_CLIENT_ID/SLACK_CLIENT_SECRET"
        )
    if http:
        settings.require("SLACK_SIGNING_SECRET")
        if not 1 <= settings.port <= 65535:
            raise MissingSettingError(f"PORT must be between 1 and 65535, not {settings.port}")
    try:
        timezone = parse_timezone(settings.default_timezone).key
    except UsageError:
        raise MissingSettingError(
            f"DEFAULT_TIMEZONE {settings.default_timezone!r} is not an IANA time zone"
        ) from None
    if http:
        _check_port(settings.port)
    engine = open_database(settings.database_url)
    if not schema_is_current(engine):
        if not is_sqlite(settings.database_url):
            engine.dispose()
            raise StartupError(
                "the database schema is out of date: run `python -m bot migrate` first",
                SCHEMA_OUT_OF_DATE,
            )
        # One-machine SQLite installs have no separate release step: migrate in place.
        logger.info("migrating the SQLite database in place")
        migrate(engine)
    return Deps(settings=settings, engine=engine, vendor_defaults=VendorDefaults(timezone))


def _check_port(port: int) -> None:
    from bot.gunicorn_app import check_port_free

    try:
        check_port_free(port)
    except OSError as error:
        raise StartupError(
            f"cannot listen on port {port} ({error.strerror or error}); "
            "stop what is using it or set PORT"
        ) from None


def run_web(settings: Settings) -> int:
    """HTTP mode, even when SLACK_APP_TOKEN is set."""
    return _serve_http(build_deps(settings, http=True))


def run_app(settings: Settings) -> int:
    """The app and the scheduler in one process (the one-machine setup)."""
    if not settings.socket_mode:
        return _serve_http(build_deps(settings, http=True), with_scheduler=True)
    return _run_socket_mode(build_deps(settings, http=False))


def _serve_http(deps: Deps, with_scheduler: bool = False) -> int:
    from bot.gunicorn_app import serve

    logger.info("starting the HTTP server on port %d", deps.settings.port)
    serve(deps, with_scheduler=with_scheduler)
    return 0


def _run_socket_mode(deps: Deps) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.app import build_app

    app = build_app(deps)
    handler = SocketModeHandler(app, app_token=deps.settings.slack_app_token)
    stop = _stop_on_signals()
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except SlackApiError as error:
        raise StartupError(
            f"Slack refused the Socket Mode connection: {error.response.get('error')} "
            "(check SLACK_APP_TOKEN)"
        ) from None
    except (SlackClientError, OSError) as error:
        raise StartupError(f"cannot open a Socket Mode connection: {_first_line(error)}") from None
    logger.info("connected in Socket Mode")
    from bot.scheduler import run_scheduler

    run_scheduler(deps, app.client, stop)  # returns once stop is set
    handler.close()  # type: ignore[no-untyped-call]
    deps.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
