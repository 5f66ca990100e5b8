"""Who may do what. Pure rules; the handlers find out who someone is and ask here.

- Outside users (Slack Connect: members of another organisation, usually the vendor's
  people) answer check-ins, reply in threads and deliver their work, all through the
  messages in their vendor's channel, or `/delegate done ID` typed there. They may not use
  `/delegate` beyond `help` and that: no creating, cancelling, rescheduling or listing
  tasks, no vendor administration, no reports or summaries.
- With ADMIN_USER_IDS set, only those users administer vendors, and that includes
  registering a new vendor channel by delegating a task to it.
- A task is changed (done, cancel, due, cost, reopen, edit, assign, owner) by its owner and
  the admins listed in ADMIN_USER_IDS (with none listed, by its owner alone); a vendor
  contact may still say `done` on their vendor's task. See bot.task_changes.check_task_access.
"""

from __future__ import annotations

from bot.commands import (
    AddVendor,
    CloseTask,
    Command,
    EditQuestions,
    ManageHolidays,
    PauseVendor,
    RemoveVendor,
    RestoreVendor,
    ResumeVendor,
    ShowHelp,
    UpdateVendor,
)

OUTSIDE_REFUSAL = (
    "Sorry, `/delegate` is for the team that works with you here. You can still answer "
    "check-ins with their buttons, or reply in a check-in's thread like `#12 on track`."
)
ADMIN_REFUSAL = (
    "Only the bot's admins can change vendors here. Ask one of them ({admins}) to do it."
)
REGISTER_REFUSAL = (
    "<#{channel}> is not a vendor yet, and only the bot's admins can add vendors. Ask one of "
    "them ({admins}) to run `/delegate vendor add <#{channel}>`."
)
VENDOR_ADMINISTRATION = (
    AddVendor,
    UpdateVendor,
    ManageHolidays,
    PauseVendor,
    ResumeVendor,
    RemoveVendor,
    RestoreVendor,
    EditQuestions,
)


# What outside users may type: help, and `done ID` to deliver a task of the vendor whose
# channel they are in (bot.reviews.mark_task_done checks the channel).
OUTSIDE_ALLOWED = (ShowHelp, CloseTask)


def needs_identity_check(command: Command) -> bool:
    """Whether the command is refused to outside users (so we must look the user up)."""
    return not isinstance(command, OUTSIDE_ALLOWED)


def command_refusal(
    command: Command, *, user_id: str, outside: bool, admins: frozenset[str]
) -> str | None:
    """The polite refusal for this user and command, or None when it is allowed."""
    if outside and needs_identity_check(command):
        return OUTSIDE_REFUSAL
    if isinstance(command, VENDOR_ADMINISTRATION) and not may_administer(user_id, admins):
        return ADMIN_REFUSAL.format(admins=_list(admins))
    return None


def may_administer(user_id: str, admins: frozenset[str]) -> bool:
    return not admins or user_id in admins


def registration_refusal(channel_id: str, admins: frozenset[str]) -> str:
    return REGISTER_REFUSAL.format(channel=channel_id, admins=_list(admins))


def _list(admins: frozenset[str]) -> str:
    return ", ".join(f"<@{user}>" for user in sorted(admins))
