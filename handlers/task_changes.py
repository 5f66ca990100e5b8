"""Changing a task from `/delegate`: done, cancel, due, reopen, edit, assign, owner, cost.

Each change is checked (`bot.task_changes.check_task_access`) and written in one
transaction, then told: in the task's thread in the vendor channel, and to the owner by
direct message when an admin changed someone else's task.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import blocks, people, reviews, task_changes, workspace_settings
from bot.commands import (
    AssignTask,
    CancelTask,
    CloseTask,
    EditTask,
    HandOverTask,
    ReopenTask,
    RescheduleTask,
    SetTaskCost,
    TaskCommand,
)
from bot.deps import Deps
from bot.reviews import DoneOutcome
from bot.slack_text import escape
from handlers import notices, scorecards
from handlers.payloads import Requester
from storage.database import run_transaction
from storage.models import TaskStatus
from storage.tasks import TaskRow

# What `/delegate done` did, as the reply and the vendor thread say it.
DONE_WORDING = {
    DoneOutcome.CLOSED: "marked done",
    DoneOutcome.DELIVERED: "delivered for review",
    DoneOutcome.ACCEPTED: "accepted and marked done",
}


class TaskChanges:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def run(
        self, command: TaskCommand, requester: Requester, client: WebClient, logger: logging.Logger
    ) -> blocks.Message:
        match command:
            case CloseTask():
                return self.mark_done(command, requester, client, logger)
            case CancelTask() | RescheduleTask():
                return self.change_task(command, requester, client, logger)
            case ReopenTask() | EditTask() | AssignTask() | HandOverTask():
                return self.amend_task(command, requester, client, logger)
            case SetTaskCost():
                return self.set_cost(command, requester, client, logger)
        raise AssertionError(f"unhandled command {command!r}")

    def set_cost(
        self, command: SetTaskCost, requester: Requester, client: WebClient, logger: logging.Logger
    ) -> blocks.Message:
        access = run_transaction(
            self.deps.engine,
            lambda session: self.task_access(session, requester, command.task_id, "cost"),
        )
        # A cost is never shown in the vendor's channel; an admin's change is told to the
        # owner privately.
        reply = scorecards.set_task_cost(self.deps, command, requester)
        if access.for_someone_else:
            self.tell_owner(client, access.row, requester.user_id, "cost changed", logger)
        return reply

    def mark_done(
        self, command: CloseTask, requester: Requester, client: WebClient, logger: logging.Logger
    ) -> blocks.Message:
        """The owner's `done` closes (or accepts a delivery); a vendor contact's delivers."""
        # A slash command carries the channel's team, not the user's: ask Slack (cached).
        outside = people.is_outside_user(
            client, requester.user_id, requester.team_id, cache=self.deps.slack_facts
        )

        def close(session: Session) -> tuple[task_changes.TaskAccess, reviews.TaskMarkedDone]:
            access = self.task_access(session, requester, command.task_id, "done", outside)
            done = reviews.mark_task_done(
                session,
                team_id=requester.team_id,
                actor_id=requester.user_id,
                actor_is_outside=outside,
                task_id=command.task_id,
                now=self.deps.clock(),
                channel_id=requester.channel_id,
            )
            return access, done

        access, done = run_transaction(self.deps.engine, close)
        what = DONE_WORDING[done.outcome]
        self.tell_vendor_channel(
            client, TaskRow(done.task, done.vendor), requester.user_id, what, logger
        )
        notices.tell_owner_about_done(client, done, logger)
        if access.for_someone_else:
            self.tell_owner(client, access.row, requester.user_id, what, logger)
        # Whatever the outcome (closed, delivered, accepted), the check-in that asked about
        # the task shows it as it is now: its row loses its buttons, the count moves.
        notices.refresh_checkin_of_task(self.deps, client, command.task_id, logger)
        return blocks.task_changed_reply(done.task, what)

    def change_task(
        self,
        command: CancelTask | RescheduleTask,
        requester: Requester,
        client: WebClient,
        logger: logging.Logger,
    ) -> blocks.Message:
        now = self.deps.clock()
        common: dict[str, Any] = {
            "team_id": requester.team_id,
            "actor_id": requester.user_id,
            "task_id": command.task_id,
            "now": now,
        }
        verb = "cancel" if isinstance(command, CancelTask) else "due"

        def change(session: Session) -> tuple[task_changes.TaskAccess, TaskRow, str]:
            access = self.task_access(session, requester, command.task_id, verb)
            if isinstance(command, CancelTask):
                row = task_changes.finish_task(session, status=TaskStatus.CANCELLED, **common)
                return access, row, "cancelled"
            row = task_changes.reschedule_task(session, due=command.due, **common)
            return access, row, f"now due {blocks.format_due(row.task.due_date)}"

        access, row, what = run_transaction(self.deps.engine, change)
        self.tell_vendor_channel(client, row, requester.user_id, what, logger)
        notices.refresh_checkin_of_task(self.deps, client, command.task_id, logger)
        if access.for_someone_else:
            self.tell_owner(client, row, requester.user_id, what, logger)
        return blocks.task_changed_reply(row.task, what)

    def task_access(
        self,
        session: Session,
        requester: Requester,
        task_id: int,
        verb: str,
        outside: bool = False,
    ) -> task_changes.TaskAccess:
        return task_changes.check_task_access(
            session,
            team_id=requester.team_id,
            task_id=task_id,
            actor_id=requester.user_id,
            actor_is_outside=outside,
            admins=workspace_settings.load(session, self.deps.settings, requester.team_id).admins,
            here_channel_id=requester.channel_id,
            verb=verb,
        )

    def amend_task(
        self,
        command: ReopenTask | EditTask | AssignTask | HandOverTask,
        requester: Requester,
        client: WebClient,
        logger: logging.Logger,
    ) -> blocks.Message:
        """reopen, edit, assign, owner: audited, noted in the task's thread; an admin's
        change to someone else's task is told to its owner, a hand-over to both owners."""
        now = self.deps.clock()
        verb = {ReopenTask: "reopen", EditTask: "edit", AssignTask: "assign"}.get(
            type(command), "owner"
        )

        def amend(session: Session) -> tuple[task_changes.TaskAccess, str, str | None]:
            previous: str | None = None
            access = self.task_access(session, requester, command.task_id, verb)
            amendment = task_changes.Amendment(access.row, requester.user_id, now)
            match command:
                case ReopenTask():
                    task_changes.reopen_task(session, amendment)
                    what = "reopened"
                case EditTask():
                    changed = task_changes.edit_task(session, command, amendment)
                    what = " and ".join(
                        f"retitled (was “{escape(change['from'])}”)"
                        if field == "title"
                        else "given a new standard"
                        for field, change in changed.items()
                    )
                case AssignTask():
                    task_changes.change_task_person(
                        session, amendment, "assignee_id", command.assignee_id
                    )
                    what = (
                        f"assigned to {blocks.mention(command.assignee_id)}"
                        if command.assignee_id
                        else "unassigned"
                    )
                case HandOverTask():
                    previous = task_changes.change_task_person(
                        session, amendment, "owner_id", command.owner_id
                    )
                    what = f"handed over to {blocks.mention(command.owner_id)}"
            return access, what, previous

        access, what, previous = run_transaction(self.deps.engine, amend)
        row = access.row
        self.tell_vendor_channel(client, row, requester.user_id, what, logger)
        notices.refresh_checkin_of_task(self.deps, client, command.task_id, logger)
        if not isinstance(command, ReopenTask):
            self.refresh_announcement(client, row, logger)
        if isinstance(command, HandOverTask):
            message = blocks.task_handed_over_message(
                row.task, row.vendor, requester.user_id, command.owner_id
            )
            for user in dict.fromkeys((previous, command.owner_id)):
                if user and user != requester.user_id:
                    self.direct_message(client, user, message, logger)
        elif access.for_someone_else:
            self.tell_owner(client, row, requester.user_id, what, logger)
        return blocks.task_changed_reply(row.task, what)

    def tell_owner(
        self, client: WebClient, row: TaskRow, actor_id: str, what: str, logger: logging.Logger
    ) -> None:
        """An admin changed someone else's task: its owner hears it from the bot."""
        message = blocks.task_change_for_owner(row.task, row.vendor, actor_id, what)
        self.direct_message(client, row.task.owner_id, message, logger)

    def direct_message(
        self, client: WebClient, user_id: str, message: blocks.Message, logger: logging.Logger
    ) -> None:
        try:
            client.chat_postMessage(channel=user_id, **message)
        except SlackApiError as error:
            logger.warning("could not send a direct message: %s", error.response.get("error"))

    def refresh_announcement(self, client: WebClient, row: TaskRow, logger: logging.Logger) -> None:
        """The task's announcement shows its title, standard and people: keep it current."""
        if not row.task.announcement_ts:
            return
        try:
            client.chat_update(
                channel=row.vendor.channel_id,
                ts=row.task.announcement_ts,
                **blocks.task_announcement(row.task, row.vendor),
            )
        except SlackApiError as error:
            logger.warning("could not update an announcement: %s", error.response.get("error"))

    def tell_vendor_channel(
        self, client: WebClient, row: TaskRow, actor_id: str, what: str, logger: logging.Logger
    ) -> None:
        """Note the change in the task's announcement thread, so the vendor sees it."""
        if row.task.announcement_ts:
            notice = blocks.task_changed_notice(row.task, actor_id, what)
            notices.post_in_task_thread(client, row.task, row.vendor, notice, logger)
