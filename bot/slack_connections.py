"""Kept-alive connections to Slack's Web API: one per thread and host, reused call after call.

slack_sdk's WebClient sends each call through `urllib.request.urlopen`, which opens a new
connection and closes it after the answer: a TCP and TLS handshake for every call. Even with
the process's one SSL context (bot.slack_tls) that handshake costs a Web API call over
HTTPS about 2.5 times the CPU of the same call over plain HTTP; on a connection kept open
it costs about what plain HTTP does (`python -m bench.tls`, docs/decisions.md).

`KeepAliveWebClient` replaces only the step that moves one request over the wire
(`_perform_urllib_http_request_internal`); slack_sdk still builds the request, runs its
retry handlers (429 Retry-After included: an HTTP error status is raised as urllib raises
it) and parses the answer. Each thread keeps at most `MAX_IDLE_PER_THREAD` connections, so
threads cannot hoard sockets; a connection the server closed while idle is noticed before
it is used, and a request that finds its reused connection closed under it is sent once
more on a new one (the server answered nothing, so it did not act on it). With a proxy the
SDK's own path is used unchanged.
"""

from __future__ import annotations

import http.client
import io
import select
import socket
import ssl
import threading
import urllib.error
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient

MAX_IDLE_PER_THREAD = 2  # Slack's Web API host and one more
_Key = tuple[str, str, int, int]  # scheme, host, port, id of the SSL context
_local = threading.local()


def _pool() -> OrderedDict[_Key, http.client.HTTPConnection]:
    pool: OrderedDict[_Key, http.client.HTTPConnection] | None = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = OrderedDict()
    return pool


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """True when the idle connection has been closed (or sent something unasked)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _checkout(key: _Key, timeout: float, context: ssl.SSLContext | None) -> tuple[Any, bool]:
    pool = _pool()
    connection = pool.pop(key, None)
    if connection is not None and not _dropped(connection):
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection, True
    if connection is not None:
        connection.close()
    scheme, host, port, _ = key
    if scheme == "https":
        fresh: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=context
        )
    else:
        fresh = http.client.HTTPConnection(host, port, timeout=timeout)
    return fresh, False


def _connect(connection: http.client.HTTPConnection) -> None:
    """Open the connection with Nagle off: a request written in pieces is not held back
    waiting for the server's delayed ACK (40 ms) on a connection that stays open."""
    connection.connect()
    if connection.sock is not None:
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _checkin(key: _Key, connection: http.client.HTTPConnection) -> None:
    pool = _pool()
    pool[key] = connection
    while len(pool) > MAX_IDLE_PER_THREAD:
        _, oldest = pool.popitem(last=False)
        oldest.close()


def close_idle_connections() -> None:
    """Close this thread's idle connections (a test or a shutdown that wants them gone)."""
    pool = _pool()
    while pool:
        _, connection = pool.popitem()
        connection.close()


def send(
    req: Request, timeout: float, context: ssl.SSLContext | None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Send `req` on a kept-alive connection: status, headers and body of a 2xx answer.

    Other statuses raise urllib.error.HTTPError and network failures urllib.error.URLError,
    as urlopen does, so slack_sdk's error handling and retry handlers see what they expect.
    """
    url = urlsplit(req.full_url)
    scheme = url.scheme.lower()
    if scheme not in ("http", "https") or not url.hostname:
        raise urllib.error.URLError(f"unsupported URL {req.full_url!r}")
    port = url.port or (443 if scheme == "https" else 80)
    key: _Key = (scheme, url.hostname, port, id(context))
    target = url.path or "/"
    if url.query:
        target += "?" + url.query
    headers = dict(req.header_items())
    for attempt in (1, 2):
        connection, reused = _checkout(key, timeout, context)
        try:
            if not reused:
                _connect(connection)
            connection.request(req.get_method(), target, body=req.data, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except (http.client.RemoteDisconnected, ConnectionError, ssl.SSLEOFError) as error:
            connection.close()
            if reused and attempt == 1:
                continue  # closed by the server while idle: it never saw this request
            raise urllib.error.URLError(error) from error
        except OSError as error:
            connection.close()
            if isinstance(error, TimeoutError):
                raise
            raise urllib.error.URLError(error) from error
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            _checkin(key, connection)
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(
                req.full_url, response.status, response.reason, response.headers, io.BytesIO(body)
            )
        return response.status, response.headers, body
    raise AssertionError("unreachable")  # the loop returns or raises


class KeepAliveWebClient(WebClient):
    """slack_sdk's WebClient, sending each call on this thread's kept-alive connection."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or not url.lower().startswith("http"):
            return super()._perform_urllib_http_request_internal(url, req)
        status, headers, body = send(req, self.timeout, self.ssl)
        if headers.get_content_type() == "application/gzip":
            return {"status": status, "headers": headers, "body": body}  # admin.analytics
        charset = headers.get_content_charset() or "utf-8"
        return {"status": status, "headers": headers, "body": body.decode(charset)}


def keep_alive_copy(client: WebClient) -> KeepAliveWebClient:
    """A KeepAliveWebClient with `client`'s settings (Bolt builds a plain WebClient for each
    request; bot.app swaps it for this in a middleware)."""
    if isinstance(client, KeepAliveWebClient):
        return client
    # The same object under the kept-alive class: every setting WebClient.__init__ stored
    # (token, team, SSL context, proxy, headers, retry handlers…) is taken as Bolt left it,
    # none named here to be forgotten when the SDK adds one.
    kept = KeepAliveWebClient.__new__(KeepAliveWebClient)
    vars(kept).update(vars(client))
    return kept
