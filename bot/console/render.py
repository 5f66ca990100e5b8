"""Slack messages and views as console text: Block Kit sections as text, buttons as
`[On track]`, mentions as `@name` and `#channel`, links to known messages as `[→ N]`.

Pure functions: what a name or a permalink stands for is asked of a `Names` object, so the
same code renders any message the bot sends, including ones from features added later.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

INDENT = "    "
_TOKEN = re.compile(r"<([^<>]+)>")
_PERMALINK = re.compile(r"/archives/([A-Z0-9]+)/p(\d{10})(\d{6})")


class Names(Protocol):
    def user_name(self, user_id: str) -> str: ...

    def channel_name(self, channel_id: str) -> str: ...

    def item_for_message(self, channel_id: str, ts: str) -> int | None: ...


def plain(obj: Any) -> str:
    """The text of a text object (`{"type": "plain_text", "text": ...}`) or a string."""
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def mrkdwn(text: str, names: Names) -> str:
    """Slack's markup as a reader sees it: `<@U1>` -> `@alice`, `<#C1>` -> `#acme`,
    `<!here>` -> `@here`, `<url|label>` -> `label (url)` (or `label [→ N]` for a message
    shown as item N), entities decoded. Bold, italics and emoji codes are left as typed."""

    def token(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + names.user_name(target[1:])
        if target.startswith("#"):
            return "#" + (names.channel_name(target[1:]) if target[1:] else label)
        if target.startswith("!"):
            if label:
                return label
            keyword = target[1:].split("^", 1)[0]
            return "@" + keyword
        number = _linked_item(target, names)
        if number is not None:
            return f"{label or 'message'} [→ {number}]"
        return f"{label} ({target})" if label and label != target else target

    text = _TOKEN.sub(token, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _linked_item(url: str, names: Names) -> int | None:
    """The item number of a message permalink (`.../archives/C1/p1700000000000100`)."""
    parts = urlsplit(url)
    match = _PERMALINK.search(parts.path)
    if match is None:
        return None
    channel, secs, micros = match.groups()
    ts = f"{secs}.{micros}"
    thread = parse_qs(parts.query).get("thread_ts")
    return names.item_for_message(channel, ts) or (
        names.item_for_message(channel, thread[0]) if thread else None
    )


@dataclass(frozen=True)
class Control:
    """One clickable thing in a message: a button, or one option of a menu."""

    row: int  # 1-based index of the row of controls it is on
    label: str
    element: dict[str, Any]
    block_id: str
    option: dict[str, Any] | None = None  # the option chosen, for menus


def row_keys(blocks: Sequence[dict[str, Any]] | None) -> list[str]:
    """A key per row of controls: its block_id (stable when the message is updated), or its
    position when it has none."""
    keys = []
    for index, block in enumerate(blocks or []):
        if _interactive_elements(block):
            keys.append(str(block.get("block_id") or f"#{index}"))
    return keys


def number_rows(rows: dict[str, int], blocks: Sequence[dict[str, Any]] | None) -> dict[str, int]:
    """`rows` with a number for each new row of `blocks`: a row keeps its number for the
    message's life, so `:click 6.2` means the same task after row 1 lost its buttons."""
    for key in row_keys(blocks):
        if key not in rows:
            rows[key] = max(rows.values(), default=0) + 1
    return rows


def controls(
    blocks: Sequence[dict[str, Any]] | None, rows: dict[str, int] | None = None
) -> list[Control]:
    """Every button and menu option in `blocks`, numbered by row as `render_blocks` shows
    (by `rows` when given, see `number_rows`)."""
    found: list[Control] = []
    numbers = rows or {}
    for position, (key, block) in enumerate(_keyed_rows(blocks), start=1):
        elements = _interactive_elements(block)
        row = numbers.get(key, position)
        for element in elements:
            block_id = str(block.get("block_id", ""))
            if element.get("type") == "button":
                found.append(Control(row, plain(element.get("text")), element, block_id))
            for option in _options(element):
                found.append(Control(row, plain(option.get("text")), element, block_id, option))
    return found


def _keyed_rows(blocks: Sequence[dict[str, Any]] | None) -> list[tuple[str, dict[str, Any]]]:
    interactive = [b for b in blocks or [] if _interactive_elements(b)]
    return list(zip(row_keys(blocks), interactive, strict=True))


def _interactive_elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    if block.get("type") == "actions":
        return [e for e in block.get("elements") or [] if isinstance(e, dict)]
    accessory = block.get("accessory")
    if (
        block.get("type") == "section"
        and isinstance(accessory, dict)
        and (
            accessory.get("type") in ("button", "overflow")
            or "select" in str(accessory.get("type"))
        )
    ):
        return [accessory]
    return []


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = [o for o in element.get("options") or [] if isinstance(o, dict)]
    for group in element.get("option_groups") or []:
        options += [o for o in group.get("options") or [] if isinstance(o, dict)]
    return options


def render_element(element: dict[str, Any]) -> str:
    kind = str(element.get("type", ""))
    if kind == "button":
        return f"[{plain(element.get('text'))}]"
    options = _options(element)
    if kind == "overflow":
        return "[⋯ " + " | ".join(plain(o.get("text")) for o in options) + "]"
    placeholder = plain(element.get("placeholder")) or kind.replace("_", " ")
    if options:
        return f"[{placeholder} ▾ " + " | ".join(plain(o.get("text")) for o in options) + "]"
    return f"[{placeholder} ▾]"


