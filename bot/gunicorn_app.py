"""Serve the WSGI app with gunicorn (threads per worker, since Bolt listeners block on I/O)."""

from __future__ import annotations

import socket
import threading
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt import App

from bot.app import build_app
from bot.deps import Deps
from bot.jobs import runner_of
from bot.web import WsgiApp, build_wsgi_app

HOST = "0.0.0.0"


class BotServer(BaseApplication):  # type: ignore[misc]
    """gunicorn configured from code only: no command line, config file or GUNICORN_CMD_ARGS."""

    def __init__(self, deps: Deps, options: dict[str, Any]) -> None:
        self.deps = deps
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings newer than the installed gunicorn are skipped
                self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        # Runs in the worker, after the fork.
        app = build_app(self.deps)
        start_job_runner(app)
        return build_wsgi_app(app, self.deps.engine)


def gunicorn_options(port: int, workers: int = 1) -> dict[str, Any]:
    return {
        "bind": f"{HOST}:{port}",
        # Each worker is a process with its own engine and connection pool, built after
        # the fork (BotServer.load).
        "workers": workers,
        "worker_class": "gthread",
        "threads": 8,
        "timeout": 30,
        "accesslog": None,
        # gunicorn >= 25.1 opens a control socket at one fixed path per user
        # ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl): two instances on one host would
        # fight over it, and a read-only home breaks it. Nothing here uses it.
        "control_socket_disable": True,
    }


def check_port_free(port: int, host: str = HOST) -> None:
    """Raise OSError (EADDRINUSE...) now rather than let gunicorn retry the bind for 5 s."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        probe.bind((host, port))


def serve(deps: Deps, with_scheduler: bool = False) -> None:
    """Serve HTTP; with `with_scheduler`, the one worker also runs the scheduler (`run`)."""
    # The start-up checks used the engine in this (master) process; connections must not be
    # inherited by the forked worker, which opens its own.
    deps.engine.dispose()
    # `run` keeps one worker, which also runs the scheduler; `web` has WEB_CONCURRENCY
    # workers and leaves the scheduler to its own process (`python -m bot scheduler`).
    workers = 1 if with_scheduler else deps.settings.web_concurrency
    options = gunicorn_options(deps.settings.port, workers)
    if with_scheduler:
        # Started after the fork: threads do not survive fork(), and the scheduler belongs
        # next to the app in the worker. Claims in the database keep it once-only anyway.
        options["post_worker_init"] = lambda _worker: start_scheduler_thread(deps)
    BotServer(deps, options).run()


def start_job_runner(app: App) -> None:
    """With JOB_RUNNER=web, this worker also looks for jobs a stopped process left behind
    (bot.jobs); the jobs of its own requests it runs as they come."""
    runner = runner_of(app)
    if runner is not None:
        runner.start_background(threading.Event())


def start_scheduler_thread(deps: Deps) -> None:
    from bot.installations import scheduler_clients
    from bot.scheduling import start_background_scheduler

    start_background_scheduler(deps, scheduler_clients(deps.settings, deps.engine))
