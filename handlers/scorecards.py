"""`/delegate scorecard` and `/delegate cost`, called from the `/delegate` listener.

Each resolves what was asked in one transaction (`bot.scorecards`, `bot.spend`), then
talks to Slack, and returns the reply for the requester. The scorecard holds spend, so it
goes to the requester's direct messages with its chart, never to a channel; a cost is only
ever echoed to the requester.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot import blocks, charts, scorecards, spend
from bot.commands import SetTaskCost, ShowScorecard
from bot.deps import Deps
from handlers.acting import about_vendor, as_actor
from handlers.payloads import Requester


def send_scorecard(
    deps: Deps, command: ShowScorecard, requester: Requester, client: WebClient
) -> blocks.Message:
    """Build the scorecard (the vendor named, or the one whose channel this is) and send it
    with its chart to the requester's direct messages with the bot."""
    card = about_vendor(
        deps, requester, command.channel_id, scorecards.scorecard_for_channel, weeks=command.weeks
    )
    opened = client.conversations_open(users=requester.user_id)
    dm_id = str(opened["channel"]["id"])
    client.chat_postMessage(channel=dm_id, unfurl_links=False, **blocks.scorecard_message(card))
    png = charts.scorecard_chart(card)
    client.files_upload_v2(
        channel=dm_id,
        content=png,
        filename=f"scorecard-{card.vendor.channel_id}-{card.today.isoformat()}.png",
        title=blocks.scorecard_chart_title(card),
        alt_txt=blocks.scorecard_chart_alt(card),
    )
    return blocks.scorecard_sent_reply(card.vendor)


def set_task_cost(deps: Deps, command: SetTaskCost, requester: Requester) -> blocks.Message:
    """`/delegate cost ID AMOUNT`: nothing is posted anywhere but the reply to the requester
    (a cost is never shown in the vendor's channel)."""
    changed = as_actor(
        deps, requester, spend.set_task_cost, task_id=command.task_id, cost=command.cost
    )
    return blocks.cost_set_reply(changed.row.task, changed.row.vendor, changed.cost_minor)
