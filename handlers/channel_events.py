"""Channel events that make a vendor channel unusable: the bot removed, archived, unshared.

The vendor is paused with the reason, and whoever added it hears about it once by direct
message. Events are acked first; retries and repeats find the vendor already paused for that
reason and change nothing (bot.channel_changes).
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks
from bot.channel_changes import CHANNEL_EVENTS, pause_vendor_for_channel_change
from bot.deps import Deps
from handlers.listening import event_listener
from handlers.payloads import EventCallback, read_channel_change
from handlers.replies import answering_errors
from storage.database import run_transaction


def register(app: App, deps: Deps) -> None:
    listeners = ChannelEventListeners(deps)
    for event_type in CHANNEL_EVENTS:
        app.event(event_type)(listeners.on_channel_change)


class ChannelEventListeners:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    @event_listener
    def on_channel_change(
        self,
        callback: EventCallback,
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        change = read_channel_change(callback.event, context.bot_user_id)
        if change is None:
            return

        def log_problem(text: str) -> None:
            # Nobody asked for this: there is no one to answer, only the log.
            logger.warning("could not pause a vendor after a channel change: %s", text)

        with answering_errors(log_problem, logger):
            vendor = run_transaction(
                self.deps.engine,
                lambda session: pause_vendor_for_channel_change(
                    session, team_id=callback.team_id, change=change, now=self.deps.clock()
                ),
            )
            if vendor is None:
                return  # not a vendor channel, or already paused for this reason
            try:
                client.chat_postMessage(
                    channel=vendor.added_by, **blocks.vendor_paused_notice(vendor, change.reason)
                )
            except SlackApiError as error:
                logger.warning("could not tell who added a vendor: %s", error.response.get("error"))
