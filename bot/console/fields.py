"""A modal's fields, answered one line at a time: what each answer means to Slack.

Slack's own form checks what it can before anything is sent (a date from the calendar, an
option from the menu, a required field filled in); these functions do the same and build
the `view.state.values` entry Slack would send for each answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.console.render import input_hint, option_matching, plain
from bot.console.world import ConsoleError, Workspace
from bot.errors import UsageError
from bot.schedule_rules import parse_due_date


def field_value(
    element: dict[str, Any],
    text: str,
    now: datetime,
    person: Callable[[str], str],
    channel: Callable[[str], str],
) -> dict[str, Any]:
    """The state Slack would send for `text` typed into `element`; ConsoleError when it
    is not something the element accepts (Slack's own form would not let it through).
    `person` and `channel` turn `@name` and `#name` into ids."""
    kind = str(element.get("type", ""))
    value: dict[str, Any] = {"type": kind}
    if kind == "datepicker":
        day = parse_date(text, now)
        value["selected_date"] = day
    elif kind == "timepicker":
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", text):
            raise ConsoleError("write the time as HH:MM")
        value["selected_time"] = text
    elif kind in ("static_select", "radio_buttons", "external_select"):
        option = option_matching(element, text)
        if option is None:
            raise ConsoleError(f"pick {input_hint(element)}")
        value["selected_option"] = option
    elif kind in ("multi_static_select", "checkboxes"):
        picked = []
        for part in text.split(","):
            option = option_matching(element, part.strip())
            if option is None:
                raise ConsoleError(f"pick {input_hint(element)}")
            picked.append(option)
        value["selected_options"] = picked
    elif kind in ("users_select", "multi_users_select"):
        ids = [person(part.strip()) for part in text.split(",")]
        if kind == "users_select":
            value["selected_user"] = ids[0]
        else:
            value["selected_users"] = ids
    elif kind in (
        "conversations_select",
        "channels_select",
        "multi_conversations_select",
        "multi_channels_select",
    ):
        ids = [channel(part.strip()) for part in text.split(",")]
        key = "conversation" if "conversations" in kind else "channel"
        if kind.startswith("multi_"):
            value[f"selected_{key}s"] = ids
        else:
            value[f"selected_{key}"] = ids[0]
    elif kind == "number_input":
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ConsoleError("write a number")
        value["value"] = text
    else:
        value["value"] = text.replace("\\n", "\n")
    return {str(element.get("action_id", "")): value}


def parse_date(text: str, now: datetime) -> str:
    """A date for a date picker, in the grammar `due:` takes (one date grammar everywhere):
    YYYY-MM-DD, `today`, `tomorrow`, `fri`, `+3d`, `+2w`; relative to the console's UTC day."""
    try:
        return parse_due_date(text, now.astimezone(UTC).date()).isoformat()
    except UsageError as error:
        raise ConsoleError(str(error)) from None


def initial_text(element: dict[str, Any], world: Workspace) -> str:
    for key in ("initial_value", "initial_date", "initial_time"):
        if element.get(key):
            return str(element[key])
    if isinstance(element.get("initial_option"), dict):
        return plain(element["initial_option"].get("text"))
    if element.get("initial_options"):
        return ", ".join(plain(o.get("text")) for o in element["initial_options"])
    if element.get("initial_user"):
        return "@" + world.user_name(str(element["initial_user"]))
    for key in ("initial_conversation", "initial_channel"):
        if element.get(key):
            return "#" + world.channel_name(str(element[key]))
    return ""


def initial_value(element: dict[str, Any]) -> dict[str, Any]:
    kind = str(element.get("type", ""))
    value: dict[str, Any] = {"type": kind}
    mapping = {
        "initial_value": "value",
        "initial_date": "selected_date",
        "initial_time": "selected_time",
        "initial_option": "selected_option",
        "initial_options": "selected_options",
        "initial_user": "selected_user",
        "initial_users": "selected_users",
        "initial_conversation": "selected_conversation",
        "initial_conversations": "selected_conversations",
        "initial_channel": "selected_channel",
        "initial_channels": "selected_channels",
    }
    for initial, selected in mapping.items():
        if initial in element:
            value[selected] = element[initial]
    return {str(element.get("action_id", "")): value}


def empty_value(element: dict[str, Any]) -> dict[str, Any]:
    kind = str(element.get("type", ""))
    empty_key = {
        "datepicker": "selected_date",
        "timepicker": "selected_time",
        "static_select": "selected_option",
        "radio_buttons": "selected_option",
        "users_select": "selected_user",
        "conversations_select": "selected_conversation",
        "channels_select": "selected_channel",
    }.get(kind, "value")
    value: dict[str, Any] = {"type": kind, empty_key: None}
    if kind.startswith("multi_") or kind == "checkboxes":
        value = {"type": kind, "selected_options": []}
    return {str(element.get("action_id", "")): value}
