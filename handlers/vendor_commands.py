"""The vendor commands of `/delegate`: vendor add, list, remove, restore, pause, resume,
set, holidays, away and questions. Each runs in one transaction (`bot.delegation`,
`bot.absences`, `bot.checkin_questions`) and returns the reply for the requester; the bot
joins a channel only once what was typed has been checked.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot import (
    absences,
    blocks,
    checkin_questions,
    delegation,
    vendor_registry,
    workspace_settings,
)
from bot.blocks import vendor_side as vendor_blocks
from bot.commands import (
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
)
from bot.deps import Deps
from bot.slack_channels import ensure_bot_in_channel
from handlers.payloads import Requester
from handlers.task_creation import workspace_of
from storage.database import run_transaction

VendorCommand = (
    AddVendor
    | ListVendors
    | RemoveVendor
    | RestoreVendor
    | PauseVendor
    | ResumeVendor
    | UpdateVendor
    | ManageAbsences
    | EditQuestions
    | ManageHolidays
)


class VendorCommands:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def run(
        self, command: VendorCommand, requester: Requester, client: WebClient, trigger_id: str
    ) -> blocks.Message | None:
        match command:
            case AddVendor():
                return self.add_vendor(command, requester, client)
            case ListVendors():
                found = run_transaction(
                    self.deps.engine,
                    lambda session: vendor_registry.list_vendors(
                        session, team_id=requester.team_id, removed=command.removed
                    ),
                )
                return blocks.vendor_list_reply(found, self.deps.clock(), removed=command.removed)
            case RemoveVendor():
                vendor, open_tasks = run_transaction(
                    self.deps.engine,
                    lambda session: vendor_registry.remove_vendor(
                        session,
                        team_id=requester.team_id,
                        actor_id=requester.user_id,
                        channel_id=command.channel_id,
                        now=self.deps.clock(),
                    ),
                )
                return blocks.vendor_removed_reply(vendor, open_tasks)
            case RestoreVendor():
                vendor = run_transaction(
                    self.deps.engine,
                    lambda session: vendor_registry.restore_vendor(
                        session,
                        team_id=requester.team_id,
                        actor_id=requester.user_id,
                        channel_id=command.channel_id,
                        now=self.deps.clock(),
                    ),
                )
                return blocks.vendor_restored_reply(vendor)
            case PauseVendor() | ResumeVendor():
                return self.pause_or_resume(command, requester, client)
            case UpdateVendor():
                updated = run_transaction(
                    self.deps.engine,
                    lambda session: vendor_registry.update_vendor_settings(
                        session,
                        command,
                        team_id=requester.team_id,
                        actor_id=requester.user_id,
                        now=self.deps.clock(),
                    ),
                )
                return blocks.vendor_updated_reply(
                    updated.vendor, updated.changed, self.deps.clock()
                )
            case ManageAbsences():
                listing = run_transaction(
                    self.deps.engine,
                    lambda session: absences.list_or_clear(
                        session,
                        team_id=requester.team_id,
                        channel_id=command.channel_id,
                        actor_id=requester.user_id,
                        clear=command.clear,
                        user_id=command.user_id,
                        now=self.deps.clock(),
                    ),
                )
                return vendor_blocks.absences_reply(listing)
            case EditQuestions():
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
            case ManageHolidays():
                days_off = run_transaction(
                    self.deps.engine,
                    lambda session: vendor_registry.manage_holidays(
                        session,
                        command,
                        team_id=requester.team_id,
                        actor_id=requester.user_id,
                        now=self.deps.clock(),
                    ),
                )
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
        self, command: AddVendor, requester: Requester, client: WebClient
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
        channel_name = ensure_bot_in_channel(
            client,
            command.channel_id,
            team_id=requester.team_id,
            facts=self.deps.slack_facts,
        )
        added = run_transaction(
            self.deps.engine,
            lambda session: delegation.add_vendor(
                session,
                command,
                team_id=requester.team_id,
                actor_id=requester.user_id,
                channel_name=channel_name,
                defaults=defaults,
                now=self.deps.clock(),
            ),
        )
        return blocks.vendor_added_reply(
            added.vendor, self.deps.clock(), registered_by_task_of=added.registered_by_task_of
        )

    def pause_or_resume(
        self, command: PauseVendor | ResumeVendor, requester: Requester, client: WebClient
    ) -> blocks.Message:
        paused = isinstance(command, PauseVendor)
        if not paused:
            # Resuming is pointless if the bot still can't post there (archived, removed):
            # check, rejoining a public channel, before the vendor is switched back on.
            run_transaction(
                self.deps.engine,
                lambda session: vendor_registry.check_vendor_can_change_pause(
                    session, team_id=requester.team_id, channel_id=command.channel_id, paused=False
                ),
            )
            ensure_bot_in_channel(
                client,
                command.channel_id,
                team_id=requester.team_id,
                facts=self.deps.slack_facts,
            )
        vendor = run_transaction(
            self.deps.engine,
            lambda session: vendor_registry.set_vendor_paused(
                session,
                team_id=requester.team_id,
                actor_id=requester.user_id,
                channel_id=command.channel_id,
                paused=paused,
                now=self.deps.clock(),
            ),
        )
        return blocks.vendor_paused_reply(vendor)
