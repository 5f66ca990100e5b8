"""What the tests' fake Slack refuses: faults queued for a method, faults at random, and
Slack's posting rate limits as token buckets."""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.fake_slack import Call, FakeSlack
from bot.fake_slack.wire import HttpResult, json_result


@dataclass
class Fault:
    status: int
    error: str
    retry_after: int


@dataclass
class Bucket:
    """A token bucket: `rate` tokens a second, at most `capacity` saved up (the burst)."""

    rate: float
    capacity: float
    tokens: float
    stamp: float

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 if one is), after refilling up to `now`."""
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class RateLimits:
    """Slack's posting limits: so many posts a second per channel, and a workspace-wide rate."""

    methods: frozenset[str]
    per_channel: float | None
    channel_burst: float
    workspace: Bucket | None
    clock: Callable[[], float]
    channels: dict[str, Bucket] = field(default_factory=dict)


class Faults(FakeSlack):
    """Fault injection and rate limits; state set up by tests.support.fake_slack.FakeSlack."""

    _faults: dict[str, deque[Fault]]
    _random_fault_rate: float
    _random_fault_rng: random.Random
    _random_fault_methods: frozenset[str]
    _random_fault_statuses: tuple[int, ...]
    random_failures: int
    _limits: RateLimits | None
    # Calls answered 429 by the rate limits of enforce_rate_limits() (not by fail_next).
    rate_limited: list[Call]
    _workspace_buckets: dict[str, Bucket]

    def _init_faults(self) -> None:
        self._faults = {}
        self._random_fault_rate = 0.0
        self._random_fault_rng = random.Random(0)
        self._random_fault_methods = frozenset()
        self._random_fault_statuses = (500,)
        self.random_failures = 0
        self._limits = None
        self.rate_limited = []
        self._workspace_buckets = {}

    def fail_next(
        self, method: str, error: str = "internal_error", times: int = 1, status: int = 200
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail.

        status 200 -> ``{"ok": false, "error": error}``; 429 -> ``Retry-After: 1`` and
        ``{"ok": false, "error": "ratelimited"}``; any other status (500, 503...) -> that
        HTTP status with ``{"ok": false, "error": error}``.
        """
        if status == 429:
            self.rate_limit_next(method, retry_after=1, times=times)
            return
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            queue.extend(Fault(status, error, 0) for _ in range(times))

    def fail_randomly(
        self,
        rate: float,
        *,
        seed: int = 0,
        methods: Iterable[str] = ("chat.postMessage",),
        statuses: Iterable[int] = (500, 503, 429),
    ) -> None:
        """Refuse about ``rate`` of the calls to ``methods`` at random (seeded, so a run can
        be repeated), before anything is applied: an HTTP 500/503, or a 429 with
        ``Retry-After: 1``. ``rate=0`` turns it off. Counted in ``random_failures``."""
        with self._lock:
            self._random_fault_rate = rate
            self._random_fault_rng = random.Random(seed)
            self._random_fault_methods = frozenset(methods)
            self._random_fault_statuses = tuple(statuses)

    def _random_fault(self, method: str) -> HttpResult | None:
        if not self._random_fault_rate or method not in self._random_fault_methods:
            return None
        if self._random_fault_rng.random() >= self._random_fault_rate:
            return None
        self.random_failures += 1
        status = self._random_fault_rng.choice(self._random_fault_statuses)
        if status == 429:
            return json_result({"ok": False, "error": "ratelimited"}, 429, **{"Retry-After": "1"})
        return json_result({"ok": False, "error": "internal_error"}, status)

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            queue.extend(Fault(429, "ratelimited", retry_after) for _ in range(times))

    def enforce_rate_limits(
        self,
        per_channel: float | None = 1.0,
        workspace: float | None = None,
        *,
        channel_burst: float = 1.0,
        workspace_burst: float | None = None,
        methods: Iterable[str] = ("chat.postMessage",),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Answer like Slack when posting too fast: HTTP 429, ``Retry-After`` in whole seconds
        (at least 1) and ``{"ok": false, "error": "ratelimited"}``.

        ``per_channel`` posts a second are allowed in each channel (Slack: about 1), with
        ``channel_burst`` saved up; ``workspace`` posts a second across all channels, with
        ``workspace_burst`` saved up (default: one second's worth). ``None`` turns a limit
        off; ``enforce_rate_limits(None, None)`` turns both off. A refused call uses up
        nothing, is recorded in :attr:`calls` and in :attr:`rate_limited`, and changes no
        message. ``clock`` (monotonic seconds) lets tests move time.
        """
        with self._lock:
            if per_channel is None and workspace is None:
                self._limits = None
                return
            for rate in (per_channel, workspace):
                if rate is not None and rate <= 0:
                    raise ValueError("rates are posts per second and must be positive")
            bucket = None
            if workspace is not None:
                capacity = max(1.0, workspace if workspace_burst is None else workspace_burst)
                bucket = Bucket(workspace, capacity, capacity, clock())
            self._limits = RateLimits(
                methods=frozenset(methods),
                per_channel=per_channel,
                channel_burst=max(1.0, channel_burst),
                workspace=bucket,
                clock=clock,
            )

    def _rate_limit(self, method: str, params: dict[str, Any]) -> HttpResult | None:
        """The 429 answer if this call goes over a limit; else take its tokens. Under the lock."""
        limits = self._limits
        if limits is None or method not in limits.methods:
            return None
        now = limits.clock()
        buckets: list[Bucket] = []
        if limits.per_channel is not None:
            key = str(params.get("channel") or "")
            channel = limits.channels.get(key)
            if channel is None:
                channel = limits.channels[key] = Bucket(
                    limits.per_channel, limits.channel_burst, limits.channel_burst, now
                )
            buckets.append(channel)
        if limits.workspace is not None:
            team = self._team_of_token.get(self.calls[-1].token or "")
            if team is None:
                buckets.append(limits.workspace)
            else:  # every workspace has its own budget, as on Slack
                template = limits.workspace
                bucket = self._workspace_buckets.get(team)
                if bucket is None:
                    bucket = self._workspace_buckets[team] = Bucket(
                        template.rate, template.capacity, template.capacity, now
                    )
                buckets.append(bucket)
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.rate_limited.append(self.calls[-1])
            return json_result(
                {"ok": False, "error": "ratelimited"}, 429, **{"Retry-After": str(retry_after)}
            )
        for bucket in buckets:
            bucket.tokens -= 1
        return None

    def _refusal(self, method: str, params: dict[str, Any]) -> HttpResult | None:
        """A queued fault, a random one, or a 429 over the rate limits (in that order)."""
        queue = self._faults.get(method)
        if queue:
            fault = queue.popleft()
            body_out = {"ok": False, "error": fault.error}
            if fault.status == 429:
                return json_result(body_out, 429, **{"Retry-After": str(fault.retry_after)})
            return json_result(body_out, fault.status)
        random_fault = self._random_fault(method)
        if random_fault is not None:
            return random_fault
        return self._rate_limit(method, params)
