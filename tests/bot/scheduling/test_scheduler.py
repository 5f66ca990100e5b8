"""The scheduled check-ins engine, tick by tick: real WebClient (with its retry handlers)
against the fake Slack, real database (SQLite and PostgreSQL), time passed in as `now`."""

from __future__ import annotations

import logging
import socket
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.app import build_client
from bot.scheduling import (
    SchedulePolicy,
    TickReport,
    run_scheduler,
    this_process,
    tick_safely,
)
from storage import holidays
from storage.checkins import checkin_rows
from storage.database import make_engine, transaction
from storage.models import (
    AuditEntry,
    CheckinResponse,
    ScheduledPost,
    StatusUpdate,
    Vendor,
)
from tests.support.fake_slack import FakeSlack
from tests.support.scheduling import (
    Clock,
    add_task,
    add_vendor,
    claims,
    get_vendor,
    make_deps,
    sent_checkins,
    update_vendor,
    utc,
)
from tests.support.slack_requests import rendered

BUTTONS = ["On track", "At risk", "Blocked", "Done"]


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return build_client(slack.bot_token, slack.api_url)


@pytest.fixture
def clock(engine: Engine, client: WebClient) -> Clock:
    return Clock(make_deps(engine), client)


def open_channel(slack: FakeSlack, channel_id: str) -> None:
    slack.add_channel(channel_id, channel_id.lower(), members=["U0BOT", "U0VENDOR"])


def top_level(slack: FakeSlack, channel_id: str) -> list[dict[str, Any]]:
    return [m for m in slack.messages_in(channel_id) if m["thread_ts"] in (None, m["ts"])]


def replies(slack: FakeSlack, channel_id: str, thread_ts: str) -> list[dict[str, Any]]:
    return [m for m in slack.messages_in(channel_id) if m["ts"] != thread_ts == m["thread_ts"]]


def dms(slack: FakeSlack, user_id: str) -> list[dict[str, Any]]:
    return slack.messages_in("D" + user_id)


# --------------------------------------------------------------------------- check-ins


def test_manila_weekday_checkin_lists_each_task_with_four_buttons_once(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine, timezone="Asia/Manila", checkins="weekdays@09:00")
    logo = add_task(engine, vendor, "Logo refresh", due=date(2026, 11, 27))
    book = add_task(
        engine, vendor, "Brand book", owner="U0BOB", assignee=None, due=date(2026, 12, 4)
    )

    report = clock.tick("2026-12-01 01:05")  # Tuesday 09:05 in Manila

    [message] = slack.messages_in("C0ACME")
    actions = [
        block
        for block in message["blocks"]
        if block["type"] == "actions" and block["block_id"].startswith("task:")
    ]
    [everything] = [block for block in message["blocks"] if block.get("block_id") == "all"]
    assert [[e["text"]["text"] for e in block["elements"]] for block in actions] == [BUTTONS] * 2
    assert [e["text"]["text"] for e in everything["elements"]] == ["All on track"]
    [post] = claims(engine, "checkin")
    assert [block["block_id"] for block in actions] == [f"task:{logo.id}", f"task:{book.id}"]
    assert {e["value"] for e in actions[0]["elements"]} == {f"{post.id}:{logo.id}"}
    text = rendered(message)
    assert "Logo refresh" in text and "Fri 27 Nov 2026 (overdue)" in text
    assert "Brand book" in text and "Fri 4 Dec 2026" in text
    assert "owner <@U0ALICE>" in text and "assignee <@U0VENDOR>" in text
    assert "owner <@U0BOB>" in text
    assert (post.occurrence, post.state, post.message_ts) == (
        "2026-12-01T09:00",
        "sent",
        message["ts"],
    )
    assert post.sent_at == utc("2026-12-01 01:05") and post.claimed_by == this_process()
    with transaction(engine) as session:
        assert [row.task.id for row in checkin_rows(session, post)] == [logo.id, book.id]
    assert report.posted == {"checkin": 1} and "posted 1 checkin" in report.line()

    again = clock.tick("2026-12-01 01:05")
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert not again.did_something and again.line().endswith("nothing due")


