"""The `/delegate` form (a modal): checked field by field while it is still open, then the
task is logged (or, for a channel that is not a vendor yet, asked about privately first)."""

from __future__ import annotations

from dataclasses import replace

from bot import blocks, delegation, permissions, vendor_registry
from bot.deps import Deps
from bot.errors import UsageError
from handlers.acting import check_can_be_vendor, is_outside, join_channel
from handlers.forms import read_delegate_form
from handlers.listening import FormCall, Listeners, form_listener
from handlers.payloads import Requester
from handlers.task_creation import TaskCreation, workspace_of
from storage.database import run_transaction
from storage.models import Vendor


class DelegateFormListeners(Listeners):
    def __init__(self, deps: Deps, creation: TaskCreation) -> None:
        super().__init__(deps)
        self.creation = creation

    @form_listener(blocks.DELEGATE_MODAL, field=blocks.FIELD_TITLE)
    def on_form_submitted(self, sent: FormCall) -> None:
        submitted, answer, client, logger = sent.form, sent.answer, sent.client, sent.logger
        user_id = submitted.user_id
        requester = Requester(submitted.team_id, user_id, "")
        form, errors = read_delegate_form(submitted.form)
        # The form is only opened by /delegate, but a forged submission must not get
        # around the rules the command follows.
        if is_outside(self.deps, client, submitted):
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
                        workspace_of(self.deps, requester.team_id).admins,
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
                    check_can_be_vendor(self.deps, client, requester, form.channel_id)
                else:
                    channel_name = join_channel(self.deps, client, requester, form.channel_id)
            except UsageError as error:
                errors[blocks.FIELD_VENDOR] = error.message
        if form is None or errors:
            answer.show_errors(errors)
            return
        answer.accept()
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
            question = self.creation.ask_before_registering(
                requester, form.channel_id, form.title, pending
            )
            client.chat_postMessage(channel=user_id, **question)
            return
        reply = self.creation.log_task(requester, client, logger, form, channel_name)
        client.chat_postMessage(channel=user_id, **reply)
