"""views.*: modals opened, pushed and updated, and App Home tabs published."""

from __future__ import annotations

import copy
import time
import uuid
from typing import Any

from bot.fake_slack.model import SlackError, invalid_arguments
from bot.fake_slack.state import SlackState


class ViewsApi(SlackState):
    def _view_arg(self, p: dict[str, Any]) -> dict[str, Any]:
        view = p.get("view")
        if not isinstance(view, dict):
            raise invalid_arguments("view")
        return view

    def _build_view(
        self, given: dict[str, Any], view_id: str | None, previous_view_id: str | None = None
    ) -> dict[str, Any]:
        view_id = view_id or self._new_id("V")
        view: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": previous_view_id,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        view.update(copy.deepcopy(given))
        view["id"] = view_id
        view["hash"] = f"{int(time.time())}.{uuid.uuid4().hex[:8]}"
        self._views_by_id[view_id] = view
        return view

    def _record_view(self, method: str, view: dict[str, Any], **extra: str | None) -> None:
        entry = copy.deepcopy(view)
        entry["_method"] = method
        entry.update({f"_{k}": v for k, v in extra.items() if v})
        self.views.append(entry)

    def _check_hash(self, p: dict[str, Any], current: dict[str, Any]) -> None:
        if p.get("hash") and p["hash"] != current.get("hash"):
            raise SlackError("hash_conflict")

    def _views_open(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        return self._new_view("views.open", p)

    def _views_push(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        return self._new_view("views.push", p)

    def _new_view(self, method: str, p: dict[str, Any]) -> dict[str, Any]:
        """views.open and views.push: a new view, opened for the request's trigger."""
        trigger_id = p.get("trigger_id")
        if not trigger_id:
            raise invalid_arguments("trigger_id")
        view = self._build_view(self._view_arg(p), None)
        self._record_view(method, view, trigger_id=trigger_id)
        return {"view": copy.deepcopy(view)}

    def _views_update(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        given = self._view_arg(p)
        view_id, external_id = p.get("view_id"), p.get("external_id")
        if not view_id and not external_id:
            raise invalid_arguments("view_id")
        current: dict[str, Any] | None = None
        if view_id:
            current = self._views_by_id.get(view_id)
        else:
            for candidate in self._views_by_id.values():
                if candidate.get("external_id") == external_id:
                    current = candidate
        if current is None:
            raise SlackError("not_found")
        self._check_hash(p, current)
        view = self._build_view(given, current["id"], current.get("previous_view_id"))
        view["root_view_id"] = current.get("root_view_id", current["id"])
        self._record_view("views.update", view)
        return {"view": copy.deepcopy(view)}

    def _views_publish(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        user_id = p.get("user_id")
        if not user_id:
            raise invalid_arguments("user_id")
        given = {"type": "home", **self._view_arg(p)}
        view_id = self._home_view_ids.get(user_id)
        if view_id is not None:
            self._check_hash(p, self._views_by_id[view_id])
        view = self._build_view(given, view_id)
        self._home_view_ids[user_id] = view["id"]
        self._record_view("views.publish", view, user_id=user_id)
        return {"view": copy.deepcopy(view)}

    # files
