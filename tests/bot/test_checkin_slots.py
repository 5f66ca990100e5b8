"""More than one check-in a day (`weekdays@09:00,15:00`): the grammar, the DST rules for
several slots a day, and the scheduler claiming each slot once on its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.app import build_client
from bot.command_grammar import parse_command
from bot.commands import UpdateVendor
from bot.errors import UsageError
from bot.schedule_rules import (
    Cadence,
    day_slots,
    next_occurrence,
    next_slot,
    parse_cadence,
    previous_occurrence,
    previous_slot,
)
from tests.support.fake_slack import FakeSlack
from tests.support.scheduling import Clock, add_task, add_vendor, claims, make_deps, sent_checkins

NINE = time(9)
NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")
MANILA = ZoneInfo("Asia/Manila")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --------------------------------------------------------------------------- grammar


@pytest.mark.parametrize(
    ("text", "times", "canonical"),
    [
        pytest.param("weekdays@09:00,15:00", (NINE, time(15)), "weekdays@09:00,15:00", id="two"),
        pytest.param("weekdays@15:00,9", (NINE, time(15)), "weekdays@09:00,15:00", id="unsorted"),
        pytest.param("daily@9,9:00", (NINE,), "daily@09:00", id="repeat-is-one"),
        pytest.param(
            "mon,thu@8,12:30,17",
            (time(8), time(12, 30), time(17)),
            "mon,thu@08:00,12:30,17:00",
            id="three",
        ),
    ],
)
def test_several_times_a_day_parse_and_round_trip(
    text: str, times: tuple[time, ...], canonical: str
) -> None:
    parsed = parse_cadence(text, NINE)
    assert parsed.times == times
    assert str(parsed) == canonical
    assert parse_cadence(canonical, NINE) == parsed


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("weekdays@09:00,", "`@` is not a time", id="trailing-comma"),
        pytest.param("weekdays@09:00,25:00", "`@25:00` is not a time", id="bad-second"),
        pytest.param("daily@1,2,3,4,5", "has 5 times a day; give at most 4", id="five"),
        pytest.param("daily@09:00@15:00", "not a schedule", id="two-ats"),
    ],
)
def test_several_times_refused_with_how_to(text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_cadence(text, NINE)
    assert fragment in caught.value.message


def test_cadence_refuses_unsorted_or_repeated_slots_when_built_by_hand() -> None:
    with pytest.raises(ValueError):
        Cadence((0,), time(15), later=(time(9),))
    with pytest.raises(ValueError):
        Cadence((0,), time(9), later=(time(9),))


def test_vendor_set_takes_two_checkins_but_one_summary() -> None:
    command = parse_command("vendor set <#C0ACME|acme> checkins:weekdays@09:00,15:00")
    assert isinstance(command, UpdateVendor)
    assert str(command.checkins) == "weekdays@09:00,15:00"
    with pytest.raises(UsageError) as caught:
        parse_command("vendor set <#C0ACME|acme> summary:fri@09:00,15:00")
    assert "one time" in caught.value.message


# --------------------------------------------------------------------------- DST


def test_spring_gap_slot_that_lands_past_the_next_slot_is_dropped() -> None:
    """New York jumps 02:00 -> 03:00 on 2026-03-08: 02:30 would happen at 03:30, after
    the 03:15 slot; the day keeps 03:15 (and 09:00) only, in time order."""
    slots = day_slots(parse_cadence("daily@02:30,03:15,09:00", NINE), NEW_YORK, date(2026, 3, 8))
    assert [(s.key, s.instant) for s in slots] == [
        ("2026-03-08T03:15", utc(2026, 3, 8, 7, 15)),
        ("2026-03-08T09:00", utc(2026, 3, 8, 13)),
    ]
    # Any other day, all three.
    assert (
        len(day_slots(parse_cadence("daily@02:30,03:15,09:00", NINE), NEW_YORK, date(2026, 3, 9)))
        == 3
    )


def test_spring_gap_slot_before_a_later_slot_moves_after_the_jump() -> None:
    slots = day_slots(parse_cadence("daily@02:30,09:00", NINE), NEW_YORK, date(2026, 3, 8))
    assert [(s.key, s.instant) for s in slots] == [
        ("2026-03-08T02:30", utc(2026, 3, 8, 7, 30)),  # 03:30 EDT
        ("2026-03-08T09:00", utc(2026, 3, 8, 13)),
    ]


def test_autumn_fold_slots_happen_once_each() -> None:
    """01:15 and 01:45 both fall in New York's repeated hour on 2026-11-01: each once,
    the first time round (EDT)."""
    slots = day_slots(parse_cadence("daily@01:15,01:45", NINE), NEW_YORK, date(2026, 11, 1))
    assert [(s.key, s.instant) for s in slots] == [
        ("2026-11-01T01:15", utc(2026, 11, 1, 5, 15)),
        ("2026-11-01T01:45", utc(2026, 11, 1, 5, 45)),
    ]


@pytest.mark.parametrize(
    ("text", "tz", "start"),
    [
        pytest.param("daily@02:30,03:15,09:00", NEW_YORK, utc(2026, 3, 1), id="ny-march"),
        pytest.param("daily@01:15,01:45,15:00", NEW_YORK, utc(2026, 10, 25), id="ny-november"),
        pytest.param("weekdays@09:00,15:00", MANILA, utc(2026, 3, 1), id="manila"),
        pytest.param("daily@02:00,02:30,23:59", AUCKLAND, utc(2026, 9, 20), id="akl-sept"),
        pytest.param("daily@02:30,14:00", AUCKLAND, utc(2026, 3, 29), id="akl-april"),
    ],
)
def test_next_and_previous_agree_slot_by_slot(text: str, tz: ZoneInfo, start: datetime) -> None:
    """Walking forward across the DST change, every slot is its own previous slot, keys never
    repeat and instants strictly increase."""
    cadence = parse_cadence(text, NINE)
    seen: set[str] = set()
    earlier = previous_occurrence(cadence, tz, start)
    moment = start
    for _ in range(40):
        slot = next_slot(cadence, tz, moment)
        assert slot.instant > moment and slot.key not in seen
        seen.add(slot.key)
        assert next_occurrence(cadence, tz, moment) == slot.instant
        assert previous_slot(cadence, tz, slot.instant) == slot
        assert previous_occurrence(cadence, tz, slot.instant - timedelta(microseconds=1)) == earlier
        earlier = moment = slot.instant


# --------------------------------------------------------------------------- the scheduler


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return build_client(slack.bot_token, slack.api_url)


@pytest.fixture
def clock(engine: Engine, client: WebClient) -> Clock:
    return Clock(make_deps(engine), client)


def test_two_checkins_a_day_each_claimed_once(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    slack.add_channel("C0ACME", "acme", members=["U0BOT", "U0VENDOR"])
    vendor = add_vendor(engine, timezone="Asia/Manila", checkins="weekdays@09:00,15:00")
    add_task(engine, vendor, "Logo refresh")
    # Tuesday 2026-12-01 in Manila (UTC+8): 09:00 is 01:00 UTC, 15:00 is 07:00 UTC.
    for when in ("2026-12-01 01:00", "2026-12-01 01:30", "2026-12-01 06:59"):
        with freeze_time(when):
            clock.tick(when)
    assert sent_checkins(engine, vendor) == [("2026-12-01T09:00", "2026-12-01 01:00")]
    for when in ("2026-12-01 07:00", "2026-12-01 07:00", "2026-12-01 12:00"):
        with freeze_time(when):
            clock.tick(when)
    assert sent_checkins(engine, vendor) == [
        ("2026-12-01T09:00", "2026-12-01 01:00"),
        ("2026-12-01T15:00", "2026-12-01 07:00"),
    ]
    top = [m for m in slack.messages_in("C0ACME") if m["thread_ts"] in (None, m["ts"])]
    assert len(top) == 2


def test_a_missed_morning_slot_is_not_posted_late_once_the_afternoon_one_is_due(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    """Only the latest slot at `now` is ever considered: a bot down all morning posts the
    15:00 check-in, not 09:00's as well."""
    slack.add_channel("C0ACME", "acme", members=["U0BOT", "U0VENDOR"])
    vendor = add_vendor(engine, timezone="UTC", checkins="weekdays@09:00,15:00")
    add_task(engine, vendor, "Logo refresh")
    with freeze_time("2026-12-01 15:10"):
        clock.tick("2026-12-01 15:10")
    assert sent_checkins(engine, vendor) == [("2026-12-01T15:00", "2026-12-01 15:10")]
    assert [post.occurrence for post in claims(engine, "checkin")] == ["2026-12-01T15:00"]


