"""`/delegate`: the slash command and its form. Parse, call `bot.delegation`, reply."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from bot import blocks, delegation, people, permissions, reviews, workspace_settings
from bot.commands import (
    AddVendor,
    CancelTask,
    CloseTask,
    Command,
    CreateTask,
    ListTasks,
    ListVendors,
    ManageHolidays,
    OpenDelegateForm,
    PauseVendor,
    PostSummary,
    RescheduleTask,
    ResumeVendor,
    SendReport,
    SetTaskCost,
    ShowHelp,
    ShowScorecard,
    UpdateVendor,
    parse_command,
)
from bot.deps import Deps
from bot.errors import UsageError
from bot.forms import read_delegate_form
from bot.reviews import DoneOutcome
from bot.slack_channels import ensure_bot_in_channel
from handlers import notices, scorecards, summaries
from handlers.replies import answering_errors
from storage.database import run_transaction
from storage.tasks import TaskRow

# What `/delegate done` did, as the reply and the vendor thread say it.
DONE_WORDING = {
    DoneOutcome.CLOSED: "marked done",
    DoneOutcome.DELIVERED: "delivered for review",
    DoneOutcome.ACCEPTED: "accepted and marked done",
}


@dataclass(frozen=True)
class Requester:
    team_id: str
    user_id: str
    channel_id: str


def team_of(context: BoltContext, body: dict[str, Any]) -> str:
    """The installing team (from auth.test): in a Slack Connect channel the payload's
    team_id can be the other organisation's, so it is only a fallback."""
    result = context.authorize_result
    team = (result.team_id if result else None) or body.get("team_id") or ""
    if not team and isinstance(body.get("team"), dict):
        team = body["team"].get("id", "")
    return str(team)


def register(app: App, deps: Deps) -> None:
    listeners = DelegateListeners(deps)
    app.command("/delegate")(listeners.on_command)
    app.view(blocks.DELEGATE_MODAL)(listeners.on_form_submitted)


