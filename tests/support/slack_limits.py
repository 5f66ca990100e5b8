"""Slack's Block Kit limits, checked on what a builder returns.

slack_sdk's block and view models carry Slack's limits and check them when a block is
turned back into a dict (`to_dict()` validates): a section's text 3000 characters, a
header's 150, a button's text 75 and value 2000, an actions block's 25 elements, a
context's 10, an option's text 75, a block or action id 255, a modal's title 24 and
its 100 blocks. A round trip that returns the same dict also shows that every key we
send is one Slack knows. What the models leave out is checked here: a message's 50
blocks, a text object's 3000 characters wherever it is (a context element, a
confirmation), no empty text, ids unique where Slack wants them unique, and a form's
prefilled value within its own `max_length`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT_OBJECT = 3000
MAX_MESSAGE_TEXT = 40_000  # chat.postMessage's `text`; Slack cuts what is longer


def assert_message_fits(message: dict[str, Any]) -> None:
    """A message for chat.postMessage / chat.update / respond: its notification text and
    at most 50 valid blocks."""
    assert set(message) == {"text", "blocks"}, sorted(message)
    assert 0 < len(message["text"]) <= MAX_MESSAGE_TEXT, len(message["text"])
    blocks = message["blocks"]
    assert 0 < len(blocks) <= MAX_MESSAGE_BLOCKS, len(blocks)
    _assert_blocks_fit(blocks)


def assert_view_fits(view: dict[str, Any]) -> None:
    """A modal (views.open) or the Home tab (views.publish): at most 100 valid blocks."""
    assert view["type"] in {"modal", "home"}
    View(**view).to_dict()  # title, submit and close 24, metadata 3000, 100 blocks
    assert 0 < len(view["blocks"]) <= MAX_VIEW_BLOCKS, len(view["blocks"])
    _assert_blocks_fit(view["blocks"])
    for block in view["blocks"]:
        element = block.get("element", {})
        if "initial_value" in element and "max_length" in element:
            assert len(element["initial_value"]) <= element["max_length"]


def _assert_blocks_fit(blocks: list[dict[str, Any]]) -> None:
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        assert parsed.to_dict() == block  # validated, and nothing Slack would not know
        action_ids = [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
        assert len(action_ids) == len(set(action_ids)), action_ids
    block_ids = [block["block_id"] for block in blocks if "block_id" in block]
    assert len(block_ids) == len(set(block_ids)), block_ids
    for text in _text_objects(blocks):
        assert 0 < len(text["text"]) <= MAX_TEXT_OBJECT, (len(text["text"]), text["text"][:80])


def _text_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("type") in {"mrkdwn", "plain_text"} and "text" in value:
            yield value
        for item in value.values():
            yield from _text_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _text_objects(item)
