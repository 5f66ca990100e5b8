"""Socket Mode: the same app, with Slack's requests arriving over the fake's WebSocket.

In process with SocketModeHandler (SQLite and PostgreSQL), and end to end with
`python -m bot run` in a subprocess when SLACK_APP_TOKEN is set.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.console.transport import TrackingExecutor, track_listeners
from storage.models import Vendor
from tests.support.fake_slack import FakeSlack
from tests.support.paths import REPO
from tests.support.slack_requests import BOT_TOKEN, TEAM_ID, make_deps
from tests.support.socket_mode_commands import APP_TOKEN, command_payload, reply_to


@dataclass
class SocketApp:
    handler: SocketModeHandler
    listeners: TrackingExecutor


@pytest.fixture
def socket_app(engine: Engine, slack: FakeSlack) -> Iterator[SocketApp]:
    from bot.app import build_app

    app = build_app(make_deps(engine, slack))
    listeners = track_listeners(app)  # to wait for the listener the ack leaves running
    handler = SocketModeHandler(app, app_token=APP_TOKEN)
    handler.connect()
    try:
        yield SocketApp(handler, listeners)
    finally:
        handler.close()


def test_a_slash_command_over_the_socket_adds_a_vendor(
    socket_app: SocketApp, slack: FakeSlack, engine: Engine
) -> None:
    key = uuid.uuid4().hex
    ack = slack.socket_send(
        "slash_commands", command_payload(slack, "vendor add <#C0ACME|acme-design>", key)
    )
    assert "envelope_id" in ack
    assert socket_app.listeners.wait_idle(30), "the listener was still running after 30 s"
    reply = reply_to(slack, key)
    assert "Added vendor" in reply
    [opened] = slack.calls_to("apps.connections.open")
    assert opened.token == APP_TOKEN
    with Session(engine) as session:
        [vendor] = session.exec(select(Vendor)).all()
    assert (vendor.channel_id, vendor.team_id, vendor.added_by) == ("C0ACME", TEAM_ID, "U0ALICE")


def test_python_m_bot_run_uses_socket_mode_when_an_app_token_is_set(tmp_path: Path) -> None:
    with FakeSlack() as fake:
        fake.add_user("U0ALICE", "alice")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(REPO),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,  # no signing secret: Socket Mode does not need one
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'checkins.db'}",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            fake.wait_for("apps.connections.open", timeout=15)
            key = uuid.uuid4().hex
            fake.socket_send("slash_commands", command_payload(fake, "help", key), timeout=10)
            fake.wait_for_responses(1, timeout=10)  # the bot's process posts it after the ack
            assert "/delegate list" in reply_to(fake, key)
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=10)
            assert process.returncode == 0, stderr
            assert "Traceback" not in stderr
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
