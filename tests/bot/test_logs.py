"""Secrets never reach the logs: the redaction filter on the root handler."""

from __future__ import annotations

import io
import logging
import sys

from bot.logs import RedactSecrets, configure_logging


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


def test_library_chatter_stays_out_of_the_log_at_info() -> None:
    """No Bolt "token will be unused", no APScheduler line per job run, and a Socket Mode
    failure in one line (the client logs through our `bot.bolt` logger, with a traceback)."""
    stream = io.StringIO()
    configure_logging("INFO", [], stream)
    logging.getLogger("bot.bolt").warning("As you gave `client` as well, `token` will be unused.")
    logging.getLogger("apscheduler.executors.default").info('Job "tick" executed successfully')
    try:
        raise ConnectionRefusedError("[Errno 111] Connection refused")
    except OSError:
        record = logging.getLogger("bot.bolt").makeRecord(
            "bot.bolt",
            logging.ERROR,
            "/venv/site-packages/slack_sdk/socket_mode/builtin/client.py",
            1,
            "Failed to connect (session id: %s)\nmore detail",
            ("abc",),
            sys.exc_info(),
        )
    logging.getLogger("bot.bolt").handle(record)
    chatter = logging.getLogger("bot.bolt").makeRecord(
        "bot.bolt", logging.INFO, "/x/slack_sdk/socket_mode/builtin/client.py", 1, "Ping", (), None
    )
    logging.getLogger("bot.bolt").handle(chatter)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "Failed to connect (session id: abc) (ConnectionRefusedError:" in lines[0]
