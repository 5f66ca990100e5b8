"""Weekly figures: which week, what each figure means, and how healthy a vendor looks.

Plain functions of a session and `now`; the counting itself is SQL (`storage.summaries`),
a fixed number of queries per summary, digest or Home tab whatever the number of tasks
(and, for the digest and the Home tab, of vendors). docs/summaries.md says the same for
people.

**The period** a summary or digest reports on is the time since the previous one went out
(`bot.periods`): no gaps between weeks, nothing counted twice. **Weeks** (Monday to Sunday
in the vendor's own calendar) remain the scorecard's unit and `week_of` its helper.

**The figures** (`Figures`), for one vendor and one span of local days:

- *completed*: tasks whose status is done and whose `closed_at` falls on one of the span's
  local days (and not after now). Cancelled tasks are never completed.
- *on time*: completed, and the local date the vendor finished it is on or before the
  due date in force when it was finished (`due_in_force`, storage.on_time: a date moved
  afterwards changes nothing). Finished means the accepted delivery (`delivered_at`,
  which a request for changes clears, so it is the delivery that was accepted) or, for a
  task closed without a delivery, `closed_at`: a review that takes the owner two days
  does not make the vendor late. A task without a due date cannot be late and counts as
  on time. *late* = completed - on time. A delivered task counts as completed in the week
  the owner accepts it (that closes it).
- *open*: tasks created and not yet closed (done or cancelled) at the status time: now,
  for the week being reported; the end of Sunday, local time, for the previous week.
- *delivered*: the open tasks that are delivered and awaiting the owner's review at the
  status time. They stay in *open* ("5 open, 1 delivered, awaiting review") and are left
  out of *overdue*, *at risk* and *blocked*: the vendor's part is done.
- *overdue*: open, not delivered, with a due date before the vendor's local date at the
  status time (due today is not overdue yet).
- *at risk* / *blocked*: open, not delivered, and the task's latest status update by the
  status time says at risk / blocked.
- *check-ins*: check-ins posted on the span's local days. *answered*: those that got any
  answer, a status update (button, thread reply) or a reply in the thread, by the time
  the figures are made. *response rate* = answered / check-ins (none when no check-in).
  *median time to first response*: the median, in minutes, over answered check-ins, of the
  time from posting to the first answer.
- *ratings*: the owners' ratings (TaskFeedback, 1-5) first given on the span's local days;
  *quality*, *timeliness*, *communication* are their averages (none without ratings).
- *change*: the same figures for the previous period, shown as a difference, only when
  the vendor existed through all of it.

**The digest** uses the period since the previous digest. It also shows each vendor's *spend*
(bot.spend): the cost of its tasks done that week, in the month of DEFAULT_TIMEZONE's
today (against the vendor's monthly budget) and to date; a task's cost counts on the day it
is closed as done (docs/lifecycle.md). Spend is for internal messages only, never a
vendor's channel. **The Home tab** shows the last four
weeks (28 local days up to today) so that a vendor's health does not reset every Monday.

**Health** (`health_of`) is red, yellow or green:

- red: 3 or more overdue, 2 or more blocked, an on-time rate below 50 % or a response rate
  below 50 %;
- yellow: otherwise, any overdue, blocked or at-risk task, an on-time rate below 80 % or a
  response rate below 80 %;
- green: none of that.

A rate is only judged when it rests on at least 2 tasks or check-ins (`MIN_SAMPLE`): one
late task out of one is not a trend.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import absences
from bot.absences import Away
from bot.alignment import AlignmentNote, alignment_note
from bot.errors import UsageError
from bot.periods import Period, digest_periods, existed_through, summary_periods
from bot.schedule_rules import vendor_today
from bot.slack_text import escape
from bot.spend import VendorSpend, month_span, spend_by_vendor
from storage import answers as answer_store
from storage import reviews, task_questions, vendors
from storage import summaries as store
from storage.models import QuestionAnswer, TaskStatus, Vendor, VendorFeedback
from storage.overdue_reviews import OverdueReview, overdue_reviews
from storage.slips import Slips, slips_by_vendor
from storage.summaries import AttentionTask, CheckinAnswer, RatingTotals, Scope, Span, TaskCounts
from storage.tasks import TaskRow

MIN_SAMPLE = 2
HOME_DAYS = 28
RED_OVERDUE = 3
RED_BLOCKED = 2
RED_RATE = 0.5
YELLOW_RATE = 0.8


# --------------------------------------------------------------------------- weeks


@dataclass(frozen=True)
class Week:
    """Monday to Sunday, as calendar dates."""

    monday: date

    def __post_init__(self) -> None:
        if self.monday.weekday() != 0:
            raise ValueError(f"{self.monday} is not a Monday")

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def previous(self) -> Week:
        return Week(self.monday - timedelta(days=7))

    def span(self, until: datetime | None = None) -> Span:
        return Span(self.monday, self.sunday, until=until)

    def label(self) -> str:
        """`Mon 30 Nov to Sun 6 Dec 2026`."""
        return f"{self.monday:%a %-d %b} to {self.sunday:%a %-d %b %Y}"


def week_of(day: date) -> Week:
    return Week(day - timedelta(days=day.weekday()))


def local_start(day: date, tz: ZoneInfo) -> datetime:
    """The instant local midnight starts `day` in `tz` (aware)."""
    return datetime.combine(day, time(0), tzinfo=tz)


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figures(TaskCounts):
    """One vendor's figures over one span (see the module docstring for each definition):
    the task counts, as storage.summaries.task_counts gives them, then these."""

    checkins: int = 0
    answered: int = 0
    median_response_minutes: float | None = None
    ratings: int = 0
    quality: float | None = None
    timeliness: float | None = None
    communication: float | None = None

    @classmethod
    def of(
        cls,
        counts: TaskCounts | None,
        answers: Sequence[CheckinAnswer] = (),
        ratings: RatingTotals | None = None,
    ) -> Figures:
        counts = counts or TaskCounts()
        ratings = ratings or RatingTotals()
        delays = [
            (answer.first_answer_at - answer.sent_at).total_seconds() / 60
            for answer in answers
            if answer.first_answer_at is not None
        ]

        def average(total: int) -> float | None:
            return total / ratings.count if ratings.count else None

        return cls(
            **asdict(counts),
            checkins=len(answers),
            answered=len(delays),
            median_response_minutes=statistics.median(delays) if delays else None,
            ratings=ratings.count,
            quality=average(ratings.quality),
            timeliness=average(ratings.timeliness),
            communication=average(ratings.communication),
        )

    @property
    def late(self) -> int:
        return self.completed - self.on_time

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.completed if self.completed else None

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.checkins if self.checkins else None

    @property
    def is_empty(self) -> bool:
        """Nothing to say: no task open or completed, no check-in, no rating."""
        return not (self.completed or self.open or self.checkins or self.ratings)


def figures_by_vendor(
    session: Session, scope: Scope, span: Span, now: datetime
) -> dict[int, Figures]:
    """Figures for the scope's vendors (a team's, or one) over `span`: three queries in
    all. Vendors with nothing in the span are missing (use `Figures()`)."""
    counts = store.task_counts(session, scope, span)
    answers = store.checkin_answers(session, scope, span, answered_by=now)
    ratings = store.rating_totals(session, scope, span)
    return {
        vendor: Figures.of(counts.get(vendor), answers.get(vendor, ()), ratings.get(vendor))
        for vendor in {*counts, *answers, *ratings}
    }


# --------------------------------------------------------------------------- health


class Mark(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    # Not judged: the vendor is paused (by someone, or because the bot was removed from its
    # channel). It is never counted among the healthy ones.
    PAUSED = "paused"


@dataclass(frozen=True)
class Health:
    mark: Mark
    reasons: tuple[str, ...] = ()


def _judged(rate: float | None, sample: int) -> float | None:
    return rate if rate is not None and sample >= MIN_SAMPLE else None


def health_of(figures: Figures) -> Health:
    """Red, yellow or green, with the reasons (the module docstring has the rule)."""
    on_time = _judged(figures.on_time_rate, figures.completed)
    response = _judged(figures.response_rate, figures.checkins)
    red: list[str] = []
    if figures.overdue >= RED_OVERDUE:
        red.append(f"{figures.overdue} overdue")
    if figures.blocked >= RED_BLOCKED:
        red.append(f"{figures.blocked} blocked")
    if on_time is not None and on_time < RED_RATE:
        red.append(f"on time {on_time:.0%}")
    if response is not None and response < RED_RATE:
        red.append(f"response rate {response:.0%}")
    if red:
        return Health(Mark.RED, tuple(red))
    yellow: list[str] = []
    for count, label in (
        (figures.overdue, "overdue"),
        (figures.blocked, "blocked"),
        (figures.at_risk, "at risk"),
    ):
        if count:
            yellow.append(f"{count} {label}")
    if on_time is not None and on_time < YELLOW_RATE:
        yellow.append(f"on time {on_time:.0%}")
    if response is not None and response < YELLOW_RATE:
        yellow.append(f"response rate {response:.0%}")
    return Health(Mark.YELLOW, tuple(yellow)) if yellow else Health(Mark.GREEN)


# --------------------------------------------------------------------------- vendor summary


@dataclass(frozen=True)
class VendorSummary:
    """What a vendor's channel is told: its own figures only, over `period`."""

    vendor: Vendor
    period: Period
    current: Figures
    previous: Figures | None  # None: no previous period the vendor existed through
    attention: Sequence[AttentionTask]  # overdue or blocked, for the thread
    made_at: datetime
    note: AlignmentNote  # what the vendor channel reads (bot.alignment)
    # The period's answers to the team's check-in questions, quoted in the thread.
    answers: Sequence[QuestionAnswer] = ()

    @property
    def health(self) -> Health:
        return health_of(self.current)

    @property
    def is_empty(self) -> bool:
        return (
            self.current.is_empty
            and (self.previous is None or self.previous.is_empty)
            and self.note.is_empty
        )


