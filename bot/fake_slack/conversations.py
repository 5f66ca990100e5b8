"""conversations.* and users.info: channels, direct messages and who is in them."""

from __future__ import annotations

from typing import Any

from bot.fake_slack.model import Channel, SlackError, id_list, truthy
from bot.fake_slack.state import SlackState


class ConversationsApi(SlackState):
    def _conversations_info(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve(p.get("channel"), allow_user=False, allow_name=False)
        obj = self._channel_obj(channel)
        if truthy(p.get("include_num_members")) and not channel.is_im:
            obj["num_members"] = len(channel.members)
        return {"channel": obj}

    def _conversations_join(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve(p.get("channel"), allow_user=False, allow_name=False)
        if channel.is_im or channel.is_mpim or channel.is_private:
            raise SlackError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise SlackError("is_archived")
        result: dict[str, Any] = {}
        if self.bot_user_id in channel.members:
            result["warning"] = "already_in_channel"
            result["response_metadata"] = {"warnings": ["already_in_channel"]}
        channel.add_member(self.bot_user_id)
        result["channel"] = self._channel_obj(channel)
        return result

    def _conversations_open(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        if p.get("channel"):
            channel = self._resolve(p["channel"], allow_user=False, allow_name=False)
            existed = True
        else:
            users = [u for u in id_list(p.get("users")) if u != self.bot_user_id]
            if not users:
                raise SlackError("users_list_not_supplied")
            if len(users) == 1:
                existed = "D" + users[0] in self._channels
                channel = self._dm_for(users[0])
            else:
                name = "mpdm-" + "--".join(users) + "-1"
                found = [c for c in self._channels.values() if c.is_mpim and c.name == name]
                existed = bool(found)
                if found:
                    channel = found[0]
                else:
                    channel = Channel(
                        id=self._new_id("G"), name=name, is_private=True, is_mpim=True
                    )
                    for member in [*users, self.bot_user_id]:
                        channel.add_member(member)
                    self._channels[channel.id] = channel
        result: dict[str, Any] = {
            "channel": self._channel_obj(channel)
            if truthy(p.get("return_im"))
            else {"id": channel.id}
        }
        if existed:
            result.update(no_op=True, already_open=True)
        return result

    def _conversations_members(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve(p.get("channel"), allow_user=False, allow_name=False)
        return {"members": list(channel.members), "response_metadata": {"next_cursor": ""}}

    def _users_info(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        user = self._users.get(str(p.get("user") or ""))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": self._user_obj(user)}

    # views
