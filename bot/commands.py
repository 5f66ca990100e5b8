"""What `/delegate` can be asked: one frozen dataclass per command.

bot.command_grammar turns the text Slack sends into one of these (or a UsageError);
handlers/delegate.py runs it. Values that depend on a vendor (due dates are in the vendor's
time zone, costs in its currency) are kept as text here and resolved by bot.delegation.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.money import CostSpec
from bot.vendor_settings import VendorSettingsCommand

MAX_TITLE_LENGTH = 300
MAX_SCORECARD_WEEKS = 52
DEFAULT_SCORECARD_WEEKS = 12
MAX_HOLIDAYS_PER_COMMAND = 31


@dataclass(frozen=True)
class ShowHelp:
    pass


@dataclass(frozen=True)
class OpenDelegateForm:
    pass


@dataclass(frozen=True)
class CreateTask:
    title: str
    channel_id: str | None = None
    assignee_id: str | None = None
    due: str | None = None
    standard: str = ""
    cost: CostSpec | None = None  # in the vendor's currency, resolved by bot.delegation


@dataclass(frozen=True)
class ListTasks:
    scope: str  # "mine", "all", "overdue" or "vendor"
    channel_id: str | None = None


@dataclass(frozen=True)
class CloseTask:
    task_id: int


@dataclass(frozen=True)
class CancelTask:
    task_id: int


@dataclass(frozen=True)
class RescheduleTask:
    task_id: int
    due: str


@dataclass(frozen=True)
class SetTaskCost:
    """`cost ID AMOUNT` (or `cost ID none`): what a task costs, in its vendor's currency."""

    task_id: int
    cost: CostSpec | None


@dataclass(frozen=True)
class ReopenTask:
    """`reopen ID`: a done or cancelled task is open again (undo)."""

    task_id: int


@dataclass(frozen=True)
class EditTask:
    """`edit ID [title] [| standard]`: None means "leave as is"; `|` with nothing after it
    clears the standard."""

    task_id: int
    title: str | None = None
    standard: str | None = None


@dataclass(frozen=True)
class AssignTask:
    """`assign ID @person` (or `none`): who works on the task at the vendor."""

    task_id: int
    assignee_id: str | None


@dataclass(frozen=True)
class HandOverTask:
    """`owner ID @person`: the task gets a new owner."""

    task_id: int
    owner_id: str


# Commands that change one task: for its owner and the admins (see bot.permissions).
TaskCommand = (
    CloseTask
    | CancelTask
    | RescheduleTask
    | SetTaskCost
    | ReopenTask
    | EditTask
    | AssignTask
    | HandOverTask
)


@dataclass(frozen=True)
class ShowScorecard:
    """`scorecard [#vendor] [weeks:N]`: sent to the requester's DM, never to a channel."""

    channel_id: str | None = None
    weeks: int = DEFAULT_SCORECARD_WEEKS


@dataclass(frozen=True)
class PostSummary:
    """`summary [#vendor]`: the vendor's weekly summary, posted in its channel now."""

    channel_id: str | None = None


@dataclass(frozen=True)
class SendReport:
    """`report [from:DATE] [to:DATE]`: dates stay text, resolved in the team's time zone."""

    start: str | None = None
    end: str | None = None
    channel_id: str | None = None  # `report #vendor`: one vendor's records only


@dataclass(frozen=True)
class AddVendor(VendorSettingsCommand):
    """`vendor add #channel [name…] [key:value…]`: register a vendor with these settings."""


@dataclass(frozen=True)
class UpdateVendor(VendorSettingsCommand):
    """`vendor set`: only the settings given are changed (None means "leave as is")."""


@dataclass(frozen=True)
class ManageHolidays:
    """`vendor holiday`: list upcoming days off, or add/remove some.

    Dates stay text (`2026-12-25`, `fri`, `+3d`) because relative ones mean the vendor's
    own calendar; `bot.delegation` resolves them in the vendor's time zone.
    """

    channel_id: str
    action: str  # "list", "add" or "remove"
    dates: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManageAbsences:
    """`vendor away #acme [clear [@person]]`: who is away (said from the check-in's menu),
    or clear absences (everyone's, or one person's)."""

    channel_id: str
    clear: bool = False
    user_id: str | None = None


@dataclass(frozen=True)
class EditQuestions:
    """`vendor questions #acme`: opens the form with the team's check-in questions."""

    channel_id: str


@dataclass(frozen=True)
class ListVendors:
    removed: bool = False  # `vendor list removed`: the removed ones instead


@dataclass(frozen=True)
class RemoveVendor:
    """`vendor remove #channel`: stop everything for the vendor and hide it; history kept."""

    channel_id: str


@dataclass(frozen=True)
class RestoreVendor:
    channel_id: str


@dataclass(frozen=True)
class PauseVendor:
    channel_id: str


@dataclass(frozen=True)
class ResumeVendor:
    channel_id: str


# `vendor …` (bot.vendor_grammar); which of them only admins may run: bot.permissions.
VendorCommand = (
    AddVendor
    | UpdateVendor
    | ManageHolidays
    | ManageAbsences
    | EditQuestions
    | ListVendors
    | PauseVendor
    | ResumeVendor
    | RemoveVendor
    | RestoreVendor
)
Command = (
    ShowHelp
    | OpenDelegateForm
    | CreateTask
    | ListTasks
    | TaskCommand
    | ShowScorecard
    | PostSummary
    | SendReport
    | VendorCommand
)
