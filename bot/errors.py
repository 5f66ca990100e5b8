"""Errors that carry a message meant for the person who typed the command."""


class UsageError(Exception):
    """Bad input from a user: the message says what was wrong and how to write it.

    Raised by parsers and domain functions before anything is written; handlers turn it
    into a short reply to the requester.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DuplicateDelivery(Exception):
    """Slack delivered an event we have already stored (a retry): do nothing again."""
