"""What `/delegate` does to a task after it is created: who may change it, and done,
cancel, due, reopen, edit, assign and owner. Plain functions over a session, no Slack.

Each function validates first and raises UsageError before writing anything; every write
is paired with an audit entry in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import people
from bot.commands import EditTask
from bot.errors import UsageError
from bot.schedule_rules import parse_due_date, vendor_today
from bot.slack_text import escape
from bot.vendor_registry import removed_refusal
from storage import audit, on_time, tasks, vendors
from storage import reviews as review_store
from storage.models import Task, TaskStatus
from storage.tasks import TaskRow

# --------------------------------------------------------------------------- closing and moving


def _open_task(session: Session, team_id: str, task_id: int) -> TaskRow:
    row = people.find_task(session, team_id, task_id)
    if row.task.status != TaskStatus.OPEN:
        raise UsageError(f"Task #{task_id} is already {row.task.status}; nothing changed.")
    return row


def finish_task(
    session: Session,
    *,
    team_id: str,
    actor_id: str,
    task_id: int,
    status: TaskStatus,
    now: datetime,
) -> TaskRow:
    """`done` (status done) or `cancel` (status cancelled) an open task."""
    row = _open_task(session, team_id, task_id)
    tasks.update_task(
        session,
        row.task,
        now,
        status=status,
        closed_at=now,
        closed_by=actor_id,
        **on_time.due_when_finishing(row.task),
    )
    audit.record_change(session, f"task.{status}", row.task, by=actor_id, at=now)
    return row


def reschedule_task(
    session: Session, *, team_id: str, actor_id: str, task_id: int, due: str, now: datetime
) -> TaskRow:
    row = _open_task(session, team_id, task_id)
    new_due = parse_due_date(due, vendor_today(row.vendor, now))
    old_due = row.task.due_date
    tasks.update_task(session, row.task, now, due_date=new_due)
    audit.record_change(
        session, "task.rescheduled", row.task, {"from": old_due, "to": new_due}, by=actor_id, at=now
    )
    return row


# --------------------------------------------------------------------------- task ownership


@dataclass(frozen=True)
class TaskAccess:
    """A task someone may change, and whether it is someone else's (the owner is told)."""

    row: TaskRow
    for_someone_else: bool


def check_task_access(
    session: Session,
    *,
    team_id: str,
    task_id: int,
    actor_id: str,
    actor_is_outside: bool,
    admins: frozenset[str],
    here_channel_id: str,
    verb: str,
) -> TaskAccess:
    """Whether `actor_id` may `verb` task `task_id` typed in `here_channel_id`; UsageError
    (saying who may and how to ask) when not.

    A task is changed by its owner and the admins (ADMIN_USER_IDS: with none set, only by
    its owner); `done` also by the vendor's people (it delivers the task for review). An id
    typed in a vendor's channel must be that vendor's: a slip of a digit there is refused
    with the vendor the task belongs to. Outside users only ever see their own vendor's
    tasks: any other id is "no such task".
    """
    row = people.find_task(
        session, team_id, task_id, actor_is_outside=actor_is_outside, channel_id=here_channel_id
    )
    task, vendor = row.task, row.vendor
    here = vendors.find_vendor_by_channel(session, team_id, here_channel_id)
    if here is not None and here.id != vendor.id:
        raise UsageError(
            f"Task #{task_id} ({escape(task.title)}) is for {escape(vendor.name)} "
            f"(<#{vendor.channel_id}>), not {escape(here.name)}, whose channel this is; "
            f"nothing changed. Check the number with `/delegate list <#{here.channel_id}>`, "
            f"or type the command in <#{vendor.channel_id}> or a channel that is no vendor's."
        )
    if vendor.removed_at is not None:
        raise UsageError(removed_refusal(vendor))
    if actor_id == task.owner_id:
        return TaskAccess(row, for_someone_else=False)
    if actor_id in admins:
        return TaskAccess(row, for_someone_else=True)
    if verb == "done" and people.is_vendor_contact(task, actor_id, actor_is_outside):
        return TaskAccess(row, for_someone_else=False)
    raise UsageError(ownership_refusal(task, actor_id, verb, admins))


