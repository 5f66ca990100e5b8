"""SQL aggregates behind the weekly summaries, the team digest and the Home tab.

Every function here runs a fixed number of queries, whatever the number of tasks, check-ins
or vendors: counting is done by the database (SUM over CASE, MIN, COUNT), grouped by vendor.
The definitions of the figures are in `bot.summaries` and docs/summaries.md; this module
only turns them into SQL.

Calendar days are the vendor's own. `local_date(moment, zone)` gives the calendar date of a
stored UTC timestamp in an IANA zone, in SQL: PostgreSQL converts with `timezone()`; SQLite,
which has no time zone database, calls a small Python function registered on the
connection before the first query (`_prepare`). So "closed on the vendor's Sunday" is
decided by the database row by row, for every vendor at once, exactly across DST changes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Date, and_, case, exists, func, literal, not_, or_
from sqlalchemy import select as sql_select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from storage.checkins import answers_checkin
from storage.models import (
    CheckinResponse,
    Delivery,
    PostKind,
    PostState,
    QuestionAnswer,
    ScheduledPost,
    StatusUpdate,
    Task,
    TaskFeedback,
    TaskStatus,
    TaskUpdate,
    Vendor,
)
from storage.on_time import finished_at as judged_finished_at
from storage.on_time import on_time as judged_on_time
from storage.tasks import TaskRow, select_task_rows, soonest_due_first, task_rows

# UTC offsets run from -12:00 to +14:00: a local day starts at most 14 h before and ends
# at most 12 h after the same day in UTC. Used as index-friendly bounds around the exact
# (row-by-row) local date test.
_AHEAD_OF_UTC = timedelta(hours=14)
_BEHIND_UTC = timedelta(hours=12)
_SQLITE_LOCAL_DATE = "vc_local_date"


# --------------------------------------------------------------------------- local dates


class local_date(FunctionElement[date]):
    """`local_date(moment, zone)`: the calendar date of a UTC timestamp in an IANA zone."""

    type = Date()
    name = "local_date"
    inherit_cache = True


@compiles(local_date)
def _compile_local_date(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    moment, zone = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"{_SQLITE_LOCAL_DATE}({moment}, {zone})"


@compiles(local_date, "postgresql")
def _compile_local_date_postgresql(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    moment, zone = (compiler.process(clause, **kw) for clause in element.clauses)
    # timezone(zone, timestamptz) is the wall-clock time in `zone`; its date is the local date.
    return f"CAST(timezone({zone}, {moment}) AS DATE)"


def _sqlite_local_date(moment: str | None, zone: str | None) -> str | None:
    """SQLite's side of `local_date`: SQLAlchemy stores UTC as `YYYY-MM-DD HH:MM:SS.ffffff`."""
    if moment is None or zone is None:
        return None
    try:
        parsed = datetime.fromisoformat(moment)
        tz = ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(tz).date().isoformat()


def _prepare(session: Session) -> None:
    """Make `local_date` callable on this session's connection (SQLite only; no query)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        assert raw is not None, "a checked-out connection has its DBAPI connection"
        raw.create_function(_SQLITE_LOCAL_DATE, 2, _sqlite_local_date, deterministic=True)


# --------------------------------------------------------------------------- scopes


@dataclass(frozen=True)
class Scope:
    """Whose figures a query counts: every vendor of a team, or only one of them. The same
    for every per-vendor figure query (here, storage.slips, storage.spend)."""

    team_id: str
    vendor_id: int | None = None

    @classmethod
    def of_vendor(cls, vendor: Vendor) -> Scope:
        return cls(vendor.team_id, vendor.saved_id)

    def restrict(self, query: Any, vendor_column: Any) -> Any:
        """`query` joined to the row's vendor (whose time zone the local dates use), kept
        to the scope's vendors."""
        query = query.join(Vendor, col(Vendor.id) == vendor_column).where(
            Vendor.team_id == self.team_id
        )
        if self.vendor_id is not None:
            query = query.where(vendor_column == self.vendor_id)
        return query


# --------------------------------------------------------------------------- spans


