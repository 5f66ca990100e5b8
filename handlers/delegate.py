"""`/delegate`: the slash command and its form. Parse, call `bot.delegation`, reply."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from bot import (
    blocks,
    delegation,
    people,
    permissions,
    reviews,
    task_changes,
    vendor_registry,
    workspace_settings,
)
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
from bot.forms import read_delegate_form
from bot.reviews import DoneOutcome
from bot.slack_channels import DM_REFUSAL, check_channel_can_be_vendor, ensure_bot_in_channel
from bot.slack_text import escape
from handlers import notices, scorecards, summaries, vendor_commands
from handlers.replies import answering_errors
from storage.database import run_transaction
from storage.models import Vendor
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
    text: str = ""  # what was typed after /delegate, kept for a confirmation button


BROKEN_BUTTON = "That button no longer works; nothing changed. Please run the command again."


def read_pending(value: str) -> dict[str, Any]:
    """The task a Register and delegate / Cancel button carries (see ask_before_registering)."""
    try:
        pending = json.loads(value)
    except ValueError:
        raise UsageError(BROKEN_BUTTON) from None
    if not isinstance(pending, dict) or not pending.get("u") or not pending.get("c"):
        raise UsageError(BROKEN_BUTTON)
    if "t" not in pending and not isinstance(pending.get("f"), dict):
        raise UsageError(BROKEN_BUTTON)
    return pending


def team_of(context: BoltContext, body: dict[str, Any]) -> str:
    """The installing team (from auth.test): in a Slack Connect channel the payload's
    team_id can be the other organisation's, so it is only a fallback."""
    result = context.authorize_result
    team = (result.team_id if result else None) or body.get("team_id") or ""
    if not team and isinstance(body.get("team"), dict):
        team = body["team"].get("id", "")
    return str(team)


# Slack's limit for a button's value, which carries a task waiting for a confirmation.
MAX_BUTTON_VALUE = 2000


