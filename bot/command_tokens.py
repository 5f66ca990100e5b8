"""The words every `/delegate` command is made of: channels, people, task ids, `key:value`.

Slack sends the text with `should_escape: true`, so channels and users arrive as
`<#C123|name>` / `<@U123|name>` and literal `&`, `<`, `>` as entities. The task and vendor
grammars (bot.command_grammar, bot.vendor_grammar) read their words with these helpers, so
that a channel, an id or a typo is refused in the same words everywhere.
"""

from __future__ import annotations

import re

from bot.errors import UsageError
from bot.slack_text import escape, shown

CHANNEL_TOKEN = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
USER_TOKEN = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
OPTION = re.compile(r"^([a-z]+):(.*)$", re.IGNORECASE)
TASK_ID = re.compile(r"^#?(\d{1,9})$")

# `trial:none`, `rate:none`, `budget:none`, `assign ID none`: clear the setting.
CLEAR = "none"
CLEAR_WORDS = frozenset({"none", "off", "no"})


def show(word: str) -> str:
    """A user's word, quoted back inside backticks, escaped so it cannot ping anyone."""
    return escape(shown(word, 60))


def title_on_purpose(word: str) -> str:
    return (
        f"Nothing was created. To delegate a task whose title starts with `{show(word)}`, "
        f"name the channel first: `/delegate #vendor {show(word)} …`."
    )


def channel_id_of(word: str, usage: str) -> str:
    """The channel id in Slack's `<#C…|name>` token, or a UsageError explaining how to pick one."""
    match = CHANNEL_TOKEN.match(word)
    if match:
        return match.group(1)
    raise UsageError(
        f"`{show(word)}` is not a channel. Write `{usage}` and pick the channel from Slack's "
        "suggestions so it turns into a link."
    )


def read_task_id(word: str, usage: str) -> int:
    match = TASK_ID.match(word)
    if not match:
        raise UsageError(
            f"`{show(word)}` is not a task id. Write `/delegate {usage}` with the number from "
            "the task, like `12` or `#12`. " + title_on_purpose(usage.split()[0])
        )
    return int(match.group(1))


def one_task_id(rest: list[str], verb: str) -> int:
    if len(rest) != 1:
        raise UsageError(
            f"Write `/delegate {verb} ID`, for example `/delegate {verb} 12`. "
            + title_on_purpose(verb)
        )
    return read_task_id(rest[0], f"{verb} ID")


def expect_nothing(rest: list[str], usage: str) -> None:
    if rest:
        raise UsageError(f"I didn't expect `{show(rest[0])}` there. Write `{usage}`.")


def is_close(word: str, command: str) -> bool:
    """Whether `word` is probably a typo of `command` (see command_grammar.suggest_commands)."""
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
