"""The trial prompt's buttons: Keep, Extend 2 weeks, End.

Clicks ack first; the decision goes through `bot.lifecycle` in one transaction, then the
prompt is updated in place from the database (the decision replaces the buttons). A second
click says what was decided and by whom, privately, and changes nothing.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks, lifecycle, permissions
from bot.errors import UsageError
from bot.lifecycle import AlreadyDecided, TrialDecided
from bot.reviews import MessageRef
from handlers.acting import as_user, is_outside
from handlers.listening import Listeners, click_listener
from handlers.payloads import Click


class LifecycleListeners(Listeners):
    @click_listener(*blocks.TRIAL_ACTIONS)
    def on_trial_decision(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        decision = blocks.TRIAL_ACTIONS.get(click.action.action_id)
        if decision is None:
            raise UsageError(lifecycle.UNKNOWN_TRIAL)
        if is_outside(self.deps, client, click):
            raise UsageError(permissions.OUTSIDE_REFUSAL)
        try:
            decided = as_user(
                self.deps,
                click,
                lifecycle.decide_trial,
                value=click.value,
                decision=decision,
                with_admins=True,
            )
        except AlreadyDecided as already:
            show_trial(client, already.decided, click.message, logger)
            raise
        show_trial(client, decided, click.message, logger)


def show_trial(
    client: WebClient, decided: TrialDecided, where: MessageRef | None, logger: logging.Logger
) -> None:
    """Update the trial prompt in place: the decision replaces the buttons."""
    if where is None:
        return
    try:
        client.chat_update(
            channel=where.channel_id, ts=where.ts, **blocks.trial_prompt_message(decided.card)
        )
    except SlackApiError as error:
        logger.warning("could not update a trial prompt: %s", error.response.get("error"))
