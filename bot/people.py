"""Who is internal: the installing team's own members versus a vendor's people.

In a Slack Connect channel the vendor's people belong to their own workspace. Slash command
and event payloads carry the channel's team, not the user's, so a user's home team is read
from `users.info` (`user.team_id`) and compared with the team the app is installed in;
an interactivity payload's `user.team_id` is the user's own team and is used as it is.

When Slack cannot say (users.info fails), the user counts as outside. The only effect of
that choice is that their "Done" asks the owner for a review instead of closing the task:
an extra click for the owner, never a task closed without the owner's say. Failures are not
cached, so the next answer asks Slack again. Answers are kept per workspace in
bot.slack_facts and forgotten on `user_change`.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.errors import UsageError
from bot.slack_facts import SlackFacts
from storage import tasks
from storage.models import Task
from storage.tasks import TaskRow

logger = logging.getLogger(__name__)


def is_outside_user(
    client: WebClient,
    user_id: str,
    installed_team_id: str,
    *,
    payload_team_id: str | None = None,
    cache: SlackFacts,
) -> bool:
    """True when `user_id` belongs to another workspace than the one the app is installed in.

    `payload_team_id` is an interactivity payload's `user.team_id`, when there is one: it
    needs no lookup. Otherwise the home team comes from the cache or `users.info`. When
    Slack cannot say, the answer is True (see the module's docstring).
    """
    if payload_team_id:
        return payload_team_id != installed_team_id
    home_team = cache.home_team(installed_team_id, user_id)
    if home_team is None:
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            logger.warning(
                "users.info failed (%s); counting the user as outside", error.response.get("error")
            )
            return True
        except OSError as error:  # the connection itself failed, after the client's retries
            logger.warning(
                "users.info failed (%s); counting the user as outside", type(error).__name__
            )
            return True
        home_team = str((user or {}).get("team_id") or "")
        if not home_team:
            return True
        cache.remember_home_team(installed_team_id, user_id, home_team)
    return home_team != installed_team_id


def is_vendor_contact(task: Task, user_id: str, outside: bool) -> bool:
    """Whether `user_id` speaks for the vendor on `task`: their "Done" is a delivery.

    The owner never is (their own "Done" closes the task). The task's assignee always is,
    whatever their workspace: the assignee is the vendor's person by definition. Anyone
    else is when they are outside the installing team.
    """
    if user_id == task.owner_id:
        return False
    if task.assignee_id and user_id == task.assignee_id:
        return True
    return outside


def find_task(
    session: Session,
    team_id: str,
    task_id: int,
    *,
    actor_is_outside: bool = False,
    channel_id: str | None = None,
) -> TaskRow:
    """Task `task_id` of the team, or a UsageError saying there is none. An outside user
    only ever sees the tasks of the vendor whose channel they typed in (`channel_id`): any
    other id is "no such task" to them, so no other vendor's ids leak."""
    row = tasks.get_task_row(session, team_id, task_id)
    if row is not None and actor_is_outside and row.vendor.channel_id != channel_id:
        row = None
    if row is None:
        raise UsageError(
            f"There is no task #{task_id}; nothing changed. `/delegate list all` shows open "
            "tasks and their ids."
        )
    return row
