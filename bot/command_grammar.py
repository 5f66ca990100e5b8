"""The `/delegate` grammar: turns the text Slack sends into a command (bot.commands), or a
UsageError saying what was wrong and how to write it.

Parsing is pure: no database, no Slack. This module reads the first word and the task
commands; `vendor …` is bot.vendor_grammar, the shared words bot.command_tokens.
"""

from __future__ import annotations

from bot.command_tokens import (
    CHANNEL_TOKEN,
    CLEAR_WORDS,
    OPTION,
    TASK_ID,
    USER_TOKEN,
    channel_id_of,
    is_close,
    one_task_id,
    read_task_id,
    show,
    title_on_purpose,
)
from bot.commands import (
    DEFAULT_SCORECARD_WEEKS,
    MAX_SCORECARD_WEEKS,
    MAX_TITLE_LENGTH,
    AssignTask,
    CancelTask,
    CloseTask,
    Command,
    CreateTask,
    EditTask,
    HandOverTask,
    ListTasks,
    OpenDelegateForm,
    PostSummary,
    ReopenTask,
    RescheduleTask,
    SendReport,
    SetTaskCost,
    ShowHelp,
    ShowScorecard,
)
from bot.errors import UsageError
from bot.money import CostSpec, parse_cost
from bot.slack_text import readable_text
from bot.vendor_grammar import parse_vendor_command

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


def _parse_keyword(keyword: str, rest: list[str], words: list[str]) -> Command:
    if keyword == "help":
        if rest:
            raise UsageError(
                "For help, write `/delegate help` alone. " + title_on_purpose(words[0])
            )
        return ShowHelp()
    if keyword == "list":
        return _parse_list(rest)
    if keyword == "done":
        return CloseTask(one_task_id(rest, "done"))
    if keyword == "cancel":
        return CancelTask(one_task_id(rest, "cancel"))
    if keyword == "reopen":
        return ReopenTask(one_task_id(rest, "reopen"))
    if keyword == "due":
        if len(rest) != 2:
            raise UsageError("Write `/delegate due ID DATE`, for example `/delegate due 12 fri`.")
        return RescheduleTask(read_task_id(rest[0], "due ID DATE"), rest[1])
    if keyword == "edit":
        return _parse_edit(rest)
    if keyword in ("assign", "owner"):
        return _parse_person_change(keyword, rest)
    if keyword == "vendor":
        return parse_vendor_command(rest)
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
        f"`{show(word)}` is not a command: did you mean {usages}? " + title_on_purpose(word)
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
        if is_close(lowered, command):
            found.append(COMMAND_USAGE[command])
    return tuple(found)


# `key:` words people reach for after `edit`, and the command that does what they meant.
_EDIT_KEY_MEANT = {
    "title": "edit ID New title",
    "standard": "edit ID | new standard",
    "due": COMMAND_USAGE["due"],
    "cost": COMMAND_USAGE["cost"],
    "assignee": COMMAND_USAGE["assign"],
    "assign": COMMAND_USAGE["assign"],
    "owner": COMMAND_USAGE["owner"],
}


def _refuse_keyed_edit(task_id: int, first_word: str) -> None:
    """`edit 1 title:Logo v2` would rename the task "title:Logo v2": say how to write it."""
    key, colon, _ = first_word.partition(":")
    meant = _EDIT_KEY_MEANT.get(key.lower()) if colon else None
    if meant is None:
        return
    raise UsageError(
        f"`edit` takes no `{show(key.lower())}:`; nothing was changed. Write "
        f"`/delegate {meant.replace('ID', str(task_id), 1)}`."
    )


def _parse_edit(rest: list[str]) -> EditTask:
    usage = "/delegate edit ID new title | new standard"
    if not rest:
        raise UsageError(
            f"Write `{usage}`: a new title, `| new standard`, or both, for example "
            "`/delegate edit 12 Logo refresh v2 | three options, SVG`. " + title_on_purpose("edit")
        )
    task_id = read_task_id(rest[0], "edit ID new title | new standard")
    if len(rest) > 1:
        _refuse_keyed_edit(task_id, rest[1])
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
        raise UsageError(f"Write `{usage}`, for example {example}. " + title_on_purpose(verb))
    task_id = read_task_id(rest[0], f"{verb} ID @person")
    if verb == "assign" and rest[1].lower() in CLEAR_WORDS:
        return AssignTask(task_id, None)
    match = USER_TOKEN.match(rest[1])
    if not match:
        raise UsageError(
            f"`{show(rest[1])}` is not a person. Write `{usage}` and pick the person from "
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
    task_id = read_task_id(rest[0], "cost ID AMOUNT")
    value = rest[1][5:] if rest[1].lower().startswith("cost:") else rest[1]
    if value.lower() in CLEAR_WORDS:
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
                    f"`weeks:{show(value)}`: give a number of weeks from 1 to "
                    f"{MAX_SCORECARD_WEEKS}, like `weeks:12`."
                )
            weeks = int(value)
        else:
            raise UsageError(
                f"I didn't expect `{show(word)}` there. Write `{usage}`: a vendor channel "
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
                f"I didn't expect `{show(word)}` there. Write `{usage}`, for example "
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
        f"`{show(' '.join(rest))}` is not a list I can show. Write `/delegate list`, "
        "`/delegate list all`, `/delegate list overdue` or `/delegate list #vendor`."
    )


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
