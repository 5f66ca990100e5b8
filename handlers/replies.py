"""The error boundary every listener runs its work inside.

Whatever goes wrong, the requester gets one short sentence and never a traceback: bad input
gets the UsageError's own message, a database outage a "try again", anything else a generic
apology while the details go to the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError, OperationalError, TimeoutError

from bot.errors import UsageError

DATABASE_DOWN = (
    "I couldn't reach my database just now, so nothing was changed. Please try again in a minute."
)
SLACK_FAILED = "Slack didn't accept my request just now. Please try again in a minute."
UNEXPECTED = (
    "Something went wrong on my side. Please try again; if it keeps happening, tell your admin."
)


@contextmanager
def answering_errors(reply: Callable[[str], object], logger: logging.Logger) -> Iterator[None]:
    try:
        yield
    except UsageError as error:
        _safely(reply, error.message, logger)
    except (OperationalError, TimeoutError, DBAPIError) as error:
        logger.warning("database unavailable: %s", type(error).__name__)
        _safely(reply, DATABASE_DOWN, logger)
    except SlackApiError as error:
        logger.warning("Slack API error: %s", error.response.get("error"))
        _safely(reply, SLACK_FAILED, logger)
    except Exception:
        logger.exception("unexpected error in a listener")
        _safely(reply, UNEXPECTED, logger)


def _safely(reply: Callable[[str], object], text: str, logger: logging.Logger) -> None:
    try:
        reply(text)
    except Exception:  # the reply channel itself may be what failed
        logger.warning("could not deliver an error reply", exc_info=True)
