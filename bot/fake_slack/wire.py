"""The stand-in Slack's wire: a loopback HTTP(S) server, and requests parsed the way Slack
accepts them (JSON, form-encoded and multipart bodies, query strings, a bearer token or HTTP
Basic credentials)."""

from __future__ import annotations

import base64
import contextlib
import email.parser
import email.policy
import json
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Mapping
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Protocol, Self, cast
from urllib.parse import parse_qs

log = logging.getLogger("bot.fake_slack")

HttpResult = tuple[int, dict[str, str], bytes]
# A Web API method: the call's arguments and token -> the answer's fields besides "ok".
Handler = Callable[[dict[str, Any], str | None], dict[str, Any]]

# Arguments that hold JSON and arrive as strings when form-encoded; they are decoded so that
# ``Call.params["blocks"]`` is always the list of blocks.
JSON_STRING_ARGS = ("blocks", "attachments", "view")


class Serves(Protocol):
    """What the server hands each request to (bot.fake_slack.FakeSlack)."""

    def _handle_http(self, raw_path: str, headers: Message, body: bytes) -> HttpResult: ...


def flatten_qs(parsed: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
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


def parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Merge query-string and body arguments; raise ValueError on an unparsable JSON body."""
    params = flatten_qs(parse_qs(query, keep_blank_values=True))
    mime = content_type.split(";", 1)[0].strip().lower()
    if body:
        if mime == "application/json":
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("JSON body is not an object")
            params.update(data)
        elif mime == "multipart/form-data":
            params.update(parse_multipart(content_type, body))
        else:
            text = body.decode("utf-8", "replace")
            params.update(flatten_qs(parse_qs(text, keep_blank_values=True)))
    for key in JSON_STRING_ARGS:
        value = params.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            # left as given if it is not JSON; the method complains if it matters
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


def bearer(header: str | None) -> str | None:
    if header and header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def basic_auth(header: str | None) -> dict[str, str]:
    """HTTP Basic credentials (slack_sdk sends oauth.v2.access's client id and secret so)."""
    if not header or not header.lower().startswith("basic "):
        return {}
    try:
        client_id, _, secret = base64.b64decode(header[6:].strip()).decode().partition(":")
    except ValueError:
        return {}
    return {"client_id": client_id, "client_secret": secret}


def json_result(body: Mapping[str, Any], status: int = 200, **headers: str) -> HttpResult:
    payload = json.dumps(body).encode("utf-8")
    return status, {"Content-Type": "application/json; charset=utf-8", **headers}, payload


def text_result(text: str, status: int = 200) -> HttpResult:
    return status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode("utf-8")


class Service:
    """Something served on loopback while in use: `with it:` starts and stops it."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: Serves, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), RequestHandler)
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


class RequestHandler(BaseHTTPRequestHandler):
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
        fake = cast(HTTPServer, self.server).fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        try:
            status, headers, payload = fake._handle_http(self.path, self.headers, body)
        except Exception as exc:  # a bug in the fake: answer loudly instead of hanging
            log.exception("fake Slack failed on %s %s", self.command, self.path)
            status, headers, payload = json_result(
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
