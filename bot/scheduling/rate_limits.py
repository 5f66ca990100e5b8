"""Slack's rate limits during a tick: each workspace's workers wait out a 429 together.

Slack's limits are per workspace, so each workspace gets its own client for the tick
(`TeamClients`) and, with several workers, its own `SharedRateLimitWait`: a 429 in one
workspace holds back that workspace's workers only, never another's posts.
"""

from __future__ import annotations

import copy
import random
import threading
from datetime import timedelta
from time import monotonic, sleep
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.installations import WorkspaceClients

# A tick's workers wait out Slack's 429s together (SharedRateLimitWait): one post may be
# refused this many times, within this long (far less than the claim's lease), before its
# claim is given back for the next tick.
RATE_LIMIT_RETRIES = 10
RATE_LIMIT_WAIT = timedelta(minutes=2)


class TeamClients:
    """One tick's client for each workspace (None for a workspace without a token: it was
    uninstalled), each with its own shared 429 wait when the tick runs several workers."""

    def __init__(self, clients: WorkspaceClients, pooled: bool) -> None:
        self._clients = clients
        self._pooled = pooled
        self._lock = threading.Lock()
        self._by_team: dict[str, WebClient | None] = {}

    def for_team(self, team_id: str) -> WebClient | None:
        with self._lock:
            if team_id not in self._by_team:
                client = self._clients.for_team(team_id)
                if client is not None and self._pooled:
                    client = with_shared_rate_limit_wait(client)
                self._by_team[team_id] = client
            return self._by_team[team_id]


class SharedRateLimitWait(RateLimitErrorRetryHandler):
    """slack_sdk's retry on HTTP 429, shared by the workers of one tick in one workspace.

    On its own each worker would sleep its Retry-After plus a random second and come back
    alone, into a budget the other workers have just used up again, and after three
    refusals its post would wait for the next tick. Here a 429 in any worker moves one
    common resume time to its Retry-After, and every worker being refused waits until
    then, so they come back together when Slack's budget has refilled; and one post may
    be refused up to RATE_LIMIT_RETRIES times within RATE_LIMIT_WAIT (nobody waits on the
    scheduler, and that is far inside the claim's lease). Workers not being refused post
    as usual: a 429 can be for one channel only (one post a second per channel), which
    must not hold up the others.
    """

    def __init__(self, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._lock = threading.Lock()
        self._resume_at = 0.0

    # slack_sdk calls both hooks with keyword arguments state, request, response and error;
    # each names only those it reads.
    def _can_retry(
        self, *, state: RetryState, response: HttpResponse | None = None, **_: Any
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        since = float((state.custom_values or {}).get("rate_limited_since", monotonic()))
        waited = monotonic() - since + retry_after(response)
        return waited <= RATE_LIMIT_WAIT.total_seconds()

    def prepare_for_next_attempt(
        self, *, state: RetryState, response: HttpResponse | None = None, **_: Any
    ) -> None:
        if response is None:  # never: _can_retry retries only answers with status 429
            raise RuntimeError("a 429 retry without a response")
        state.next_attempt_requested = True
        if state.custom_values is None:
            state.custom_values = {}
        state.custom_values.setdefault("rate_limited_since", monotonic())
        with self._lock:
            self._resume_at = max(self._resume_at, monotonic() + retry_after(response))
            resume_at = self._resume_at
        sleep(max(0.0, resume_at - monotonic()) + random.uniform(0, 0.05))
        state.increment_current_attempt()


def retry_after(response: HttpResponse) -> float:
    """Slack's Retry-After in seconds; 1 if it is missing or unreadable."""
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values and str(values[0]).strip().isdigit():
            return float(values[0])
    return 1.0


def with_shared_rate_limit_wait(client: WebClient) -> WebClient:
    """A copy of `client` for one tick's workers: its 429 retry handler replaced by a
    SharedRateLimitWait; the other handlers as they were."""
    handlers = [
        SharedRateLimitWait(max(handler.max_retry_count, RATE_LIMIT_RETRIES))
        if isinstance(handler, RateLimitErrorRetryHandler)
        else handler
        for handler in client.retry_handlers
    ]
    pooled = copy.copy(client)
    pooled.retry_handlers = handlers
    return pooled
