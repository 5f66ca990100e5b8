"""The interactive Block Kit pieces, written once: buttons and their rows, form fields
(an input block and its text element) and the modal around them. Their ids come from
`bot.blocks.ids`, where the listeners read them too."""

from __future__ import annotations

from typing import Any

from bot.blocks.common import plain_text
from bot.blocks.ids import ACTION_SUFFIX


def button(
    action_id: str, text: str, value: str, style: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A button; `style` is "primary" or "danger" (None: Slack's plain one), `extra` any
    further fields (a `confirm`)."""
    return {
        "type": "button",
        "action_id": action_id,
        "text": plain_text(text),
        "value": value,
        **({"style": style} if style else {}),
        **extra,
    }


def actions(block_id: str, elements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": elements}


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    """A form field: its element's action id is the block id plus ACTION_SUFFIX, which is
    where the listeners read the answer."""
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain_text(label),
        "element": {**element, "action_id": block_id + ACTION_SUFFIX},
    }


def text_input(
    max_length: int,
    *,
    multiline: bool = False,
    placeholder: str | None = None,
    initial: str | None = None,
) -> dict[str, Any]:
    """A text field's element, for `input_block`; an empty `initial` leaves it blank."""
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": max_length}
    if multiline:
        element["multiline"] = True
    if placeholder is not None:
        element["placeholder"] = plain_text(placeholder)
    if initial:
        element["initial_value"] = initial
    return element


def modal(
    callback_id: str,
    title: str,
    submit: str,
    blocks: list[dict[str, Any]],
    *,
    metadata: str | None = None,
    close: str = "Cancel",
) -> dict[str, Any]:
    """A modal view; `metadata` comes back with its submission as private_metadata."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        **({"private_metadata": metadata} if metadata is not None else {}),
        "title": plain_text(title),
        "submit": plain_text(submit),
        "close": plain_text(close),
        "blocks": blocks,
    }
