"""The scheduler against an unreliable Slack: 200 vendors, a fifth of the posts refused at
random (HTTP 500/503, seeded), and every check-in still posted exactly once, none lost."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.app import build_client
from bot.scheduling import run_tick
from tests.support.fake_slack import FakeSlack
from tests.support.scheduling import add_task, add_vendor, claims, make_deps, utc

VENDORS = 200


def test_a_fifth_of_posts_failing_loses_and_doubles_nothing(
    engine: Engine, slack: FakeSlack
) -> None:
    channels = [f"C{n:05d}" for n in range(VENDORS)]
    for channel in channels:
        slack.add_channel(channel, channel.lower(), members=["U0BOT"])
        vendor = add_vendor(engine, channel, checkins="daily@09:00", workdays="daily")
        add_task(engine, vendor, f"Task for {channel}")
    slack.fail_randomly(0.2, seed=20261201, statuses=(500, 503))
    client = build_client("xoxb-test-token", slack.api_url)
    deps = make_deps(engine)

    # Ticks a minute apart, as the loop would run them, until nothing is left to do.
    now = utc("2026-12-01 09:00")
    for _ in range(10):
        run_tick(deps, client, now)
        if len(claims(engine, "checkin", "sent")) == VENDORS:
            break
        now += timedelta(minutes=11)  # past the lease, so released claims are retried

    posted = Counter(call.params["channel"] for call in slack.calls_to("chat.postMessage"))
    delivered = Counter(channel for channel in channels for _ in slack.messages_in(channel))
    assert slack.random_failures > VENDORS * 0.1  # the faults really happened
    assert sorted(delivered) == sorted(channels)  # none lost
    assert max(delivered.values()) == 1  # none doubled
    assert sum(posted.values()) == VENDORS + slack.random_failures  # each refusal retried once
    assert len(claims(engine, "checkin", "sent")) == VENDORS