def vendor_summary(session: Session, vendor: Vendor, now: datetime) -> VendorSummary:
    """The vendor's summary at `now`, over the time since its previous summary
    (bot.periods): twelve queries, whatever the number of tasks (the period, three per
    period of figures, one for the thread's task list, four for the alignment note)."""
    vendor_id = vendor.saved_id
    whose = Scope.of_vendor(vendor)
    period, before = summary_periods(session, vendor, now)
    current = figures_by_vendor(session, whose, period.span(), now)
    previous = figures_by_vendor(session, whose, before.span(), now) if before is not None else None
    return VendorSummary(
        vendor=vendor,
        period=period,
        current=current.get(vendor_id, Figures()),
        previous=None if previous is None else previous.get(vendor_id, Figures()),
        attention=store.attention_tasks(session, vendor.team_id, vendor_id, now),
        made_at=now,
        note=alignment_note(session, vendor, period, now),
        # The period is (start, end]; answers_between takes [start, end).
        answers=answer_store.answers_between(
            session,
            vendor.team_id,
            period.start + timedelta(microseconds=1),
            now + timedelta(microseconds=1),
            vendor_id=vendor_id,
        ),
    )


def vendor_to_post(
    session: Session, *, team_id: str, channel_id: str, named: bool, verb: str
) -> Vendor:
    """The vendor `/delegate summary` or `/delegate scorecard` (`verb`) is about: the one in
    `channel_id`, named in the command or the channel it was typed in. UsageError when that
    channel is no vendor's, or the vendor was removed."""
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    if vendor is None and named:
        raise UsageError(
            f"<#{channel_id}> is not a vendor channel. See them with `/delegate vendor list`."
        )
    if vendor is None:
        raise UsageError(
            "This channel is not a vendor's, so nothing was posted. Name the vendor: "
            f"`/delegate {verb} #vendor` (`/delegate vendor list` shows them), or run "
            f"`/delegate {verb}` in the vendor's channel."
        )
    if vendor.removed_at is not None:
        raise UsageError(
            f"{escape(vendor.name)} was removed as a vendor; nothing was posted. "
            f"`/delegate vendor restore <#{vendor.channel_id}>` brings it back."
        )
    return vendor


