"""`/delegate`: the slash command. Parse, check who may, call the feature's module, reply.

Task creation (and its confirmation buttons) is `handlers.task_creation`, the form
`handlers.delegate_form`, task changes `handlers.task_changes`, vendor commands
`handlers.vendor_commands`; summaries, reports, scorecards and costs their own modules.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from slack_bolt import Respond
from slack_sdk import WebClient

from bot import blocks, delegation, people, permissions, vendor_registry, workspace_settings
from bot.command_grammar import parse_command
from bot.commands import (
    Command,
    CreateTask,
    ListTasks,
    OpenDelegateForm,
    PostSummary,
    SendReport,
    ShowHelp,
    ShowScorecard,
    TaskCommand,
    VendorCommand,
)
from bot.deps import Deps
from bot.errors import UsageError
from handlers import scorecards, summaries
from handlers.acting import as_user, in_transaction
from handlers.listening import Listeners, command_listener
from handlers.payloads import Requester, SlashCommand
from handlers.task_changes import TaskChanges
from handlers.task_creation import TaskCreation, workspace_of
from handlers.vendor_commands import VendorCommands
from storage.database import run_transaction


class DelegateListeners(Listeners):
    def __init__(self, deps: Deps, creation: TaskCreation) -> None:
        super().__init__(deps)
        self.creation = creation
        self.changes = TaskChanges(deps)
        self.vendors = VendorCommands(deps)

    @command_listener("/delegate")
    def on_command(
        self, slash: SlashCommand, respond: Respond, client: WebClient, logger: logging.Logger
    ) -> None:
        requester = Requester(slash.team_id, slash.user_id, slash.channel_id, slash.text)
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
                is_vendor = in_transaction(
                    self.deps, vendor_registry.is_vendor_channel, requester.team_id, here
                )
                initial = here if is_vendor else None
                client.views_open(trigger_id=trigger_id, view=blocks.delegate_modal(initial))
                return None
            case CreateTask():
                return self.creation.create_task(
                    command, requester, client, logger, admins=workspace.admins
                )
            case ListTasks():
                listing = as_user(self.deps, requester, delegation.list_tasks, **asdict(command))
                return blocks.task_list_reply(
                    listing.heading, listing.rows, listing.today_of, listing.empty
                )
            case PostSummary():
                return summaries.post_summary_now(self.deps, command, requester, client)
            case ShowScorecard():
                return scorecards.send_scorecard(self.deps, command, requester, client)
            case SendReport():
                return summaries.send_report(self.deps, command, requester, client)
        # The two families with a module of their own (bot.commands' unions).
        if isinstance(command, TaskCommand):
            return self.changes.run(command, requester, client, logger)
        if isinstance(command, VendorCommand):
            return self.vendors.run(command, requester, client, trigger_id)
        raise AssertionError(f"unhandled command {command!r}")
