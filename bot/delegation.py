"""What `/delegate` does to the data: plain functions over a session, no Slack.

Each function validates first and raises UsageError before writing anything; every write
is paired with an audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import lifecycle, people, permissions
from bot.commands import (
    CLEAR,
    FEEDBACK_WITH_SUMMARY,
    AddVendor,
    EditTask,
    ManageHolidays,
    UpdateVendor,
)
from bot.errors import UsageError
from bot.money import DEFAULT_CURRENCY, CostSpec, resolve_cost
from bot.public_holidays import public_holidays
from bot.schedule_rules import local_today, parse_due_date
from bot.slack_text import escape
from storage import audit, holidays, on_time, requests, tasks, vendors
from storage import lifecycle as lifecycle_store
from storage import reviews as review_store
from storage.models import Task, TaskStatus, Vendor
from storage.tasks import TaskRow


@dataclass(frozen=True)
class VendorDefaults:
    """What a newly registered vendor gets unless told otherwise."""

    timezone: str = "UTC"
    checkin_cadence: str = "weekdays@09:00"
    summary_cadence: str = "fri@16:00"


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
) -> Vendor | None:
    """Create the vendor for a channel, with the command's settings or the defaults.

    None when the channel is a vendor already: another request registered it since the
    caller looked (see storage.vendors.add_vendor); nothing was written then.
    """
    extra = new_vendor_settings(command, defaults, now) if command else {}
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
        workdays=command.workdays if command else None,
        remind_after_minutes=command.remind_after_minutes if command else None,
    )
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
            "feedback_cadence": vendor.feedback_cadence,
            "workdays": vendor.workdays,
            "remind_after_minutes": vendor.remind_after_minutes,
            "via": VIA_VENDOR_ADD if command else VIA_TASK,
            **extra,
        },
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
            team_id=team_id,
            channel_id=command.channel_id,
            channel_name=channel_name,
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
        updated = update_vendor_settings(
            session, settings, team_id=team_id, actor_id=actor_id, now=now
        )
        vendor = updated.vendor
    except UsageError:
        vendor = existing  # the settings asked for are the defaults it already has
    return VendorAdded(vendor, registered_by_task_of=existing.added_by)


def _registered_by_task_unchanged(session: Session, vendor: Vendor) -> bool:
    added, changes = audit.vendor_history(session, vendor.id or 0)
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

    `due` and `cost_minor` come from `check_new_task` (or `resolve_due_date` and
    `resolve_task_cost`), checked before anything was written.
    """
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    due_date = due
    registered = vendor is None
    meanwhile = False
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
    if vendor is None:
        # Registered by another request since our lookup: the task goes to that vendor.
        vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
        registered, meanwhile = False, True
    if vendor is None:  # pragma: no cover - the insert found the key taken
        raise LookupError(f"no vendor for {channel_id} after finding it taken")
    task = tasks.create_task(
        session,
        vendor=vendor,
        title=title,
        standard=standard,
        owner_id=owner_id,
        assignee_id=assignee_id,
        due_date=due_date,
        now=now,
        cost_minor=cost_minor,
    )
    detail: dict[str, object] = {"title": title, "due_date": due_date, "assignee_id": assignee_id}
    if cost_minor is not None:
        detail.update(cost_minor=cost_minor, currency=vendor.currency)
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=owner_id,
        action="task.created",
        at=now,
        vendor_id=vendor.id,
        task_id=task.id,
        detail=detail,
    )
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
    vendor = vendor_in_channel(session, team_id, channel_id)
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


def resolve_task_cost(
    session: Session, *, team_id: str, channel_id: str, cost: CostSpec | None
) -> int | None:
    """A new task's `cost:` in minor units of its vendor's currency (a new channel's vendor
    gets the default currency and no hourly rate)."""
    if cost is None:
        return None
    return _task_cost_for(vendors.find_vendor_by_channel(session, team_id, channel_id), cost)


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
        raise UsageError(_removed_refusal(existing))
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


def vendor_of_channel(session: Session, team_id: str, channel_id: str) -> Vendor:
    """The vendor of `channel_id`, or a UsageError saying how to add one."""
    return _vendor_for(session, team_id, channel_id)


def _vendor_for(
    session: Session, team_id: str, channel_id: str, *, removed_too: bool = False
) -> Vendor:
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    if vendor is None:
        raise UsageError(
            f"<#{channel_id}> is not a vendor channel. Add it with "
            f"`/delegate vendor add <#{channel_id}>`, or see `/delegate vendor list`."
        )
    if vendor.removed_at is not None and not removed_too:
        raise UsageError(_removed_refusal(vendor))
    return vendor


