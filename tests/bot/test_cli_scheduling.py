"""`python -m bot tick` and `python -m bot scheduler` as an operator runs them."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.database import make_engine, migrate
from tests.support.cli import bot_env, run_bot
from tests.support.fake_slack import FakeSlack
from tests.support.paths import REPO
from tests.support.scheduling import add_task, add_vendor
from tests.support.slack_requests import BOT_TOKEN


def prepared_database(
    tmp_path: Path, checkins: str, timezone: str = "Asia/Manila", workdays: str | None = None
) -> str:
    url = f"sqlite:///{tmp_path / 'checkins.db'}"
    engine = make_engine(url)
    migrate(engine)
    vendor = add_vendor(engine, timezone=timezone, checkins=checkins, workdays=workdays)
    add_task(engine, vendor, "Logo refresh")
    add_task(engine, vendor, "Brochure")
    engine.dispose()
    return url


def test_tick_posts_once_and_again_posts_nothing(tmp_path: Path) -> None:
    url = prepared_database(tmp_path, "weekdays@09:00")
    with FakeSlack() as slack:
        slack.add_channel("C0ACME", "acme-design", members=["U0BOT"])
        env = bot_env(SLACK_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=url, SLACK_API_URL=slack.api_url)
        # Tuesday 01:05 UTC is Tuesday 09:05 in Manila.
        first = run_bot(tmp_path, "tick", "--now", "2026-12-01T01:05:00Z", env=env)
        again = run_bot(tmp_path, "tick", "--now", "2026-12-01T01:05:00Z", env=env)
        posts = slack.calls_to("chat.postMessage")
    assert first.returncode == 0, first.stderr
    assert "posted 1 checkin" in first.stdout
    assert again.returncode == 0 and "nothing due" in again.stdout
    assert len(posts) == 1 and posts[0].params["channel"] == "C0ACME"
    tasks = [
        block["block_id"]
        for block in posts[0].params["blocks"]
        if block["type"] == "actions" and block["block_id"].startswith("task:")
    ]
    buttons = [
        element["text"]["text"]
        for block in posts[0].params["blocks"]
        if block["type"] == "actions" and block["block_id"] in (*tasks, "all")
        for element in block["elements"]
    ]
    assert buttons == ["On track", "At risk", "Blocked", "Done"] * 2 + ["All on track"]


def test_tick_without_slack_settings_is_one_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "tick", env=bot_env())
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "SLACK_BOT_TOKEN" in result.stderr


def test_scheduler_posts_a_due_checkin_and_stops_on_sigterm(tmp_path: Path) -> None:
    # A daily check-in one minute ago, in UTC, every day a working day (the test may run on
    # a weekend): the first tick, at start-up, posts it.
    slot = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%H:%M")
    url = prepared_database(tmp_path, f"daily@{slot}", timezone="UTC", workdays="daily")
    with FakeSlack() as slack:
        slack.add_channel("C0ACME", "acme-design", members=["U0BOT"])
        env = bot_env(SLACK_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=url, SLACK_API_URL=slack.api_url)
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "scheduler"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            slack.wait_for("chat.postMessage", timeout=20)
            # SIGTERM now, perhaps mid-tick: the scheduler waits for a running tick to
            # finish before it exits, so the tick's report is logged all the same.
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
        assert len(slack.calls_to("chat.postMessage")) == 1
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert "posted 1 checkin" in stderr  # the tick that was running ran to its end


def test_repo_has_the_clock_process() -> None:
    assert "clock: python -m bot scheduler" in (REPO / "Procfile").read_text()


def test_tick_with_slack_unreachable_fails_in_one_line_after_retries(tmp_path: Path) -> None:
    url = prepared_database(tmp_path, "weekdays@09:00")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        api_url = f"http://127.0.0.1:{probe.getsockname()[1]}/api/"
    env = bot_env(SLACK_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=url, SLACK_API_URL=api_url)
    result = run_bot(tmp_path, "tick", "--now", "2026-12-01T01:05:00Z", env=env)
    assert result.returncode == 1
    assert "retrying 1 checkin" in result.stdout
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: Slack did not take 1 post(s) after retries"), line