def summary_for_channel(
    session: Session, *, team_id: str, channel_id: str, named: bool, now: datetime
) -> VendorSummary:
    """`/delegate summary`: the summary of the vendor in `channel_id` (vendor_to_post)."""
    vendor = vendor_to_post(
        session, team_id=team_id, channel_id=channel_id, named=named, verb="summary"
    )
    return vendor_summary(session, vendor, now)


# --------------------------------------------------------------------------- team digest


@dataclass(frozen=True)
class VendorRow:
    vendor: Vendor
    current: Figures
    previous: Figures | None = None  # None: not comparable (the vendor is newer)

    @property
    def health(self) -> Health:
        if self.vendor.paused:
            return Health(Mark.PAUSED, (self.vendor.pause_reason or "paused",))
        return health_of(self.current)


@dataclass(frozen=True)
class Digest:
    """The internal digest: one row per vendor, and what vendors told us, over `period`."""

    team_id: str
    period: Period
    tz: ZoneInfo
    rows: Sequence[VendorRow]
    feedback: Sequence[tuple[Vendor, VendorFeedback]]
    made_at: datetime
    spend: Mapping[int, VendorSpend] = field(default_factory=dict)  # by vendor id
    # Who is away today, by vendor id (bot.absences), and answers to the team's questions.
    away: Mapping[int, Mapping[str, Away]] = field(default_factory=dict)
    answers: Sequence[tuple[Vendor, QuestionAnswer]] = ()
    # Deliveries waiting longer than their vendor's review time: what vendors wait on us for.
    overdue_reviews: Sequence[OverdueReview] = ()
    slips: Mapping[int, Slips] = field(default_factory=dict)  # due dates moved, by vendor id


