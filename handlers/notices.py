"""What listeners send besides their direct answers, shared by several feature modules:
private refusals, check-in messages rebuilt in place, and the owner's direct messages about a
finished task (review it, rate it).

Every send here is best effort: the database change it follows is already committed, so a
Slack failure is logged, never turned into an error for the person who acted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks, checkin_updates
from bot.deps import Deps
from bot.reviews import TaskMarkedDone
from handlers.payloads import Click
from handlers.replies import answering_errors
from storage import reviews as review_store
from storage.database import run_transaction
from storage.models import Task, Vendor

# How often a check-in is rebuilt when other answers land while it is being updated.
MAX_REFRESHES = 3


SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def tell_privately(
    client: WebClient,
    channel_id: str,
    user_id: str,
    text: str,
    logger: logging.Logger,
    thread_ts: str | None = None,
) -> None:
    """An ephemeral message where the person is; a direct message if that fails."""
    if not SLACK_USER_ID.fullmatch(user_id):
        # A payload without a (real) user: nobody to tell. A forged "user" that is a
        # channel id must not turn the DM fallback into a post in that channel.
        logger.warning("no user to tell: %s", text)
        return
    message = blocks.problem_reply(text)
    if channel_id:
        try:
            client.chat_postEphemeral(
                channel=channel_id, user=user_id, thread_ts=thread_ts, **message
            )
            return
        except SlackApiError as error:
            logger.info("ephemeral refused (%s); sending a DM", error.response.get("error"))
    client.chat_postMessage(channel=user_id, **message)


@contextmanager
def answering_clicker(
    client: WebClient, click: Click, logger: logging.Logger, respond: Respond | None = None
) -> Iterator[None]:
    """The error boundary of a button click: whatever goes wrong is told to the clicker
    alone (handlers.replies.answering_errors, answered with `tell_privately`, or through
    the click's response_url when `respond` is given: a reply to a private message)."""

    def tell_clicker(text: str) -> None:
        if respond is not None:
            respond(replace_original=False, response_type="ephemeral", **blocks.problem_reply(text))
        else:
            tell_privately(client, click.channel_id, click.user_id, text, logger)

    with answering_errors(tell_clicker, logger):
        yield


class FormAnswer:
    """The one answer a form submission gets (see `answering_form`)."""

    def __init__(
        self, ack: Ack, client: WebClient, user_id: str, field: str, logger: logging.Logger
    ) -> None:
        self._ack, self._client, self._logger = ack, client, logger
        self.user_id = user_id
        self.field = field
        self.acked = False
        # Where the person is, once known: a problem after the ack is told there, else by DM.
        self.channel_id = ""

    def show_errors(self, errors: dict[str, str]) -> None:
        """Keep the form open with a message under each field."""
        self._ack(response_action="errors", errors=errors)
        self.acked = True

    def accept(self) -> None:
        """Close the form; what follows is answered by message."""
        self._ack()
        self.acked = True

    def tell(self, text: str) -> None:
        # Before the ack the form is still open: show the problem in it, so nothing typed is
        # lost; after the ack the form is gone, so say it privately.
        if not self.acked:
            self.show_errors({self.field: text[:150]})
        else:
            tell_privately(self._client, self.channel_id, self.user_id, text, self._logger)


@contextmanager
def answering_form(
    ack: Ack, client: WebClient, user_id: str, field: str, logger: logging.Logger
) -> Iterator[FormAnswer]:
    """The error boundary of a form submission: it acks with errors (a problem shown under
    `field`) or acks and answers later; a problem after the ack goes privately to the
    person who sent it."""
    answer = FormAnswer(ack, client, user_id, field, logger)
    with answering_errors(answer.tell, logger):
        yield answer


def refresh_checkin(deps: Deps, client: WebClient, post_id: int, logger: logging.Logger) -> None:
    """Rebuild the check-in message from the database and update it in place.

    Two answers can land together: if ours read the database before the other was
    committed, and Slack applied our chat.update last, the message would show a stale
    state. Reading again after the update and repeating while the text still changes
    means whoever updates last shows everything committed so far.
    """
    now = deps.clock()
    shown: blocks.Message | None = None
    for _ in range(MAX_REFRESHES):
        snapshot = run_transaction(
            deps.engine, lambda session: checkin_updates.checkin_snapshot(session, post_id, now)
        )
        if snapshot is None:
            return
        message = blocks.checkin_message(
            snapshot.vendor,
            post_id,
            snapshot.rows,
            snapshot.today,
            away=snapshot.away,
            has_questions=snapshot.has_questions,
            answered_questions=snapshot.answered_questions,
        )
        if message == shown:
            return
        try:
            client.chat_update(
                channel=snapshot.post.channel_id, ts=str(snapshot.post.message_ts), **message
            )
        except SlackApiError as error:
            # The answer is saved; the message catches up with the next change.
            logger.warning("could not update a check-in: %s", error.response.get("error"))
            return
        shown = message


def refresh_checkin_of_task(
    deps: Deps,
    client: WebClient,
    task_id: int,
    logger: logging.Logger,
    *,
    unless: int | None = None,
) -> None:
    """Show a task's new state in the newest check-in that lists it, if any (and if it is
    not `unless`, a check-in the caller has refreshed already)."""
    post_id = run_transaction(
        deps.engine, lambda session: review_store.latest_checkin_asking_about(session, task_id)
    )
    if post_id is not None and post_id != unless:
        refresh_checkin(deps, client, post_id, logger)


def post_in_task_thread(
    client: WebClient, task: Task, vendor: Vendor, message: blocks.Message, logger: logging.Logger
) -> bool:
    """Post in the task's announcement thread in the vendor channel (top level without one).

    False when Slack refused (the bot was removed, the channel archived).
    """
    try:
        client.chat_postMessage(
            channel=vendor.channel_id, thread_ts=task.announcement_ts or None, **message
        )
    except SlackApiError as error:
        logger.warning("could not post in a vendor channel: %s", error.response.get("error"))
        return False
    return True


def send_to_owner(
    client: WebClient, task: Task, message: blocks.Message, logger: logging.Logger
) -> None:
    try:
        client.chat_postMessage(channel=task.owner_id, **message)
    except SlackApiError as error:
        logger.warning("could not tell a task owner: %s", error.response.get("error"))


def tell_owner_about_done(client: WebClient, done: TaskMarkedDone, logger: logging.Logger) -> None:
    """After a "Done": the owner reviews a delivery, or rates a task now closed."""
    if done.owner_reviews and done.delivery is not None:
        message = blocks.delivery_review_message(done.task, done.vendor, done.delivery)
        send_to_owner(client, done.task, message, logger)
    if done.owner_rates:
        send_to_owner(client, done.task, blocks.rating_prompt(done.task, done.vendor), logger)
