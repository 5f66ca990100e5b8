"""Table-driven tests for bot.schedule_rules: dates, zones, cadences, durations, DST."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import UsageError
from bot.schedule_rules import (
    Cadence,
    format_days,
    local_today,
    next_occurrence,
    occurrence_key,
    parse_cadence,
    parse_due_date,
    parse_duration,
    parse_timezone,
    parse_workdays,
    previous_occurrence,
)

NEW_YORK = ZoneInfo("America/New_York")
MANILA = ZoneInfo("Asia/Manila")
AUCKLAND = ZoneInfo("Pacific/Auckland")
NINE = time(9, 0)

MONDAY = date(2026, 3, 2)
WEDNESDAY = date(2026, 3, 4)
FRIDAY = date(2026, 3, 6)
SUNDAY = date(2026, 3, 8)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Shorthand for an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def cadence(text: str) -> Cadence:
    """Shorthand for a cadence whose text always carries its own time or uses 09:00."""
    return parse_cadence(text, NINE)


# --------------------------------------------------------------------------- due dates


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        pytest.param("2026-03-20", WEDNESDAY, date(2026, 3, 20), id="iso"),
        pytest.param("2026-03-04", WEDNESDAY, WEDNESDAY, id="iso-today"),
        pytest.param("today", WEDNESDAY, WEDNESDAY, id="today"),
        pytest.param("TODAY", WEDNESDAY, WEDNESDAY, id="today-upper"),
        pytest.param("  tomorrow ", WEDNESDAY, date(2026, 3, 5), id="tomorrow-spaces"),
        pytest.param("tomorrow", date(2026, 12, 31), date(2027, 1, 1), id="tomorrow-new-year"),
        pytest.param("fri", WEDNESDAY, FRIDAY, id="fri-this-week"),
        pytest.param("Friday", WEDNESDAY, FRIDAY, id="full-name-mixed-case"),
        pytest.param("thu", WEDNESDAY, date(2026, 3, 5), id="next-day"),
        pytest.param("wed", WEDNESDAY, date(2026, 3, 11), id="same-weekday-is-week-later"),
        pytest.param("mon", MONDAY, date(2026, 3, 9), id="mon-on-monday-week-later"),
        pytest.param("monday", FRIDAY, date(2026, 3, 9), id="wrap-over-weekend"),
        pytest.param("sun", SUNDAY, date(2026, 3, 15), id="sun-on-sunday"),
        pytest.param("sat", SUNDAY, date(2026, 3, 14), id="sat-from-sunday"),
        pytest.param("tue", date(2026, 12, 30), date(2027, 1, 5), id="weekday-over-year-end"),
        pytest.param("+1d", WEDNESDAY, date(2026, 3, 5), id="plus-1d"),
        pytest.param("+3D", WEDNESDAY, date(2026, 3, 7), id="plus-3d-upper"),
        pytest.param("+2w", WEDNESDAY, date(2026, 3, 18), id="plus-2w"),
        pytest.param("+999d", WEDNESDAY, date(2028, 11, 27), id="plus-999d"),
        pytest.param("2028-02-29", WEDNESDAY, date(2028, 2, 29), id="leap-day-valid"),
        pytest.param("2036-12-31", WEDNESDAY, date(2036, 12, 31), id="last-allowed-year"),
    ],
)
def test_parse_due_date_accepts(text: str, today: date, expected: date) -> None:
    assert parse_due_date(text, today) == expected


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        pytest.param("2026-03-03", ["`2026-03-03`", "is in the past", "2026-03-04"], id="iso-past"),
        pytest.param("2025-12-31", ["is in the past"], id="last-year"),
        pytest.param("2027-02-29", ["`2027-02-29`", "not a real calendar date"], id="no-leap"),
        pytest.param("2026-13-01", ["not a real calendar date", "YYYY-MM-DD"], id="month-13"),
        pytest.param("2026-04-31", ["not a real calendar date"], id="april-31"),
        pytest.param("2037-01-01", ["too far ahead", "2036-12-31"], id="beyond-ten-years"),
        pytest.param("+999w", ["too far ahead"], id="plus-999w-too-far"),
        pytest.param("31-12", ["`31-12` is not a date I understand", "`+3d` / `+2w`"], id="dd-mm"),
        pytest.param("2026-3-9", ["not a date I understand"], id="unpadded"),
        pytest.param("2026/03/09", ["not a date I understand"], id="slashes"),
        pytest.param("yesterday", ["`yesterday`", "`tomorrow`"], id="yesterday"),
        pytest.param("next fri", ["not a date I understand"], id="two-words"),
        pytest.param("fr", ["not a date I understand", "like `fri`"], id="short-day"),
        pytest.param("+0d", ["`+0d`", "at least one"], id="plus-zero"),
        pytest.param("+1000d", ["not a date I understand"], id="plus-four-digits"),
        pytest.param("+3", ["not a date I understand"], id="plus-no-unit"),
        pytest.param("+3m", ["not a date I understand"], id="plus-months"),
        pytest.param("-3d", ["not a date I understand"], id="minus"),
        pytest.param("٢٠٢٦-٠٣-٠٩", ["not a date I understand"], id="non-ascii-digits"),
        pytest.param("`rm`", ["`'rm'` is not a date"], id="backticks-neutralised"),
        pytest.param("", ["empty", "`YYYY-MM-DD`"], id="empty"),
        pytest.param("   ", ["empty"], id="blank"),
    ],
)
def test_parse_due_date_rejects(text: str, fragments: list[str]) -> None:
    with pytest.raises(UsageError) as caught:
        parse_due_date(text, WEDNESDAY)
    for fragment in fragments:
        assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        pytest.param(utc(2026, 3, 8, 20), MANILA, date(2026, 3, 9), id="manila-ahead"),
        pytest.param(utc(2026, 3, 8, 20), NEW_YORK, date(2026, 3, 8), id="new-york-same"),
        pytest.param(utc(2026, 3, 9, 3), NEW_YORK, date(2026, 3, 8), id="new-york-behind"),
        pytest.param(datetime(2026, 3, 8, 20), MANILA, date(2026, 3, 9), id="naive-is-utc"),
        pytest.param(
            datetime(2026, 3, 9, 4, tzinfo=MANILA), NEW_YORK, date(2026, 3, 8), id="aware-non-utc"
        ),
        pytest.param(utc(2026, 4, 4, 12), AUCKLAND, date(2026, 4, 5), id="auckland-ahead"),
    ],
)
def test_local_today(now: datetime, tz: ZoneInfo, expected: date) -> None:
    assert local_today(now, tz) == expected


# --------------------------------------------------------------------------- time zones


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param("Asia/Manila", "Asia/Manila", id="exact"),
        pytest.param("America/New_York", "America/New_York", id="exact-underscore"),
        pytest.param("asia/manila", "Asia/Manila", id="lowercase"),
        pytest.param("AMERICA/NEW_YORK", "America/New_York", id="uppercase"),
        pytest.param("America/New York", "America/New_York", id="space-for-underscore"),
        pytest.param("  Pacific/Auckland ", "Pacific/Auckland", id="surrounding-space"),
        pytest.param("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires", id="deep"),
        pytest.param("UTC", "UTC", id="utc"),
        pytest.param("utc", "UTC", id="utc-lowercase"),
        pytest.param("Etc/UTC", "Etc/UTC", id="etc-utc"),
    ],
)
def test_parse_timezone_accepts(text: str, key: str) -> None:
    zone = parse_timezone(text)
    assert isinstance(zone, ZoneInfo)
    assert zone.key == key


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Mars/Base", id="unknown"),
        pytest.param("Manila", id="city-only"),
        pytest.param("EST-ish", id="garbage"),
        pytest.param("../etc/passwd", id="relative-path"),
        pytest.param("/etc/passwd", id="absolute-path"),
        pytest.param("/usr/share/zoneinfo/Asia/Manila", id="absolute-zone-file"),
        pytest.param("Asia/../Asia/Manila", id="dot-dot-inside"),
        pytest.param("Asia/Manila/", id="trailing-slash"),
        pytest.param("localtime", id="localtime"),
        pytest.param("LOCALTIME", id="localtime-upper"),
        pytest.param("Factory", id="factory-placeholder"),
        pytest.param("America", id="directory"),
        pytest.param("Asia/Manila\x00", id="nul-byte"),
        pytest.param("+08:00", id="offset"),
    ],
)
def test_parse_timezone_rejects(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_timezone(text)
    assert "is not a time zone I know" in caught.value.message
    assert "`Asia/Manila`" in caught.value.message


def test_parse_timezone_message_names_value() -> None:
    with pytest.raises(UsageError) as caught:
        parse_timezone("Mars/Base")
    assert caught.value.message == (
        "`Mars/Base` is not a time zone I know. "
        "Use an IANA name such as `Asia/Manila` or `America/New_York`."
    )


@pytest.mark.parametrize("text", [pytest.param("", id="empty"), pytest.param("  ", id="blank")])
def test_parse_timezone_rejects_empty(text: str) -> None:
    with pytest.raises(UsageError, match="empty"):
        parse_timezone(text)


# --------------------------------------------------------------------------- cadences


@pytest.mark.parametrize(
    ("text", "days", "at", "canonical"),
    [
        pytest.param("daily", (0, 1, 2, 3, 4, 5, 6), NINE, "daily@09:00", id="daily-default"),
        pytest.param("weekdays", (0, 1, 2, 3, 4), NINE, "weekdays@09:00", id="weekdays"),
        pytest.param("weekly", (0,), NINE, "mon@09:00", id="weekly-is-monday"),
        pytest.param("Weekdays@17:30", (0, 1, 2, 3, 4), time(17, 30), "weekdays@17:30", id="case"),
        pytest.param("daily@9", (0, 1, 2, 3, 4, 5, 6), NINE, "daily@09:00", id="bare-hour"),
        pytest.param("daily@9:30", (0, 1, 2, 3, 4, 5, 6), time(9, 30), "daily@09:30", id="h-mm"),
        pytest.param("daily@00:00", (0, 1, 2, 3, 4, 5, 6), time(0), "daily@00:00", id="midnight"),
        pytest.param("daily@23:59", (0, 1, 2, 3, 4, 5, 6), time(23, 59), "daily@23:59", id="max"),
        pytest.param("mon,wed,fri", (0, 2, 4), NINE, "mon,wed,fri@09:00", id="list"),
        pytest.param("fri,mon,wed", (0, 2, 4), NINE, "mon,wed,fri@09:00", id="list-unsorted"),
        pytest.param("mon,mon", (0,), NINE, "mon@09:00", id="duplicate"),
        pytest.param("Monday,FRIDAY", (0, 4), NINE, "mon,fri@09:00", id="full-names"),
        pytest.param("mon-thu@8", (0, 1, 2, 3), time(8), "mon,tue,wed,thu@08:00", id="range"),
        pytest.param("mon-fri", (0, 1, 2, 3, 4), NINE, "weekdays@09:00", id="range-weekdays"),
        pytest.param("monday-friday", (0, 1, 2, 3, 4), NINE, "weekdays@09:00", id="range-full"),
        pytest.param(
            "sun-thu", (0, 1, 2, 3, 6), NINE, "mon,tue,wed,thu,sun@09:00", id="range-wraps"
        ),
        pytest.param("fri-mon@18:00", (0, 4, 5, 6), time(18), "mon,fri,sat,sun@18:00", id="wrap"),
        pytest.param("sat-fri", (0, 1, 2, 3, 4, 5, 6), NINE, "daily@09:00", id="wrap-full-week"),
        pytest.param("mon-tue,thu", (0, 1, 3), NINE, "mon,tue,thu@09:00", id="range-and-day"),
        pytest.param(" tue , thu ", (1, 3), NINE, "tue,thu@09:00", id="spaces-in-list"),
    ],
)
def test_parse_cadence_accepts(text: str, days: tuple[int, ...], at: time, canonical: str) -> None:
    parsed = cadence(text)
    assert parsed == Cadence(days=days, at=at)
    assert str(parsed) == canonical
    assert cadence(canonical) == parsed


def test_parse_cadence_uses_default_time_without_seconds() -> None:
    assert parse_cadence("daily", time(7, 45, 30)).at == time(7, 45)


@pytest.mark.parametrize("at", [time(0), time(9), time(9, 30), time(23, 59)], ids=str)
def test_cadence_round_trips_for_every_day_set(at: time) -> None:
    for size in range(1, 8):
        for days in itertools.combinations(range(7), size):
            original = Cadence(days=days, at=at)
            assert parse_cadence(str(original), time(12)) == original


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "sometimes",
            "`sometimes` is not a schedule I understand. Write `daily`, `weekdays`, `weekly` "
            "or days like `mon,wed,fri`, optionally with a time: `weekdays@09:00` "
            "(or times: `weekdays@09:00,15:00`).",
            id="garbage",
        ),
        pytest.param(
            "daily@25:00",
            "`@25:00` is not a time; write it as 24-hour `HH:MM`, e.g. `@09:00`.",
            id="hour-25",
        ),
    ],
)
def test_parse_cadence_messages(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        cadence(text)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("   ", "empty", id="blank"),
        pytest.param("@09:00", "not a schedule", id="time-only"),
        pytest.param("mon,,wed", "not a schedule", id="empty-item"),
        pytest.param("mon,", "not a schedule", id="trailing-comma"),
        pytest.param("mon-", "not a schedule", id="open-range"),
        pytest.param("mon-mon", "not a schedule", id="same-day-range"),
        pytest.param("mon-wed-fri", "not a schedule", id="double-range"),
        pytest.param("funday", "not a schedule", id="bad-day"),
        pytest.param("weekly,fri", "not a schedule", id="keyword-in-list"),
        pytest.param("every monday", "not a schedule", id="words"),
        pytest.param("daily@09:00@10:00", "not a schedule", id="two-times"),
        pytest.param("daily@24:00", "`@24:00` is not a time", id="hour-24"),
        pytest.param("daily@9:60", "`@9:60` is not a time", id="minute-60"),
        pytest.param("daily@9:5", "is not a time", id="one-digit-minute"),
        pytest.param("daily@9am", "`@9am` is not a time", id="am"),
        pytest.param("daily@", "`@` is not a time", id="missing-time"),
        pytest.param("daily@-1", "is not a time", id="negative"),
        pytest.param("daily@123", "is not a time", id="three-digits"),
    ],
)
def test_parse_cadence_rejects(text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        cadence(text)
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("days", "at"),
    [
        pytest.param((), NINE, id="no-days"),
        pytest.param((2, 1), NINE, id="unsorted"),
        pytest.param((1, 1), NINE, id="duplicate"),
        pytest.param((7,), NINE, id="day-7"),
        pytest.param((0,), time(9, 0, 30), id="seconds"),
        pytest.param((0,), time(9, tzinfo=UTC), id="aware-time"),
    ],
)
def test_cadence_rejects_invalid_construction(days: tuple[int, ...], at: time) -> None:
    with pytest.raises(ValueError):
        Cadence(days=days, at=at)


# --------------------------------------------------------------------------- workdays


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("mon-fri", (0, 1, 2, 3, 4), id="mon-fri"),
        pytest.param("sun-thu", (0, 1, 2, 3, 6), id="sun-thu-wraps"),
        pytest.param("Sat-Wed", (0, 1, 2, 5, 6), id="sat-wed-wraps"),
        pytest.param("mon,tue,wed", (0, 1, 2), id="list"),
        pytest.param("weekdays", (0, 1, 2, 3, 4), id="weekdays"),
        pytest.param("daily", (0, 1, 2, 3, 4, 5, 6), id="daily"),
        pytest.param("tuesday,thursday", (1, 3), id="full-names"),
        pytest.param("mon-wed,fri", (0, 1, 2, 4), id="range-and-day"),
    ],
)
def test_parse_workdays_accepts(text: str, expected: tuple[int, ...]) -> None:
    assert parse_workdays(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("", "empty", id="empty"),
        pytest.param("weekly", "not a list of days", id="weekly"),
        pytest.param("mon-fri@09:00", "workdays take none", id="with-time"),
        pytest.param("funday", "`funday` is not a list of days", id="bad-day"),
        pytest.param("mon-", "not a list of days", id="open-range"),
        pytest.param("-fri", "not a list of days", id="open-start"),
        pytest.param("mon;tue", "not a list of days", id="semicolon"),
    ],
)
def test_parse_workdays_rejects(text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_workdays(text)
    assert fragment in caught.value.message
    assert "`mon-fri`" in caught.value.message


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param((0, 1, 2, 3, 4), "mon-fri", id="weekdays"),
        pytest.param((6, 0, 1, 2, 3), "sun-thu", id="sun-thu"),
        pytest.param((0, 1, 2, 3, 4, 5, 6), "daily", id="daily"),
        pytest.param((0, 2, 4), "mon,wed,fri", id="list"),
        pytest.param((3,), "thu", id="single"),
        pytest.param((0, 1), "mon,tue", id="pair-not-range"),
        pytest.param((5, 6), "sat,sun", id="weekend"),
        pytest.param((5, 6, 0), "sat-mon", id="three-wrapping"),
        pytest.param((6, 0), "sun,mon", id="pair-wrapping"),
        pytest.param((0, 1, 2, 4), "mon-wed,fri", id="range-and-day"),
        pytest.param((6, 0, 1, 3), "sun-tue,thu", id="wrapping-run-first"),
        pytest.param((0, 2, 3, 4, 6), "sun,mon,wed-fri", id="wrapping-pair-first"),
        pytest.param((0, 1, 2, 3, 4, 5), "mon-sat", id="six-days"),
        pytest.param((1, 2, 3, 4, 5, 6), "tue-sun", id="six-days-no-monday"),
        pytest.param((4, 2, 0, 2), "mon,wed,fri", id="unsorted-duplicates"),
    ],
)
def test_format_days(days: tuple[int, ...], expected: str) -> None:
    assert format_days(days) == expected


def test_format_days_round_trips_for_every_day_set() -> None:
    for size in range(1, 8):
        for days in itertools.combinations(range(7), size):
            assert parse_workdays(format_days(days)) == days


@pytest.mark.parametrize(
    "days",
    [pytest.param((), id="empty"), pytest.param((7,), id="day-7"), pytest.param((-1,), id="neg")],
)
def test_format_days_rejects_invalid(days: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        format_days(days)


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("4h", timedelta(hours=4), id="hours"),
        pytest.param("90m", timedelta(minutes=90), id="minutes"),
        pytest.param("1h30m", timedelta(hours=1, minutes=30), id="hours-minutes"),
        pytest.param("2d", timedelta(days=2), id="days"),
        pytest.param("1d12h", timedelta(days=1, hours=12), id="days-hours"),
        pytest.param("1d2h3m", timedelta(days=1, hours=2, minutes=3), id="all-units"),
        pytest.param("4H", timedelta(hours=4), id="uppercase"),
        pytest.param(" 15m ", timedelta(minutes=15), id="spaces"),
        pytest.param("1m", timedelta(minutes=1), id="shortest"),
        pytest.param("7d", timedelta(days=7), id="longest-days"),
        pytest.param("168h", timedelta(days=7), id="longest-hours"),
        pytest.param("10080m", timedelta(days=7), id="longest-minutes"),
    ],
)
def test_parse_duration_accepts(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("", "write it like `4h` or `90m`", id="empty"),
        pytest.param("abc", "`abc` is not a duration; write it like `4h` or `90m`.", id="garbage"),
        pytest.param("4", "not a duration", id="no-unit"),
        pytest.param("h", "not a duration", id="no-number"),
        pytest.param("1.5h", "not a duration", id="decimal"),
        pytest.param("30m1h", "not a duration", id="wrong-order"),
        pytest.param("4 h", "not a duration", id="inner-space"),
        pytest.param("-4h", "not a duration", id="negative"),
        pytest.param("4hours", "not a duration", id="word-unit"),
        pytest.param("1w", "not a duration", id="weeks"),
        pytest.param("0m", "too short", id="zero"),
        pytest.param("0d0h0m", "too short", id="zero-all-units"),
        pytest.param("8d", "longer than a week", id="eight-days"),
        pytest.param("7d1m", "longer than a week", id="week-plus-minute"),
        pytest.param("169h", "longer than a week", id="169h"),
        pytest.param("99999m", "longer than a week", id="many-minutes"),
    ],
)
def test_parse_duration_rejects(text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_duration(text)
    assert fragment in caught.value.message


# --------------------------------------------------------------------------- occurrences


@pytest.mark.parametrize(
    ("local_date", "at", "expected"),
    [
        pytest.param(date(2026, 11, 3), NINE, "2026-11-03T09:00", id="morning"),
        pytest.param(date(2026, 1, 1), time(0, 5), "2026-01-01T00:05", id="zero-padded"),
    ],
)
def test_occurrence_key(local_date: date, at: time, expected: str) -> None:
    assert occurrence_key(local_date, at) == expected


def test_both_fold_instants_share_one_occurrence_key() -> None:
    """01:30 happens twice on 2026-11-01 in New York (EDT, then EST); the key dedupes it."""
    slot = cadence("daily@01:30")
    first, second = utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)
    assert [fire.astimezone(NEW_YORK).time() for fire in (first, second)] == [slot.at] * 2
    keys = {occurrence_key(fire.astimezone(NEW_YORK).date(), slot.at) for fire in (first, second)}
    assert keys == {"2026-11-01T01:30"}


NEXT_CASES = [
    # America/New_York, spring forward 2026-03-08 02:00 EST -> 03:00 EDT.
    pytest.param(
        "daily@09:00", NEW_YORK, utc(2026, 3, 7, 13), utc(2026, 3, 7, 14), id="ny-before-march"
    ),
    pytest.param(
        "daily@09:00", NEW_YORK, utc(2026, 3, 7, 14), utc(2026, 3, 8, 13), id="ny-across-march"
    ),
    pytest.param(
        "daily@09:00",
        NEW_YORK,
        datetime(2026, 3, 9, 12, 59, 59, 999999, tzinfo=UTC),
        utc(2026, 3, 9, 13),
        id="ny-one-microsecond-before",
    ),
    # America/New_York, fall back 2026-11-01 02:00 EDT -> 01:00 EST.
    pytest.param(
        "weekdays@09:00", NEW_YORK, utc(2026, 10, 30, 12), utc(2026, 10, 30, 13), id="ny-fri-edt"
    ),
    pytest.param(
        "weekdays@09:00",
        NEW_YORK,
        utc(2026, 10, 30, 13),
        utc(2026, 11, 2, 14),
        id="ny-fri-to-mon-across-november",
    ),
    pytest.param(
        "weekdays@09:00",
        NEW_YORK,
        utc(2026, 11, 2, 14),
        utc(2026, 11, 3, 14),
        id="ny-equal-is-not-after",
    ),
    # Asia/Manila, UTC+8 all year.
    pytest.param(
        "weekdays@09:00", MANILA, utc(2026, 3, 6, 0), utc(2026, 3, 6, 1), id="manila-friday"
    ),
    pytest.param(
        "weekdays@09:00", MANILA, utc(2026, 3, 6, 1), utc(2026, 3, 9, 1), id="manila-fri-to-mon"
    ),
    pytest.param(
        "weekdays@09:00", MANILA, utc(2026, 3, 7, 0), utc(2026, 3, 9, 1), id="manila-saturday"
    ),
    pytest.param(
        "weekdays@09:00",
        MANILA,
        datetime(2026, 3, 6, 1, 0),
        utc(2026, 3, 9, 1),
        id="naive-after-is-utc",
    ),
    pytest.param(
        "weekly@09:00", MANILA, utc(2026, 3, 9, 1), utc(2026, 3, 16, 1), id="weekly-a-week-later"
    ),
    # Pacific/Auckland, autumn 2026-04-05 03:00 NZDT -> 02:00 NZST.
    pytest.param("daily@09:00", AUCKLAND, utc(2026, 4, 3, 12), utc(2026, 4, 3, 20), id="akl-nzdt"),
    pytest.param(
        "daily@09:00", AUCKLAND, utc(2026, 4, 3, 20), utc(2026, 4, 4, 21), id="akl-across-april"
    ),
    # Pacific/Auckland, spring 2026-09-27 02:00 NZST -> 03:00 NZDT.
    pytest.param(
        "daily@09:00", AUCKLAND, utc(2026, 9, 25, 12), utc(2026, 9, 25, 21), id="akl-nzst"
    ),
    pytest.param(
        "daily@09:00", AUCKLAND, utc(2026, 9, 25, 21), utc(2026, 9, 26, 20), id="akl-across-sept"
    ),
    # A slot before the change on change day: APScheduler's CronTrigger skips the next day.
    pytest.param(
        "daily@00:00",
        NEW_YORK,
        utc(2026, 3, 8, 5),
        utc(2026, 3, 9, 4),
        id="ny-midnight-day-after-spring-forward",
    ),
    pytest.param(
        "sun-thu@00:30",
        NEW_YORK,
        utc(2026, 3, 8, 5, 30),
        utc(2026, 3, 9, 4, 30),
        id="ny-0030-day-after-spring-forward",
    ),
    pytest.param(
        "daily@00:00",
        AUCKLAND,
        utc(2026, 9, 26, 12),
        utc(2026, 9, 27, 11),
        id="akl-midnight-day-after-spring-forward",
    ),
    # A slot inside the skipped hour happens once, just after the jump (03:30 EDT).
    pytest.param(
        "daily@02:30", NEW_YORK, utc(2026, 3, 8, 5), utc(2026, 3, 8, 7, 30), id="ny-gap-slot"
    ),
    pytest.param(
        "daily@02:30",
        NEW_YORK,
        utc(2026, 3, 8, 7, 10),
        utc(2026, 3, 8, 7, 30),
        id="ny-gap-slot-after-jump",
    ),
    pytest.param(
        "daily@02:30", NEW_YORK, utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30), id="ny-after-gap"
    ),
    pytest.param(
        "daily@02:30", AUCKLAND, utc(2026, 9, 26, 12), utc(2026, 9, 26, 14, 30), id="akl-gap-slot"
    ),
    # A slot inside the repeated hour happens once, at its first (daylight-time) instance.
    pytest.param(
        "daily@01:30", NEW_YORK, utc(2026, 11, 1, 4), utc(2026, 11, 1, 5, 30), id="ny-fold-first"
    ),
    pytest.param(
        "daily@01:30",
        NEW_YORK,
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 2, 6, 30),
        id="ny-fold-no-second-firing",
    ),
    pytest.param(
        "daily@01:30",
        NEW_YORK,
        utc(2026, 11, 1, 6, 0),
        utc(2026, 11, 2, 6, 30),
        id="ny-fold-between-firings",
    ),
    pytest.param(
        "daily@02:30",
        AUCKLAND,
        utc(2026, 4, 4, 13, 30),
        utc(2026, 4, 5, 14, 30),
        id="akl-fold-no-second-firing",
    ),
]


@pytest.mark.parametrize(("text", "tz", "after", "expected"), NEXT_CASES)
def test_next_occurrence(text: str, tz: ZoneInfo, after: datetime, expected: datetime) -> None:
    result = next_occurrence(cadence(text), tz, after)
    assert result == expected
    assert result.tzinfo is UTC


PREVIOUS_CASES = [
    pytest.param(
        "weekdays@09:00", NEW_YORK, utc(2026, 11, 2, 14), utc(2026, 11, 2, 14), id="ny-inclusive"
    ),
    pytest.param(
        "weekdays@09:00",
        NEW_YORK,
        utc(2026, 11, 2, 13, 59),
        utc(2026, 10, 30, 13),
        id="ny-mon-back-to-fri-across-november",
    ),
    pytest.param(
        "weekly", NEW_YORK, utc(2026, 3, 9, 12), utc(2026, 3, 2, 14), id="ny-weekly-across-march"
    ),
    pytest.param(
        "daily@09:00", NEW_YORK, utc(2026, 3, 8, 13, 30), utc(2026, 3, 8, 13), id="ny-march-edt"
    ),
    pytest.param(
        "daily@09:00", NEW_YORK, utc(2026, 3, 8, 12), utc(2026, 3, 7, 14), id="ny-march-est"
    ),
    pytest.param(
        "weekdays@09:00", MANILA, utc(2026, 3, 7, 10), utc(2026, 3, 6, 1), id="manila-weekend"
    ),
    pytest.param(
        "weekdays@09:00",
        MANILA,
        datetime(2026, 3, 9, 0, 59),
        utc(2026, 3, 6, 1),
        id="manila-naive-monday-early",
    ),
    pytest.param(
        "daily@09:00", AUCKLAND, utc(2026, 4, 5, 0), utc(2026, 4, 4, 21), id="akl-after-april"
    ),
    pytest.param(
        "daily@09:00", AUCKLAND, utc(2026, 4, 4, 20, 59), utc(2026, 4, 3, 20), id="akl-before-april"
    ),
    pytest.param(
        "daily@09:00", AUCKLAND, utc(2026, 9, 27, 0), utc(2026, 9, 26, 20), id="akl-after-sept"
    ),
    # Skipped hour: the 02:30 slot of 2026-03-08 is at 03:30 EDT.
    pytest.param(
        "daily@02:30", NEW_YORK, utc(2026, 3, 8, 7, 10), utc(2026, 3, 7, 7, 30), id="ny-gap-before"
    ),
    pytest.param(
        "daily@02:30", NEW_YORK, utc(2026, 3, 8, 7, 30), utc(2026, 3, 8, 7, 30), id="ny-gap-at"
    ),
    pytest.param(
        "daily@02:30", NEW_YORK, utc(2026, 3, 8, 23), utc(2026, 3, 8, 7, 30), id="ny-gap-later"
    ),
    # Repeated hour: 2026-11-01 has a single 01:30 occurrence, the first one.
    pytest.param(
        "daily@01:30", NEW_YORK, utc(2026, 11, 1, 5, 29), utc(2026, 10, 31, 5, 30), id="ny-fold-pre"
    ),
    pytest.param(
        "daily@01:30", NEW_YORK, utc(2026, 11, 1, 6), utc(2026, 11, 1, 5, 30), id="ny-fold-between"
    ),
    pytest.param(
        "daily@01:30",
        NEW_YORK,
        utc(2026, 11, 1, 6, 30),
        utc(2026, 11, 1, 5, 30),
        id="ny-fold-at-second-firing",
    ),
    pytest.param(
        "daily@01:30", NEW_YORK, utc(2026, 11, 1, 12), utc(2026, 11, 1, 5, 30), id="ny-fold-later"
    ),
    pytest.param(
        "daily@02:30", AUCKLAND, utc(2026, 4, 4, 15), utc(2026, 4, 4, 13, 30), id="akl-fold"
    ),
]


@pytest.mark.parametrize(("text", "tz", "at_or_before", "expected"), PREVIOUS_CASES)
def test_previous_occurrence(
    text: str, tz: ZoneInfo, at_or_before: datetime, expected: datetime
) -> None:
    result = previous_occurrence(cadence(text), tz, at_or_before)
    assert result == expected
    assert result is not None and result.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "tz", "start"),
    [
        pytest.param("daily@02:30", NEW_YORK, utc(2026, 3, 1), id="ny-march-gap-slot"),
        pytest.param("daily@01:30", NEW_YORK, utc(2026, 10, 25), id="ny-november-fold-slot"),
        pytest.param("weekdays@09:00", NEW_YORK, utc(2026, 10, 20), id="ny-november-weekdays"),
        pytest.param("sun-thu@00:00", NEW_YORK, utc(2026, 3, 1), id="ny-midnight"),
        pytest.param("weekdays@09:00", MANILA, utc(2026, 3, 1), id="manila"),
        pytest.param("daily@02:30", AUCKLAND, utc(2026, 3, 29), id="akl-april-fold-slot"),
        pytest.param("daily@02:30", AUCKLAND, utc(2026, 9, 20), id="akl-sept-gap-slot"),
        pytest.param("mon,thu@23:59", AUCKLAND, utc(2026, 9, 1), id="akl-late-evening"),
    ],
)
def test_next_and_previous_agree_once_per_local_date(
    text: str, tz: ZoneInfo, start: datetime
) -> None:
    """Walking forward, every occurrence is its own previous occurrence and keys never repeat."""
    slot = cadence(text)
    seen_keys: set[str] = set()
    earlier = previous_occurrence(slot, tz, start)
    moment = start
    for _ in range(30):
        moment = next_occurrence(slot, tz, moment)
        local = moment.astimezone(tz)
        key = occurrence_key(local.date(), slot.at)
        assert key not in seen_keys
        seen_keys.add(key)
        assert local.weekday() in slot.days
        assert previous_occurrence(slot, tz, moment) == moment
        assert previous_occurrence(slot, tz, moment - timedelta(microseconds=1)) == earlier
        earlier = moment
