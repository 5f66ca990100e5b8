"""chat.postMessage and what Slack's answer means for a claim: posted, worth retrying at a
later tick, or refused for good (and whether the refusal is the channel's fault)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

# Slack errors meaning "this channel cannot be posted in until a person fixes it".
UNREACHABLE_ERRORS = frozenset(
    {"channel_not_found", "is_archived", "channel_is_archived", "not_in_channel"}
)
# Errors about the bot's own token or scopes: every vendor would fail alike, so none is
# paused; retried each tick so the posts go out once the token is fixed.
APP_AUTH_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "no_permission",
        "team_access_not_granted",
    }
)
# Slack's own way of saying "try again later" inside an HTTP 200.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


@dataclass(frozen=True)
class Delivery:
    """How a chat.postMessage went."""

    ts: str | None = None
    error: str | None = None  # Slack's error code, or the exception's class name
    retry: bool = False  # worth trying again at a later tick


def deliver(
    client: WebClient, channel: str, message: dict[str, Any], thread_ts: str | None = None
) -> Delivery:
    """chat.postMessage, after slack_sdk's own retries (429 with Retry-After, 5xx,
    dropped connections), classified for the caller."""
    try:
        response = client.chat_postMessage(
            channel=channel,
            text=message["text"],
            blocks=message.get("blocks"),
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as error:
        code = str(error.response.get("error") or "unknown_error")
        status = error.response.status_code
        retry = (
            status == 429 or status >= 500 or code in TRANSIENT_ERRORS or code in APP_AUTH_ERRORS
        )
        return Delivery(error=code, retry=retry)
    except (SlackClientError, OSError) as error:  # timeouts, refused connections
        return Delivery(error=type(error).__name__, retry=True)
    return Delivery(ts=str(response["ts"]))
