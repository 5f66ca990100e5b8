"""Slack listeners, one module per feature, each with a `register` function."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import (
    channel_events,
    checkins,
    delegate,
    home,
    lifecycle,
    payloads,
    reviews,
    vendor_side,
)


def register_all(app: App, deps: Deps) -> None:
    payloads.register(app)  # first: listeners may rely on the payload's shape
    delegate.register(app, deps)
    checkins.register(app, deps)
    reviews.register(app, deps)
    channel_events.register(app, deps)
    home.register(app, deps)
    lifecycle.register(app, deps)
    vendor_side.register(app, deps)
