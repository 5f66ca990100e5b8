"""Public holidays by country (`vendor set #acme holidays:PH`): the code's grammar, the
listing with both sources, and the scheduler keeping check-ins, reminders and summaries
off those days (SQLite and PostgreSQL, time moved with freezegun)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.app import build_client
from bot.errors import UsageError
from bot.public_holidays import parse_holiday_code, public_holidays
from storage.models import Vendor
from tests.support.fake_slack import FakeSlack
from tests.support.scheduling import (
    Clock,
    add_task,
    add_vendor,
    claims,
    make_deps,
    sent_checkins,
    update_vendor,
)
from tests.support.slack_requests import BotUnderTest

ACME = "<#C0ACME|acme-design>"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("PH", "PH", id="country"),
        pytest.param(" ph ", "PH", id="lower-case"),
        pytest.param("PHL", "PH", id="alpha-3"),
        pytest.param("us-ca", "US-CA", id="subdivision"),
        pytest.param("AR", "AR", id="argentina"),
    ],
)
def test_holiday_codes_are_canonical(text: str, code: str) -> None:
    assert parse_holiday_code(text) == code


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("XX", "not a country code I know", id="unknown"),
        pytest.param("Philippines", "`holidays:PH`", id="name-guessed"),
        pytest.param("US-ZZ", "US has no region `ZZ`", id="unknown-region"),
        pytest.param("PH-XX", "PH has no regions", id="no-regions"),
        pytest.param("<@U1>", "holidays.readthedocs.io", id="garbage"),
    ],
)
def test_unknown_codes_say_how_to_find_the_right_one(text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_holiday_code(text)
    assert fragment in caught.value.message


def test_rizal_day_is_a_philippine_holiday_and_a_bad_stored_code_gives_none() -> None:
    days = public_holidays("PH", date(2026, 12, 28), date(2027, 1, 2))
    assert days[date(2026, 12, 30)] == "Rizal Day"
    assert date(2027, 1, 1) in days
    assert public_holidays("XX-NOPE", date(2026, 1, 1), date(2026, 12, 31)) == {}
    assert public_holidays(None, date(2026, 1, 1), date(2026, 12, 31)) == {}


# --------------------------------------------------------------------------- the command


def the_vendor(bot: BotUnderTest) -> Vendor:
    with Session(bot.engine) as session:
        return session.exec(select(Vendor)).one()


@freeze_time("2026-12-01 02:00:00")
def test_vendor_set_holidays_and_the_listing_of_both_sources(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme tz:Asia/Manila")
    reply = bot.command(f"vendor set {ACME} holidays:ph")
    assert reply.startswith(":white_check_mark: Changed public holidays.")
    assert "public holidays `PH`" in reply
    assert the_vendor(bot).public_holidays == "PH"
    bot.command(f"vendor holiday {ACME} add 2026-12-29 2026-12-30")
    listing = bot.command(f"vendor holiday {ACME}")
    assert "public holidays of PH" in listing
    assert "• Tue 29 Dec 2026: own day off" in listing
    assert "• Wed 30 Dec 2026: Rizal Day (PH), own day off" in listing
    assert "• Fri 1 Jan 2027: New Year's Day (PH)" in listing

    refused = bot.command(f"vendor set {ACME} holidays:Philippines")
    assert "`holidays:PH`" in refused
    refused = bot.command(f"vendor set {ACME} holidays:ZZ")
    assert "not a country code I know" in refused and "readthedocs" in refused
    assert the_vendor(bot).public_holidays == "PH"

    cleared = bot.command(f"vendor set {ACME} holidays:none")
    assert cleared.startswith(":white_check_mark: Changed public holidays.")
    assert the_vendor(bot).public_holidays is None


@freeze_time("2026-12-01 02:00:00")
def test_vendor_add_takes_holidays(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme tz:America/Los_Angeles holidays:US-CA")
    assert the_vendor(bot).public_holidays == "US-CA"


# --------------------------------------------------------------------------- the scheduler


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return build_client(slack.bot_token, slack.api_url)


@pytest.fixture
def clock(engine: Engine, client: WebClient) -> Clock:
    return Clock(make_deps(engine), client)


def test_manila_agency_gets_no_checkin_reminder_or_summary_on_public_holidays(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    """Rizal Day (Wed 30 Dec), New Year's Eve and Day (Thu 31, Fri 1 Jan), Christmas (Fri 25)
    are public holidays in the Philippines: nobody typed them in."""
    slack.add_channel("C0ACME", "acme", members=["U0BOT", "U0VENDOR"])
    vendor = add_vendor(engine, timezone="Asia/Manila", checkins="weekdays@09:00")
    update_vendor(engine, vendor, public_holidays="PH")
    add_task(engine, vendor, "Logo refresh")
    # Hourly ticks from Wed 23 Dec to Tue 5 Jan, Manila time (UTC+8).
    with freeze_time("2026-12-23 00:00"):
        clock.run("2026-12-23 00:00", "2027-01-05 12:00")
    sent = [key for key, _ in sent_checkins(engine, vendor)]
    assert sent == [
        "2026-12-23T09:00",
        # 24 Dec Christmas Eve and 25 Dec Christmas Day are PH holidays.
        "2026-12-28T09:00",
        "2026-12-29T09:00",
        # 30 Dec Rizal Day, 31 Dec New Year's Eve, 1 Jan New Year's Day.
        "2027-01-04T09:00",
        "2027-01-05T09:00",
    ]
    holiday_dates = ("2026-12-24", "2026-12-25", "2026-12-30", "2026-12-31", "2027-01-01")
    for post in claims(engine):
        if post.kind in ("checkin", "summary", "feedback_prompt"):
            assert not post.occurrence.startswith(holiday_dates), post
    # Reminders and escalations only on working days (in Manila).
    for post in claims(engine, state="sent"):
        if post.kind in ("reminder", "escalation") and post.sent_at is not None:
            local = post.sent_at.astimezone(ZoneInfo("Asia/Manila"))
            assert local.date().isoformat() not in holiday_dates, post


def test_the_trial_prompt_counts_public_holidays_as_days_off(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    """A trial ending Mon 4 Jan 2027 in Manila: its prompt is due on the third working day
    before. Counting back: 1 Jan, 31 and 30 Dec are public holidays, 29 and 28 Dec count,
    25 and 24 Dec are holidays too, so Wed 23 Dec at the check-in time."""
    slack.add_channel("C0ACME", "acme", members=["U0BOT", "U0VENDOR"])
    vendor = add_vendor(engine, timezone="Asia/Manila", checkins="weekdays@09:00")
    update_vendor(
        engine,
        vendor,
        public_holidays="PH",
        trial_started_on=date(2026, 12, 1),
        trial_ends_on=date(2027, 1, 4),
    )
    with freeze_time("2026-12-23 00:30"):
        clock.tick("2026-12-23 00:30")  # 08:30 in Manila: not yet
        assert claims(engine, "trial_prompt") == []
        clock.tick("2026-12-23 01:00")  # 09:00
    [prompt] = claims(engine, "trial_prompt")
    assert (prompt.occurrence, prompt.state) == ("2027-01-04", "sent")
