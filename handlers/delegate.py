"""`/delegate`: the slash command. Parse, check who may, call the feature's module, reply.

Task creation (and its confirmation buttons) is `handlers.task_creation`, the form
`handlers.delegate_form`, task changes `handlers.task_changes`, vendor commands
`handlers.vendor_commands`; summaries, reports, scorecards and costs their own modules.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import blocks, delegation, people, permissions, vendor_registry, workspace_settings
from bot.command_grammar import parse_command
from bot.commands import (
    AddVendor,
    AssignTask,
    CancelTask,
    CloseTask,
    Command,
    CreateTask,
    EditQuestions,
    EditTask,
    HandOverTask,
    ListTasks,
    ListVendors,
    ManageAbsences,
    ManageHolidays,
    OpenDelegateForm,
    PauseVendor,
    PostSummary,
    RemoveVendor,
    ReopenTask,
    RescheduleTask,
    RestoreVendor,
    ResumeVendor,
    SendReport,
    SetTaskCost,
    ShowHelp,
    ShowScorecard,
    UpdateVendor,
)
from bot.deps import Deps
from bot.errors import UsageError
from handlers import delegate_form, scorecards, summaries
from handlers.payloads import Requester, SlashCommand
from handlers.replies import answering_errors
from handlers.task_changes import TaskChanges
from handlers.task_creation import TaskCreation, workspace_of
from handlers.vendor_commands import VendorCommands
from storage.database import run_transaction


def register(app: App, deps: Deps) -> None:
    creation = TaskCreation(deps)
    listeners = DelegateListeners(deps, creation)
    app.command("/delegate")(listeners.on_command)
    delegate_form.register(app, deps, creation)
    app.action(blocks.REGISTER_AND_DELEGATE_ACTION)(creation.on_pending_task_clicked)
    app.action(blocks.CANCEL_PENDING_TASK_ACTION)(creation.on_pending_task_clicked)


class DelegateListeners:
    def __init__(self, deps: Deps, creation: TaskCreation) -> None:
        self.deps = deps
        self.creation = creation
        self.changes = TaskChanges(deps)
        self.vendors = VendorCommands(deps)

    def on_command(
        self,
        ack: Ack,
        body: dict[str, Any],
        respond: Respond,
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        ack()
        slash = SlashCommand.read(body, context)
        requester = Requester(slash.team_id, slash.user_id, slash.channel_id, slash.text)

        def reply_problem(text: str) -> None:
            respond(**blocks.problem_reply(text))

        with answering_errors(reply_problem, logger):
            text = slash.text
            if workspace_settings.is_settings_command(text):
                respond(**self.on_settings(text, requester, client))
                return
            command = parse_command(text)
            workspace = self.check_allowed(command, requester, client)
            reply = self.run(command, requester, client, slash.trigger_id, logger, workspace)
            if reply is not None:
                respond(**reply)

    def on_settings(self, text: str, requester: Requester, client: WebClient) -> blocks.Message:
        """`/delegate settings ...`: this workspace's digest channel, admins and time zone."""
        wanted = workspace_settings.parse_settings(text)
        if people.is_outside_user(
            client, requester.user_id, requester.team_id, cache=self.deps.slack_facts
        ):
            raise UsageError(permissions.OUTSIDE_REFUSAL)
        current = run_transaction(
            self.deps.engine,
            lambda session: workspace_settings.change(
                session,
                self.deps.settings,
                requester.team_id,
                requester.user_id,
                wanted,
                self.deps.clock(),
            ),
        )
        return blocks.plain_reply(workspace_settings.describe(current))

    def check_allowed(
        self, command: Command, requester: Requester, client: WebClient
    ) -> workspace_settings.WorkspaceSettings:
        """Refuse (UsageError) what this user may not do; see bot.permissions. The
        workspace's settings read for it are returned, for the command to reuse."""
        outside = permissions.needs_identity_check(command) and people.is_outside_user(
            client, requester.user_id, requester.team_id, cache=self.deps.slack_facts
        )
        workspace = workspace_of(self.deps, requester.team_id)
        refusal = permissions.command_refusal(
            command, user_id=requester.user_id, outside=outside, admins=workspace.admins
        )
        if refusal is not None:
            raise UsageError(refusal)
        return workspace

    def run(
        self,
        command: Command,
        requester: Requester,
        client: WebClient,
        trigger_id: str,
        logger: logging.Logger,
        workspace: workspace_settings.WorkspaceSettings,
    ) -> blocks.Message | None:
        match command:
            case ShowHelp():
                return blocks.help_reply()
            case OpenDelegateForm():
                # The form starts on this channel only when it is a vendor's: pre-filling
                # #general (or any other channel) would invite the mistake issue 13 is about.
                here = requester.channel_id
                is_vendor = run_transaction(
                    self.deps.engine,
                    lambda session: vendor_registry.is_vendor_channel(
                        session, requester.team_id, here
                    ),
                )
                initial = here if is_vendor else None
                client.views_open(trigger_id=trigger_id, view=blocks.delegate_modal(initial))
                return None
            case CreateTask():
                return self.creation.create_task(
                    command, requester, client, logger, admins=workspace.admins
                )
            case ListTasks():
                listing = run_transaction(
                    self.deps.engine,
                    lambda session: delegation.list_tasks(
                        session,
                        team_id=requester.team_id,
                        user_id=requester.user_id,
                        scope=command.scope,
                        channel_id=command.channel_id,
                        now=self.deps.clock(),
                    ),
                )
                return blocks.task_list_reply(
                    listing.heading, listing.rows, listing.today_of, listing.empty
                )
            case CloseTask():
                return self.changes.mark_done(command, requester, client, logger)
            case CancelTask() | RescheduleTask():
                return self.changes.change_task(command, requester, client, logger)
            case ReopenTask() | EditTask() | AssignTask() | HandOverTask():
                return self.changes.amend_task(command, requester, client, logger)
            case PostSummary():
                return summaries.post_summary_now(
                    self.deps,
                    command,
                    team_id=requester.team_id,
                    channel_id=requester.channel_id,
                    client=client,
                )
            case ShowScorecard():
                return scorecards.send_scorecard(
                    self.deps,
                    command,
                    team_id=requester.team_id,
                    user_id=requester.user_id,
                    channel_id=requester.channel_id,
                    client=client,
                )
            case SetTaskCost():
                return self.changes.set_cost(command, requester, client, logger)
            case SendReport():
                return summaries.send_report(
                    self.deps,
                    command,
                    team_id=requester.team_id,
                    user_id=requester.user_id,
                    client=client,
                )
            case (
                AddVendor()
                | ListVendors()
                | RemoveVendor()
                | RestoreVendor()
                | PauseVendor()
                | ResumeVendor()
                | UpdateVendor()
                | ManageAbsences()
                | EditQuestions()
                | ManageHolidays()
            ):
                return self.vendors.run(command, requester, client, trigger_id)
        raise AssertionError(f"unhandled command {command!r}")
