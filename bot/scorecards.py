"""Scorecards: how a vendor did, week by week, and which way it is going. No Slack.

Plain functions of a session and `now`. The events come from `storage.lifecycle` (and the
check-ins from `storage.summaries`): a fixed number of queries whatever the number of
weeks or tasks, one small row per event of the one vendor, counted into weeks here.
docs/lifecycle.md says the same for people.

**Weeks** are Monday to Sunday in the vendor's calendar, as in the summaries. A scorecard
made at `now` shows the N weeks (default 12) ending with the current week, which counts up
to now ("so far"), but none before the week the vendor was added.

**The figures** of a week (`CardFigures`), each as in docs/summaries.md where it has one:

- *on time* / *late*: tasks done (closed) on the week's local days, judged on the day the
  vendor finished them (the accepted delivery, else the closing) against the due date in
  force then (storage.on_time); no due date is on time.
- *average lateness*: over the late tasks, the mean number of days between that due date
  and the day the vendor finished (n/a without a late task).
- *response rate*, *median first response*: check-ins posted that week, answered by now.
- *quality*, *timeliness*, *communication*: averages of the ratings first given that week;
  the *average score* is the mean of all three over those ratings.
- *changes per delivery*: of the deliveries made that week, the share the owner sent back
  with a request for changes (0.25 = one in four).
- *spend*: the cost of the tasks done that week (money, internal only).

**The verdict** (`trend_of`) compares the last 4 weeks (this one included) with the 4 before,
each block pooled: the on-time rate of all tasks done in the block, and the average score of
all ratings given in it. A measure is compared only when both blocks have at least 2 tasks
(ratings). It is *better* when it rose by at least 10 percentage points (on time) or 0.3
(score), *worse* when it fell by as much, else *level*. Then: **slipping** when any compared
measure is worse; **improving** when none is worse and at least one is better; **steady**
when all compared measures are level; **not enough data yet** when neither can be compared.
The verdict always uses those 8 weeks, whatever `weeks:` shows.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.schedule_rules import vendor_today
from bot.spend import VendorSpend, month_span, vendor_spend
from bot.summaries import (
    MIN_SAMPLE,
    Week,
    local_start,
    vendor_to_post,
    week_of,
)
from storage import lifecycle as store
from storage.models import ReviewOutcome, Task, Vendor, VendorTrialDecision
from storage.slips import Slips, slips_by_vendor
from storage.summaries import Scope, Span, checkin_answers

VERDICT_WEEKS = 4
ON_TIME_STEP = Fraction(10, 100)  # 10 percentage points
SCORE_STEP = Fraction(3, 10)  # 0.3 on the 1-5 scale


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class CardFigures:
    """A vendor's scorecard figures over some local days (the module docstring has them)."""

    completed: int = 0
    on_time: int = 0
    days_late: int = 0  # summed over the late tasks
    checkins: int = 0
    answered: int = 0
    median_response_minutes: float | None = None
    ratings: int = 0
    quality_total: int = 0
    timeliness_total: int = 0
    communication_total: int = 0
    deliveries: int = 0
    changes_requested: int = 0
    spend: int = 0  # minor units of the vendor's currency

    @property
    def late(self) -> int:
        return self.completed - self.on_time

    @property
    def on_time_rate(self) -> Fraction | None:
        return Fraction(self.on_time, self.completed) if self.completed else None

    @property
    def average_lateness(self) -> Fraction | None:
        return Fraction(self.days_late, self.late) if self.late else None

    @property
    def response_rate(self) -> Fraction | None:
        return Fraction(self.answered, self.checkins) if self.checkins else None

    def _average(self, total: int) -> Fraction | None:
        return Fraction(total, self.ratings) if self.ratings else None

    @property
    def quality(self) -> Fraction | None:
        return self._average(self.quality_total)

    @property
    def timeliness(self) -> Fraction | None:
        return self._average(self.timeliness_total)

    @property
    def communication(self) -> Fraction | None:
        return self._average(self.communication_total)

    @property
    def average_score(self) -> Fraction | None:
        """The mean of quality, timeliness and communication over all the ratings."""
        total = self.quality_total + self.timeliness_total + self.communication_total
        return Fraction(total, 3 * self.ratings) if self.ratings else None

    @property
    def changes_per_delivery(self) -> Fraction | None:
        return Fraction(self.changes_requested, self.deliveries) if self.deliveries else None


@dataclass(frozen=True)
class Answer:
    day: date  # the local date the check-in was posted
    minutes: float | None  # to the first answer; None when unanswered


