"""The real app on loopback, and requests signed the way Slack signs them.

Shared by the console (`python -m bot console`) and the tests (tests/support/slack_requests.py):
the Bolt app from `bot.app.build_app`, behind the WSGI front from `bot.web.build_wsgi_app`,
served by the standard library's server on 127.0.0.1 or called in-process as a WSGI server
would call it; requests are signed with slack_sdk's SignatureVerifier, as Slack signs them,
and a slash command's form is built in one place (`slash_command_form`).

Bolt acks a request and then runs the listener in a thread pool, so the HTTP answer comes
before the listener's work is done. `LoopbackApp.settle()` waits for that work: the app's
listener executor is wrapped in a `TrackingExecutor` that counts what is still running.
"""

from __future__ import annotations

import io
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any, ParamSpec, Self, TypeVar
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.util import setup_testing_defaults

from slack_bolt import App
from slack_sdk.signature import SignatureVerifier

from bot.app import build_app
from bot.deps import Deps
from bot.fake_slack.wire import Service
from bot.web import WsgiApp, build_wsgi_app

P = ParamSpec("P")
T = TypeVar("T")

EVENTS_PATH = "/slack/events"


def sign(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The X-Slack-Request-Timestamp and X-Slack-Signature headers for `body`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}


@dataclass(frozen=True)
class HttpResult:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body.strip() else None


class TrackingExecutor(Executor):
    """Runs work on another executor and knows how much of it is still running."""

    def __init__(self, inner: Executor) -> None:
        self._inner = inner
        self._pending = 0
        self._cond = threading.Condition()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._cond:
            self._pending += 1

        def run() -> T:
            try:
                return fn(*args, **kwargs)
            finally:
                with self._cond:
                    self._pending -= 1
                    self._cond.notify_all()

        try:
            return self._inner.submit(run)
        except BaseException:
            with self._cond:
                self._pending -= 1
                self._cond.notify_all()
            raise

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing submitted is still running; False if `timeout` ran out."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait, cancel_futures=cancel_futures)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _no_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [])
    return []


class LoopbackServer:
    """The standard library's threading WSGI server on 127.0.0.1, bound (so its URL known)
    before the application it serves is built: a bot whose settings name its own address
    (an OAuth redirect URL) is built after."""

    def __init__(self) -> None:
        self._server = make_server(
            "127.0.0.1", 0, _no_app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def serve(self, wsgi: WsgiApp) -> None:
        self._server.set_app(wsgi)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.005},  # stop() waits up to one interval
            name="console-app-http",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class LoopbackApp(Service):
    """`build_app(deps)` behind `build_wsgi_app`, and signed requests to it.

    Served over HTTP on 127.0.0.1 (the console; `server` may be one bound beforehand), or
    with `over_http=False` called in-process as a WSGI server would call it: the same front
    door (signature check, Bolt's handler, `App.dispatch`) without a socket, for tests
    where HTTP is not the subject. `deps.settings` must name the signing secret; use as a
    context manager (or call `start()` and `stop()`).
    """

    def __init__(
        self, deps: Deps, *, over_http: bool = True, server: LoopbackServer | None = None
    ) -> None:
        secret = deps.settings.slack_signing_secret
        if not secret:
            raise ValueError("LoopbackApp needs settings with a signing secret")
        self.deps = deps
        self.secret = secret
        self.over_http = over_http or server is not None
        self.app: App = build_app(deps)
        self.executor = track_listeners(self.app)
        self.wsgi: WsgiApp = build_wsgi_app(self.app, deps.engine)
        self._given_server = server
        self._server: LoopbackServer | None = None

    def start(self) -> Self:
        if self.over_http:
            self._server = self._given_server or LoopbackServer()
            self._server.serve(self.wsgi)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()
        self.executor.wait_idle(5)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("LoopbackApp is not served over HTTP")
        return self._server.url

    # ------------------------------------------------------------------ requests

    def post(
        self,
        body: str,
        content_type: str = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        path: str = EVENTS_PATH,
    ) -> HttpResult:
        """POST `body` as it is (signed or not by `headers`); the answer, not waiting for
        the listeners it started (`settle`)."""
        all_headers = {"Content-Type": content_type, **(headers or {})}
        return self.request("POST", path, body.encode(), all_headers)

    def get(self, path: str) -> HttpResult:
        return self.request("GET", path, None, {})

    def request(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str]
    ) -> HttpResult:
        if not self.over_http:
            return call_wsgi(self.wsgi, method, path, data, headers)
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return HttpResult(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, error.read().decode())

    def post_signed(
        self, body: str, content_type: str = "application/x-www-form-urlencoded"
    ) -> HttpResult:
        return self.post(body, content_type, sign(body, self.secret))

    def command(self, form: dict[str, str]) -> HttpResult:
        """A slash command: the form fields Slack posts (`slash_command_form`)."""
        return self.post_signed(urlencode(form))

    def interact(self, payload: dict[str, Any]) -> HttpResult:
        """block_actions, view_submission, view_closed...: `payload=<json>`."""
        return self.post_signed(urlencode({"payload": json.dumps(payload)}))

    def event(self, envelope: dict[str, Any]) -> HttpResult:
        """An Events API `event_callback` envelope."""
        return self.post_signed(json.dumps(envelope), "application/json")

    def settle(self, timeout: float = 15.0) -> bool:
        """Wait until the listeners started by the requests so far have finished."""
        return self.executor.wait_idle(timeout)


def slash_command_form(
    text: str,
    *,
    token: str,
    team_id: str,
    team_domain: str,
    channel_id: str,
    channel_name: str,
    user_id: str,
    user_name: str,
    api_app_id: str,
    response_url: str,
    trigger_id: str,
    command: str = "/delegate",
    is_enterprise_install: bool | None = None,
) -> dict[str, str]:
    """The form fields Slack posts for a slash command, in Slack's order."""
    form = {
        "token": token,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
    }
    if is_enterprise_install is not None:
        form["is_enterprise_install"] = "true" if is_enterprise_install else "false"
    form["response_url"] = response_url
    form["trigger_id"] = trigger_id
    return form


def call_wsgi(
    wsgi: WsgiApp, method: str, path: str, data: bytes | None, headers: dict[str, str]
) -> HttpResult:
    """One request to the WSGI callable, in this process, as a WSGI server would make it."""
    body = data or b""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    setup_testing_defaults(environ)
    answered: list[str] = []

    def start_response(status: str, _headers: Any, _exc_info: Any = None) -> Any:
        answered.append(status)
        return lambda _chunk: None

    chunks = wsgi(environ, start_response)
    try:
        text = b"".join(chunks).decode()
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return HttpResult(int(answered[-1].split()[0]), text)


def track_listeners(app: App) -> TrackingExecutor:
    """Wrap the executor Bolt runs listeners (and lazy listeners) on.

    With process_before_response=False, Bolt submits the whole listener (its ack included)
    to `app.listener_runner.listener_executor` before it answers the request, so once a
    request is answered, `wait_idle` covers everything that request started. The tests'
    bot (tests/support/slack_requests.py) is a LoopbackApp too.
    """
    runner = app.listener_runner
    tracking = TrackingExecutor(runner.listener_executor)
    runner.listener_executor = tracking
    lazy = getattr(runner, "lazy_listener_runner", None)
    if lazy is not None and hasattr(lazy, "executor"):
        lazy.executor = tracking
    return tracking
