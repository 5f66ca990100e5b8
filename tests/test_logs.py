"""Secrets never reach the logs: the redaction filter on the root handler."""

from __future__ import annotations

import io
import logging

from bot.logs import RedactSecrets


def capture(secrets: list[str]) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets(secrets))
    logger = logging.getLogger(f"test.redaction.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_configured_secrets_and_token_shapes_are_redacted() -> None:
    logger, stream = capture(["signing-secret-123456"])
    logger.info("secret %s and token %s", "signing-secret-123456", "xoxb-1234-5678-abcdef")
    logger.warning("app token xapp-1-A0-123-abc in a message")
    output = stream.getvalue()
    assert "signing-secret-123456" not in output
    assert "xoxb-1234-5678-abcdef" not in output and "xapp-1-A0-123-abc" not in output
    assert output.count("[redacted]") == 3


def test_tracebacks_are_redacted_too() -> None:
    logger, stream = capture(["hunter2-hunter2"])
    try:
        raise RuntimeError("failed with hunter2-hunter2")
    except RuntimeError:
        logger.exception("boom")
    output = stream.getvalue()
    assert "hunter2-hunter2" not in output and "RuntimeError" in output
