"""Channel events that make a vendor channel unusable: the bot removed, archived, unshared.

The vendor is paused with the reason, and whoever added it hears about it once by direct
message. These events, and the others that change what Slack said about a channel or a user
(renames, unarchives, joins, shares, `user_change`: handlers.payloads.CHANNEL_FACT_EVENTS and
USER_FACT_EVENTS), first make the process forget what it remembered (bot.slack_facts).
Events are acked first; retries and repeats find the vendor already paused for that
reason and change nothing (bot.channel_changes).
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot import blocks
from bot.channel_changes import CHANNEL_EVENTS, pause_vendor_for_channel_change
from handlers.listening import EventCall, Listeners, event_listener
from handlers.payloads import (
    CHANNEL_FACT_EVENTS,
    USER_FACT_EVENTS,
    EventCallback,
    read_channel_change,
    read_fact_change,
)
from handlers.replies import answering_errors
from storage.database import run_transaction


class ChannelEventListeners(Listeners):
    def forget(self, callback: EventCallback) -> None:
        stale = read_fact_change(callback.event)
        if stale is None:
            return
        facts = self.deps.slack_facts
        if stale.channel_id:
            facts.forget_channel(callback.team_id, stale.channel_id)
        if stale.user_id:
            facts.forget_user(callback.team_id, stale.user_id)

    # Bolt runs the first listener that matches an event, so the pausing events forget in
    # on_channel_change and only the others get on_fact_change.
    @event_listener(*sorted((CHANNEL_FACT_EVENTS | USER_FACT_EVENTS) - set(CHANNEL_EVENTS)))
    def on_fact_change(self, call: EventCall) -> None:
        """A channel renamed, unarchived, deleted, shared, joined; a user changed."""
        self.forget(call.callback)

    @event_listener(*CHANNEL_EVENTS)
    def on_channel_change(self, call: EventCall) -> None:
        callback, client, logger = call.callback, call.client, call.logger
        self.forget(callback)
        change = read_channel_change(callback.event, call.context.bot_user_id)
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
