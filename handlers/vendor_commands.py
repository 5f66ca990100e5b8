"""The vendor commands of `/delegate`: vendor add, list, remove, restore, pause, resume,
set, holidays, away and questions. Each runs in one transaction (`bot.delegation`,
`bot.absences`, `bot.checkin_questions`) and returns the reply for the requester; the bot
joins a channel only once what was typed has been checked.
"""

from __future__ import annotations

from dataclasses import asdict

from slack_sdk import WebClient

from bot import (
    absences,
    blocks,
    checkin_questions,
    commands,
    delegation,
    vendor_registry,
    workspace_settings,
)
from bot.blocks import vendor_side as vendor_blocks
from bot.commands import VendorCommand
from bot.deps import Deps
from handlers.acting import as_actor, join_channel
from handlers.payloads import Requester
from handlers.task_creation import workspace_of
from storage.database import run_transaction


class VendorCommands:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def run(
        self, command: VendorCommand, requester: Requester, client: WebClient, trigger_id: str
    ) -> blocks.Message | None:
        match command:
            case commands.AddVendor():
                return self.add_vendor(command, requester, client)
            case commands.ListVendors():
                found = run_transaction(
                    self.deps.engine,
                    lambda session: vendor_registry.list_vendors(
                        session, team_id=requester.team_id, removed=command.removed
                    ),
                )
                return blocks.vendor_list_reply(found, self.deps.clock(), removed=command.removed)
            case commands.RemoveVendor():
                vendor, open_tasks = as_actor(
                    self.deps, requester, vendor_registry.remove_vendor, **asdict(command)
                )
                return blocks.vendor_removed_reply(vendor, open_tasks)
            case commands.RestoreVendor():
                vendor = as_actor(
                    self.deps, requester, vendor_registry.restore_vendor, **asdict(command)
                )
                return blocks.vendor_restored_reply(vendor)
            case commands.PauseVendor() | commands.ResumeVendor():
                return self.pause_or_resume(command, requester, client)
            case commands.UpdateVendor():
                updated = as_actor(
                    self.deps, requester, vendor_registry.update_vendor_settings, command
                )
                return blocks.vendor_updated_reply(
                    updated.vendor, updated.changed, self.deps.clock()
                )
            case commands.ManageAbsences():
                listing = as_actor(self.deps, requester, absences.list_or_clear, **asdict(command))
                return vendor_blocks.absences_reply(listing)
            case commands.EditQuestions():
                questioned = run_transaction(
                    self.deps.engine,
                    lambda session: checkin_questions.vendor_for_questions(
                        session, requester.team_id, command.channel_id
                    ),
                )
                client.views_open(
                    trigger_id=trigger_id, view=vendor_blocks.questions_modal(questioned)
                )
                return None
            case commands.ManageHolidays():
                days_off = as_actor(self.deps, requester, vendor_registry.manage_holidays, command)
                return blocks.holidays_reply(
                    days_off.vendor,
                    days_off.upcoming,
                    added=days_off.added,
                    removed=days_off.removed,
                    already=days_off.already,
                    public=days_off.public,
                )
        raise AssertionError(f"unhandled command {command!r}")

    def add_vendor(
        self, command: commands.AddVendor, requester: Requester, client: WebClient
    ) -> blocks.Message:
        run_transaction(
            self.deps.engine,
            lambda session: delegation.check_vendor_is_new(
                session, requester.team_id, command.channel_id
            ),
        )
        defaults = workspace_settings.vendor_defaults(
            self.deps.vendor_defaults, workspace_of(self.deps, requester.team_id)
        )
        # Dates and amounts are checked before the bot joins the channel.
        delegation.new_vendor_settings(command, defaults, self.deps.clock())
        channel_name = join_channel(self.deps, client, requester, command.channel_id)
        added = as_actor(
            self.deps,
            requester,
            delegation.add_vendor,
            command,
            channel_name=channel_name,
            defaults=defaults,
        )
        return blocks.vendor_added_reply(
            added.vendor, self.deps.clock(), registered_by_task_of=added.registered_by_task_of
        )

    def pause_or_resume(
        self,
        command: commands.PauseVendor | commands.ResumeVendor,
        requester: Requester,
        client: WebClient,
    ) -> blocks.Message:
        paused = isinstance(command, commands.PauseVendor)
        if not paused:
            # Resuming is pointless if the bot still can't post there (archived, removed):
            # check, rejoining a public channel, before the vendor is switched back on.
            run_transaction(
                self.deps.engine,
                lambda session: vendor_registry.check_vendor_can_change_pause(
                    session, team_id=requester.team_id, channel_id=command.channel_id, paused=False
                ),
            )
            join_channel(self.deps, client, requester, command.channel_id)
        vendor = as_actor(
            self.deps,
            requester,
            vendor_registry.set_vendor_paused,
            paused=paused,
            **asdict(command),
        )
        return blocks.vendor_paused_reply(vendor)
