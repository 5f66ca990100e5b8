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


# A command that adds no field to its base needs no @dataclass of its own: it inherits the
# base's __init__, repr and frozenness, and equality that also compares the class.


@dataclass(frozen=True)
class OneTask:
    """A command about one task, named by its id."""

    task_id: int


class CloseTask(OneTask):
    """`done ID`: closes the task; from a vendor contact, delivers it for the owner's review."""


class CancelTask(OneTask):
    """`cancel ID`."""


@dataclass(frozen=True)
class RescheduleTask(OneTask):
    """`due ID DATE`."""

    due: str


@dataclass(frozen=True)
class SetTaskCost(OneTask):
    """`cost ID AMOUNT` (or `cost ID none`): what a task costs, in its vendor's currency."""

    cost: CostSpec | None


class ReopenTask(OneTask):
    """`reopen ID`: a done or cancelled task is open again (undo)."""


@dataclass(frozen=True)
class EditTask(OneTask):
    """`edit ID [title] [| standard]`: None means "leave as is"; `|` with nothing after it
    clears the standard."""

    title: str | None = None
    standard: str | None = None


@dataclass(frozen=True)
class AssignTask(OneTask):
    """`assign ID @person` (or `none`): who works on the task at the vendor."""

    assignee_id: str | None


@dataclass(frozen=True)
class HandOverTask(OneTask):
    """`owner ID @person`: the task gets a new owner."""

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


class AddVendor(VendorSettingsCommand):
    """`vendor add #channel [name…] [key:value…]`: register a vendor with these settings."""


class UpdateVendor(VendorSettingsCommand):
    """`vendor set`: only the settings given are changed (None means "leave as is")."""


@dataclass(frozen=True)
class OneVendor:
    """A `vendor …` command about one vendor, named by its channel."""

    channel_id: str


@dataclass(frozen=True)
class ManageHolidays(OneVendor):
    """`vendor holiday`: list upcoming days off, or add/remove some.

    Dates stay text (`2026-12-25`, `fri`, `+3d`) because relative ones mean the vendor's
    own calendar; `bot.delegation` resolves them in the vendor's time zone.
    """

    action: str  # "list", "add" or "remove"
    dates: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManageAbsences(OneVendor):
    """`vendor away #acme [clear [@person]]`: who is away (said from the check-in's menu),
    or clear absences (everyone's, or one person's)."""

    clear: bool = False
    user_id: str | None = None


class EditQuestions(OneVendor):
    """`vendor questions #acme`: opens the form with the team's check-in questions."""


@dataclass(frozen=True)
class ListVendors:
    removed: bool = False  # `vendor list removed`: the removed ones instead


class RemoveVendor(OneVendor):
    """`vendor remove #channel`: stop everything for the vendor and hide it; history kept."""


class RestoreVendor(OneVendor):
    """`vendor restore #channel`: a removed vendor is back as it was (paused or not)."""


class PauseVendor(OneVendor):
    """`vendor pause #channel`: stop check-ins for the vendor until `vendor resume`."""


class ResumeVendor(OneVendor):
    """`vendor resume #channel`."""


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