def _vendor_rows(
    session: Session,
    team_id: str,
    current: Span,
    previous: Period | None,
    now: datetime,
) -> list[VendorRow]:
    """A row per vendor of the team (paused ones included), by name: seven queries at most,
    whatever the number of vendors. A vendor is compared with the previous period only
    when it existed through all of it."""
    listed = vendors.list_vendors(session, team_id)
    whose = Scope(team_id)
    this = figures_by_vendor(session, whose, current, now)
    last = figures_by_vendor(session, whose, previous.span(), now) if previous else {}
    return [
        VendorRow(
            v,
            this.get(v.saved_id, Figures()),
            last.get(v.saved_id, Figures()) if existed_through(v, previous) else None,
        )
        for v in listed
    ]


def team_digest(session: Session, team_id: str, tz: ZoneInfo, now: datetime) -> Digest:
    """The digest at `now`, over the time since the team's previous digest (bot.periods);
    dates are shown in `tz` (the team's DEFAULT_TIMEZONE)."""
    today = now.astimezone(tz).date()
    period, before = digest_periods(session, team_id, tz, now)
    rows = _vendor_rows(session, team_id, period.span(), before, now)
    listed = [row.vendor for row in rows]
    whose = Scope(team_id)
    spend = spend_by_vendor(session, whose, listed, period.span(), month_span(today, now), now)
    by_id = {row.vendor.id: row.vendor for row in rows}
    # Feedback given strictly after the previous digest and up to now: none falls between.
    said = reviews.vendor_feedback_between(
        session,
        None,
        period.start + timedelta(microseconds=1),
        now + timedelta(microseconds=1),
        team_id=team_id,
    )
    return Digest(
        team_id=team_id,
        period=period,
        tz=tz,
        rows=rows,
        feedback=[(by_id[item.vendor_id], item) for item in said if item.vendor_id in by_id],
        made_at=now,
        spend=spend,
        away=absences.away_by_vendor(session, listed, now),
        answers=[
            (by_id[item.vendor_id], item)
            for item in answer_store.answers_between(
                session,
                team_id,
                period.start + timedelta(microseconds=1),
                now + timedelta(microseconds=1),
            )
            if item.vendor_id in by_id
        ],
        overdue_reviews=overdue_reviews(session, team_id, now),
        slips=slips_by_vendor(session, whose, period.start, period.end),
    )


# --------------------------------------------------------------------------- Home tab


@dataclass(frozen=True)
class HomeTask:
    row: TaskRow
    today: date  # the vendor's local date, to mark overdue
    questions: int = 0  # the vendor's unanswered questions in the task's thread

    @property
    def overdue(self) -> bool:
        due = self.row.task.due_date
        return due is not None and due < self.today and self.row.task.status == TaskStatus.OPEN


@dataclass(frozen=True)
class HomeOverview:
    tasks: Sequence[HomeTask]  # overdue first, then soonest due
    vendors: Sequence[VendorRow]  # health over the last HOME_DAYS days
    first_day: date
    last_day: date
    made_at: datetime
    more_tasks: bool = field(default=False)
    away: Mapping[int, Mapping[str, Away]] = field(default_factory=dict)  # by vendor id
    overdue_reviews: Sequence[OverdueReview] = ()  # every owner's, the viewer's first


def home_overview(
    session: Session, team_id: str, user_id: str, tz: ZoneInfo, now: datetime, *, limit: int = 40
) -> HomeOverview:
    """The viewer's open tasks across vendors (with the vendor's questions waiting in their
    threads) and every vendor's health over the last four weeks (local dates of `tz`, the
    team's zone): eight queries, whatever the counts."""
    rows = store.open_tasks_owned_by(session, team_id, user_id, limit=limit + 1)
    asked = task_questions.open_counts(session, [row.task.saved_id for row in rows[:limit]])
    tasks = [
        HomeTask(row, vendor_today(row.vendor, now), asked.get(row.task.saved_id, 0))
        for row in rows[:limit]
    ]
    tasks.sort(key=lambda item: not item.overdue)  # stable: keeps soonest due first
    last_day = now.astimezone(tz).date()
    first_day = last_day - timedelta(days=HOME_DAYS - 1)
    vendor_rows = _vendor_rows(session, team_id, Span(first_day, last_day, until=now), None, now)
    return HomeOverview(
        tasks=tasks,
        vendors=vendor_rows,
        first_day=first_day,
        last_day=last_day,
        made_at=now,
        more_tasks=len(rows) > limit,
        away=absences.away_by_vendor(session, [row.vendor for row in vendor_rows], now),
        overdue_reviews=sorted(
            overdue_reviews(session, team_id, now), key=lambda item: item.task.owner_id != user_id
        ),
    )
