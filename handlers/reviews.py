"""The owner's review of a delivery (Accept / Request changes) and the rating form.

Clicks ack first; form submissions ack once the form is validated, showing problems in the
form itself. The work goes through `bot.reviews` in one transaction; the review message and
the rating prompt are then updated in place, from the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks, reviews
from bot.reviews import AlreadyReviewed, MessageRef, Review
from handlers import notices
from handlers.acting import in_transaction, is_outside
from handlers.forms import read_rating_form
from handlers.listening import FormCall, Listeners, click_listener, form_listener
from handlers.payloads import Click
from storage.database import transaction


class ReviewListeners(Listeners):
    # ------------------------------------------------------------------ Accept

    @click_listener(blocks.REVIEW_ACCEPT_ACTION)
    def on_accept(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        _, review = self.review_clicked(
            click, client, logger, reviews.accept_delivery, now=self.deps.clock()
        )
        self.show_review(client, review, click.message, logger)
        if review.task.announcement_ts:  # as `/delegate done` does: in the task's thread
            accepted = blocks.task_changed_notice(review.task, click.user_id, "accepted")
            notices.post_in_task_thread(client, review.task, review.vendor, accepted, logger)
        notices.refresh_checkin_of_task(self.deps, client, review.task.saved_id, logger)
        prompt = blocks.rating_prompt(review.task, review.vendor)
        notices.send_to_owner(client, review.task, prompt, logger)

    # ------------------------------------------------------------------ Request changes

    @click_listener(blocks.REVIEW_CHANGES_ACTION)
    def on_request_changes(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        delivery_id, review = self.review_clicked(click, client, logger, reviews.check_can_review)
        metadata = _metadata(delivery_id, click)
        # The trigger_id is good for 3 seconds: nothing slow comes before this.
        client.views_open(
            trigger_id=click.trigger_id, view=blocks.changes_modal(review.task, metadata)
        )

    def review_clicked(
        self,
        click: Click,
        client: WebClient,
        logger: logging.Logger,
        work: Callable[..., Review],
        **fields: Any,
    ) -> tuple[int, Review]:
        """`work` on the delivery of the review message clicked; a delivery already
        reviewed is shown as it was decided (and the clicker told so)."""
        delivery_id = reviews.read_id(click.value, reviews.UNKNOWN_DELIVERY)
        try:
            review = in_transaction(
                self.deps,
                work,
                team_id=click.team_id,
                delivery_id=delivery_id,
                user_id=click.user_id,
                **fields,
            )
        except AlreadyReviewed as already:
            self.show_review(client, already.review, click.message, logger)
            raise
        return delivery_id, review

    @form_listener(blocks.REVIEW_CHANGES_MODAL, field=blocks.FIELD_CHANGES)
    def on_changes_submitted(self, sent: FormCall) -> None:
        form, client, logger = sent.form, sent.client, sent.logger
        # Modal text arrives as typed (not Slack-escaped); bot.blocks escapes it on output.
        note = form.form.element(blocks.FIELD_CHANGES).value
        delivery_id, where = reviews.read_form_metadata(form.metadata, reviews.UNKNOWN_DELIVERY)
        note = reviews.clean_change_request(note)
        asked: dict[str, Any] = {
            "team_id": form.team_id,
            "delivery_id": delivery_id,
            "user_id": form.user_id,
        }
        in_transaction(self.deps, reviews.check_can_review, **asked)
        sent.answer.accept()
        review = in_transaction(
            self.deps, reviews.request_changes, note=note, now=self.deps.clock(), **asked
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

    @click_listener(blocks.RATE_TASK_ACTION)
    def on_rate(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        task_id = reviews.read_id(click.value, reviews.UNKNOWN_TASK)
        outside = is_outside(self.deps, client, click)
        with transaction(self.deps.engine) as session:  # reads only: nothing to retry
            row = reviews.check_can_rate(
                session,
                team_id=click.team_id,
                task_id=task_id,
                user_id=click.user_id,
                user_is_outside=outside,
            )
            rated = reviews.existing_rating(session, task_id)
        metadata = _metadata(task_id, click)
        client.views_open(
            trigger_id=click.trigger_id, view=blocks.rating_modal(row.task, metadata, rated)
        )

    @form_listener(blocks.RATING_MODAL, field=blocks.RATING_FIELDS[0][0])
    def on_rating_submitted(self, sent: FormCall) -> None:
        form, client = sent.form, sent.client
        rating, errors = read_rating_form(form.form)
        if rating is None:
            sent.answer.show_errors(errors)
            return
        task_id, where = reviews.read_form_metadata(form.metadata, reviews.UNKNOWN_TASK)
        asked: dict[str, Any] = {
            "team_id": form.team_id,
            "task_id": task_id,
            "user_id": form.user_id,
            "user_is_outside": is_outside(self.deps, client, form),
        }
        in_transaction(self.deps, reviews.check_can_rate, **asked)
        sent.answer.accept()
        row, feedback = in_transaction(
            self.deps, reviews.rate_task, rating=rating, now=self.deps.clock(), **asked
        )
        prompt = blocks.rating_prompt(row.task, row.vendor, feedback)
        if where is None:
            client.chat_postMessage(channel=form.user_id, **prompt)
            return
        try:
            client.chat_update(channel=where.channel_id, ts=where.ts, **prompt)
        except SlackApiError as error:
            sent.logger.warning("could not update a rating prompt: %s", error.response.get("error"))


def _metadata(item_id: int, click: Click) -> str:
    """The form's private_metadata: the item and the clicked message, to update it after."""
    where = click.message
    return blocks.message_metadata(
        item_id, where.channel_id if where else None, where.ts if where else None
    )
