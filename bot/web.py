"""The HTTP front: Slack's requests at POST /slack/events, a health check at GET /healthz.

Served by gunicorn in production (`python -m bot web`); tests serve the same WSGI callable
with the standard library's server on loopback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.engine import Engine

from storage.database import ping

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)
WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def build_wsgi_app(app: App, engine: Engine) -> WsgiApp:
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            return _health(engine, start_response)
        if not str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "0")).isdigit():
            # Bolt's verifier calls int() on this header and would answer 500; it is simply
            # an unsigned request.
            logger.warning("rejected a request with a malformed signature timestamp")
            return _json(start_response, "401 Unauthorized", {"error": "invalid request"})
        try:
            return slack(environ, start_response)
        except Exception as error:
            # Bolt parses payload fields before any listener runs (a `channel` that is not
            # an object, say) and raises on shapes Slack never sends: a bad request, not
            # a server error. The body is not logged: it is untrusted input.
            logger.warning("rejected a malformed Slack payload (%s)", type(error).__name__)
            return _json(start_response, "400 Bad Request", {"error": "malformed payload"})

    return wsgi


def _health(engine: Engine, start_response: StartResponse) -> Iterable[bytes]:
    try:
        ping(engine)
    except Exception as error:
        logger.warning("health check: database unreachable (%s)", type(error).__name__)
        return _json(start_response, "503 Service Unavailable", {"ok": False, "database": "down"})
    return _json(start_response, "200 OK", {"ok": True, "database": "up"})


def _json(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]
