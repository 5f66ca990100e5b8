"""`/delegate summary`, `/delegate report`, `feedback:` and the App Home tab, end to end:
signed requests to the real app, the real WebClient against the fake Slack, SQLite and
PostgreSQL; plus the grammar and the CSV rules as tables of cases."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from freezegun import freeze_time
from sqlmodel import Session, select

from bot.command_grammar import parse_command
from bot.commands import AddVendor, PostSummary, SendReport, UpdateVendor
from bot.errors import UsageError
from bot.reports import COLUMNS, parse_report_date, report_range, safe_cell
from bot.vendor_settings import FEEDBACK_WITH_SUMMARY
from storage.models import Vendor
from tests.support.checkin_support import payload
from tests.support.scheduling import add_vendor
from tests.support.slack_requests import BotUnderTest, rendered
from tests.support.summary_support import checkin, close, deliver, prompt, rate, reply, status, task
from tests.support.summary_support import vendor_said as vendor_says

ACME = "<#C0ACME|acme-design>"
# Monday 7 Dec 2026, 10:00 UTC.
MONDAY = "2026-12-07 10:00:00"


# --------------------------------------------------------------------------- grammar


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("summary", PostSummary()),
        (f"summary {ACME}", PostSummary("C0ACME")),
        ("report", SendReport()),
        ("report from:2026-11-01", SendReport("2026-11-01", None)),
        ("report to:yesterday from:-4w", SendReport("-4w", "yesterday")),
        (f"vendor add {ACME} feedback:mon@10", AddVendor("C0ACME", feedback="mon@10:00")),
        (f"vendor set {ACME} feedback:tue", UpdateVendor("C0ACME", feedback="tue@16:00")),
        (f"vendor set {ACME} feedback:summary", UpdateVendor("C0ACME", feedback="summary")),
    ],
)
def test_grammar(text: str, command: object) -> None:
    assert parse_command(text) == command


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("summary of the week", "needs the channel first"),
        ("summary acme", "not a channel"),
        ("report on sales", "needs the channel first"),
        ("report from:2026-11-01 from:2026-11-02", "given twice"),
        ("report from:", "needs a date"),
        (f"vendor set {ACME} feedback:someday", "not a schedule"),
    ],
)
def test_grammar_refusals(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_command(text)


TODAY = date(2026, 12, 9)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-11-02", date(2026, 11, 2)),
        ("today", TODAY),
        ("yesterday", date(2026, 12, 8)),
        ("wed", TODAY),  # the latest Wednesday: today
        ("mon", date(2026, 12, 7)),
        ("thursday", date(2026, 12, 3)),
        ("-2w", date(2026, 11, 25)),
        ("-10d", date(2026, 11, 29)),
        ("+1d", date(2026, 12, 10)),
    ],
)
def test_report_dates(text: str, day: date) -> None:
    assert parse_report_date(text, TODAY) == day


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, (date(2026, 11, 12), TODAY)),  # the last four weeks
        ("2026-11-01", None, (date(2026, 11, 1), TODAY)),
        (None, "2026-11-30", (date(2026, 11, 3), date(2026, 11, 30))),
        ("2026-11-01", "2026-11-01", (date(2026, 11, 1), date(2026, 11, 1))),
    ],
)
def test_report_range(start: str | None, end: str | None, expected: tuple[date, date]) -> None:
    assert report_range(start, end, TODAY) == expected


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-12-01", "2026-11-01", "after it ends"),
        ("2024-01-01", None, "at most 366"),
        ("2026-02-30", None, "not a real calendar date"),
        ("soon", None, "not a date I understand"),
    ],
)
def test_report_range_refusals(start: str, end: str | None, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        report_range(start, end, TODAY)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 555", "'+1 555"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Logo refresh", "Logo refresh"),
        ("a=b", "a=b"),
        (None, ""),
        (12, "12"),
        (date(2026, 12, 1), "2026-12-01"),
    ],
)
def test_csv_cells_are_safe_for_spreadsheets(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


# --------------------------------------------------------------------------- /delegate summary


@freeze_time("2026-12-04 16:30:00")
def test_summary_command_posts_in_the_vendor_channel_now(bot: BotUnderTest) -> None:
    vendor = add_vendor(bot.engine)
    close(bot.engine, task(bot.engine, vendor, "Logo"), "2026-12-02 10:00")
    task(bot.engine, vendor, "Website", due="2026-12-01")

    reply_text = bot.command("summary")

    assert "Posted the summary" in reply_text and "<#C0ACME>" in reply_text
    [summary, thread] = bot.slack.messages_in("C0ACME")
    assert "thank you!\n• *#1* Logo" in rendered(summary)
    assert thread["thread_ts"] == summary["ts"] and "Website" in rendered(thread)


@freeze_time("2026-12-04 16:30:00")
def test_summary_command_names_a_vendor_from_another_channel(bot: BotUnderTest) -> None:
    add_vendor(bot.engine)

    reply_text = bot.command(f"summary {ACME}", channel="C0PUBLIC")

    assert "Posted the summary" in reply_text
    [summary] = bot.slack.messages_in("C0ACME")
    assert "*Delivered since the last summary*: nothing this time." in rendered(summary)
    assert bot.slack.messages_in("C0PUBLIC") == []


def test_summary_command_outside_a_vendor_channel_says_how(bot: BotUnderTest) -> None:
    add_vendor(bot.engine)

    here = bot.command("summary", channel="C0PUBLIC")
    named = bot.command("summary <#C0PUBLIC|globex>")

    assert "not a vendor's" in here and "/delegate summary #vendor" in here
    assert "not a vendor channel" in named
    assert bot.slack.calls_to("chat.postMessage") == []


# --------------------------------------------------------------------------- /delegate report


def uploaded_csv(bot: BotUnderTest) -> tuple[dict[str, Any], bytes]:
    [share] = bot.slack.file_shares
    [file] = share["files"]
    return share, bot.slack.uploads[file["id"]]


@freeze_time(MONDAY)
def test_report_uploads_a_csv_to_the_requesters_dm(bot: BotUnderTest) -> None:
    vendor = add_vendor(bot.engine, timezone="Asia/Manila")
    done = task(bot.engine, vendor, '=HYPERLINK("http://x","Logo")', due="2026-12-03")
    close(bot.engine, done, "2026-12-02 10:00", delivered="2026-12-02 09:00")
    rate(bot.engine, done, "2026-12-02 11:00", 5, 4, 3)
    blocked = task(bot.engine, vendor, "Banner · ünïcode", due="2026-12-20")
    posted = checkin(bot.engine, vendor, "2026-12-01 01:00")
    status(bot.engine, blocked, "blocked", "2026-12-01 02:00", post=posted)
    reply(bot.engine, posted, "2026-12-01 03:00", text="-waiting for fonts")
    deliver(bot.engine, task(bot.engine, vendor, "Copy"), "2026-12-03 03:00")
    asked = prompt(bot.engine, vendor, "2026-12-04 08:00")
    vendor_says(bot.engine, asked, "2026-12-04 09:00", "@team more notice please")
    old = task(bot.engine, vendor, "Closed in October")
    close(bot.engine, old, "2026-10-01 10:00")

    reply_text = bot.command("report", user="U0BOB")

    assert "Sent the report for Tue 10 Nov 2026 to Mon 7 Dec 2026" in reply_text
    assert (
        "3 tasks, 1 status update, 1 response, 1 rating, 1 vendor feedback, 2 reviews, "
        "0 due date changes"
    ) in reply_text
    share, content = uploaded_csv(bot)
    assert share["channel_id"] == "DU0BOB"  # the requester's DM, from conversations.open
    [opened] = bot.slack.calls_to("conversations.open")
    assert opened.params["users"] == "U0BOB"
    [file] = share["files"]
    assert file["name"] == "delegate-report-2026-11-10-to-2026-12-07.csv"
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert list(rows[0]) == list(COLUMNS)
    assert [row["record"] for row in rows] == [
        "task",
        "task",
        "task",
        "status_update",
        "response",
        "feedback",
        "vendor_feedback",
        "review",
        "review",
    ]
    logo = rows[0]
    assert logo["task"] == '\'=HYPERLINK("http://x","Logo")'  # never a formula
    assert (logo["status"], logo["due_date"], logo["closed_at"], logo["delivered_at"]) == (
        "done",
        "2026-12-03",
        "2026-12-02T10:00:00Z",
        "2026-12-02T09:00:00Z",
    )
    assert rows[1]["task"] == "Banner · ünïcode" and rows[2]["status"] == "delivered"
    update = rows[3]
    assert (update["task_id"], update["status"], update["post_id"], update["user"]) == (
        str(blocked.id),
        "blocked",
        str(posted.id),
        "U0VENDOR",
    )
    assert rows[4]["text"] == "'-waiting for fonts" and rows[4]["vendor"] == "c0acme"
    assert [rows[5][k] for k in ("quality", "timeliness", "communication")] == ["5", "4", "3"]
    assert rows[6]["text"] == "'@team more notice please"
    assert rows[6]["at"] == "2026-12-04T09:00:00Z"
    # Names beside ids, who closed it, and the reviews: accepted by whom, and when.
    assert (logo["owner"], logo["closed_by"]) == ("U0ALICE", "U0ALICE")
    assert logo["owner_name"] and logo["vendor_channel_name"].startswith("#")
    accepted, pending = rows[7], rows[8]
    assert (accepted["status"], accepted["user"], accepted["at"]) == (
        "accepted",
        "U0ALICE",
        "2026-12-02T10:00:00Z",
    )
    assert (pending["status"], pending["task"]) == ("pending", "Copy")


@freeze_time(MONDAY)
def test_report_range_is_inclusive_in_the_teams_time_zone(bot: BotUnderTest) -> None:
    vendor = add_vendor(bot.engine)
    for day in ("2026-11-30 23:59", "2026-12-01 00:00", "2026-12-02 23:59", "2026-12-03 00:00"):
        status(bot.engine, task(bot.engine, vendor, f"At {day}"), "on_track", day)

    bot.command("report from:2026-12-01 to:2026-12-02")

    _, content = uploaded_csv(bot)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row["at"] for row in rows if row["record"] == "status_update"] == [
        "2026-12-01T00:00:00Z",
        "2026-12-02T23:59:00Z",
    ]


@freeze_time(MONDAY)
def test_report_with_the_dates_the_wrong_way_round_uploads_nothing(bot: BotUnderTest) -> None:
    reply_text = bot.command("report from:2026-12-01 to:2026-11-01")

    assert "after it ends" in reply_text
    assert bot.slack.file_shares == [] and bot.slack.calls_to("conversations.open") == []


# --------------------------------------------------------------------------- vendor settings


def the_vendor(bot: BotUnderTest) -> Vendor:
    with Session(bot.engine) as session:
        return session.exec(select(Vendor)).one()


def test_feedback_cadence_is_set_shown_and_put_back_with_the_summary(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme feedback:mon@10:00")
    assert the_vendor(bot).feedback_cadence == "mon@10:00"

    changed = bot.command(f"vendor set {ACME} feedback:wed")
    assert "Changed feedback prompt" in changed and "feedback prompt `wed@16:00`" in changed

    back = bot.command(f"vendor set {ACME} feedback:{FEEDBACK_WITH_SUMMARY}")
    assert "feedback prompt `with the summary`" in back
    assert the_vendor(bot).feedback_cadence is None
    assert "nothing changed" in bot.command(f"vendor set {ACME} feedback:summary")


# --------------------------------------------------------------------------- App Home


def home_opened(user: str = "U0ALICE", tab: str = "home") -> dict[str, object]:
    envelope = payload("event_app_home_opened")
    envelope["event"].update(user=user, tab=tab)
    envelope["event_id"] = f"Ev{user}{tab}"
    return envelope


@freeze_time("2026-12-04 10:00:00")
def test_app_home_shows_my_open_tasks_overdue_first_and_vendor_health(bot: BotUnderTest) -> None:
    bot.slack.add_channel("C0GLOBEX", "globex", members=["U0BOT"])
    acme = add_vendor(bot.engine)
    globex = add_vendor(bot.engine, "C0GLOBEX", timezone="Asia/Manila")
    task(bot.engine, acme, "Later job", due="2026-12-20")
    task(bot.engine, acme, "Overdue <@U0BOB> job", due="2026-12-01")
    deliver(bot.engine, task(bot.engine, acme, "Delivered job", due="2026-12-10"), "2026-12-03")
    task(bot.engine, acme, "Bob's job", owner="U0BOB", due="2026-11-01")
    done = task(bot.engine, globex, "Done job", due="2026-12-02")
    close(bot.engine, done, "2026-12-01 10:00")
    rate(bot.engine, done, "2026-12-01 11:00", 5, 4, 4)
    for sent in ("2026-12-01 01:00", "2026-12-02 01:00"):
        reply(bot.engine, checkin(bot.engine, globex, sent), sent.replace("01:00", "01:20"))

    result = bot.event(home_opened())
    assert result.status == 200
    assert bot.slack.calls_to("views.publish")

    [view] = [v for v in bot.slack.views if v["_method"] == "views.publish"]
    assert view["type"] == "home" and view["_user_id"] == "U0ALICE"
    assert len(view["blocks"]) <= 100
    text = rendered(view)
    overdue, delivered, later = (text.index(t) for t in ("Overdue", "Delivered job", "Later job"))
    assert overdue < delivered < later  # overdue first, then soonest due
    assert "&lt;@U0BOB&gt;" in text and "<@U0BOB>" not in text  # escaped, no ping
    assert "Bob's job" not in text  # not the viewer's
    assert "waiting for your review" in text
    assert ":large_green_circle: *c0globex* <#C0GLOBEX>" in text
    assert "Response rate 100% (2/2) · on time 100% (1/1) · quality 5.0" in text
    assert ":large_yellow_circle: *c0acme* <#C0ACME>" in text and "_2 overdue_" in text


def test_the_messages_tab_is_left_alone(bot: BotUnderTest) -> None:
    result = bot.event(home_opened(tab="messages"))

    assert result.status == 200
    bot.event(home_opened(user="U0BOB"))
    assert bot.slack.calls_to("views.publish")
    assert [c.params["user_id"] for c in bot.slack.calls_to("views.publish")] == ["U0BOB"]


@freeze_time(MONDAY)
def test_report_for_one_vendor_has_costs_and_due_date_changes(bot: BotUnderTest) -> None:
    vendor = add_vendor(bot.engine)
    add_vendor(bot.engine, "C0PUBLIC")
    bot.command(f"vendor set {ACME} currency:EUR")
    job = task(bot.engine, vendor, "Logo", due="2026-12-03")
    bot.command(f"cost {job.id} cost:450.50")
    bot.command(f"due {job.id} 2026-12-09")

    reply_text = bot.command(f"report {ACME}")

    assert "1 task," in reply_text and "1 due date change" in reply_text
    _, content = uploaded_csv(bot)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert {row["vendor_channel"] for row in rows} == {"C0ACME"}
    [listed] = [row for row in rows if row["record"] == "task"]
    assert (listed["cost"], listed["currency"]) == ("450.50", "EUR")
    [moved] = [row for row in rows if row["record"] == "due_date_change"]
    assert moved["text"] == "from 2026-12-03 to 2026-12-09" and moved["user"] == "U0ALICE"
