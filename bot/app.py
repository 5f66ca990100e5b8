"""Builds the Bolt app: the Web API client (with retries), every feature's listeners."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.oauth import OAuthFlow
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.deps import Deps
from bot.slack_connections import KeepAliveWebClient, keep_alive_copy
from bot.slack_tls import slack_ssl_context
from handlers import register_all

logger = logging.getLogger(__name__)


def build_client(token: str | None, api_url: str | None, ca_bundle: str | None = None) -> WebClient:
    """A WebClient that retries rate limits (honouring Retry-After), 5xx and dropped connections.

    It carries the process's one SSL context (bot.slack_tls): Bolt passes the app client's
    `ssl` on to its per-request clients, to respond() and to Socket Mode. Calls go out on
    kept-alive connections (bot.slack_connections).
    """
    client = KeepAliveWebClient(
        token=token,
        base_url=api_url or WebClient.BASE_URL,
        timeout=10,
        ssl=slack_ssl_context(ca_bundle),
    )
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    return client


def build_app(deps: Deps, *, replaying: bool = False) -> App:
    """The Bolt app with every listener registered. Slack settings must already be checked.

    The web app acks deferrable requests and queues their work as jobs (bot.jobs);
    `replaying`: the app a job runner replays them through, each listener run to its end
    before `dispatch` returns."""
    settings = deps.settings
    many = settings.many_workspaces
    token = None if many else settings.slack_bot_token
    client = build_client(token, settings.slack_api_url, settings.slack_ca_bundle)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        oauth_flow=_oauth_flow(deps, client) if many else None,
        installation_store_bot_only=many,
        # One workspace: auth.test runs on the first request instead, so start-up needs no
        # network (many workspaces authorize each request through the OAuth flow's store).
        token_verification_enabled=False,
        logger=logging.getLogger("bot.bolt"),
        process_before_response=replaying,
    )
    app.error(log_listener_error)
    app.use(use_kept_alive_connections)
    register_all(app, deps)
    # The manifest subscribes to app_uninstalled / tokens_revoked for both modes: answered
    # here too (one workspace: recorded and logged), not with a 404 Slack would retry.
    from handlers import oauth

    oauth.register(app, deps)
    return _with_jobs(app, deps, replaying)


def _oauth_flow(deps: Deps, client: WebClient) -> OAuthFlow:
    """Many workspaces (SLACK_CLIENT_ID/SECRET): Bolt's OAuth flow serves /slack/install
    and /slack/oauth_redirect, and its authorize gives each request its installation's token
    and team id (bot.installations)."""
    from bot.installations import build_oauth_flow

    return build_oauth_flow(deps.settings, deps.engine, client, deps.clock)


def _with_jobs(app: App, deps: Deps, replaying: bool) -> App:
    """The web app's hook into bot.jobs (after every other middleware: the payload guard
    refuses a malformed request at the ack, not in a job)."""
    if not replaying:
        from bot import jobs

        runner = None
        if deps.settings.job_runner == "web":
            runner = jobs.JobRunner(deps, lambda: build_app(deps, replaying=True))
        jobs.defer_to_jobs(app, deps, runner)
    return app


def use_kept_alive_connections(context: BoltContext, next: Callable[[], None]) -> None:
    """Bolt builds a plain WebClient for each request (copying the app client's settings,
    the SSL context included); listeners get a kept-alive copy of it instead."""
    if context.client is not None:
        context["client"] = keep_alive_copy(context.client)
    next()


def log_listener_error(
    error: Exception, body: dict[str, Any], response: BoltResponse | None
) -> BoltResponse | None:
    """Last resort for errors outside our own boundaries: log the kind, never the payload.

    Bolt calls this for errors in its middleware too, with a fresh 500 response: those come
    from payload shapes Slack never sends (Bolt reads fields before any listener runs), so
    they are answered 400, not 5xx, unless Slack itself could not be reached (a network or
    TLS error: 500 and ERROR). An error escaping a listener is a bug of ours: ERROR.
    """
    kind = body.get("type", "?") if isinstance(body, dict) else "?"
    if isinstance(error, OSError):
        # Slack unreachable or not trusted (a CERTIFICATE_VERIFY_FAILED means SLACK_CA_BUNDLE
        # or the system's CAs do not cover it), e.g. in Bolt's auth.test: not the payload.
        logger.error("cannot reach Slack's API for a %s request: %s", kind, error)
        return None
    if response is not None and response.status >= 500:
        logger.warning("rejected a malformed %s payload (%s)", kind, type(error).__name__)
        return BoltResponse(status=400, body={"error": "malformed payload"})
    logger.error("unhandled %s for a %s request", type(error).__name__, kind)
    return None
