"""Per-workspace settings: `/delegate settings [digest:#channel] [admins:@a,@b] [tz:Zone]`.

What was process-wide (SUMMARY_CHANNEL, ADMIN_USER_IDS, DEFAULT_TIMEZONE) is now each
workspace's own, kept in its `workspaces` row; the environment's values stay the defaults
(in one-workspace mode they are all there is until someone changes them). Only admins may
run it; in many-workspace mode the installer is the first admin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from bot.config import Settings, VendorDefaults
from bot.errors import UsageError
from bot.schedule_rules import parse_timezone
from storage import workspaces
from storage.models import Workspace

USAGE = (
    "Write `/delegate settings` to see them, or change any of them: "
    "`/delegate settings digest:#channel admins:@ann,@ben tz:Europe/London`."
)
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class SettingsChange:
    digest_channel: str | None = None
    admins: tuple[str, ...] | None = None
    timezone: str | None = None

    @property
    def empty(self) -> bool:
        return self.digest_channel is None and self.admins is None and self.timezone is None


@dataclass(frozen=True)
class WorkspaceSettings:
    """A workspace's settings in force: its own, else the environment's."""

    digest_channel: str | None
    admins: frozenset[str]
    timezone: str
    own: bool  # False: every value is the environment's default


def is_settings_command(text: str) -> bool:
    words = text.split()
    return bool(words) and words[0].lower() == "settings"


def parse_settings(text: str) -> SettingsChange:
    """`settings` and its `key:value` words; UsageError says how to write a bad one."""
    words = text.split()[1:]
    change = SettingsChange()
    for word in words:
        key, sep, value = word.partition(":")
        key = key.lower()
        if not sep or not value:
            raise UsageError(f"`{word}` is not a setting. {USAGE}")
        if key == "digest":
            found = _CHANNEL.match(value)
            if not found:
                raise UsageError(f"`digest:` takes a channel, like `digest:#team-digest`. {USAGE}")
            change = replace(change, digest_channel=found.group(1))
        elif key == "admins":
            users = [part for part in re.split(r"[,\s]+", value) if part]
            matched = [_USER.match(user) for user in users]
            if not users or not all(matched):
                raise UsageError(f"`admins:` takes people, like `admins:@ann,@ben`. {USAGE}")
            ids = tuple(dict.fromkeys(m.group(1) for m in matched if m))
            change = replace(change, admins=ids)
        elif key == "tz":
            change = replace(change, timezone=parse_timezone(value).key)
        else:
            raise UsageError(f"`{key}` is not a setting (digest, admins, tz). {USAGE}")
    return change


def settings_in_force(settings: Settings, row: Workspace | None) -> WorkspaceSettings:
    admins = frozenset(a for a in (row.admin_user_ids if row else "").split(",") if a)
    return WorkspaceSettings(
        digest_channel=(row.digest_channel if row else None) or settings.summary_channel,
        admins=admins or settings.admin_user_ids,
        timezone=(row.timezone if row else None) or settings.default_timezone,
        own=row is not None,
    )


def load(session: Session, settings: Settings, team_id: str) -> WorkspaceSettings:
    return settings_in_force(settings, workspaces.find_workspace(session, team_id))


def vendor_defaults(base: VendorDefaults, current: WorkspaceSettings) -> VendorDefaults:
    """New vendors start in the workspace's time zone."""
    return replace(base, timezone=current.timezone)


def change(
    session: Session,
    settings: Settings,
    team_id: str,
    user_id: str,
    wanted: SettingsChange,
    now: datetime,
) -> WorkspaceSettings:
    """Apply `wanted` for an admin (UsageError for anyone else); the settings after."""
    current = load(session, settings, team_id)
    if current.admins and user_id not in current.admins:
        raise UsageError("Only this workspace's Delegate admins can see or change its settings.")
    if wanted.empty:
        return current
    workspaces.save_settings(
        session,
        team_id,
        digest_channel=wanted.digest_channel,
        admins=wanted.admins,
        timezone=wanted.timezone,
        now=now,
    )
    return load(session, settings, team_id)


def describe(current: WorkspaceSettings) -> str:
    digest = f"<#{current.digest_channel}>" if current.digest_channel else "none (no digest)"
    admins = ", ".join(f"<@{a}>" for a in sorted(current.admins)) or "anyone (none set)"
    return (
        "*Delegate settings for this workspace*\n"
        f"• Digest channel: {digest}\n"
        f"• Admins: {admins}\n"
        f"• Default time zone: {current.timezone}\n"
        f"{USAGE}"
    )