@dataclass(frozen=True)
class Events:
    """One vendor's events over a range of local days, to be counted over any part of it."""

    tasks: Sequence[store.FinishedTask]
    answers: Sequence[Answer]
    ratings: Sequence[store.RatingEvent]
    deliveries: Sequence[store.DeliveryEvent]

    def figures(self, first: date, last: date) -> CardFigures:
        """The figures over local days `first`..`last`, both included."""

        def within(day: date) -> bool:
            return first <= day <= last

        done = [task for task in self.tasks if within(task.closed_on)]
        late = [task.days_late for task in done if task.days_late > 0]
        posted = [answer for answer in self.answers if within(answer.day)]
        delays = [answer.minutes for answer in posted if answer.minutes is not None]
        rated = [rating for rating in self.ratings if within(rating.day)]
        delivered = [item for item in self.deliveries if within(item.day)]
        return CardFigures(
            completed=len(done),
            on_time=len(done) - len(late),
            days_late=sum(late),
            checkins=len(posted),
            answered=len(delays),
            median_response_minutes=statistics.median(delays) if delays else None,
            ratings=len(rated),
            quality_total=sum(r.quality for r in rated),
            timeliness_total=sum(r.timeliness for r in rated),
            communication_total=sum(r.communication for r in rated),
            deliveries=len(delivered),
            changes_requested=sum(
                1 for item in delivered if item.outcome == ReviewOutcome.CHANGES_REQUESTED
            ),
            spend=sum(task.cost_minor or 0 for task in done),
        )


def load_events(session: Session, vendor: Vendor, first: date, last: date, now: datetime) -> Events:
    """The vendor's events on local days `first`..`last` up to `now`: four queries."""
    vendor_id = vendor.saved_id
    span = Span(first, last, until=now)
    tz = ZoneInfo(vendor.timezone)
    posted = checkin_answers(session, Scope.of_vendor(vendor), span, answered_by=now)
    answers = [
        Answer(
            answer.sent_at.astimezone(tz).date(),
            (answer.first_answer_at - answer.sent_at).total_seconds() / 60
            if answer.first_answer_at is not None
            else None,
        )
        for answer in posted.get(vendor_id, ())
    ]
    return Events(
        tasks=store.finished_tasks(session, vendor_id, span),
        answers=answers,
        ratings=store.rating_events(session, vendor_id, span),
        deliveries=store.delivery_events(session, vendor_id, span),
    )


def _spend_of(
    session: Session, vendor: Vendor, this_week: Week, today: date, now: datetime
) -> VendorSpend:
    """The vendor's spend this week and this month."""
    return vendor_spend(session, vendor, this_week.span(now), month_span(today, now), now)


# --------------------------------------------------------------------------- the verdict


class Verdict(StrEnum):
    IMPROVING = "improving"
    STEADY = "steady"
    SLIPPING = "slipping"
    NOT_ENOUGH_DATA = "not enough data yet"


@dataclass(frozen=True)
class Trend:
    """The verdict, and the two blocks' pooled figures it was computed from."""

    verdict: Verdict
    previous: CardFigures
    last: CardFigures

    @property
    def on_time_compared(self) -> bool:
        return self.previous.completed >= MIN_SAMPLE and self.last.completed >= MIN_SAMPLE

    @property
    def score_compared(self) -> bool:
        return self.previous.ratings >= MIN_SAMPLE and self.last.ratings >= MIN_SAMPLE


def _direction(previous: Fraction | None, last: Fraction | None, step: Fraction) -> int:
    """+1 better, -1 worse, 0 level (exact fractions, so exactly 10 points counts)."""
    if previous is None or last is None:
        return 0
    change = last - previous
    return 1 if change >= step else -1 if change <= -step else 0


def trend_of(previous: CardFigures, last: CardFigures) -> Trend:
    """The verdict rule of the module docstring, over two blocks of pooled figures."""
    trend = Trend(Verdict.NOT_ENOUGH_DATA, previous, last)
    directions: list[int] = []
    if trend.on_time_compared:
        directions.append(_direction(previous.on_time_rate, last.on_time_rate, ON_TIME_STEP))
    if trend.score_compared:
        directions.append(_direction(previous.average_score, last.average_score, SCORE_STEP))
    if not directions:
        return trend
    if -1 in directions:
        verdict = Verdict.SLIPPING
    elif 1 in directions:
        verdict = Verdict.IMPROVING
    else:
        verdict = Verdict.STEADY
    return Trend(verdict, previous, last)


