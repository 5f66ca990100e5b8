"""The stand-in Slack's workspace model: who and what exists, and Slack's error answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

BOT_ID = "B0BOT"
APP_ID = "A0FAKEAPP"
PERMALINK_BASE = "https://fake.slack.test"
# Timestamps and "created" fields count from here.
CREATED = 1_700_000_000


@dataclass
class Call:
    """One Web API call as the fake received it."""

    method: str  # e.g. "chat.postMessage"
    params: dict[str, Any]  # merged query/form/JSON arguments, without the token
    token: str | None  # bearer token seen (or the ``token`` argument)
    # The fake's answer (without "ok") once the call succeeded; None while pending or failed.
    result: dict[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass
class User:
    id: str
    name: str
    team_id: str
    is_bot: bool
    tz: str


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    members: list[str] = field(default_factory=list)
    is_ext_shared: bool = False
    is_archived: bool = False
    is_im: bool = False
    is_mpim: bool = False
    user: str | None = None  # the other party of an IM
    is_general: bool = False  # the workspace's #general, where every member is

    def add_member(self, user_id: str) -> None:
        if user_id not in self.members:
            self.members.append(user_id)


class ChannelFlags(TypedDict, total=False):
    """What a seeded channel (FakeSlack.add_channel) may be besides public and active."""

    is_private: bool
    is_ext_shared: bool
    is_archived: bool
    is_general: bool


@dataclass
class Workspace:
    """A workspace the app can be installed in through OAuth (many-workspace mode)."""

    team_id: str
    name: str
    bot_token: str
    installer: str
    enterprise_id: str | None = None
    refresh_token: str | None = None
    expires_in: int | None = None


class SlackError(Exception):
    """Raised by a method implementation to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def invalid_arguments(name: str) -> SlackError:
    return SlackError(
        "invalid_arguments",
        response_metadata={"messages": [f"[ERROR] missing required field: {name}"]},
    )


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def id_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def flatten_qs(parsed: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}
