"""A stateful fake of the Slack Web API (and Socket Mode) that runs on loopback.

Used by the tests, and by the local console mode, in place of slack.com::

    with FakeSlack() as fake:
        fake.add_channel("C0GENERAL", "general", members=["U0ALICE"])
        fake.add_bot_to("C0GENERAL")
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        client.chat_postMessage(channel="C0GENERAL", text="hi")
        assert fake.messages_in("C0GENERAL")[0]["text"] == "hi"

The server is a stdlib ``ThreadingHTTPServer`` in a daemon thread. It accepts what
``slack_sdk.WebClient`` sends: JSON bodies, form-encoded bodies, multipart bodies and query
strings, with the token in the ``Authorization`` header (or a ``token`` argument). Every Web
API call is recorded in :attr:`FakeSlack.calls`; the methods the bot uses keep a small
workspace model (users, channels, membership, messages, views, files) and answer with the
shapes and error names Slack uses. Any other method answers ``{"ok": true}``, is recorded,
and is logged as a warning so new callers never crash.

Socket Mode is served by ``websockets.sync.server`` (a test dependency, imported only when
``apps.connections.open`` or one of the ``socket_*`` helpers is first used).

``FakeSlack(tls=True)`` serves the Web API, response_url and uploads over HTTPS with a
certificate for 127.0.0.1 signed by a CA made for this instance with ``trustme`` (a test
dependency): nothing is checked in, and nothing else trusts it. :attr:`FakeSlack.ca_bundle`
is that CA as a PEM file, for the bot's SLACK_CA_BUNDLE setting.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import email.parser
import email.policy
import itertools
import json
import logging
import math
import mimetypes
import random
import shutil
import socket
import ssl
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, cast
from urllib.parse import parse_qs, quote, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from websockets.sync.server import Server, ServerConnection

__all__ = ["Call", "FakeSlack"]

log = logging.getLogger(__name__)

BOT_ID = "B0BOT"
APP_ID = "A0FAKEAPP"
PERMALINK_BASE = "https://fake.slack.test"

# Arguments that hold JSON and arrive as strings when form-encoded; they are decoded so that
# ``Call.params["blocks"]`` is always the list of blocks.
_JSON_STRING_ARGS = ("blocks", "attachments", "view")
# Methods that authenticate without a bearer token.
_NO_TOKEN_METHODS = frozenset(
    {"api.test", "oauth.access", "oauth.v2.access", "oauth.v2.exchange", "openid.connect.token"}
)
_CREATED = 1_700_000_000

_HttpResult = tuple[int, dict[str, str], bytes]
_Handler = Callable[[dict[str, Any], str | None], dict[str, Any]]


@dataclass
class Call:
    """One Web API call as the fake received it."""

    method: str  # e.g. "chat.postMessage"
    params: dict[str, Any]  # merged query/form/JSON arguments, without the token
    token: str | None  # bearer token seen (or the ``token`` argument)
    # The fake's answer (without "ok") once the call succeeded; None while pending or failed.
    result: dict[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass
class _User:
    id: str
    name: str
    team_id: str
    is_bot: bool
    tz: str


@dataclass
class _Channel:
    id: str
    name: str
    is_private: bool = False
    members: list[str] = field(default_factory=list)
    is_ext_shared: bool = False
    is_archived: bool = False
    is_im: bool = False
    is_mpim: bool = False
    user: str | None = None  # the other party of an IM
    is_general: bool = False  # the workspace's #general, where every member is

    def add_member(self, user_id: str) -> None:
        if user_id not in self.members:
            self.members.append(user_id)


@dataclass
class _Workspace:
    """A workspace the app can be installed in through OAuth (many-workspace mode)."""

    team_id: str
    name: str
    bot_token: str
    installer: str
    enterprise_id: str | None = None
    refresh_token: str | None = None
    expires_in: int | None = None


@dataclass
class _Fault:
    status: int
    error: str
    retry_after: int


@dataclass
class _Bucket:
    """A token bucket: `rate` tokens a second, at most `capacity` saved up (the burst)."""

    rate: float
    capacity: float
    tokens: float
    stamp: float

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 if one is), after refilling up to `now`."""
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class _RateLimits:
    """Slack's posting limits: so many posts a second per channel, and a workspace-wide rate."""

    methods: frozenset[str]
    per_channel: float | None
    channel_burst: float
    workspace: _Bucket | None
    clock: Callable[[], float]
    channels: dict[str, _Bucket] = field(default_factory=dict)


class _SlackError(Exception):
    """Raised by a method implementation to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _invalid_arguments(name: str) -> _SlackError:
    return _SlackError(
        "invalid_arguments",
        response_metadata={"messages": [f"[ERROR] missing required field: {name}"]},
    )


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _id_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _flatten_qs(parsed: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    out: dict[str, Any] = {}
    if not msg.is_multipart():
        return out
    parts = msg.get_payload()
    if not isinstance(parts, list):
        return out
    for part in parts:
        if not isinstance(part, Message):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            continue
        raw = part.get_payload(decode=True)
        data = raw if isinstance(raw, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            out[name] = {"filename": filename, "content": data}
        else:
            out[name] = data.decode("utf-8", "replace")
    return out


def _parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Merge query-string and body arguments; raise ValueError on an unparsable JSON body."""
    params = _flatten_qs(parse_qs(query, keep_blank_values=True))
    mime = content_type.split(";", 1)[0].strip().lower()
    if body:
        if mime == "application/json":
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("JSON body is not an object")
            params.update(data)
        elif mime == "multipart/form-data":
            params.update(_parse_multipart(content_type, body))
        else:
            text = body.decode("utf-8", "replace")
            params.update(_flatten_qs(parse_qs(text, keep_blank_values=True)))
    for key in _JSON_STRING_ARGS:
        value = params.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            # left as given if it is not JSON; the method complains if it matters
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def _bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def _basic_auth(header: str | None) -> dict[str, str]:
    """HTTP Basic credentials (slack_sdk sends oauth.v2.access's client id and secret so)."""
    if not header or not header.lower().startswith("basic "):
        return {}
    try:
        client_id, _, secret = base64.b64decode(header[6:].strip()).decode().partition(":")
    except ValueError:
        return {}
    return {"client_id": client_id, "client_secret": secret}