@dataclass(frozen=True)
class Span:
    """Calendar days `first_day`..`last_day` (inclusive), each read in the vendor's own zone.

    Events (a task closed, a check-in posted, a rating given) count when they happened on one
    of those local days and, if `until` is set, no later than `until`. Status figures (open,
    overdue, blocked...) are taken at `until` when set (a week still running: "now"), or
    otherwise at the end of `last_day`, local time (a week that is over).
    """

    first_day: date
    last_day: date
    until: datetime | None = None
    # A period of instants (bot.periods): events strictly after `since` only.
    since: datetime | None = None

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError(f"span ends before it starts: {self.first_day}..{self.last_day}")
        if self.until is not None and self.until.tzinfo is None:
            raise ValueError("until must be an aware datetime")
        if self.since is not None and self.since.tzinfo is None:
            raise ValueError("since must be an aware datetime")

    @property
    def earliest(self) -> datetime:
        """No event of the span can be earlier than this instant, in any zone."""
        return datetime.combine(self.first_day, time(0), UTC) - _AHEAD_OF_UTC

    @property
    def latest(self) -> datetime:
        """Every event of the span is earlier than this instant, in any zone."""
        return datetime.combine(self.last_day + timedelta(days=1), time(0), UTC) + _BEHIND_UTC


def _zone() -> Any:
    """The joined vendor's time zone column: every local date is the vendor's own."""
    return col(Vendor.timezone)


def _within(moment: Any, span: Span) -> ColumnElement[bool]:
    """`moment` is on one of the span's local days (and not after `until`)."""
    day = local_date(moment, _zone())
    conditions = [
        moment.is_not(None),
        moment >= span.earliest,
        moment < span.latest,
        day >= span.first_day,
        day <= span.last_day,
    ]
    if span.until is not None:
        conditions.append(moment <= span.until)
    if span.since is not None:
        conditions.append(moment > span.since)
    return and_(*conditions)


# The same local-date rules for the other aggregate modules (storage.lifecycle).
prepare_local_dates = _prepare
within_span = _within


def _by_status_time(moment: Any, span: Span) -> ColumnElement[bool]:
    """`moment` is set and had happened by the span's status time."""
    if span.until is not None:
        return and_(moment.is_not(None), moment <= span.until)
    return and_(
        moment.is_not(None), moment < span.latest, local_date(moment, _zone()) <= span.last_day
    )


def _status_today(span: Span) -> ColumnElement[date]:
    """The vendor's local date at the span's status time: due dates before it are overdue."""
    if span.until is not None:
        return local_date(literal(span.until, UTCDateTime()), _zone())
    return literal(span.last_day + timedelta(days=1), Date())


def _latest_status(span: Span) -> Any:
    """The task's latest status update by the status time (correlated scalar subquery)."""
    update = aliased(StatusUpdate)
    return (
        select(update.status)
        .where(col(update.task_id) == col(Task.id), _by_status_time(col(update.at), span))
        .order_by(col(update.at).desc(), col(update.id).desc())
        .limit(1)
        .correlate(Task, Vendor)
        .scalar_subquery()
    )


def _task_state(span: Span) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """(open, delivered) at the span's status time, for the outer query's task.

    Open: created by then and not closed (done or cancelled) by then; delivered tasks are
    open. Delivered: open, with a delivery made by then and not reviewed by then (from the
    deliveries table), or, for a task whose status still is `delivered`, delivered by then.
    """
    is_open = and_(
        _by_status_time(col(Task.created_at), span),
        or_(col(Task.closed_at).is_(None), not_(_by_status_time(col(Task.closed_at), span))),
    )
    delivery = aliased(Delivery)
    awaiting_review = (
        exists()
        .where(
            col(delivery.task_id) == col(Task.id),
            _by_status_time(col(delivery.delivered_at), span),
            or_(
                col(delivery.reviewed_at).is_(None),
                not_(_by_status_time(col(delivery.reviewed_at), span)),
            ),
        )
        .correlate(Task, Vendor)
    )
    still_delivered = and_(
        col(Task.status) == TaskStatus.DELIVERED,
        _by_status_time(col(Task.delivered_at), span),
    )
    return is_open, and_(is_open, or_(awaiting_review, still_delivered))


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _total(column: Any) -> Any:
    return func.coalesce(func.sum(column), 0)


