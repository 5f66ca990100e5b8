"""Command line: `python -m bot [run|web|jobs|scheduler|tick|migrate|console|purge]`.

- `run` (the default): the app and the scheduler in one process; Socket Mode when
  SLACK_APP_TOKEN is set, otherwise HTTP.
- `web`: HTTP mode under gunicorn, `POST /slack/events` and `GET /healthz`.
- `jobs`: runs the work commands, clicks and events start after their ack (bot.jobs),
  queued in the database by `web`; as many processes as needed.
- `scheduler`: the scheduler loop alone (the Procfile's `clock` process).
- `tick [--now ISO8601]`: all scheduled work due at or before NOW, once; then exit.
- `migrate`: apply database migrations.
- `console [--fresh] [--demo] [--now ISO8601] [--db URL]`: try the bot without Slack
  (bot.console), on its own database (console.db) unless --db names one.
- `purge [--team T…]`: delete a workspace's data at once; without --team, the workspaces
  uninstalled more than 30 days ago (what the scheduler's daily purge does).

Whatever stops a command from starting (a missing or bad setting, a database that does not
answer, an old schema) is reported as one line on stderr with a non-zero exit status, never
as a traceback: 2 for settings, 3 for an out-of-date schema, 1 for anything else.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from types import FrameType

from alembic.util.exc import CommandError
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from bot.config import MissingSettingError, Settings, VendorDefaults, load_settings
from bot.deps import Deps
from bot.errors import UsageError
from bot.logs import configure_logging
from bot.schedule_rules import parse_timezone
from bot.slack_tls import CaBundleError, slack_ssl_context
from storage.database import (
    is_sqlite,
    make_engine,
    migrate,
    normalise_url,
    ping,
    redact_url,
    schema_is_current,
    without_password,
)

logger = logging.getLogger("bot")
BAD_SETTING = 2
SCHEMA_OUT_OF_DATE = 3
CANNOT_START = 1


class StartupError(Exception):
    """A one-line reason the command cannot start, and the exit status to use."""

    def __init__(self, message: str, status: int = CANNOT_START) -> None:
        super().__init__(message)
        self.status = status


# What each command does and the settings it reads (checked when it starts, not before):
# `python -m bot COMMAND --help` shows them.
COMMON = ("DATABASE_URL", "DEFAULT_TIMEZONE", "SLACK_API_URL", "SLACK_CA_BUNDLE", "LOG_LEVEL")
COMMANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "run": (
        "the app and the scheduler in one process (the default command): Socket Mode when "
        "SLACK_APP_TOKEN is set, otherwise an HTTP server on PORT answering POST /slack/events",
        (
            *("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "PORT", *COMMON),
            *("SUMMARY_CHANNEL", "ADMIN_USER_IDS", "SCHEDULER_WORKERS"),
        ),
    ),
    "web": (
        "HTTP only, under gunicorn: POST /slack/events and GET /healthz",
        (
            *("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PORT", "WEB_CONCURRENCY", *COMMON),
            *("ADMIN_USER_IDS", "JOB_RUNNER"),
        ),
    ),
    "jobs": (
        "run the work that commands, clicks and events start after their ack, queued in the "
        "database by `web` (bot.jobs), until SIGTERM or SIGINT; start as many as needed",
        (
            *("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", *COMMON, "ADMIN_USER_IDS"),
            *("JOB_THREADS", "JOB_NICENESS"),
        ),
    ),
    "scheduler": (
        "the scheduler loop alone (the Procfile's clock process), until SIGTERM or SIGINT",
        ("SLACK_BOT_TOKEN", *COMMON, "SUMMARY_CHANNEL", "SCHEDULER_WORKERS"),
    ),
    "tick": (
        "all scheduled work due at or before NOW, once, then exit; running it again with the "
        "same NOW sends nothing new. Exit status 1 when Slack could not be reached",
        ("SLACK_BOT_TOKEN", *COMMON, "SUMMARY_CHANNEL", "SCHEDULER_WORKERS"),
    ),
    "migrate": ("apply the database migrations (Alembic)", ("DATABASE_URL", "LOG_LEVEL")),
    "purge": (
        "delete a workspace's data at once (--team T…); without --team, every workspace "
        "uninstalled more than 30 days ago, as the scheduler's daily purge does",
        ("DATABASE_URL", "LOG_LEVEL"),
    ),
    "console": (
        "try the bot without Slack: the real app against a stand-in workspace, typed into. "
        "Its own database, console.db in this folder, unless --db or --fresh",
        ("DEFAULT_TIMEZONE", "LOG_LEVEL"),
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=__doc__.splitlines()[0],
        epilog="`python -m bot COMMAND --help` says what a command does and the settings it "
        "reads. Settings come from the environment and .env (see .env.example).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (what, read) in COMMANDS.items():
        sub = commands.add_parser(
            name,
            help=what.split(":")[0].split(";")[0],
            description=what[0].upper() + what[1:] + ".",
            epilog="Settings it reads (environment or .env): " + ", ".join(read) + ".",
        )
        if name in ("tick", "console"):
            sub.add_argument(
                "--now",
                type=parse_now,
                metavar="ISO8601",
                help="do the work due at or before this time (default: now)"
                if name == "tick"
                else "start the console's clock there, e.g. 2026-11-30T10:00Z (default: "
                "where the last session left it, or now)",
            )
        if name == "purge":
            sub.add_argument("--team", metavar="T…", help="the team id whose data to delete now")
        if name == "console":
            sub.add_argument(
                "--fresh",
                action="store_true",
                help="a temporary database and workspace, deleted when you leave",
            )
            sub.add_argument("--demo", action="store_true", help="play a built-in week, then exit")
            sub.add_argument(
                "--db",
                metavar="URL",
                help="use this database instead of console.db (a SQLAlchemy URL; never "
                "DATABASE_URL unless you pass it here)",
            )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
        settings.check("LOG_LEVEL")
        if command == "console":
            from bot.console.start import ConsoleOptions, run_console

            options = ConsoleOptions(
                fresh=args.fresh, demo=args.demo, now=args.now, database_url=args.db
            )
            return run_console(settings, build_deps, options)
        # Malformed settings this command reads stop it; others (PORT for `tick`) do not.
        read = COMMANDS[command][1]
        if command == "run" and settings.socket_mode:  # no HTTP: no port, no signatures
            read = tuple(n for n in read if n not in ("PORT", "SLACK_SIGNING_SECRET"))
        settings.check(*read)
        configure_logging(settings.log_level, settings.secrets())
        logging.getLogger("alembic.runtime.migration").addFilter(_AlembicPreamble())
        if command == "migrate":
            return run_migrate(settings)
        if command == "purge":
            return run_purge(settings, args.team)
        if command == "web":
            return run_web(settings)
        if command == "tick":
            return run_tick_once(settings, args.now)
        if command == "scheduler":
            return run_scheduler_loop(settings)
        if command == "jobs":
            return run_jobs_loop(settings)
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
    except BrokenPipeError:
        # `python -m bot console --demo | head -3`: the reader left. Point stdout at
        # /dev/null so that the interpreter's last flush does not fail again, and go quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
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
    from bot.scheduling import run_tick

    deps = build_deps(settings, http=False)
    clients = scheduler_clients(settings, deps.engine)
    if settings.log_level != "DEBUG":
        # The report line below says what was posted, skipped and retried; one warning per
        # post on top would bury it (LOG_LEVEL=DEBUG shows them). Errors still show.
        logging.getLogger("bot.scheduler").setLevel(logging.ERROR)
    try:
        report = run_tick(deps, clients, now or deps.clock())
    finally:
        deps.engine.dispose()
    print(report.line())
    if report.retrying:
        # slack_sdk retried already; the claims were given back for the next tick.
        waiting = sum(report.retrying.values())
        reason = report.last_error or "no answer"
        raise StartupError(
            f"Slack did not take {waiting} post(s) after retries ({reason}); "
            "the next tick tries again"
        )
    return 0


def run_scheduler_loop(settings: Settings) -> int:
    """The scheduler alone (the `clock` process), until SIGTERM or SIGINT."""
    from bot.installations import scheduler_clients
    from bot.scheduling import run_scheduler

    deps = build_deps(settings, http=False)
    stop = _stop_on_signals()
    run_scheduler(deps, scheduler_clients(settings, deps.engine), stop)
    deps.engine.dispose()
    return 0


def run_jobs_loop(settings: Settings) -> int:
    """The job runner alone (the Procfile's `jobs` process), until SIGTERM or SIGINT; the
    jobs in hand are finished first."""
    from bot.app import build_app
    from bot.jobs import JobRunner

    deps = build_deps(settings, http=False)
    stop = _stop_on_signals()
    JobRunner(deps, lambda: build_app(deps, replaying=True)).run_forever(stop, settings.job_threads)
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
        reason = without_password(reason, normalise_url(url))
        raise StartupError(
            f"cannot connect to the database {_describe(url)}: {reason}", CANNOT_START
        ) from None
    return engine


def _describe(url: str) -> str:
    """The database URL without password or query string, for an error message."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        return f"(SQLite file {parsed.database or ':memory:'})"
    return f"at {redact_url(parsed, query=False)}"


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
        settings.check("PORT")
    try:
        timezone = parse_timezone(settings.default_timezone).key
    except UsageError:
        raise MissingSettingError(
            f"DEFAULT_TIMEZONE {settings.default_timezone!r} is not an IANA time zone"
        ) from None
    try:
        # The one SSL context for Slack, built now so a bad bundle stops start-up here.
        slack_ssl_context(settings.slack_ca_bundle)
    except CaBundleError as error:
        raise MissingSettingError(str(error)) from None
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
    from bot.gunicorn_app import start_job_runner

    start_job_runner(app)
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
    from bot.scheduling import run_scheduler

    run_scheduler(deps, app.client, stop)  # returns once stop is set
    handler.close()  # type: ignore[no-untyped-call]
    deps.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
