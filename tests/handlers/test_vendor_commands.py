"""`/delegate vendor set` and `/delegate vendor holiday` end to end (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date

from freezegun import freeze_time
from sqlmodel import Session, col, select

from storage.models import AuditEntry, Holiday, Vendor
from tests.support.slack_requests import BotUnderTest

ACME = "<#C0ACME|acme-design>"
# A Monday, 10:00 UTC.
MONDAY = "2026-11-30 10:00:00"


def the_vendor(bot: BotUnderTest) -> Vendor:
    with Session(bot.engine) as session:
        return session.exec(select(Vendor)).one()


def audit(bot: BotUnderTest, action: str) -> list[dict[str, object]]:
    with Session(bot.engine) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        ).all()
        return [json.loads(e.detail) for e in entries]


def holidays(bot: BotUnderTest) -> list[date]:
    with Session(bot.engine) as session:
        return [h.day for h in session.exec(select(Holiday).order_by(col(Holiday.day)))]


def test_vendor_add_takes_reminder_and_workdays(bot: BotUnderTest) -> None:
    reply = bot.command(f"vendor add {ACME} Acme remind:90m workdays:sun-thu")
    assert "Added vendor" in reply
    vendor = the_vendor(bot)
    assert (vendor.remind_after_minutes, vendor.workdays) == (90, "sun-thu")
    [added] = audit(bot, "vendor.added")
    assert (added["remind_after_minutes"], added["workdays"]) == (90, "sun-thu")


def test_vendor_add_keeps_the_defaults_without_them(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    vendor = the_vendor(bot)
    assert (vendor.remind_after_minutes, vendor.workdays) == (240, "mon-fri")


@freeze_time(MONDAY)
def test_vendor_set_changes_only_what_is_given_and_audits_from_and_to(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme")
    reply = bot.command(
        f"vendor set {ACME} name:Acme Design tz:Asia/Manila checkins:mon,wed@10:00 "
        "remind:4h30m workdays:sun-thu"
    )
    assert reply.startswith(
        ":white_check_mark: Changed name, time zone, check-ins, reminder, workdays."
    )
    assert "Acme Design" in reply and "Asia/Manila" in reply and "`mon,wed@10:00`" in reply
    assert "`sun-thu`" in reply and "`4h30m`" in reply and "`fri@16:00`" in reply
    vendor = the_vendor(bot)
    assert (vendor.name, vendor.timezone, vendor.checkin_cadence, vendor.summary_cadence) == (
        "Acme Design",
        "Asia/Manila",
        "mon,wed@10:00",
        "fri@16:00",
    )
    assert (vendor.remind_after_minutes, vendor.workdays) == (270, "sun-thu")
    [change] = audit(bot, "vendor.updated")
    assert change == {
        "name": {"from": "Acme", "to": "Acme Design"},
        "timezone": {"from": "UTC", "to": "Asia/Manila"},
        "checkin_cadence": {"from": "weekdays@09:00", "to": "mon,wed@10:00"},
        "remind_after_minutes": {"from": 240, "to": 270},
        "workdays": {"from": "mon-fri", "to": "sun-thu"},
    }


def test_vendor_set_with_the_current_values_changes_nothing(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme workdays:mon-fri")
    reply = bot.command(f"vendor set {ACME} workdays:mon,tue,wed,thu,fri tz:UTC")
    assert reply.startswith(":warning:") and "nothing changed" in reply
    assert audit(bot, "vendor.updated") == []


def test_vendor_names_are_escaped_in_replies(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    reply = bot.command(f"vendor set {ACME} name:&lt;!here&gt; Co")
    assert the_vendor(bot).name == "<!here> Co"
    assert "&lt;!here&gt; Co" in reply and "<!here>" not in reply


@freeze_time(MONDAY)
def test_holidays_are_added_listed_and_removed(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme tz:Asia/Manila")
    assert "has no upcoming holidays" in bot.command(f"vendor holiday {ACME}")

    reply = bot.command(f"vendor holiday {ACME} add 2026-12-25 fri 2026-12-04 2026-12-31")
    assert "Added Fri 4 Dec 2026, Fri 25 Dec 2026, Thu 31 Dec 2026." in reply
    assert holidays(bot) == [date(2026, 12, 4), date(2026, 12, 25), date(2026, 12, 31)]

    reply = bot.command(f"vendor holiday {ACME} add 2026-12-25 2027-01-01")
    assert "Added Fri 1 Jan 2027." in reply and "Already holidays: Fri 25 Dec 2026." in reply

    reply = bot.command(f"vendor holiday {ACME} remove 2026-12-04")
    assert "Removed Fri 4 Dec 2026." in reply
    listing = bot.command(f"vendor holiday {ACME}")
    assert "Upcoming holidays for Acme" in listing and "Asia/Manila" in listing
    assert "Fri 25 Dec 2026" in listing and "4 Dec" not in listing
    assert [a["days"] for a in audit(bot, "vendor.holidays_added")] == [
        ["2026-12-04", "2026-12-25", "2026-12-31"],
        ["2027-01-01"],
    ]
    assert [a["days"] for a in audit(bot, "vendor.holidays_removed")] == [["2026-12-04"]]


@freeze_time("2026-11-30 20:00:00")
def test_relative_holiday_dates_are_the_vendors(bot: BotUnderTest) -> None:
    # 20:00 UTC Monday is already Tuesday 04:00 in Manila: "tomorrow" there is Wednesday.
    bot.command(f"vendor add {ACME} tz:Asia/Manila")
    bot.command(f"vendor holiday {ACME} add tomorrow")
    assert holidays(bot) == [date(2026, 12, 2)]


@freeze_time(MONDAY)
def test_past_holidays_are_not_listed(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    bot.command(f"vendor holiday {ACME} add 2026-12-01")
    with freeze_time("2026-12-02 10:00:00"):
        assert "no upcoming holidays" in bot.command(f"vendor holiday {ACME}")


@freeze_time(MONDAY)
def test_one_bad_date_adds_none_of_them(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    reply = bot.command(f"vendor holiday {ACME} add 2026-12-25 2026-13-01")
    assert reply.startswith(":warning:") and "YYYY-MM-DD" in reply
    assert holidays(bot) == []


@freeze_time(MONDAY)
def test_removing_a_day_that_is_no_holiday_removes_nothing(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    bot.command(f"vendor holiday {ACME} add 2026-12-25")
    reply = bot.command(f"vendor holiday {ACME} remove 2026-12-25 2026-12-26")
    assert reply.startswith(":warning:") and "Sat 26 Dec 2026 is not a holiday" in reply
    assert holidays(bot) == [date(2026, 12, 25)]


def test_vendor_set_figures_and_review_time(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    assert (the_vendor(bot).show_figures, the_vendor(bot).review_after_minutes) == (False, 1440)

    reply = bot.command(f"vendor set {ACME} figures:on review:8h")

    assert "figures in the summary" in reply and "review time" in reply
    assert (the_vendor(bot).show_figures, the_vendor(bot).review_after_minutes) == (True, 480)
    wrong = bot.command(f"vendor set {ACME} figures:maybe")
    assert "`figures:` is `on` or `off`" in wrong
    assert "`figures:` is not a vendor setting" in bot.command("vendor add <#C0NEW> figures:on")
