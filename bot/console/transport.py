"""The real app on loopback, and requests signed the way Slack signs them.

Shared by the console (`python -m bot console`) and usable by tests: the Bolt app from
`bot.app.build_app`, behind the WSGI front from `bot.web.build_wsgi_app`, served by the
standard library's server on 127.0.0.1; requests are signed with slack_sdk's
SignatureVerifier, as Slack signs them.

Bolt acks a request and then runs the listener in a thread pool, so the HTTP answer comes
before the listener's work is done. `LoopbackApp.settle()` waits for that work: the app's
listener executor is wrapped in a `TrackingExecutor` that counts what is still running.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_sdk.signature import SignatureVerifier

from bot.app import build_app
from bot.deps import Deps
from bot.web import build_wsgi_app

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


class LoopbackApp:
    """`build_app(deps)` served over HTTP on 127.0.0.1, and signed requests to it.

    `deps.settings` must name the signing secret; use as a context manager (or call
    `start()` and `stop()`).
    """

    def __init__(self, deps: Deps) -> None:
        secret = deps.settings.slack_signing_secret
        if not secret:
            raise ValueError("LoopbackApp needs settings with a signing secret")
        self.deps = deps
        self.secret = secret
        self.app: App = build_app(deps)
        self.executor = track_listeners(self.app)
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        wsgi = build_wsgi_app(self.app, self.deps.engine)
        server = make_server(
            "127.0.0.1", 0, wsgi, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.005},  # stop() waits up to one interval
            name="console-app-http",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.executor.wait_idle(5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("LoopbackApp is not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    # ------------------------------------------------------------------ requests

    def post_signed(
        self, body: str, content_type: str = "application/x-www-form-urlencoded"
    ) -> HttpResult:
        request = urllib.request.Request(
            self.url + EVENTS_PATH,
            data=body.encode(),
            headers={"Content-Type": content_type, **sign(body, self.secret)},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return HttpResult(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, error.read().decode())

    def command(self, form: dict[str, str]) -> HttpResult:
        """A slash command: the form fields Slack posts."""
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


def track_listeners(app: App) -> TrackingExecutor:
    """Wrap the executor Bolt runs listeners (and lazy listeners) on.

    With process_before_response=False, Bolt submits the whole listener (its ack included)
    to `app.listener_runner.listener_executor` before it answers the request, so once a
    request is answered, `wait_idle` covers everything that request started. The tests'
    bot (tests/slack_requests.py) uses this too.
    """
    runner = app.listener_runner
    tracking = TrackingExecutor(runner.listener_executor)
    runner.listener_executor = tracking
    lazy = getattr(runner, "lazy_listener_runner", None)
    if lazy is not None and hasattr(lazy, "executor"):
        lazy.executor = tracking
    return tracking
