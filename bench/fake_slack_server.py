"""The tests' fake Slack (tests.support.fake_slack: bot.fake_slack with rate limits) as a
process of its own, for the benchmarks.

    python -m bench.fake_slack_server [--channel-rate 1] [--workspace-rate 20] [--latency-ms 0]
                                      [--tls]

Prints `READY http://127.0.0.1:PORT` and serves until its standard input closes; with
`--tls`, `READY https://127.0.0.1:PORT CA_FILE`, CA_FILE being the PEM of the CA made for
this run (FakeSlack(tls=True)), to trust as SLACK_CA_BUNDLE. Besides
the fake Web API it answers three benchmark-only paths:

- `POST /bench/setup {"channels": [...], "users": [...], "workspaces": {team: token}}`:
  channels with the bot in them; workspaces whose tokens get a rate limit each;
- `GET /bench/stats?times=0|1`: what was received (posts per channel, 429s, calls per
  method, and with times=1 the monotonic time of each accepted post and response_url reply);
- `POST /bench/reset`: forget the recorded traffic (the workspace stays).

Times are `time.monotonic()`, which on Linux is one clock for every process on the host, so
the benchmark can compare them with its own.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections import Counter
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.fake_slack.wire import HttpResult, json_result
from tests.support.fake_slack import FakeSlack


class BenchFakeSlack(FakeSlack):
    def __init__(self, latency: float = 0.0, **kwargs: Any) -> None:
        super().__init__(bot_token="xoxb-bench-token", **kwargs)
        self.latency = latency  # seconds before each Web API answer, as over the internet
        self.post_times: list[float] = []
        self.response_times: dict[str, float] = {}
        post = self._methods["chat.postMessage"]

        def timed_post(params: dict[str, Any], token: str | None) -> dict[str, Any]:
            result = post(params, token)
            self.post_times.append(time.monotonic())  # under the fake's lock
            return result

        self._methods["chat.postMessage"] = timed_post

    def _handle_http(self, raw_path: str, headers: Message, body: bytes) -> HttpResult:
        url = urlsplit(raw_path)
        if url.path == "/bench/setup":
            request = json.loads(body or b"{}")
            for user in request.get("users", []):
                self.add_user(user, user.lower())
            for channel in request.get("channels", []):
                self.add_channel(channel, channel.lower())
                self.add_bot_to(channel)
            # Many workspaces (bench.workspaces): each token its own team and rate limit.
            for team, token in request.get("workspaces", {}).items():
                self.add_workspace(team, team, bot_token=token)
            return json_result({"ok": True})
        if url.path == "/bench/stats":
            times = parse_qs(url.query).get("times", ["0"])[0] == "1"
            return json_result(self.bench_stats(times))
        if url.path == "/bench/reset":
            with self._lock:
                self.calls.clear()
                self.messages.clear()
                self.responses.clear()
                self.rate_limited.clear()
                self.post_times.clear()
                self.response_times.clear()
            return json_result({"ok": True})
        if self.latency and url.path.startswith("/api/"):
            time.sleep(self.latency)  # outside the fake's lock: calls overlap as they would
        return super()._handle_http(raw_path, headers, body)

    def _handle_response_url(self, key: str, body: bytes) -> HttpResult:
        result = super()._handle_response_url(key, body)
        with self._lock:
            self.response_times.setdefault(key, time.monotonic())
        return result

    def bench_stats(self, times: bool) -> dict[str, Any]:
        with self._lock:
            top_level: Counter[str] = Counter()
            replies: Counter[str] = Counter()
            for channel, messages in self.messages.items():
                for message in messages:
                    if message.get("user") != self.bot_user_id:
                        continue
                    thread = message.get("thread_ts")
                    if thread and thread != message["ts"]:
                        replies[channel] += 1
                    else:
                        top_level[channel] += 1
            stats: dict[str, Any] = {
                "top_level": dict(top_level),
                "replies": dict(replies),
                "rate_limited": len(self.rate_limited),
                "calls": dict(Counter(call.method for call in self.calls)),
                "responses": len(self.responses),
                "posts": len(self.post_times),
                "first_post_at": min(self.post_times, default=None),
                "last_post_at": max(self.post_times, default=None),
            }
            if times:
                stats["post_times"] = list(self.post_times)
                stats["response_times"] = dict(self.response_times)
            return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channel-rate", type=float, default=None)
    parser.add_argument("--workspace-rate", type=float, default=None)
    parser.add_argument("--workspace-burst", type=float, default=None)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--tls", action="store_true", help="serve HTTPS")
    args = parser.parse_args(argv)
    fake = BenchFakeSlack(latency=args.latency_ms / 1000, tls=args.tls)
    if args.channel_rate is not None or args.workspace_rate is not None:
        fake.enforce_rate_limits(
            per_channel=args.channel_rate,
            workspace=args.workspace_rate,
            workspace_burst=args.workspace_burst,
        )
    fake.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("READY", fake.base_url, *([fake.ca_bundle] if args.tls else []), flush=True)
    done = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        done.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    try:
        done.wait()
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