def _removed_refusal(vendor: Vendor) -> str:
    return (
        f"{escape(vendor.name)} (<#{vendor.channel_id}>) was removed as a vendor; nothing "
        f"changed. Bring it back first with `/delegate vendor restore <#{vendor.channel_id}>`."
    )


def is_vendor_channel(session: Session, team_id: str, channel_id: str) -> bool:
    """Whether `channel_id` is a vendor's that is in use (not removed)."""
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    return vendor is not None and vendor.removed_at is None


def vendor_in_channel(session: Session, team_id: str, channel_id: str) -> Vendor | None:
    """The vendor a new task for `channel_id` goes to; None when the channel is not a vendor
    yet (the requester is asked before it becomes one). A removed vendor is refused."""
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    if vendor is not None and vendor.removed_at is not None:
        raise UsageError(_removed_refusal(vendor))
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
    tasks.update_task(
        session,
        row.task,
        now,
        status=status,
        closed_at=now,
        closed_by=actor_id,
        **on_time.due_when_finishing(row.task),
    )
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


def list_vendors(session: Session, *, team_id: str, removed: bool = False) -> Sequence[Vendor]:
    return vendors.list_vendors(session, team_id, removed=removed)


def check_vendor_can_change_pause(
    session: Session, *, team_id: str, channel_id: str, paused: bool
) -> Vendor:
    """The vendor to pause or resume; UsageError when there is none or nothing would change."""
    vendor = _vendor_for(session, team_id, channel_id)
    if vendor.paused == paused:
        state = "paused" if paused else "active"
        raise UsageError(f"{escape(vendor.name)} is already {state}; nothing changed.")
    return vendor


def set_vendor_paused(
    session: Session, *, team_id: str, actor_id: str, channel_id: str, paused: bool, now: datetime
) -> Vendor:
    """Pause or resume by hand. Resuming also forgets why the bot had paused it."""
    vendor = check_vendor_can_change_pause(
        session, team_id=team_id, channel_id=channel_id, paused=paused
    )
    previous_reason = vendor.pause_reason
    vendors.update_vendor(session, vendor, now, paused=paused, pause_reason=None)
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="vendor.paused" if paused else "vendor.resumed",
        at=now,
        vendor_id=vendor.id,
        detail={"pause_reason": previous_reason} if previous_reason else None,
    )
    return vendor


# --------------------------------------------------------------------------- vendor settings

# Vendor fields `vendor set` can change, with the name a reply and the audit log use.
_SETTING_FIELDS = (
    ("name", "name"),
    ("timezone", "time zone"),
    ("checkin_cadence", "check-ins"),
    ("summary_cadence", "summary"),
    ("feedback_cadence", "feedback prompt"),
    ("remind_after_minutes", "reminder"),
    ("workdays", "workdays"),
    ("trial_started_on", "trial"),
    ("trial_ends_on", "trial"),
    ("currency", "currency"),
    ("hourly_rate_minor", "rate"),
    ("monthly_budget_minor", "budget"),
    ("public_holidays", "public holidays"),
    ("show_figures", "figures in the summary"),
    ("review_after_minutes", "review time"),
)
_KEEP = object()  # "not given": leave the setting as it is


@dataclass(frozen=True)
class VendorUpdated:
    vendor: Vendor
    changed: tuple[str, ...]  # readable names of the settings that changed, in order


