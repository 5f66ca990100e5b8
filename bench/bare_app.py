"""The yardstick for benchmark 1: a Bolt app that only acknowledges `/delegate`, served by
gunicorn with exactly the options `python -m bot web` uses (bot.gunicorn_app.gunicorn_options).

    PORT=3001 SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=... SLACK_API_URL=... \\
        python -m bench.bare_app

Same Bolt, same request verification, same WSGI adapter and same worker settings; no
database, no listener work after the ack. `GET /healthz` answers 200 so the benchmark can
tell when it is up.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.gunicorn_app import check_port_free, gunicorn_options

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def build_bare_app(signing_secret: str, token: str, api_url: str | None) -> WSGIApplication:
    app = App(
        client=WebClient(token=token, base_url=api_url or WebClient.BASE_URL, timeout=10),
        signing_secret=signing_secret,
        token_verification_enabled=False,  # as the bot: auth.test on the first request
    )

    def acknowledge(ack: Ack) -> None:
        ack()

    app.command("/delegate")(acknowledge)
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            body = json.dumps({"ok": True}).encode()
            start_response(
                "200 OK",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return slack(environ, start_response)

    return wsgi


class BareServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> WSGIApplication:
        return build_bare_app(
            os.environ["SLACK_SIGNING_SECRET"],
            os.environ["SLACK_BOT_TOKEN"],
            os.environ.get("SLACK_API_URL"),
        )


def main() -> int:
    port = int(os.environ.get("PORT", "3000"))
    check_port_free(port)
    # As many worker processes as the bot is given (benchmark 1 sets both the same).
    workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
    BareServer(gunicorn_options(port, workers)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
