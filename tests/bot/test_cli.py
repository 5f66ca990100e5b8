"""`python -m bot` as an operator runs it: real subprocesses, settings from an explicit
environment, the working directory a fresh tmp_path (so no stray .env or checkins.db).

A start-up failure is one line on stderr and a non-zero status, never a traceback;
`migrate` creates the schema on SQLite and PostgreSQL; `web` refuses an old PostgreSQL
schema, migrates SQLite itself, and serves Slack's requests and /healthz under gunicorn.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from bot.web import build_wsgi_app
from storage.database import make_engine, schema_is_current
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES
from tests.support.cli import assert_one_line_error, bot_env, free_port, run_bot
from tests.support.fake_slack import FakeSlack
from tests.support.paths import REPO
from tests.support.slack_requests import (
    BOT_TOKEN,
    SIGNING_SECRET,
    command_form,
    rendered,
    sign,
)

TABLES = {"alembic_version", "vendors", "tasks", "audit_log"}


def table_names(url: str, schema: str | None = None) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names(schema=schema))
    finally:
        engine.dispose()


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("args", "settings", "named"),
    [
        pytest.param(["web"], {}, "SLACK_BOT_TOKEN", id="web-no-bot-token"),
        pytest.param([], {}, "SLACK_BOT_TOKEN", id="bare-no-bot-token"),
        pytest.param(
            ["run"], {"SLACK_APP_TOKEN": "xapp-1-x"}, "SLACK_BOT_TOKEN", id="socket-no-bot-token"
        ),
        pytest.param(
            ["web"], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET", id="web-no-secret"
        ),
        pytest.param(
            ["run"], {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET", id="http-run-no-secret"
        ),
        pytest.param(
            ["web"],
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-1-x"},
            "SLACK_SIGNING_SECRET",
            id="web-is-http-even-with-app-token",
        ),
        pytest.param(
            ["web"],
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "DEFAULT_TIMEZONE": "Mars/Olympus_Mons",
            },
            "DEFAULT_TIMEZONE",
            id="bad-timezone",
        ),
        pytest.param(["web"], {"PORT": "80a"}, "PORT", id="port-not-a-number"),
        pytest.param(
            ["run"],
            {"SLACK_BOT_TOKEN": "xoxb-your-bot-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET},
            "placeholder",
            id="placeholder-token",
        ),
        pytest.param(
            ["run"],
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xoxb-1-2-other"},
            "SLACK_APP_TOKEN",
            id="bot-token-as-app-token",
        ),
        pytest.param(
            ["run"],
            {"SLACK_BOT_TOKEN": "xapp-1-A0-abc", "SLACK_APP_TOKEN": "xapp-1-A0-abc"},
            "SLACK_BOT_TOKEN",
            id="app-token-as-bot-token",
        ),
        pytest.param(["migrate"], {"LOG_LEVEL": "verbose"}, "LOG_LEVEL", id="log-level"),
        pytest.param(
            ["tick"],
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SUMMARY_CHANNEL": "#vendor-digest"},
            "SUMMARY_CHANNEL",
            id="summary-channel-name",
        ),
        pytest.param(
            ["web"],
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "ADMIN_USER_IDS": "alice",
            },
            "ADMIN_USER_IDS",
            id="admin-names",
        ),
        pytest.param(
            ["web"],
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": "70000"},
            "PORT",
            id="port-out-of-range",
        ),
        pytest.param(
            ["migrate"], {"DATABASE_URL": "nosuchdb://x/y"}, "DATABASE_URL", id="bad-database-url"
        ),
    ],
)
def test_a_bad_or_missing_setting_is_one_line_and_status_2(
    tmp_path: Path, args: list[str], settings: dict[str, str], named: str
) -> None:
    result = run_bot(tmp_path, *args, env=bot_env(**settings))
    assert result.returncode == 2, result.stderr
    line = assert_one_line_error(result, named)
    assert line.startswith("error: ")
    assert list(tmp_path.iterdir()) == []  # refused before touching the database


def test_the_env_example_as_copied_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text((REPO / ".env.example").read_text())
    result = run_bot(tmp_path, env=bot_env())
    assert result.returncode == 2
    assert_one_line_error(result, "SLACK_BOT_TOKEN", "placeholder")


def test_socket_mode_does_not_read_port_or_the_signing_secret(tmp_path: Path) -> None:
    env = bot_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN="xapp-1-A0-abc",
        SLACK_SIGNING_SECRET="your-signing-secret",
        PORT="abc",
        SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/",  # nothing answers
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
    )
    result = run_bot(tmp_path, "run", env=env)
    assert result.returncode == 1  # got as far as connecting (after migrating the new file)
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("error: cannot open a Socket Mode connection")
    )


@pytest.mark.parametrize("command", ["migrate", "console"])
def test_a_bad_port_stops_only_the_commands_that_listen(tmp_path: Path, command: str) -> None:
    env = bot_env(PORT="abc", DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    result = subprocess.run(
        [sys.executable, "-m", "bot", command, *(["--fresh"] if command == "console" else [])],
        cwd=tmp_path,
        env=env,
        input=":quit\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "PORT" not in result.stderr


@pytest.mark.parametrize("command", ["run", "web", "scheduler", "tick", "migrate", "console"])
def test_each_command_has_help_naming_the_settings_it_reads(command: str) -> None:
    result = run_bot(REPO, command, "--help", env=bot_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: python -m bot {command}")
    assert "Settings it reads" in result.stdout and "LOG_LEVEL" in result.stdout
    listens = command in ("run", "web")
    assert ("PORT" in result.stdout) == listens


def test_settings_come_from_dotenv_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\nPORT=3001\n")
    result = run_bot(tmp_path, "web", env=bot_env(PORT="30x1"))
    assert result.returncode == 2
    # The token came from .env (no complaint about it); PORT from the environment.
    assert_one_line_error(result, "PORT", "30x1")


def test_secrets_never_reach_stderr(tmp_path: Path) -> None:
    env = bot_env(
        SLACK_BOT_TOKEN="xoxb-very-secret-token",
        SLACK_SIGNING_SECRET="signing-secret-value",
        DATABASE_URL=f"postgresql://bot:db-password-value@127.0.0.1:{free_port()}/bot",
    )
    result = run_bot(tmp_path, "web", env=env)
    assert result.returncode != 0
    for secret in ("xoxb-very-secret-token", "signing-secret-value", "db-password-value"):
        assert secret not in result.stderr + result.stdout


def test_a_port_in_use_is_one_line_at_once(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = bot_env(
            SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, PORT=str(port)
        )
        result = run_bot(tmp_path, "web", env=env)
    assert result.returncode == 1
    assert_one_line_error(result, f"port {port}", "PORT")
    assert list(tmp_path.iterdir()) == []  # checked before the database


# ---------------------------------------------------------------- the database at start-up


@pytest.mark.parametrize("command", ["web", "migrate", "run"])
def test_an_unreachable_database_is_one_line(tmp_path: Path, command: str) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"  # nothing listens
    env = bot_env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, DATABASE_URL=url)
    result = run_bot(tmp_path, command, env=env)
    assert result.returncode not in (0, 2), result.stderr
    assert_one_line_error(result, "cannot connect to the database", "127.0.0.1")


def test_an_unopenable_sqlite_file_is_one_line(tmp_path: Path) -> None:
    env = bot_env(DATABASE_URL=f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}")
    result = run_bot(tmp_path, "migrate", env=env)
    assert result.returncode == 1
    assert_one_line_error(result, "cannot connect to the database", "x.db")


def test_migrate_creates_the_schema_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    first = run_bot(tmp_path, "migrate", env=bot_env(DATABASE_URL=url))
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert table_names(url) >= TABLES
    engine = make_engine(url)
    try:
        assert schema_is_current(engine)
    finally:
        engine.dispose()
    again = run_bot(tmp_path, "migrate", env=bot_env(DATABASE_URL=url))
    assert again.returncode == 0, again.stderr


@dataclass
class PostgresSchema:
    name: str
    url: str  # the bot's DATABASE_URL: the `test` database, this schema first on search_path
    admin: Engine

    def tables(self) -> set[str]:
        return set(inspect(self.admin).get_table_names(schema=self.name))


@pytest.fixture
def postgres_schema() -> Iterator[PostgresSchema]:
    """A fresh, empty schema in the `test` database, dropped afterwards."""
    name = f"cli_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {name}"))
    except Exception as error:
        admin.dispose()
        message = f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    joiner = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{joiner}options=-csearch_path%3D{name}"
    try:
        yield PostgresSchema(name, url, admin)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


@pytest.mark.postgres
def test_migrate_creates_the_schema_on_postgres(
    tmp_path: Path, postgres_schema: PostgresSchema
) -> None:
    result = run_bot(tmp_path, "migrate", env=bot_env(DATABASE_URL=postgres_schema.url))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert postgres_schema.tables() >= TABLES


@pytest.mark.postgres
@pytest.mark.parametrize("command", ["web", "run"])
def test_web_refuses_an_unmigrated_postgres_schema(
    tmp_path: Path, postgres_schema: PostgresSchema, command: str
) -> None:
    env = bot_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        DATABASE_URL=postgres_schema.url,
        PORT=str(free_port()),
    )
    result = run_bot(tmp_path, command, env=env)
    assert result.returncode != 0
    assert_one_line_error(result, "python -m bot migrate")
    assert postgres_schema.tables() == set()  # it did not migrate by itself


# ---------------------------------------------------------------- `web` under gunicorn


@dataclass
class Response:
    status: int
    body: str


def http(url: str, body: str | None = None, headers: dict[str, str] | None = None) -> Response:
    request = urllib.request.Request(
        url,
        data=None if body is None else body.encode(),
        headers=headers or {},
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return Response(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read().decode())


def wait_until_serving(url: str, process: subprocess.Popen[Any], timeout: float = 30) -> Response:
    """Poll GET url until the server answers; fail fast if the process exits first.

    A bounded poll on a real condition (the port answering): the server is another process
    (gunicorn), which has no other way to say it is ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with status {process.returncode}")
        try:
            return http(url)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise AssertionError(f"nothing answered at {url} within {timeout}s")


