"""The trial prompt's buttons: Keep, Extend 2 weeks, End.

Clicks ack first; the decision goes through `bot.lifecycle` in one transaction, then the
prompt is updated in place from the database (the decision replaces the buttons). A second
click says what was decided and by whom, privately, and changes nothing.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks, lifecycle, people, permissions, workspace_settings
from bot.deps import Deps
from bot.errors import UsageError
from bot.lifecycle import AlreadyDecided, TrialDecided
from bot.reviews import MessageRef
from handlers.listening import click_listener
from handlers.payloads import Click
from storage.database import run_transaction


def register(app: App, deps: Deps) -> None:
    listeners = LifecycleListeners(deps)
    for action_id in blocks.TRIAL_ACTIONS:
        app.action(action_id)(listeners.on_trial_decision)


class LifecycleListeners:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    @click_listener
    def on_trial_decision(self, click: Click, client: WebClient, logger: logging.Logger) -> None:
        decision = blocks.TRIAL_ACTIONS.get(click.action.action_id)
        if decision is None:
            raise UsageError(lifecycle.UNKNOWN_TRIAL)
        if people.is_outside_user(
            client,
            click.user_id,
            click.team_id,
            payload_team_id=click.user_team_id,
            cache=self.deps.slack_facts,
        ):
            raise UsageError(permissions.OUTSIDE_REFUSAL)
        try:
            decided = run_transaction(
                self.deps.engine,
                lambda session: lifecycle.decide_trial(
                    session,
                    team_id=click.team_id,
                    value=click.value,
                    decision=decision,
                    user_id=click.user_id,
                    admins=workspace_settings.load(
                        session, self.deps.settings, click.team_id
                    ).admins,
                    now=self.deps.clock(),
                ),
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
