"""The delegate form as Slack submits it."""

from __future__ import annotations

from typing import Any

from bot import blocks


def submission(
    channel: str | None = "C0ACME",
    title: str = "Logo refresh",
    due: str | None = "2026-12-04",
    standard: str = "",
    assignee: str | None = None,
) -> dict[str, Any]:
    def field(name: str, key: str, value: str | None) -> dict[str, Any]:
        return {name: {name + blocks.ACTION_SUFFIX: {"type": "x", key: value}}}

    values: dict[str, Any] = {}
    values |= field(blocks.FIELD_VENDOR, "selected_conversation", channel)
    values |= field(blocks.FIELD_TITLE, "value", title)
    values |= field(blocks.FIELD_DUE, "selected_date", due)
    values |= field(blocks.FIELD_STANDARD, "value", standard)
    values |= field(blocks.FIELD_ASSIGNEE, "selected_user", assignee)
    return {
        "type": "view_submission",
        "team": {"id": "T0TEAM", "domain": "example"},
        "user": {"id": "U0ALICE", "team_id": "T0TEAM", "name": "alice"},
        "api_app_id": "A0APP",
        "trigger_id": "1337.42.abc",
        "view": {
            "id": "V0FORM",
            "type": "modal",
            "callback_id": blocks.DELEGATE_MODAL,
            "state": {"values": values},
            "hash": "1.abc",
        },
    }
