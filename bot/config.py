"""The one settings object: defaults, then `.env`, then the process environment (which wins).

No other module reads the environment; everything that needs a setting is handed this object.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.slack_tls import CaBundleError, check_ca_bundle

DEFAULT_DATABASE_URL = "sqlite:///checkins.db"
# Vendors a scheduler tick serves at once (threads); see bot.scheduler.
DEFAULT_SCHEDULER_WORKERS = 8
MAX_SCHEDULER_WORKERS = 32


class MissingSettingError(Exception):
    """A setting the chosen command needs is not set; the message names it."""


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
    # A PEM file of the CAs to trust for Slack's HTTPS (a proxy's, a test double's); None
    # means the system's. It replaces the trusted CAs, never turns verification off.
    slack_ca_bundle: str | None = None
    # Secrets are kept out of repr() so a settings object can never leak into a log line.
    _secret_fields: tuple[str, ...] = field(
        default=("slack_bot_token", "slack_signing_secret", "slack_app_token"), repr=False
    )

    def __repr__(self) -> str:
        shown = {
            "database_url": _redact_url(self.database_url),
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

    def require(self, *names: str) -> None:
        """Raise MissingSettingError naming the first unset setting among `names` (env names)."""
        for name in names:
            if not getattr(self, name.lower()):
                raise MissingSettingError(f"{name} is not set (put it in the environment or .env)")

    def secrets(self) -> list[str]:
        """The secret values in force, for log redaction."""
        values = [getattr(self, name) for name in self._secret_fields]
        return [v for v in values if v]


def _redact_url(url: str) -> str:
    """Hide passwords in a database URL: `user:secret@host` and libpq's `?password=`."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "<unparseable database URL>"
    query = {
        key: ("***" if "password" in key.lower() else value) for key, value in parsed.query.items()
    }
    return parsed.set(query=query).render_as_string(hide_password=True)


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

    port_text = get("PORT") or "3000"
    try:
        port = int(port_text)
    except ValueError:
        raise MissingSettingError(f"PORT must be a number, not {port_text!r}") from None
    workers_text = get("SCHEDULER_WORKERS") or str(DEFAULT_SCHEDULER_WORKERS)
    try:
        workers = int(workers_text)
    except ValueError:
        raise MissingSettingError(
            f"SCHEDULER_WORKERS must be a number, not {workers_text!r}"
        ) from None
    if not 1 <= workers <= MAX_SCHEDULER_WORKERS:
        raise MissingSettingError(
            f"SCHEDULER_WORKERS must be between 1 and {MAX_SCHEDULER_WORKERS}, not {workers}"
        )
    ca_bundle = get("SLACK_CA_BUNDLE")
    if ca_bundle is not None:
        try:
            check_ca_bundle(ca_bundle)
        except CaBundleError as error:
            raise MissingSettingError(str(error)) from None
    return Settings(
        slack_bot_token=get("SLACK_BOT_TOKEN"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=get("SLACK_APP_TOKEN"),
        database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        slack_api_url=get("SLACK_API_URL"),
        port=port,
        default_timezone=get("DEFAULT_TIMEZONE") or "UTC",
        summary_channel=get("SUMMARY_CHANNEL"),
        admin_user_ids=frozenset(
            part.strip() for part in (get("ADMIN_USER_IDS") or "").split(",") if part.strip()
        ),
        log_level=(get("LOG_LEVEL") or "INFO").upper(),
        scheduler_workers=workers,
        slack_ca_bundle=ca_bundle,
    )
