"""All tables, in one module so Alembic's autogenerate and the app see the same metadata.

Timestamps are timezone-aware UTC (SQLModel's UTCDateTime refuses naive values, so a local
time can never slip in); callers pass `now` in rather than reading the clock here. Dates
(`due_date`) are calendar dates in the vendor's own time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy import false as sa_false
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UnsavedRowError(RuntimeError):
    """A row's id was asked for before the database gave it one (a bug, never user input)."""


class Row(SQLModel):
    """A table whose integer `id` the database assigns on insert.

    `id` is None until the row is flushed, so its type says `int | None`; `saved_id` is
    the same id typed `int` for the rows that are saved, which is every row a query
    returns and every row after `session.flush()`. See docs/decisions.md.
    """

    id: int | None = Field(default=None, primary_key=True)

    @property
    def saved_id(self) -> int:
        if self.id is None:
            raise UnsavedRowError(f"{type(self).__name__} has no id before it is flushed")
        return self.id


def _text_field() -> Any:
    """A NOT NULL TEXT column, empty by default in Python and in the database (rows that
    migrations add get "" too). A Field, not a Column, so a shared base may declare it."""
    return Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})


class TaskStatus(StrEnum):
    OPEN = "open"
    # The vendor says it is finished; the owner has yet to accept it or ask for changes.
    DELIVERED = "delivered"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskStatusColumn(TypeDecorator[TaskStatus]):
    """`tasks.status` as a TaskStatus in Python and the same VARCHAR(16) strings in the
    database (`open`, `delivered`, ...), so the schema and stored values are unchanged."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else TaskStatus(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> TaskStatus | None:
        return None if value is None else TaskStatus(value)


class Vendor(Row, table=True):
    """An outside partner, identified by the Slack channel the team works with them in."""

    __tablename__ = "vendors"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", name="uq_vendors_team_channel"),)

    team_id: str = Field(max_length=32, index=True)
    channel_id: str = Field(max_length=32)
    name: str = Field(max_length=80)
    timezone: str = Field(max_length=64)
    checkin_cadence: str = Field(max_length=64)
    summary_cadence: str = Field(max_length=64)
    # The weekly "what blocks you?" prompt; None means "with the summary".
    feedback_cadence: str | None = Field(default=None, max_length=64)
    paused: bool = Field(default=False)
    # Why the vendor is paused when the bot paused it (channel archived, bot removed...).
    pause_reason: str | None = Field(default=None, max_length=200)
    # Working calendar: canonical days text (`mon-fri`, `sun-thu`), see bot.schedule_rules.
    workdays: str = Field(
        default="mon-fri", max_length=40, sa_column_kwargs={"server_default": "mon-fri"}
    )
    remind_after_minutes: int = Field(default=240, sa_column_kwargs={"server_default": "240"})
    # The vendor channel's summary shows rates, ratings and trends only when True
    # (`figures:on`); otherwise it is an alignment note (docs/summaries.md).
    show_figures: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    # A delivery not reviewed within this long brings its owner one reminder (`review:24h`).
    review_after_minutes: int = Field(default=1440, sa_column_kwargs={"server_default": "1440"})
    added_by: str = Field(max_length=32)
    created_at: datetime
    updated_at: datetime
    # On trial from `trial_started_on` to `trial_ends_on` (the vendor's local dates), until
    # someone decides (TrialDecision); None when not on trial. See bot.lifecycle.
    trial_started_on: date | None = Field(default=None)
    trial_ends_on: date | None = Field(default=None)
    # Money is integer minor units of `currency` (ISO 4217), never floats: see bot.money.
    currency: str = Field(default="USD", max_length=3, sa_column_kwargs={"server_default": "USD"})
    hourly_rate_minor: int | None = Field(default=None, sa_type=BigInteger)
    monthly_budget_minor: int | None = Field(default=None, sa_type=BigInteger)
    # `vendor remove`: hidden and silent from then on, its history kept; `vendor restore`
    # clears these. A removed vendor still owns its channel (the unique constraint).
    removed_at: datetime | None = Field(default=None)
    removed_by: str | None = Field(default=None, max_length=32)
    # Public holidays of this country (ISO code, optionally `-SUBDIVISION`: `PH`, `US-CA`),
    # days off on top of the Holiday rows; see bot.public_holidays.
    public_holidays: str | None = Field(default=None, max_length=16)
    # The team's own check-in questions, one per line (at most five); empty: none asked.
    checkin_questions: str = _text_field()


class Task(Row, table=True):
    """A piece of work handed to a vendor: what, to what standard, by when, and for whom."""

    __tablename__ = "tasks"
    # A reply in a task's thread finds its task by the announcement's ts.
    __table_args__ = (Index("ix_tasks_announcement_ts", "announcement_ts"),)

    team_id: str = Field(max_length=32, index=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    title: str = Field(max_length=300)
    standard: str = _text_field()
    owner_id: str = Field(max_length=32, index=True)
    assignee_id: str | None = Field(default=None, max_length=32)
    due_date: date | None = Field(default=None)
    status: TaskStatus = Field(default=TaskStatus.OPEN, sa_type=TaskStatusColumn, index=True)
    announcement_ts: str | None = Field(default=None, max_length=32)
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = Field(default=None)
    closed_by: str | None = Field(default=None, max_length=32)
    delivered_at: datetime | None = Field(default=None)
    delivered_by: str | None = Field(default=None, max_length=32)
    # The due date in force when the task was finished (delivered, or closed without a
    # delivery), written then and never moved by a later `due`: on time is judged against
    # it (storage.on_time). None while unfinished, or when it had no due date.
    due_in_force: date | None = Field(default=None)
    # What the task costs, in minor units of the vendor's currency; spend once it is done.
    cost_minor: int | None = Field(default=None, sa_type=BigInteger)


class ConfirmedRequest(Row, table=True):
    """A Register and delegate press that went ahead, by the key its button carried: unique,
    so a double press (or two racing ones) creates the task once."""

    __tablename__ = "confirmed_requests"
    __table_args__ = (UniqueConstraint("team_id", "request_key", name="uq_confirmed_requests_key"),)

    team_id: str = Field(max_length=32)
    request_key: str = Field(max_length=64)
    confirmed_by: str = Field(max_length=32)
    at: datetime


class AuditEntry(Row, table=True):
    """Append-only record of every change: who did what, to which vendor or task, and when."""

    __tablename__ = "audit_log"

    team_id: str = Field(max_length=32, index=True)
    actor_id: str = Field(max_length=32)
    action: str = Field(max_length=64)
    vendor_id: int | None = Field(default=None, index=True)
    task_id: int | None = Field(default=None, index=True)
    detail: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    at: datetime


class PostKind(StrEnum):
    CHECKIN = "checkin"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    NOTICE = "notice"
    SUMMARY = "summary"
    FEEDBACK_PROMPT = "feedback_prompt"
    # Direct messages to whoever added the vendor (channel_id is their user id):
    TRIAL_PROMPT = "trial_prompt"  # occurrence: the trial's end date
    BUDGET_ALERT = "budget_alert"  # occurrence: `2026-12@80`, the month and the threshold
    # A delivery not reviewed in the vendor's review time; occurrence `delivery:<id>`.
    REVIEW_REMINDER = "review_reminder"


class PostState(StrEnum):
    CLAIMED = "claimed"  # a process has taken it and is posting
    SENT = "sent"  # posted; message_ts recorded
    SKIPPED = "skipped"  # nothing to say (no open tasks) or too late (outside the grace window)
    FAILED = "failed"  # Slack refused permanently (channel archived, bot removed)


class Holiday(Row, table=True):
    """A date on which nothing is posted to this vendor (their local calendar)."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("vendor_id", "day", name="uq_holidays_vendor_day"),)

    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    day: date