class DelegateListeners:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

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
        requester = Requester(
            team_id=team_of(context, body),
            user_id=str(body.get("user_id", "")),
            channel_id=str(body.get("channel_id", "")),
        )

        def reply_problem(text: str) -> None:
            respond(**blocks.problem_reply(text))

        with answering_errors(reply_problem, logger):
            text = str(body.get("text") or "")
            if workspace_settings.is_settings_command(text):
                respond(**self.on_settings(text, requester, client))
                return
            command = parse_command(text)
            self.check_allowed(command, requester, client)
            reply = self.run(command, requester, client, str(body.get("trigger_id", "")), logger)
            if reply is not None:
                respond(**reply)

    def on_settings(self, text: str, requester: Requester, client: WebClient) -> blocks.Message:
        """`/delegate settings ...`: this workspace's digest channel, admins and time zone."""
        wanted = workspace_settings.parse_settings(text)
        if people.is_outside_user(client, requester.user_id, requester.team_id):
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

    def workspace(self, team_id: str) -> workspace_settings.WorkspaceSettings:
        """This workspace's settings in force (its own, else the environment's)."""
        return run_transaction(
            self.deps.engine,
            lambda session: workspace_settings.load(session, self.deps.settings, team_id),
        )

    def check_allowed(self, command: Command, requester: Requester, client: WebClient) -> None:
        """Refuse (UsageError) what this user may not do; see bot.permissions."""
        outside = permissions.needs_identity_check(command) and people.is_outside_user(
            client, requester.user_id, requester.team_id
        )
        refusal = permissions.command_refusal(
            command,
            user_id=requester.user_id,
            outside=outside,
            admins=self.workspace(requester.team_id).admins,
        )
        if refusal is not None:
            raise UsageError(refusal)

    def run(
        self,
        command: Command,
        requester: Requester,
        client: WebClient,
        trigger_id: str,
        logger: logging.Logger,
    ) -> blocks.Message | None:
        match command:
            case ShowHelp():
                return blocks.help_reply()
            case OpenDelegateForm():
                here = requester.channel_id
                initial = here if here.startswith(("C", "G")) else None
                client.views_open(trigger_id=trigger_id, view=blocks.delegate_modal(initial))
                return None
            case CreateTask():
                return self.create_task(command, requester, client, logger)
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
                return self.mark_done(command, requester, client, logger)
            case CancelTask() | RescheduleTask():
                return self.change_task(command, requester, client, logger)
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
                return scorecards.set_task_cost(
                    self.deps, command, team_id=requester.team_id, user_id=requester.user_id
                )
            case SendReport():
                return summaries.send_report(
                    self.deps,
                    command,
                    team_id=requester.team_id,
                    user_id=requester.user_id,
                    client=client,
                )
            case AddVendor():
                return self.add_vendor(command, requester, client)
            case ListVendors():
                found = run_transaction(
                    self.deps.engine,
                    lambda session: delegation.list_vendors(session, team_id=requester.team_id),
                )
                return blocks.vendor_list_reply(found, self.deps.clock())
            case PauseVendor() | ResumeVendor():
                return self.pause_or_resume(command, requester, client)
            case UpdateVendor():
                updated = run_transaction(
                    self.deps.engine,
                    lambda session: delegation.update_vendor_settings(
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
            case ManageHolidays():
                days_off = run_transaction(
                    self.deps.engine,
                    lambda session: delegation.manage_holidays(
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
                )
        raise AssertionError(f"unhandled command {command!r}")

    def create_task(
        self, command: CreateTask, requester: Requester, client: WebClient, logger: logging.Logger
    ) -> blocks.Message:
        channel_id = command.channel_id or requester.channel_id
        # Check the date before touching Slack, so a typo joins no channel: one vendor
        # lookup for the permission, the due date and the cost.
        checked = run_transaction(
            self.deps.engine,
            lambda session: delegation.check_new_task(
                session,
                team_id=requester.team_id,
                channel_id=channel_id,
                user_id=requester.user_id,
                admins=self.workspace(requester.team_id).admins,
                due=command.due,
                cost=command.cost,
                defaults=self.deps.vendor_defaults,
                now=self.deps.clock(),
            ),
        )
        channel_name = ensure_bot_in_channel(client, channel_id)
        return self.log_task(
            requester,
            client,
            logger,
            channel_id=channel_id,
            channel_name=channel_name,
            title=command.title,
            standard=command.standard,
            assignee_id=command.assignee_id,
            due=checked.due,
            cost_minor=checked.cost_minor,
        )

    def log_task(
        self,
        requester: Requester,
        client: WebClient,
        logger: logging.Logger,
        **fields: Any,
    ) -> blocks.Message:
        """Write the task, then announce it; a failed announcement is reported, not fatal."""
        now = self.deps.clock()
        created = run_transaction(
            self.deps.engine,
            lambda session: delegation.create_task(
                session,
                team_id=requester.team_id,
                owner_id=requester.user_id,
                defaults=self.deps.vendor_defaults,
                now=now,
                **fields,
            ),
        )
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

    def mark_done(
        self, command: CloseTask, requester: Requester, client: WebClient, logger: logging.Logger
    ) -> blocks.Message:
        """The owner's `done` closes (or accepts a delivery); a vendor contact's delivers."""
        # A slash command carries the channel's team, not the user's: ask Slack (cached).
        outside = people.is_outside_user(client, requester.user_id, requester.team_id)
        done = run_transaction(
            self.deps.engine,
            lambda session: reviews.mark_task_done(
                session,
                team_id=requester.team_id,
                actor_id=requester.user_id,
                actor_is_outside=outside,
                task_id=command.task_id,
                now=self.deps.clock(),
                channel_id=requester.channel_id,
            ),
        )
        what = DONE_WORDING[done.outcome]
        self.tell_vendor_channel(
            client, TaskRow(done.task, done.vendor), requester.user_id, what, logger
        )
        notices.tell_owner_about_done(client, done, logger)
        if done.outcome == DoneOutcome.ACCEPTED:
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

        def change(session: Session) -> tuple[TaskRow, str]:
            if isinstance(command, CancelTask):
                return delegation.cancel_task(session, **common), "cancelled"
            row = delegation.reschedule_task(session, due=command.due, **common)
            return row, f"now due {blocks.format_due(row.task.due_date)}"

        row, what = run_transaction(self.deps.engine, change)
        self.tell_vendor_channel(client, row, requester.user_id, what, logger)
        return blocks.task_changed_reply(row.task, what)

    def tell_vendor_channel(
        self, client: WebClient, row: TaskRow, actor_id: str, what: str, logger: logging.Logger
    ) -> None:
        """Note the change in the task's announcement thread, so the vendor sees it."""
        if not row.task.announcement_ts:
            return
        try:
            client.chat_postMessage(
                channel=row.vendor.channel_id,
                thread_ts=row.task.announcement_ts,
                **blocks.task_changed_notice(row.task, actor_id, what),
            )
        except SlackApiError as error:
            logger.warning("could not note a task change: %s", error.response.get("error"))

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
            self.deps.vendor_defaults, self.workspace(requester.team_id)
        )
        # Dates and amounts are checked before the bot joins the channel.
        delegation.new_vendor_settings(command, defaults, self.deps.clock())
        channel_name = ensure_bot_in_channel(client, command.channel_id)
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
                lambda session: delegation.check_vendor_can_change_pause(
                    session, team_id=requester.team_id, channel_id=command.channel_id, paused=False
                ),
            )
            ensure_bot_in_channel(client, command.channel_id)
        vendor = run_transaction(
            self.deps.engine,
            lambda session: delegation.set_vendor_paused(
                session,
                team_id=requester.team_id,
                actor_id=requester.user_id,
                channel_id=command.channel_id,
                paused=paused,
                now=self.deps.clock(),
            ),
        )
        return blocks.vendor_paused_reply(vendor)

    def on_form_submitted(
        self,
        ack: Ack,
        body: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        user_id = str((body.get("user") or {}).get("id", ""))
        requester = Requester(team_of(context, body), user_id, "")
        view = body.get("view") or {}
        values = (view.get("state") or {}).get("values") or {}
        form, errors = read_delegate_form(values)

        acked = False

        def tell_user(text: str) -> None:
            # Before the ack the form is still open: show the problem in it, so nothing is
            # lost; after the ack the form is gone, so say it in a direct message.
            if not acked:
                ack(response_action="errors", errors={blocks.FIELD_TITLE: text[:150]})
            else:
                client.chat_postMessage(channel=user_id, **blocks.problem_reply(text))

        with answering_errors(tell_user, logger):
            # The form is only opened by /delegate, but a forged submission must not get
            # around the rules the command follows.
            if people.is_outside_user(
                client,
                user_id,
                requester.team_id,
                payload_team_id=str((body.get("user") or {}).get("team_id") or ""),
            ):
                raise UsageError(permissions.OUTSIDE_REFUSAL)
            if form is not None:
                try:
                    run_transaction(
                        self.deps.engine,
                        lambda session: delegation.check_may_register(
                            session,
                            requester.team_id,
                            form.channel_id,
                            user_id,
                            self.workspace(requester.team_id).admins,
                        ),
                    )
                except UsageError as error:
                    errors[blocks.FIELD_VENDOR] = error.message
                try:
                    run_transaction(
                        self.deps.engine,
                        lambda session: delegation.resolve_due_date(
                            session,
                            team_id=requester.team_id,
                            channel_id=form.channel_id,
                            due=form.due,
                            defaults=self.deps.vendor_defaults,
                            now=self.deps.clock(),
                        ),
                    )
                except UsageError as error:
                    errors[blocks.FIELD_DUE] = error.message
            if form is not None and not errors:
                try:
                    channel_name = ensure_bot_in_channel(client, form.channel_id)
                except UsageError as error:
                    errors[blocks.FIELD_VENDOR] = error.message
            if form is None or errors:
                ack(response_action="errors", errors=errors)
                return
            ack()
            acked = True
            reply = self.log_task(
                requester,
                client,
                logger,
                channel_id=form.channel_id,
                channel_name=channel_name,
                title=form.title,
                standard=form.standard,
                assignee_id=form.assignee_id,
                due=form.due,
            )
            client.chat_postMessage(channel=user_id, **reply)
