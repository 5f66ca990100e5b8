"""Delegating a task: checking it, registering its channel as a vendor when it is new
(or on `vendor add`), creating it, and listing open tasks. Plain functions over a session,
no Slack. Later changes to a task are bot.task_changes; the vendors, bot.vendor_registry.

Each function validates first and raises UsageError before writing anything; every write
is paired with an audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import lifecycle, permissions, vendor_registry
from bot.command_tokens import CLEAR
from bot.commands import AddVendor, UpdateVendor
from bot.config import VendorDefaults
from bot.errors import UsageError
from bot.money import DEFAULT_CURRENCY, CostSpec, resolve_cost
from bot.schedule_rules import local_today, parse_due_date, vendor_today
from bot.slack_text import escape
from bot.vendor_settings import FEEDBACK_WITH_SUMMARY
from storage import audit, requests, tasks, vendors
from storage.models import Task, Vendor
from storage.tasks import TaskRow

# How a vendor came to be registered, in its `vendor.added` audit entry.
VIA_TASK = "task"
VIA_VENDOR_ADD = "vendor add"


@dataclass(frozen=True)
class TaskCreated:
    task: Task
    vendor: Vendor
    vendor_registered: bool
    # The channel was not a vendor when the task was checked, but another request
    # registered it before this one could: the task went to that vendor.
    registered_meanwhile: bool = False


@dataclass(frozen=True)
class VendorAdded:
    vendor: Vendor
    # A task registered the channel with the defaults a moment before this `vendor add`
    # could: its settings were applied to that vendor instead (who delegated that task).
    registered_by_task_of: str | None = None


@dataclass(frozen=True)
class NewChannel:
    """The Slack channel a new vendor is registered for: its workspace, id and name (the
    vendor's name unless `vendor add` gives one)."""

    team_id: str
    channel_id: str
    name: str


@dataclass(frozen=True)
class TaskListing:
    heading: str
    rows: Sequence[TaskRow]
    today_of: dict[int, date]  # vendor id -> that vendor's local date, to mark overdue
    empty: str


def register_vendor(
    session: Session,
    channel: NewChannel,
    *,
    actor_id: str,
    defaults: VendorDefaults,
    now: datetime,
    command: AddVendor | None = None,
) -> Vendor | None:
    """Create the vendor for a channel, with the command's settings or the defaults.

    None when the channel is a vendor already: another request registered it since the
    caller looked (see storage.vendors.add_vendor); nothing was written then.
    """
    extra = new_vendor_settings(command, defaults, now) if command else {}
    new = Vendor(
        team_id=channel.team_id,
        channel_id=channel.channel_id,
        name=(command.name if command and command.name else channel.name)[:80],
        timezone=(command.timezone if command and command.timezone else defaults.timezone),
        checkin_cadence=(
            str(command.checkins) if command and command.checkins else defaults.checkin_cadence
        ),
        summary_cadence=(
            str(command.summary) if command and command.summary else defaults.summary_cadence
        ),
        added_by=actor_id,
        created_at=now,
        updated_at=now,
    )
    if command and command.workdays is not None:
        new.workdays = command.workdays
    if command and command.remind_after_minutes is not None:
        new.remind_after_minutes = command.remind_after_minutes
    vendor = vendors.add_vendor(session, new)
    if vendor is None:
        return None
    if command and command.feedback and command.feedback != FEEDBACK_WITH_SUMMARY:
        vendors.update_vendor(session, vendor, now, feedback_cadence=command.feedback)
    if command and command.public_holidays and command.public_holidays != CLEAR:
        extra["public_holidays"] = command.public_holidays
    if extra:
        vendors.update_vendor(session, vendor, now, **extra)
    audit.record_change(
        session,
        "vendor.added",
        vendor,
        {
            "channel_id": vendor.channel_id,
            "name": vendor.name,
            "timezone": vendor.timezone,
            "checkin_cadence": vendor.checkin_cadence,
            "summary_cadence": vendor.summary_cadence,
            "feedback_cadence": vendor.feedback_cadence,
            "workdays": vendor.workdays,
            "remind_after_minutes": vendor.remind_after_minutes,
            "via": VIA_VENDOR_ADD if command else VIA_TASK,
            **extra,
        },
        by=actor_id,
        at=now,
    )
    return vendor


def new_vendor_settings(
    command: AddVendor, defaults: VendorDefaults, now: datetime
) -> dict[str, object]:
    """`vendor add`'s trial and money settings, checked (UsageError) in the new vendor's
    time zone; called before the bot joins the channel, and again when writing."""
    zone = ZoneInfo(command.timezone or defaults.timezone)
    return lifecycle.lifecycle_settings(command, None, today=local_today(now, zone))


def add_vendor(
    session: Session,
    command: AddVendor,
    *,
    team_id: str,
    actor_id: str,
    channel_name: str,
    defaults: VendorDefaults,
    now: datetime,
) -> VendorAdded:
    """Register the channel with the command's settings.

    `vendor add` and a task for the same channel often race (typed one after the other,
    both run after their acks). If a task registered the channel with the defaults first
    and nobody has changed it since, this command's settings are applied to that vendor:
    the person asked for them explicitly. Any other existing vendor is refused.
    """
    existing = vendors.find_vendor_by_channel(session, team_id, command.channel_id)
    if existing is None:
        vendor = register_vendor(
            session,
            NewChannel(team_id, command.channel_id, channel_name),
            actor_id=actor_id,
            defaults=defaults,
            now=now,
            command=command,
        )
        if vendor is not None:
            return VendorAdded(vendor)
        existing = vendors.find_vendor_by_channel(session, team_id, command.channel_id)
    if existing is None:  # pragma: no cover - the insert found the key taken
        raise LookupError(f"no vendor for {command.channel_id} after finding it taken")
    if not _registered_by_task_unchanged(session, existing):
        raise UsageError(_already_a_vendor(existing))
    settings = UpdateVendor(**{f.name: getattr(command, f.name) for f in fields(command)})
    try:
        updated = vendor_registry.update_vendor_settings(
            session, settings, team_id=team_id, actor_id=actor_id, now=now
        )
        vendor = updated.vendor
    except UsageError:
        vendor = existing  # the settings asked for are the defaults it already has
    return VendorAdded(vendor, registered_by_task_of=existing.added_by)


def _registered_by_task_unchanged(session: Session, vendor: Vendor) -> bool:
    added, changes = audit.vendor_history(session, vendor.saved_id)
    return added.get("via") == VIA_TASK and changes == 0


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
    cost_minor: int | None = None,
) -> TaskCreated:
    """Log a task for the vendor in `channel_id`, registering the channel if it is new.

    `due` and `cost_minor` come from `check_new_task` (or `resolve_due_date`), checked
    before anything was written.
    """
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    due_date = due
    registered = vendor is None
    meanwhile = False
    if vendor is None:
        channel = NewChannel(team_id, channel_id, channel_name)
        vendor = register_vendor(session, channel, actor_id=owner_id, defaults=defaults, now=now)
    if vendor is None:
        # Registered by another request since our lookup: the task goes to that vendor.
        vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
        registered, meanwhile = False, True
    if vendor is None:  # pragma: no cover - the insert found the key taken
        raise LookupError(f"no vendor for {channel_id} after finding it taken")
    new = tasks.NewTask(title, standard, owner_id, assignee_id, due_date, cost_minor)
    task = tasks.create_task(session, vendor, new, now)
    detail: dict[str, object] = {"title": title, "due_date": due_date, "assignee_id": assignee_id}
    if cost_minor is not None:
        detail.update(cost_minor=cost_minor, currency=vendor.currency)
    audit.record_change(session, "task.created", task, detail, by=owner_id, at=now)
    return TaskCreated(
        task=task, vendor=vendor, vendor_registered=registered, registered_meanwhile=meanwhile
    )


