"""The `/delegate` grammar: turns the text Slack sends into a command object, or a UsageError.

Slack sends the text with `should_escape: true`, so channels and users arrive as
`<#C123|name>` / `<@U123|name>` and literal `&`, `<`, `>` as entities. Parsing is pure: no
database, no Slack; values that depend on a vendor (due dates are in the vendor's time zone)
are kept as text here and resolved by `bot.delegation`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from bot.errors import UsageError
from bot.money import CostSpec, check_amount_text, parse_cost, parse_currency
from bot.public_holidays import parse_holiday_code
from bot.schedule_rules import (
    Cadence,
    format_days,
    parse_cadence,
    parse_duration,
    parse_timezone,
    parse_workdays,
)
from bot.slack_text import escape, readable_text

MAX_TITLE_LENGTH = 300
DEFAULT_CHECKIN_TIME = time(9, 0)
DEFAULT_SUMMARY_TIME = time(16, 0)

CHANNEL_TOKEN = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
USER_TOKEN = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
OPTION = re.compile(r"^([a-z]+):(.*)$", re.IGNORECASE)
TASK_ID = re.compile(r"^#?(\d{1,9})$")

HELP_LINES = [
    ("/delegate", "open a form to delegate a task"),
    (
        "/delegate [#vendor] [@assignee] title… [due:DATE] [cost:450] [| standard expected]",
        "log a task for a vendor (this channel when none is given)",
    ),
    ("/delegate list [all|overdue|#vendor]", "open tasks: yours, everyone's, overdue, a vendor's"),
    ("/delegate done ID", "close your task (accepting a delivery); a vendor's goes to review"),
    ("/delegate cancel ID", "cancel a task"),
    ("/delegate due ID DATE", "move a task's due date"),
    ("/delegate cost ID AMOUNT|none", "set or clear what a task costs (never shown to vendors)"),
    ("/delegate reopen ID", "undo a done or cancel"),
    ("/delegate edit ID [title] [| standard]", "change a task's title or standard"),
    ("/delegate assign ID @person|none", "who works on it"),
    ("/delegate owner ID @person", "hand it over"),
    ("/delegate summary [#vendor]", "post a vendor's weekly summary in its channel now"),
    (
        "/delegate scorecard [#vendor] [weeks:12]",
        "a vendor's weekly scorecard, verdict, spend and chart, sent to you",
    ),
    (
        "/delegate report [#vendor] [from:DATE] [to:DATE]",
        "a CSV of tasks, updates, replies and feedback, sent to you (default: the last 4 weeks)",
    ),
    (
        "/delegate settings [digest:#channel] [admins:@a,@b] [tz:Area/City]",
        "this workspace's digest channel, admins and default time zone (admins only)",
    ),
    (
        "/delegate vendor add #channel [name…] [tz:Area/City] [checkins:CADENCE] [summary:CADENCE]"
        " [feedback:CADENCE] [remind:4h] [workdays:mon-fri] [trial:30d] [currency:EUR] [rate:35]"
        " [budget:2000] [holidays:PH]",
        "register a vendor channel",
    ),
    (
        "/delegate vendor set #channel [name:…] [tz:…] [checkins:…] [summary:…] [feedback:…]"
        " [remind:…] [workdays:…] [trial:…] [currency:…] [rate:…] [budget:…] [holidays:…]",
        "change a vendor's settings (at least one)",
    ),
    (
        "/delegate vendor holiday #channel [add|remove DATE…]",
        "a vendor's days off (its own and its country's public holidays): list or change",
    ),
    (
        "/delegate vendor away #channel [clear [@person]]",
        "who at a vendor said they are away (check-in menu: Away…); clear absences",
    ),
    (
        "/delegate vendor questions #channel",
        "a form for up to five questions asked at each check-in (Answer button)",
    ),
    ("/delegate vendor list [removed]", "vendors and their schedules (or removed ones)"),
    ("/delegate vendor pause #channel", "stop check-ins for a vendor"),
    ("/delegate vendor resume #channel", "start them again"),
    ("/delegate vendor rename #channel New name", "rename"),
    ("/delegate vendor remove|restore #channel", "stop and hide a vendor (history kept), or undo"),
    ("/delegate help", "this help"),
]
TITLE_HELP = "A title starting like a command needs the channel first: `/delegate #acme list…`."
DATE_HELP = (
    "DATE: `YYYY-MM-DD`, `today`, `tomorrow`, `fri` or `friday`, `+3d`, `+2w` (vendor's time)."
)
CADENCE_HELP = (
    "CADENCE: `daily`, `weekdays`, `weekly` or days like `mon,wed,fri`, optionally `@HH:MM` "
    "in the vendor's time (check-ins take several: `weekdays@09:00,15:00`). "
    "Defaults: check-ins `weekdays@09:00`, summary `fri@16:00`, "
    "feedback prompt with the summary (`feedback:summary` puts it back there)."
)
SETTINGS_HELP = (
    "`remind:` how long after a check-in to nudge (`4h`, `90m`, at most `7d`); `workdays:` the "
    "days the vendor works (`mon-fri`, `sun-thu`, `mon,tue,thu`); `holidays:` a country's "
    "public holidays as days off (`PH`, `AR`, `US-CA`; `none` turns them off). With "
    "`vendor set`: `figures:on` shows response rates and ratings in the vendor's own "
    "summary (default off); `review:24h` how long a delivery may wait for review before "
    "its owner is reminded."
)
LIFECYCLE_HELP = (
    "`trial:30d` (or `2w`, `until:DATE`, `none`) puts a vendor on trial: you get its scorecard "
    "and Keep / Extend / End buttons 3 working days before the end. `currency:` an ISO code "
    "(default USD); `rate:` hourly rate; `budget:` monthly budget (alerts at 80% and 100%). "
    "Costs: `cost:450`, `cost:450.50`, `cost:12h@35`, `cost:12h` (at the vendor's rate)."
)
MAX_TRIAL_DAYS = 365
MAX_SCORECARD_WEEKS = 52
DEFAULT_SCORECARD_WEEKS = 12
# `trial:none`, `rate:none`, `budget:none`: clear the setting.
CLEAR = "none"
_CLEAR_WORDS = frozenset({"none", "off", "no"})
_TRIAL_LENGTH = re.compile(r"([0-9]{1,3})([dw])", re.IGNORECASE)
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


# `feedback:summary`: the weekly feedback prompt goes with the summary (stored as None).
FEEDBACK_WITH_SUMMARY = "summary"


@dataclass(frozen=True)
class AddVendor:
    channel_id: str
    name: str | None = None
    timezone: str | None = None
    checkins: Cadence | None = None
    summary: Cadence | None = None
    remind_after_minutes: int | None = None
    workdays: str | None = None  # canonical text from format_days, e.g. "sun-thu"
    # Canonical cadence text, or FEEDBACK_WITH_SUMMARY.
    feedback: str | None = None
    trial: str | None = None  # `30d`, `until:DATE` (DATE as typed) or CLEAR
    currency: str | None = None  # ISO 4217 code
    rate: str | None = None  # an amount as typed (checked), or CLEAR
    budget: str | None = None  # an amount as typed (checked), or CLEAR
    public_holidays: str | None = None  # `PH`, `US-CA` (checked), or CLEAR
    show_figures: bool | None = None  # `vendor set` only
    review_after_minutes: int | None = None  # `vendor set` only


@dataclass(frozen=True)
class UpdateVendor:
    """`vendor set`: only the settings given are changed (None means "leave as is")."""

    channel_id: str
    name: str | None = None
    timezone: str | None = None
    checkins: Cadence | None = None
    summary: Cadence | None = None
    remind_after_minutes: int | None = None
    workdays: str | None = None
    feedback: str | None = None  # canonical cadence text, or FEEDBACK_WITH_SUMMARY
    trial: str | None = None  # `30d`, `until:DATE` (DATE as typed) or CLEAR
    currency: str | None = None
    rate: str | None = None
    budget: str | None = None
    public_holidays: str | None = None  # `PH`, `US-CA` (checked), or CLEAR
    show_figures: bool | None = None  # `figures:on|off`
    review_after_minutes: int | None = None  # `review:24h`


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


Command = (
    ShowHelp
    | OpenDelegateForm
    | CreateTask
    | ListTasks
    | CloseTask
    | CancelTask
    | RescheduleTask
    | SetTaskCost
    | ReopenTask
    | EditTask
    | AssignTask
    | HandOverTask
    | ShowScorecard
    | PostSummary
    | SendReport
    | AddVendor
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


def help_text() -> str:
    lines = ["*How to use /delegate*"]
    lines += [f"• `{usage}`: {what}" for usage, what in HELP_LINES]
    lines += [TITLE_HELP, DATE_HELP, CADENCE_HELP, SETTINGS_HELP, LIFECYCLE_HELP]
    return "\n".join(lines)


# The words that start a command; anything else starts a task's title.
COMMAND_WORDS = (
    "help",
    "list",
    "done",
    "cancel",
    "due",
    "cost",
    "reopen",
    "edit",
    "assign",
    "owner",
    "vendor",
    "summary",
    "scorecard",
    "report",
)
# Words people type as commands, and the commands they mean. A title starting with one of
# these is refused like a typo (the channel first makes it a title on purpose).
MISTAKEN_WORDS = {
    "undo": ("reopen ID", "cancel ID"),
    "undone": ("reopen ID",),
    "revert": ("reopen ID",),
    "remove": ("cancel ID", "vendor remove #channel"),
    "delete": ("cancel ID", "vendor remove #channel"),
    "del": ("cancel ID",),
    "rm": ("cancel ID",),
    "ls": ("list",),
    "reassign": ("assign ID @person", "owner ID @person"),
    "handover": ("owner ID @person",),
}
# How each command word is written, for "did you mean" hints.
COMMAND_USAGE = {
    "help": "help",
    "list": "list",
    "done": "done ID",
    "cancel": "cancel ID",
    "due": "due ID DATE",
    "cost": "cost ID AMOUNT",
    "reopen": "reopen ID",
    "edit": "edit ID new title | new standard",
    "assign": "assign ID @person",
    "owner": "owner ID @person",
    "vendor": "vendor list",
    "summary": "summary #vendor",
    "scorecard": "scorecard #vendor",
    "report": "report",
}


def parse_command(text: str) -> Command:
    """Parse `/delegate` text. Raises UsageError with what was wrong and how to write it."""
    words = text.split()
    if not words:
        return OpenDelegateForm()
    keyword = words[0].lower()
    return _parse_keyword(keyword, words[1:], words)


def _title_on_purpose(word: str) -> str:
    return (
        f"Nothing was created. To delegate a task whose title starts with `{_show(word)}`, "
        f"name the channel first: `/delegate #vendor {_show(word)} …`."
    )


def _parse_keyword(keyword: str, rest: list[str], words: list[str]) -> Command:
    if keyword == "help":
        if rest:
            raise UsageError(
                "For help, write `/delegate help` alone. " + _title_on_purpose(words[0])
            )
        return ShowHelp()
    if keyword == "list":
        return _parse_list(rest)
    if keyword == "done":
        return CloseTask(_one_task_id(rest, "done"))
    if keyword == "cancel":
        return CancelTask(_one_task_id(rest, "cancel"))
    if keyword == "reopen":
        return ReopenTask(_one_task_id(rest, "reopen"))
    if keyword == "due":
        if len(rest) != 2:
            raise UsageError("Write `/delegate due ID DATE`, for example `/delegate due 12 fri`.")
        return RescheduleTask(_task_id(rest[0], "due ID DATE"), rest[1])
    if keyword == "edit":
        return _parse_edit(rest)
    if keyword in ("assign", "owner"):
        return _parse_person_change(keyword, rest)
    if keyword == "vendor":
        return _parse_vendor(rest)
    if keyword == "summary":
        return _parse_summary(rest)
    if keyword == "report":
        return _parse_report(rest)
    if keyword == "cost":
        return _parse_cost_command(rest)
    if keyword == "scorecard":
        return _parse_scorecard(rest)
    _refuse_near_command(words[0])
    return _parse_create(words)


def _refuse_near_command(word: str) -> None:
    """A first word that is a typo of a command, or a word people type as one, is refused:
    delegating a task called "lsit" to a vendor is never what was meant."""
    meant = suggest_commands(word)
    if not meant:
        return
    usages = " or ".join(f"`/delegate {usage}`" for usage in meant)
    raise UsageError(
        f"`{_show(word)}` is not a command: did you mean {usages}? " + _title_on_purpose(word)
    )


def suggest_commands(word: str) -> tuple[str, ...]:
    """The commands `word` (a task's first word) probably meant, or () when it is a title.

    Close means: a word people type as a command (`undo`, `delete`); one edit away, where a
    short word (4 letters or fewer) only counts a swapped, missing or extra letter (`lsit`,
    `lst`, `dnoe`), not a changed one, so `last` or `post` stay titles; or the start of a
    command, 4 letters or more (`vend`, `summ`). Two edits away is not close: `design` is
    not `assign`.
    """
    lowered = word.lower().strip(".,!?:;")
    if lowered in MISTAKEN_WORDS:
        return MISTAKEN_WORDS[lowered]
    if not lowered.isalpha() or len(lowered) < 2:
        return ()
    found: list[str] = []
    for command in COMMAND_WORDS:
        if _is_close(lowered, command):
            found.append(COMMAND_USAGE[command])
    return tuple(found)


def _is_close(word: str, command: str) -> bool:
    if word == command:
        return True  # with punctuation stripped: `done.`
    if len(word) >= 4 and len(word) < len(command) and command.startswith(word):
        return True
    if _edit_distance(word, command) != 1:
        return False
    # One changed letter in a short word makes a different word (`last`, `post`), not a typo.
    changed_letter = len(word) == len(command) and sorted(word) != sorted(command)
    return not (changed_letter and len(word) <= 4)


def _edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment): a swap of two letters counts one."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def _parse_edit(rest: list[str]) -> EditTask:
    usage = "/delegate edit ID new title | new standard"
    if not rest:
        raise UsageError(
            f"Write `{usage}`: a new title, `| new standard`, or both, for example "
            "`/delegate edit 12 Logo refresh v2 | three options, SVG`. " + _title_on_purpose("edit")
        )
    task_id = _task_id(rest[0], "edit ID new title | new standard")
    title_part, bar, standard_part = _split_standard(" ".join(rest[1:]))
    title = readable_text(title_part.strip()) or None
    standard = readable_text(standard_part.strip()) if bar else None
    if title is None and standard is None:
        raise UsageError(
            f"Say what to change: `/delegate edit {task_id} new title`, `/delegate edit "
            f"{task_id} | new standard`, or both."
        )
    if title is not None and len(title) > MAX_TITLE_LENGTH:
        raise UsageError(
            f"That title is {len(title)} characters; keep it under {MAX_TITLE_LENGTH}."
        )
    return EditTask(task_id, title, standard)


def _parse_person_change(verb: str, rest: list[str]) -> AssignTask | HandOverTask:
    usage = f"/delegate {verb} ID @person" + ("|none" if verb == "assign" else "")
    example = f"`/delegate {verb} 12 @bob`"
    if len(rest) != 2:
        raise UsageError(f"Write `{usage}`, for example {example}. " + _title_on_purpose(verb))
    task_id = _task_id(rest[0], f"{verb} ID @person")
    if verb == "assign" and rest[1].lower() in _CLEAR_WORDS:
        return AssignTask(task_id, None)
    match = USER_TOKEN.match(rest[1])
    if not match:
        raise UsageError(
            f"`{_show(rest[1])}` is not a person. Write `{usage}` and pick the person from "
            "Slack's suggestions so it turns into a mention."
        )
    user_id = match.group(1)
    return AssignTask(task_id, user_id) if verb == "assign" else HandOverTask(task_id, user_id)


def _parse_cost_command(rest: list[str]) -> SetTaskCost:
    usage = "/delegate cost ID AMOUNT"
    if len(rest) != 2:
        raise UsageError(
            f"Write `{usage}`, for example `/delegate cost 12 450` or `/delegate cost 12 "
            "12h@35`; `/delegate cost 12 none` clears it. A task whose title starts with "
            "`cost` needs the channel first: `/delegate #acme cost estimate…`."
        )
    task_id = _task_id(rest[0], "cost ID AMOUNT")
    value = rest[1][5:] if rest[1].lower().startswith("cost:") else rest[1]
    if value.lower() in _CLEAR_WORDS:
        return SetTaskCost(task_id, None)
    return SetTaskCost(task_id, parse_cost(value))


def _parse_scorecard(rest: list[str]) -> ShowScorecard:
    usage = "/delegate scorecard [#vendor] [weeks:12]"
    channel_id: str | None = None
    weeks: int | None = None
    for word in rest:
        match = OPTION.match(word)
        if word.startswith("<#") and channel_id is None:
            channel_id = channel_id_of(word, usage)
        elif match and match.group(1).lower() == "weeks" and weeks is None:
            value = match.group(2)
            if not value.isdigit() or not 1 <= int(value) <= MAX_SCORECARD_WEEKS:
                raise UsageError(
                    f"`weeks:{_show(value)}`: give a number of weeks from 1 to "
                    f"{MAX_SCORECARD_WEEKS}, like `weeks:12`."
                )
            weeks = int(value)
        else:
            raise UsageError(
                f"I didn't expect `{_show(word)}` there. Write `{usage}`: a vendor channel "
                "(or nothing in a vendor's channel) and how many weeks (default "
                f"{DEFAULT_SCORECARD_WEEKS}). A task whose title starts with `scorecard` "
                "needs the channel first."
            )
    return ShowScorecard(channel_id, weeks or DEFAULT_SCORECARD_WEEKS)


def _parse_summary(rest: list[str]) -> PostSummary:
    usage = "/delegate summary [#vendor]"
    if not rest:
        return PostSummary()
    if len(rest) == 1:
        return PostSummary(channel_id_of(rest[0], usage))
    raise UsageError(
        f"Write `{usage}`: a vendor channel, or nothing in a vendor's channel. A task whose "
        "title starts with `summary` needs the channel first: `/delegate #acme summary of…`."
    )


def _parse_report(rest: list[str]) -> SendReport:
    usage = "/delegate report [#vendor] [from:DATE] [to:DATE]"
    dates: dict[str, str] = {}
    channel_id: str | None = None
    for word in rest:
        if word.startswith("<#") and channel_id is None:
            channel_id = channel_id_of(word, usage)
            continue
        match = OPTION.match(word)
        key = match.group(1).lower() if match else ""
        if match is None or key not in ("from", "to"):
            raise UsageError(
                f"I didn't expect `{_show(word)}` there. Write `{usage}`, for example "
                "`/delegate report from:2026-11-01 to:2026-11-30`; without dates it covers "
                "the last 4 weeks. A task whose title starts with `report` needs the channel "
                "first: `/delegate #acme report on…`."
            )
        if key in dates:
            raise UsageError(f"`{key}:` is given twice; give it once.")
        if not match.group(2):
            raise UsageError(f"`{key}:` needs a date, like `{key}:2026-11-01`.")
        dates[key] = match.group(2)
    return SendReport(dates.get("from"), dates.get("to"), channel_id)


def _expect_nothing(rest: list[str], usage: str) -> None:
    if rest:
        raise UsageError(f"I didn't expect `{_show(rest[0])}` there. Write `{usage}`.")


def _show(word: str) -> str:
    """A user's word, quoted back inside backticks, escaped so it cannot ping anyone."""
    return escape(word.replace("`", "'")[:60])


def _task_id(word: str, usage: str) -> int:
    match = TASK_ID.match(word)
    if not match:
        raise UsageError(
            f"`{_show(word)}` is not a task id. Write `/delegate {usage}` with the number from "
            "the task, like `12` or `#12`. " + _title_on_purpose(usage.split()[0])
        )
    return int(match.group(1))


def _one_task_id(rest: list[str], verb: str) -> int:
    if len(rest) != 1:
        raise UsageError(
            f"Write `/delegate {verb} ID`, for example `/delegate {verb} 12`. "
            + _title_on_purpose(verb)
        )
    return _task_id(rest[0], f"{verb} ID")


def channel_id_of(word: str, usage: str) -> str:
    """The channel id in Slack's `<#C…|name>` token, or a UsageError explaining how to pick one."""
    match = CHANNEL_TOKEN.match(word)
    if match:
        return match.group(1)
    raise UsageError(
        f"`{_show(word)}` is not a channel. Write `{usage}` and pick the channel from Slack's "
        "suggestions so it turns into a link."
    )


def _parse_list(rest: list[str]) -> ListTasks:
    if not rest:
        return ListTasks("mine")
    if len(rest) == 1:
        scope = rest[0].lower()
        if scope in ("all", "overdue"):
            return ListTasks(scope)
        if rest[0].startswith("<#"):
            return ListTasks("vendor", channel_id_of(rest[0], "/delegate list #vendor"))
    raise UsageError(
        f"`{_show(' '.join(rest))}` is not a list I can show. Write `/delegate list`, "
        "`/delegate list all`, `/delegate list overdue` or `/delegate list #vendor`."
    )


VENDOR_VERBS = (
    "`vendor add`, `vendor set`, `vendor holiday`, `vendor away`, `vendor questions`, "
    "`vendor list`, `vendor pause`, `vendor resume`, `vendor rename`, `vendor remove` or "
    "`vendor restore`"
)


def _parse_vendor(rest: list[str]) -> Command:
    if not rest:
        raise UsageError(
            "Write `/delegate vendor add #channel`, `/delegate vendor set #channel tz:…`, "
            "`/delegate vendor holiday #channel`, `/delegate vendor list`, "
            "`/delegate vendor pause #channel`, `/delegate vendor resume #channel`, "
            "`/delegate vendor rename #channel New name`, `/delegate vendor remove #channel` "
            "or `/delegate vendor restore #channel`."
        )
    verb, args = rest[0].lower(), rest[1:]
    if verb == "list":
        if len(args) == 1 and args[0].lower() == "removed":
            return ListVendors(removed=True)
        _expect_nothing(args, "/delegate vendor list [removed]")
        return ListVendors()
    if verb in ("remove", "restore", "delete"):
        usage = f"/delegate vendor {'restore' if verb == 'restore' else 'remove'} #channel"
        if len(args) != 1:
            raise UsageError(f"Write `{usage}`.")
        channel_id = channel_id_of(args[0], usage)
        return RestoreVendor(channel_id) if verb == "restore" else RemoveVendor(channel_id)
    if verb == "rename":
        usage = "/delegate vendor rename #channel New name"
        if len(args) < 2:
            raise UsageError(
                f"Write `{usage}`, for example `/delegate vendor rename #acme Acme Ltd`."
            )
        channel_id = channel_id_of(args[0], usage)
        name = readable_text(" ".join(args[1:]))
        if len(name) > 80:
            raise UsageError("A vendor name can be at most 80 characters.")
        return UpdateVendor(channel_id, name=name)
    if verb in ("pause", "resume"):
        usage = f"/delegate vendor {verb} #channel"
        if len(args) != 1:
            raise UsageError(f"Write `{usage}`.")
        channel_id = channel_id_of(args[0], usage)
        return PauseVendor(channel_id) if verb == "pause" else ResumeVendor(channel_id)
    if verb == "add":
        return _parse_vendor_add(args)
    if verb == "set":
        return _parse_vendor_set(args)
    if verb in ("holiday", "holidays"):
        return _parse_vendor_holiday(args)
    if verb == "away":
        return _parse_vendor_away(args)
    if verb == "questions":
        usage = "/delegate vendor questions #channel"
        if len(args) != 1:
            raise UsageError(f"Write `{usage}`: it opens a form with the check-in's questions.")
        return EditQuestions(channel_id_of(args[0], usage))
    close = [v for v in _VENDOR_VERB_WORDS if _is_close(verb, v)]
    hint = f" Did you mean `/delegate vendor {close[0]}`?" if close else ""
    raise UsageError(f"`vendor {_show(verb)}` is not something I can do.{hint} Use {VENDOR_VERBS}.")


_VENDOR_VERB_WORDS = (
    "add",
    "set",
    "holiday",
    "away",
    "questions",
    "list",
    "pause",
    "resume",
    "rename",
    "remove",
    "restore",
)


@dataclass(frozen=True)
class _VendorSettings:
    """The `key:value` settings of `vendor add` / `vendor set`, each parsed and validated."""

    name: str | None = None
    timezone: str | None = None
    checkins: Cadence | None = None
    summary: Cadence | None = None
    remind_after_minutes: int | None = None
    workdays: str | None = None
    feedback: str | None = None
    trial: str | None = None
    currency: str | None = None
    rate: str | None = None
    budget: str | None = None
    public_holidays: str | None = None
    show_figures: bool | None = None
    review_after_minutes: int | None = None

    def given(self) -> bool:
        return any(value is not None for value in vars(self).values())


_EXAMPLES = {
    "name": "name:Acme Design",
    "tz": "tz:Asia/Manila",
    "checkins": "checkins:weekdays@09:00",
    "summary": "summary:fri",
    "feedback": "feedback:mon@10:00",
    "remind": "remind:4h",
    "workdays": "workdays:sun-thu",
    "trial": "trial:30d",
    "currency": "currency:EUR",
    "rate": "rate:35",
    "budget": "budget:2000",
    "holidays": "holidays:PH",
    "figures": "figures:on",
    "review": "review:24h",
}
_SETTING_KEYS = (
    "name",
    "tz",
    "checkins",
    "summary",
    "feedback",
    "remind",
    "workdays",
    "trial",
    "currency",
    "rate",
    "budget",
    "holidays",
)
# Settings of the vendor channel's summary and of reviews: `vendor set` only.
_SET_ONLY_KEYS = ("figures", "review")


def _read_vendor_settings(
    words: list[str], keys: tuple[str, ...], free_words: str
) -> _VendorSettings:
    """Parse `key:value` words into settings; other words make the name.

    `free_words` says where a word without a key goes: "name" (vendor add: any bare word is
    part of the name) or "after-name" (vendor set: bare words only continue `name:`).
    """
    options: dict[str, str] = {}
    name_words: list[str] = []
    current: str | None = None
    for word in words:
        match = OPTION.match(word)
        if match and not word.startswith("<"):
            key, value = match.group(1).lower(), match.group(2)
            if key not in keys:
                raise UsageError(
                    f"`{_show(key)}:` is not a vendor setting. Use "
                    + ", ".join(f"`{k}:`" for k in keys)
                    + "."
                )
            if key in options:
                raise UsageError(f"`{key}:` is given twice; give it once.")
            options[key] = value
            current = key
            if key == "name" and value:
                name_words.append(value)
        elif free_words == "name" or current == "name":
            name_words.append(word)
        else:
            raise UsageError(
                f"I didn't expect `{_show(word)}` there: every setting is written `key:value`, "
                f"like `{_EXAMPLES['tz']}`. To rename, write `name:` followed by the new name."
            )
    for key, value in options.items():
        if not value and not (key == "name" and name_words):
            raise UsageError(f"`{key}:` needs a value, like `{_EXAMPLES[key]}`.")
    name = readable_text(" ".join(name_words)) or None
    if name is not None and len(name) > 80:
        raise UsageError("A vendor name can be at most 80 characters.")
    remind = parse_duration(options["remind"]) if "remind" in options else None
    review = parse_duration(options["review"]) if "review" in options else None
    return _VendorSettings(
        name=name,
        timezone=parse_timezone(options["tz"]).key if "tz" in options else None,
        checkins=(
            parse_cadence(options["checkins"], DEFAULT_CHECKIN_TIME)
            if "checkins" in options
            else None
        ),
        summary=_one_slot("summary", options["summary"]) if "summary" in options else None,
        remind_after_minutes=int(remind.total_seconds() // 60) if remind is not None else None,
        workdays=format_days(parse_workdays(options["workdays"]))
        if "workdays" in options
        else None,
        feedback=_feedback_cadence(options["feedback"]) if "feedback" in options else None,
        trial=_trial(options["trial"]) if "trial" in options else None,
        currency=parse_currency(options["currency"]) if "currency" in options else None,
        rate=_money_setting("rate", options["rate"]) if "rate" in options else None,
        budget=_money_setting("budget", options["budget"]) if "budget" in options else None,
        public_holidays=(_public_holidays(options["holidays"]) if "holidays" in options else None),
        show_figures=_on_off("figures", options["figures"]) if "figures" in options else None,
        review_after_minutes=int(review.total_seconds() // 60) if review is not None else None,
    )


def _public_holidays(value: str) -> str:
    """`holidays:PH` / `holidays:US-CA` (checked against the calendar), or CLEAR."""
    if value.strip().lower() in _CLEAR_WORDS:
        return CLEAR
    return parse_holiday_code(value)


def _on_off(key: str, value: str) -> bool:
    word = value.strip().lower()
    if word in ("on", "yes", "true"):
        return True
    if word in ("off", "no", "false"):
        return False
    raise UsageError(f"`{key}:` is `on` or `off`, like `{key}:on`.")


def _trial(value: str) -> str:
    """`trial:30d`, `trial:2w`, `trial:until:DATE` or `trial:none` -> canonical text; the
    date is resolved in the vendor's time zone by bot.delegation."""
    text = value.strip()
    if text.lower() in _CLEAR_WORDS:
        return CLEAR
    if text.lower().startswith("until:"):
        if not text[6:]:
            raise UsageError("`trial:until:` needs a date, like `trial:until:2026-12-31`.")
        return "until:" + text[6:].lower()
    match = _TRIAL_LENGTH.fullmatch(text)
    days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1) if match else 0
    if not 1 <= days <= MAX_TRIAL_DAYS:
        raise UsageError(
            f"`trial:{_show(text)}` is not a trial length. Write `trial:30d`, `trial:6w`, "
            f"`trial:until:2026-12-31` (at most {MAX_TRIAL_DAYS} days), or `trial:none` "
            "to end it without a decision."
        )
    return f"{days}d"


def _money_setting(key: str, value: str) -> str:
    """`rate:35` / `budget:2000` (checked to be an amount above 0), or CLEAR."""
    if value.strip().lower() in _CLEAR_WORDS:
        return CLEAR
    amount = check_amount_text(value, f"{key}:")
    if amount <= 0:
        raise UsageError(f"`{key}:` must be more than 0; `{key}:none` clears it.")
    return value.strip()


def _feedback_cadence(value: str) -> str:
    """`feedback:` takes a cadence, or `summary` for "with the summary" (the default)."""
    if value.strip().lower() in (FEEDBACK_WITH_SUMMARY, "with-summary"):
        return FEEDBACK_WITH_SUMMARY
    return str(_one_slot("feedback", value))


def _one_slot(key: str, value: str) -> Cadence:
    """Summaries and feedback prompts are weekly: one time a day; only check-ins take
    several (`checkins:weekdays@09:00,15:00`)."""
    cadence = parse_cadence(value, DEFAULT_SUMMARY_TIME)
    if cadence.later:
        raise UsageError(
            f"`{key}:` takes one time a day, like `{_EXAMPLES[key]}`; only `checkins:` "
            "takes several (`checkins:weekdays@09:00,15:00`)."
        )
    return cadence


def _parse_vendor_add(args: list[str]) -> AddVendor:
    usage = (
        "/delegate vendor add #channel [name] [tz:Area/City] [checkins:…] [summary:…] "
        "[feedback:…] [remind:4h] [workdays:mon-fri] [trial:30d] [currency:EUR] [rate:35] "
        "[budget:2000] [holidays:PH]"
    )
    if not args:
        raise UsageError(f"Write `{usage}`.")
    channel_id = channel_id_of(args[0], usage)
    settings = _read_vendor_settings(args[1:], _SETTING_KEYS, free_words="name")
    return AddVendor(channel_id, **vars(settings))


def _parse_vendor_set(args: list[str]) -> UpdateVendor:
    usage = (
        "/delegate vendor set #channel [name:…] [tz:Area/City] [checkins:…] [summary:…] "
        "[feedback:…] [remind:4h] [workdays:sun-thu] [trial:…] [currency:…] [rate:…] "
        "[budget:…] [holidays:PH] [figures:on] [review:24h]"
    )
    if not args:
        raise UsageError(
            f"Write `{usage}`, for example `/delegate vendor set #acme tz:Asia/Manila`."
        )
    channel_id = channel_id_of(args[0], usage)
    settings = _read_vendor_settings(
        args[1:], _SETTING_KEYS + _SET_ONLY_KEYS, free_words="after-name"
    )
    if not settings.given():
        raise UsageError(
            f"Say what to change: `{usage}`, for example "
            f"`/delegate vendor set {args[0]} remind:4h workdays:sun-thu`."
        )
    return UpdateVendor(channel_id, **vars(settings))


def _parse_vendor_holiday(args: list[str]) -> ManageHolidays:
    usage = "/delegate vendor holiday #channel [add|remove DATE…]"
    if not args:
        raise UsageError(
            f"Write `{usage}`, for example `/delegate vendor holiday #acme add 2026-12-25`."
        )
    channel_id = channel_id_of(args[0], usage)
    if len(args) == 1:
        return ManageHolidays(channel_id, "list")
    action, dates = args[1].lower(), args[2:]
    if action not in ("add", "remove"):
        raise UsageError(
            f"`{_show(args[1])}` is not something I can do with holidays. Write `{usage}`: "
            "`add` or `remove` followed by dates, or nothing to list them."
        )
    if not dates:
        raise UsageError(
            f"Which dates? Write `/delegate vendor holiday {args[0]} {action} DATE…`, "
            f"for example `{action} 2026-12-25 2026-12-26`."
        )
    if len(dates) > MAX_HOLIDAYS_PER_COMMAND:
        raise UsageError(f"Give at most {MAX_HOLIDAYS_PER_COMMAND} dates at a time.")
    # Same date written twice (or `fri` and its ISO date) is resolved and merged later.
    return ManageHolidays(channel_id, action, tuple(dict.fromkeys(d.lower() for d in dates)))


def _parse_vendor_away(args: list[str]) -> ManageAbsences:
    usage = "/delegate vendor away #channel [clear [@person]]"
    if not args:
        raise UsageError(f"Write `{usage}`, for example `/delegate vendor away #acme`.")
    channel_id = channel_id_of(args[0], usage)
    if len(args) == 1:
        return ManageAbsences(channel_id)
    if args[1].lower() != "clear" or len(args) > 3:
        raise UsageError(
            f"I didn't expect `{_show(' '.join(args[1:]))}` there. Write `{usage}`: nothing "
            "to list who is away, `clear` to clear everyone's absences, `clear @person` "
            "for one person's."
        )
    if len(args) == 2:
        return ManageAbsences(channel_id, clear=True)
    match = USER_TOKEN.match(args[2])
    if match is None:
        raise UsageError(
            f"`{_show(args[2])}` is not a person. Write `{usage}` and pick the person from "
            "Slack's suggestions so it turns into a mention."
        )
    return ManageAbsences(channel_id, clear=True, user_id=match.group(1))


def _parse_create(words: list[str]) -> CreateTask:
    channel_id: str | None = None
    assignee_id: str | None = None
    # Leading channel and user mentions, in either order, say where and to whom.
    while words:
        head = words[0]
        if channel_id is None and CHANNEL_TOKEN.match(head):
            channel_id = channel_id_of(head, "")
        elif assignee_id is None and USER_TOKEN.match(head):
            assignee_id = USER_TOKEN.match(head).group(1)  # type: ignore[union-attr]
        elif head.startswith("#") and not TASK_ID.match(head) and channel_id is None:
            channel_id_of(head, "/delegate #vendor title… due:DATE")  # raises: plain "#name"
        else:
            break
        words = words[1:]
    text = " ".join(words)
    title_part, bar, standard_part = _split_standard(text)
    due: str | None = None
    cost: CostSpec | None = None
    title_words: list[str] = []
    for word in title_part.split():
        if word.lower().startswith("due:"):
            if due is not None:
                raise UsageError("`due:` is given twice; give one date.")
            due = word[4:]
            if not due:
                raise UsageError("`due:` needs a date, like `due:fri` or `due:2026-12-04`.")
        elif word.lower().startswith("cost:"):
            if cost is not None:
                raise UsageError("`cost:` is given twice; give one cost.")
            cost = parse_cost(word[5:])
        else:
            title_words.append(word)
    title = readable_text(" ".join(title_words))
    standard = readable_text(standard_part.strip()) if bar else ""
    if not title:
        raise UsageError(
            "The task needs a title. Write `/delegate #vendor Logo refresh due:fri`, "
            "or `/delegate` alone to fill in a form."
        )
    if len(title) > MAX_TITLE_LENGTH:
        raise UsageError(
            f"That title is {len(title)} characters; {MAX_TITLE_LENGTH} at most. Put "
            "the detail after `|` as the standard expected."
        )
    return CreateTask(title, channel_id, assignee_id, due, standard, cost)


def _split_standard(text: str) -> tuple[str, str, str]:
    """Split at the first `|` that is not inside a Slack token like `<@U1|bob>`.

    Literal `<` and `>` typed by a user arrive as entities, so every `<…>` is a token.
    """
    depth = 0
    for index, char in enumerate(text):
        if char == "<":
            depth += 1
        elif char == ">":
            depth = max(0, depth - 1)
        elif char == "|" and depth == 0:
            return text[:index], "|", text[index + 1 :]
    return text, "", ""