def _json_result(body: Mapping[str, Any], status: int = 200, **headers: str) -> _HttpResult:
    payload = json.dumps(body).encode("utf-8")
    return status, {"Content-Type": "application/json; charset=utf-8", **headers}, payload


def _text_result(text: str, status: int = 200) -> _HttpResult:
    return status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode("utf-8")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeSlack, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.fake = fake
        self.tls = tls
        # Kept-alive connections being served: stop() hangs them up, so that a stopped fake
        # answers nothing, as a server that went away.
        self.open_connections: set[Any] = set()
        self.connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.open_connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.open_connections.discard(request)
        super().shutdown_request(request)

    def hang_up_all(self) -> None:
        with self.connections_lock:
            connections, self.open_connections = list(self.open_connections), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def get_request(self) -> tuple[Any, Any]:
        sock, address = super().get_request()
        if self.tls is not None:
            # The handshake happens on the handler's first read, in its own thread, so a
            # slow or failing client never holds up the accept loop.
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that refused the certificate or hung up mid-handshake: not the fake's bug.
        log.debug("fake Slack: connection from %s failed", client_address, exc_info=True)


class _RequestHandler(BaseHTTPRequestHandler):
    server_version = "FakeSlack/1.0"
    # HTTP/1.1 keeps a connection open between requests unless the client asks to close it,
    # as Slack does; every answer has a Content-Length. An idle connection is closed after
    # `timeout` seconds, as a server would.
    protocol_version = "HTTP/1.1"
    timeout = 30
    # Headers and body go out in two writes: without this, on a kept-alive connection the
    # body waits for the client's delayed ACK (Nagle), 40 ms a call.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        fake = cast(_HTTPServer, self.server).fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        try:
            status, headers, payload = fake._handle_http(self.path, self.headers, body)
        except Exception as exc:  # a bug in the fake: answer loudly instead of hanging
            log.exception("fake Slack failed on %s %s", self.command, self.path)
            status, headers, payload = _json_result(
                {"ok": False, "error": f"fake_slack_crashed: {exc!r}"}, status=500
            )
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean


