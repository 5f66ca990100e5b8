"""Serve the WSGI app with gunicorn (threads per worker, since Bolt listeners block on I/O)."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from bot.app import build_app
from bot.deps import Deps
from bot.web import WsgiApp, build_wsgi_app


class BotServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, deps: Deps, options: dict[str, Any]) -> None:
        self.deps = deps
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        return build_wsgi_app(build_app(self.deps), self.deps.engine)


def serve(deps: Deps) -> None:
    options = {
        "bind": f"0.0.0.0:{deps.settings.port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": 8,
        "timeout": 30,
        "accesslog": None,
    }
    BotServer(deps, options).run()
