"""What listeners need besides Bolt's own arguments, built once at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from bot.config import Settings, VendorDefaults
from bot.slack_facts import SlackFacts


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    vendor_defaults: VendorDefaults
    # Time is a parameter: tests move it with freezegun, the console with its own clock.
    clock: Callable[[], datetime] = field(default=utc_now)
    # What Slack said about channels and users (bot.slack_facts), per app rather than per
    # module: a test, or the console with its own workspace, starts with an empty one.
    slack_facts: SlackFacts = field(default_factory=SlackFacts)
