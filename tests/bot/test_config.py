"""load_settings: defaults, then `.env`, then the environment (which wins); repr() hides secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot.config import DEFAULT_DATABASE_URL, MissingSettingError, Settings, load_settings
from storage.database import normalise_url
from tests.support.paths import REPO

DEFAULTS: dict[str, Any] = {
    "slack_bot_token": None,
    "slack_signing_secret": None,
    "slack_app_token": None,
    "database_url": "sqlite:///checkins.db",
    "slack_api_url": None,
    "port": 3000,
    "default_timezone": "UTC",
    "summary_channel": None,
    "log_level": "INFO",
    "socket_mode": False,
}


def settings_from(environ: dict[str, str], dotenv: str | None, tmp_path: Path) -> Settings:
    path = tmp_path / ".env"
    if dotenv is not None:
        path.write_text(dotenv)
    return load_settings(environ, dotenv_path=path)


def as_dict(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in DEFAULTS}


@pytest.mark.parametrize(
    ("environ", "dotenv", "expected"),
    [
        pytest.param({}, None, {}, id="defaults-without-dotenv"),
        pytest.param({}, "", {}, id="defaults-with-empty-dotenv"),
        pytest.param(
            {
                "SLACK_BOT_TOKEN": "xoxb-env",
                "SLACK_SIGNING_SECRET": "secret-env",
                "DATABASE_URL": "postgresql://bot@db/bot",
                "SLACK_API_URL": "http://127.0.0.1:9/api/",
                "PORT": "8080",
                "DEFAULT_TIMEZONE": "Asia/Manila",
                "SUMMARY_CHANNEL": "C0SUMMARY",
                "LOG_LEVEL": "debug",
            },
            None,
            {
                "slack_bot_token": "xoxb-env",
                "slack_signing_secret": "secret-env",
                "database_url": "postgresql://bot@db/bot",
                "slack_api_url": "http://127.0.0.1:9/api/",
                "port": 8080,
                "default_timezone": "Asia/Manila",
                "summary_channel": "C0SUMMARY",
                "log_level": "DEBUG",
            },
            id="everything-from-the-environment",
        ),
        pytest.param(
            {},
            "SLACK_BOT_TOKEN=xoxb-dotenv\n"
            "# a comment\n"
            'SLACK_SIGNING_SECRET="quoted secret"\n'
            "export SLACK_APP_TOKEN=xapp-dotenv\n"
            "PORT=4000\n",
            {
                "slack_bot_token": "xoxb-dotenv",
                "slack_signing_secret": "quoted secret",
                "slack_app_token": "xapp-dotenv",
                "port": 4000,
                "socket_mode": True,
            },
            id="from-dotenv",
        ),
        pytest.param(
            {"SLACK_BOT_TOKEN": "xoxb-env", "PORT": "5000", "DEFAULT_TIMEZONE": "Europe/Paris"},
            "SLACK_BOT_TOKEN=xoxb-dotenv\nPORT=4000\nSUMMARY_CHANNEL=C0DOTENV\n",
            {
                "slack_bot_token": "xoxb-env",
                "port": 5000,
                "default_timezone": "Europe/Paris",
                "summary_channel": "C0DOTENV",
            },
            id="environment-wins-over-dotenv",
        ),
        pytest.param(
            {"SLACK_BOT_TOKEN": "  xoxb-padded  ", "PORT": " 8080 ", "SUMMARY_CHANNEL": "   "},
            None,
            {"slack_bot_token": "xoxb-padded", "port": 8080},
            id="whitespace-trimmed-blank-is-unset",
        ),
        pytest.param(
            {"PORT": "", "DATABASE_URL": "", "DEFAULT_TIMEZONE": ""},
            None,
            {},
            id="empty-values-mean-defaults",
        ),
        pytest.param(
            {"SLACK_APP_TOKEN": "xapp-1-x"},
            None,
            {"slack_app_token": "xapp-1-x", "socket_mode": True},
            id="app-token-means-socket-mode",
        ),
    ],
)
def test_load_settings(
    tmp_path: Path, environ: dict[str, str], dotenv: str | None, expected: dict[str, Any]
) -> None:
    assert as_dict(settings_from(environ, dotenv, tmp_path)) == {**DEFAULTS, **expected}


def test_the_default_database_is_sqlite_in_the_working_directory() -> None:
    assert DEFAULT_DATABASE_URL == "sqlite:///checkins.db"


def test_the_process_environment_is_the_default_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-dotenv\nSUMMARY_CHANNEL=C0DOTENV\n")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-process")
    monkeypatch.delenv("SUMMARY_CHANNEL", raising=False)
    settings = load_settings()
    assert (settings.slack_bot_token, settings.summary_channel) == ("xoxb-process", "C0DOTENV")


def test_no_dotenv_path_reads_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-dotenv\n")
    assert load_settings({}, dotenv_path=None).slack_bot_token is None


@pytest.mark.parametrize(
    ("environ", "dotenv"),
    [
        pytest.param({"PORT": "eighty"}, None, id="word"),
        pytest.param({"PORT": "80.5"}, None, id="decimal"),
        pytest.param({"PORT": "30 00"}, None, id="inner-space"),
        pytest.param({}, "PORT=http\n", id="from-dotenv"),
        pytest.param({"PORT": "3k"}, "PORT=3000\n", id="environment-wins-even-when-bad"),
    ],
)
def test_port_must_be_a_number(tmp_path: Path, environ: dict[str, str], dotenv: str | None) -> None:
    settings = settings_from(environ, dotenv, tmp_path)  # only the commands that listen care
    with pytest.raises(MissingSettingError) as raised:
        settings.check("PORT")
    message = str(raised.value)
    assert message.startswith("PORT must be a number")
    assert "\n" not in message


@pytest.mark.parametrize("name", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"])
def test_require_names_the_missing_setting(tmp_path: Path, name: str) -> None:
    settings = settings_from({}, None, tmp_path)
    with pytest.raises(MissingSettingError, match=name):
        settings.require(name)
    others = {n: "set" for n in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")}
    settings_from(others, None, tmp_path).require(name)  # no error once set


SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-111-222-bottokensecret",
    "SLACK_SIGNING_SECRET": "signingsecretvalue0123",
    "SLACK_APP_TOKEN": "xapp-1-A0-apptokensecret",
}


@pytest.mark.parametrize(
    ("database_url", "shown"),
    [
        pytest.param(
            "postgresql://bot:hunter2pw@db.example:5432/bot",
            "postgresql://bot:***@db.example:5432/bot",
            id="user-and-password",
        ),
        pytest.param(
            "postgresql+psycopg://bot:p%40ss:hunter2pw@db/bot",
            "postgresql+psycopg://bot:***@db/bot",
            id="password-with-colon-and-escape",
        ),
        pytest.param(
            "postgres://bot:hunter2pw@db1,db2/bot",
            "postgres://bot:***@db1,db2/bot",
            id="several-hosts",
        ),
        pytest.param("postgresql://bot@db/bot", "postgresql://bot@db/bot", id="no-password"),
        pytest.param("sqlite:///checkins.db", "sqlite:///checkins.db", id="sqlite"),
    ],
)
def test_repr_never_shows_tokens_secret_or_database_password(
    tmp_path: Path, database_url: str, shown: str
) -> None:
    settings = settings_from({**SECRETS, "DATABASE_URL": database_url}, None, tmp_path)
    for text in (repr(settings), str(settings), f"{settings}", f"{settings!r}"):
        for secret in [*SECRETS.values(), "hunter2pw"]:
            assert secret not in text
        assert f"database_url={shown!r}" in text
    assert "socket_mode=True" in repr(settings)


def test_repr_hides_a_password_given_as_a_query_parameter(tmp_path: Path) -> None:
    url = "postgresql://bot@db/bot?sslmode=require&password=hunter2pw"
    assert "hunter2pw" not in repr(settings_from({"DATABASE_URL": url}, None, tmp_path))


def test_secrets_lists_the_values_to_redact_from_logs(tmp_path: Path) -> None:
    settings = settings_from(SECRETS, None, tmp_path)
    assert sorted(settings.secrets()) == sorted(SECRETS.values())
    assert settings_from({}, None, tmp_path).secrets() == []


@pytest.mark.parametrize(
    ("database_url", "driver"),
    [
        pytest.param("postgres://bot:pw@db/bot", "postgresql+psycopg", id="heroku-style"),
        pytest.param("postgresql://bot:pw@db/bot", "postgresql+psycopg", id="plain"),
        pytest.param("postgresql+psycopg://bot:pw@db/bot", "postgresql+psycopg", id="explicit"),
        pytest.param("sqlite:///checkins.db", "sqlite", id="sqlite"),
    ],
)
def test_postgresql_urls_use_psycopg_3(database_url: str, driver: str) -> None:
    assert make_url(normalise_url(database_url)).drivername == driver


@pytest.mark.parametrize(
    ("environ", "named", "says"),
    [
        pytest.param({"SLACK_BOT_TOKEN": "xoxb-your-bot-token"}, "SLACK_BOT_TOKEN", "placeholder"),
        pytest.param(
            {"SLACK_SIGNING_SECRET": "your-signing-secret"}, "SLACK_SIGNING_SECRET", "placeholder"
        ),
        pytest.param({"SLACK_BOT_TOKEN": "xapp-1-A0-123-abc"}, "SLACK_BOT_TOKEN", "xoxb-"),
        pytest.param({"SLACK_APP_TOKEN": "xoxb-123-456-abc"}, "SLACK_APP_TOKEN", "xapp-"),
        pytest.param({"LOG_LEVEL": "verbose"}, "LOG_LEVEL", "DEBUG, INFO"),
        pytest.param({"SUMMARY_CHANNEL": "#vendor-digest"}, "SUMMARY_CHANNEL", "C0123ABCD"),
        pytest.param({"ADMIN_USER_IDS": "U0123ABCD, alice"}, "ADMIN_USER_IDS", "'alice'"),
        pytest.param({"PORT": "70000"}, "PORT", "between 1 and 65535"),
        pytest.param({"WEB_CONCURRENCY": "many"}, "WEB_CONCURRENCY", "a number"),
        pytest.param({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY", "between 1 and 32"),
    ],
)
def test_a_malformed_setting_is_named_by_the_commands_that_read_it(
    tmp_path: Path, environ: dict[str, str], named: str, says: str
) -> None:
    settings = settings_from(environ, None, tmp_path)  # loading never fails
    settings.check("DATABASE_URL")  # other settings are not this one's business
    with pytest.raises(MissingSettingError) as raised:
        settings.check(named)
    message = str(raised.value)
    assert message.startswith(named) and says in message and "\n" not in message


def test_well_formed_ids_and_levels_pass(tmp_path: Path) -> None:
    settings = settings_from(
        {
            "SUMMARY_CHANNEL": "C0DIGEST",
            "ADMIN_USER_IDS": "U0123ABCD,W0456",
            "LOG_LEVEL": "warning",
            "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
            "SLACK_APP_TOKEN": "xapp-1-A0-abc",
        },
        None,
        tmp_path,
    )
    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    settings.check("SUMMARY_CHANNEL", "ADMIN_USER_IDS", "LOG_LEVEL")
    assert settings.admin_user_ids == {"U0123ABCD", "W0456"}
    assert settings.log_level == "WARNING"


def test_the_env_example_placeholders_are_refused(tmp_path: Path) -> None:
    example = (REPO / ".env.example").read_text()
    settings = settings_from({}, example, tmp_path)
    with pytest.raises(MissingSettingError, match="SLACK_BOT_TOKEN is still the placeholder"):
        settings.require("SLACK_BOT_TOKEN")


def test_web_concurrency_defaults_to_two_worker_processes(tmp_path: Path) -> None:
    assert settings_from({}, None, tmp_path).web_concurrency == 2
    assert settings_from({"WEB_CONCURRENCY": "3"}, None, tmp_path).web_concurrency == 3