@dataclass(frozen=True)
class NewTaskChecked:
    """What `check_new_task` worked out for a task about to be created."""

    due: date | None
    cost_minor: int | None
    vendor: Vendor | None = None  # None: the channel is not a vendor yet (ask first)


def check_new_task(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    admins: frozenset[str],
    due: str | date | None,
    cost: CostSpec | None,
    defaults: VendorDefaults,
    now: datetime,
) -> NewTaskChecked:
    """Everything a new task needs checked before the bot touches Slack, from one vendor
    lookup: the vendor is not a removed one, may `user_id` register the channel
    (`check_may_register`), its due date (`resolve_due_date`) and its cost
    (`resolve_task_cost`). UsageError, in that order."""
    vendor = vendor_registry.vendor_in_channel(session, team_id, channel_id)
    _check_may_register(vendor, channel_id, user_id, admins)
    return NewTaskChecked(
        due=_due_date_for(vendor, due, defaults, now),
        cost_minor=_task_cost_for(vendor, cost),
        vendor=vendor,
    )


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
    return _due_date_for(vendor, due, defaults, now)


def _due_date_for(
    vendor: Vendor | None, due: str | date | None, defaults: VendorDefaults, now: datetime
) -> date | None:
    if due is None:
        return None
    today = local_today(now, ZoneInfo(vendor.timezone if vendor else defaults.timezone))
    if isinstance(due, str):
        return parse_due_date(due, today)
    if due < today:
        raise UsageError(f"The due date {due.isoformat()} is in the past; pick today or later.")
    return due


