"""The stand-in Slack: the Web API areas together behind a loopback HTTP server, with the
response_url and upload endpoints, and the calls to seed and read its workspace."""

from __future__ import annotations

import copy
import json
import ssl
import threading
from collections.abc import Iterable
from email.message import Message
from typing import Any, Self, Unpack
from urllib.parse import quote, unquote, urlsplit

from bot.fake_slack.chat import ChatApi
from bot.fake_slack.conversations import ConversationsApi
from bot.fake_slack.files import FilesApi
from bot.fake_slack.model import CREATED, Call, Channel, ChannelFlags, SlackError, User
from bot.fake_slack.oauth import OAuthApi
from bot.fake_slack.views import ViewsApi
from bot.fake_slack.wire import (
    Handler,
    HttpResult,
    HTTPServer,
    Service,
    basic_auth,
    bearer,
    json_result,
    log,
    parse_params,
    text_result,
)

# Methods that authenticate without a bearer token.
NO_TOKEN_METHODS = frozenset(
    {"api.test", "oauth.access", "oauth.v2.access", "oauth.v2.exchange", "openid.connect.token"}
)


class FakeSlack(ChatApi, ConversationsApi, ViewsApi, FilesApi, OAuthApi, Service):
    """A loopback Slack: Web API, response_url endpoints and file uploads."""

    def __init__(
        self,
        team_id: str = "T0TEAM",
        bot_user_id: str = "U0BOT",
        bot_token: str = "xoxb-test-token",
    ) -> None:
        super().__init__(team_id, bot_user_id, bot_token)
        self._http: HTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._methods: dict[str, Handler] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_v2_access,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.delete": self._chat_delete,
            "conversations.info": self._conversations_info,
            "conversations.join": self._conversations_join,
            "conversations.open": self._conversations_open,
            "conversations.members": self._conversations_members,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.info": self._files_info,
        }
        self.add_user(bot_user_id, "fakebot", is_bot=True)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._http is not None:
            raise RuntimeError("FakeSlack already started")
        self._http = HTTPServer(self, self._server_context())
        self._http_thread = threading.Thread(
            target=self._http.serve_forever,
            # stop() waits for the loop to see the request, up to one interval: every test
            # stops a fake, and 50 ms there was a good part of the suite's time.
            kwargs={"poll_interval": 0.005},
            name="fake-slack-http",
            daemon=True,
        )
        self._http_thread.start()
        return self

    def stop(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            http.shutdown()
            http.server_close()
            http.hang_up_all()
        if self._http_thread is not None:
            self._http_thread.join(timeout=5)
            self._http_thread = None

    def _server_context(self) -> ssl.SSLContext | None:
        """The TLS context to serve with; None: plain HTTP (a test's fake may serve HTTPS)."""
        return None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (``https://`` with tls=True)"""
        if self._http is None:
            raise RuntimeError("FakeSlack is not started")
        scheme = "https" if self._http.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._http.server_address[1]}"

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:<port>/api/``: pass as ``WebClient(base_url=...)``."""
        return f"{self.base_url}/api/"

    def installed_team(self) -> str:
        """The team the app is installed in (the fake's own team)."""
        return self.team_id

    # ------------------------------------------------------------------ recorded calls

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    # ------------------------------------------------------------------ workspace model

    def add_user(
        self,
        user_id: str,
        name: str,
        team_id: str | None = None,
        is_bot: bool = False,
        tz: str = "UTC",
    ) -> None:
        with self._lock:
            self._users[user_id] = User(user_id, name, team_id or self.team_id, is_bot, tz)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Iterable[str] = (),
        **flags: Unpack[ChannelFlags],
    ) -> None:
        with self._lock:
            channel = Channel(channel_id, name, **flags)
            for member in members:
                channel.add_member(member)
            self._channels[channel_id] = channel

    def add_bot_to(self, channel_id: str) -> None:
        with self._lock:
            if channel_id not in self._channels:
                raise KeyError(f"unknown channel {channel_id}; add_channel() it first")
            self._channels[channel_id].add_member(self.bot_user_id)

    def add_message(
        self,
        channel_id: str,
        text: str,
        user: str,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
    ) -> str:
        """Seed a message written by someone (not via the API); returns its ts."""
        with self._lock:
            channel = self._resolve(channel_id, allow_user=True, allow_name=False)
            return self._store_message(channel, text, blocks, thread_ts, user, extra={})

    def restore_message(self, channel_id: str, message: dict[str, Any]) -> None:
        """Put back a message kept from an earlier run of the fake, with its own ts (the
        console's saved session), so that the bot can update it and buttons work."""
        with self._lock:
            channel = self._resolve(channel_id, allow_user=True, allow_name=False)
            self.messages.setdefault(channel.id, []).append(copy.deepcopy(message))

    def messages_in(self, channel_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self.messages.get(channel_id, []))

    def add_member(self, channel_id: str, user_id: str) -> None:
        """Someone joins a channel. A user of another organisation joining makes it a Slack
        Connect channel (``is_ext_shared``)."""
        with self._lock:
            if channel_id not in self._channels:
                raise KeyError(f"unknown channel {channel_id}; add_channel() it first")
            channel = self._channels[channel_id]
            channel.add_member(user_id)
            user = self._users.get(user_id)
            if user is not None and user.team_id != self.team_id:
                channel.is_ext_shared = True

    def rename_channel(self, channel_id: str, name: str) -> None:
        """Someone renames a channel (the bot hears of it by channel_rename, sent apart)."""
        with self._lock:
            if channel_id not in self._channels:
                raise KeyError(f"unknown channel {channel_id}; add_channel() it first")
            self._channels[channel_id].name = name

    def members_of(self, channel_id: str) -> list[str]:
        with self._lock:
            channel = self._channels.get(channel_id)
            return list(channel.members) if channel is not None else []

    def resume_ts_after(self, ts: str) -> None:
        """Make new message timestamps come after ``ts`` (one of an earlier run of the fake),
        so that a ts stored elsewhere is never handed out twice."""
        secs, _, micros = ts.partition(".")
        with self._lock:
            counter = (int(secs) - CREATED) * 1_000_000 + int(micros or 0)
            self._ts_counter = max(self._ts_counter, counter)

    def last_ts(self) -> str:
        """The newest timestamp handed out so far (see :meth:`resume_ts_after`)."""
        with self._lock:
            secs, micros = divmod(self._ts_counter, 1_000_000)
            return f"{CREATED + secs}.{micros:06d}"

    # ------------------------------------------------------------------ response_url

    def response_url(self, key: str = "cmd") -> str:
        """A URL on this server; JSON posted to it lands in :attr:`responses` with ``_key``."""
        return f"{self.base_url}/response/{quote(key, safe='')}"

    # ------------------------------------------------------------------ HTTP plumbing

    def _handle_http(self, raw_path: str, headers: Message, body: bytes) -> HttpResult:
        url = urlsplit(raw_path)
        path = url.path
        if path.startswith("/api/"):
            return self._handle_api(path[len("/api/") :], url.query, headers, body)
        if path.startswith("/response/"):
            return self._handle_response_url(unquote(path[len("/response/") :]), body)
        if path.startswith("/upload/"):
            return self._handle_upload(unquote(path[len("/upload/") :]), body)
        if path == "/oauth/v2/authorize":
            return self._authorize_page(url.query)
        if path == "/oauth/v2/decide":
            return self._authorize_decision(url.query)
        return text_result("not found", status=404)

    def _handle_api(self, method: str, query: str, headers: Message, body: bytes) -> HttpResult:
        bad_json = False
        try:
            params = parse_params(query, headers.get("Content-Type", ""), body)
        except ValueError:
            params, bad_json = {}, True
        token = bearer(headers.get("Authorization"))
        params.update(basic_auth(headers.get("Authorization")))  # oauth.v2.access's client
        token_arg = params.pop("token", None)
        if token is None and isinstance(token_arg, str) and token_arg:
            token = token_arg
        with self._cond:
            call = Call(method, copy.deepcopy(params), token)
            self.calls.append(call)
            self.timeline.append(call)
            self._cond.notify_all()
            refused = self._refusal(method, params)
            if refused is not None:
                return refused
            if bad_json:
                return json_result({"ok": False, "error": "invalid_json"})
            if not token and method not in NO_TOKEN_METHODS:
                return json_result({"ok": False, "error": "not_authed"})
            if token and token in self._revoked_tokens:
                return json_result({"ok": False, "error": "token_revoked"})
            if token and token.startswith("xapp-") and not method.startswith("apps."):
                return json_result({"ok": False, "error": "not_allowed_token_type"})
            handler = self._methods.get(method)
            if handler is None:
                log.warning("fake Slack: no model for %s; answering {'ok': true}", method)
                return json_result({"ok": True})
            try:
                result = handler(params, token)
            except SlackError as exc:
                return json_result({"ok": False, "error": exc.error, **exc.extra})
            call.result = copy.deepcopy(result)
            return json_result({"ok": True, **result})

    def _refusal(self, method: str, params: dict[str, Any]) -> HttpResult | None:
        """An answer that refuses this call before anything is applied (an error, a 429),
        or None. Called under the lock once the call is recorded; the tests' fake injects
        faults and enforces rate limits here (tests/support/fake_slack.py)."""
        return None

    def _handle_response_url(self, key: str, body: bytes) -> HttpResult:
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
        except ValueError:
            data = {"_raw": body.decode("utf-8", "replace")}
        if not isinstance(data, dict):
            data = {"_raw": data}
        data["_key"] = key
        with self._cond:
            self.responses.append(data)
            self.timeline.append(data)
            self._cond.notify_all()
        return 200, {"Content-Type": "text/html"}, b"ok"

    def _handle_upload(self, file_id: str, body: bytes) -> HttpResult:
        with self._cond:
            if file_id not in self._pending_files:
                return text_result("unknown upload", status=404)
            self.uploads[file_id] = body
            self._cond.notify_all()
        return text_result(f"OK - {len(body)}")
