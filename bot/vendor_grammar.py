"""`/delegate vendor …`: the grammar of the vendor commands (add, set, holiday, away, …).

Pure like the rest of the grammar: dates stay text (a vendor's `fri` is in its own
calendar) and are resolved by bot.vendor_registry.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.command_tokens import USER_TOKEN, channel_id_of, expect_nothing, is_close, show
from bot.commands import (
    MAX_HOLIDAYS_PER_COMMAND,
    AddVendor,
    EditQuestions,
    ListVendors,
    ManageAbsences,
    ManageHolidays,
    PauseVendor,
    RemoveVendor,
    RestoreVendor,
    ResumeVendor,
    UpdateVendor,
    VendorCommand,
)
from bot.errors import UsageError
from bot.slack_text import readable_text
from bot.vendor_settings import (
    ADD_KEYS,
    ADD_USAGE,
    MAX_NAME_LENGTH,
    SET_KEYS,
    SET_USAGE,
    read_vendor_settings,
)

VENDOR_VERBS = (
    "`vendor add`, `vendor set`, `vendor holiday`, `vendor away`, `vendor questions`, "
    "`vendor list`, `vendor pause`, `vendor resume`, `vendor rename`, `vendor remove` or "
    "`vendor restore`"
)

# Other words for a verb.
_ALIASES = {"delete": "remove", "holidays": "holiday"}
# The verbs that take a channel and nothing else, and the command each makes.
_CHANNEL_ONLY: dict[str, Callable[[str], VendorCommand]] = {
    "remove": RemoveVendor,
    "restore": RestoreVendor,
    "pause": PauseVendor,
    "resume": ResumeVendor,
}


def parse_vendor_command(rest: list[str]) -> VendorCommand:
    if not rest:
        raise UsageError(
            "Write `/delegate vendor add #channel`, `/delegate vendor set #channel tz:…`, "
            "`/delegate vendor holiday #channel`, `/delegate vendor list`, "
            "`/delegate vendor pause #channel`, `/delegate vendor resume #channel`, "
            "`/delegate vendor rename #channel New name`, `/delegate vendor remove #channel` "
            "or `/delegate vendor restore #channel`."
        )
    word = rest[0].lower()
    verb, args = _ALIASES.get(word, word), rest[1:]
    if verb == "list":
        if len(args) == 1 and args[0].lower() == "removed":
            return ListVendors(removed=True)
        expect_nothing(args, "/delegate vendor list [removed]")
        return ListVendors()
    if verb in _CHANNEL_ONLY:
        usage = f"/delegate vendor {verb} #channel"
        if len(args) != 1:
            raise UsageError(f"Write `{usage}`.")
        return _CHANNEL_ONLY[verb](channel_id_of(args[0], usage))
    if verb == "rename":
        usage = "/delegate vendor rename #channel New name"
        if len(args) < 2:
            raise UsageError(
                f"Write `{usage}`, for example `/delegate vendor rename #acme Acme Ltd`."
            )
        channel_id = channel_id_of(args[0], usage)
        name = readable_text(" ".join(args[1:]))
        if len(name) > MAX_NAME_LENGTH:
            raise UsageError(f"A vendor name can be at most {MAX_NAME_LENGTH} characters.")
        return UpdateVendor(channel_id, name=name)
    if verb in _PARSERS:
        return _PARSERS[verb](args)
    if verb == "questions":
        usage = "/delegate vendor questions #channel"
        if len(args) != 1:
            raise UsageError(f"Write `{usage}`: it opens a form with the check-in's questions.")
        return EditQuestions(channel_id_of(args[0], usage))
    close = [v for v in _VENDOR_VERB_WORDS if is_close(verb, v)]
    hint = f" Did you mean `/delegate vendor {close[0]}`?" if close else ""
    raise UsageError(f"`vendor {show(verb)}` is not something I can do.{hint} Use {VENDOR_VERBS}.")


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


def _parse_vendor_add(args: list[str]) -> AddVendor:
    if not args:
        raise UsageError(f"Write `{ADD_USAGE}`.")
    channel_id = channel_id_of(args[0], ADD_USAGE)
    return AddVendor(channel_id, **read_vendor_settings(args[1:], ADD_KEYS, free_words="name"))


def _parse_vendor_set(args: list[str]) -> UpdateVendor:
    if not args:
        raise UsageError(
            f"Write `{SET_USAGE}`, for example `/delegate vendor set #acme tz:Asia/Manila`."
        )
    channel_id = channel_id_of(args[0], SET_USAGE)
    command = UpdateVendor(
        channel_id, **read_vendor_settings(args[1:], SET_KEYS, free_words="after-name")
    )
    if not command.given():
        raise UsageError(
            f"Say what to change: `{SET_USAGE}`, for example "
            f"`/delegate vendor set {args[0]} remind:4h workdays:sun-thu`."
        )
    return command


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
            f"`{show(args[1])}` is not something I can do with holidays. Write `{usage}`: "
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
            f"I didn't expect `{show(' '.join(args[1:]))}` there. Write `{usage}`: nothing "
            "to list who is away, `clear` to clear everyone's absences, `clear @person` "
            "for one person's."
        )
    if len(args) == 2:
        return ManageAbsences(channel_id, clear=True)
    match = USER_TOKEN.match(args[2])
    if match is None:
        raise UsageError(
            f"`{show(args[2])}` is not a person. Write `{usage}` and pick the person from "
            "Slack's suggestions so it turns into a mention."
        )
    return ManageAbsences(channel_id, clear=True, user_id=match.group(1))


# The verbs with more to read than a channel, and their parsers.
_PARSERS: dict[str, Callable[[list[str]], VendorCommand]] = {
    "add": _parse_vendor_add,
    "set": _parse_vendor_set,
    "holiday": _parse_vendor_holiday,
    "away": _parse_vendor_away,
}
