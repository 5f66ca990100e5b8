"""Slack listeners, one module per feature, each with its `Listeners`."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import payloads
from handlers.channel_events import ChannelEventListeners
from handlers.checkins import CheckinListeners
from handlers.delegate import DelegateListeners
from handlers.delegate_form import DelegateFormListeners
from handlers.home import HomeListeners
from handlers.lifecycle import LifecycleListeners
from handlers.reviews import ReviewListeners
from handlers.task_creation import TaskCreation
from handlers.vendor_side import VendorSideListeners


def register_all(app: App, deps: Deps) -> None:
    payloads.register(app)  # first: listeners may rely on the payload's shape
    # Task creation serves the command, its form and its confirmation buttons.
    creation = TaskCreation(deps)
    for listeners in (
        DelegateListeners(deps, creation),
        DelegateFormListeners(deps, creation),
        creation,
        CheckinListeners(deps),
        ReviewListeners(deps),
        ChannelEventListeners(deps),
        HomeListeners(deps),
        LifecycleListeners(deps),
        VendorSideListeners(deps),
    ):
        listeners.register(app)