def update_vendor_settings(
    session: Session, command: UpdateVendor, *, team_id: str, actor_id: str, now: datetime
) -> VendorUpdated:
    """Apply `vendor set`: only the settings given; audited as vendor.updated with from/to."""
    vendor = _vendor_for(session, team_id, command.channel_id)
    vendor_id = vendor.id or 0
    wanted: dict[str, object] = {
        "name": command.name,
        "timezone": command.timezone,
        "checkin_cadence": str(command.checkins) if command.checkins else None,
        "summary_cadence": str(command.summary) if command.summary else None,
        "remind_after_minutes": command.remind_after_minutes,
        "workdays": command.workdays,
        "feedback_cadence": command.feedback,
        "show_figures": command.show_figures,
        "review_after_minutes": command.review_after_minutes,
    }
    wanted = {field: _KEEP if value is None else value for field, value in wanted.items()}
    if command.feedback == FEEDBACK_WITH_SUMMARY:
        wanted["feedback_cadence"] = None  # "with the summary" is stored as None
    if command.public_holidays is not None:
        wanted["public_holidays"] = (
            None if command.public_holidays == CLEAR else command.public_holidays
        )
    # Trial dates are read in the vendor's time zone (the new one, when it changes too).
    zone = ZoneInfo(command.timezone or vendor.timezone)
    wanted |= lifecycle.lifecycle_settings(
        command,
        vendor,
        today=local_today(now, zone),
        has_costs=command.currency is not None
        and lifecycle_store.vendor_has_costs(session, vendor_id),
        decided=lambda end: lifecycle_store.find_trial_decision(session, vendor_id, end),
    )
    changes = {
        field: {"from": getattr(vendor, field), "to": wanted[field]}
        for field, _ in _SETTING_FIELDS
        if wanted.get(field, _KEEP) is not _KEEP and wanted[field] != getattr(vendor, field)
    }
    if not changes:
        raise UsageError(
            f"{escape(vendor.name)} already has those settings; nothing changed. "
            "See them with `/delegate vendor list`."
        )
    vendors.update_vendor(
        session, vendor, now, **{field: change["to"] for field, change in changes.items()}
    )
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="vendor.updated",
        at=now,
        vendor_id=vendor.id,
        detail=changes,
    )
    changed = tuple(dict.fromkeys(label for field, label in _SETTING_FIELDS if field in changes))
    return VendorUpdated(vendor=vendor, changed=changed)


# --------------------------------------------------------------------------- holidays

MAX_HOLIDAYS_LISTED = 60
PUBLIC_HOLIDAYS_LISTED_DAYS = 365


@dataclass(frozen=True)
class HolidayListing:
    """A vendor's upcoming holidays, after an optional change."""

    vendor: Vendor
    upcoming: Sequence[date]
    added: Sequence[date] = ()
    removed: Sequence[date] = ()
    already: Sequence[date] = ()  # asked to add, but they were holidays already
    # The country's public holidays (vendor.public_holidays) in the coming year, by date.
    public: Mapping[date, str] = field(default_factory=dict)


def manage_holidays(
    session: Session, command: ManageHolidays, *, team_id: str, actor_id: str, now: datetime
) -> HolidayListing:
    """List, add or remove a vendor's holidays. Dates are read in the vendor's time zone.

    All dates are checked before anything is written: one bad date changes nothing. Adding
    a holiday twice is harmless; removing a date that is no holiday is refused.
    """
    vendor = _vendor_for(session, team_id, command.channel_id)
    vendor_id = vendor.id or 0
    today = vendor_today(vendor, now)
    days = sorted({parse_due_date(text, today) for text in command.dates})
    existing = holidays.holidays_among(session, vendor_id, days)
    added: list[date] = []
    removed: list[date] = []
    if command.action == "add":
        added = [day for day in days if day not in existing]
        holidays.add_holidays(session, vendor_id, added)
    elif command.action == "remove":
        missing = [day for day in days if day not in existing]
        if missing:
            listed = ", ".join(f"{day:%a %-d %b %Y}" for day in missing)
            raise UsageError(
                f"{listed} {'is' if len(missing) == 1 else 'are'} not a holiday for "
                f"{escape(vendor.name)}; nothing changed. See them with "
                f"`/delegate vendor holiday <#{vendor.channel_id}>`."
            )
        removed = days
        holidays.remove_holidays(session, vendor_id, removed)
    if added or removed:
        audit.record_change(
            session,
            team_id=team_id,
            actor_id=actor_id,
            action="vendor.holidays_added" if added else "vendor.holidays_removed",
            at=now,
            vendor_id=vendor_id,
            detail={"days": added or removed},
        )
    upcoming = holidays.list_holidays(session, vendor_id, since=today, limit=MAX_HOLIDAYS_LISTED)
    already = [day for day in days if day in existing] if command.action == "add" else []
    public = public_holidays(
        vendor.public_holidays, today, today + timedelta(days=PUBLIC_HOLIDAYS_LISTED_DAYS)
    )
    return HolidayListing(
        vendor, upcoming, added=added, removed=removed, already=already, public=public
    )


# --------------------------------------------------------------------------- removal


