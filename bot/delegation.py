"""What `/delegate` does to the data: plain functions over a session, no Slack.

Each function validates first and raises UsageError before writing anything; every write
is paired with an audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.commands import AddVendor
from bot.errors import UsageError
from bot.schedule_rules import local_today, parse_due_date
from bot.slack_text import escape
from storage import audit, tasks, vendors
from storage.models import Task, TaskStatus, Vendor
from storage.tasks import TaskRow


@dataclass(frozen=True)
class VendorDefaults:
    """What a newly registered vendor gets unless told otherwise."""

    timezone: str = "UTC"
    checkin_cadence: str = "weekdays@09:00"
    summary_cadence: str = "fri@16:00"


@dataclass(frozen=True)
class TaskCreated:
    task: Task
    vendor: Vendor
    vendor_registered: bool


@dataclass(frozen=True)
class TaskListing:
    heading: str
    rows: Sequence[TaskRow]
    today_of: dict[int, date]  # vendor id -> that vendor's local date, to mark overdue
    empty: str


def vendor_today(vendor: Vendor, now: datetime) -> date:
    return local_today(now, ZoneInfo(vendor.timezone))


def register_vendor(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    channel_name: str,
    actor_id: str,
    defaults: VendorDefaults,
    now: datetime,
    command: AddVendor | None = None,
) -> Vendor:
    """Create the vendor for a channel, with the command's settings or the defaults."""
    vendor = vendors.add_vendor(
        session,
        team_id=team_id,
        channel_id=channel_id,
        name=(command.name if command and command.name else channel_name)[:80],
        timezone=(command.timezone if command and command.timezone else defaults.timezone),
        checkin_cadence=(
            str(command.checkins) if command and command.checkins else defaults.checkin_cadence
        ),
        summary_cadence=(
            str(command.summary) if command and command.summary else defaults.summary_cadence
        ),
        added_by=actor_id,
        now=now,
    )
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="vendor.added",
        at=now,
        vendor_id=vendor.id,
        detail={
            "channel_id": channel_id,
            "name": vendor.name,
            "timezone": vendor.timezone,
            "checkin_cadence": vendor.checkin_cadence,
            "summary_cadence": vendor.summary_cadence,
        },
    )
    return vendor


def add_vendor(
    session: Session,
    command: AddVendor,
    *,
    team_id: str,
    actor_id: str,
    channel_name: str,
    defaults: VendorDefaults,
    now: datetime,
) -> Vendor:
    check_vendor_is_new(session, team_id, command.channel_id)
    return register_vendor(
        session,
        team_id=team_id,
        channel_id=command.channel_id,
        channel_name=channel_name,
        actor_id=actor_id,
        defaults=defaults,
        now=now,
        command=command,
    )


def create_task(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    channel_id: str,
    channel_name: str,
    title: str,
    standard: str,
    assignee_id: str | None,
    due: date | None,
    defaults: VendorDefaults,
    now: datetime,
) -> TaskCreated:
    """Log a task for the vendor in `channel_id`, registering the channel if it is new.

    `due` comes from `resolve_due_date`, checked before anything was written.
    """
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    due_date = due
    registered = vendor is None
    if vendor is None:
        vendor = register_vendor(
            session,
            team_id=team_id,
            channel_id=channel_id,
            channel_name=channel_name,
            actor_id=owner_id,
            defaults=defaults,
            now=now,
        )
    task = tasks.create_task(
        session,
        vendor=vendor,
        title=title,
        standard=standard,
        owner_id=owner_id,
        assignee_id=assignee_id,
        due_date=due_date,
        now=now,
    )
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=owner_id,
        action="task.created",
        at=now,
        vendor_id=vendor.id,
        task_id=task.id,
        detail={"title": title, "due_date": due_date, "assignee_id": assignee_id},
    )
    return TaskCreated(task=task, vendor=vendor, vendor_registered=registered)


def resolve_due_date(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    due: str | date | None,
    defaults: VendorDefaults,
    now: datetime,
) -> date | None:
    """The due date a task for `channel_id` would get, in that vendor's time zone.

    `due` is text from the command (`fri`, `+3d`, ...) or a date from the form's picker.
    A new channel's vendor will get the default time zone, so that one is used.
    """
    if due is None:
        return None
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    today = local_today(now, ZoneInfo(vendor.timezone if vendor else defaults.timezone))
    if isinstance(due, str):
        return parse_due_date(due, today)
    if due < today:
        raise UsageError(f"The due date {due.isoformat()} is in the past; pick today or later.")
    return due


def check_vendor_is_new(session: Session, team_id: str, channel_id: str) -> None:
    existing = vendors.find_vendor_by_channel(session, team_id, channel_id)
    if existing is not None:
        raise UsageError(
            f"<#{channel_id}> is already a vendor ({escape(existing.name)}). "
            "See its settings with `/delegate vendor list`."
        )


