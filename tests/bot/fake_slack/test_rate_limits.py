"""The fake Slack's posting limits: one post a second per channel and a workspace-wide rate,
answered as Slack answers (HTTP 429, Retry-After in whole seconds), through the real
slack_sdk client. Time is a test-controlled clock, so nothing here sleeps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.support.fake_slack import FakeSlack


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        for n in range(5):
            f.add_channel(f"C0CHAN{n}", f"chan-{n}")
            f.add_bot_to(f"C0CHAN{n}")
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    # No retry handlers: the test sees each 429 itself.
    return WebClient(base_url=fake.api_url, token=fake.bot_token)


def post(client: WebClient, channel: str) -> tuple[int, str | None, str | None]:
    """(HTTP status, Retry-After, error) of one chat.postMessage."""
    try:
        response = client.chat_postMessage(channel=channel, text="hello")
    except SlackApiError as error:
        headers = {k.lower(): v for k, v in error.response.headers.items()}
        retry_after = headers.get("retry-after")
        if isinstance(retry_after, list):
            retry_after = retry_after[0]
        return error.response.status_code, retry_after, error.response.get("error")
    return response.status_code, None, None


def test_one_post_a_second_per_channel(fake: FakeSlack, client: WebClient, clock: Clock) -> None:
    fake.enforce_rate_limits(per_channel=1.0, clock=clock)
    assert post(client, "C0CHAN0") == (200, None, None)
    assert post(client, "C0CHAN0") == (429, "1", "ratelimited")
    assert post(client, "C0CHAN1") == (200, None, None)  # another channel has its own budget
    clock.advance(0.5)
    assert post(client, "C0CHAN0")[0] == 429
    clock.advance(0.5)
    assert post(client, "C0CHAN0") == (200, None, None)
    # Refused posts were recorded as calls but stored nothing.
    assert len(fake.messages_in("C0CHAN0")) == 2
    assert len(fake.rate_limited) == 2
    assert len(fake.calls_to("chat.postMessage")) == 5


def test_the_workspace_rate_covers_all_channels(
    fake: FakeSlack, client: WebClient, clock: Clock
) -> None:
    fake.enforce_rate_limits(per_channel=None, workspace=2.0, workspace_burst=2, clock=clock)
    assert [post(client, f"C0CHAN{n}")[0] for n in range(3)] == [200, 200, 429]
    clock.advance(0.5)  # one token back
    assert [post(client, f"C0CHAN{n}")[0] for n in range(3, 5)] == [200, 429]
    total = sum(len(fake.messages_in(f"C0CHAN{n}")) for n in range(5))
    assert total == 3


def test_retry_after_is_whole_seconds_until_a_post_is_allowed(
    fake: FakeSlack, client: WebClient, clock: Clock
) -> None:
    fake.enforce_rate_limits(per_channel=0.25, clock=clock)  # one post every 4 s
    assert post(client, "C0CHAN0")[0] == 200
    clock.advance(1.2)
    assert post(client, "C0CHAN0")[:2] == (429, "3")  # 2.8 s to go, rounded up


def test_a_refused_post_uses_up_no_budget(fake: FakeSlack, client: WebClient, clock: Clock) -> None:
    fake.enforce_rate_limits(per_channel=1.0, workspace=1.0, clock=clock)
    assert post(client, "C0CHAN0")[0] == 200
    # The workspace refuses this one: channel 1's own budget must stay untouched.
    assert post(client, "C0CHAN1")[0] == 429
    clock.advance(1.0)
    assert post(client, "C0CHAN1")[0] == 200


def test_other_methods_and_turning_limits_off(
    fake: FakeSlack, client: WebClient, clock: Clock
) -> None:
    fake.enforce_rate_limits(per_channel=1.0, clock=clock)
    first = client.chat_postMessage(channel="C0CHAN0", text="a")
    for _ in range(3):
        client.chat_update(channel="C0CHAN0", ts=first["ts"], text="b")  # not limited
    fake.enforce_rate_limits(None, None)
    assert [post(client, "C0CHAN0")[0] for _ in range(3)] == [200, 200, 200]
    assert fake.rate_limited == []


def test_constructor_arguments_and_slack_sdk_retrying() -> None:
    """The production client's RateLimitErrorRetryHandler waits Retry-After and gets through."""
    from bot.app import build_client

    with FakeSlack(post_rate_per_channel=1.0, workspace_rate=100.0) as fake:
        fake.add_channel("C0CHAN0", "chan-0")
        fake.add_bot_to("C0CHAN0")
        client = build_client(fake.bot_token, fake.api_url)
        client.chat_postMessage(channel="C0CHAN0", text="one")
        client.chat_postMessage(channel="C0CHAN0", text="two")  # 429, then retried after 1-2 s
    assert [m["text"] for m in fake.messages_in("C0CHAN0")] == ["one", "two"]
    assert len(fake.rate_limited) >= 1


def test_bad_rates_are_refused(fake: FakeSlack) -> None:
    with pytest.raises(ValueError):
        fake.enforce_rate_limits(per_channel=0)