@pytest.mark.parametrize(
    ("start", "end", "weekdays", "daily"),
    [
        pytest.param(
            "2026-03-05 00:00",
            "2026-03-10 23:00",
            [
                ("2026-03-05T09:00", "2026-03-05 14:00"),
                ("2026-03-06T09:00", "2026-03-06 14:00"),
                ("2026-03-09T09:00", "2026-03-09 13:00"),  # clocks went forward on the 8th
                ("2026-03-10T09:00", "2026-03-10 13:00"),
            ],
            [
                ("2026-03-07T09:00", "2026-03-07 14:00"),
                ("2026-03-08T09:00", "2026-03-08 13:00"),
            ],
            id="spring-forward",
        ),
        pytest.param(
            "2026-10-29 00:00",
            "2026-11-03 23:00",
            [
                ("2026-10-29T09:00", "2026-10-29 13:00"),
                ("2026-10-30T09:00", "2026-10-30 13:00"),
                ("2026-11-02T09:00", "2026-11-02 14:00"),  # clocks went back on the 1st
                ("2026-11-03T09:00", "2026-11-03 14:00"),
            ],
            [
                ("2026-10-31T09:00", "2026-10-31 13:00"),
                ("2026-11-01T09:00", "2026-11-01 14:00"),
            ],
            id="fall-back",
        ),
    ],
)
def test_new_york_checkins_stay_at_nine_local_across_dst(
    engine: Engine,
    slack: FakeSlack,
    clock: Clock,
    start: str,
    end: str,
    weekdays: list[tuple[str, str]],
    daily: list[tuple[str, str]],
) -> None:
    office = add_vendor(engine, timezone="America/New_York", checkins="weekdays@09:00")
    open_channel(slack, "C0DAILY")
    every_day = add_vendor(
        engine, "C0DAILY", timezone="America/New_York", checkins="daily@09:00", workdays="daily"
    )
    add_task(engine, office, "Quarterly report")
    add_task(engine, every_day, "On-call rota")

    clock.run(start, end)  # a tick every hour on the hour

    assert sent_checkins(engine, office) == weekdays
    every_day_sent = dict(sent_checkins(engine, every_day))  # the weekend of the change
    assert [(key, every_day_sent.get(key)) for key, _ in daily] == daily
    checkins = [m for m in top_level(slack, "C0ACME") if m["text"].startswith("Check-in")]
    assert len(checkins) == len(weekdays)  # besides Friday's summary and feedback prompt


@pytest.mark.parametrize(
    ("slot", "ticks", "expected"),
    [
        # 01:30 happens twice on 2026-11-01 (05:30 and 06:30 UTC): one check-in.
        ("01:30", ["2026-11-01 05:30", "2026-11-01 06:30"], [("2026-11-01T01:30", "05:30")]),
        # 02:30 does not exist on 2026-03-08: it happens at 03:30 EDT (07:30 UTC).
        ("02:30", ["2026-03-08 07:29", "2026-03-08 07:30"], [("2026-03-08T02:30", "07:30")]),
    ],
    ids=["repeated-hour", "skipped-hour"],
)
def test_a_slot_inside_a_dst_change_is_posted_once(
    engine: Engine,
    slack: FakeSlack,
    clock: Clock,
    slot: str,
    ticks: list[str],
    expected: list[tuple[str, str]],
) -> None:
    vendor = add_vendor(
        engine, timezone="America/New_York", checkins=f"daily@{slot}", workdays="daily"
    )
    add_task(engine, vendor, "Night shift handover")

    for when in ticks:
        clock.tick(when)

    assert [(key, sent[-5:]) for key, sent in sent_checkins(engine, vendor)] == expected
    assert len(slack.messages_in("C0ACME")) == 1