def record_announcement(session: Session, task: Task, ts: str, now: datetime) -> None:
    """Keep the announcement's ts so later notices about the task go in its thread."""
    tasks.update_task(session, task, now, announcement_ts=ts)


def list_tasks(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    scope: str,
    channel_id: str | None,
    now: datetime,
) -> TaskListing:
    """Open tasks for `scope`: "mine", "all", "overdue" or "vendor" (with `channel_id`)."""
    if scope == "vendor":
        vendor = _vendor_for(session, team_id, channel_id or "")
        rows = tasks.list_open_tasks(session, team_id, vendor_id=vendor.id)
        heading, empty = f"Open tasks for {escape(vendor.name)}", "No open tasks for this vendor."
    elif scope == "all":
        rows = tasks.list_open_tasks(session, team_id)
        heading, empty = "All open tasks", "No open tasks. Delegate one with `/delegate`."
    elif scope == "overdue":
        # Each vendor has its own "today"; no time zone is more than a day ahead of UTC.
        candidates = tasks.list_open_tasks(
            session, team_id, due_before=now.date() + timedelta(days=2)
        )
        rows = [r for r in candidates if r.task.due_date and r.task.due_date < _today_of(r, now)]
        heading, empty = "Overdue tasks", "Nothing is overdue."
    else:
        rows = tasks.list_open_tasks(session, team_id, owner_id=user_id)
        heading = "Your open tasks"
        empty = "You have no open tasks. `/delegate list all` shows everyone's."
    today_of = {r.vendor.id or 0: _today_of(r, now) for r in rows}
    return TaskListing(heading=heading, rows=rows, today_of=today_of, empty=empty)


def _today_of(row: TaskRow, now: datetime) -> date:
    return vendor_today(row.vendor, now)


def _vendor_for(session: Session, team_id: str, channel_id: str) -> Vendor:
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    if vendor is None:
        raise UsageError(
            f"<#{channel_id}> is not a vendor channel. Add it with "
            f"`/delegate vendor add <#{channel_id}>`, or see `/delegate vendor list`."
        )
    return vendor


def _open_task(session: Session, team_id: str, task_id: int) -> TaskRow:
    row = tasks.get_task_row(session, team_id, task_id)
    if row is None:
        raise UsageError(
            f"There is no task #{task_id}. `/delegate list all` shows open tasks and their ids."
        )
    if row.task.status != TaskStatus.OPEN:
        raise UsageError(f"Task #{task_id} is already {row.task.status}; nothing changed.")
    return row


def close_task(
    session: Session, *, team_id: str, actor_id: str, task_id: int, now: datetime
) -> TaskRow:
    return _finish_task(session, team_id, actor_id, task_id, TaskStatus.DONE, now)


def cancel_task(
    session: Session, *, team_id: str, actor_id: str, task_id: int, now: datetime
) -> TaskRow:
    return _finish_task(session, team_id, actor_id, task_id, TaskStatus.CANCELLED, now)


def _finish_task(
    session: Session, team_id: str, actor_id: str, task_id: int, status: TaskStatus, now: datetime
) -> TaskRow:
    row = _open_task(session, team_id, task_id)
    tasks.update_task(session, row.task, now, status=status, closed_at=now, closed_by=actor_id)
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action=f"task.{status}",
        at=now,
        vendor_id=row.vendor.id,
        task_id=task_id,
    )
    return row


def reschedule_task(
    session: Session, *, team_id: str, actor_id: str, task_id: int, due: str, now: datetime
) -> TaskRow:
    row = _open_task(session, team_id, task_id)
    new_due = parse_due_date(due, vendor_today(row.vendor, now))
    old_due = row.task.due_date
    tasks.update_task(session, row.task, now, due_date=new_due)
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="task.rescheduled",
        at=now,
        vendor_id=row.vendor.id,
        task_id=task_id,
        detail={"from": old_due, "to": new_due},
    )
    return row


def list_vendors(session: Session, *, team_id: str) -> Sequence[Vendor]:
    return vendors.list_vendors(session, team_id)


def set_vendor_paused(
    session: Session, *, team_id: str, actor_id: str, channel_id: str, paused: bool, now: datetime
) -> Vendor:
    vendor = _vendor_for(session, team_id, channel_id)
    if vendor.paused == paused:
        state = "paused" if paused else "active"
        raise UsageError(f"{escape(vendor.name)} is already {state}; nothing changed.")
    vendors.update_vendor(session, vendor, now, paused=paused)
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="vendor.paused" if paused else "vendor.resumed",
        at=now,
        vendor_id=vendor.id,
    )
    return vendor
