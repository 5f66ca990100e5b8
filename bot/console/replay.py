"""What the bot did, as the console shows it: the fake Slack's timeline since last time (Web
API calls and response_url posts) turned into new and updated items.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.console.base import ConsoleBase
from bot.console.files import file_lines
from bot.console.items import Item, Origin
from bot.console.render import mrkdwn
from bot.fake_slack import Call


class Replay(ConsoleBase):
    """The fake Slack's timeline turned into numbered items."""

    def collect(self) -> list[tuple[Item, bool]]:
        """What the fake Slack saw since last time, as items: new ones, and earlier ones
        that changed, each once, in the order they were first touched."""
        touched: dict[int, bool] = {}

        def touch(item: Item, new: bool) -> None:
            touched[item.number] = touched.get(item.number, False) or new

        # Forms come last: they are filled in once everything else is on screen (Slack
        # shows a modal over the conversation, which goes on updating behind it).
        opened: list[Call] = []
        timeline = self.fake.timeline
        while self._seen < len(timeline):
            entry = timeline[self._seen]
            self._seen += 1
            if isinstance(entry, Call):
                if entry.result is None:
                    continue
                if entry.method in ("views.open", "views.push"):
                    opened.append(entry)
                else:
                    self._on_call(entry, entry.result, touch)
            else:
                self._on_response(entry, touch)
        for call in opened:
            self._on_call(call, call.result or {}, touch)
        return [(self.items[number - 1], new) for number, new in touched.items()]

    def _on_call(
        self, call: Call, result: dict[str, Any], touch: Callable[[Item, bool], None]
    ) -> None:
        method, params = call.method, call.params
        if method == "chat.postMessage":
            message = result.get("message") or {}
            ts = str(result.get("ts"))
            thread = message.get("thread_ts")
            item = self._add_item(
                kind="message",
                channel=str(result.get("channel")),
                author=str(message.get("user") or self.world.bot.id),
                text=str(message.get("text") or ""),
                blocks=list(message.get("blocks") or []),
                ts=ts,
                thread_ts=str(thread) if thread and thread != ts else None,
            )
            touch(item, True)
        elif method == "chat.update":
            key = (str(result.get("channel")), str(result.get("ts")))
            message = result.get("message") or {}
            known = self._by_message.get(key)
            if known is None:
                known = self._add_item(
                    kind="message", channel=key[0], author=self.world.bot.id, ts=key[1]
                )
            known.text = str(message.get("text") or "")
            known.blocks = list(message.get("blocks") or [])
            touch(known, False)
        elif method == "chat.delete":
            known = self._by_message.get((str(result.get("channel")), str(result.get("ts"))))
            if known is not None:
                known.deleted = True
                touch(known, False)
        elif method == "chat.postEphemeral":
            item = self._add_item(
                kind="ephemeral",
                channel=str(params.get("channel")),
                author=self.world.bot.id,
                text=str(params.get("text") or ""),
                blocks=list(params.get("blocks") or []),
                ts=str(result.get("message_ts")),
                thread_ts=params.get("thread_ts") or None,
            )
            item.visible_to = str(params.get("user"))
            touch(item, True)
        elif method in ("views.open", "views.push"):
            view = dict(result.get("view") or {})
            item = self._add_item(kind="form", channel=None, author=self.world.bot.id, view=view)
            item.visible_to = self._triggers.get(str(params.get("trigger_id")), self.user.id)
            self._views[str(view.get("id"))] = item
            if view.get("type", "modal") == "modal":
                self._forms.append(item)
            touch(item, True)
        elif method == "views.update":
            view = dict(result.get("view") or {})
            known = self._views.get(str(view.get("id")))
            if known is not None:
                known.view = view
                touch(known, False)
        elif method == "views.publish":
            user = str(params.get("user_id"))
            view = dict(result.get("view") or {})
            home = self._homes.get(user)
            if home is None:
                home = self._add_item(kind="home", channel=None, author=self.world.bot.id)
                home.visible_to = user
                self._homes[user] = home
                touch(home, True)
            else:
                touch(home, False)
            home.view, home.blocks = view, list(view.get("blocks") or [])
        elif method == "files.completeUploadExternal":
            for shared in result.get("files") or []:
                self._on_file(shared, str(params.get("initial_comment") or ""), touch)

    def _on_file(
        self, shared: dict[str, Any], comment: str, touch: Callable[[Item, bool], None]
    ) -> None:
        """An uploaded file: saved under the console's files folder, a CSV shown as a table."""
        places = [*shared.get("channels", []), *shared.get("groups", []), *shared.get("ims", [])]
        name = str(shared.get("name") or "file")
        content = self.fake.uploads.get(str(shared.get("id")))
        lines = mrkdwn(comment, self).splitlines() if comment else []
        if content is not None and self.files is not None:
            path = self.files.save(name, content)
            title = str(shared.get("title") or name)
            lines += file_lines(title, self.files.shown_path(path), len(content), content)
        else:
            lines.append(f"file: {shared.get('title') or name}")
        item = self._add_item(
            kind="file",
            channel=places[0] if places else None,
            author=self.world.bot.id,
            text="\n".join(lines),
        )
        touch(item, True)

    def _on_response(self, body: dict[str, Any], touch: Callable[[Item, bool], None]) -> None:
        origin = self._origins.get(str(body.get("_key")))
        if origin is None:
            origin = Origin(self.user.id, self.channel.id, "an unknown request")
        original = origin.item
        if body.get("delete_original") and original is not None:
            original.deleted = True
            touch(original, False)
            return
        text = str(body.get("text") or "")
        blocks = list(body.get("blocks") or [])
        if _truthy(body.get("replace_original")) and original is not None:
            original.text, original.blocks = text, blocks
            touch(original, False)
            return
        in_channel = body.get("response_type") == "in_channel"
        item = self._add_item(
            kind="message" if in_channel else "reply",
            channel=origin.channel,
            author=self.world.bot.id,
            text=text,
            blocks=blocks,
            ts=None,
            thread_ts=body.get("thread_ts") or None,
        )
        item.about = origin.about
        item.visible_to = None if in_channel else origin.user
        touch(item, True)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)