def remove_vendor(
    session: Session, *, team_id: str, actor_id: str, channel_id: str, now: datetime
) -> tuple[Vendor, int]:
    """`vendor remove`: from now on nothing is posted for the vendor and it is out of every
    list, digest and summary; its tasks and figures stay in the database. Returns the
    vendor and how many open tasks it had (kept, hidden with it)."""
    vendor = _vendor_for(session, team_id, channel_id, removed_too=True)
    if vendor.removed_at is not None:
        raise UsageError(
            f"{escape(vendor.name)} is already removed; nothing changed. "
            f"`/delegate vendor restore <#{channel_id}>` brings it back."
        )
    open_tasks = len(tasks.list_open_tasks(session, team_id, vendor_id=vendor.id))
    vendors.update_vendor(session, vendor, now, removed_at=now, removed_by=actor_id)
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="vendor.removed",
        at=now,
        vendor_id=vendor.id,
        detail={"channel_id": channel_id, "name": vendor.name, "open_tasks": open_tasks},
    )
    return vendor, open_tasks


def restore_vendor(
    session: Session, *, team_id: str, actor_id: str, channel_id: str, now: datetime
) -> Vendor:
    """`vendor restore`: a removed vendor is back as it was (paused or not)."""
    vendor = _vendor_for(session, team_id, channel_id, removed_too=True)
    if vendor.removed_at is None:
        raise UsageError(f"{escape(vendor.name)} is not removed; nothing changed.")
    removed_at = vendor.removed_at
    vendors.update_vendor(session, vendor, now, removed_at=None, removed_by=None)
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="vendor.restored",
        at=now,
        vendor_id=vendor.id,
        detail={"removed_at": removed_at},
    )
    return vendor


def check_vendor_can_be_restored(session: Session, *, team_id: str, channel_id: str) -> Vendor:
    vendor = _vendor_for(session, team_id, channel_id, removed_too=True)
    if vendor.removed_at is None:
        raise UsageError(f"{escape(vendor.name)} is not removed; nothing changed.")
    return vendor


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
    row = tasks.get_task_row(session, team_id, task_id)
    if row is not None and actor_is_outside and row.vendor.channel_id != here_channel_id:
        row = None
    if row is None:
        raise UsageError(
            f"There is no task #{task_id}; nothing changed. `/delegate list all` shows open "
            "tasks and their ids."
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
        raise UsageError(_removed_refusal(vendor))
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


def reopen_task(
    session: Session, *, team_id: str, actor_id: str, row: TaskRow, now: datetime
) -> TaskRow:
    """`reopen ID`: a done or cancelled task is open again. Its completion and spend leave
    the figures with its status; its rating is deleted (kept in the audit entry), so every
    figure is as it was before it closed."""
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
    rating = review_store.get_task_feedback(session, task.id or 0)
    if rating is not None:
        detail["rating"] = {
            "quality": rating.quality,
            "timeliness": rating.timeliness,
            "communication": rating.communication,
            "comment": rating.comment,
            "rated_by": rating.rated_by,
        }
        session.delete(rating)
    tasks.update_task(
        session,
        task,
        now,
        status=TaskStatus.OPEN,
        closed_at=None,
        closed_by=None,
        delivered_at=None,
        delivered_by=None,
        due_in_force=None,
    )
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="task.reopened",
        at=now,
        vendor_id=row.vendor.id,
        task_id=task.id,
        detail=detail,
    )
    return row


def edit_task(
    session: Session,
    command: EditTask,
    *,
    team_id: str,
    actor_id: str,
    row: TaskRow,
    now: datetime,
) -> dict[str, dict[str, str]]:
    """`edit ID title | standard`: what changed ("title", "standard") from what to what,
    audited so."""
    task = row.task
    wanted = {"title": command.title, "standard": command.standard}
    changes = {
        field: {"from": str(getattr(task, field)), "to": value}
        for field, value in wanted.items()
        if value is not None and value != getattr(task, field)
    }
    if not changes:
        raise UsageError(f"Task #{task.id} already reads like that; nothing changed.")
    tasks.update_task(session, task, now, **{k: v["to"] for k, v in changes.items()})
    audit.record_change(
        session,
        team_id=team_id,
        actor_id=actor_id,
        action="task.edited",
        at=now,
        vendor_id=row.vendor.id,
        task_id=task.id,
        detail=changes,
    )
    return changes


def change_task_person(
    session: Session,
    *,
    team_id: str,
    actor_id: str,
    row: TaskRow,
    field: str,
    user_id: str | None,
    now: datetime,
) -> str | None:
    """`assign` (field "assignee_id") or `owner` (field "owner_id"): the previous person."""
    task = row.task
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
        team_id=team_id,
        actor_id=actor_id,
        action="task.assigned" if field == "assignee_id" else "task.handed_over",
        at=now,
        vendor_id=row.vendor.id,
        task_id=task.id,
        detail={"from": previous, "to": user_id},
    )
    return previous
