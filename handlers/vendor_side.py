"""The vendor's side of a check-in: its menu (Nothing new today, Away…), the Away… form,
and the Answer button and form with the team's own questions.

Every press and every form checks who it came from (bot.checkin_menu: the team, or a
contact of that vendor) before anything is read or written; a refusal is a private
message, and nothing changes. Vendors in a Slack Connect channel cannot use the slash
command, so these are their only way to say "nothing new" or "I'm away".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import (
    absences,
    blocks,
    checkin_menu,
    checkin_questions,
    permissions,
)
from bot.blocks import vendor_side as vendor_blocks
from bot.checkin_updates import NOT_THIS_CHANNEL
from bot.deps import Deps
from bot.errors import UsageError
from bot.schedule_rules import vendor_today
from handlers import notices
from handlers.acting import as_actor, by_user, is_outside
from handlers.forms import read_away_form
from handlers.listening import FormCall, Listeners, click_listener, form_listener
from handlers.payloads import Click, FormSubmission
from handlers.task_creation import workspace_of
from storage.database import run_transaction, transaction
from storage.models import ScheduledPost, Vendor

MAX_MEMBER_PAGES = 10


def channel_membership(client: WebClient, user_id: str) -> Callable[[str], bool]:
    """Asks Slack whether `user_id` is in a channel (conversations.members, a few pages);
    when Slack cannot say, the answer is no: the person is refused, nothing is written."""

    def is_member(channel_id: str) -> bool:
        cursor: str | None = None
        try:
            for _ in range(MAX_MEMBER_PAGES):
                page = client.conversations_members(channel=channel_id, cursor=cursor, limit=200)
                if user_id in (page.get("members") or []):
                    return True
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    return False
        except (SlackApiError, OSError):
            return False
        return False

    return is_member


class VendorSideListeners(Listeners):
    @click_listener(vendor_blocks.CHECKIN_MENU_ACTION)
    def on_menu(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        choice = checkin_menu.read_choice(click.selected_value)
        if choice.choice not in (checkin_menu.NOTHING_NEW, checkin_menu.AWAY):
            raise UsageError("I couldn't read that menu; nothing changed.")
        who = _Presser(self.deps, client, click)
        now = self.deps.clock()
        with transaction(self.deps.engine) as session:
            post, vendor = who.checkin(session, choice.post_id, click.channel_id)
            if click.message_ts is not None and click.message_ts != post.message_ts:
                raise UsageError(NOT_THIS_CHANNEL)
            if choice.choice == checkin_menu.NOTHING_NEW:
                said = checkin_menu.record_nothing_new(session, post, vendor, click.user_id, now)
            today = vendor_today(vendor, now)
        if choice.choice == checkin_menu.AWAY:
            view = vendor_blocks.away_modal(post.saved_id, vendor.name, today)
            client.views_open(trigger_id=click.trigger_id, view=view)
            return
        notices.refresh_checkin(self.deps, client, post.saved_id, logger)
        text = vendor_blocks.nothing_new_text(said.answered)
        confirm(client, click.channel_id, click.user_id, text, logger)

    @form_listener(vendor_blocks.AWAY_MODAL, field=absences.FIELD_FIRST)
    def on_away_submitted(self, sent: FormCall) -> None:
        form, answer = sent.form, sent.answer
        post_id = _post_id(form.metadata)
        who = _Presser(self.deps, sent.client, form)
        away = read_away_form(form.form)
        now = self.deps.clock()
        with transaction(self.deps.engine) as session:
            post, vendor = who.checkin(session, post_id, None)
            answer.channel_id = vendor.channel_id
            problems = absences.check_dates(away.first, away.last, vendor_today(vendor, now))
            if problems:
                answer.show_errors(problems)
                return
            assert away.first is not None and away.last is not None  # check_dates said so
            by_user(session, who, absences.record_away, post_id=post_id, now=now, **asdict(away))
        answer.accept()
        notices.refresh_checkin(self.deps, sent.client, post.saved_id, sent.logger)
        text = vendor_blocks.away_saved_text(away.first, away.last)
        confirm(sent.client, vendor.channel_id, who.user_id, text, sent.logger)

    # ------------------------------------------------------------------ questions

    @click_listener(vendor_blocks.CHECKIN_ANSWER_ACTION)
    def on_answer_button(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        choice = checkin_menu.read_choice(click.value)
        if choice.choice != "answer":
            raise UsageError("I couldn't read that button; nothing changed.")
        who = _Presser(self.deps, client, click)
        post, vendor = run_transaction(
            self.deps.engine, lambda session: who.checkin(session, choice.post_id, click.channel_id)
        )
        questions = checkin_questions.questions_of(vendor)
        if not questions:
            raise UsageError("This check-in asks no questions any more; use the buttons.")
        view = vendor_blocks.answer_modal(post.saved_id, vendor.name, questions)
        client.views_open(trigger_id=click.trigger_id, view=view)

    @form_listener(vendor_blocks.ANSWER_MODAL, field=checkin_questions.FIELD_ANSWER.format(1))
    def on_answers_submitted(self, sent: FormCall) -> None:
        form, answer, client, logger = sent.form, sent.answer, sent.client, sent.logger
        post_id = _post_id(form.metadata)
        who = _Presser(self.deps, client, form)
        with transaction(self.deps.engine) as session:
            post, vendor = who.checkin(session, post_id, None)
            answer.channel_id = vendor.channel_id
            questions = checkin_questions.questions_of(vendor)
            fields = [
                checkin_questions.FIELD_ANSWER.format(n) for n in range(1, len(questions) + 1)
            ]
            texts = form.form.texts(fields)
            problems = checkin_questions.check_answers(texts)
            if problems:
                answer.show_errors(problems)
                return
            answered = checkin_questions.record_answers(
                session,
                post=post,
                vendor=vendor,
                user_id=who.user_id,
                questions=questions,
                texts=texts,
                now=self.deps.clock(),
            )
        answer.accept()
        notices.refresh_checkin(self.deps, client, post.saved_id, logger)
        message = vendor_blocks.answers_thread_message(who.user_id, answered.answers)
        try:
            client.chat_postMessage(channel=vendor.channel_id, thread_ts=post.message_ts, **message)
        except SlackApiError as error:
            # Stored either way: the summary and the report show them.
            logger.warning("could not post answers in a thread: %s", error.response.get("error"))

    @form_listener(vendor_blocks.QUESTIONS_MODAL, field=checkin_questions.FIELD_QUESTION.format(1))
    def on_questions_submitted(self, sent: FormCall) -> None:
        form, answer = sent.form, sent.answer
        channel_id = form.metadata
        who = _Presser(self.deps, sent.client, form)
        # The team's own setting, like `vendor set`: outsiders and, with
        # ADMIN_USER_IDS, non-admins are refused.
        if who.outside:
            raise UsageError(permissions.OUTSIDE_REFUSAL)
        admins = workspace_of(self.deps, who.team_id).admins
        if not permissions.may_administer(who.user_id, admins):
            raise UsageError(
                permissions.ADMIN_REFUSAL.format(
                    admins=", ".join(f"<@{a}>" for a in sorted(admins))
                )
            )
        fields = [
            checkin_questions.FIELD_QUESTION.format(n)
            for n in range(1, checkin_questions.MAX_QUESTIONS + 1)
        ]
        questions, problems = checkin_questions.check_questions(form.form.texts(fields))
        if problems:
            answer.show_errors(problems)
            return
        vendor = as_actor(
            self.deps,
            who,
            checkin_questions.save_questions,
            channel_id=channel_id,
            questions=questions,
        )
        answer.accept()
        text = vendor_blocks.questions_saved_text(vendor, questions)
        sent.client.chat_postMessage(channel=who.user_id, **blocks.plain_reply(text))


def confirm(
    client: WebClient, channel_id: str, user_id: str, text: str, logger: logging.Logger
) -> None:
    """A private "done" note to the person where they are (the change is saved anyway)."""
    try:
        client.chat_postEphemeral(channel=channel_id, user=user_id, **blocks.plain_reply(text))
    except SlackApiError as error:
        logger.info("could not confirm privately: %s", error.response.get("error"))


class _Presser:
    """Who pressed a check-in's button or sent one of its forms, and whether they are outside
    the installing team (asked of Slack once, before any transaction)."""

    def __init__(self, deps: Deps, client: WebClient, sent: Click | FormSubmission) -> None:
        self.client = client
        self.user_id = sent.user_id
        self.team_id = sent.team_id
        self.outside = is_outside(deps, client, sent)

    def checkin(
        self, session: Session, post_id: int, channel_id: str | None
    ) -> tuple[ScheduledPost, Vendor]:
        """The check-in and its vendor, if this person may answer it (bot.checkin_menu)."""
        return checkin_menu.checkin_for_presser(
            session,
            post_id=post_id,
            team_id=self.team_id,
            channel_id=channel_id,
            user_id=self.user_id,
            outside=self.outside,
            is_channel_member=channel_membership(self.client, self.user_id),
        )


def _post_id(private_metadata: str) -> int:
    if (
        not private_metadata.isascii()
        or not private_metadata.isdigit()
        or len(private_metadata) > 12
    ):
        raise UsageError("I couldn't find the check-in this form belongs to; nothing changed.")
    return int(private_metadata)