def _trend_at(events: Events, this_week: Week, today: date) -> Trend:
    last_monday = this_week.monday - timedelta(weeks=VERDICT_WEEKS - 1)
    previous_monday = last_monday - timedelta(weeks=VERDICT_WEEKS)
    return trend_of(
        events.figures(previous_monday, last_monday - timedelta(days=1)),
        events.figures(last_monday, today),
    )


# --------------------------------------------------------------------------- the scorecard


@dataclass(frozen=True)
class WeekRow:
    week: Week
    figures: CardFigures
    partial: bool  # the current week, so far


@dataclass(frozen=True)
class Scorecard:
    vendor: Vendor
    rows: Sequence[WeekRow]  # oldest first; the last one is the current week
    total: CardFigures  # over all the rows
    trend: Trend
    spend: VendorSpend
    today: date  # the vendor's local date
    made_at: datetime
    slips: Slips = field(default_factory=Slips)  # due dates moved later in the rows' weeks


def vendor_scorecard(session: Session, vendor: Vendor, now: datetime, weeks: int) -> Scorecard:
    """The vendor's last `weeks` weeks (the current one so far): six queries, whatever
    the number of weeks or tasks (four for the events, one for the spend)."""
    today = vendor_today(vendor, now)
    this_week = week_of(today)
    shown = [Week(this_week.monday - timedelta(weeks=back)) for back in range(weeks - 1, -1, -1)]
    # Weeks before the vendor existed say nothing: the card starts at its first week.
    added = vendor_today(vendor, vendor.created_at)
    shown = [week for week in shown if week.sunday >= added] or [this_week]
    first = min(shown[0].monday, this_week.monday - timedelta(weeks=2 * VERDICT_WEEKS - 1))
    events = load_events(session, vendor, first, today, now)
    rows = [
        WeekRow(week, events.figures(week.monday, min(week.sunday, today)), week == this_week)
        for week in shown
    ]
    spend = _spend_of(session, vendor, this_week, today, now)
    tz = ZoneInfo(vendor.timezone)
    slips = slips_by_vendor(session, Scope.of_vendor(vendor), local_start(shown[0].monday, tz), now)
    return Scorecard(
        slips=slips.get(vendor.saved_id, Slips()),
        vendor=vendor,
        rows=rows,
        total=events.figures(shown[0].monday, today),
        trend=_trend_at(events, this_week, today),
        spend=spend,
        today=today,
        made_at=now,
    )


def scorecard_for_channel(
    session: Session, *, team_id: str, channel_id: str, named: bool, weeks: int, now: datetime
) -> Scorecard:
    """`/delegate scorecard`: the card of the vendor in `channel_id` (vendor_to_post)."""
    vendor = vendor_to_post(
        session, team_id=team_id, channel_id=channel_id, named=named, verb="scorecard"
    )
    return vendor_scorecard(session, vendor, now, weeks)


# --------------------------------------------------------------------------- a trial's card


@dataclass(frozen=True)
class TrialCard:
    """What the trial prompt shows: the figures over the trial's days so far, the verdict,
    the spend, the open tasks, and the decision once there is one."""

    vendor: Vendor
    started_on: date
    ends_on: date
    today: date  # the vendor's local date
    figures: CardFigures
    trend: Trend
    spend: VendorSpend
    open_tasks: Sequence[Task]
    decision: VendorTrialDecision | None
    made_at: datetime

    @property
    def days_left(self) -> int:
        return (self.ends_on - self.today).days


def trial_card(
    session: Session,
    vendor: Vendor,
    started_on: date,
    ends_on: date,
    now: datetime,
    decision: VendorTrialDecision | None = None,
) -> TrialCard:
    """The card of the trial `started_on`..`ends_on` at `now`: six queries."""
    today = vendor_today(vendor, now)
    this_week = week_of(today)
    verdict_start = this_week.monday - timedelta(weeks=2 * VERDICT_WEEKS - 1)
    first = min(started_on, today, verdict_start)
    events = load_events(session, vendor, first, today, now)
    spend = _spend_of(session, vendor, this_week, today, now)
    return TrialCard(
        vendor=vendor,
        started_on=started_on,
        ends_on=ends_on,
        today=today,
        figures=events.figures(min(started_on, today), today),
        trend=_trend_at(events, this_week, today),
        spend=spend,
        open_tasks=store.unfinished_tasks(session, vendor.saved_id),
        decision=decision,
        made_at=now,
    )