def _task_cost_for(vendor: Vendor | None, cost: CostSpec | None) -> int | None:
    if cost is None:
        return None
    if vendor is None:
        return resolve_cost(cost, DEFAULT_CURRENCY, None)
    return resolve_cost(cost, vendor.currency, vendor.hourly_rate_minor)


def check_may_register(
    session: Session, team_id: str, channel_id: str, user_id: str, admins: frozenset[str]
) -> None:
    """A task for an unregistered channel registers it as a vendor: with admins set, only
    they may do that (see bot.permissions)."""
    if permissions.may_administer(user_id, admins):
        return
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    _check_may_register(vendor, channel_id, user_id, admins)


def _check_may_register(
    vendor: Vendor | None, channel_id: str, user_id: str, admins: frozenset[str]
) -> None:
    if vendor is None and not permissions.may_administer(user_id, admins):
        raise UsageError(permissions.registration_refusal(channel_id, admins))


def check_vendor_is_new(session: Session, team_id: str, channel_id: str) -> None:
    """Refuse `vendor add` for a channel that is a vendor already, before the bot joins it
    (a vendor a task has just registered is let through: see `add_vendor`)."""
    existing = vendors.find_vendor_by_channel(session, team_id, channel_id)
    if existing is not None and existing.removed_at is not None:
        raise UsageError(vendor_registry.removed_refusal(existing))
    if existing is not None and not _registered_by_task_unchanged(session, existing):
        raise UsageError(_already_a_vendor(existing))


def _already_a_vendor(vendor: Vendor) -> str:
    return (
        f"<#{vendor.channel_id}> is already a vendor ({escape(vendor.name)}); nothing changed. "
        f"Change its settings with `/delegate vendor set <#{vendor.channel_id}> …`, its name "
        f"with `/delegate vendor rename <#{vendor.channel_id}> New name`."
    )


ALREADY_CONFIRMED = (
    "Your first press already delegated this task; nothing more was created. "
    "`/delegate list` shows it."
)


def confirm_request(
    session: Session, *, team_id: str, request_key: str, user_id: str, now: datetime
) -> None:
    """A Register and delegate press goes ahead once per button: a second press of the same
    button (or one racing it) is refused with UsageError, and writes nothing."""
    if not requests.record_confirmation(
        session, team_id=team_id, request_key=request_key[:64], user_id=user_id, now=now
    ):
        raise UsageError(ALREADY_CONFIRMED)


def record_announcement(session: Session, task: Task, ts: str, now: datetime) -> None:
    """Keep the announcement's ts so later notices about the task go in its thread
    (one UPDATE by the task's id)."""
    tasks.set_announcement_ts(session, task, ts, now)


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
        vendor = vendor_registry.vendor_of_channel(session, team_id, channel_id or "")
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
    today_of = {r.vendor.saved_id: _today_of(r, now) for r in rows}
    return TaskListing(heading=heading, rows=rows, today_of=today_of, empty=empty)


def _today_of(row: TaskRow, now: datetime) -> date:
    return vendor_today(row.vendor, now)
