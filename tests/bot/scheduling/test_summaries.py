"""Weekly summaries, feedback prompts and the team digest, tick by tick: real WebClient
against the fake Slack, real database (SQLite and PostgreSQL), time passed in as `now`."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.app import build_client
from bot.config import Settings, VendorDefaults
from bot.deps import Deps
from storage import holidays
from storage.database import transaction
from storage.models import TeamPost
from tests.support.fake_slack import FakeSlack
from tests.support.scheduling import Clock, add_vendor, claims, get_vendor, update_vendor, utc
from tests.support.slack_requests import rendered
from tests.support.summary_support import (
    checkin,
    close,
    deliver,
    prompt,
    reply,
    status,
    task,
    vendor_said,
)

# Friday 4 Dec 2026: summaries default to fri@16:00 in the vendor's zone (UTC here).
FRIDAY_4PM = "2026-12-04 16:00"


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return build_client(slack.bot_token, slack.api_url)


def deps_for(engine: Engine, summary_channel: str | None = None) -> Deps:
    return Deps(
        settings=Settings(summary_channel=summary_channel, default_timezone="UTC"),
        engine=engine,
        vendor_defaults=VendorDefaults(),
    )


@pytest.fixture
def clock(engine: Engine, client: WebClient) -> Clock:
    return Clock(deps_for(engine), client)


def open_channel(slack: FakeSlack, channel_id: str) -> None:
    slack.add_channel(channel_id, channel_id.lower(), members=["U0BOT", "U0VENDOR"])


def top_level(slack: FakeSlack, channel_id: str) -> list[dict[str, Any]]:
    return [m for m in slack.messages_in(channel_id) if m["thread_ts"] in (None, m["ts"])]


def thread_of(slack: FakeSlack, channel_id: str, ts: str) -> list[dict[str, Any]]:
    return [m for m in slack.messages_in(channel_id) if m["ts"] != ts == m["thread_ts"]]


def summaries_in(slack: FakeSlack, channel_id: str) -> list[dict[str, Any]]:
    return [m for m in top_level(slack, channel_id) if m["text"].startswith("Weekly summary")]


def test_summary_is_posted_once_with_overdue_and_blocked_tasks_in_its_thread(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    done = task(engine, vendor, "Logo", due="2026-12-03")
    close(engine, done, "2026-12-02 10:00")
    task(engine, vendor, "Website <!channel>", due="2026-12-01", owner="U0BOB")
    banner = task(engine, vendor, "Banner", due="2026-12-20")
    status(engine, banner, "blocked", "2026-12-03 10:00")

    report = clock.tick(FRIDAY_4PM)
    again = clock.tick(FRIDAY_4PM)
    clock.tick("2026-12-04 16:05")

    assert report.posted == {"summary": 1, "feedback_prompt": 1}
    assert not again.did_something
    [summary] = summaries_in(slack, "C0ACME")
    text = rendered(summary)
    assert "Weekly summary for c0acme" in text
    assert "Fri 27 Nov 16:00 to Fri 4 Dec 2026 16:00" in text
    # An alignment note: what was delivered (with thanks), what is due, what is stuck.
    assert "*Delivered since the last summary*: thank you!\n• *#1* Logo" in text
    assert "*Due in the next 7 days*\n• *#2* Website &lt;!channel&gt; · due Tue 1 Dec" in text
    assert "*Blocked or at risk*" in text and "*#3* Banner · :red_circle: blocked" in text
    # Rates and trends stay internal (figures:off by default), and nobody is mentioned.
    assert "Completed" not in text and "Check-ins answered" not in text and "<@" not in text
    [thread] = thread_of(slack, "C0ACME", summary["ts"])
    listed = rendered(thread)
    assert "*Blocked* (1)" in listed and "Banner" in listed and "owner <@U0ALICE>" in listed
    assert "*Overdue* (1)" in listed and "owner <@U0BOB>" in listed
    assert "Website &lt;!channel&gt;" in listed and "<!channel>" not in listed
    [post] = claims(engine, "summary")
    assert (post.occurrence, post.state, post.message_ts) == (
        "2026-12-04T16:00",
        "sent",
        summary["ts"],
    )


def test_each_vendor_channel_gets_only_its_own_data(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    open_channel(slack, "C0GLOBEX")
    acme = add_vendor(engine)
    globex = add_vendor(engine, "C0GLOBEX", timezone="Asia/Manila")
    for number in range(3):
        close(engine, task(engine, acme, f"Acme job {number}"), "2026-12-02 10:00")
    task(engine, acme, "Acme late job", due="2026-11-30")
    task(engine, globex, "Globex blocked job", due="2026-12-30")
    status(engine, task(engine, globex, "Globex stuck"), "blocked", "2026-12-03 01:00")
    checkin(engine, globex, "2026-12-02 01:00")

    clock.tick("2026-12-04 08:00")  # Friday 16:00 in Manila
    clock.tick(FRIDAY_4PM)

    [acme_summary] = summaries_in(slack, "C0ACME")
    [globex_summary] = summaries_in(slack, "C0GLOBEX")
    [acme_thread] = thread_of(slack, "C0ACME", acme_summary["ts"])
    [globex_thread] = thread_of(slack, "C0GLOBEX", globex_summary["ts"])
    acme_text = rendered(acme_summary) + rendered(acme_thread)
    globex_text = rendered(globex_summary) + rendered(globex_thread)
    assert "Acme job 0" in acme_text and "Acme job 2" in acme_text
    assert "Acme late job" in acme_text
    assert "Globex" not in acme_text and "c0globex" not in acme_text
    assert "Delivered since the last summary*: nothing this time" in globex_text
    assert "Globex stuck" in globex_text and "Acme" not in globex_text


def test_nothing_to_report_is_skipped_and_so_is_the_prompt(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    old = task(engine, vendor, "Long done")
    close(engine, old, "2026-10-01 10:00")

    report = clock.tick(FRIDAY_4PM)

    assert slack.calls_to("chat.postMessage") == []
    assert (report.skipped["summary"], report.skipped["feedback_prompt"]) == (1, 1)
    weekly = [p for p in claims(engine) if p.kind in ("summary", "feedback_prompt")]
    assert [(p.kind, p.occurrence, p.state, p.detail) for p in weekly] == [
        ("summary", "2026-12-04T16:00", "skipped", "nothing to report"),
        ("feedback_prompt", "2026-12-04T16:00", "skipped", "no recent tasks"),
    ]


def test_no_summary_or_prompt_on_a_day_off(engine: Engine, slack: FakeSlack, clock: Clock) -> None:
    vendor = add_vendor(engine)
    task(engine, vendor, "Payroll export")
    with transaction(engine) as session:
        holidays.add_holidays(session, vendor.saved_id, [date(2026, 12, 4)])
    open_channel(slack, "C0GULF")
    gulf = add_vendor(engine, "C0GULF", workdays="sun-thu")  # Friday is its weekend
    task(engine, gulf, "Translations")

    report = clock.tick(FRIDAY_4PM)

    assert report.posted == {} and slack.calls_to("chat.postMessage") == []
    assert claims(engine, "summary") == [] and claims(engine, "feedback_prompt") == []


def test_feedback_prompt_on_its_own_cadence(engine: Engine, slack: FakeSlack, clock: Clock) -> None:
    vendor = add_vendor(engine)
    update_vendor(engine, vendor, feedback_cadence="mon@10:00")
    task(engine, vendor, "Payroll export")

    friday = clock.tick(FRIDAY_4PM)
    monday = clock.tick("2026-12-07 10:00")

    assert friday.posted == {"summary": 1}
    assert monday.posted == {"checkin": 1, "feedback_prompt": 1}
    asked = [m for m in top_level(slack, "C0ACME") if "quick question" in m["text"]]
    assert len(asked) == 1 and "what is blocking you" in asked[0]["text"]
    [post] = claims(engine, "feedback_prompt", "sent")
    assert (post.occurrence, post.state, post.message_ts) == (
        "2026-12-07T10:00",
        "sent",
        asked[0]["ts"],
    )


def test_summary_cadence_follows_the_vendors_time_zone(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine, timezone="America/New_York")
    update_vendor(engine, vendor, summary_cadence="fri@17:30")
    task(engine, vendor, "Quarterly report")

    assert "summary" not in clock.tick("2026-12-04 17:30").posted  # 12:30 in New York
    evening = clock.tick("2026-12-04 22:30")

    assert (evening.posted["summary"], evening.posted["feedback_prompt"]) == (1, 1)
    [post] = claims(engine, "summary", "sent")
    assert post.occurrence == "2026-12-04T17:30"


def test_an_unreachable_channel_pauses_the_vendor_once(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine, "C0OLD", checkins="sat@09:00", workdays="daily")
    task(engine, vendor, "Payroll export")

    report = clock.tick(FRIDAY_4PM)

    assert report.failed == {"summary": 1} and claims(engine, "feedback_prompt") == []
    assert get_vendor(engine, vendor).pause_reason == "unreachable: is_archived"


# --------------------------------------------------------------------------- the digest


def test_digest_lists_every_vendor_and_what_they_told_us_once(
    engine: Engine, slack: FakeSlack, client: WebClient
) -> None:
    slack.add_channel("C0DIGEST", "vendor-digest", members=["U0BOT", "U0ALICE"])
    open_channel(slack, "C0GLOBEX")
    acme = add_vendor(engine)
    globex = add_vendor(engine, "C0GLOBEX", timezone="Asia/Manila")
    update_vendor(engine, globex, name="Globex & Sons")
    for number in range(3):
        task(engine, acme, f"Acme overdue {number}", due="2026-11-30")
    close(engine, task(engine, globex, "Globex job", due="2026-12-10"), "2026-12-02 10:00")
    asked = checkin(engine, globex, "2026-12-01 01:00")
    reply(engine, asked, "2026-12-01 01:45")
    said = prompt(engine, globex, "2026-11-27 08:00")
    vendor_said(engine, said, "2026-12-01 03:00", "We need the <!here> brand fonts")
    vendor_said(engine, said, "2026-11-25 03:00", "Last week's remark")
    clock = Clock(deps_for(engine, summary_channel="C0DIGEST"), client)

    early = clock.tick("2026-12-04 15:59")
    report = clock.tick(FRIDAY_4PM)
    again = clock.tick("2026-12-04 16:30")

    assert "digest" not in early.posted
    assert report.posted["digest"] == 1 and "digest" not in again.posted
    [digest] = slack.messages_in("C0DIGEST")
    text = rendered(digest)
    assert "Vendor digest" in text and "Fri 27 Nov 16:00 to Fri 4 Dec 2026 16:00" in text
    assert ":red_circle: *c0acme* <#C0ACME>" in text and "overdue 3" in text
    assert ":large_green_circle: *Globex &amp; Sons* <#C0GLOBEX>" in text
    assert "completed 1 (+1) (0 late)" in text and "answered 1/1 (100%)" in text
    assert "median 45 min" in text
    assert "We need the &lt;!here&gt; brand fonts" in text and "<!here>" not in text
    assert "Last week's remark" not in text
    with transaction(engine) as session:
        # Last Friday's, missed (the first tick came days later), then this one.
        skipped, post = session.exec(select(TeamPost).order_by(col(TeamPost.id))).all()
    assert (skipped.occurrence, skipped.state) == ("2026-11-27T16:00", "skipped")
    assert (post.team_id, post.kind, post.occurrence, post.state, post.message_ts) == (
        "T0TEAM",
        "digest",
        "2026-12-04T16:00",
        "sent",
        digest["ts"],
    )


def test_no_digest_without_a_summary_channel(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    task(engine, add_vendor(engine), "Payroll export")

    report = clock.tick(FRIDAY_4PM)

    assert "digest" not in report.posted
    with transaction(engine) as session:
        assert session.exec(select(TeamPost)).all() == []


def test_a_digest_slack_refuses_is_logged_and_marked_failed(
    engine: Engine, slack: FakeSlack, client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    slack.add_channel("C0PRIVATE", "leads", is_private=True, members=["U0ALICE"])
    task(engine, add_vendor(engine), "Payroll export")
    clock = Clock(deps_for(engine, summary_channel="C0PRIVATE"), client)

    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        report = clock.tick(FRIDAY_4PM)
        later = clock.tick("2026-12-04 16:30")

    assert report.failed == {"digest": 1} and "digest" not in later.failed
    assert "SUMMARY_CHANNEL C0PRIVATE" in caplog.text
    with transaction(engine) as session:
        [post] = session.exec(select(TeamPost)).all()
    assert (post.state, post.detail) == ("failed", "not_in_channel")


def test_a_digest_missed_by_more_than_the_grace_window_is_skipped(
    engine: Engine, slack: FakeSlack, client: WebClient
) -> None:
    slack.add_channel("C0DIGEST", "vendor-digest", members=["U0BOT"])
    task(engine, add_vendor(engine), "Payroll export")
    clock = Clock(deps_for(engine, summary_channel="C0DIGEST"), client)

    report = clock.tick("2026-12-05 09:00")

    assert report.skipped["digest"] == 1 and slack.messages_in("C0DIGEST") == []


def test_a_transient_failure_retries_the_digest_at_the_next_tick(
    engine: Engine, slack: FakeSlack, client: WebClient
) -> None:
    slack.add_channel("C0DIGEST", "vendor-digest", members=["U0BOT"])
    vendor = add_vendor(engine, checkins="sat@09:00")
    update_vendor(engine, vendor, summary_cadence="thu@16:00")  # nothing else on Friday
    task(engine, vendor, "Payroll export")
    clock = Clock(deps_for(engine, summary_channel="C0DIGEST"), client)
    clock.tick("2026-12-04 15:00")  # missed occurrences recorded skipped, nothing due
    slack.fail_next("chat.postMessage", error="bad_gateway", status=502)

    failed = clock.tick(FRIDAY_4PM)
    retried = clock.tick("2026-12-04 16:00:30")

    assert failed.retrying == {"digest": 1} and failed.posted == {}
    assert retried.posted == {"digest": 1}
    assert len(slack.messages_in("C0DIGEST")) == 1


# --------------------------------------------------------------------------- periods


def test_a_task_done_after_fridays_summary_is_in_the_next_one(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine, created=utc("2026-12-02 10:00"))
    task(engine, vendor, "Website", created="2026-12-02 10:00")
    late_friday = task(engine, vendor, "Logo", created="2026-12-02 10:00")
    saturday = task(engine, vendor, "Banner", created="2026-12-02 10:00")

    clock.tick(FRIDAY_4PM)
    close(engine, late_friday, "2026-12-04 21:00")
    close(engine, saturday, "2026-12-05 11:00")
    clock.tick("2026-12-11 16:00")

    first, second = (rendered(m) for m in summaries_in(slack, "C0ACME"))
    # The first covers the time since the vendor was added, and has nothing to compare with.
    assert "Wed 2 Dec 10:00 to Fri 4 Dec 2026 16:00 (since the vendor was added)" in first
    assert "*Delivered since the last summary*: nothing this time." in first
    # The second starts when the first went out: Friday evening and Saturday are in it.
    assert "Fri 4 Dec 16:00 to Fri 11 Dec 2026 16:00" in second
    assert "• *#2* Logo\n• *#3* Banner" in second


def test_figures_on_shows_rates_in_the_vendor_channel_against_a_full_period_only(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine, created=utc("2026-12-02 10:00"))
    update_vendor(engine, vendor, show_figures=True)
    task(engine, vendor, "Website", created="2026-12-02 10:00")
    late_friday = task(engine, vendor, "Logo", created="2026-12-02 10:00")

    clock.tick(FRIDAY_4PM)
    close(engine, late_friday, "2026-12-04 21:00")
    clock.tick("2026-12-11 16:00")
    clock.tick("2026-12-18 16:00")

    first, second, third = (rendered(m) for m in summaries_in(slack, "C0ACME"))
    assert "*Completed:* 0 (0 on time, 0 late)" in first and "In brackets" not in first
    # The previous period began when the vendor was added: no "+1" against two days.
    assert "*Completed:* 1 (1 on time, 0 late)" in second and "In brackets" not in second
    assert "*Completed:* 0 (-1) (0 on time, 0 late)" in third and "In brackets" in third


def test_feedback_given_after_a_digest_is_in_the_next_digest(
    engine: Engine, slack: FakeSlack, client: WebClient
) -> None:
    slack.add_channel("C0DIGEST", "vendor-digest", members=["U0BOT", "U0ALICE"])
    acme = add_vendor(engine)
    task(engine, acme, "Website")
    said = prompt(engine, acme, "2026-12-04 16:00")
    clock = Clock(deps_for(engine, summary_channel="C0DIGEST"), client)

    clock.tick(FRIDAY_4PM)
    vendor_said(engine, said, "2026-12-04 19:00", "Faster reviews, please")
    clock.tick("2026-12-11 16:00")

    first, second = (rendered(m) for m in slack.messages_in("C0DIGEST"))
    assert "Faster reviews" not in first
    assert "Fri 4 Dec 16:00 to Fri 11 Dec 2026 16:00" in second
    assert "Faster reviews, please" in second


# --------------------------------------------------------------------------- waiting on us


def test_a_delivery_not_reviewed_in_time_brings_its_owner_one_reminder_and_shows_in_the_digest(
    engine: Engine, slack: FakeSlack, client: WebClient
) -> None:
    slack.add_channel("C0DIGEST", "vendor-digest", members=["U0BOT", "U0ALICE"])
    vendor = add_vendor(engine)
    copy = task(engine, vendor, "Brochure copy", owner="U0BOB")
    deliver(engine, copy, "2026-12-03 15:00")
    clock = Clock(deps_for(engine, summary_channel="C0DIGEST"), client)

    clock.tick("2026-12-04 14:59")  # 23 h 59 min: not yet
    assert slack.messages_in("DU0BOB") == []
    clock.tick("2026-12-04 15:00")
    clock.tick(FRIDAY_4PM)

    [reminder] = slack.messages_in("DU0BOB")
    assert "delivered *#1* Brochure copy 1 d ago" in rendered(reminder)
    assert "review time 1 d" in rendered(reminder)
    [digest] = slack.messages_in("C0DIGEST")
    assert "<@U0BOB>: *#1* Brochure copy (c0acme, waiting 1 d 1 h)" in rendered(digest)
    [summary] = summaries_in(slack, "C0ACME")
    assert "*Waiting on us*\n• *#1* Brochure copy · delivered Thu 3 Dec" in rendered(summary)
