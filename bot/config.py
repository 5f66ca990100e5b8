"""The one settings object: defaults, then `.env`, then the process environment (which wins).

No other module reads the environment; everything that needs a setting is handed this object.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.slack_tls import CaBundleError, check_ca_bundle
from storage.database import redact_url

DEFAULT_DATABASE_URL = "sqlite:///checkins.db"
# Vendors a scheduler tick serves at once (threads); see bot.scheduling.
DEFAULT_SCHEDULER_WORKERS = 8
MAX_SCHEDULER_WORKERS = 32
# gunicorn worker processes for `web` (WEB_CONCURRENCY, the platforms' convention). Two by
# default: listeners share one interpreter's GIL, so a second process lets a second core
# ack while the first is busy with work after other acks, and two workers of about
# 60-160 MiB each fit a 512 MiB instance. See docs/decisions.md.
DEFAULT_WEB_CONCURRENCY = 2
MAX_WEB_CONCURRENCY = 32
# Who runs the work a request starts after its ack (bot.jobs): "web", the web process itself
# as well as any `python -m bot jobs`; "separate", only `python -m bot jobs` processes (the
# web process then only acks and queues). See docs/decisions.md.
JOB_RUNNERS = ("web", "separate")
DEFAULT_JOB_THREADS = 10  # as many as Bolt's own listener executor
MAX_JOB_THREADS = 32
# `python -m bot jobs` lowers its CPU priority by this much (nice), so that on a machine it
# shares with `web` the acks get the CPU first; 0 on a host shared with other busy work,
# where a lower priority would starve the runner.
DEFAULT_JOB_NICENESS = 10


# The values `.env.example` ships with: set, but not a workspace's.
PLACEHOLDERS = frozenset({"xoxb-your-bot-token", "your-signing-secret", "xapp-your-app-token"})
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Slack ids: channels C/G (D for a DM), users U/W; upper-case letters and digits.
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class MissingSettingError(Exception):
    """A setting the chosen command needs is not set, or is malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str | None = None
    port: int = 3000
    default_timezone: str = "UTC"
    summary_channel: str | None = None
    # When set, only these users administer vendors (vendor add/set/pause/resume/holiday).
    admin_user_ids: frozenset[str] = frozenset()
    log_level: str = "INFO"
    scheduler_workers: int = DEFAULT_SCHEDULER_WORKERS
    web_concurrency: int = DEFAULT_WEB_CONCURRENCY
    # A PEM file of the CAs to trust for Slack's HTTPS (a proxy's, a test double's); None
    # means the system's. It replaces the trusted CAs, never turns verification off.
    slack_ca_bundle: str | None = None
    job_runner: str = "web"
    # Jobs one `python -m bot jobs` process runs at once (threads: they wait on Slack).
    job_threads: int = DEFAULT_JOB_THREADS
    job_niceness: int = DEFAULT_JOB_NICENESS
    # Settings whose value is malformed, (ENV_NAME, one-line reason): reported by the commands
    # that use them (`check`, `require`), so `PORT=abc` stops `web`, not `migrate` or `tick`.
    problems: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    # Many-workspace mode (issue 15): Bolt's OAuth flow instead of one SLACK_BOT_TOKEN.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_scopes: tuple[str, ...] = ()  # empty: the manifest's bot scopes (bot.installations)
    slack_redirect_uri: str | None = None
    # Secrets are kept out of repr() so a settings object can never leak into a log line.
    _secret_fields: tuple[str, ...] = field(
        default=(
            "slack_bot_token",
            "slack_signing_secret",
            "slack_app_token",
            "slack_client_secret",
        ),
        repr=False,
    )

    def __repr__(self) -> str:
        shown = {
            "database_url": redact_url(self.database_url),
            "slack_api_url": self.slack_api_url,
            "port": self.port,
            "default_timezone": self.default_timezone,
            "summary_channel": self.summary_channel,
            "socket_mode": self.socket_mode,
        }
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def many_workspaces(self) -> bool:
        """True when installed through OAuth (SLACK_CLIENT_ID/SECRET), not one bot token."""
        return bool(self.slack_client_id or self.slack_client_secret)

    def require_one_mode(self) -> None:
        """Exactly one of the two modes: one bot token, or an OAuth client id and secret."""
        token = bool(self.slack_bot_token)
        oauth = bool(self.slack_client_id and self.slack_client_secret)
        if token and self.many_workspaces:
            raise MissingSettingError(
                "both SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are set: choose "
                "SLACK_BOT_TOKEN for one workspace or the client id and secret for many"
            )
        if self.many_workspaces and not oauth:
            missing = "SLACK_CLIENT_SECRET" if self.slack_client_id else "SLACK_CLIENT_ID"
            raise MissingSettingError(
                f"{missing} is not set: many workspaces need both SLACK_CLIENT_ID and "
                "SLACK_CLIENT_SECRET (or unset both and set SLACK_BOT_TOKEN for one workspace)"
            )
        if not token and not oauth:
            raise MissingSettingError(
                "neither SLACK_BOT_TOKEN nor SLACK_CLIENT_ID/SLACK_CLIENT_SECRET is set: choose "
                "SLACK_BOT_TOKEN for one workspace or the client id and secret for many"
            )

    def require(self, *names: str) -> None:
        """Raise MissingSettingError naming the first unset setting among `names` (env names)."""
        for name in names:
            if not getattr(self, name.lower()):
                raise MissingSettingError(f"{name} is not set (put it in the environment or .env)")
        self.check(*names)

    def check(self, *names: str) -> None:
        """Raise MissingSettingError for the first of `names` (env names) that is malformed."""
        for name in names:
            for problem_name, reason in self.problems:
                if problem_name == name:
                    raise MissingSettingError(reason)

    def secrets(self) -> list[str]:
        """The secret values in force, for log redaction."""
        values = [getattr(self, name) for name in self._secret_fields]
        return [v for v in values if v]


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = ".env"
) -> Settings:
    """Build Settings from `.env` (if present) overlaid with `environ` (default: os.environ)."""
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    problems: list[tuple[str, str]] = []

    def number(name: str, default: int, low: int, high: int) -> int:
        text = get(name) or str(default)
        try:
            value = int(text)
        except ValueError:
            problems.append((name, f"{name} must be a number, not {text!r}"))
            return default
        if not low <= value <= high:
            problems.append((name, f"{name} must be between {low} and {high}, not {value}"))
            return default
        return value

    port = number("PORT", 3000, 1, 65535)
    workers = number("SCHEDULER_WORKERS", DEFAULT_SCHEDULER_WORKERS, 1, MAX_SCHEDULER_WORKERS)
    web_concurrency = number("WEB_CONCURRENCY", DEFAULT_WEB_CONCURRENCY, 1, MAX_WEB_CONCURRENCY)
    job_threads = number("JOB_THREADS", DEFAULT_JOB_THREADS, 1, MAX_JOB_THREADS)
    job_niceness = number("JOB_NICENESS", DEFAULT_JOB_NICENESS, 0, 19)
    job_runner = (get("JOB_RUNNER") or "web").lower()
    if job_runner not in JOB_RUNNERS:
        problems.append(
            (
                "JOB_RUNNER",
                f"JOB_RUNNER must be one of {', '.join(JOB_RUNNERS)}, not {job_runner!r}",
            )
        )
        job_runner = "web"
    problems += _token_problems(get)
    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        problems.append(
            ("LOG_LEVEL", f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}")
        )
        log_level = "INFO"
    summary_channel = get("SUMMARY_CHANNEL")
    if summary_channel and not CHANNEL_ID.match(summary_channel):
        problems.append(
            (
                "SUMMARY_CHANNEL",
                f"SUMMARY_CHANNEL must be a channel id like C0123ABCD, not {summary_channel!r} "
                "(in Slack: the channel's details, at the bottom)",
            )
        )
    admins = [part.strip() for part in (get("ADMIN_USER_IDS") or "").split(",") if part.strip()]
    not_ids = [admin for admin in admins if not USER_ID.match(admin)]
    if not_ids:
        problems.append(
            (
                "ADMIN_USER_IDS",
                f"ADMIN_USER_IDS takes user ids like U0123ABCD, not {not_ids[0]!r} "
                "(in Slack: a profile's ⋮ menu, Copy member ID)",
            )
        )
    ca_bundle = get("SLACK_CA_BUNDLE")
    if ca_bundle is not None:
        try:
            check_ca_bundle(ca_bundle)
        except CaBundleError as error:
            problems.append(("SLACK_CA_BUNDLE", str(error)))
    return Settings(
        slack_bot_token=get("SLACK_BOT_TOKEN"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=get("SLACK_APP_TOKEN"),
        database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        slack_api_url=get("SLACK_API_URL"),
        port=port,
        default_timezone=get("DEFAULT_TIMEZONE") or "UTC",
        summary_channel=summary_channel,
        admin_user_ids=frozenset(admins),
        log_level=log_level,
        scheduler_workers=workers,
        web_concurrency=web_concurrency,
        slack_ca_bundle=ca_bundle,
        job_runner=job_runner,
        job_threads=job_threads,
        job_niceness=job_niceness,
        problems=tuple(problems),
        slack_client_id=get("SLACK_CLIENT_ID"),
        slack_client_secret=get("SLACK_CLIENT_SECRET"),
        slack_scopes=tuple(
            part.strip() for part in (get("SLACK_SCOPES") or "").split(",") if part.strip()
        ),
        slack_redirect_uri=get("SLACK_REDIRECT_URI"),
    )


def _token_problems(get: Callable[[str], str | None]) -> list[tuple[str, str]]:
    """Placeholders left from `.env.example`, and a token of the wrong kind (Slack's prefixes:
    `xoxb-` bot, `xapp-` app-level)."""
    found: list[tuple[str, str]] = []
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        if get(name) in PLACEHOLDERS:
            found.append((name, f"{name} is still the placeholder from .env.example; fill it in"))
    bot, app = get("SLACK_BOT_TOKEN") or "", get("SLACK_APP_TOKEN") or ""
    if bot.startswith("xapp-"):
        found.append(
            (
                "SLACK_BOT_TOKEN",
                "SLACK_BOT_TOKEN is an app-level token (xapp-...); it takes the bot token, "
                "xoxb-... (OAuth & Permissions)",
            )
        )
    if app.startswith("xox"):
        found.append(
            (
                "SLACK_APP_TOKEN",
                f"SLACK_APP_TOKEN is a {app[:4]}- token; it takes the app-level token, xapp-... "
                "(Basic Information, App-Level Tokens)",
            )
        )
    return found
