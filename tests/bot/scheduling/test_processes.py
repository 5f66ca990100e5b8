"""Several scheduler processes against one database post each check-in exactly once.

Real processes (`python -m tests.support.tick_worker`), all released at the same instant, each
running one tick with the same `now`, posting to the fake Slack of this test process over
loopback. Runs on PostgreSQL (the production set-up) and on SQLite (one file, WAL).
"""

from __future__ import annotations

import subprocess
import sys
import threading

from slack_sdk import WebClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.app import build_client
from storage.database import transaction
from storage.models import ScheduledPost
from tests.support.fake_slack import FakeSlack
from tests.support.paths import REPO
from tests.support.scheduling import Clock, add_task, add_vendor, claims, make_deps, utc

PROJECT_ROOT = REPO
WORKERS = 3
CHANNELS = [f"C0VENDOR{n}" for n in range(6)]
NOW = "2026-12-01T09:00:30+00:00"


def database_location(engine: Engine) -> tuple[str, str]:
    """The URL and schema a separate process needs to open this test's database."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return url, ""
    with engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    return url, str(schema)


def run_workers(engine: Engine, slack: FakeSlack) -> list[str]:
    url, schema = database_location(engine)
    command = [sys.executable, "-m", "tests.support.tick_worker", url, schema, slack.api_url, NOW]
    workers = [
        subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    # Deadline for the whole run: a worker that hangs is killed, which ends the reads below.
    # Generous: three interpreters importing the bot on a loaded 2-CPU machine took over 60 s.
    watchdog = threading.Timer(180, lambda: [w.kill() for w in workers])
    watchdog.start()
    try:
        for worker in workers:  # each says `ready` once connected: a blocking read
            assert worker.stdout is not None
            line = worker.stdout.readline()
            assert line == "ready\n", (line, worker.communicate())
        outputs = [w.communicate("go\n") for w in workers]  # released together
    finally:
        watchdog.cancel()
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert [w.returncode for w in workers] == [0] * WORKERS, outputs
    return [out for out, _ in outputs]


def test_three_scheduler_processes_post_each_check_in_once(
    engine: Engine, slack: FakeSlack
) -> None:
    vendors = []
    for channel in CHANNELS:
        slack.add_channel(channel, channel.lower(), members=["U0BOT"])
        vendor = add_vendor(engine, channel)
        add_task(engine, vendor, f"Task for {channel}")
        vendors.append(vendor)
    # One vendor's claim was left behind by a process that died before posting.
    with transaction(engine) as session:
        session.add(
            ScheduledPost(
                vendor_id=vendors[0].saved_id,
                kind="checkin",
                occurrence="2026-12-01T09:00",
                state="claimed",
                claimed_by="crashed-host:1",
                claimed_at=utc("2026-12-01 08:45"),
                channel_id=CHANNELS[0],
            )
        )

    lines = run_workers(engine, slack)

    assert [len(slack.messages_in(channel)) for channel in CHANNELS] == [1] * len(CHANNELS)
    assert len(slack.calls_to("chat.postMessage")) == len(CHANNELS)
    posted = sum(int(line.split("posted ")[1].split()[0]) for line in lines if "posted" in line)
    assert posted == len(CHANNELS), lines
    assert {(p.state, p.occurrence) for p in claims(engine, "checkin")} == {
        ("sent", "2026-12-01T09:00")
    }
    assert len(claims(engine, "checkin")) == len(CHANNELS)

    # And the same tick once more, here: nothing new.
    client: WebClient = build_client(slack.bot_token, slack.api_url)
    assert not Clock(make_deps(engine), client).tick(utc("2026-12-01 09:00:30")).did_something
