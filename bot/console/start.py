"""`python -m bot console` starting up: its database (its own unless `--db` names one), the
stand-in workspace kept beside it, the app on loopback, and the console run on the terminal,
a script or the demo.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from bot.config import Settings
from bot.console.files import FILES_FOLDER, ConsoleFiles
from bot.console.items import LineSource
from bot.console.repl import Console
from bot.console.session import messages_to_keep
from bot.console.transport import LoopbackApp
from bot.console.world import (
    BOT_TOKEN,
    BOT_USER_ID,
    DEFAULT_CHANNEL,
    DEFAULT_USER,
    TEAM_ID,
    ConsoleClock,
    Workspace,
    load_sidecar,
    save_sidecar,
    sidecar_path,
)
from bot.deps import Deps
from bot.fake_slack import FakeSlack
from bot.logs import configure_logging
from storage.database import normalise_url, redact_url
from storage.models import Task, Vendor

logger = logging.getLogger("bot.console")


SIGNING_SECRET = "console-signing-secret-not-a-real-one"
DIGEST_CHANNEL = "vendor-digest"
# The console's own database: never the bot's DATABASE_URL unless `--db` names it.
CONSOLE_DATABASE_URL = "sqlite:///console.db"

BANNER = """\
Delegate console: the real bot, a stand-in Slack workspace. Type :help for help.
Database: {database}"""


class ConsoleRefused(Exception):
    """The console cannot start (exit status 2); the message is one line."""


@dataclass(frozen=True)
class ConsoleOptions:
    """What the console was asked for (`python -m bot console`'s flags): a temporary
    database (`--fresh`), the demo, the clock's start (`--now`), another database (`--db`)."""

    fresh: bool = False
    demo: bool = False
    now: datetime | None = None
    database_url: str | None = None


def run_console(
    settings: Settings,
    build_deps: Callable[[Settings, bool], Deps],
    options: ConsoleOptions,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """The console, until `:quit` or the end of the input; the demo plays its script.

    Its database is `console.db` in the working directory, never the bot's DATABASE_URL
    (fake vendors there would be posted to by a real `tick`): `options.database_url`
    (`--db`) names another explicitly. Exit status 0, or 2 with one line on stderr when the
    database belongs to a real workspace. Other start-up failures (a bad --db URL, an old
    PostgreSQL schema) are raised for `python -m bot` to report as for every command.
    """
    # The app's log would interleave with the conversation: errors only, unless asked.
    level = "DEBUG" if settings.log_level == "DEBUG" else "ERROR"
    configure_logging(level, [BOT_TOKEN, SIGNING_SECRET])
    try:
        return _run_console(
            settings, build_deps, options, stdin or sys.stdin, stdout or sys.stdout, level
        )
    except ConsoleRefused as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run_console(
    settings: Settings,
    build_deps: Callable[[Settings, bool], Deps],
    options: ConsoleOptions,
    stdin: TextIO,
    stdout: TextIO,
    level: str,
) -> int:
    fresh, demo = options.fresh, options.demo
    with contextlib.ExitStack() as stack:
        if fresh or demo:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="console-")))
            database_url = f"sqlite:///{folder / 'console.db'}"
            described = "a temporary one, gone when you leave (--fresh)"
            files_folder = folder / "files"
        else:
            database_url = options.database_url or CONSOLE_DATABASE_URL
            described = _describe_database(database_url)
            files_folder = _files_folder_for(database_url)
        fake = stack.enter_context(
            FakeSlack(team_id=TEAM_ID, bot_user_id=BOT_USER_ID, bot_token=BOT_TOKEN)
        )
        world = Workspace(fake)
        sidecar = None if fresh or demo else _sidecar_for(database_url)
        saved = load_sidecar(sidecar) if sidecar is not None else None
        if saved is not None:
            world.restore(saved)
        else:
            _new_workspace(world)
        digest = world.room(DIGEST_CHANNEL)
        fake.add_bot_to(digest.id)
        world.created.clear()
        console_settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=fake.api_url,
            database_url=database_url,
            default_timezone=settings.default_timezone,
            summary_channel=digest.id,
            log_level=level,
        )
        deps = build_deps(console_settings, False)
        stack.callback(deps.engine.dispose)
        clock = ConsoleClock(_start_time(options.now, saved, demo))
        deps = dataclasses.replace(deps, clock=clock)
        _check_database_is_ours(deps, world)
        app = stack.enter_context(LoopbackApp(deps))
        from bot.app import build_client

        client = build_client(BOT_TOKEN, fake.api_url)
        user = world.people.get(str((saved or {}).get("user"))) or world.person(DEFAULT_USER)
        channel = world.rooms.get(str((saved or {}).get("channel"))) or world.room(DEFAULT_CHANNEL)
        world.created.clear()

        def save(console: Console) -> None:
            if sidecar is not None:
                data = world.snapshot(console.clock.now, console.user.id, console.channel.id)
                data["messages"] = messages_to_keep(console.items)
                save_sidecar(sidecar, data)

        console = Console(app, world, client, clock, stdout, user=user, channel=channel, save=save)
        console.files = ConsoleFiles(files_folder, temporary=fresh or demo)
        console.print(BANNER.format(database=described))
        if saved is not None:
            console.reopen(saved.get("messages"))
        if demo:
            from bot.console.demo import DEMO_SCRIPT

            source = LineSource(iter(DEMO_SCRIPT.splitlines()), stdout)
        elif stdin.isatty():
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401  (line editing and history for input())
            source = LineSource(None, stdout)
        else:
            source = LineSource(iter(stdin), stdout)
        try:
            status = console.run(source)
        except KeyboardInterrupt:
            console.print()
            status = 0
        finally:
            save(console)
        if demo:
            console.print("· End of the demo. Try your own: python -m bot console --fresh")
        return status