def slash_command(text: str, response_url: str) -> str:
    return urlencode(command_form(text, response_url, channel_name="acme-design"))


def test_web_serves_slack_and_healthz_under_gunicorn(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with FakeSlack() as fake:
        env = bot_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.api_url,
            PORT=str(port),
            # No DATABASE_URL: the default, checkins.db in the working directory.
        )
        stderr_path = tmp_path / "stderr.log"
        with stderr_path.open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "web"],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            health = wait_until_serving(f"{base}/healthz", process)
            assert (health.status, health.body) == (200, '{"ok": true, "database": "up"}')
            assert table_names(f"sqlite:///{tmp_path / 'checkins.db'}") >= TABLES

            key = uuid.uuid4().hex
            body = slash_command("help", fake.response_url(key))
            signed = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            assert http(f"{base}/slack/events", body, signed).status == 200
            replies = fake.wait_for_responses(1, timeout=10)
            assert [r["_key"] for r in replies] == [key]
            assert "/delegate list" in rendered(replies[0])

            unsigned = {"Content-Type": "application/x-www-form-urlencoded"}
            assert http(f"{base}/slack/events", body, unsigned).status == 401
            assert len(fake.responses) == 1

            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    log = stderr_path.read_text()
    assert "Traceback" not in log, log
    assert "gunicorn" in log  # gunicorn, not Bolt's development server


def test_healthz_is_503_when_the_database_is_unreachable() -> None:
    """The same WSGI callable gunicorn serves, called directly, with a database that is down."""
    from bot.app import build_app
    from bot.config import Settings, VendorDefaults
    from bot.deps import Deps

    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test")
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET)
    wsgi = build_wsgi_app(build_app(Deps(settings, engine, VendorDefaults())), engine)
    started: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.append(status)

    environ = {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}
    body = b"".join(wsgi(environ, start_response))  # type: ignore[arg-type]
    assert started == ["503 Service Unavailable"]
    assert body == b'{"ok": false, "database": "down"}'