# --------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class TaskCounts:
    completed: int = 0
    on_time: int = 0
    open: int = 0
    delivered: int = 0
    overdue: int = 0
    at_risk: int = 0
    blocked: int = 0


def task_counts(session: Session, scope: Scope, span: Span) -> dict[int, TaskCounts]:
    """Per vendor: tasks completed in the span (on time or not) and the task states at its
    status time. One query; vendors without tasks are missing from the result."""
    _prepare(session)
    is_open, delivered = _task_state(span)
    active = and_(is_open, not_(delivered))
    completed = and_(col(Task.status) == TaskStatus.DONE, _within(col(Task.closed_at), span))
    # Judged when the vendor finished, against the due date then in force (storage.on_time).
    on_time = and_(completed, judged_on_time(local_date(judged_finished_at(), _zone())))
    overdue = and_(
        active, col(Task.due_date).is_not(None), col(Task.due_date) < _status_today(span)
    )
    per_task = scope.restrict(
        sql_select(
            col(Task.vendor_id).label("vendor_id"),
            _flag(completed).label("completed"),
            _flag(on_time).label("on_time"),
            _flag(is_open).label("open"),
            _flag(delivered).label("delivered"),
            _flag(overdue).label("overdue"),
            _flag(active).label("active"),
            _latest_status(span).label("latest"),
        ),
        col(Task.vendor_id),
    ).where(
        # Closed before the span began: neither completed in it nor open at its end.
        or_(col(Task.closed_at).is_(None), col(Task.closed_at) >= span.earliest),
    )
    rows = per_task.subquery()

    def with_status(status: TaskUpdate) -> Any:
        return _total(_flag(and_(rows.c.active == 1, rows.c.latest == status.value)))

    query = sql_select(
        rows.c.vendor_id,
        _total(rows.c.completed),
        _total(rows.c.on_time),
        _total(rows.c.open),
        _total(rows.c.delivered),
        _total(rows.c.overdue),
        with_status(TaskUpdate.AT_RISK),
        with_status(TaskUpdate.BLOCKED),
    ).group_by(rows.c.vendor_id)
    return {
        int(vendor): TaskCounts(*(int(n) for n in numbers))
        for vendor, *numbers in session.execute(query).all()
    }


# --------------------------------------------------------------------------- check-ins


@dataclass(frozen=True)
class CheckinAnswer:
    """A check-in and the first answer to it (a status update or a thread reply), if any."""

    vendor_id: int
    sent_at: datetime
    first_answer_at: datetime | None


def checkin_answers(
    session: Session, scope: Scope, span: Span, *, answered_by: datetime
) -> dict[int, list[CheckinAnswer]]:
    """Per vendor, the check-ins posted in the span, each with its first answer given by
    the span's status time (and `answered_by`): a period's response rate is fixed by what
    happened within it and does not change later. An answer is a status update that
    answers the check-in (`storage.checkins.answers_checkin`: on it, or by any route on one
    of its tasks since it was posted) or a reply in its thread. One query: the first
    answers are MINs in SQL, one row per check-in (a few a week per vendor)."""
    _prepare(session)

    def first(moment: Any, *answering: ColumnElement[bool]) -> Any:
        """The earliest `moment` of the rows `answering` the outer query's check-in that
        were given by `answered_by` (a correlated scalar subquery)."""
        return (
            select(func.min(moment))
            .where(*answering, moment <= answered_by)
            .correlate(ScheduledPost, Vendor)
            .scalar_subquery()
        )

    first_update = first(
        col(StatusUpdate.at),
        answers_checkin(StatusUpdate, ScheduledPost),
        _by_status_time(col(StatusUpdate.at), span),
    )
    first_reply = first(
        col(CheckinResponse.at),
        col(CheckinResponse.post_id) == col(ScheduledPost.id),
        _by_status_time(col(CheckinResponse.at), span),
    )
    # Answers to the team's own questions (the check-in's Answer form) count too, bounded by
    # `answered_by` only, not by the span's status time.
    first_form = first(col(QuestionAnswer.at), col(QuestionAnswer.post_id) == col(ScheduledPost.id))
    query = scope.restrict(
        sql_select(
            col(ScheduledPost.vendor_id),
            col(ScheduledPost.sent_at),
            first_update,
            first_reply,
            first_form,
        ),
        col(ScheduledPost.vendor_id),
    ).where(
        ScheduledPost.kind == PostKind.CHECKIN,
        ScheduledPost.state == PostState.SENT,
        _within(col(ScheduledPost.sent_at), span),
    )
    found: dict[int, list[CheckinAnswer]] = defaultdict(list)
    for vendor, sent_at, update_at, reply_at, form_at in session.execute(
        query.order_by(col(ScheduledPost.sent_at), col(ScheduledPost.id))
    ).all():
        answers = [moment for moment in (update_at, reply_at, form_at) if moment is not None]
        found[int(vendor)].append(CheckinAnswer(int(vendor), sent_at, min(answers, default=None)))
    return dict(found)


