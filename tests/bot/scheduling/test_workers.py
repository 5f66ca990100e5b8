"""A tick serves vendors on SCHEDULER_WORKERS threads: still each check-in once, every post
counted, a 429 in one channel holding up no other, and one worker meaning one at a time.
No timed assertions: the order of arrival at the fake Slack says what overlapped."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.app import build_client
from bot.config import MissingSettingError, Settings, VendorDefaults, load_settings
from bot.deps import Deps
from bot.scheduling import rate_limits as scheduler
from bot.scheduling import run_tick
from tests.support.fake_slack import FakeSlack
from tests.support.scheduling import add_task, add_vendor, claims, utc

CHANNELS = [f"C0VENDOR{n:02d}" for n in range(12)]


def deps_with(engine: Engine, workers: int) -> Deps:
    return Deps(
        settings=Settings(scheduler_workers=workers),
        engine=engine,
        vendor_defaults=VendorDefaults(),
    )


@pytest.fixture
def vendors(engine: Engine, slack: FakeSlack) -> list[str]:
    for channel in CHANNELS:
        slack.add_channel(channel, channel.lower(), members=["U0BOT", "U0VENDOR"])
        vendor = add_vendor(engine, channel)
        add_task(engine, vendor, f"Report for {channel}")
    return CHANNELS


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return build_client(slack.bot_token, slack.api_url)


def posted_channels(slack: FakeSlack) -> list[str]:
    return [call.params["channel"] for call in slack.calls_to("chat.postMessage")]


@pytest.mark.parametrize("workers", [1, 4])
def test_each_vendor_gets_one_checkin_and_the_report_counts_them_all(
    engine: Engine, slack: FakeSlack, client: WebClient, vendors: list[str], workers: int
) -> None:
    deps = deps_with(engine, workers)
    report = run_tick(deps, client, utc("2026-12-01 09:00:30"))
    again = run_tick(deps, client, utc("2026-12-01 09:01:00"))

    assert report.posted == {"checkin": len(vendors)}
    assert not again.posted and not again.retrying
    assert sorted(posted_channels(slack)) == sorted(vendors)
    assert len(claims(engine, "checkin", "sent")) == len(vendors)


def test_one_worker_serves_vendors_one_after_another_in_order(
    engine: Engine, slack: FakeSlack, client: WebClient, vendors: list[str]
) -> None:
    run_tick(deps_with(engine, 1), client, utc("2026-12-01 09:00:30"))
    assert posted_channels(slack) == vendors


def test_a_rate_limited_channel_does_not_hold_up_the_others(
    engine: Engine, slack: FakeSlack, client: WebClient, vendors: list[str], monkeypatch: Any
) -> None:
    # The first post is refused with Retry-After: 1; its worker waits and retries it while
    # the other workers post for the remaining vendors. Its wait ends when every other
    # vendor's check-in has reached Slack rather than after a second of the clock (on a
    # loaded machine the others took longer than that, and the test failed): were the
    # others held up behind the refused post, that would never happen, the wait would fail
    # and so would the refused vendor's check-in.
    def wait_for_the_others(_seconds: float) -> None:
        slack.wait_for("chat.postMessage", count=len(vendors), timeout=30)

    monkeypatch.setattr(scheduler, "sleep", wait_for_the_others)
    slack.rate_limit_next("chat.postMessage", retry_after=1)
    report = run_tick(deps_with(engine, 4), client, utc("2026-12-01 09:00:30"))

    channels = posted_channels(slack)
    refused = channels[0]
    assert report.posted == {"checkin": len(vendors)}
    assert channels.count(refused) == 2  # refused, then accepted
    assert channels[-1] == refused  # everyone else went first
    assert sorted(set(channels)) == sorted(vendors)


def test_the_workers_wait_out_more_refusals_than_a_listener_would(
    engine: Engine, slack: FakeSlack, client: WebClient, vendors: list[str]
) -> None:
    # Five refusals (Retry-After: 0) shared by two workers, however they fall: the client's
    # own handler would give up after three on one post; the tick's workers do not.
    slack.rate_limit_next("chat.postMessage", retry_after=0, times=5)
    report = run_tick(deps_with(engine, 2), client, utc("2026-12-01 09:00:30"))
    assert report.posted == {"checkin": len(vendors)}
    assert not report.retrying
    assert len(slack.calls_to("chat.postMessage")) == len(vendors) + 5


def test_a_post_refused_for_too_long_is_given_back_as_before(
    engine: Engine,
    slack: FakeSlack,
    client: WebClient,
    vendors: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scheduler, "RATE_LIMIT_WAIT", timedelta(seconds=1.5))
    # One post a second per channel on a clock that stands still: the first vendor's
    # channel has used its post up, so every try there is refused with Retry-After: 1.
    slack.enforce_rate_limits(per_channel=1.0, clock=lambda: 0.0)
    WebClient(base_url=slack.api_url, token=slack.bot_token).chat_postMessage(
        channel=vendors[0], text="posted earlier"
    )
    report = run_tick(deps_with(engine, 4), client, utc("2026-12-01 09:00:30"))
    assert report.posted == {"checkin": len(vendors) - 1}
    assert report.retrying == {"checkin": 1}
    assert len(slack.rate_limited) == 2  # refused, waited 1 s, refused: over 1.5 s

    slack.enforce_rate_limits(None, None)
    later = run_tick(deps_with(engine, 4), client, utc("2026-12-01 09:01:00"))
    assert later.posted == {"checkin": 1}
    assert len(claims(engine, "checkin", "sent")) == len(vendors)


@pytest.mark.parametrize(("value", "expected"), [(None, 8), ("1", 1), ("16", 16), (" 4 ", 4)])
def test_scheduler_workers_setting(tmp_path: Path, value: str | None, expected: int) -> None:
    environ = {} if value is None else {"SCHEDULER_WORKERS": value}
    assert load_settings(environ, dotenv_path=tmp_path / ".env").scheduler_workers == expected


@pytest.mark.parametrize("value", ["0", "-2", "many", "33"])
def test_a_bad_scheduler_workers_setting_is_named(tmp_path: Path, value: str) -> None:
    with pytest.raises(MissingSettingError, match="SCHEDULER_WORKERS"):
        load_settings({"SCHEDULER_WORKERS": value}, dotenv_path=tmp_path / ".env").check(
            "SCHEDULER_WORKERS"
        )
