"""One way to write a listener: its body only, the opening written once here.

A click listener acks, reads the click and answers any error privately to the clicker
(`notices.answering_clicker`); a form listener reads the submission and answers once, with
errors in the form or by accepting it (`notices.answering_form`); an event listener acks
and reads the event callback. The decorators below give each body that opening.

Bolt passes a listener its arguments by parameter name (slack_bolt's kwargs injection reads
the names with `inspect.getfullargspec(inspect.unwrap(listener))`), so the method they return
takes exactly the names Bolt injects, and is deliberately not `functools.wraps`-ed: the
`__wrapped__` that sets would make Bolt read the body's names instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from handlers.notices import FormAnswer, answering_clicker, answering_form
from handlers.payloads import Click, EventCallback, FormSubmission

S = TypeVar("S")


@dataclass(frozen=True)
class _Call:
    """What Bolt passed the listener."""

    ack: Ack
    body: dict[str, Any]
    respond: Respond | None  # None where the payload has no response_url (events, forms)
    client: WebClient
    context: BoltContext
    logger: logging.Logger


Listener = Callable[
    [S, Ack, dict[str, Any], Respond | None, WebClient, BoltContext, logging.Logger], None
]


def _listener(opening: Callable[[S, _Call], None], handle: Callable[..., None]) -> Listener[S]:
    """`opening` as a method Bolt can call (parameters named as Bolt injects them), named
    after the feature's `handle`."""

    def listener(
        self: S,
        ack: Ack,
        body: dict[str, Any],
        respond: Respond | None,
        client: WebClient,
        context: BoltContext,
        logger: logging.Logger,
    ) -> None:
        opening(self, _Call(ack, body, respond, client, context, logger))

    # Logs and tracebacks name the feature's method, not the wrapper.
    listener.__name__ = handle.__name__
    listener.__qualname__ = handle.__qualname__
    listener.__doc__ = handle.__doc__
    return listener


def click_listener(handle: Callable[[S, Click, WebClient, logging.Logger], None]) -> Listener[S]:
    """A button or menu listener written as its body; errors go privately to the clicker."""

    def opening(self: S, call: _Call) -> None:
        call.ack()
        click = Click.read(call.body, call.context)
        with answering_clicker(call.client, click, call.logger):
            handle(self, click, call.client, call.logger)

    return _listener(opening, handle)


def responding_click_listener(
    handle: Callable[[S, Click, Respond, WebClient, logging.Logger], None],
) -> Listener[S]:
    """A click on a private message (one only the clicker sees): errors, like the answer,
    go through the click's response_url (`respond`)."""

    def opening(self: S, call: _Call) -> None:
        call.ack()
        click = Click.read(call.body, call.context)
        with answering_clicker(call.client, click, call.logger, respond=call.respond):
            assert call.respond is not None  # Bolt gives one to every message click
            handle(self, click, call.respond, call.client, call.logger)

    return _listener(opening, handle)


FormBody = Callable[[S, FormSubmission, FormAnswer, WebClient, logging.Logger], None]


def form_listener(field: str) -> Callable[[FormBody[S]], Listener[S]]:
    """A form (view submission) listener written as its body: a problem before the body
    accepts the form shows under `field`, after it privately (`notices.answering_form`)."""

    def decorate(handle: FormBody[S]) -> Listener[S]:
        def opening(self: S, call: _Call) -> None:
            form = FormSubmission.read(call.body, call.context)
            with answering_form(call.ack, call.client, form.user_id, field, call.logger) as answer:
                handle(self, form, answer, call.client, call.logger)

        return _listener(opening, handle)

    return decorate


def event_listener(
    handle: Callable[[S, EventCallback, WebClient, BoltContext, logging.Logger], None],
) -> Listener[S]:
    """An event listener written as its body: acked first, the callback read. Nobody is
    waiting for an answer, so the body chooses its own error boundary (usually the log)."""

    def opening(self: S, call: _Call) -> None:
        call.ack()
        callback = EventCallback.read(call.body, call.context)
        handle(self, callback, call.client, call.context, call.logger)

    return _listener(opening, handle)