def register(app: App, deps: Deps) -> None:
    listeners = DelegateListeners(deps)
    app.command("/delegate")(listeners.on_command)
    app.view(blocks.DELEGATE_MODAL)(listeners.on_form_submitted)
    app.action(blocks.REGISTER_AND_DELEGATE_ACTION)(listeners.on_pending_task_clicked)
    app.action(blocks.CANCEL_PENDING_TASK_ACTION)(listeners.on_pending_task_clicked)


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
            text=str(body.get("text") or ""),
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
            case ReopenTask() | EditTask() | AssignTask() | HandOverTask():
                return self.amend_task(command, requester, client, logger)
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
                access = run_transaction(
                    self.deps.engine,
                    lambda session: self.task_access(session, requester, command.task_id, "cost"),
                )
                # A cost is never shown in the vendor's channel; an admin's change is told to
                # the owner privately.
                reply = scorecards.set_task_cost(
                    self.deps, command, team_id=requester.team_id, user_id=requester.user_id
                )
                if access.for_someone_else:
                    self.tell_owner(client, access.row, requester.user_id, "cost changed", logger)
                return reply
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
            case ManageAbsences() | EditQuestions():
                return vendor_commands.run(
                    self.deps,
                    command,
                    team_id=requester.team_id,
                    user_id=requester.user_id,
                    client=client,
                    trigger_id=trigger_id,
                )
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

    def create_task(
        self,
        command: CreateTask,
        requester: Requester,
        client: WebClient,
        logger: logging.Logger,
        *,
        confirmed: bool = False,
        request_key: str | None = None,
    ) -> blocks.Message:
        """Log a task for a vendor. For a channel that is not a vendor yet nothing is written
        or posted: the requester is asked first (`pending_task_reply`), unless `confirmed`
        (they pressed Register and delegate)."""
        channel_id = command.channel_id or requester.channel_id
        if channel_id.startswith("D"):
            raise UsageError(DM_REFUSAL)
        # Check the date before touching Slack, so a typo joins no channel.
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
        if checked.vendor is None:
            # The general channel and DMs are refused outright; nothing is joined.
            check_channel_can_be_vendor(client, channel_id)
            if not confirmed:
                return self.ask_before_registering(
                    requester, channel_id, command.title, {"t": requester.text}
                )
        channel_name = ensure_bot_in_channel(client, channel_id)
        return self.log_task(
            requester,
            client,
            logger,
            request_key=request_key,
            channel_id=channel_id,
            channel_name=channel_name,
            title=command.title,
            standard=command.standard,
            assignee_id=command.assignee_id,
            due=checked.due,
            cost_minor=checked.cost_minor,
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

    def on_pending_task_clicked(
        self,
        ack: Ack,
        body: dict[str, Any],
        respond: Respond,
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        """Register and delegate, or Cancel, on the question about a new vendor channel."""
        ack()
        user = body.get("user") or {}
        user_id = str(user.get("id") or "")
        action = (body.get("actions") or [{}])[0]

        def reply_problem(text: str) -> None:
            respond(replace_original=False, response_type="ephemeral", **blocks.problem_reply(text))

        with answering_errors(reply_problem, logger):
            pending = read_pending(str(action.get("value") or ""))
            if user_id != pending.get("u"):
                raise UsageError(
                    f"Only <@{pending.get('u')}>, who asked, can use these buttons; nothing "
                    "changed."
                )
            if action.get("action_id") == blocks.CANCEL_PENDING_TASK_ACTION:
                respond(replace_original=True, **blocks.pending_task_cancelled_reply())
                return
            team_id = team_of(context, body)
            if people.is_outside_user(
                client, user_id, team_id, payload_team_id=str(user.get("team_id") or "")
            ):
                raise UsageError(permissions.OUTSIDE_REFUSAL)
            channel_id = str(pending["c"])
            requester = Requester(team_id, user_id, channel_id)
            if "t" in pending:
                command = parse_command(str(pending["t"]))
                if not isinstance(command, CreateTask):
                    raise UsageError(BROKEN_BUTTON)
                reply = self.create_task(
                    replace(command, channel_id=channel_id),
                    requester,
                    client,
                    logger,
                    confirmed=True,
                    request_key=str(pending.get("k") or "") or None,
                )
            else:
                reply = self.create_from_form(
                    requester, client, logger, pending["f"], str(pending.get("k") or "") or None
                )
            respond(replace_original=True, **reply)

    def create_from_form(
        self,
        requester: Requester,
        client: WebClient,
        logger: logging.Logger,
        form: Any,
        request_key: str | None,
    ) -> blocks.Message:
        """The form's task, confirmed for a channel that was not a vendor yet."""
        if not isinstance(form, dict) or not isinstance(form.get("t"), str) or not form["t"]:
            raise UsageError(BROKEN_BUTTON)
        try:
            due = date.fromisoformat(str(form["d"])) if form.get("d") else None
        except ValueError:
            raise UsageError(BROKEN_BUTTON) from None
        checked = run_transaction(
            self.deps.engine,
            lambda session: delegation.check_new_task(
                session,
                team_id=requester.team_id,
                channel_id=requester.channel_id,
                user_id=requester.user_id,
                admins=workspace_settings.load(
                    session, self.deps.settings, requester.team_id
                ).admins,
                due=due,
                cost=None,
                defaults=self.deps.vendor_defaults,
                now=self.deps.clock(),
            ),
        )
        channel_name = ensure_bot_in_channel(client, requester.channel_id)
        return self.log_task(
            requester,
            client,
            logger,
            request_key=request_key,
            channel_id=requester.channel_id,
            channel_name=channel_name,
            title=str(form["t"]),
            standard=str(form.get("s") or ""),
            assignee_id=str(form["a"]) if form.get("a") else None,
            due=checked.due,
        )

    def log_task(
        self,
        requester: Requester,
        client: WebClient,
        logger: logging.Logger,
        request_key: str | None = None,
        **fields: Any,
    ) -> blocks.Message:
        """Write the task, then announce it; a failed announcement is reported, not fatal.
        With `request_key` (a confirmation button's), the task is created once per key."""
        now = self.deps.clock()

        def create(session: Session) -> delegation.TaskCreated:
            if request_key is not None:
                delegation.confirm_request(
                    session,
                    team_id=requester.team_id,
                    request_key=request_key,
                    user_id=requester.user_id,
                    now=now,
                )
            return delegation.create_task(
                session,
                team_id=requester.team_id,
                owner_id=requester.user_id,
                defaults=self.deps.vendor_defaults,
                now=now,
                **fields,
            )

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

    def mark_done(
        self, command: CloseTask, requester: Requester, client: WebClient, logger: logging.Logger
    ) -> blocks.Message:
        """The owner's `done` closes (or accepts a delivery); a vendor contact's delivers."""
        # A slash command carries the channel's team, not the user's: ask Slack (cached).
        outside = people.is_outside_user(client, requester.user_id, requester.team_id)

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
        verb = "cancel" if isinstance(command, CancelTask) else "due"

        def change(session: Session) -> tuple[task_changes.TaskAccess, TaskRow, str]:
            access = self.task_access(session, requester, command.task_id, verb)
            if isinstance(command, CancelTask):
                return access, task_changes.cancel_task(session, **common), "cancelled"
            row = task_changes.reschedule_task(session, due=command.due, **common)
            return access, row, f"now due {blocks.format_due(row.task.due_date)}"

        access, row, what = run_transaction(self.deps.engine, change)
        self.tell_vendor_channel(client, row, requester.user_id, what, logger)
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
            row = access.row
            common: dict[str, Any] = {
                "team_id": requester.team_id,
                "actor_id": requester.user_id,
                "row": row,
                "now": now,
            }
            match command:
                case ReopenTask():
                    task_changes.reopen_task(session, **common)
                    what = "reopened"
                case EditTask():
                    changed = task_changes.edit_task(session, command, **common)
                    what = " and ".join(
                        f"retitled (was “{escape(change['from'])}”)"
                        if field == "title"
                        else "given a new standard"
                        for field, change in changed.items()
                    )
                case AssignTask():
                    task_changes.change_task_person(
                        session, field="assignee_id", user_id=command.assignee_id, **common
                    )
                    what = (
                        f"assigned to {blocks.mention(command.assignee_id)}"
                        if command.assignee_id
                        else "unassigned"
                    )
                case HandOverTask():
                    previous = task_changes.change_task_person(
                        session, field="owner_id", user_id=command.owner_id, **common
                    )
                    what = f"handed over to {blocks.mention(command.owner_id)}"
            return access, what, previous

        access, what, previous = run_transaction(self.deps.engine, amend)
        row = access.row
        self.tell_vendor_channel(client, row, requester.user_id, what, logger)
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
                lambda session: vendor_registry.check_vendor_can_change_pause(
                    session, team_id=requester.team_id, channel_id=command.channel_id, paused=False
                ),
            )
            ensure_bot_in_channel(client, command.channel_id)
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
            vendor: Vendor | None = None
            if form is not None and not errors:
                try:
                    vendor = run_transaction(
                        self.deps.engine,
                        lambda session: vendor_registry.vendor_in_channel(
                            session, requester.team_id, form.channel_id
                        ),
                    )
                    if vendor is None:
                        # Not a vendor yet: the general channel is refused in the form; any
                        # other channel is asked about, privately, before anything is written.
                        check_channel_can_be_vendor(client, form.channel_id)
                    else:
                        channel_name = ensure_bot_in_channel(client, form.channel_id)
                except UsageError as error:
                    errors[blocks.FIELD_VENDOR] = error.message
            if form is None or errors:
                ack(response_action="errors", errors=errors)
                return
            ack()
            acked = True
            if vendor is None:
                pending = {
                    "f": {
                        "t": form.title,
                        "s": form.standard,
                        "a": form.assignee_id,
                        "d": form.due.isoformat() if form.due else None,
                    }
                }
                requester = replace(requester, channel_id=form.channel_id)
                question = self.ask_before_registering(
                    requester, form.channel_id, form.title, pending
                )
                client.chat_postMessage(channel=user_id, **question)
                return
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
