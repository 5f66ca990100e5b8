"""Creating a task from `/delegate`: the command's task, and the question asked before a
channel that is not a vendor yet is registered (Register and delegate / Cancel).

Nothing is written or posted for a new channel until its requester confirms; the buttons
carry the task and a request key, so a double press creates it once.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import asdict, replace
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from bot import blocks, delegation, jobs, permissions, workspace_settings
from bot.command_grammar import parse_command
from bot.commands import CreateTask
from bot.deps import Deps
from bot.errors import UsageError
from bot.money import CostSpec
from bot.slack_channels import DM_REFUSAL
from handlers.acting import as_user, check_can_be_vendor, is_outside, join_channel
from handlers.forms import NewTask
from handlers.listening import Listeners, responding_click_listener
from handlers.payloads import Click, Requester
from storage import jobs as job_store
from storage.database import run_transaction

BROKEN_BUTTON = "That button no longer works; nothing changed. Please run the command again."

# Slack's limit for a button's value, which carries a task waiting for a confirmation.
MAX_BUTTON_VALUE = 2000


class PendingForm(BaseModel):
    """The form's fields, carried by the buttons (`ask_before_registering`)."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    t: str = Field(min_length=1)  # title
    s: str | None = None  # standard expected
    a: str | None = None  # assignee
    d: str | None = None  # due date, YYYY-MM-DD


class PendingTask(BaseModel):
    """What a Register and delegate / Cancel button carries: who asked ("u"), for which
    channel ("c"), the request key ("k"), and the task as typed ("t") or from the form ("f")."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    u: str = Field(min_length=1)
    c: str = Field(min_length=1)
    k: str | None = None
    t: str | None = None
    f: PendingForm | None = None

    @property
    def request_key(self) -> str | None:
        return self.k or None

    def due(self) -> date | None:
        """The form's due date; a button whose date is not one no longer works."""
        if self.f is None or not self.f.d:
            return None
        try:
            return date.fromisoformat(self.f.d)
        except ValueError:
            raise UsageError(BROKEN_BUTTON) from None


def read_pending(value: str) -> PendingTask:
    """The task a Register and delegate / Cancel button carries; anything else (a forged or
    mangled value) is a button that no longer works."""
    try:
        pending = PendingTask.model_validate_json(value)
    except ValidationError:
        raise UsageError(BROKEN_BUTTON) from None
    if pending.t is None and pending.f is None:
        raise UsageError(BROKEN_BUTTON)
    return pending


def workspace_of(deps: Deps, team_id: str) -> workspace_settings.WorkspaceSettings:
    """This workspace's settings in force (its own, else the environment's)."""
    return run_transaction(
        deps.engine, lambda session: workspace_settings.load(session, deps.settings, team_id)
    )