# --------------------------------------------------------------------------- ratings


@dataclass(frozen=True)
class RatingTotals:
    """Sums of the owners' 1-5 ratings, so averages can be taken (and combined) exactly."""

    count: int = 0
    quality: int = 0
    timeliness: int = 0
    communication: int = 0


def rating_totals(session: Session, scope: Scope, span: Span) -> dict[int, RatingTotals]:
    """Per vendor, the ratings (TaskFeedback) first given in the span. One query."""
    _prepare(session)
    query = scope.restrict(
        sql_select(
            col(TaskFeedback.vendor_id),
            func.count(col(TaskFeedback.id)),
            _total(TaskFeedback.quality),
            _total(TaskFeedback.timeliness),
            _total(TaskFeedback.communication),
        ),
        col(TaskFeedback.vendor_id),
    ).where(_within(col(TaskFeedback.created_at), span))
    return {
        int(vendor): RatingTotals(*(int(n) for n in numbers))
        for vendor, *numbers in session.execute(query.group_by(TaskFeedback.vendor_id)).all()
    }


# --------------------------------------------------------------------------- task lists


@dataclass(frozen=True)
class AttentionTask:
    """An open task that is overdue or whose latest status is blocked, at `now`."""

    task: Task
    overdue: bool
    blocked: bool


def attention_tasks(
    session: Session, team_id: str, vendor_id: int, now: datetime, *, limit: int = 40
) -> list[AttentionTask]:
    """One vendor's overdue or blocked tasks (not delivered), soonest due first. One query."""
    _prepare(session)
    span = Span(now.date(), now.date(), until=now)
    is_open, delivered = _task_state(span)
    latest = _latest_status(span)
    overdue = and_(col(Task.due_date).is_not(None), col(Task.due_date) < _status_today(span))
    blocked = latest == TaskUpdate.BLOCKED.value
    query = (
        Scope(team_id, vendor_id)
        .restrict(select(Task, _flag(overdue), _flag(blocked)), col(Task.vendor_id))
        .where(
            col(Task.status).in_((TaskStatus.OPEN, TaskStatus.DELIVERED)),
            is_open,
            not_(delivered),
            or_(overdue, blocked),
        )
        .order_by(col(Task.due_date).is_(None), col(Task.due_date), col(Task.id))
        .limit(limit)
    )
    return [
        AttentionTask(task=task, overdue=bool(late), blocked=bool(stuck))
        for task, late, stuck in session.execute(query).all()
    ]


def open_tasks_owned_by(
    session: Session, team_id: str, owner_id: str, *, limit: int = 60
) -> list[TaskRow]:
    """The owner's open tasks (delivered ones included) across vendors, soonest due first."""
    query = select_task_rows(
        Task.team_id == team_id,
        Task.owner_id == owner_id,
        col(Task.status).in_((TaskStatus.OPEN, TaskStatus.DELIVERED)),
        col(Vendor.removed_at).is_(None),  # a removed vendor is off the Home tab
    )
    return task_rows(session, query.order_by(*soonest_due_first()).limit(limit))


def has_recent_work(session: Session, vendor_id: int, since: datetime) -> bool:
    """Whether the vendor has an open task or one closed since `since`."""
    query = select(Task.id).where(
        Task.vendor_id == vendor_id,
        or_(
            col(Task.status).in_((TaskStatus.OPEN, TaskStatus.DELIVERED)),
            col(Task.closed_at) >= since,
        ),
    )
    return session.exec(query.limit(1)).first() is not None