class VendorAbsence(Row, table=True):
    """A vendor's contact is away from `first_day` to `last_day` (the vendor's local dates),
    said from the check-in's Away… form; see bot.absences."""

    __tablename__ = "vendor_absences"
    # One row per span: the same Away… form sent twice (a double click, two tabs) is one
    # absence, not two (storage.absences.add_absence inserts unless taken).
    __table_args__ = (
        UniqueConstraint(
            "vendor_id", "user_id", "first_day", "last_day", name="uq_vendor_absences_span"
        ),
    )

    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    user_id: str = Field(max_length=32)
    first_day: date
    last_day: date
    note: str = _text_field()
    created_at: datetime


class PostClaim(Row):
    """The claim on one scheduled message, taken before it is posted (ScheduledPost for a
    vendor's messages, TeamPost for a team's): one claim per kind and occurrence, so two
    processes never post the same message; then its state and, once posted, its ts."""

    kind: str = Field(max_length=16)
    occurrence: str = Field(max_length=40)
    state: str = Field(default=PostState.CLAIMED, max_length=16)
    claimed_by: str = Field(max_length=64)
    claimed_at: datetime
    channel_id: str = Field(max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = Field(default=None)
    detail: str | None = Field(default=None, max_length=200)


class ScheduledPost(PostClaim, table=True):
    """The claim on one scheduled message to a vendor, taken before it is posted.

    Unique per vendor, kind and occurrence, where the occurrence is the vendor's local date
    and slot (`2026-11-03T09:00`), never a UTC instant: at the autumn DST fold a wall-clock
    time happens twice, and the claim must still be taken once.
    """

    __tablename__ = "scheduled_posts"
    __table_args__ = (
        UniqueConstraint("vendor_id", "kind", "occurrence", name="uq_scheduled_posts_occurrence"),
        # Every thread reply and button click looks its check-in up by channel and ts.
        Index("ix_scheduled_posts_channel_message", "channel_id", "message_ts"),
    )

    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    state: str = Field(default=PostState.CLAIMED, max_length=16, index=True)
    thread_ts: str | None = Field(default=None, max_length=32)


class CheckinTask(Row, table=True):
    """Which tasks a check-in message asked about, in the order shown."""

    __tablename__ = "checkin_tasks"
    __table_args__ = (UniqueConstraint("post_id", "task_id", name="uq_checkin_tasks_post_task"),)

    post_id: int = Field(foreign_key="scheduled_posts.id", index=True)
    task_id: int = Field(foreign_key="tasks.id", index=True)
    position: int = Field(default=0)


class TaskUpdate(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BLOCKED = "blocked"
    DONE = "done"


class StatusUpdate(Row, table=True):
    """Someone said how a task is going: a button, a thread reply, or a command."""

    __tablename__ = "status_updates"

    task_id: int = Field(foreign_key="tasks.id", index=True)
    post_id: int | None = Field(default=None, foreign_key="scheduled_posts.id", index=True)
    user_id: str = Field(max_length=32)
    status: str = Field(max_length=16)
    note: str = _text_field()
    source: str = Field(max_length=16)  # "button", "reply" or "command"
    at: datetime
    # The owner's direct message about this status (`<dm channel>:<ts>`), so a note added
    # afterwards updates that one message instead of sending a second.
    owner_alert: str | None = Field(default=None, max_length=64)


class PostReply(Row):
    """A reply in the thread of one of our posts, stored from the message event (Slack keeps
    the text; reading history back is rate-limited for apps, so we keep our own copy).
    Unique by event id and by post and message ts: Slack's retries store it once."""

    post_id: int = Field(foreign_key="scheduled_posts.id", index=True)
    event_id: str | None = Field(default=None, max_length=64, unique=True)
    user_id: str = Field(max_length=32)
    text: str = _text_field()
    message_ts: str = Field(max_length=32)
    at: datetime


class CheckinResponse(PostReply, table=True):
    """A reply in a check-in's thread."""

    __tablename__ = "checkin_responses"
    __table_args__ = (
        UniqueConstraint("post_id", "message_ts", name="uq_checkin_responses_message"),
    )


class QuestionAnswer(Row, table=True):
    """One answer to one of the team's questions, given in a check-in's Answer form. The
    question's text is kept as it was asked (the team may change its questions later)."""

    __tablename__ = "question_answers"

    post_id: int = Field(foreign_key="scheduled_posts.id", index=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    user_id: str = Field(max_length=32)
    position: int = Field(default=0)
    question: str = _text_field()
    answer: str = _text_field()
    at: datetime


class TaskQuestion(Row, table=True):
    """A question the vendor's side asked in a task's thread (bot.task_questions); a later
    reply there by someone of the team answers it. Unique by message: Slack's retries of
    the event store it once."""

    __tablename__ = "task_questions"
    __table_args__ = (
        UniqueConstraint("channel_id", "message_ts", name="uq_task_questions_message"),
    )

    task_id: int = Field(foreign_key="tasks.id", index=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    channel_id: str = Field(max_length=32)
    message_ts: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    text: str = _text_field()
    asked_at: datetime
    answered_at: datetime | None = Field(default=None)
    answered_by: str | None = Field(default=None, max_length=32)


class TeamPost(PostClaim, table=True):
    """The claim on a scheduled message that belongs to a team rather than one vendor (the
    internal digest); the same claim-then-post rule as ScheduledPost."""

    __tablename__ = "team_posts"
    __table_args__ = (
        UniqueConstraint("team_id", "kind", "occurrence", name="uq_team_posts_occurrence"),
    )

    team_id: str = Field(max_length=32, index=True)


class ReviewOutcome(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    CHANGES_REQUESTED = "changes_requested"


class Delivery(Row, table=True):
    """A vendor said a task is finished; the owner's review of it."""

    __tablename__ = "deliveries"

    task_id: int = Field(foreign_key="tasks.id", index=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    delivered_by: str = Field(max_length=32)
    delivered_at: datetime
    outcome: str = Field(default=ReviewOutcome.PENDING, max_length=24)
    reviewed_by: str | None = Field(default=None, max_length=32)
    reviewed_at: datetime | None = Field(default=None)
    review_note: str = _text_field()
    # What the vendor said with its "Done" (the rest of a `#7 done <link>` reply): shown in
    # the owner's review message.
    note: str = _text_field()


class TaskFeedback(Row, table=True):
    """The owner's rating of a finished task, 1 to 5 on three counts; one per task."""

    __tablename__ = "task_feedback"

    task_id: int = Field(foreign_key="tasks.id", unique=True)
    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    rated_by: str = Field(max_length=32)
    quality: int
    timeliness: int
    communication: int
    comment: str = _text_field()
    created_at: datetime
    updated_at: datetime


class VendorFeedback(PostReply, table=True):
    """What a vendor told us in reply to the weekly "what blocks you?" prompt."""

    __tablename__ = "vendor_feedback"
    __table_args__ = (UniqueConstraint("post_id", "message_ts", name="uq_vendor_feedback_message"),)

    vendor_id: int = Field(foreign_key="vendors.id", index=True)


class TrialDecision(StrEnum):
    KEEP = "keep"
    EXTEND = "extend"
    END = "end"


class VendorTrialDecision(Row, table=True):
    """What was decided about a vendor's trial: one decision per trial, a trial being the
    vendor and its end date (unique), so racing clicks decide once."""

    __tablename__ = "trial_decisions"
    __table_args__ = (
        UniqueConstraint("vendor_id", "trial_ends_on", name="uq_trial_decisions_trial"),
    )

    vendor_id: int = Field(foreign_key="vendors.id", index=True)
    trial_started_on: date
    trial_ends_on: date
    decision: str = Field(max_length=16)
    decided_by: str = Field(max_length=32)
    decided_at: datetime
    # Extend: the trial's new end date.
    new_trial_ends_on: date | None = Field(default=None)


class Workspace(SQLModel, table=True):
    """One Slack workspace the app serves, and its own settings (many-workspace mode).

    The tokens themselves live in slack_sdk's installation store (slack_bots,
    slack_installations); this row outlives them: an uninstall sets `uninstalled_at` and the
    data is kept for the retention period in case the workspace comes back.
    """

    __tablename__ = "workspaces"

    team_id: str = Field(primary_key=True, max_length=32)
    installed_by: str = Field(max_length=32)
    installed_at: datetime
    uninstalled_at: datetime | None = Field(default=None, index=True)
    # Empty / None: the environment's defaults (SUMMARY_CHANNEL, ADMIN_USER_IDS, DEFAULT_TIMEZONE).
    digest_channel: str | None = Field(default=None, max_length=32)
    admin_user_ids: str = Field(default="", max_length=2000)  # comma-separated user ids
    timezone: str | None = Field(default=None, max_length=64)


class Job(Row, table=True):
    """A Slack request's work after the ack, queued until a runner has done it (bot.jobs).

    `lease_until`: the runner that claimed it is working on it until then (and renews it);
    past it, the job is anyone's again. `effect`: what the job has already written, set in
    the same transaction as the write, so a second run after a crash does not write twice.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index(
            "ix_jobs_unfinished",
            "id",
            postgresql_where=text("finished_at IS NULL"),
            sqlite_where=text("finished_at IS NULL"),
        ),
    )

    kind: str = Field(max_length=32)
    team_id: str = Field(default="", max_length=32)
    payload: str = Field(sa_type=Text)
    enqueued_at: datetime
    attempts: int = Field(default=0)
    lease_until: datetime | None = Field(default=None)
    finished_at: datetime | None = Field(default=None)
    outcome: str | None = Field(default=None, max_length=16)
    effect: str | None = Field(default=None, max_length=64)
