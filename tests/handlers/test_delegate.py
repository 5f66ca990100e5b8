"""/delegate end to end: signed HTTP requests to the real app, replies via response_url,
announcements in the fake Slack, rows in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time
from sqlmodel import Session, func, select

from storage.models import AuditEntry, Task, TaskStatus, Vendor
from tests.support.mistakes_support import delegate_new
from tests.support.slack_requests import BotUnderTest

ACME = "<#C0ACME|acme-design>"
GLOBEX = "<#C0PUBLIC|globex>"
SECRET = "<#G0SECRET|initech-private>"
SLACK_WRITES = (
    "chat.postMessage",
    "chat.update",
    "conversations.join",
    "views.open",
    "chat.postEphemeral",
)
# A Monday, 10:00 UTC.
MONDAY = "2026-11-30 10:00:00"


def counts(bot: BotUnderTest) -> tuple[int, int, int]:
    with Session(bot.engine) as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Vendor, Task, AuditEntry)
        )


def slack_writes(bot: BotUnderTest) -> list[str]:
    return [c.method for c in bot.slack.calls if c.method in SLACK_WRITES]


def tasks(bot: BotUnderTest) -> list[Task]:
    with Session(bot.engine) as session:
        return list(session.exec(select(Task).order_by(Task.id)).all())


def vendors(bot: BotUnderTest) -> list[Vendor]:
    with Session(bot.engine) as session:
        return list(session.exec(select(Vendor).order_by(Vendor.id)).all())


def audit_actions(bot: BotUnderTest) -> list[str]:
    with Session(bot.engine) as session:
        return [a.action for a in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]


@freeze_time(MONDAY)
def test_vendor_add_with_settings(bot: BotUnderTest) -> None:
    reply = bot.command(
        f"vendor add {ACME} Acme Design tz:Asia/Manila checkins:weekdays@08:30 summary:fri@15:00"
    )
    assert "Added vendor" in reply and "Acme Design" in reply
    [vendor] = vendors(bot)
    assert (vendor.channel_id, vendor.name, vendor.timezone) == (
        "C0ACME",
        "Acme Design",
        "Asia/Manila",
    )
    assert (vendor.checkin_cadence, vendor.summary_cadence) == ("weekdays@08:30", "fri@15:00")
    assert vendor.added_by == "U0ALICE" and vendor.team_id == "T0TEAM" and not vendor.paused
    assert audit_actions(bot) == ["vendor.added"]
    assert "Asia/Manila" in bot.command("vendor list")


def test_vendor_add_joins_a_public_channel(bot: BotUnderTest) -> None:
    reply = bot.command(f"vendor add {GLOBEX}")
    assert "Added vendor" in reply
    assert [c.params["channel"] for c in bot.slack.calls_to("conversations.join")] == ["C0PUBLIC"]
    [vendor] = vendors(bot)
    assert (vendor.name, vendor.timezone, vendor.checkin_cadence, vendor.summary_cadence) == (
        "globex",
        "UTC",
        "weekdays@09:00",
        "fri@16:00",
    )


def test_vendor_add_twice_is_refused(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    before = counts(bot)
    reply = bot.command(f"vendor add {ACME} tz:Asia/Manila")
    assert "already a vendor" in reply
    assert counts(bot) == before and vendors(bot)[0].timezone == "UTC"


def test_private_channel_without_the_bot_asks_for_an_invite(bot: BotUnderTest) -> None:
    reply = bot.command(f"vendor add {SECRET}")
    assert "/invite" in reply
    assert counts(bot) == (0, 0, 0) and slack_writes(bot) == []
    reply = bot.command(f"{SECRET} Payroll export due:fri")
    assert "/invite" in reply
    assert counts(bot) == (0, 0, 0) and slack_writes(bot) == []


@freeze_time(MONDAY)
def test_delegate_creates_announces_and_confirms(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme tz:Asia/Manila")
    reply = bot.command(f"{ACME} <@U0VENDOR|vera> Logo refresh due:fri | three options, SVG")
    assert "#1" in reply and "Logo refresh" in reply and "Fri 4 Dec 2026" in reply
    [task] = tasks(bot)
    assert (task.title, task.standard, task.owner_id, task.assignee_id) == (
        "Logo refresh",
        "three options, SVG",
        "U0ALICE",
        "U0VENDOR",
    )
    assert task.due_date == date(2026, 12, 4) and task.status == TaskStatus.OPEN
    [post] = bot.slack.calls_to("chat.postMessage")
    assert post.params["channel"] == "C0ACME"
    rendered = str(post.params["blocks"])
    assert "Logo refresh" in rendered and "<@U0VENDOR>" in rendered and "three options" in rendered
    assert task.announcement_ts == bot.slack.messages_in("C0ACME")[0]["ts"]
    assert audit_actions(bot) == ["vendor.added", "task.created"]


def test_delegate_in_the_current_channel_registers_it(bot: BotUnderTest) -> None:
    reply = delegate_new(bot, "Invoice reminders", channel="C0ACME")
    assert "registered it as *acme-design* with defaults" in reply
    assert "/delegate vendor set <#C0ACME>" in reply and "vendor add" not in reply
    [vendor] = vendors(bot)
    assert vendor.channel_id == "C0ACME" and vendor.added_by == "U0ALICE"
    assert tasks(bot)[0].due_date is None


@freeze_time("2026-11-30 20:00:00")
def test_due_dates_are_in_the_vendors_time_zone(bot: BotUnderTest) -> None:
    # 20:00 UTC Monday is already Tuesday 04:00 in Manila: "tomorrow" there is Wednesday.
    bot.command(f"vendor add {ACME} tz:Asia/Manila")
    bot.command(f"{ACME} Banner due:tomorrow")
    delegate_new(bot, f"{GLOBEX} Flyer due:tomorrow")
    assert [t.due_date for t in tasks(bot)] == [date(2026, 12, 2), date(2026, 12, 1)]


def test_titles_cannot_ping_anyone(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    bot.command(f"{ACME} Tell <!channel> &lt;!here&gt; and <@U0BOB|bob> &amp; co")
    [task] = tasks(bot)
    assert task.title == "Tell @channel <!here> and @bob & co"
    message = bot.slack.calls_to("chat.postMessage")[0].params
    everything = str(message["text"]) + str(message["blocks"])
    assert "<!channel>" not in everything and "<!here>" not in everything
    assert "<@U0BOB>" not in everything
    assert "&lt;!here&gt;" in everything and "&amp; co" in everything


@freeze_time(MONDAY)
def test_list_scopes(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    bot.command(f"vendor add {GLOBEX}")
    bot.command(f"{ACME} Logo due:today")
    bot.command(f"{GLOBEX} Flyer due:+2d", user="U0BOB")
    bot.command(f"{GLOBEX} Old brochure due:today", user="U0BOB")
    with freeze_time("2026-12-01 10:00:00"):
        mine = bot.command("list")
        everyone = bot.command("list all")
        overdue = bot.command("list overdue")
        globex = bot.command(f"list {GLOBEX}")
    assert "Logo" in mine and "Flyer" not in mine
    assert all(t in everyone for t in ("Logo", "Flyer", "Old brochure"))
    assert "Logo" in overdue and "Old brochure" in overdue and "Flyer" not in overdue
    assert "(overdue)" in overdue
    assert "Flyer" in globex and "Logo" not in globex


@freeze_time(MONDAY)
def test_done_cancel_and_due(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    for title in ("One", "Two", "Three"):
        bot.command(f"{ACME} {title} due:fri")
    assert "marked done" in bot.command("done 1")
    assert "cancelled" in bot.command("cancel #2")
    assert "Mon 7 Dec 2026" in bot.command("due 3 2026-12-07")
    one, two, three = tasks(bot)
    assert (one.status, one.closed_by) == (TaskStatus.DONE, "U0ALICE")
    assert two.status == TaskStatus.CANCELLED and two.closed_at is not None
    assert three.due_date == date(2026, 12, 7) and three.status == TaskStatus.OPEN
    assert audit_actions(bot)[-3:] == ["task.done", "task.cancelled", "task.rescheduled"]
    threaded = [c for c in bot.slack.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert len(threaded) == 3  # each change noted in the task's announcement thread
    assert "already done" in bot.command("done 1")
    assert "already cancelled" in bot.command("due 2 fri")


def test_vendor_pause_and_resume(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    assert "paused" in bot.command(f"vendor pause {ACME}")
    assert vendors(bot)[0].paused
    assert "already paused" in bot.command(f"vendor pause {ACME}")
    assert "resumed" in bot.command(f"vendor resume {ACME}")
    assert not vendors(bot)[0].paused
    assert audit_actions(bot) == ["vendor.added", "vendor.paused", "vendor.resumed"]
    assert "not a vendor channel" in bot.command(f"vendor pause {GLOBEX}")


MALFORMED = [
    ("frobnicate", None),  # a bare title in an unregistered DM: not a channel
    ("help me", "/delegate help"),
    ("list everything", "/delegate list all"),
    ("done", "/delegate done ID"),
    ("done abc", "not a task id"),
    ("done 999", "no task #999"),
    ("cancel 999", "no task #999"),
    ("due 999 fri", "no task #999"),
    ("due 1 someday", "not a date"),
    ("vendor add #acme", "is not a channel"),
    (f"vendor add {GLOBEX} tz:Mars/Base", "not a time zone"),
    (f"vendor add {GLOBEX} checkins:sometimes", "weekdays"),
    (f"vendor add {GLOBEX} summary:fri@99:00", "HH:MM"),
    (f"vendor pause {GLOBEX}", "not a vendor channel"),
    (f"{GLOBEX} Logo due:31-12", "not a date"),
    (f"{GLOBEX} Logo due:2020-01-01", "in the past"),
    (f"{GLOBEX} Logo due:2027-02-30", "not a real calendar date"),
    (f"{GLOBEX} due:fri", "needs a title"),
    (f"{GLOBEX} " + "x" * 301, "300"),
    ("<#C0OLD|old-vendor> Logo", "archived"),
    ("<#C0MISSING|gone> Logo", "can't see"),
    ("list <#C0PUBLIC|globex>", "not a vendor channel"),
    (f"vendor add {GLOBEX} remind:soon", "not a duration"),
    (f"vendor add {GLOBEX} workdays:funday", "not a list of days"),
    (f"vendor set {ACME}", "Say what to change"),
    (f"vendor set {ACME} Acme Design", "key:value"),
    (f"vendor set {ACME} remind:9d", "longer than a week"),
    (f"vendor set {ACME} workdays:mon-mon", "not a list of days"),
    (f"vendor set {ACME} tz:Mars/Base", "not a time zone"),
    (f"vendor set {ACME} checkins:sometimes", "not a schedule"),
    (f"vendor set {ACME} tz:UTC", "nothing changed"),
    (f"vendor set {GLOBEX} tz:Asia/Manila", "not a vendor channel"),
    (f"vendor holiday {ACME} add", "Which dates"),
    (f"vendor holiday {ACME} add 2026-12-25 someday", "not a date"),
    (f"vendor holiday {ACME} add 2027-02-30", "not a real calendar date"),
    (f"vendor holiday {ACME} add 2020-01-01", "in the past"),
    (f"vendor holiday {ACME} remove 2026-12-25", "not a holiday"),
    (f"vendor holiday {ACME} skip 2026-12-25", "`add` or `remove`"),
    (f"vendor holiday {GLOBEX}", "not a vendor channel"),
    (f"vendor resume {ACME}", "already active"),
]


@freeze_time(MONDAY)
@pytest.mark.parametrize(("text", "hint"), MALFORMED, ids=[m[0][:30] for m in MALFORMED])
def test_malformed_commands_change_nothing(bot: BotUnderTest, text: str, hint: str | None) -> None:
    bot.command(f"vendor add {ACME}")
    bot.command(f"{ACME} Existing task due:fri")
    before, writes_before = counts(bot), slack_writes(bot)
    reply = bot.command(text, channel="D0DIRECT")
    assert reply.startswith(":warning:")
    if hint:
        assert hint in reply
    assert counts(bot) == before
    assert slack_writes(bot) == writes_before
    assert "Traceback" not in reply


def test_a_direct_message_is_not_a_vendor_channel(bot: BotUnderTest) -> None:
    reply = bot.command("Logo refresh", channel="D0DIRECT")
    assert "not a direct message" in reply
    assert counts(bot) == (0, 0, 0)


def test_help_replies_with_usage(bot: BotUnderTest) -> None:
    reply = bot.command("help")
    assert "/delegate list" in reply and "vendor add" in reply


def test_failed_announcement_keeps_the_task_and_says_so(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    bot.slack.fail_next("chat.postMessage", error="channel_not_found")
    reply = bot.command(f"{ACME} Logo")
    assert "could not post it" in reply
    [task] = tasks(bot)
    assert task.announcement_ts is None
