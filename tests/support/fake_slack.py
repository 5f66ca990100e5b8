"""The tests' fake Slack: the console's stand-in (bot.fake_slack) plus what only tests use.

- fault injection and Slack's rate limits (tests.support.slack_faults);
- Socket Mode (tests.support.socket_mode; needs `websockets`, a test dependency);
- waiters that block until calls or response_url posts arrive, failing the test if not;
- ``FakeSlack(tls=True)``: the Web API, response_url and uploads over HTTPS with a
  certificate for 127.0.0.1 signed by a CA made for this instance with ``trustme`` (a test
  dependency): nothing is checked in, and nothing else trusts it. :attr:`FakeSlack.ca_bundle`
  is that CA as a PEM file, for the bot's SLACK_CA_BUNDLE setting.
"""

from __future__ import annotations

import copy
import shutil
import ssl
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.fake_slack import Call
from tests.support.slack_faults import Faults
from tests.support.socket_mode import SocketMode

__all__ = ["Call", "FakeSlack"]


class FakeSlack(SocketMode, Faults):
    """A loopback Slack for tests: Web API, response_url endpoints, file uploads, Socket
    Mode, faults and rate limits."""

    def __init__(
        self,
        team_id: str = "T0TEAM",
        bot_user_id: str = "U0BOT",
        bot_token: str = "xoxb-test-token",
        *,
        post_rate_per_channel: float | None = None,
        workspace_rate: float | None = None,
        tls: bool = False,
    ) -> None:
        super().__init__(team_id, bot_user_id, bot_token)
        self._init_faults()
        self._init_socket_mode()
        self.tls = tls
        self._tls_dir: str | None = None
        self._server_tls: ssl.SSLContext | None = None
        if post_rate_per_channel is not None or workspace_rate is not None:
            self.enforce_rate_limits(per_channel=post_rate_per_channel, workspace=workspace_rate)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        self._stopping.clear()
        super().start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        super().stop()
        self._stop_socket_mode()
        tls_dir, self._tls_dir = self._tls_dir, None
        self._server_tls = None
        if tls_dir is not None:
            shutil.rmtree(tls_dir, ignore_errors=True)

    def _server_context(self) -> ssl.SSLContext | None:
        if self.tls and self._server_tls is None:
            self._server_tls = self._make_certificate()
        return self._server_tls

    def _make_certificate(self) -> ssl.SSLContext:
        """A throwaway CA and a certificate for 127.0.0.1 from it; the CA goes to a file."""
        import trustme

        authority = trustme.CA()
        self._tls_dir = tempfile.mkdtemp(prefix="fake-slack-ca-")
        authority.cert_pem.write_to_path(str(Path(self._tls_dir) / "ca.pem"))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        return context

    @property
    def ca_bundle(self) -> str:
        """The PEM file of this instance's CA (tls=True only): trust it as SLACK_CA_BUNDLE."""
        if self._tls_dir is None:
            raise RuntimeError("FakeSlack is not started with tls=True")
        return str(Path(self._tls_dir) / "ca.pem")

    # ------------------------------------------------------------------ waiters

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least ``count`` calls to ``method`` were recorded."""
        with self._cond:
            done = self._cond.wait_for(
                lambda: sum(c.method == method for c in self.calls) >= count, timeout
            )
            found = [c for c in self.calls if c.method == method]
            if not done:
                seen = [c.method for c in self.calls]
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s, "
                    f"got {len(found)}; methods seen: {seen}"
                )
            return found

    def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.responses) >= count, timeout):
                raise AssertionError(
                    f"expected {count} response_url post(s) within {timeout}s, "
                    f"got {len(self.responses)}: {self.responses}"
                )
            return copy.deepcopy(self.responses)

    def wait_for_response_keys(
        self, keys: Iterable[str], timeout: float = 5.0
    ) -> dict[str, dict[str, Any]]:
        """Wait until a response_url post has arrived for every key; the first of each."""
        wanted = set(keys)

        def first_of_each() -> dict[str, dict[str, Any]]:
            found: dict[str, dict[str, Any]] = {}
            for response in self.responses:
                key = str(response.get("_key"))
                if key in wanted and key not in found:
                    found[key] = response
            return found

        with self._cond:
            if not self._cond.wait_for(lambda: len(first_of_each()) == len(wanted), timeout):
                missing = sorted(wanted - set(first_of_each()))
                raise AssertionError(f"no response_url post within {timeout}s for {missing}")
            return copy.deepcopy(first_of_each())
