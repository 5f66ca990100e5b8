"""One way to write a listener: its body only, the opening written once here.

A click listener acks, reads the click and answers any error privately to the clicker
(`notices.answering_clicker`); a form listener reads the submission and answers once, with
errors in the form or by accepting it (`notices.answering_form`); an event listener acks
and reads the event callback; the slash command acks, reads the command and answers any
problem through `respond`. The decorators below give each body that opening, and name
what it listens to (action ids, a form's callback id, event types, the command): a feature's
`Listeners` registers its methods with Bolt from those, in the order they are written
(Bolt runs the first listener that matches).

Bolt passes a listener its arguments by parameter name (slack_bolt's kwargs injection reads
the names with `inspect.getfullargspec(inspect.unwrap(listener))`), so the method they return
takes exactly the names Bolt injects, and is deliberately not `functools.wraps`-ed: the
`__wrapped__` that sets would make Bolt read the body's names instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from re import Pattern
from typing import Any, Literal

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import blocks
from bot.deps import Deps
from handlers.notices import FormAnswer, answering_clicker, answering_form
from handlers.payloads import Click, EventCallback, FormSubmission, SlashCommand
from handlers.replies import answering_errors

Matcher = str | Pattern[str]


@dataclass(frozen=True)
class _Call:
    """What Bolt passed the listener."""

    ack: Ack
    body: dict[str, Any]
    respond: Respond | None  # None where the payload has no response_url (events, forms)
    client: WebClient
    context: BoltContext
    logger: logging.Logger


# A feature's method as Bolt calls it; `self` is the feature's Listeners.
Listener = Callable[
    [Any, Ack, dict[str, Any], Respond | None, WebClient, BoltContext, logging.Logger], None
]
Decorator = Callable[[Callable[..., None]], Listener]


@dataclass(frozen=True)
class _Route:
    """What a listener listens to: Bolt's `app.action`, `app.view` or `app.event`, with
    each of these matchers."""

    kind: Literal["command", "action", "view", "event"]
    matchers: tuple[Matcher, ...]


def _listener(
    route: _Route, opening: Callable[[Any, _Call], None], handle: Callable[..., None]
) -> Listener:
    """`opening` as a method Bolt can call (parameters named as Bolt injects them), named
    after the feature's `handle`."""

    def listener(
        self: Any,
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
    listener.route = route  # type: ignore[attr-defined]  # read by Listeners.register
    return listener


class Listeners:
    """A feature's listeners: the methods made with the decorators below."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def register(self, app: App) -> None:
        for attribute in vars(type(self)).values():
            route: _Route | None = getattr(attribute, "route", None)
            if route is None:
                continue
            listen = getattr(app, route.kind)  # app.action, app.view, app.event, app.command
            for matcher in route.matchers:
                listen(matcher)(attribute.__get__(self))  # bound: Bolt passes all but self


@contextmanager
def _answering_click(call: _Call, respond: Respond | None = None) -> Iterator[Click]:
    """Ack, read the click, and answer whatever goes wrong to the clicker alone."""
    call.ack()
    click = Click.read(call.body, call.context)
    with answering_clicker(call.client, click, call.logger, respond=respond):
        yield click


def click_listener(*action_ids: Matcher) -> Decorator:
    """A button or menu listener written as its body; errors go privately to the clicker."""

    def decorate(handle: Callable[[Any, Click, WebClient, logging.Logger], None]) -> Listener:
        def opening(self: Any, call: _Call) -> None:
            with _answering_click(call) as click:
                handle(self, click, call.client, call.logger)

        return _listener(_Route("action", action_ids), opening, handle)

    return decorate


def responding_click_listener(*action_ids: Matcher) -> Decorator:
    """A click on a private message (one only the clicker sees): errors, like the answer,
    go through the click's response_url (`respond`)."""

    def decorate(
        handle: Callable[[Any, Click, Respond, WebClient, logging.Logger], None],
    ) -> Listener:
        def opening(self: Any, call: _Call) -> None:
            with _answering_click(call, call.respond) as click:
                assert call.respond is not None  # Bolt gives one to every message click
                handle(self, click, call.respond, call.client, call.logger)

        return _listener(_Route("action", action_ids), opening, handle)

    return decorate


def command_listener(name: str) -> Decorator:
    """A slash command listener written as its body: acked first, the command read; every
    problem is answered to the requester alone, through `respond`."""

    def decorate(
        handle: Callable[[Any, SlashCommand, Respond, WebClient, logging.Logger], None],
    ) -> Listener:
        def opening(self: Any, call: _Call) -> None:
            call.ack()
            slash = SlashCommand.read(call.body, call.context)
            respond = call.respond
            assert respond is not None  # Bolt gives one to every slash command

            def reply_problem(text: str) -> None:
                respond(**blocks.problem_reply(text))

            with answering_errors(reply_problem, call.logger):
                handle(self, slash, respond, call.client, call.logger)

        return _listener(_Route("command", (name,)), opening, handle)

    return decorate


@dataclass(frozen=True)
class FormCall:
    """What a form listener's body is given: the form sent and its one answer
    (`notices.FormAnswer`), with Slack and the log."""

    form: FormSubmission
    answer: FormAnswer
    client: WebClient
    logger: logging.Logger


def form_listener(callback_id: str, *, field: str) -> Decorator:
    """A form (view submission) listener written as its body: a problem before the body
    accepts the form shows under `field`, after it privately (`notices.answering_form`)."""

    def decorate(handle: Callable[[Any, FormCall], None]) -> Listener:
        def opening(self: Any, call: _Call) -> None:
            form = FormSubmission.read(call.body, call.context)
            with answering_form(call.ack, call.client, form.user_id, field, call.logger) as answer:
                handle(self, FormCall(form, answer, call.client, call.logger))

        return _listener(_Route("view", (callback_id,)), opening, handle)

    return decorate


@dataclass(frozen=True)
class EventCall:
    """What an event listener's body is given: the event callback, Slack, Bolt's context
    (the bot's own user id) and the log."""

    callback: EventCallback
    client: WebClient
    context: BoltContext
    logger: logging.Logger


def event_listener(*event_types: str) -> Decorator:
    """An event listener written as its body: acked first, the callback read. Nobody is
    waiting for an answer, so the body chooses its own error boundary (usually the log)."""

    def decorate(handle: Callable[[Any, EventCall], None]) -> Listener:
        def opening(self: Any, call: _Call) -> None:
            call.ack()
            callback = EventCallback.read(call.body, call.context)
            handle(self, EventCall(callback, call.client, call.context, call.logger))

        return _listener(_Route("event", event_types), opening, handle)

    return decorate
