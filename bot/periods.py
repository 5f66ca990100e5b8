"""Which stretch of time a summary or a digest reports on: periods without gaps.

A vendor's summary covers the time since its previous summary went out, so an event that
happens after one summary (a task closed on Friday evening, on Saturday) is in the next
one, and nothing is counted twice. The first summary covers the time since the vendor was
added. Without any summary sent yet (a vendor added before this rule, or all skipped), the
period starts at the previous occurrence of the vendor's summary cadence, but never before
the vendor was added. The digest follows the same rule per team, from the previous digest.

A period is `(start, end]`: events strictly after `start` and at or before `end` count,
and the status figures (open, overdue, blocked...) are taken at `end`. The previous period
is the one before it, found the same way; it is compared against only when the vendor
existed through all of it (`Period.from_addition` is False: a first period begun when the
vendor was added is usually short, and a "+2" against it says nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.errors import UsageError
from bot.schedule_rules import DEFAULT_SUMMARY_TIME, parse_cadence, previous_occurrence
from storage import periods as store
from storage.models import Vendor
from storage.summaries import Span

DIGEST_KIND = "digest"
DIGEST_CADENCE = "fri@16:00"
# A period that cannot be placed (an unusable cadence) is the last seven days.
FALLBACK = timedelta(days=7)
# How far local days may be from UTC days (UTC-12 to UTC+14), to bound a period's days.
_ZONE_SLACK = timedelta(hours=14)


@dataclass(frozen=True)
class Period:
    """`(start, end]`, aware UTC; `from_addition` when `start` is when the vendor was added."""

    start: datetime
    end: datetime
    from_addition: bool = False

    def span(self) -> Span:
        """The figures' span: exactly these instants (the day bounds only narrow the scan)."""
        return Span(
            (self.start - _ZONE_SLACK).date(),
            (self.end + _ZONE_SLACK).date(),
            until=self.end,
            since=self.start,
        )

    def label(self, tz: ZoneInfo) -> str:
        """`Fri 27 Nov 16:00 to Fri 4 Dec 2026 16:00` in `tz`."""
        start, end = self.start.astimezone(tz), self.end.astimezone(tz)
        first = f"{start:%a %-d %b}" + (f" {start:%Y}" if start.year != end.year else "")
        return f"{first} {start:%H:%M} to {end:%a %-d %b %Y %H:%M}"


def _previous_start(
    sent: list[datetime], end: datetime, cadence_text: str, tz: ZoneInfo
) -> datetime:
    """Where a period ending at `end` starts: the latest post sent before it, else the
    occurrence of the cadence before the latest one at or before `end` (a week back for
    a weekly cadence, whether `end` is the occurrence itself or a bit after it)."""
    if sent:
        return sent[0]
    try:
        cadence = parse_cadence(cadence_text, DEFAULT_SUMMARY_TIME)
    except (UsageError, ValueError):
        return end - FALLBACK
    latest = previous_occurrence(cadence, tz, end)
    moment = previous_occurrence(cadence, tz, latest - timedelta(seconds=1)) if latest else None
    return moment if moment is not None else end - FALLBACK


def _periods(
    sent: list[datetime], now: datetime, cadence: str, tz: ZoneInfo, added: datetime | None
) -> tuple[Period, Period | None]:
    """The current period up to `now` and the one before it (None if it would start
    before `added`). `sent`: when the previous posts went out, newest first."""

    def starting(end: datetime, earlier: list[datetime]) -> Period:
        start = _previous_start(earlier, end, cadence, tz)
        if added is not None and start <= added:
            return Period(added, end, from_addition=True)
        return Period(start, end)

    current = starting(now, sent)
    if current.from_addition or current.start >= now:
        return current, None
    previous = starting(current.start, [m for m in sent if m < current.start])
    if previous.from_addition or previous.start >= previous.end:
        return current, None  # the vendor did not exist through all of it
    return current, previous


def summary_periods(
    session: Session, vendor: Vendor, now: datetime
) -> tuple[Period, Period | None]:
    """The vendor's summary period at `now` and the previous one to compare with (one
    query: the last two summaries sent)."""
    sent = store.summaries_sent_before(session, vendor.saved_id, now)
    return _periods(sent, now, vendor.summary_cadence, ZoneInfo(vendor.timezone), vendor.created_at)


def digest_periods(
    session: Session, team_id: str, tz: ZoneInfo, now: datetime
) -> tuple[Period, Period | None]:
    """The team digest's period at `now` and the one before (one query). Whether a vendor
    existed through the previous one is decided per vendor (`existed_through`)."""
    sent = store.team_posts_sent_before(session, team_id, DIGEST_KIND, now)
    return _periods(sent, now, DIGEST_CADENCE, tz, None)


def existed_through(vendor: Vendor, period: Period | None) -> bool:
    return period is not None and vendor.created_at <= period.start
