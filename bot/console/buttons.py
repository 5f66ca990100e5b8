"""`:click`: pressing a button or picking a menu option of a message, as a block_actions
payload built from the real message.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from typing import Any

from bot.console.base import ConsoleBase
from bot.console.items import Item, Origin
from bot.console.render import Control, label_matches, render_element
from bot.console.world import ConsoleError


class Buttons(ConsoleBase):
    """`:click`, and the block_actions payload it sends."""

    def click(self, rest: str) -> None:
        usage = 'write :click N "label" (N.k for the k-th row of buttons, or no N for the newest)'
        try:
            words = shlex.split(rest)
        except ValueError:
            raise ConsoleError(f"unbalanced quotes; {usage}") from None
        if not words:
            raise ConsoleError(usage)
        target = words[0] if re.fullmatch(r"(\d+|last)(\.\d+)?", words[0].lower()) else None
        label = " ".join(words[1:] if target else words)
        if not label:
            raise ConsoleError(usage)
        row: int | None = None
        if target is not None and "." in target:
            target, _, row_text = target.partition(".")
            row = int(row_text)
        if target is None or target.lower() == "last":
            item, found = self._newest_with(label, row)
        else:
            item = self._item(target, usage)
            self._check_can_see(item)
            found = [c for c in item.controls() if label_matches(c.label, label)]
            if row is not None:
                found = [c for c in found if c.row == row]
            if not found:
                raise ConsoleError(f"[{item.number}] has no {_describe_controls(item, label, row)}")
        if len({c.row for c in found}) > 1:
            choices = " or ".join(f':click {item.number}.{c.row} "{label}"' for c in found)
            raise ConsoleError(f'"{label}" is on more than one row of [{item.number}]: {choices}')
        self.press(item, found[0])

    def _newest_with(self, label: str, row: int | None) -> tuple[Item, list[Control]]:
        for item in reversed(self.items):
            if item.deleted or item.kind in ("form", "file") or not self._can_see(item):
                continue
            found = [c for c in item.controls() if label_matches(c.label, label)]
            if row is not None:
                found = [c for c in found if c.row == row]
            if found:
                return item, found
        raise ConsoleError(f'no message you can see (as @{self.user.name}) has a "{label}" button')

    def press(self, item: Item, control: Control) -> None:
        element = control.element
        action: dict[str, Any] = {
            "type": element.get("type", "button"),
            "action_id": element.get("action_id", ""),
            "block_id": control.block_id,
            "action_ts": self._placeholder_ts(),
        }
        if control.option is None:
            action["text"] = element.get("text", {"type": "plain_text", "text": control.label})
            if "value" in element:
                action["value"] = element["value"]
            if "style" in element:
                action["style"] = element["style"]
        else:
            action["selected_option"] = control.option
        key = self._next_id("act")
        channel = item.channel or f"D{self.user.id}"
        self._origins[key] = Origin(self.user.id, channel, f'"{control.label}"', item)
        ephemeral = item.kind in ("ephemeral", "reply")
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": item.ts or self._placeholder_ts(),
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        }
        payload: dict[str, Any] = {
            **self._interaction("block_actions"),
            "container": container,
            "trigger_id": self._trigger(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": self.world.channel_name(channel)},
            "state": {"values": {}},
            "response_url": self.fake.response_url(key),
            "actions": [action],
        }
        if not ephemeral and item.ts is not None:
            payload["message"] = self._stored_message(channel, item.ts) or {
                "type": "message",
                "ts": item.ts,
                "text": item.text,
                "blocks": item.blocks,
            }
        self.deliver(lambda: self.app.interact(payload))

    def _stored_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        for message in self.fake.messages_in(channel):
            if message.get("ts") == ts:
                return {k: v for k, v in message.items() if v is not None}
        return None


def _describe_controls(item: Item, label: str, row: int | None) -> str:
    found = item.controls()
    where = f" on row {row}" if row is not None else ""
    if not found:
        return "buttons"
    rows = sorted({c.row for c in found})
    shown = "; ".join(
        " ".join(render_element(e) for e in _row_elements(found, r)) for r in rows[:4]
    )
    return f'"{label}" button{where} (it has {shown})'


def _row_elements(found: Sequence[Control], row: int) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    for control in found:
        if control.row == row and control.element not in elements:
            elements.append(control.element)
    return elements
