"""Socket Mode for the tests' fake Slack: a WebSocket server (`websockets`, a test-only
dependency) that hands envelopes to the connected client and collects its acks."""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

from bot.fake_slack import FakeSlack
from bot.fake_slack.model import SlackError

if TYPE_CHECKING:
    from websockets.sync.server import Server, ServerConnection

log = logging.getLogger("bot.fake_slack")


class SocketMode(FakeSlack):
    """apps.connections.open and the socket; state set up by tests.support.fake_slack."""

    socket_acks: list[dict[str, Any]]
    _ws_server: Server | None
    _ws_thread: threading.Thread | None
    _ws_port: int
    _ws_conns: list[ServerConnection]
    _acks: dict[str, dict[str, Any]]
    _ws_send_lock: threading.Lock
    _stopping: threading.Event

    def _init_socket_mode(self) -> None:
        self.socket_acks = []
        self._ws_server = None
        self._ws_thread = None
        self._ws_port = 0
        self._ws_conns = []
        self._acks = {}
        self._ws_send_lock = threading.Lock()
        self._stopping = threading.Event()
        self._methods["apps.connections.open"] = self._apps_connections_open

    def _stop_socket_mode(self) -> None:
        ws, self._ws_server = self._ws_server, None
        if ws is not None:
            ws.shutdown()
        if self._ws_thread is not None:
            self._ws_thread.join(timeout=5)
            self._ws_thread = None

    def _apps_connections_open(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        if not token or not token.startswith("xapp-"):
            raise SlackError("not_allowed_token_type")
        port = self._ensure_ws_server()
        # ws:// even with tls=True: slack_sdk's built-in Socket Mode client speaks TLS to
        # port 443 only (any other port is "only for library testing"), so the socket stays
        # plain; the client still takes its SSL context from the Web API client.
        return {"url": f"ws://127.0.0.1:{port}/link"}

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
                logger=logging.getLogger("bot.fake_slack.ws"),
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
