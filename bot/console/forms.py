"""A form the bot opened, filled in on the console: each input asked on its own line, the
answers sent as Slack's view_submission, errors asked again, a closed form sent as view_closed
when the bot wants to know."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.console.base import ConsoleBase
from bot.console.fields import empty_value, field_value, initial_text, initial_value
from bot.console.items import Item
from bot.console.render import plain
from bot.console.transport import HttpResult
from bot.console.world import ConsoleError, Person, Room

FORM_HINT = (
    "    · one line per field; an empty line leaves it as it is; "
    ":cancel closes the form, :quit leaves the console"
)


class Forms(ConsoleBase):
    """Filling in the forms the bot opens, one field a line."""

    def fill_forms(self) -> None:
        while self._forms and self.running:
            self.fill(self._forms.pop(0))

    def fill(self, item: Item) -> None:
        view = item.view or {}
        self.print(FORM_HINT)
        inputs = [b for b in view.get("blocks") or [] if b.get("type") == "input"]
        answers: dict[str, dict[str, Any]] = {}
        ask = inputs
        while True:
            for block in ask:
                answer = self.ask_field(block)
                if answer is None:
                    self.close_form(item, view)
                    return
                answers[str(block.get("block_id"))] = answer
            result = self.submit_form(item, view, answers)
            body = _json_or_none(result)
            action = body.get("response_action") if isinstance(body, dict) else None
            if action == "errors" and isinstance(body, dict):
                errors = body.get("errors") or {}
                by_id = {str(b.get("block_id")): b for b in inputs}
                for block_id, message in errors.items():
                    label = plain(by_id[block_id].get("label")) if block_id in by_id else block_id
                    self.print(f"    ! {label}: {message}")
                ask = [by_id[b] for b in errors if b in by_id] or inputs
                self.settle()
                self.show_new()
                continue
            if action in ("update", "push") and isinstance(body, dict):
                new_view = dict(body.get("view") or {})
                new_view.setdefault("id", view.get("id") if action == "update" else "")
                self.settle()
                self.show_new()
                form = self._add_item(
                    kind="form", channel=None, author=self.world.bot.id, view=new_view
                )
                form.visible_to = item.visible_to
                self.render(form, new=True)
                item, view = form, new_view
                inputs = [b for b in view.get("blocks") or [] if b.get("type") == "input"]
                ask, answers = inputs, {}
                continue
            self.settle()
            self.show_new()
            return

    def ask_field(self, block: dict[str, Any]) -> dict[str, Any] | None:
        """One answer, read and checked like Slack's own form would; None: cancelled."""
        assert self._source is not None
        element = block.get("element") or {}
        label = plain(block.get("label"))
        optional = bool(block.get("optional"))
        initial = initial_text(element, self.world)
        prompt = f"    {label}" + (" (optional)" if optional else "")
        if initial:
            prompt += f" [{initial}]"
        while True:
            line = self._source.read(prompt + "> ", answer=True)
            if line is None:
                self.print("· the input ended; the form was closed without sending")
                return None
            text = line.strip()
            if text.lower() in (":cancel", ":quit", ":exit"):
                # Never a field's value: `:cancel` closes the form, `:quit` the console too.
                if text.lower() != ":cancel":
                    self.running = False
                return None
            if not text:
                if initial:
                    return initial_value(element)
                if optional:
                    return empty_value(element)
                self.print(f"    ! {label} is required")
                continue
            try:
                return field_value(
                    element, text, self.clock.now, self._person_ref, self._channel_ref
                )
            except ConsoleError as error:
                self.print(f"    ! {error}")

    def _person_ref(self, text: str) -> str:
        return _picked(text, "@", "a person like @alice", "is nobody", self.world.person_named)

    def _channel_ref(self, text: str) -> str:
        example = "a channel like #acme-design"
        return _picked(text, "#", example, "is not a channel", self.world.room_named)

    def submit_form(
        self, item: Item, view: dict[str, Any], answers: dict[str, dict[str, Any]]
    ) -> HttpResult:
        sent = {k: v for k, v in view.items() if not k.startswith("_")}
        sent["state"] = {"values": answers}
        payload = {
            **self._interaction("view_submission", item.visible_to),
            "trigger_id": self._trigger(),
            "view": sent,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.app.interact(payload)

    def close_form(self, item: Item, view: dict[str, Any]) -> None:
        self.print("    · form closed without sending")
        if view.get("notify_on_close"):
            payload = {
                **self._interaction("view_closed", item.visible_to),
                "view": {k: v for k, v in view.items() if not k.startswith("_")},
                "is_cleared": False,
            }
            self.app.interact(payload)
            self.settle()
            self.show_new()


def _json_or_none(result: HttpResult) -> Any:
    try:
        return result.json()
    except ValueError:
        return None


def _picked(
    text: str,
    sigil: str,
    example: str,
    missing: str,
    named: Callable[[str], Person | Room | None],
) -> str:
    """The id of the person or channel `text` names. Slack's pickers offer only those that
    exist, so any other name is refused (`missing`: what to say of it)."""
    if not text.startswith(sigil):
        raise ConsoleError(f"name {example}")
    found = named(text[1:])
    if found is None:
        raise ConsoleError(f"{text} {missing} here (:cancel, then :new {text.lower()})")
    return found.id