def render_blocks(
    blocks: Sequence[dict[str, Any]],
    names: Names,
    number: int | None = None,
    rows: dict[str, int] | None = None,
) -> list[str]:
    """Block Kit as lines of text. Rows of controls are labelled `(N.k)` when a message
    has (or had: `rows`) more than one, so `:click N.k "label"` can say which."""
    keyed = _keyed_rows(blocks)
    numbers = rows or {key: position for position, (key, _) in enumerate(keyed, start=1)}
    row_of = {id(block): numbers.get(key, 0) for key, block in keyed}
    lines: list[str] = []

    def control_line(block: dict[str, Any], elements: list[dict[str, Any]]) -> str:
        shown = " ".join(render_element(e) for e in elements)
        if len(numbers) > 1 and number is not None:
            return f"({number}.{row_of.get(id(block), 0)}) {shown}"
        return shown

    for block in blocks:
        kind = block.get("type")
        if kind in ("section", "header"):
            text = block.get("text")
            if isinstance(text, dict) and text.get("text"):
                lines += _text_lines(text, names)
            for field_obj in block.get("fields") or []:
                lines += _text_lines(field_obj, names)
            elements = _interactive_elements(block)
            if elements:
                lines.append(control_line(block, elements))
            elif isinstance(block.get("accessory"), dict):
                accessory = block["accessory"]
                if accessory.get("type") == "image":
                    lines.append(f"[image: {accessory.get('alt_text', '')}]")
        elif kind == "context":
            parts = []
            for element in block.get("elements") or []:
                if element.get("type") == "image":
                    parts.append(f"[image: {element.get('alt_text', '')}]")
                else:
                    parts.append("\n".join(_text_lines(element, names)))
            lines += " ".join(p for p in parts if p).splitlines() or [""]
        elif kind == "divider":
            lines.append("─" * 20)
        elif kind == "actions":
            lines.append(control_line(block, block.get("elements") or []))
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        elif kind == "rich_text":
            lines += _rich_text(block).splitlines()
        elif kind == "input":
            lines.append(f"{plain(block.get('label'))}: {render_element(block.get('element', {}))}")
    return lines


def _text_lines(text_obj: Any, names: Names) -> list[str]:
    if not isinstance(text_obj, dict):
        return [str(text_obj)]
    raw = str(text_obj.get("text", ""))
    shown = mrkdwn(raw, names) if text_obj.get("type") == "mrkdwn" else raw
    return shown.splitlines() or [""]


def _rich_text(block: dict[str, Any]) -> str:
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "text":
                out.append(str(node.get("text", "")))
            for child in node.get("elements") or []:
                walk(child)

    walk(block)
    return "".join(out)


def render_message(
    text: str,
    blocks: Sequence[dict[str, Any]] | None,
    names: Names,
    number: int | None = None,
    rows: dict[str, int] | None = None,
) -> list[str]:
    """A message's body: its blocks when it has any (that is what Slack shows), else text."""
    if blocks:
        lines = render_blocks(blocks, names, number, rows)
        if lines:
            return lines
    return mrkdwn(text, names).splitlines() or [""]


def indented(lines: Sequence[str]) -> list[str]:
    return [INDENT + line if line else INDENT.rstrip() for line in lines]


# --------------------------------------------------------------------------- forms


INPUT_HINTS: dict[str, str] = {
    "datepicker": "YYYY-MM-DD, today, tomorrow, fri, +3d",
    "timepicker": "HH:MM",
    "users_select": "@name",
    "multi_users_select": "@name, @name",
    "conversations_select": "#channel",
    "multi_conversations_select": "#channel, #channel",
    "channels_select": "#channel",
    "multi_channels_select": "#channel, #channel",
    "number_input": "a number",
    "checkboxes": "one or more, separated by commas",
    "multi_static_select": "one or more, separated by commas",
}


def input_hint(element: dict[str, Any]) -> str:
    kind = str(element.get("type", ""))
    options = _options(element)
    if options:
        choice = "one or more of" if kind.startswith(("multi_", "checkboxes")) else "one of"
        return f"{choice}: " + " | ".join(plain(o.get("text")) for o in options)
    return INPUT_HINTS.get(kind, "")


def form_lines(view: dict[str, Any], names: Names) -> list[str]:
    """A modal's title, text and fields, before its fields are asked for one by one."""
    lines: list[str] = []
    for block in view.get("blocks") or []:
        if block.get("type") == "input":
            element = block.get("element") or {}
            hint = input_hint(element)
            optional = " (optional)" if block.get("optional") else ""
            lines.append(
                f"• {plain(block.get('label'))}{optional}" + (f" — {hint}" if hint else "")
            )
        else:
            lines += render_blocks([block], names)
    submit = plain(view.get("submit"))
    close = plain(view.get("close")) or "Cancel"
    if submit:
        lines.append(f"[{submit}] [{close}]")
    return lines


def option_matching(element: dict[str, Any], answer: str) -> dict[str, Any] | None:
    """The option of a menu that `answer` names: by value, then by its text."""
    wanted = _fold(answer)
    options = _options(element)
    for found in (
        [o for o in options if _fold(str(o.get("value", ""))) == wanted],
        [o for o in options if _fold(plain(o.get("text"))) == wanted],
        [o for o in options if _fold(plain(o.get("text"))).startswith(wanted)],
    ):
        if len(found) == 1:
            return found[0]
    return None


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def label_matches(label: str, wanted: str) -> bool:
    return _fold(label) == _fold(wanted)