def _new_workspace(world: Workspace) -> None:
    alice = world.person(DEFAULT_USER)
    general = world.room(DEFAULT_CHANNEL)
    world.join(general, alice)


def _start_time(now: datetime | None, saved: dict[str, Any] | None, demo: bool) -> datetime:
    if now is not None:
        return now.astimezone(UTC)
    if demo:
        from bot.console.demo import DEMO_START

        return DEMO_START
    if saved and saved.get("clock"):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(str(saved["clock"])).astimezone(UTC)
    return datetime.now(UTC).replace(second=0, microsecond=0)


def _sidecar_for(database_url: str) -> Path | None:
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return sidecar_path(Path(url.database))


def _describe_database(database_url: str) -> str:
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return (
            f"{Path(url.database).resolve()} (the console's own, kept between sessions; "
            "--fresh for a temporary one)"
        )
    return redact_url(url, query=False)


def _files_folder_for(database_url: str) -> Path:
    """Where uploaded files are saved: beside a SQLite file, else in the working directory."""
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / FILES_FOLDER
    return Path(FILES_FOLDER).resolve()


def _check_database_is_ours(deps: Deps, world: Workspace) -> None:
    """Refuse a database a real workspace uses (its check-ins would go to the stand-in),
    and make sure the channels and people it names exist in the stand-in."""
    with Session(deps.engine) as session:
        teams = set(session.exec(select(Vendor.team_id).distinct()).all())
        teams |= set(session.exec(select(Task.team_id).distinct()).all())
        others = sorted(teams - {TEAM_ID})
        if others:
            raise ConsoleRefused(
                f"the database holds a Slack workspace's data (team {others[0]}); the console "
                "only uses its own: run `python -m bot console --fresh`, or give --db another "
                "SQLite file"
            )
        vendors = session.exec(select(Vendor)).all()
        owners = session.exec(select(Task.owner_id, Task.assignee_id)).all()
    for vendor in vendors:
        world.ensure_channel(vendor.channel_id, with_bot=not vendor.paused)
        world.ensure_person(vendor.added_by)
    for owner, assignee in owners:
        world.ensure_person(owner)
        if assignee:
            world.ensure_person(assignee)
