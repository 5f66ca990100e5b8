"""Making sure the bot can post in a vendor channel before anything is written, and
links to the messages it posted there.

Uses slack_sdk only (no Bolt), so the rule is testable against the fake Web API. What
conversations.info said is kept per workspace in bot.slack_facts (forgotten on the channel
events, and after its TTL), so repeated commands in one channel ask Slack once.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.errors import UsageError
from bot.slack_facts import SlackFacts

logger = logging.getLogger(__name__)

INVITE_HINT = "invite me there first (type `/invite @Delegate` in that channel), then try again"


GENERAL_REFUSAL = (
    "<#{channel}> is the workspace's general channel, where everyone is: it can't be a "
    "vendor's channel, and nothing was created. Name the vendor's own channel: "
    "`/delegate #vendor title…`, or `/delegate vendor add #vendor` to register one."
)
DM_REFUSAL = (
    "Tasks go to a vendor's channel, not a direct message; nothing was created. Name the "
    "channel: `/delegate #vendor title…`."
)


def check_channel_can_be_vendor(
    client: WebClient, channel_id: str, *, team_id: str, facts: SlackFacts
) -> str:
    """The channel's name when it may become a vendor's; UsageError for the general
    channel, a direct message, an archived or unknown channel, or a private one without the
    bot. Reads only: joins nothing."""
    info = _usable_channel(client, channel_id, team_id, facts)
    if info.get("is_private") and not info.get("is_member"):
        raise UsageError(f"I'm not in <#{channel_id}>: {INVITE_HINT}.")
    return str(info.get("name") or channel_id)


def ensure_bot_in_channel(
    client: WebClient, channel_id: str, *, team_id: str, facts: SlackFacts
) -> str:
    """Return the channel's name once the bot is a member; join public channels on the way.

    Raises UsageError (nothing joined or written) when the channel is a DM, the general
    channel, archived, private without the bot, or unknown.
    """
    info = _usable_channel(client, channel_id, team_id, facts)
    name = str(info.get("name") or channel_id)
    if info.get("is_member"):
        return name
    if info.get("is_private"):
        raise UsageError(f"I'm not in <#{channel_id}>: {INVITE_HINT}.")
    try:
        client.conversations_join(channel=channel_id)
    except SlackApiError as error:
        raise UsageError(
            f"I couldn't join <#{channel_id}> ({error.response.get('error')}): {INVITE_HINT}."
        ) from None
    # Joined: the next command needs no conversations.info to know it.
    facts.remember_channel(team_id, channel_id, {**info, "is_member": True})
    return name


def _usable_channel(
    client: WebClient, channel_id: str, team_id: str, facts: SlackFacts
) -> dict[str, object]:
    if channel_id.startswith("D"):
        raise UsageError(DM_REFUSAL)
    info = facts.channel(team_id, channel_id)
    if info is None:
        try:
            info = dict(client.conversations_info(channel=channel_id)["channel"])
        except SlackApiError as error:
            if error.response.get("error") in ("channel_not_found", "not_in_channel"):
                # Private channels the bot is not in look exactly like missing ones.
                raise UsageError(
                    f"I can't see <#{channel_id}>. If it is private, {INVITE_HINT}."
                ) from None
            raise
        # Refusals below are remembered too: an archived channel stays refused until
        # channel_unarchive (or the TTL) says otherwise.
        facts.remember_channel(team_id, channel_id, info)
    if info.get("is_im") or info.get("is_mpim"):
        raise UsageError(DM_REFUSAL)
    if info.get("is_general"):
        raise UsageError(GENERAL_REFUSAL.format(channel=channel_id))
    if info.get("is_archived"):
        raise UsageError(f"<#{channel_id}> is archived; pick a channel that is in use.")
    return dict(info)


def permalink(client: WebClient, channel: str, message_ts: str | None) -> str | None:
    """A link to a message the bot posted (a check-in, for a DM that points at it), or None
    when Slack can't give one: the DM still goes, without the link."""
    if not message_ts:
        return None
    try:
        link = client.chat_getPermalink(channel=channel, message_ts=message_ts).get("permalink")
    except (SlackClientError, OSError) as error:
        code = error.response.get("error") if isinstance(error, SlackApiError) else None
        logger.warning(
            "no permalink for %s/%s: %s", channel, message_ts, code or type(error).__name__
        )
        return None
    return str(link) if link else None
