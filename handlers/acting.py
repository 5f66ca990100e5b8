"""Running a `bot/` function for whoever asked: in one transaction, in their team, now.

Nearly every change in `bot/` takes the team, the person and the time as keywords
(`team_id`, `user_id` or `actor_id`, `now`); these pass them from the payload that asked,
so each listener names only what is particular to its work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from slack_sdk import WebClient
from sqlmodel import Session

from bot import people, workspace_settings
from bot.deps import Deps
from bot.slack_channels import check_channel_can_be_vendor, ensure_bot_in_channel
from handlers.payloads import Requester, User
from storage.database import run_transaction

P = ParamSpec("P")
T = TypeVar("T")


class Asker(Protocol):
    """Who asked: a command's requester, a click, a form."""

    @property
    def team_id(self) -> str: ...

    @property
    def user_id(self) -> str: ...


class Sender(Asker, Protocol):
    """Who clicked or sent a form: the payload also says the person's own team."""

    @property
    def user(self) -> User: ...


def in_transaction(
    deps: Deps, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
) -> T:
    """`work(session, ...)` in one transaction (retried as `run_transaction` does)."""
    return run_transaction(deps.engine, lambda session: work(session, *args, **kwargs))


def as_user(
    deps: Deps,
    asker: Asker,
    work: Callable[..., T],
    /,
    *args: Any,
    with_admins: bool = False,
    **fields: Any,
) -> T:
    """`work(session, *args, team_id=, user_id=, now=, **fields)` in one transaction; with
    `with_admins`, also `admins=`: the team's admins, read in that same transaction."""
    now = deps.clock()

    def work_in(session: Session) -> T:
        if with_admins:
            fields["admins"] = admins_of(deps, session, asker.team_id)
        return by_user(session, asker, work, *args, now=now, **fields)

    return run_transaction(deps.engine, work_in)


def by_user(
    session: Session, asker: Asker, work: Callable[..., T], /, *args: Any, **fields: Any
) -> T:
    """`work(session, *args, team_id=, user_id=, **fields)` in a transaction already open."""
    return work(session, *args, team_id=asker.team_id, user_id=asker.user_id, **fields)


def as_actor(deps: Deps, asker: Asker, work: Callable[..., T], /, *args: Any, **fields: Any) -> T:
    """`work(session, *args, team_id=, actor_id=, now=, **fields)` in one transaction: the
    changes that are audited name the person `actor_id`."""
    return in_transaction(
        deps, work, *args, team_id=asker.team_id, actor_id=asker.user_id, now=deps.clock(), **fields
    )


def about_vendor(
    deps: Deps,
    requester: Requester,
    named_channel: str | None,
    work: Callable[..., T],
    /,
    **fields: Any,
) -> T:
    """`work(session, team_id=, channel_id=, named=, now=, **fields)` in one transaction:
    about the vendor whose channel was named, else the one whose channel this is."""
    return in_transaction(
        deps,
        work,
        team_id=requester.team_id,
        channel_id=named_channel or requester.channel_id,
        named=named_channel is not None,
        now=deps.clock(),
        **fields,
    )


def admins_of(deps: Deps, session: Session, team_id: str) -> frozenset[str]:
    """The team's admins in force (its own settings, else the environment's)."""
    return workspace_settings.load(session, deps.settings, team_id).admins


def is_outside(deps: Deps, client: WebClient, sender: Sender) -> bool:
    """Whether who clicked or sent the form is outside the installing team (bot.people)."""
    return people.is_outside_user(
        client,
        sender.user_id,
        sender.team_id,
        payload_team_id=sender.user.team_id,
        cache=deps.slack_facts,
    )


def join_channel(deps: Deps, client: WebClient, asker: Asker, channel_id: str) -> str:
    """The bot joins the channel, for the asker's team (bot.slack_channels); its name."""
    return ensure_bot_in_channel(client, channel_id, team_id=asker.team_id, facts=deps.slack_facts)


def check_can_be_vendor(deps: Deps, client: WebClient, asker: Asker, channel_id: str) -> None:
    """Refuse a channel that can never be a vendor's (the general channel, a DM)."""
    check_channel_can_be_vendor(client, channel_id, team_id=asker.team_id, facts=deps.slack_facts)