class TaskCreation(Listeners):
    def create_task(
        self,
        command: CreateTask,
        requester: Requester,
        client: WebClient,
        logger: logging.Logger,
        *,
        confirmed: bool = False,
        request_key: str | None = None,
        admins: frozenset[str] | None = None,
    ) -> blocks.Message:
        """Log a task for a vendor. For a channel that is not a vendor yet nothing is written
        or posted: the requester is asked first (`pending_task_reply`), unless `confirmed`
        (they pressed Register and delegate)."""
        channel_id = command.channel_id or requester.channel_id
        if channel_id.startswith("D"):
            raise UsageError(DM_REFUSAL)
        # Check the date before touching Slack, so a typo joins no channel.
        checked = self.check_new_task(requester, channel_id, command.due, command.cost, admins)
        if checked.vendor is None:
            # The general channel and DMs are refused outright; nothing is joined.
            check_can_be_vendor(self.deps, client, requester, channel_id)
            if not confirmed:
                return self.ask_before_registering(
                    requester, channel_id, command.title, {"t": requester.text}
                )
        channel_name = join_channel(self.deps, client, requester, channel_id)
        task = NewTask(
            channel_id, command.title, checked.due, command.standard, command.assignee_id
        )
        return self.log_task(
            requester,
            client,
            logger,
            task,
            channel_name,
            request_key=request_key,
            cost_minor=checked.cost_minor,
        )

    def check_new_task(
        self,
        requester: Requester,
        channel_id: str,
        due: str | date | None,
        cost: CostSpec | None,
        admins: frozenset[str] | None = None,
    ) -> delegation.NewTaskChecked:
        """Everything a new task needs checked before the bot touches Slack. The workspace's
        admins: given by the permission check that read them for this request, else read
        here (a confirmation button)."""
        if admins is None:
            admins = workspace_of(self.deps, requester.team_id).admins
        return as_user(
            self.deps,
            requester,
            delegation.check_new_task,
            channel_id=channel_id,
            admins=admins,
            due=due,
            cost=cost,
            defaults=self.deps.vendor_defaults,
        )

    def ask_before_registering(
        self, requester: Requester, channel_id: str, title: str, task: dict[str, Any]
    ) -> blocks.Message:
        """The private question with Register and delegate / Cancel; the buttons carry the
        task and who asked, so only the requester's click goes ahead."""
        # "k": the key that makes a double press create the task once.
        value = json.dumps({"u": requester.user_id, "c": channel_id, "k": uuid.uuid4().hex, **task})
        if len(value) > MAX_BUTTON_VALUE:
            raise UsageError(
                f"<#{channel_id}> is not a vendor yet; nothing was created. Register it first "
                f"with `/delegate vendor add <#{channel_id}>`, then delegate again."
            )
        return blocks.pending_task_reply(channel_id, title, value)

    @responding_click_listener(
        blocks.REGISTER_AND_DELEGATE_ACTION, blocks.CANCEL_PENDING_TASK_ACTION
    )
    def on_pending_task_clicked(
        self, click: Click, respond: Respond, client: WebClient, logger: logging.Logger
    ) -> None:
        """Register and delegate, or Cancel, on the question about a new vendor channel."""
        user_id = click.user_id
        pending = read_pending(click.value)
        if user_id != pending.u:
            raise UsageError(
                f"Only <@{pending.u}>, who asked, can use these buttons; nothing changed."
            )
        if click.action.action_id == blocks.CANCEL_PENDING_TASK_ACTION:
            respond(replace_original=True, **blocks.pending_task_cancelled_reply())
            return
        team_id = click.team_id
        if is_outside(self.deps, client, click):
            raise UsageError(permissions.OUTSIDE_REFUSAL)
        requester = Requester(team_id, user_id, pending.c)
        if pending.t is not None:
            command = parse_command(pending.t)
            if not isinstance(command, CreateTask):
                raise UsageError(BROKEN_BUTTON)
            reply = self.create_task(
                replace(command, channel_id=pending.c),
                requester,
                client,
                logger,
                confirmed=True,
                request_key=pending.request_key,
            )
        else:
            reply = self.create_from_form(requester, client, logger, pending)
        respond(replace_original=True, **reply)

    def create_from_form(
        self,
        requester: Requester,
        client: WebClient,
        logger: logging.Logger,
        pending: PendingTask,
    ) -> blocks.Message:
        """The form's task, confirmed for a channel that was not a vendor yet."""
        form = pending.f
        if form is None:
            raise UsageError(BROKEN_BUTTON)
        checked = self.check_new_task(requester, requester.channel_id, pending.due(), None)
        channel_name = join_channel(self.deps, client, requester, requester.channel_id)
        task = NewTask(requester.channel_id, form.t, checked.due, form.s or "", form.a or None)
        return self.log_task(
            requester, client, logger, task, channel_name, request_key=pending.request_key
        )

    def log_task(
        self,
        requester: Requester,
        client: WebClient,
        logger: logging.Logger,
        task: NewTask,
        channel_name: str,
        *,
        request_key: str | None = None,
        cost_minor: int | None = None,
    ) -> blocks.Message:
        """Write the task, then announce it; a failed announcement is reported, not fatal.
        With `request_key` (a confirmation button's), the task is created once per key."""
        now = self.deps.clock()
        earlier = jobs.earlier_effect()
        if earlier is not None and earlier.startswith("task:"):
            # A run of this job before a restart wrote the task: say so, write nothing.
            return self.task_created_before(int(earlier.split(":")[1]))

        def create(session: Session) -> delegation.TaskCreated:
            if request_key is not None:
                delegation.confirm_request(
                    session,
                    team_id=requester.team_id,
                    request_key=request_key,
                    user_id=requester.user_id,
                    now=now,
                )
            created = delegation.create_task(
                session,
                team_id=requester.team_id,
                owner_id=requester.user_id,
                channel_name=channel_name,
                defaults=self.deps.vendor_defaults,
                now=now,
                cost_minor=cost_minor,
                **asdict(task),
            )
            # Marked in the task's own transaction: a rerun of this job reads it instead.
            jobs.record_effect(session, f"task:{created.task.id}")
            return created

        created = run_transaction(self.deps.engine, create)
        reply = blocks.task_created_reply(
            created.task,
            created.vendor,
            created.vendor_registered,
            registered_meanwhile=created.registered_meanwhile,
        )
        try:
            posted = client.chat_postMessage(
                channel=created.vendor.channel_id,
                **blocks.task_announcement(created.task, created.vendor),
            )
        except SlackApiError as error:
            logger.warning("announcement failed: %s", error.response.get("error"))
            reply["text"] += "\n" + blocks.announcement_failed_note(created.vendor)
            reply["blocks"].append(
                blocks.problem_reply(blocks.announcement_failed_note(created.vendor))["blocks"][0]
            )
            return reply
        try:
            run_transaction(
                self.deps.engine,
                lambda session: delegation.record_announcement(
                    session, created.task, str(posted["ts"]), now
                ),
            )
        except DBAPIError as error:
            # The task is saved and announced: say so, not "nothing was changed". Only the
            # link to the announcement is lost; later notices go to the channel's top level.
            logger.warning("could not store an announcement's ts: %s", type(error).__name__)
        return reply

    def task_created_before(self, task_id: int) -> blocks.Message:
        """The reply for a task an interrupted run of this job wrote. Its announcement is not
        posted again: whether it went out before the stop is unknown (at most once)."""
        written = run_transaction(
            self.deps.engine, lambda session: job_store.task_written(session, task_id)
        )
        if written is None:
            raise UsageError("Your task was saved, then removed meanwhile; nothing changed.")
        task, vendor = written
        reply = blocks.task_created_reply(task, vendor, False)
        if task.announcement_ts is None:
            note = blocks.announcement_failed_note(vendor)
            reply["text"] += "\n" + note
            reply["blocks"].append(blocks.problem_reply(note)["blocks"][0])
        return reply
