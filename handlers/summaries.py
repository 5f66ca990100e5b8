"""`/delegate summary` and `/delegate report`, called from the `/delegate` listener.

Each resolves what was asked in one transaction (`bot.summaries`, `bot.reports`), then
talks to Slack, and returns the reply for the requester.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import blocks, reports, summaries
from bot.commands import PostSummary, SendReport
from bot.deps import Deps
from handlers.acting import about_vendor, join_channel
from handlers.payloads import Requester
from storage.database import run_transaction


def post_summary_now(
    deps: Deps, command: PostSummary, requester: Requester, client: WebClient
) -> blocks.Message:
    """Post the vendor's summary in its channel, and the overdue and blocked tasks in its
    thread. Not a scheduled post: no claim, and the week's scheduled one still goes out."""
    summary = about_vendor(deps, requester, command.channel_id, summaries.summary_for_channel)
    vendor = summary.vendor
    join_channel(deps, client, requester, vendor.channel_id)
    posted = client.chat_postMessage(
        channel=vendor.channel_id, unfurl_links=False, **blocks.summary_message(summary)
    )
    thread = blocks.summary_thread(summary)
    if thread is not None:
        client.chat_postMessage(
            channel=vendor.channel_id, thread_ts=str(posted["ts"]), unfurl_links=False, **thread
        )
    return blocks.summary_posted_reply(vendor, summary)


MAX_NAME_LOOKUPS = 200  # a report names at most this many people and channels


def slack_names(client: WebClient, ids: set[str]) -> dict[str, str]:
    """Display names for user ids and `#names` for channel ids, one Slack call each; an id
    Slack will not describe (deleted, no access) is left without a name."""
    names: dict[str, str] = {}
    for item in sorted(ids)[:MAX_NAME_LOOKUPS]:
        try:
            if item.startswith(("C", "G")):
                channel = client.conversations_info(channel=item)["channel"]
                names[item] = f"#{channel.get('name') or item}"
            else:
                user = client.users_info(user=item)["user"]
                profile = user.get("profile") or {}
                names[item] = str(
                    profile.get("display_name") or user.get("real_name") or user.get("name") or ""
                )
        except (SlackApiError, KeyError, TypeError):
            continue
    return names


def send_report(
    deps: Deps, command: SendReport, requester: Requester, client: WebClient
) -> blocks.Message:
    """Build the CSV for the range (dates in DEFAULT_TIMEZONE) and upload it to the
    requester's direct messages with the bot."""
    tz = ZoneInfo(deps.settings.default_timezone)
    today = deps.clock().astimezone(tz).date()
    first_day, last_day = reports.report_range(command.start, command.end, today)
    report = run_transaction(
        deps.engine,
        lambda session: reports.build_report(
            session,
            requester.team_id,
            first_day,
            last_day,
            tz,
            channel_id=command.channel_id,
            names=lambda ids: slack_names(client, ids),
        ),
    )
    opened = client.conversations_open(users=requester.user_id)
    dm_id = str(opened["channel"]["id"])
    client.files_upload_v2(
        channel=dm_id,
        content=report.content,
        filename=report.filename,
        title=f"Delegate report {first_day.isoformat()} to {last_day.isoformat()}",
        initial_comment=(
            f"Your report for {first_day:%a %-d %b %Y} to {last_day:%a %-d %b %Y} "
            f"({deps.settings.default_timezone} dates)."
        ),
    )
    return blocks.report_sent_reply(first_day, last_day, report.counts)