class FakeSlack:
    """A loopback Slack: Web API, response_url endpoints, file uploads and Socket Mode."""

    def __init__(
        self,
        team_id: str = "T0TEAM",
        bot_user_id: str = "U0BOT",
        bot_token: str = "xoxb-test-token",
        *,
        post_rate_per_channel: float | None = None,
        workspace_rate: float | None = None,
        tls: bool = False,
    ) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_token = bot_token
        self.bot_id = BOT_ID
        self.app_id = APP_ID
        self.team_name = "Fake Team"
        self.team_domain = "fake-team"

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)

        # Recorded traffic (read these from tests; mutate only through the API).
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.views: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.uploads: dict[str, bytes] = {}
        self.file_shares: list[dict[str, Any]] = []
        self.socket_acks: list[dict[str, Any]] = []
        # Web API calls and response_url posts in the order they arrived, for readers that
        # replay what happened (the console): a Call, or a response_url body (with "_key").
        self.timeline: list[Call | dict[str, Any]] = []

        # Workspace model.
        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._views_by_id: dict[str, dict[str, Any]] = {}
        self._home_view_ids: dict[str, str] = {}
        self._pending_files: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._random_fault_rate = 0.0
        self._random_fault_rng = random.Random(0)
        self._random_fault_methods: frozenset[str] = frozenset()
        self._random_fault_statuses: tuple[int, ...] = (500,)
        self.random_failures = 0
        self._limits: _RateLimits | None = None
        # Calls answered 429 by the rate limits of enforce_rate_limits() (not by fail_next).
        self.rate_limited: list[Call] = []
        self._ts_counter = 0
        self._ids = itertools.count(1)
        # OAuth (many-workspace mode): installable workspaces by team id, their tokens, the
        # codes handed out by the authorize page (each good once), the app's credentials.
        self._workspaces: dict[str, _Workspace] = {}
        self._team_of_token: dict[str, str] = {}
        self._revoked_tokens: set[str] = set()
        self._oauth_codes: dict[str, str] = {}
        self.oauth_client: tuple[str, str] | None = None
        self._workspace_buckets: dict[str, _Bucket] = {}

        # Servers.
        self.tls = tls
        self._tls_dir: str | None = None
        self._server_tls: ssl.SSLContext | None = None
        self._http: _HTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._ws_server: Server | None = None
        self._ws_thread: threading.Thread | None = None
        self._ws_port = 0
        self._ws_conns: list[ServerConnection] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._ws_send_lock = threading.Lock()
        self._stopping = threading.Event()

        self._methods: dict[str, _Handler] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "oauth.v2.access": self._oauth_v2_access,
            "apps.connections.open": self._apps_connections_open,
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
        if post_rate_per_channel is not None or workspace_rate is not None:
            self.enforce_rate_limits(per_channel=post_rate_per_channel, workspace=workspace_rate)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        if self._http is not None:
            raise RuntimeError("FakeSlack already started")
        self._stopping.clear()
        if self.tls and self._server_tls is None:
            self._server_tls = self._make_certificate()
        self._http = _HTTPServer(self, self._server_tls)
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
        self._stopping.set()
        http, self._http = self._http, None
        if http is not None:
            http.shutdown()
            http.server_close()
            http.hang_up_all()
        if self._http_thread is not None:
            self._http_thread.join(timeout=5)
            self._http_thread = None
        ws, self._ws_server = self._ws_server, None
        if ws is not None:
            ws.shutdown()
        if self._ws_thread is not None:
            self._ws_thread.join(timeout=5)
            self._ws_thread = None
        tls_dir, self._tls_dir = self._tls_dir, None
        self._server_tls = None
        if tls_dir is not None:
            shutil.rmtree(tls_dir, ignore_errors=True)

    def _make_certificate(self) -> ssl.SSLContext:
        """A throwaway CA and a certificate for 127.0.0.1 from it; the CA goes to a file."""
        import trustme

        authority = trustme.CA()
        self._tls_dir = tempfile.mkdtemp(prefix="fake-slack-ca-")
        authority.cert_pem.write_to_path(str(Path(self._tls_dir) / "ca.pem"))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        return context

    @property
    def ca_bundle(self) -> str:
        """The PEM file of this instance's CA (tls=True only): trust it as SLACK_CA_BUNDLE."""
        if self._tls_dir is None:
            raise RuntimeError("FakeSlack is not started with tls=True")
        return str(Path(self._tls_dir) / "ca.pem")

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (``https://`` with tls=True)"""
        if self._http is None:
            raise RuntimeError("FakeSlack is not started")
        scheme = "https" if self.tls else "http"
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

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least ``count`` calls to ``method`` were recorded."""
        with self._cond:
            done = self._cond.wait_for(
                lambda: sum(c.method == method for c in self.calls) >= count, timeout
            )
            found = [c for c in self.calls if c.method == method]
            if not done:
                seen = [c.method for c in self.calls]
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s, "
                    f"got {len(found)}; methods seen: {seen}"
                )
            return found

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
            self._users[user_id] = _User(user_id, name, team_id or self.team_id, is_bot, tz)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        is_private: bool = False,
        members: Iterable[str] = (),
        is_ext_shared: bool = False,
        is_archived: bool = False,
        is_general: bool = False,
    ) -> None:
        with self._lock:
            channel = _Channel(
                id=channel_id,
                name=name,
                is_private=is_private,
                is_ext_shared=is_ext_shared,
                is_archived=is_archived,
                is_general=is_general,
            )
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

    def members_of(self, channel_id: str) -> list[str]:
        with self._lock:
            channel = self._channels.get(channel_id)
            return list(channel.members) if channel is not None else []

    def resume_ts_after(self, ts: str) -> None:
        """Make new message timestamps come after ``ts`` (one of an earlier run of the fake),
        so that a ts stored elsewhere is never handed out twice."""
        secs, _, micros = ts.partition(".")
        with self._lock:
            counter = (int(secs) - _CREATED) * 1_000_000 + int(micros or 0)
            self._ts_counter = max(self._ts_counter, counter)

    def last_ts(self) -> str:
        """The newest timestamp handed out so far (see :meth:`resume_ts_after`)."""
        with self._lock:
            secs, micros = divmod(self._ts_counter, 1_000_000)
            return f"{_CREATED + secs}.{micros:06d}"

    # ------------------------------------------------------------------ response_url

    def response_url(self, key: str = "cmd") -> str:
        """A URL on this server; JSON posted to it lands in :attr:`responses` with ``_key``."""
        return f"{self.base_url}/response/{quote(key, safe='')}"

    def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.responses) >= count, timeout):
                raise AssertionError(
                    f"expected {count} response_url post(s) within {timeout}s, "
                    f"got {len(self.responses)}: {self.responses}"
                )
            return copy.deepcopy(self.responses)

    def wait_for_response_keys(
        self, keys: Iterable[str], timeout: float = 5.0
    ) -> dict[str, dict[str, Any]]:
        """Wait until a response_url post has arrived for every key; the first of each."""
        wanted = set(keys)

        def first_of_each() -> dict[str, dict[str, Any]]:
            found: dict[str, dict[str, Any]] = {}
            for response in self.responses:
                key = str(response.get("_key"))
                if key in wanted and key not in found:
                    found[key] = response
            return found

        with self._cond:
            if not self._cond.wait_for(lambda: len(first_of_each()) == len(wanted), timeout):
                missing = sorted(wanted - set(first_of_each()))
                raise AssertionError(f"no response_url post within {timeout}s for {missing}")
            return copy.deepcopy(first_of_each())

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self, method: str, error: str = "internal_error", times: int = 1, status: int = 200
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail.

        status 200 -> ``{"ok": false, "error": error}``; 429 -> ``Retry-After: 1`` and
        ``{"ok": false, "error": "ratelimited"}``; any other status (500, 503...) -> that
        HTTP status with ``{"ok": false, "error": error}``.
        """
        if status == 429:
            self.rate_limit_next(method, retry_after=1, times=times)
            return
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            queue.extend(_Fault(status, error, 0) for _ in range(times))

    def fail_randomly(
        self,
        rate: float,
        *,
        seed: int = 0,
        methods: Iterable[str] = ("chat.postMessage",),
        statuses: Iterable[int] = (500, 503, 429),
    ) -> None:
        """Refuse about ``rate`` of the calls to ``methods`` at random (seeded, so a run can
        be repeated), before anything is applied: an HTTP 500/503, or a 429 with
        ``Retry-After: 1``. ``rate=0`` turns it off. Counted in ``random_failures``."""
        with self._lock:
            self._random_fault_rate = rate
            self._random_fault_rng = random.Random(seed)
            self._random_fault_methods = frozenset(methods)
            self._random_fault_statuses = tuple(statuses)

    def _random_fault(self, method: str) -> _HttpResult | None:
        if not self._random_fault_rate or method not in self._random_fault_methods:
            return None
        if self._random_fault_rng.random() >= self._random_fault_rate:
            return None
        self.random_failures += 1
        status = self._random_fault_rng.choice(self._random_fault_statuses)
        if status == 429:
            return _json_result({"ok": False, "error": "ratelimited"}, 429, **{"Retry-After": "1"})
        return _json_result({"ok": False, "error": "internal_error"}, status)

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            queue.extend(_Fault(429, "ratelimited", retry_after) for _ in range(times))

    def enforce_rate_limits(
        self,
        per_channel: float | None = 1.0,
        workspace: float | None = None,
        *,
        channel_burst: float = 1.0,
        workspace_burst: float | None = None,
        methods: Iterable[str] = ("chat.postMessage",),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Answer like Slack when posting too fast: HTTP 429, ``Retry-After`` in whole seconds
        (at least 1) and ``{"ok": false, "error": "ratelimited"}``.

        ``per_channel`` posts a second are allowed in each channel (Slack: about 1), with
        ``channel_burst`` saved up; ``workspace`` posts a second across all channels, with
        ``workspace_burst`` saved up (default: one second's worth). ``None`` turns a limit
        off; ``enforce_rate_limits(None, None)`` turns both off. A refused call uses up
        nothing, is recorded in :attr:`calls` and in :attr:`rate_limited`, and changes no
        message. ``clock`` (monotonic seconds) lets tests move time.
        """
        with self._lock:
            if per_channel is None and workspace is None:
                self._limits = None
                return
            for rate in (per_channel, workspace):
                if rate is not None and rate <= 0:
                    raise ValueError("rates are posts per second and must be positive")
            bucket = None
            if workspace is not None:
                capacity = max(1.0, workspace if workspace_burst is None else workspace_burst)
                bucket = _Bucket(workspace, capacity, capacity, clock())
            self._limits = _RateLimits(
                methods=frozenset(methods),
                per_channel=per_channel,
                channel_burst=max(1.0, channel_burst),
                workspace=bucket,
                clock=clock,
            )

    def _rate_limit(self, method: str, params: dict[str, Any]) -> _HttpResult | None:
        """The 429 answer if this call goes over a limit; else take its tokens. Under the lock."""
        limits = self._limits
        if limits is None or method not in limits.methods:
            return None
        now = limits.clock()
        buckets: list[_Bucket] = []
        if limits.per_channel is not None:
            key = str(params.get("channel") or "")
            channel = limits.channels.get(key)
            if channel is None:
                channel = limits.channels[key] = _Bucket(
                    limits.per_channel, limits.channel_burst, limits.channel_burst, now
                )
            buckets.append(channel)
        if limits.workspace is not None:
            team = self._team_of_token.get(self.calls[-1].token or "")
            if team is None:
                buckets.append(limits.workspace)
            else:  # every workspace has its own budget, as on Slack
                template = limits.workspace
                bucket = self._workspace_buckets.get(team)
                if bucket is None:
                    bucket = self._workspace_buckets[team] = _Bucket(
                        template.rate, template.capacity, template.capacity, now
                    )
                buckets.append(bucket)
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.rate_limited.append(self.calls[-1])
            return _json_result(
                {"ok": False, "error": "ratelimited"}, 429, **{"Retry-After": str(retry_after)}
            )
        for bucket in buckets:
            bucket.tokens -= 1
        return None

    # ------------------------------------------------------------------ Socket Mode

    def wait_for_socket_client(self, timeout: float = 5.0) -> None:
        """Block until a Socket Mode client is connected (and has been sent ``hello``)."""
        self._ensure_ws_server()
        with self._cond:
            if not self._cond.wait_for(lambda: bool(self._ws_conns), timeout):
                raise AssertionError(f"no Socket Mode client connected within {timeout}s")

    def socket_send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        timeout: float = 5.0,
        *,
        accepts_response_payload: bool | None = None,
    ) -> dict[str, Any]:
        """Send an envelope to the connected Socket Mode client and return its ack.

        ``envelope_type`` is ``"slash_commands"``, ``"interactive"`` or ``"events_api"``.
        The ack is the client's message with the same ``envelope_id``; it may carry a
        ``"payload"`` (e.g. ``{"text": "pong"}`` for ``ack("pong")``).
        """
        from websockets.exceptions import ConnectionClosed

        if accepts_response_payload is None:
            accepts_response_payload = envelope_type != "events_api"
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if envelope_type == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        raw = json.dumps(envelope)
        deadline = time.monotonic() + timeout
        self._ensure_ws_server()
        while True:
            with self._cond:
                if not self._cond.wait_for(
                    lambda: bool(self._ws_conns), max(0.0, deadline - time.monotonic())
                ):
                    raise AssertionError(f"no Socket Mode client connected within {timeout}s")
                conn = self._ws_conns[-1]
            try:
                with self._ws_send_lock:
                    conn.send(raw)
                break
            except ConnectionClosed:
                with self._cond:
                    if conn in self._ws_conns:
                        self._ws_conns.remove(conn)
        with self._cond:
            if not self._cond.wait_for(
                lambda: envelope_id in self._acks, max(0.0, deadline - time.monotonic())
            ):
                raise AssertionError(
                    f"no ack for {envelope_type} envelope {envelope_id} within {timeout}s"
                )
            return copy.deepcopy(self._acks[envelope_id])

    def _ensure_ws_server(self) -> int:
        with self._lock:
            if self._ws_server is not None:
                return self._ws_port
            from websockets.sync.server import serve

            server = serve(
                self._ws_handler,
                "127.0.0.1",
                0,
                compression=None,
                # Frequent pings wake slack_sdk's built-in client out of its 3 s blocking
                # recv(), so SocketModeClient.close() returns in a fraction of a second.
                ping_interval=0.25,
                ping_timeout=None,
                close_timeout=1,
                logger=logging.getLogger(f"{__name__}.ws"),
            )
            self._ws_server = server
            self._ws_port = int(server.socket.getsockname()[1])
            self._ws_thread = threading.Thread(
                target=server.serve_forever, name="fake-slack-ws", daemon=True
            )
            self._ws_thread.start()
            return self._ws_port

    def _ws_handler(self, conn: ServerConnection) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            with self._ws_send_lock:
                conn.send(
                    json.dumps(
                        {
                            "type": "hello",
                            "num_connections": len(self._ws_conns) + 1,
                            "debug_info": {
                                "host": "fake-slack",
                                "build_number": 1,
                                "approximate_connection_time": 3600,
                            },
                            "connection_info": {"app_id": self.app_id},
                        }
                    )
                )
            with self._cond:
                self._ws_conns.append(conn)
                self._cond.notify_all()
            # websockets runs handlers in non-daemon threads: poll so that neither stop()
            # nor interpreter exit waits on a client that never hangs up.
            while not self._stopping.is_set() and threading.main_thread().is_alive():
                try:
                    message = conn.recv(timeout=0.2)
                except TimeoutError:
                    continue
                self._on_socket_message(message)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                if conn in self._ws_conns:
                    self._ws_conns.remove(conn)
                self._cond.notify_all()
            conn.close()

    def _on_socket_message(self, message: str | bytes) -> None:
        try:
            data = json.loads(message)
        except ValueError:
            log.warning("fake Slack: non-JSON Socket Mode message %r", message)
            return
        if not isinstance(data, dict) or "envelope_id" not in data:
            log.warning("fake Slack: unexpected Socket Mode message %r", data)
            return
        with self._cond:
            self.socket_acks.append(data)
            self._acks[str(data["envelope_id"])] = data
            self._cond.notify_all()

    # ------------------------------------------------------------------ HTTP plumbing

    def _handle_http(self, raw_path: str, headers: Message, body: bytes) -> _HttpResult:
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
        return _text_result("not found", status=404)

    def _handle_api(self, method: str, query: str, headers: Message, body: bytes) -> _HttpResult:
        bad_json = False
        try:
            params = _parse_params(query, headers.get("Content-Type", ""), body)
        except ValueError:
            params, bad_json = {}, True
        token = _bearer(headers.get("Authorization"))
        params.update(_basic_auth(headers.get("Authorization")))  # oauth.v2.access's client
        token_arg = params.pop("token", None)
        if token is None and isinstance(token_arg, str) and token_arg:
            token = token_arg
        with self._cond:
            call = Call(method, copy.deepcopy(params), token)
            self.calls.append(call)
            self.timeline.append(call)
            self._cond.notify_all()
            queue = self._faults.get(method)
            if queue:
                fault = queue.popleft()
                body_out = {"ok": False, "error": fault.error}
                if fault.status == 429:
                    return _json_result(body_out, 429, **{"Retry-After": str(fault.retry_after)})
                return _json_result(body_out, fault.status)
            random_fault = self._random_fault(method)
            if random_fault is not None:
                return random_fault
            limited = self._rate_limit(method, params)
            if limited is not None:
                return limited
            if bad_json:
                return _json_result({"ok": False, "error": "invalid_json"})
            if not token and method not in _NO_TOKEN_METHODS:
                return _json_result({"ok": False, "error": "not_authed"})
            if token and token in self._revoked_tokens:
                return _json_result({"ok": False, "error": "token_revoked"})
            if token and token.startswith("xapp-") and not method.startswith("apps."):
                return _json_result({"ok": False, "error": "not_allowed_token_type"})
            handler = self._methods.get(method)
            if handler is None:
                log.warning("fake Slack: no model for %s; answering {'ok': true}", method)
                return _json_result({"ok": True})
            try:
                result = handler(params, token)
            except _SlackError as exc:
                return _json_result({"ok": False, "error": exc.error, **exc.extra})
            call.result = copy.deepcopy(result)
            return _json_result({"ok": True, **result})

    def _handle_response_url(self, key: str, body: bytes) -> _HttpResult:
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

    def _handle_upload(self, file_id: str, body: bytes) -> _HttpResult:
        with self._cond:
            if file_id not in self._pending_files:
                return _text_result("unknown upload", status=404)
            self.uploads[file_id] = body
            self._cond.notify_all()
        return _text_result(f"OK - {len(body)}")

    # ------------------------------------------------------------------ model helpers

    def _next_ts(self) -> str:
        self._ts_counter += 100
        secs, micros = divmod(self._ts_counter, 1_000_000)
        return f"{_CREATED + secs}.{micros:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):09d}"

    def _dm_for(self, user_id: str) -> _Channel:
        channel_id = "D" + user_id
        channel = self._channels.get(channel_id)
        if channel is None:
            channel = _Channel(id=channel_id, name=channel_id, is_private=True, is_im=True)
            channel.user = user_id
            channel.add_member(user_id)
            channel.add_member(self.bot_user_id)
            self._channels[channel_id] = channel
        return channel

    def _resolve(self, ref: Any, *, allow_user: bool, allow_name: bool) -> _Channel:
        """Find a conversation by id (or ``#name``); user ids map to the bot's DM with them."""
        if not isinstance(ref, str) or not ref.strip():
            raise _SlackError("channel_not_found")
        ref = ref.strip()
        if ref.startswith("#"):
            if allow_name:
                for candidate in self._channels.values():
                    if candidate.name == ref[1:] and not candidate.is_im:
                        return candidate
            raise _SlackError("channel_not_found")
        known = self._channels.get(ref)
        if known is not None:
            return known
        if allow_user and ref[0] in "UW":
            return self._dm_for(ref)
        if ref.startswith("D") and len(ref) > 1:
            return self._dm_for(ref[1:])
        if allow_name:
            for candidate in self._channels.values():
                if candidate.name == ref and not candidate.is_im:
                    return candidate
        raise _SlackError("channel_not_found")

    def _postable(self, ref: Any) -> _Channel:
        channel = self._resolve(ref, allow_user=True, allow_name=True)
        if channel.is_archived:
            raise _SlackError("is_archived")
        if not (channel.is_im or channel.is_mpim) and self.bot_user_id not in channel.members:
            raise _SlackError("not_in_channel")
        return channel

    def _find_message(self, channel: _Channel, ts: Any) -> dict[str, Any]:
        for message in self.messages.get(channel.id, []):
            if message["ts"] == ts:
                return message
        raise _SlackError("message_not_found")

    def _store_message(
        self,
        channel: _Channel,
        text: str | None,
        blocks: Any,
        thread_ts: str | None,
        user: str,
        extra: dict[str, Any],
    ) -> str:
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "ts": ts,
            "user": user,
            "text": text or "",
            "blocks": blocks,
            "thread_ts": thread_ts,
            "team": self._users[user].team_id if user in self._users else self.team_id,
            **extra,
        }
        if user == self.bot_user_id:
            message.update(bot_id=self.bot_id, app_id=self.app_id)
        if thread_ts:
            for parent in self.messages.get(channel.id, []):
                if parent["ts"] == thread_ts:
                    parent["thread_ts"] = thread_ts
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
                    parent["latest_reply"] = ts
        self.messages.setdefault(channel.id, []).append(message)
        return ts

    def _channel_obj(self, channel: _Channel) -> dict[str, Any]:
        if channel.is_im:
            return {
                "id": channel.id,
                "created": _CREATED,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": self.team_id,
                "updated": _CREATED * 1000,
                "user": channel.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        legacy_group = channel.id.startswith("G") and channel.is_private and not channel.is_mpim
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not legacy_group and not channel.is_mpim,
            "is_group": legacy_group,
            "is_im": False,
            "is_mpim": channel.is_mpim,
            "is_private": channel.is_private,
            "created": _CREATED,
            "is_archived": channel.is_archived,
            "is_general": channel.is_general,
            "unlinked": 0,
            "name_normalized": channel.name,
            "is_shared": channel.is_ext_shared,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": self.team_id,
            "updated": _CREATED * 1000,
            "parent_conversation": None,
            "creator": channel.members[0] if channel.members else self.bot_user_id,
            "is_ext_shared": channel.is_ext_shared,
            "shared_team_ids": [self.team_id],
            "pending_connected_team_ids": [],
            "is_member": self.bot_user_id in channel.members,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }

    def _user_obj(self, user: _User) -> dict[str, Any]:
        try:
            now = datetime.now(ZoneInfo(user.tz))
            offset = now.utcoffset()
            tz_offset = int(offset.total_seconds()) if offset is not None else 0
            tz_label = now.tzname() or user.tz
        except (ZoneInfoNotFoundError, ValueError):
            tz_offset, tz_label = 0, user.tz
        profile: dict[str, Any] = {
            "real_name": user.name,
            "display_name": user.name,
            "real_name_normalized": user.name,
            "display_name_normalized": user.name,
            "team": user.team_id,
        }
        if user.is_bot:
            profile["bot_id"] = self.bot_id if user.id == self.bot_user_id else f"B{user.id}"
        return {
            "id": user.id,
            "team_id": user.team_id,
            "name": user.name,
            "deleted": False,
            "color": "9f69e7",
            "real_name": user.name,
            "tz": user.tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": _CREATED,
        }

    # ------------------------------------------------------------------ Web API methods

    # ------------------------------------------------------------------ OAuth (many workspaces)

    def add_workspace(
        self,
        team_id: str,
        name: str,
        *,
        bot_token: str | None = None,
        installer: str = "U0ALICE",
        enterprise_id: str | None = None,
        refresh_token: str | None = None,
        expires_in: int | None = None,
    ) -> str:
        """A workspace the app can be installed in from the authorize page; its bot token.

        Calls made with that token are answered as that workspace (auth.test), and count
        against that workspace's own rate limit. With `refresh_token` and `expires_in` the
        token rotates (oauth.v2.access with grant_type=refresh_token gives a new one).
        """
        token = bot_token or f"xoxb-{team_id.lower()}-token"
        with self._lock:
            self._workspaces[team_id] = _Workspace(
                team_id, name, token, installer, enterprise_id, refresh_token, expires_in
            )
            self._team_of_token[token] = team_id
        return token

    def set_oauth_client(self, client_id: str, client_secret: str) -> None:
        with self._lock:
            self.oauth_client = (client_id, client_secret)

    def _workspace_of(self, token: str | None) -> _Workspace | None:
        team = self._team_of_token.get(token or "")
        return self._workspaces.get(team) if team else None

    def _authorize_page(self, query: str) -> _HttpResult:
        """Slack's consent screen, reduced to a choice of workspace and Allow / Cancel."""
        args = {k: v[-1] for k, v in parse_qs(query).items()}
        hidden = "".join(
            f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
            for k, v in args.items()
            if k in ("client_id", "scope", "state", "redirect_uri")
        )
        options = "".join(
            f'<option value="{escape(w.team_id)}">{escape(w.name)}</option>'
            for w in self._workspaces.values()
        )
        html = (
            "<!DOCTYPE html><html><head><title>Fake Slack: authorize</title></head><body>"
            f"<h1>Install app {escape(args.get('client_id', '?'))}</h1>"
            f"<p>Scopes: {escape(args.get('scope', ''))}</p>"
            f'<form action="/oauth/v2/decide" method="get">{hidden}'
            f'<select name="team" id="team">{options}</select>'
            '<button type="submit" name="decision" value="allow" id="allow">Allow</button>'
            '<button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>'
            "</form></body></html>"
        )
        return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()

    def _authorize_decision(self, query: str) -> _HttpResult:
        args = {k: v[-1] for k, v in parse_qs(query).items()}
        redirect = args.get("redirect_uri") or self.oauth_redirect_uri
        state = quote(args.get("state", ""))
        if args.get("decision") != "allow":
            location = f"{redirect}?error=access_denied&state={state}"
        else:
            code = f"code-{uuid.uuid4().hex[:12]}"
            with self._lock:
                self._oauth_codes[code] = args.get("team", "")
            location = f"{redirect}?code={code}&state={state}"
        return 302, {"Location": location}, b""

    oauth_redirect_uri = "http://127.0.0.1/slack/oauth_redirect"

    def _oauth_v2_access(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        if (
            self.oauth_client is not None
            and (
                p.get("client_id"),
                p.get("client_secret"),
            )
            != self.oauth_client
        ):
            raise _SlackError("invalid_client_id")
        if p.get("grant_type") == "refresh_token":
            return self._refresh_token(str(p.get("refresh_token") or ""))
        team_id = self._oauth_codes.pop(str(p.get("code") or ""), None)
        workspace = self._workspaces.get(team_id or "")
        if workspace is None:
            raise _SlackError("invalid_code")
        result: dict[str, Any] = {
            "app_id": self.app_id,
            "authed_user": {"id": workspace.installer},
            "scope": ",".join(sorted(self._granted_scopes())),
            "token_type": "bot",
            "access_token": workspace.bot_token,
            "bot_user_id": self.bot_user_id,
            "team": {"id": workspace.team_id, "name": workspace.name},
            "enterprise": (
                {"id": workspace.enterprise_id, "name": "Grid"} if workspace.enterprise_id else None
            ),
            "is_enterprise_install": False,
        }
        if workspace.refresh_token and workspace.expires_in:
            result["refresh_token"] = workspace.refresh_token
            result["expires_in"] = workspace.expires_in
        return result

    def _granted_scopes(self) -> set[str]:
        return {"commands", "chat:write"}

    def _refresh_token(self, refresh_token: str) -> dict[str, Any]:
        for workspace in self._workspaces.values():
            if workspace.refresh_token and workspace.refresh_token == refresh_token:
                new_token = f"{workspace.bot_token.split('.r')[0]}.r{next(self._ids)}"
                self._revoked_tokens.add(workspace.bot_token)
                workspace.bot_token = new_token
                self._team_of_token[new_token] = workspace.team_id
                return {
                    "access_token": new_token,
                    "token_type": "bot",
                    "refresh_token": refresh_token,
                    "expires_in": workspace.expires_in or 43200,
                    "team": {"id": workspace.team_id, "name": workspace.name},
                    "scope": ",".join(sorted(self._granted_scopes())),
                    "bot_user_id": self.bot_user_id,
                    "app_id": self.app_id,
                }
        raise _SlackError("invalid_refresh_token")

    def _api_test(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {"args": p}

    def _auth_test(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        workspace = self._workspace_of(token)
        if workspace is not None:
            return {
                "url": f"https://{workspace.team_id.lower()}.slack.com/",
                "team": workspace.name,
                "user": self._users[self.bot_user_id].name,
                "team_id": workspace.team_id,
                "user_id": self.bot_user_id,
                "bot_id": self.bot_id,
                "enterprise_id": workspace.enterprise_id,
                "is_enterprise_install": False,
            }
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self._users[self.bot_user_id].name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not token or not token.startswith("xapp-"):
            raise _SlackError("not_allowed_token_type")
        port = self._ensure_ws_server()
        # ws:// even with tls=True: slack_sdk's built-in Socket Mode client speaks TLS to
        # port 443 only (any other port is "only for library testing"), so the socket stays
        # plain; the client still takes its SSL context from the Web API client.
        return {"url": f"ws://127.0.0.1:{port}/link"}

    def _chat_post_message(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._postable(p.get("channel"))
        text, blocks, attachments = p.get("text"), p.get("blocks"), p.get("attachments")
        if not text and not blocks and not attachments:
            raise _SlackError("no_text")
        extra = {k: p[k] for k in ("attachments", "metadata") if p.get(k) is not None}
        thread_ts = p.get("thread_ts") or None
        ts = self._store_message(channel, text, blocks, thread_ts, self.bot_user_id, extra)
        stored = self._find_message(channel, ts)
        return {
            "channel": channel.id,
            "ts": ts,
            "message": {k: v for k, v in copy.deepcopy(stored).items() if v is not None},
        }

    def _chat_update(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve(p.get("channel"), allow_user=True, allow_name=False)
        if not p.get("ts"):
            raise _invalid_arguments("ts")
        if channel.is_archived:
            raise _SlackError("is_archived")
        message = self._find_message(channel, p["ts"])
        if message["user"] != self.bot_user_id:
            raise _SlackError("cant_update_message")
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in p:
                message[key] = p[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": {k: v for k, v in copy.deepcopy(message).items() if v is not None},
        }

    def _chat_post_ephemeral(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._postable(p.get("channel"))
        user = p.get("user")
        if not user:
            raise _invalid_arguments("user")
        if not p.get("text") and not p.get("blocks") and not p.get("attachments"):
            raise _SlackError("no_text")
        ts = self._next_ts()
        self.ephemerals.append(
            {
                "channel": channel.id,
                "user": user,
                "text": p.get("text") or "",
                "blocks": p.get("blocks"),
                "thread_ts": p.get("thread_ts") or None,
                "message_ts": ts,
            }
        )
        return {"message_ts": ts}

    def _chat_get_permalink(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve(p.get("channel"), allow_user=True, allow_name=False)
        if not p.get("message_ts"):
            raise _invalid_arguments("message_ts")
        message = self._find_message(channel, p["message_ts"])
        link = f"{PERMALINK_BASE}/archives/{channel.id}/p{message['ts'].replace('.', '')}"
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            link += f"?thread_ts={thread_ts}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    def _chat_delete(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve(p.get("channel"), allow_user=True, allow_name=False)
        message = self._find_message(channel, p.get("ts"))
        if message["user"] != self.bot_user_id:
            raise _SlackError("cant_delete_message")
        self.messages[channel.id].remove(message)
        return {"channel": channel.id, "ts": message["ts"]}

    def _conversations_info(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve(p.get("channel"), allow_user=False, allow_name=False)
        obj = self._channel_obj(channel)
        if _truthy(p.get("include_num_members")) and not channel.is_im:
            obj["num_members"] = len(channel.members)
        return {"channel": obj}

    def _conversations_join(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        channel = self._resolve(p.get("channel"), allow_user=False, allow_name=False)
        if channel.is_im or channel.is_mpim or channel.is_private:
            raise _SlackError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise _SlackError("is_archived")
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
            users = [u for u in _id_list(p.get("users")) if u != self.bot_user_id]
            if not users:
                raise _SlackError("users_list_not_supplied")
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
                    channel = _Channel(
                        id=self._new_id("G"), name=name, is_private=True, is_mpim=True
                    )
                    for member in [*users, self.bot_user_id]:
                        channel.add_member(member)
                    self._channels[channel.id] = channel
        result: dict[str, Any] = {
            "channel": self._channel_obj(channel)
            if _truthy(p.get("return_im"))
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
            raise _SlackError("user_not_found")
        return {"user": self._user_obj(user)}

    # views

    def _view_arg(self, p: dict[str, Any]) -> dict[str, Any]:
        view = p.get("view")
        if not isinstance(view, dict):
            raise _invalid_arguments("view")
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
            raise _SlackError("hash_conflict")

    def _views_open(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        trigger_id = p.get("trigger_id")
        if not trigger_id:
            raise _invalid_arguments("trigger_id")
        view = self._build_view(self._view_arg(p), None)
        self._record_view("views.open", view, trigger_id=trigger_id)
        return {"view": copy.deepcopy(view)}

    def _views_push(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        trigger_id = p.get("trigger_id")
        if not trigger_id:
            raise _invalid_arguments("trigger_id")
        view = self._build_view(self._view_arg(p), None)
        self._record_view("views.push", view, trigger_id=trigger_id)
        return {"view": copy.deepcopy(view)}

    def _views_update(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        given = self._view_arg(p)
        view_id, external_id = p.get("view_id"), p.get("external_id")
        if not view_id and not external_id:
            raise _invalid_arguments("view_id")
        current: dict[str, Any] | None = None
        if view_id:
            current = self._views_by_id.get(view_id)
        else:
            for candidate in self._views_by_id.values():
                if candidate.get("external_id") == external_id:
                    current = candidate
        if current is None:
            raise _SlackError("not_found")
        self._check_hash(p, current)
        view = self._build_view(given, current["id"], current.get("previous_view_id"))
        view["root_view_id"] = current.get("root_view_id", current["id"])
        self._record_view("views.update", view)
        return {"view": copy.deepcopy(view)}

    def _views_publish(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        user_id = p.get("user_id")
        if not user_id:
            raise _invalid_arguments("user_id")
        given = {"type": "home", **self._view_arg(p)}
        view_id = self._home_view_ids.get(user_id)
        if view_id is not None:
            self._check_hash(p, self._views_by_id[view_id])
        view = self._build_view(given, view_id)
        self._home_view_ids[user_id] = view["id"]
        self._record_view("views.publish", view, user_id=user_id)
        return {"view": copy.deepcopy(view)}

    # files

    def _files_get_upload_url_external(
        self, p: dict[str, Any], token: str | None
    ) -> dict[str, Any]:
        filename = p.get("filename")
        if not filename:
            raise _invalid_arguments("filename")
        try:
            length = int(p.get("length", ""))
        except (TypeError, ValueError):
            raise _invalid_arguments("length") from None
        file_id = self._new_id("F")
        self._pending_files[file_id] = {
            "filename": str(filename),
            "length": length,
            "alt_txt": p.get("alt_txt"),
            "snippet_type": p.get("snippet_type"),
        }
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(
        self, p: dict[str, Any], token: str | None
    ) -> dict[str, Any]:
        files = p.get("files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except ValueError:
                raise _invalid_arguments("files") from None
        if not isinstance(files, list) or not files:
            raise _invalid_arguments("files")
        channel_id = p.get("channel_id") or None
        targets = ([channel_id] if channel_id else []) + _id_list(p.get("channels"))
        shared_in = [self._postable(ref).id for ref in targets]
        objs: list[dict[str, Any]] = []
        for item in files:
            file_id = item.get("id") if isinstance(item, dict) else None
            if not file_id or file_id not in self._pending_files or file_id not in self.uploads:
                raise _SlackError("file_not_found")
            pending = self._pending_files[file_id]
            name = pending["filename"]
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            obj: dict[str, Any] = {
                "id": file_id,
                "created": int(time.time()),
                "timestamp": int(time.time()),
                "name": name,
                "title": item.get("title") or name,
                "mimetype": mimetype,
                "filetype": name.rsplit(".", 1)[-1] if "." in name else "binary",
                "user": self.bot_user_id,
                "user_team": self.team_id,
                "size": len(self.uploads[file_id]),
                "mode": "hosted",
                "is_external": False,
                "is_public": any(c.startswith("C") for c in shared_in),
                "url_private": f"{self.base_url}/files/{file_id}/{quote(name)}",
                "permalink": f"{PERMALINK_BASE}/files/{self.bot_user_id}/{file_id}/{quote(name)}",
                "channels": [c for c in shared_in if c.startswith("C")],
                "groups": [c for c in shared_in if c.startswith("G")],
                "ims": [c for c in shared_in if c.startswith("D")],
            }
            if pending.get("alt_txt"):
                obj["alt_txt"] = pending["alt_txt"]
            self._files[file_id] = obj
            objs.append(obj)
        self.file_shares.append(
            {
                "channel_id": channel_id,
                "channels": shared_in,
                "initial_comment": p.get("initial_comment"),
                "thread_ts": p.get("thread_ts") or None,
                "files": copy.deepcopy(objs),
            }
        )
        return {"files": copy.deepcopy(objs)}

    def _files_info(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        obj = self._files.get(str(p.get("file") or ""))
        if obj is None:
            raise _SlackError("file_not_found")
        return {"file": copy.deepcopy(obj)}
