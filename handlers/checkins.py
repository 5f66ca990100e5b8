"""Answers to check-ins: the status buttons, the note form, replies in a check-in's thread,
and replies in a feedback prompt's thread (the one message listener routes both).

Each listener acks first (view submissions once the form is validated), then reads the
payload, calls `bot.checkin_updates` in one transaction, and tells Slack: the check-in
message is rebuilt from the database in place, owners hear about trouble by direct message.
A vendor contact's "Done" delivers the task, and its owner gets a review message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import (
    blocks,
    checkin_updates,
    people,
    reviews,
    slack_channels,
    task_questions,
)
from bot.checkin_replies import MAX_NOTE_LENGTH, ThreadMessage, parse_reply
from bot.checkin_updates import ALERT_STATUSES, StatusRecorded, TaskAlreadyClosed, read_button
from bot.errors import DuplicateDelivery, UsageError
from bot.slack_text import readable_text
from handlers import notices
from handlers.acting import admins_of, as_user, in_transaction, is_outside
from handlers.listening import (
    EventCall,
    FormCall,
    Listeners,
    click_listener,
    event_listener,
    form_listener,
)
from handlers.payloads import Click, read_thread_reply
from handlers.replies import answering_errors
from storage import updates
from storage.database import run_transaction
from storage.models import TaskUpdate

T = TypeVar("T")


class CheckinListeners(Listeners):
    # ------------------------------------------------------------------ buttons

    @click_listener(re.compile("^" + re.escape(blocks.CHECKIN_ACTION_PREFIX)))
    def on_status_button(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        button, status = read_button(
            click.action.action_id,
            click.value,
            click.action.block_id,
            blocks.CHECKIN_ACTION_PREFIX,
        )
        # Only "Done" depends on who clicked; the payload says the clicker's own team.
        outside = status == TaskUpdate.DONE and is_outside(self.deps, client, click)
        try:
            recorded = self.record_click(
                click,
                checkin_updates.record_button_status,
                button=button,
                status=status,
                user_is_outside=outside,
                with_admins=True,
            )
        except TaskAlreadyClosed as closed:
            # Drop its stale buttons.
            notices.refresh_checkin(self.deps, client, closed.post_id, logger)
            raise
        if status in ALERT_STATUSES:
            # First: the click's trigger_id is only good for 3 seconds.
            self.open_note_form(client, click.trigger_id, recorded, logger)
        self.tell_about(client, recorded, logger)

    @click_listener(blocks.ALL_ON_TRACK_ACTION)
    def on_all_on_track(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        recorded = self.record_click(click, checkin_updates.record_all_on_track, value=click.value)
        # One refresh shows them all; "on track" needs no word to the owner.
        self.tell_about(client, recorded[0], logger)

    def record_click(self, click: Click, work: Callable[..., T], **fields: Any) -> T:
        """`work` for a click on a check-in, which the clicked message names."""
        return as_user(
            self.deps,
            click,
            work,
            channel_id=click.channel_id,
            message_ts=click.message_ts,
            **fields,
        )

    def open_note_form(
        self, client: WebClient, trigger_id: str, recorded: StatusRecorded, logger: logging.Logger
    ) -> None:
        view = blocks.status_note_modal(
            recorded.task, TaskUpdate(recorded.update.status), recorded.update.saved_id
        )
        try:
            client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as error:
            # The status is saved either way; only the chance to add a note is lost.
            logger.warning("could not open the note form: %s", error.response.get("error"))

    # ------------------------------------------------------------------ note form

    @form_listener(blocks.CHECKIN_NOTE_MODAL, field=blocks.FIELD_NOTE)
    def on_note_submitted(self, sent: FormCall) -> None:
        form = sent.form
        # Modal text arrives as typed (not Slack-escaped); bot.blocks escapes it on output.
        note = form.form.element(blocks.FIELD_NOTE).value.strip()
        update_id = _update_id(form.metadata)
        if len(note) > MAX_NOTE_LENGTH:
            raise UsageError(f"Keep the note under {MAX_NOTE_LENGTH} characters.")
        in_transaction(
            self.deps,
            checkin_updates.check_note_author,
            team_id=form.team_id,
            update_id=update_id,
            user_id=form.user_id,
        )
        sent.answer.accept()
        if not note:
            return  # the note is optional; the status was saved by the click
        recorded = as_user(
            self.deps, form, checkin_updates.add_status_note, update_id=update_id, note=note
        )
        notices.refresh_checkin(self.deps, sent.client, recorded.post.saved_id, sent.logger)
        if recorded.owner_should_hear:
            self.alert_owner(sent.client, recorded, sent.logger, note_only=True)

    # ------------------------------------------------------------------ thread replies

    # Every message event (Bolt runs the first matching listener only, so this is the one
    # place that sees them); read_thread_reply keeps people's thread replies, which go to
    # a check-in or to a feedback prompt, by their thread.
    @event_listener("message")
    def on_message(self, call: EventCall) -> None:
        callback, client, logger = call.callback, call.client, call.logger
        reply = read_thread_reply(callback.event, call.context.bot_user_id)
        if reply is None:
            return
        said = parse_reply(readable_text(reply.text))
        addressed_to_bot = said.addressed_to_bot
        team_id = callback.team_id

        def tell_author(text: str) -> None:
            # Only a reply that spoke to the bot (`#12 done`, `#12 blokced`) gets an answer; other
            # messages in a thread are people talking to each other.
            if addressed_to_bot:
                notices.tell_privately(
                    client, reply.channel_id, reply.user_id, text, logger, reply.thread_ts
                )
            else:
                logger.warning("could not store a thread reply: %s", text)

        with answering_errors(tell_author, logger):
            # An event carries the channel's team, not the author's: ask Slack (cached).
            outside = any(
                item.status == TaskUpdate.DONE for item in said.statuses
            ) and people.is_outside_user(
                client, reply.user_id, team_id, cache=self.deps.slack_facts
            )
            now = self.deps.clock()

            def store(session: Session) -> checkin_updates.ThreadReply | str | None:
                stored = checkin_updates.record_thread_reply(
                    session,
                    team_id,
                    reply,
                    event_id=callback.event_id,
                    user_is_outside=outside,
                    now=now,
                    admins=admins_of(self.deps, session, team_id),
                )
                if stored is not None:
                    return stored
                # Not a check-in's thread: a feedback prompt's? Else perhaps a task's.
                feedback = reviews.record_vendor_feedback(
                    session, team_id, reply, event_id=callback.event_id, now=now
                )
                return _ELSEWHERE if feedback is None else None

            try:
                stored = run_transaction(self.deps.engine, store)
            except DuplicateDelivery:
                # Slack redelivers an event it thinks we missed (X-Slack-Retry-Num).
                logger.info("thread reply already stored; ignoring a repeated delivery")
                return
            if stored == _ELSEWHERE:  # perhaps a task's thread: a question, or its answer
                self.on_task_thread_reply(client, reply, team_id)
                return
            if stored is None or isinstance(stored, str):
                return  # vendor feedback is only kept
            if stored.problem:
                tell_author(stored.problem)
            for recorded in stored.statuses:
                self.tell_about(client, recorded, logger)

    def on_task_thread_reply(self, client: WebClient, reply: ThreadMessage, team_id: str) -> None:
        """A reply under a task's announcement: the vendor's question is kept for the
        alignment note's "Waiting on us"; the team's reply answers the open ones."""
        where = (team_id, reply.channel_id, reply.thread_ts)
        if not in_transaction(self.deps, task_questions.needs_author, *where):
            return  # no task's thread: people talking, nothing to ask Slack about
        outside = people.is_outside_user(
            client, reply.user_id, team_id, cache=self.deps.slack_facts
        )
        in_transaction(
            self.deps,
            task_questions.record_task_reply,
            team_id,
            reply,
            user_is_outside=outside,
            now=self.deps.clock(),
        )

    # ------------------------------------------------------------------ telling people

    def tell_about(
        self, client: WebClient, recorded: StatusRecorded, logger: logging.Logger
    ) -> None:
        """A status was recorded: show it in the check-in, tell the owner what needs them.
        Given on an older check-in, it also answers the latest one that lists the task
        (storage.checkins.answers_checkin), whose "N of M answered" is refreshed too."""
        notices.refresh_checkin(self.deps, client, recorded.post.saved_id, logger)
        notices.refresh_checkin_of_task(
            self.deps, client, recorded.task.saved_id, logger, unless=recorded.post.id
        )
        if recorded.owner_should_hear:
            self.alert_owner(client, recorded, logger)
        if recorded.done is not None:
            notices.tell_owner_about_done(client, recorded.done, logger)

    def alert_owner(
        self,
        client: WebClient,
        recorded: StatusRecorded,
        logger: logging.Logger,
        note_only: bool = False,
    ) -> None:
        """Tell the task's owner by direct message, with a link to the check-in."""
        post, update = recorded.post, recorded.update
        permalink = slack_channels.permalink(client, post.channel_id, post.message_ts)
        # One direct message per status event: a note added after the click updates the
        # message the click sent, when we know it; without one it is a note alert of its own.
        sent = (update.owner_alert or "").split(":", 1) if note_only else []
        alert = (
            blocks.owner_note_alert if note_only and len(sent) != 2 else blocks.owner_status_alert
        )
        message = alert(
            recorded.task,
            recorded.vendor,
            TaskUpdate(update.status),
            update.user_id,
            update.note,
            permalink,
        )
        try:
            if len(sent) == 2:
                client.chat_update(channel=sent[0], ts=sent[1], **message)
                return
            posted = client.chat_postMessage(channel=recorded.task.owner_id, **message)
        except SlackApiError as error:
            logger.warning("could not tell a task owner: %s", error.response.get("error"))
            return
        reference = f"{posted.get('channel')}:{posted.get('ts')}"
        if not note_only and update.id is not None and posted.get("ts"):
            in_transaction(self.deps, updates.set_owner_alert, update.id, reference)


_ELSEWHERE = "elsewhere"  # a thread reply that is neither a check-in's nor a feedback prompt's


def _update_id(private_metadata: str) -> int:
    if not re.fullmatch(r"[0-9]{1,12}", private_metadata):
        raise UsageError("I couldn't find the update this note belongs to; nothing changed.")
    return int(private_metadata)
