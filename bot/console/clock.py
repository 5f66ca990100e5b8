"""The console's clock as typed: `:time +1d`, `:time 2026-12-04 09:00 Asia/Manila`,
`:time fri 16:05` (days in the grammar `due:` takes), and the quarter-hour steps the
scheduler is run at on the way."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.console.world import ConsoleError
from bot.errors import UsageError
from bot.schedule_rules import parse_due_date

STEP = timedelta(minutes=15)
NEXT_LIMIT = timedelta(days=8)  # `:time next` looks this far: every cadence is weekly or less


def when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%a %-d %b %Y %H:%M} UTC"


def next_boundary(moment: datetime) -> datetime:
    floor = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return floor + STEP


_RELATIVE = re.compile(r"^\+((?:\d+[wdhm])+)$", re.IGNORECASE)
_ABSOLUTE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})"  # the date
    r"(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?Z?"  # the time, 00:00 if left out
    r"(?:\s+([A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+|UTC))?$"  # a time zone, UTC if left out
)


_WORDS = re.compile(
    r"^(today|tomorrow|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*)"  # a day, as in due:
    r"(?:\s+(\d{1,2}:\d{2}))?"  # the time, 00:00 if left out
    r"(?:\s+([A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+|UTC))?$",
    re.IGNORECASE,
)


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_time(text: str, now: datetime) -> datetime:
    """`+1d`, `+2h30m`, `+1w`, `2026-12-04 09:00`, `2026-12-04T09:00Z`, `2026-12-04 09:00
    Asia/Manila`, `fri 16:05`, `tomorrow 09:00 Asia/Manila`: a moment, aware UTC."""
    text = " ".join(text.split())
    relative = _RELATIVE.match(text)
    if relative:
        units = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
        delta = timedelta()
        for amount, unit in re.findall(r"(\d+)([wdhm])", relative.group(1).lower()):
            delta += timedelta(**{units[unit]: int(amount)})
        return now + delta
    absolute = _ABSOLUTE.match(text) or _WORDS.match(text)
    if absolute is None:
        raise ConsoleError(
            "write :time +1d, :time +2h30m, :time 2026-12-04 09:00, :time fri 16:05 or "
            ":time next (UTC, or add a time zone)"
        )
    day, clock_time, zone = absolute.groups()
    if not day[:1].isdigit():
        # A word, in the grammar `due:` takes, from the day it is now where the time is.
        here = ZoneInfo(zone) if zone and zone != "UTC" and _is_zone(zone) else UTC
        try:
            day = parse_due_date(day, now.astimezone(here).date()).isoformat()
        except UsageError as error:
            raise ConsoleError(str(error)) from None
    try:
        tz = ZoneInfo(zone) if zone and zone != "UTC" else UTC
    except (ZoneInfoNotFoundError, ValueError):
        raise ConsoleError(f"{zone} is not a time zone; write it like Asia/Manila") from None
    try:
        moment = datetime.fromisoformat(f"{day}T{clock_time or '00:00'}")
    except ValueError:
        raise ConsoleError(f"{text!r} is not a date and time") from None
    return moment.replace(tzinfo=tz).astimezone(UTC)