@pytest.mark.parametrize(
    ("checkins", "start", "end", "expected"),
    [
        pytest.param(
            "daily@02:30,03:15,09:00",
            "2026-03-07 14:00",
            "2026-03-08 18:00",
            [
                ("2026-03-07T09:00", "2026-03-07 14:00"),
                ("2026-03-08T03:15", "2026-03-08 07:15"),  # 02:30 fell in the gap, dropped
                ("2026-03-08T09:00", "2026-03-08 13:00"),
            ],
            id="new-york-spring-forward",
        ),
        pytest.param(
            "daily@01:15,01:45",
            "2026-10-31 20:00",
            "2026-11-01 12:00",
            [
                ("2026-11-01T01:15", "2026-11-01 05:15"),  # the first 01:15 (EDT), once
                ("2026-11-01T01:45", "2026-11-01 05:45"),
            ],
            id="new-york-fall-back",
        ),
    ],
)
def test_each_slot_is_posted_once_across_dst_changes(
    engine: Engine,
    slack: FakeSlack,
    clock: Clock,
    checkins: str,
    start: str,
    end: str,
    expected: list[tuple[str, str]],
) -> None:
    """Ticks every 15 minutes through New York's clock changes, time frozen at each."""
    slack.add_channel("C0ACME", "acme", members=["U0BOT", "U0VENDOR"])
    vendor = add_vendor(engine, timezone="America/New_York", checkins=checkins, workdays="daily")
    add_task(engine, vendor, "Logo refresh")
    with freeze_time(start) as frozen:
        moment = datetime.fromisoformat(start).replace(tzinfo=UTC)
        last = datetime.fromisoformat(end).replace(tzinfo=UTC)
        while moment <= last:
            frozen.move_to(moment)
            clock.tick(moment)
            clock.tick(moment)  # a second process at the same instant posts nothing more
            moment += timedelta(minutes=15)
    assert sent_checkins(engine, vendor) == expected
