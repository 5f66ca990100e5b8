"""The owner's review of a delivery (Accept / Request changes) and the rating form.

Clicks ack first; form submissions ack once the form is validated, showing problems in the
form itself. The work goes through `bot.reviews` in one transaction; the review message and
the rating prompt are then updated in place, from the database.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks, people, reviews
from bot.deps import Deps
from bot.reviews import AlreadyReviewed, MessageRef, Review
from handlers import notices
from handlers.forms import read_rating_form
from handlers.listening import click_listener, form_listener
from handlers.payloads import Click, FormSubmission
from storage.database import run_transaction, transaction


def register(app: App, deps: Deps) -> None:
    listeners = ReviewListeners(deps)
    app.action(blocks.REVIEW_ACCEPT_ACTION)(listeners.on_accept)
    app.action(blocks.REVIEW_CHANGES_ACTION)(listeners.on_request_changes)
    app.view(blocks.REVIEW_CHANGES_MODAL)(listeners.on_changes_submitted)
    app.action(blocks.RATE_TASK_ACTION)(listeners.on_rate)
    app.view(blocks.RATING_MODAL)(listeners.on_rating_submitted)


class ReviewListeners:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    # ------------------------------------------------------------------ Accept

    @click_listener
    def on_accept(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        delivery_id = reviews.read_id(click.value, reviews.UNKNOWN_DELIVERY)
        try:
            review = run_transaction(
                self.deps.engine,
                lambda session: reviews.accept_delivery(
                    session,
                    team_id=click.team_id,
                    delivery_id=delivery_id,
                    user_id=click.user_id,
                    now=self.deps.clock(),
                ),
            )
        except AlreadyReviewed as already:
            self.show_review(client, already.review, click.message, logger)
            raise
        self.show_review(client, review, click.message, logger)
        if review.task.announcement_ts:  # as `/delegate done` does: in the task's thread
            accepted = blocks.task_changed_notice(review.task, click.user_id, "accepted")
            notices.post_in_task_thread(client, review.task, review.vendor, accepted, logger)
        notices.refresh_checkin_of_task(self.deps, client, review.task.saved_id, logger)
        prompt = blocks.rating_prompt(review.task, review.vendor)
        notices.send_to_owner(client, review.task, prompt, logger)

    # ------------------------------------------------------------------ Request changes

    @click_listener
    def on_request_changes(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        delivery_id = reviews.read_id(click.value, reviews.UNKNOWN_DELIVERY)
        try:
            review = run_transaction(
                self.deps.engine,
                lambda session: reviews.check_can_review(
                    session,
                    team_id=click.team_id,
                    delivery_id=delivery_id,
                    user_id=click.user_id,
                ),
            )
        except AlreadyReviewed as already:
            self.show_review(client, already.review, click.message, logger)
            raise
        where = click.message
        metadata = blocks.message_metadata(
            delivery_id, where.channel_id if where else None, where.ts if where else None
        )
        # The trigger_id is good for 3 seconds: nothing slow comes before this.
        client.views_open(
            trigger_id=click.trigger_id, view=blocks.changes_modal(review.task, metadata)
        )

    @form_listener(blocks.FIELD_CHANGES)
    def on_changes_submitted(
        self,
        form: FormSubmission,
        answer: notices.FormAnswer,
        client: WebClient,
        logger: logging.Logger,
    ) -> None:
        user_id, team_id = form.user_id, form.team_id
        # Modal text arrives as typed (not Slack-escaped); bot.blocks escapes it on output.
        note = form.form.element(blocks.FIELD_CHANGES).value
        delivery_id, where = reviews.read_form_metadata(form.metadata, reviews.UNKNOWN_DELIVERY)
        note = reviews.clean_change_request(note)
        run_transaction(
            self.deps.engine,
            lambda session: reviews.check_can_review(
                session, team_id=team_id, delivery_id=delivery_id, user_id=user_id
            ),
        )
        answer.accept()
        review = run_transaction(
            self.deps.engine,
            lambda session: reviews.request_changes(
                session,
                team_id=team_id,
                delivery_id=delivery_id,
                user_id=user_id,
                note=note,
                now=self.deps.clock(),
            ),
        )
        self.show_review(client, review, where, logger)
        request = blocks.changes_requested_notice(review.task, review.delivery)
        if not notices.post_in_task_thread(client, review.task, review.vendor, request, logger):
            notices.send_to_owner(
                client,
                review.task,
                blocks.problem_reply(
                    f"Task #{review.task.id} is open again, but I couldn't post your request "
                    f"in {blocks.channel_link(review.vendor.channel_id)}; please tell them "
                    "there yourself."
                ),
                logger,
            )
        notices.refresh_checkin_of_task(self.deps, client, review.task.saved_id, logger)

    def show_review(
        self, client: WebClient, review: Review, where: MessageRef | None, logger: logging.Logger
    ) -> None:
        """Update the review message in place: the decision replaces the buttons."""
        if where is None:
            return
        message = blocks.delivery_review_message(review.task, review.vendor, review.delivery)
        try:
            client.chat_update(channel=where.channel_id, ts=where.ts, **message)
        except SlackApiError as error:
            logger.warning("could not update a review message: %s", error.response.get("error"))

    # ------------------------------------------------------------------ rating

    @click_listener
    def on_rate(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        task_id = reviews.read_id(click.value, reviews.UNKNOWN_TASK)
        outside = people.is_outside_user(
            client,
            click.user_id,
            click.team_id,
            payload_team_id=click.user_team_id,
            cache=self.deps.slack_facts,
        )
        with transaction(self.deps.engine) as session:  # reads only: nothing to retry
            row = reviews.check_can_rate(
                session,
                team_id=click.team_id,
                task_id=task_id,
                user_id=click.user_id,
                user_is_outside=outside,
            )
            rated = reviews.existing_rating(session, task_id)
        where = click.message
        metadata = blocks.message_metadata(
            task_id, where.channel_id if where else None, where.ts if where else None
        )
        client.views_open(
            trigger_id=click.trigger_id, view=blocks.rating_modal(row.task, metadata, rated)
        )

    @form_listener(blocks.RATING_FIELDS[0][0])
    def on_rating_submitted(
        self,
        form: FormSubmission,
        answer: notices.FormAnswer,
        client: WebClient,
        logger: logging.Logger,
    ) -> None:
        user_id, team_id = form.user_id, form.team_id
        rating, errors = read_rating_form(form.form)
        if rating is None:
            answer.show_errors(errors)
            return
        task_id, where = reviews.read_form_metadata(form.metadata, reviews.UNKNOWN_TASK)
        outside = people.is_outside_user(
            client, user_id, team_id, payload_team_id=form.user.team_id, cache=self.deps.slack_facts
        )
        asked: dict[str, Any] = {
            "team_id": team_id,
            "task_id": task_id,
            "user_id": user_id,
            "user_is_outside": outside,
        }
        run_transaction(self.deps.engine, lambda session: reviews.check_can_rate(session, **asked))
        answer.accept()
        row, feedback = run_transaction(
            self.deps.engine,
            lambda session: reviews.rate_task(
                session, rating=rating, now=self.deps.clock(), **asked
            ),
        )
        prompt = blocks.rating_prompt(row.task, row.vendor, feedback)
        if where is None:
            client.chat_postMessage(channel=user_id, **prompt)
            return
        try:
            client.chat_update(channel=where.channel_id, ts=where.ts, **prompt)
        except SlackApiError as error:
            logger.warning("could not update a rating prompt: %s", error.response.get("error"))
