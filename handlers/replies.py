"""The error boundary every listener runs its work inside.

Whatever goes wrong, the requester gets one short sentence and never a traceback: bad input
gets the UsageError's own message, a database that cannot be reached a "try again", a race
that retries could not settle says so, anything else a generic apology while the details go
to the log. Only a real connection failure is called an outage: a unique key taken by a
concurrent request is not one (storage.database.run_transaction retries those first).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.errors import UsageError
from storage.database import is_connection_failure, lost_a_race, race_kind

DATABASE_DOWN = (
    "I couldn't reach my database just now, so nothing was changed. Please try again in a minute."
)
RACE_LOST = (
    "Someone else changed the same thing at the same moment, so I changed nothing. "
    "Please check and try again."
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
    except (DBAPIError, PoolTimeout) as error:
        if is_connection_failure(error):
            logger.warning("database unavailable: %s", type(error).__name__)
            _safely(reply, DATABASE_DOWN, logger)
        elif isinstance(error, DBAPIError) and lost_a_race(error):
            # What run_transaction's retries could not settle: never an outage.
            logger.warning("gave up on a transaction: %s", race_kind(error))
            _safely(reply, RACE_LOST, logger)
        else:
            # The database is up but refused the write (a constraint, a trigger): a bug.
            logger.error("database refused a write: %s", type(error).__name__)
            _safely(reply, UNEXPECTED, logger)
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
