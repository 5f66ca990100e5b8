"""Spend: the internal digest's spend per vendor to the cent, never in a vendor's channel,
and budget alerts at 80 % and 100 %, each once a month, tick by tick. Real WebClient
against the fake Slack, SQLite and PostgreSQL, time passed in as `now`."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.app import build_client
from bot.config import Settings, VendorDefaults
from bot.deps import Deps
from storage.models import TaskStatus, Vendor
from tests.support.fake_slack import FakeSlack
from tests.support.lifecycle_support import MONEY, set_cost, vendor_channel_text
from tests.support.scheduling import Clock, add_vendor, claims, get_vendor, update_vendor
from tests.support.slack_requests import rendered
from tests.support.summary_support import close, deliver, task

DIGEST = "C0DIGEST"
# Friday 4 Dec 2026: the digest and the summaries go out at 16:00 (UTC here).
FRIDAY_4PM = "2026-12-04 16:00"


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    slack.add_channel(DIGEST, "vendor-digest", members=["U0BOT", "U0ALICE"])
    slack.add_channel("C0GLOBEX", "globex", members=["U0BOT", "U0VENDOR"])
    slack.add_channel("C0INITECH", "initech", members=["U0BOT", "U0VENDOR"])
    return build_client(slack.bot_token, slack.api_url)


@pytest.fixture
def clock(engine: Engine, client: WebClient) -> Clock:
    settings = Settings(summary_channel=DIGEST, default_timezone="UTC")
    return Clock(Deps(settings=settings, engine=engine, vendor_defaults=VendorDefaults()), client)


def costed(engine: Engine, vendor: Vendor, title: str, minor: int, closed: str | None) -> None:
    """A task costing `minor`, done at `closed` (UTC), or left open."""
    item = task(engine, vendor, title)
    set_cost(engine, item, minor)
    if closed is not None:
        close(engine, item, closed)


def money_vendor(
    engine: Engine, channel: str, currency: str, budget: int | None, added_by: str = "U0ALICE"
) -> Vendor:
    vendor = add_vendor(engine, channel, added_by=added_by)
    update_vendor(
        engine, vendor, currency=currency, monthly_budget_minor=budget, name=channel[2:].title()
    )
    return vendor


def test_the_digest_shows_spend_to_the_cent_and_vendor_channels_never_do(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    acme = money_vendor(engine, "C0ACME", "EUR", 200_000)
    globex = money_vendor(engine, "C0GLOBEX", "JPY", None)
    initech = money_vendor(engine, "C0INITECH", "USD", None)
    costed(engine, acme, "November work", 100_000, "2026-11-20 10:00")  # to date only
    costed(engine, acme, "Monday", 10_005, "2026-11-30 10:00")  # this week, November
    costed(engine, acme, "Ten cents", 10, "2026-12-01 10:00")
    costed(engine, acme, "Twenty cents", 20, "2026-12-02 10:00")
    costed(engine, acme, "Thursday", 65_025, "2026-12-03 10:00")
    costed(engine, acme, "Still open", 50_000, None)  # not spend until done
    cancelled = task(engine, acme, "Cancelled")
    set_cost(engine, cancelled, 30_000)
    close(engine, cancelled, "2026-12-02 10:00", status=TaskStatus.CANCELLED)  # never spend
    waiting = task(engine, acme, "Delivered, not accepted")
    set_cost(engine, waiting, 70_000)
    deliver(engine, waiting, "2026-12-03 10:00")
    costed(engine, globex, "Yen", 45_000, "2026-12-02 10:00")
    task(engine, initech, "No money here")

    report = clock.tick(FRIDAY_4PM)

    assert report.posted["digest"] == 1 and report.posted["summary"] == 3
    [digest] = slack.messages_in(DIGEST)
    text = rendered(digest)
    # 100.05 + 0.10 + 0.20 + 650.25 this week; December leaves out Monday 30 Nov.
    assert (
        "spend this week EUR 750.60 · December 2026 EUR 650.55 of EUR 2,000.00 (32%) · "
        "to date EUR 1,750.60"
    ) in text
    assert "spend this week JPY 45,000 · December 2026 JPY 45,000 · to date JPY 45,000" in text
    initech_row = text[text.index("*Initech*") :]
    assert "spend" not in initech_row.split("\n_")[0]
    for channel in ("C0ACME", "C0GLOBEX", "C0INITECH"):
        shown = vendor_channel_text(slack, channel)
        assert "Weekly summary" in shown
        assert MONEY.findall(shown) == [], channel
        assert "spend" not in shown.lower() and "budget" not in shown.lower()
        assert "EUR" not in shown and "JPY" not in shown


def test_no_spend_in_a_digest_sent_to_a_vendors_channel(
    engine: Engine, slack: FakeSlack, client: WebClient
) -> None:
    acme = money_vendor(engine, "C0ACME", "EUR", 200_000)
    costed(engine, acme, "Thursday", 65_025, "2026-12-03 10:00")
    settings = Settings(summary_channel="C0ACME", default_timezone="UTC")  # misconfigured
    clock = Clock(Deps(settings=settings, engine=engine, vendor_defaults=VendorDefaults()), client)

    clock.tick(FRIDAY_4PM)

    shown = vendor_channel_text(slack, "C0ACME")
    assert "Vendor digest" in shown
    assert MONEY.findall(shown) == [] and "spend" not in shown.lower()


def alerts(slack: FakeSlack, channel: str = "DU0ALICE") -> list[str]:
    return [rendered(m) for m in slack.messages_in(channel) if "monthly budget" in rendered(m)]


def test_budget_alerts_at_80_and_100_percent_once_each_per_month(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    acme = money_vendor(engine, "C0ACME", "EUR", 100_000)
    costed(engine, acme, "Half", 50_000, "2026-12-02 10:00")
    assert clock.tick("2026-12-02 11:00").posted["budget_alert"] == 0  # 50%

    costed(engine, acme, "Up to 80", 30_000, "2026-12-03 10:00")  # 800.00: 80% exactly
    first = clock.tick("2026-12-03 11:00")
    again = clock.tick("2026-12-03 11:01")
    assert first.posted["budget_alert"] == 1 and again.posted["budget_alert"] == 0
    assert len(alerts(slack)) == 1
    assert (
        "*Acme* (<#C0ACME>) has used 80% of its monthly budget: EUR 800.00 of EUR 1,000.00 "
        "in December 2026 (80%)"
    ) in alerts(slack)[0]

    costed(engine, acme, "Nearly", 19_999, "2026-12-10 10:00")  # 999.99
    assert clock.tick("2026-12-10 11:00").posted["budget_alert"] == 0
    costed(engine, acme, "One cent", 1, "2026-12-11 10:00")  # 1,000.00: 100%
    assert clock.tick("2026-12-11 11:00").posted["budget_alert"] == 1
    assert clock.tick("2026-12-11 11:30").posted["budget_alert"] == 0
    assert (
        "*Acme* (<#C0ACME>) has reached its monthly budget: EUR 1,000.00 of EUR 1,000.00 in "
        "December 2026 (100%)"
    ) in alerts(slack)[1]
    costed(engine, acme, "Over", 500_000, "2026-12-20 10:00")
    assert clock.tick("2026-12-20 11:00").posted["budget_alert"] == 0  # once a month

    costed(engine, acme, "January", 85_000, "2027-01-05 10:00")
    assert clock.tick("2027-01-05 11:00").posted["budget_alert"] == 1
    assert "EUR 850.00 of EUR 1,000.00 in January 2027 (85%)" in alerts(slack)[2]
    assert [(c.occurrence, c.state, c.channel_id) for c in claims(engine, "budget_alert")] == [
        ("2026-12@80", "sent", "U0ALICE"),
        ("2026-12@100", "sent", "U0ALICE"),
        ("2027-01@80", "sent", "U0ALICE"),
    ]
    assert MONEY.findall(vendor_channel_text(slack)) == []


def test_crossing_both_thresholds_at_once_sends_one_alert(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    globex = money_vendor(engine, "C0GLOBEX", "JPY", 100_000, added_by="U0BOB")
    costed(engine, globex, "Big job", 120_000, "2026-12-02 10:00")

    report = clock.tick("2026-12-02 11:00")
    again = clock.tick("2026-12-02 12:00")

    assert report.posted["budget_alert"] == 1 and report.skipped["budget_alert"] == 1
    assert not again.posted["budget_alert"]
    [alert] = alerts(slack, "DU0BOB")  # whoever added the vendor
    assert "has reached its monthly budget: JPY 120,000 of JPY 100,000" in alert
    assert "(120%)" in alert
    assert alerts(slack) == []  # the task owner is not the vendor's owner
    assert [(c.occurrence, c.state, c.detail) for c in claims(engine, "budget_alert")] == [
        ("2026-12@100", "sent", None),
        ("2026-12@80", "skipped", "crossed together with 100%"),
    ]


def test_a_refused_alert_is_retried_and_pauses_nobody(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    acme = money_vendor(engine, "C0ACME", "EUR", 100_000)
    costed(engine, acme, "All of it", 100_000, "2026-12-02 10:00")
    slack.fail_next("chat.postMessage", status=500, times=3)

    failed = clock.tick("2026-12-02 11:00")
    retried = clock.tick("2026-12-02 11:01")

    assert failed.retrying["budget_alert"] == 1
    assert retried.posted["budget_alert"] == 1
    assert len(alerts(slack)) == 1
    assert get_vendor(engine, acme).paused is False
