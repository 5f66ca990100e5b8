"""Logging set-up with secret redaction.

Every record passes a filter that replaces the configured tokens and signing secret, and
anything shaped like a Slack token, before a handler writes it; bodies of requests that
failed the signature check are dropped.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable
from typing import TextIO

SLACK_TOKEN_SHAPE = re.compile(r"\bx(?:ox[abposr]|app)-[A-Za-z0-9-]{6,}")
# Bolt logs the whole body of a request whose signature fails; an unverified body is
# untrusted input and may carry people's text, so only the fact is kept.
REJECTED_BODY = re.compile(r"(Invalid request signature detected.*?), body: .*", re.DOTALL)


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 6]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        text = REJECTED_BODY.sub(r"\1, body: [not logged])", text)
        return SLACK_TOKEN_SHAPE.sub("[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        return True


# Libraries that say at INFO or WARNING what our own code says better, or says nothing new:
# APScheduler's "Running job"/"executed successfully" every 30 s; slack_sdk's three lines
# per failed or retried request (the exception reaches our code, which logs what failed);
# the Socket Mode client's reconnection chatter and tracebacks (one line of ours instead).
# At LOG_LEVEL=DEBUG they all speak again.
QUIETED = {
    "apscheduler.executors.default": logging.WARNING,
    "apscheduler.scheduler": logging.WARNING,
    "slack_sdk.web.base_client": logging.CRITICAL,
}
# The Socket Mode client logs on the logger Bolt hands it (ours, `bot.bolt`): it is known by
# the file a record comes from. Its connect/close/reconnect chatter is INFO.
SOCKET_MODE_SOURCES = (
    os.path.join("slack_sdk", "socket_mode", ""),
    os.path.join("slack_bolt", "adapter", "socket_mode", ""),
)
# Bolt reads SLACK_BOT_TOKEN from os.environ by itself and, as we hand it a client, warns
# that the token "will be unused": true, expected, and alarming to an operator.
UNUSED_TOKEN_WARNING = "`token` will be unused"


class DropNoise(logging.Filter):
    """Drops Bolt's unused-token warning; a Socket Mode failure keeps its first line only
    (the client logs a traceback per failed attempt; the reason is in the first line)."""

    def __init__(self, debug: bool) -> None:
        super().__init__()
        self.debug = debug

    def filter(self, record: logging.LogRecord) -> bool:
        if UNUSED_TOKEN_WARNING in str(record.msg):
            return False
        if not self.debug and any(part in record.pathname for part in SOCKET_MODE_SOURCES):
            if record.levelno < logging.WARNING:
                return False
            first = (record.getMessage().strip().splitlines() or [""])[0]
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                detail = (str(error).strip().splitlines() or [""])[0]
                first = f"{first} ({type(error).__name__}: {detail})"
            record.msg, record.args = first, None
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def configure_logging(level: str, secrets: Iterable[str], stream: TextIO | None = None) -> None:
    """Log to `stream` (default stderr) through the redaction filter, at `level`."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    debug = root.level <= logging.DEBUG
    # Before the redaction, so that what it shortens is redacted too.
    handler.addFilter(DropNoise(debug))
    handler.addFilter(RedactSecrets(secrets))
    root.handlers[:] = [handler]
    for name, quiet_level in QUIETED.items():
        logging.getLogger(name).setLevel(logging.NOTSET if debug else quiet_level)