def ownership_refusal(task: Task, actor_id: str, verb: str, admins: frozenset[str]) -> str:
    who = (
        f"only they or an admin ({', '.join(f'<@{a}>' for a in sorted(admins))})"
        if admins
        else "only they"
    )
    return (
        f"Task #{task.id} ({escape(task.title)}) belongs to <@{task.owner_id}>: {who} can "
        f"`{verb}` it; nothing changed. To take it over, ask <@{task.owner_id}> to run "
        f"`/delegate owner {task.id} <@{actor_id}>`."
    )


# --------------------------------------------------------------------------- task changes


@dataclass(frozen=True)
class Amendment:
    """Who changes which task (found and access-checked), and when: what reopen, edit,
    assign and owner have in common."""

    row: TaskRow
    actor_id: str
    now: datetime


def reopen_task(session: Session, change: Amendment) -> TaskRow:
    """`reopen ID`: a done or cancelled task is open again. Its completion and spend leave
    the figures with its status; its rating is deleted (kept in the audit entry), so every
    figure is as it was before it closed."""
    row, now = change.row, change.now
    task = row.task
    if task.status == TaskStatus.OPEN:
        raise UsageError(f"Task #{task.id} is open already; nothing changed.")
    if task.status == TaskStatus.DELIVERED:
        raise UsageError(
            f"Task #{task.id} is delivered and waiting for <@{task.owner_id}>'s review; nothing "
            "changed. Accept it or ask for changes in the review message."
        )
    detail: dict[str, object] = {
        "from": task.status,
        "closed_at": task.closed_at,
        "closed_by": task.closed_by,
    }
    rating = review_store.get_task_feedback(session, task.saved_id)
    if rating is not None:
        detail["rating"] = {
            "quality": rating.quality,
            "timeliness": rating.timeliness,
            "communication": rating.communication,
            "comment": rating.comment,
            "rated_by": rating.rated_by,
        }
        session.delete(rating)
    tasks.reopen_task(session, task, now)
    audit.record_change(session, "task.reopened", task, detail, by=change.actor_id, at=now)
    return row


def edit_task(session: Session, command: EditTask, change: Amendment) -> dict[str, dict[str, str]]:
    """`edit ID title | standard`: what changed ("title", "standard") from what to what,
    audited so."""
    task = change.row.task
    wanted = {"title": command.title, "standard": command.standard}
    changes = {
        field: {"from": str(getattr(task, field)), "to": value}
        for field, value in wanted.items()
        if value is not None and value != getattr(task, field)
    }
    if not changes:
        raise UsageError(f"Task #{task.id} already reads like that; nothing changed.")
    now = change.now
    tasks.update_task(session, task, now, **{k: v["to"] for k, v in changes.items()})
    audit.record_change(session, "task.edited", task, changes, by=change.actor_id, at=now)
    return changes


def change_task_person(
    session: Session, change: Amendment, field: str, user_id: str | None
) -> str | None:
    """`assign` (field "assignee_id") or `owner` (field "owner_id"): the previous person."""
    task, now = change.row.task, change.now
    previous: str | None = getattr(task, field)
    if previous == user_id:
        who = f"<@{user_id}>" if user_id else "nobody"
        role = "assigned to" if field == "assignee_id" else "owned by"
        raise UsageError(f"Task #{task.id} is {role} {who} already; nothing changed.")
    if field == "owner_id" and task.status not in (TaskStatus.OPEN, TaskStatus.DELIVERED):
        raise UsageError(
            f"Task #{task.id} is {task.status}; nothing changed. Reopen it first with "
            f"`/delegate reopen {task.id}`."
        )
    tasks.update_task(session, task, now, **{field: user_id})
    audit.record_change(
        session,
        "task.assigned" if field == "assignee_id" else "task.handed_over",
        task,
        {"from": previous, "to": user_id},
        by=change.actor_id,
        at=now,
    )
    return previous