def test_vendors_west_and_east_of_utc_get_their_own_local_nine(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    open_channel(slack, "C0WEST")
    open_channel(slack, "C0EAST")
    west = add_vendor(engine, "C0WEST", timezone="America/Los_Angeles")
    east = add_vendor(engine, "C0EAST", timezone="Pacific/Auckland")
    add_task(engine, west, "Landing page")
    add_task(engine, east, "App store copy")

    clock.run("2026-11-29 12:00", "2026-12-01 23:00")

    # UTC-8: Monday 09:00 is Monday 17:00 UTC.
    assert sent_checkins(engine, west) == [
        ("2026-11-30T09:00", "2026-11-30 17:00"),
        ("2026-12-01T09:00", "2026-12-01 17:00"),
    ]
    # UTC+13 in summer: Monday 09:00 is still Sunday 20:00 UTC, keyed by the local Monday.
    assert sent_checkins(engine, east) == [
        ("2026-11-30T09:00", "2026-11-29 20:00"),
        ("2026-12-01T09:00", "2026-11-30 20:00"),
        ("2026-12-02T09:00", "2026-12-01 20:00"),
    ]


def test_week_boundary_mon_fri_and_sun_thu_vendors(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    office = add_vendor(engine)  # weekdays@09:00, workdays mon-fri
    open_channel(slack, "C0GULF")
    gulf = add_vendor(engine, "C0GULF", checkins="daily@09:00", workdays="sun-thu")
    add_task(engine, office, "Invoices")
    add_task(engine, gulf, "Translations")

    clock.run("2026-12-03 00:00", "2026-12-08 23:00", step=timedelta(hours=3))

    assert [key for key, _ in sent_checkins(engine, office)] == [
        "2026-12-03T09:00",  # Thursday
        "2026-12-04T09:00",  # Friday
        "2026-12-07T09:00",  # Monday: nothing on Saturday or Sunday
        "2026-12-08T09:00",
    ]
    assert [key for key, _ in sent_checkins(engine, gulf)] == [
        "2026-12-03T09:00",  # Thursday
        "2026-12-06T09:00",  # Sunday: nothing on Friday or Saturday
        "2026-12-07T09:00",
        "2026-12-08T09:00",
    ]


def test_nothing_on_a_holiday_and_escalation_waits_for_the_next_working_day(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export")
    with transaction(engine) as session:
        holidays.add_holidays(session, vendor.saved_id, [date(2026, 12, 2)])

    clock.tick("2026-12-01 09:00")  # Tuesday
    wednesday = clock.tick("2026-12-02 09:00")  # the holiday
    assert wednesday.posted == {} and len(top_level(slack, "C0ACME")) == 1
    assert dms(slack, "U0ALICE") == []

    thursday = clock.tick("2026-12-03 09:00")
    assert [key for key, _ in sent_checkins(engine, vendor)] == [
        "2026-12-01T09:00",
        "2026-12-03T09:00",
    ]
    assert thursday.posted == {"checkin": 1, "escalation": 1}
    assert len(dms(slack, "U0ALICE")) == 1


def test_a_check_in_three_hours_late_is_still_posted(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export")

    clock.tick("2026-12-01 12:00")  # the bot was down from before 09:00

    assert sent_checkins(engine, vendor) == [("2026-12-01T09:00", "2026-12-01 12:00")]
    assert len(slack.messages_in("C0ACME")) == 1


def test_a_check_in_eight_hours_late_is_skipped_logged_and_never_posted(
    engine: Engine, slack: FakeSlack, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export")

    with caplog.at_level(logging.INFO, logger="bot.scheduler"):
        report = clock.tick("2026-12-01 17:00")
        for later in ("2026-12-01 17:30", "2026-12-01 20:00", "2026-12-02 08:59"):
            assert not clock.tick(later).did_something

    # (Last Friday's summary and feedback prompt are recorded skipped too: missed.)
    assert slack.messages_in("C0ACME") == [] and report.skipped["checkin"] == 1
    [post] = claims(engine, "checkin")
    assert (post.occurrence, post.state) == ("2026-12-01T09:00", "skipped")
    assert post.detail is not None and "grace" in post.detail
    skipped_logs = [r for r in caplog.records if "skipped checkin" in r.getMessage()]
    assert len(skipped_logs) == 1 and skipped_logs[0].levelno == logging.WARNING

    clock.tick("2026-12-02 09:00")  # the next occurrence goes out as usual
    assert [key for key, _ in sent_checkins(engine, vendor)] == ["2026-12-02T09:00"]


def test_a_paused_vendor_gets_nothing(engine: Engine, slack: FakeSlack, clock: Clock) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export")
    update_vendor(engine, vendor, paused=True)

    report = clock.tick("2026-12-01 09:00")

    assert slack.calls == [] and claims(engine) == [] and not report.did_something


def test_no_open_tasks_means_no_message_and_a_skipped_claim(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    add_vendor(engine)

    report = clock.tick("2026-12-01 09:00")
    again = clock.tick("2026-12-01 09:30")

    assert slack.calls == []
    [post] = claims(engine, "checkin")
    assert (post.state, post.detail) == ("skipped", "no open tasks")
    assert report.skipped["checkin"] == 1 and not again.did_something


def test_a_long_task_list_stays_within_slacks_fifty_blocks(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    for n in range(30):
        add_task(engine, vendor, f"Translation batch {n}", due=date(2026, 12, 1) + timedelta(n))

    clock.tick("2026-12-01 09:00")

    [message] = slack.messages_in("C0ACME")
    assert len(message["blocks"]) <= 50
    assert "Translation batch 0" in rendered(message)  # soonest due first


def test_schedule_changes_apply_at_the_next_tick(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)  # weekdays@09:00 UTC
    add_task(engine, vendor, "Payroll export")
    clock.tick("2026-12-01 08:00")
    assert slack.messages_in("C0ACME") == []

    update_vendor(engine, vendor, checkin_cadence="weekdays@07:30")
    clock.tick("2026-12-01 08:00")
    update_vendor(engine, vendor, timezone="Asia/Manila", checkin_cadence="weekdays@16:00")
    clock.tick("2026-12-01 08:00")

    assert [key for key, _ in sent_checkins(engine, vendor)] == [
        "2026-12-01T07:30",
        "2026-12-01T16:00",
    ]


def test_one_vendor_with_broken_settings_does_not_stop_the_others(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    broken = add_vendor(engine)
    add_task(engine, broken, "Payroll export")
    update_vendor(engine, broken, timezone="Mars/Olympus_Mons")
    open_channel(slack, "C0FINE")
    fine = add_vendor(engine, "C0FINE")
    add_task(engine, fine, "Invoices")

    report = clock.tick("2026-12-01 09:00")

    assert report.errors == 1 and report.posted == {"checkin": 1}
    assert len(slack.messages_in("C0FINE")) == 1


# --------------------------------------------------------------------------- reminders


def test_reminder_in_the_thread_after_four_hours_mentions_the_assignees(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export", assignee="U0VENDOR")
    add_task(engine, vendor, "Invoices", owner="U0BOB", assignee=None)
    clock.tick("2026-12-01 09:00")
    [checkin] = slack.messages_in("C0ACME")

    assert not clock.tick("2026-12-01 12:59").did_something
    report = clock.tick("2026-12-01 13:00")
    clock.tick("2026-12-01 13:30")

    [reminder] = replies(slack, "C0ACME", checkin["ts"])
    assert reminder["thread_ts"] == checkin["ts"]
    assert reminder["text"].startswith("<@U0VENDOR> <@U0BOB>")
    assert report.posted == {"reminder": 1}
    [post] = claims(engine, "reminder")
    assert (post.occurrence, post.state, post.thread_ts) == (
        "2026-12-01T09:00",
        "sent",
        checkin["ts"],
    )


@pytest.mark.parametrize("answer", ["button", "thread reply"])
def test_no_reminder_or_escalation_once_someone_answered(
    engine: Engine, slack: FakeSlack, clock: Clock, answer: str
) -> None:
    vendor = add_vendor(engine)
    task = add_task(engine, vendor, "Payroll export")
    clock.tick("2026-12-01 09:00")
    [checkin] = claims(engine, "checkin")
    with transaction(engine) as session:
        if answer == "button":
            session.add(
                StatusUpdate(
                    task_id=task.saved_id,
                    post_id=checkin.id,
                    user_id="U0VENDOR",
                    status="on_track",
                    source="button",
                    at=utc("2026-12-01 10:00"),
                )
            )
        else:
            session.add(
                CheckinResponse(
                    post_id=checkin.saved_id,
                    user_id="U0VENDOR",
                    text="on it",
                    message_ts="1700000001.000100",
                    at=utc("2026-12-01 10:00"),
                )
            )

    clock.tick("2026-12-01 13:00")
    clock.tick("2026-12-02 09:00")

    assert len(slack.messages_in("C0ACME")) == 2  # the two check-ins, no reminder
    assert dms(slack, "U0ALICE") == [] and claims(engine, "reminder") == []


def test_an_answer_on_yesterdays_checkin_answers_todays_so_nobody_is_chased(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    task = add_task(engine, vendor, "Payroll export")
    clock.tick("2026-12-01 09:00")
    clock.tick("2026-12-02 09:00")  # Wednesday's check-in; Tuesday's is escalated
    tuesday, wednesday = claims(engine, "checkin")
    [escalated] = claims(engine, "escalation")
    assert escalated.occurrence == tuesday.occurrence
    with transaction(engine) as session:
        # Tuesday's button, still in the channel, pressed after Wednesday's was posted.
        session.add(
            StatusUpdate(
                task_id=task.saved_id,
                post_id=tuesday.id,
                user_id="U0VENDOR",
                status="on_track",
                source="button",
                at=utc("2026-12-02 10:00"),
            )
        )

    clock.tick("2026-12-02 13:00")  # Wednesday's reminder would be due
    clock.tick("2026-12-03 09:00")  # and Wednesday's escalation

    assert replies(slack, "C0ACME", wednesday.message_ts or "") == []
    assert [post.occurrence for post in claims(engine, "escalation")] == [tuesday.occurrence]
    assert [post.occurrence for post in claims(engine, "reminder")] == [tuesday.occurrence]


def test_reminder_due_on_a_day_off_waits_for_the_working_day(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine, remind_after_minutes=38 * 60)
    add_task(engine, vendor, "Payroll export")
    with transaction(engine) as session:
        holidays.add_holidays(session, vendor.saved_id, [date(2026, 12, 1)])
    clock.tick("2026-11-30 09:00")  # Monday; the reminder falls due Tuesday 23:00, a holiday
    [checkin] = slack.messages_in("C0ACME")

    assert not clock.tick("2026-12-01 23:00").did_something
    wednesday = clock.tick("2026-12-02 00:00")

    assert wednesday.posted == {"reminder": 1}
    assert len(replies(slack, "C0ACME", checkin["ts"])) == 1


def test_reminder_is_dropped_when_the_day_off_lasts_until_the_next_check_in(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine, remind_after_minutes=20 * 60)
    add_task(engine, vendor, "Payroll export")
    clock.tick("2026-12-04 09:00")  # Friday; the reminder falls due Saturday 05:00
    [friday] = slack.messages_in("C0ACME")

    saturday = clock.tick("2026-12-05 06:00")  # waits (Friday's summary was missed)
    assert saturday.posted == {} and "reminder" not in saturday.skipped
    monday = clock.tick("2026-12-07 09:00")

    assert replies(slack, "C0ACME", friday["ts"]) == []
    [reminder] = claims(engine, "reminder")
    assert reminder.state == "skipped" and "next check-in" in (reminder.detail or "")
    assert monday.posted == {"checkin": 1, "escalation": 1}


# --------------------------------------------------------------------------- escalations


def test_escalation_dms_each_owner_once_at_the_next_check_in(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export")
    add_task(engine, vendor, "Invoices")
    add_task(engine, vendor, "Logo refresh", owner="U0BOB")
    clock.tick("2026-12-01 09:00")
    [checkin] = claims(engine, "checkin")
    clock.tick("2026-12-01 13:00")  # the reminder
    assert dms(slack, "U0ALICE") == []

    report = clock.tick("2026-12-02 09:00")
    clock.tick("2026-12-02 09:30")

    assert report.posted == {"checkin": 1, "escalation": 2}
    [to_alice] = dms(slack, "U0ALICE")
    [to_bob] = dms(slack, "U0BOB")
    alice_text, bob_text = rendered(to_alice), rendered(to_bob)
    assert "Payroll export" in alice_text and "Invoices" in alice_text
    assert "Logo refresh" not in alice_text and "Logo refresh" in bob_text
    permalink = (
        f"https://fake.slack.test/archives/C0ACME/p{(checkin.message_ts or '').replace('.', '')}"
    )
    assert permalink in alice_text and permalink in bob_text
    [escalation] = claims(engine, "escalation")
    assert (escalation.occurrence, escalation.state) == ("2026-12-01T09:00", "sent")


# --------------------------------------------------------------------------- Slack failures


@pytest.mark.parametrize("status", [429, 500])
def test_a_rate_limit_or_server_error_is_retried_and_posts_once(
    engine: Engine, slack: FakeSlack, clock: Clock, status: int
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export")
    slack.fail_next("chat.postMessage", status=status)

    report = clock.tick("2026-12-01 09:00")

    assert len(slack.calls_to("chat.postMessage")) == 2
    assert len(slack.messages_in("C0ACME")) == 1 and report.posted == {"checkin": 1}
    [post] = claims(engine, "checkin")
    assert post.state == "sent"


def test_a_transient_failure_gives_the_claim_back_for_the_next_tick(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export")
    slack.fail_next("chat.postMessage", error="bad_gateway", status=502)  # not retried by the SDK

    failed = clock.tick("2026-12-01 09:00")
    [post] = claims(engine, "checkin")
    assert failed.retrying == {"checkin": 1} and slack.messages_in("C0ACME") == []
    assert post.state == "claimed" and "bad_gateway" in (post.detail or "")

    clock.tick("2026-12-01 09:00:30")
    assert len(slack.messages_in("C0ACME")) == 1
    [post] = claims(engine, "checkin")
    assert post.state == "sent"


def test_slack_unreachable_then_back(engine: Engine, slack: FakeSlack, clock: Clock) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    dead = build_client(slack.bot_token, f"http://127.0.0.1:{dead_port}/api/")
    dead.retry_handlers = []  # the connection retries would only slow the test down

    outage = Clock(clock.deps, dead).tick("2026-12-01 09:00")
    assert outage.retrying == {"checkin": 1}
    clock.tick("2026-12-01 09:01")

    assert len(slack.messages_in("C0ACME")) == 1


def test_an_archived_channel_pauses_the_vendor_and_tells_who_added_it_once(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine, "C0OLD", added_by="U0BOB")
    add_task(engine, vendor, "Payroll export")

    report = clock.tick("2026-12-01 09:00")
    later = [clock.tick("2026-12-01 09:30"), clock.tick("2026-12-02 09:00")]

    assert report.failed == {"checkin": 1} and report.posted == {"notice": 1}
    assert not any(r.did_something for r in later)
    paused = get_vendor(engine, vendor)
    assert paused.paused and paused.pause_reason == "unreachable: is_archived"
    [checkin] = claims(engine, "checkin")
    assert (checkin.state, checkin.detail) == ("failed", "is_archived")
    [notice] = dms(slack, "U0BOB")
    assert "is_archived" in notice["text"] and "/delegate vendor resume <#C0OLD>" in notice["text"]
    assert len(slack.calls_to("chat.postMessage")) == 2  # the refused check-in, the notice
    with transaction(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEntry)).all()]
    assert "vendor.paused" in actions


# --------------------------------------------------------------------------- stale claims


def crashed_claim(engine: Engine, vendor: Vendor, occurrence: str, at: str) -> ScheduledPost:
    """What a process leaves behind if it dies between claiming and posting."""
    post = ScheduledPost(
        vendor_id=vendor.saved_id,
        kind="checkin",
        occurrence=occurrence,
        state="claimed",
        claimed_by="crashed-host:4242",
        claimed_at=utc(at),
        channel_id=vendor.channel_id,
    )
    with transaction(engine) as session:
        session.add(post)
    return post


def test_a_stale_claim_is_taken_over_and_posted_once(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    task = add_task(engine, vendor, "Payroll export")
    crashed_claim(engine, vendor, "2026-12-01T09:00", "2026-12-01 09:00:05")

    assert clock.tick("2026-12-01 09:05").posted == {}  # still within its lease
    report = clock.tick("2026-12-01 09:11")
    clock.tick("2026-12-01 09:30")

    assert report.posted == {"checkin": 1} and len(slack.messages_in("C0ACME")) == 1
    [post] = claims(engine, "checkin")
    assert post.state == "sent" and post.claimed_by == this_process()
    with transaction(engine) as session:
        assert [row.task.id for row in checkin_rows(session, post)] == [task.id]


def test_a_stale_claim_past_the_grace_window_is_skipped(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export")
    crashed_claim(engine, vendor, "2026-11-30T09:00", "2026-11-30 09:00")  # an older occurrence
    crashed_claim(engine, vendor, "2026-12-01T09:00", "2026-12-01 09:01")

    report = clock.tick("2026-12-01 15:30")

    assert slack.calls == []
    assert [(p.occurrence, p.state) for p in claims(engine, "checkin")] == [
        ("2026-11-30T09:00", "skipped"),  # closed by the sweep for abandoned claims
        ("2026-12-01T09:00", "skipped"),
    ]
    assert report.skipped["checkin"] == 1 and report.abandoned == 1


# --------------------------------------------------------------------------- the loop


def test_tick_safely_survives_a_database_outage(
    engine: Engine, slack: FakeSlack, client: WebClient, caplog: pytest.LogCaptureFixture
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export")
    # Built before freezing time: psycopg's C extension must not be imported under freezegun.
    dead_engine = make_engine("postgresql+psycopg://bot:s3cret-pw@127.0.0.1:1/test")

    with freeze_time("2026-12-01 09:00:30"), caplog.at_level(logging.ERROR, "bot.scheduler"):
        assert tick_safely(make_deps(dead_engine), client) is None
        report = tick_safely(make_deps(engine), client)  # now comes from deps.clock: frozen

    [error] = caplog.records
    assert "tick failed" in error.getMessage() and "OperationalError" in error.getMessage()
    assert "s3cret-pw" not in caplog.text
    assert report is not None and report.posted == {"checkin": 1}
    assert len(slack.messages_in("C0ACME")) == 1
    dead_engine.dispose()


def test_run_scheduler_ticks_at_once_and_stops_when_asked(
    engine: Engine, slack: FakeSlack, client: WebClient
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Payroll export")
    deps = make_deps(engine)
    deps = type(deps)(
        settings=deps.settings,
        engine=engine,
        vendor_defaults=deps.vendor_defaults,
        clock=lambda: utc("2026-12-01 09:00:30"),
    )
    stop = threading.Event()
    loop = threading.Thread(target=run_scheduler, args=(deps, client, stop), daemon=True)

    loop.start()
    slack.wait_for("chat.postMessage")
    stop.set()
    loop.join(timeout=10)

    assert not loop.is_alive()
    assert len(slack.messages_in("C0ACME")) == 1


def test_report_line_counts_per_kind() -> None:
    report = TickReport(now=datetime(2026, 12, 1, 9, tzinfo=UTC))
    report.posted.update({"checkin": 2, "reminder": 1})
    report.failed["checkin"] += 1
    assert report.line() == (
        "tick at 2026-12-01T09:00:00Z: posted 2 checkin, 1 reminder; failed 1 checkin"
    )


def test_policy_defaults_are_six_hours_grace_and_a_ten_minute_lease() -> None:
    assert SchedulePolicy() == SchedulePolicy(grace=timedelta(hours=6), lease=timedelta(minutes=10))
