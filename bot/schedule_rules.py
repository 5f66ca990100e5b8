"""Parsing and arithmetic for due dates, time zones, cadences and durations.

Everything here is a pure function of its arguments (no clock, no Slack, no database) so
the rules can be tested exhaustively. Bad user input raises :class:`UsageError` whose
message says what was wrong and how to write it instead.

Time-zone rule of thumb: a vendor's schedule lives in the vendor's local wall clock, so
"09:00 on weekdays" stays 09:00 local across DST changes, and an occurrence is
identified by its local date and slot (:func:`occurrence_key`), never by a UTC instant.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UsageError
from bot.slack_text import code


class HasTimezone(Protocol):
    """A vendor, as far as its calendar goes (storage.models.Vendor, or a test's stand-in)."""

    @property
    def timezone(self) -> str: ...


__all__ = [
    "MAX_SLOTS_PER_DAY",
    "Cadence",
    "Slot",
    "day_slots",
    "format_days",
    "local_today",
    "next_occurrence",
    "next_slot",
    "occurrence_key",
    "parse_cadence",
    "parse_due_date",
    "parse_duration",
    "parse_timezone",
    "parse_workdays",
    "previous_occurrence",
    "previous_slot",
    "read_date",
    "vendor_today",
]

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NUMBERS: dict[str, int] = {
    **{name: number for number, name in enumerate(DAY_NAMES)},
    **{name: number for number, name in enumerate(_FULL_DAY_NAMES)},
}
ALL_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
WEEKDAYS: tuple[int, ...] = (0, 1, 2, 3, 4)

MAX_YEARS_AHEAD = 10
# When a cadence written without `@HH:MM` happens: check-ins in the morning, the weekly
# summary (and the feedback prompt with it) in the afternoon, in the vendor's time.
DEFAULT_CHECKIN_TIME = time(9, 0)
DEFAULT_SUMMARY_TIME = time(16, 0)
MAX_DURATION = timedelta(days=7)
# `weekdays@09:00,15:00`: a few check-ins a day at most; more would be a chat, not a check-in.
MAX_SLOTS_PER_DAY = 4

# ASCII digits only: str.isdigit() and \d would also accept e.g. Arabic-Indic digits.
_ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RELATIVE_RE = re.compile(r"([+-])([0-9]{1,3})([dw])")
_TIME_RE = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?")
_DURATION_RE = re.compile(r"(?:([0-9]{1,4})d)?(?:([0-9]{1,4})h)?(?:([0-9]{1,5})m)?")

# Names that zoneinfo can load but that are not a place a vendor can be in:
# "localtime" is the host's own setting, "Factory" is a "-00" placeholder.
_NOT_PLACES = frozenset({"localtime", "factory", "posixrules"})

_DUE_FORMS = "Write `YYYY-MM-DD`, `today`, `tomorrow`, a weekday like `fri`, or `+3d` / `+2w`."
_CADENCE_FORMS = (
    "Write `daily`, `weekdays`, `weekly` or days like `mon,wed,fri`, "
    "optionally with a time: `weekdays@09:00` (or times: `weekdays@09:00,15:00`)."
)
_WORKDAY_FORMS = "Write a range like `mon-fri` or `sun-thu`, or days like `mon,tue,wed`."
_TIMEZONE_FORMS = "Use an IANA name such as `Asia/Manila` or `America/New_York`."
_DURATION_FORMS = "write it like `4h` or `90m`"


def _quote(value: str) -> str:
    return code(value, mark_cut=True)


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class DateWords:
    """One kind of date people type. Due dates and report ranges share the words
    (`YYYY-MM-DD`, `today`, `tomorrow`, a weekday, `+3d` / `+2w`); a report reads them
    backwards too: a weekday is the latest such day (today included), and `yesterday`
    and `-2w` mean the past."""

    name: str  # what the error for an empty one calls it: "The due date is empty."
    forms: str  # how to write one, ending the "not a date I understand" error
    backwards: bool = False
    real_date_hint: str = " Check the month and day."  # after "is not a real calendar date."
    quote: Callable[[str], str] = code  # how an error echoes what was typed

    @property
    def empty(self) -> str:
        return f"The {self.name} is empty."


def _due_quote(text: str) -> str:
    return _quote(text.strip())


DUE_DATE = DateWords(
    "due date",
    _DUE_FORMS,
    real_date_hint=" Check the month and day and write it as `YYYY-MM-DD`.",
    quote=_due_quote,
)


def read_date(text: str, today: date, words: DateWords) -> date:
    """The date `text` means at `today` (the vendor's, or the team's), read as `words`
    says; UsageError saying how to write one."""
    value = text.strip().lower()
    if not value:
        raise UsageError(f"{words.empty} {words.forms}")
    if value == "today":
        return today
    if value == "tomorrow":
        return today + timedelta(days=1)
    if value == "yesterday" and words.backwards:
        return today - timedelta(days=1)
    if value in _DAY_NUMBERS:
        if words.backwards:  # the latest such day, today included
            return today - timedelta(days=(today.weekday() - _DAY_NUMBERS[value]) % 7)
        # The next such day strictly after today: "due fri" on a Friday is a week's work.
        return today + timedelta(days=(_DAY_NUMBERS[value] - today.weekday() - 1) % 7 + 1)
    match = _RELATIVE_RE.fullmatch(value)
    if match and (match.group(1) == "+" or words.backwards):
        count = int(match.group(2)) * (-1 if match.group(1) == "-" else 1)
        if count < 1 and not words.backwards:
            raise UsageError(
                f"{words.quote(text)} is not a date I understand; count at least one day "
                "or week, like `+1d`, or write `today`."
            )
        return today + timedelta(days=count * (7 if match.group(3) == "w" else 1))
    if _ISO_DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise UsageError(
                f"{words.quote(text)} is not a real calendar date.{words.real_date_hint}"
            ) from None
    raise UsageError(f"{words.quote(text)} is not a date I understand. {words.forms}")


def parse_due_date(text: str, today: date) -> date:
    """Turn what a requester typed after ``due:`` into a calendar date: today or later,
    at most MAX_YEARS_AHEAD years on.

    ``today`` is the current date in the vendor's time zone, so "tomorrow" means the
    vendor's tomorrow. Weekday names mean the next such day strictly after today,
    because "due fri" typed on a Friday means a week's work, not "by tonight".
    """
    due = read_date(text, today, DUE_DATE)
    if due < today:
        raise UsageError(
            f"{_due_quote(text)} is in the past (today is {today.isoformat()}). "
            "Pick today or a later date."
        )
    if due.year > today.year + MAX_YEARS_AHEAD:
        raise UsageError(
            f"{_due_quote(text)} is too far ahead. "
            f"Pick a date no later than {today.year + MAX_YEARS_AHEAD}-12-31."
        )
    return due


def local_today(now_utc: datetime, tz: ZoneInfo) -> date:
    """The vendor's current calendar date, which is what relative due dates count from.

    A naive ``now_utc`` is taken to be UTC (what ``datetime.utcnow()`` and many
    databases hand back), never the host's local time.
    """
    if now_utc.tzinfo is None:
        now_utc = now_utc.replace(tzinfo=UTC)
    return now_utc.astimezone(tz).date()


def vendor_today(vendor: HasTimezone, now: datetime) -> date:
    """The vendor's calendar date at `now`: what its due dates, holidays, absences and
    trials count from."""
    return local_today(now, ZoneInfo(vendor.timezone))


# --------------------------------------------------------------------------- time zones


@lru_cache(maxsize=1)
def _zone_keys_by_folded_name() -> dict[str, str]:
    """Map case-folded zone names to their canonical key (scanning the tz database is slow)."""
    keys: dict[str, str] = {}
    for key in sorted(zoneinfo.available_timezones()):
        if key.lower() not in _NOT_PLACES:
            keys.setdefault(key.lower(), key)
    return keys


def parse_timezone(text: str) -> ZoneInfo:
    """Load the vendor's time zone from an IANA name, forgiving letter case and spaces.

    Only names listed in the tz database are accepted, so user input can never make
    zoneinfo open an arbitrary file (``../etc/passwd``) or pick up the server's own
    ``localtime``. The returned zone's ``key`` is the canonical spelling, so it can be
    stored and compared as-is.
    """
    value = text.strip()
    error = UsageError(f"{_quote(value)} is not a time zone I know. {_TIMEZONE_FORMS}")
    if not value:
        raise UsageError(f"The time zone is empty. {_TIMEZONE_FORMS}")

    known = _zone_keys_by_folded_name()
    if value in known.values():
        key = value
    else:
        folded = value.replace(" ", "_").lower()
        if folded not in known:
            raise error
        key = known[folded]

    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError covers IsADirectoryError/PermissionError from a broken tz database.
        raise error from None


# --------------------------------------------------------------------------- days


def _parse_days(value: str, keywords: dict[str, tuple[int, ...]]) -> tuple[int, ...] | None:
    """Parse ``mon,wed,fri`` / ``mon-thu`` / ``sun-thu`` or a keyword; None if malformed.

    Ranges walk forward through the week, so ``sun-thu`` wraps past Sunday to Monday.
    A range that starts and ends on the same day is ambiguous (one day or the whole
    week?) and is rejected.
    """
    if value in keywords:
        return keywords[value]
    if not value:
        return None

    chosen: set[int] = set()
    for item in value.split(","):
        item = item.strip()
        if "-" in item:
            start_name, _, end_name = item.partition("-")
            start = _DAY_NUMBERS.get(start_name.strip())
            end = _DAY_NUMBERS.get(end_name.strip())
            if start is None or end is None or start == end:
                return None
            length = (end - start) % 7 + 1
            chosen.update((start + offset) % 7 for offset in range(length))
        else:
            day = _DAY_NUMBERS.get(item)
            if day is None:
                return None
            chosen.add(day)
    return tuple(sorted(chosen))


def _normalise_days(days: Iterable[int]) -> tuple[int, ...]:
    """Sorted unique weekday numbers; a ValueError means a programming error, not user input."""
    result = tuple(sorted(set(days)))
    if not result or any(not 0 <= day <= 6 for day in result):
        raise ValueError(f"days must be a non-empty set of weekday numbers 0..6, got {days!r}")
    return result


def parse_workdays(text: str) -> tuple[int, ...]:
    """Parse the days a vendor works, so reminders and SLAs skip their days off.

    Same day syntax as cadences, without a time; ``weekly`` makes no sense here.
    """
    value = text.strip().lower()
    if not value:
        raise UsageError(f"The list of workdays is empty. {_WORKDAY_FORMS}")
    if "@" in value:
        raise UsageError(
            f"{_quote(text.strip())} has a time in it; workdays take none. {_WORKDAY_FORMS}"
        )
    days = _parse_days(value, {"daily": ALL_DAYS, "weekdays": WEEKDAYS})
    if days is None:
        raise UsageError(
            f"{_quote(text.strip())} is not a list of days I understand. {_WORKDAY_FORMS}"
        )
    return days


def format_days(days: Iterable[int]) -> str:
    """Canonical text for a set of weekdays, short enough for a Slack reply.

    Runs of three or more consecutive days (wrapping past Sunday) become ranges like
    ``mon-fri`` or ``sun-thu``; a run that wraps comes first because it contains Monday.
    The result always parses back with :func:`parse_workdays`.
    """
    chosen = set(_normalise_days(days))
    if len(chosen) == 7:
        return "daily"

    runs: list[tuple[int, int]] = []  # (start, length)
    for start in sorted(chosen):
        if (start - 1) % 7 in chosen:
            continue  # not the first day of its run
        length = 1
        while (start + length) % 7 in chosen:
            length += 1
        runs.append((start, length))
    runs.sort(key=lambda run: (run[0] + run[1] - 1 < 7, run[0]))  # wrapping run first

    parts: list[str] = []
    for start, length in runs:
        if length >= 3:
            parts.append(f"{DAY_NAMES[start]}-{DAY_NAMES[(start + length - 1) % 7]}")
        else:
            parts.extend(DAY_NAMES[(start + offset) % 7] for offset in range(length))
    return ",".join(parts)


# --------------------------------------------------------------------------- cadences


def _parse_time_of_day(value: str) -> time:
    """Parse the part after ``@``: ``9``, ``9:30`` or ``09:30`` on a 24-hour clock."""
    error = UsageError(
        f"{_quote('@' + value)} is not a time; write it as 24-hour `HH:MM`, e.g. `@09:00`."
    )
    match = _TIME_RE.fullmatch(value.strip())
    if not match:
        raise error
    hour = int(match.group(1))
    minute = int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise error
    return time(hour, minute)


@dataclass(frozen=True)
class Cadence:
    """On which local weekdays, at what local wall-clock time(s), something recurs.

    Kept in local terms (not UTC) so that a 09:00 check-in stays at 09:00 for the vendor
    when their clocks change. `at` is the first slot of the day; `later` holds any further
    slots of the same day (`weekdays@09:00,15:00`), each strictly after the one before.
    """

    days: tuple[int, ...]  # sorted unique weekday numbers, 0 = Monday … 6 = Sunday
    at: time  # local wall-clock time, minute precision, naive
    later: tuple[time, ...] = ()  # more slots the same day, ascending, all after `at`

    def __post_init__(self) -> None:
        """Reject states that would give two different Cadences the same meaning."""
        if self.days != _normalise_days(self.days):
            raise ValueError(f"days must be sorted unique weekday numbers, got {self.days!r}")
        for slot in self.times:
            if slot.second or slot.microsecond or slot.tzinfo is not None:
                raise ValueError(f"times must be naive with minute precision, got {slot!r}")
        if list(self.times) != sorted(set(self.times)):
            raise ValueError(f"times must be ascending and distinct, got {self.times!r}")
        if len(self.times) > MAX_SLOTS_PER_DAY:
            raise ValueError(f"at most {MAX_SLOTS_PER_DAY} times a day, got {self.times!r}")

    @property
    def times(self) -> tuple[time, ...]:
        """Every slot of a cadence day, in local wall-clock order."""
        return (self.at, *self.later)

    def __str__(self) -> str:
        """Canonical text, which :func:`parse_cadence` reads back to an equal Cadence."""
        if self.days == ALL_DAYS:
            days = "daily"
        elif self.days == WEEKDAYS:
            days = "weekdays"
        else:
            days = ",".join(DAY_NAMES[day] for day in self.days)
        return f"{days}@" + ",".join(f"{slot:%H:%M}" for slot in self.times)


def parse_cadence(text: str, default_at: time) -> Cadence:
    """Parse ``daily``, ``weekdays``, ``weekly`` (Mondays) or day lists, with optional ``@HH:MM``.

    Without a time the cadence runs at ``default_at`` (e.g. the workspace's usual
    check-in time), so people only type a time when they want a different one.
    """
    value = text.strip().lower()
    if not value:
        raise UsageError(f"The schedule is empty. {_CADENCE_FORMS}")

    days_text, has_at, time_text = value.partition("@")
    days = _parse_days(days_text.strip(), {"daily": ALL_DAYS, "weekdays": WEEKDAYS, "weekly": (0,)})
    if days is None or "@" in time_text:
        raise UsageError(f"{_quote(text.strip())} is not a schedule I understand. {_CADENCE_FORMS}")
    if not has_at:
        return Cadence(days=days, at=default_at.replace(second=0, microsecond=0))
    # `@09:00,15:00`: several slots a day; order and repeats do not matter.
    slots = sorted({_parse_time_of_day(part) for part in time_text.split(",")})
    if len(slots) > MAX_SLOTS_PER_DAY:
        raise UsageError(
            f"{_quote(text.strip())} has {len(slots)} times a day; give at most "
            f"{MAX_SLOTS_PER_DAY}, like `weekdays@09:00,15:00`."
        )
    return Cadence(days=days, at=slots[0], later=tuple(slots[1:]))


# --------------------------------------------------------------------------- durations


def parse_duration(text: str) -> timedelta:
    """Parse ``4h``, ``90m``, ``1h30m`` or ``2d`` (at most a week) for reminder and SLA gaps."""
    value = text.strip().lower()
    match = _DURATION_RE.fullmatch(value)
    if not value or not match:
        raise UsageError(f"{_quote(text.strip())} is not a duration; {_DURATION_FORMS}.")
    days, hours, minutes = (int(group or 0) for group in match.groups())
    duration = timedelta(days=days, hours=hours, minutes=minutes)
    if duration <= timedelta(0):
        raise UsageError(f"{_quote(text.strip())} is too short; {_DURATION_FORMS}.")
    if duration > MAX_DURATION:
        raise UsageError(f"{_quote(text.strip())} is longer than a week; write at most `7d`.")
    return duration


# --------------------------------------------------------------------------- occurrences


def occurrence_key(local_date: date, at: time) -> str:
    """Identify an occurrence by the vendor's local date and slot, e.g. ``2026-11-03T09:00``.

    Not by its UTC instant: at the autumn DST fold one local slot happens at two instants,
    and both must map to one key so work happens once.
    """
    return f"{local_date.isoformat()}T{at:%H:%M}"


def _as_utc(moment: datetime) -> datetime:
    """Aware UTC version of ``moment``; naive values are taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _occurrence_utc(local_date: date, at: time, tz: ZoneInfo) -> datetime:
    """The single UTC instant of the slot ``at`` on ``local_date`` in ``tz``.

    fold=0 picks the first of two repeated wall times in autumn, and for a wall time
    skipped in spring zoneinfo applies the pre-transition offset, i.e. the slot happens
    just after the jump (02:30 → 03:30 new time), as CronTrigger does.
    """
    return datetime.combine(local_date, at, tzinfo=tz).replace(fold=0).astimezone(UTC)


@dataclass(frozen=True)
class Slot:
    """One occurrence of a cadence: the vendor's local date, the slot's wall-clock time as
    written in the cadence, and the single UTC instant it happens at."""

    local_date: date
    at: time
    instant: datetime  # aware UTC

    @property
    def key(self) -> str:
        return occurrence_key(self.local_date, self.at)


def day_slots(cadence: Cadence, tz: ZoneInfo, day: date) -> list[Slot]:
    """The occurrences of `cadence` on the local date `day`, in time order.

    With several slots a day the spring gap can reorder them: `@02:30,03:15` in New York on
    the day clocks jump 02:00 → 03:00 puts 02:30 at 03:30 new time, after 03:15. A slot
    moved by the gap to or past a later slot of the same day is dropped (that later slot
    asks the same questions), so a day's slots are always strictly increasing instants.
    """
    if day.weekday() not in cadence.days:
        return []
    kept: list[Slot] = []
    for at in reversed(cadence.times):
        instant = _occurrence_utc(day, at, tz)
        if kept and instant >= kept[-1].instant:
            continue
        kept.append(Slot(day, at, instant))
    kept.reverse()
    return kept


def next_slot(cadence: Cadence, tz: ZoneInfo, after: datetime) -> Slot:
    """The first occurrence strictly after `after` (see :func:`next_occurrence`)."""
    after_utc = _as_utc(after)
    first_day = after_utc.astimezone(tz).date() - timedelta(days=1)
    # From yesterday (a slot pushed past midnight by a gap) to a full week ahead.
    for offset in range(9):
        for slot in day_slots(cadence, tz, first_day + timedelta(days=offset)):
            if slot.instant > after_utc:
                return slot
    raise AssertionError(f"cadence {cadence} has no day in a week")  # pragma: no cover


def previous_slot(cadence: Cadence, tz: ZoneInfo, at_or_before: datetime) -> Slot | None:
    """The latest occurrence at or before `at_or_before` (see :func:`previous_occurrence`)."""
    limit = _as_utc(at_or_before)
    local_date = limit.astimezone(tz).date()
    for back in range(8):  # today plus a full week back covers every weekly cadence
        for slot in reversed(day_slots(cadence, tz, local_date - timedelta(days=back))):
            if slot.instant <= limit:
                return slot
    return None


def next_occurrence(cadence: Cadence, tz: ZoneInfo, after: datetime) -> datetime:
    """The first occurrence strictly after ``after``, as aware UTC.

    Walks forward over local dates, the mirror of :func:`previous_occurrence`, instead of
    asking ``CronTrigger.get_next_fire_time``: in APScheduler 3.11 that can skip a whole
    day when the search crosses a spring-forward change (a 00:00 New York slot after
    Sunday 2026-03-08 00:00 comes back as Tuesday; agronholm/apscheduler#529, #606), it
    fires twice in a repeated autumn hour, and once the local clock has jumped past a
    skipped slot it misses the slot that is still to come. Computing both directions
    from one rule guarantees that every occurrence is its own previous occurrence.
    """
    return next_slot(cadence, tz, after).instant


def previous_occurrence(cadence: Cadence, tz: ZoneInfo, at_or_before: datetime) -> datetime | None:
    """The latest occurrence at or before ``at_or_before``, as aware UTC.

    Used to catch up on a check-in missed while the bot was down. Walks back over local
    dates rather than UTC instants so each local date yields one occurrence per slot,
    even on the day the clocks go back.
    """
    slot = previous_slot(cadence, tz, at_or_before)
    return None if slot is None else slot.instant
