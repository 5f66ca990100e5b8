"""Helpers for the trial, scorecard and spend tests: costs and change requests written
straight into the tables, clicks on a DM's buttons as Slack sends them, and what the
database and the fake Slack hold."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.database import transaction
from storage.models import (
    Delivery,
    ReviewOutcome,
    Task,
    Vendor,
    VendorTrialDecision,
)
from tests.support.checkin_support import payload
from tests.support.fake_slack import FakeSlack
from tests.support.scheduling import utc
from tests.support.slack_requests import rendered

OWNER_DM = "DU0ALICE"  # the fake's DM channel between the bot and U0ALICE
# An amount of money as the bot writes it, or a bare number with decimals.
MONEY = re.compile(r"\b(?:[A-Z]{3} [0-9][0-9,]*(?:\.[0-9]+)?|[0-9]+\.[0-9]{2})\b")


def set_cost(engine: Engine, item: Task, minor: int | None) -> None:
    with transaction(engine) as session:
        fresh = session.get(Task, item.id)
        assert fresh is not None
        fresh.cost_minor = minor
        session.add(fresh)


def changes_requested(engine: Engine, item: Task, delivered: str, reviewed: str) -> None:
    """The vendor delivered at `delivered`; the owner sent it back at `reviewed`."""
    with transaction(engine) as session:
        session.add(
            Delivery(
                task_id=item.saved_id,
                vendor_id=item.vendor_id,
                delivered_by="U0VENDOR",
                delivered_at=utc(delivered),
                outcome=ReviewOutcome.CHANGES_REQUESTED,
                reviewed_by=item.owner_id,
                reviewed_at=utc(reviewed),
                review_note="More contrast",
            )
        )


def the_vendor(engine: Engine, channel_id: str = "C0ACME") -> Vendor:
    with Session(engine) as session:
        return session.exec(select(Vendor).where(Vendor.channel_id == channel_id)).one()


def all_tasks(engine: Engine) -> list[Task]:
    with Session(engine) as session:
        return list(session.exec(select(Task).order_by(col(Task.id))).all())


def decisions(engine: Engine) -> list[VendorTrialDecision]:
    with Session(engine) as session:
        return list(
            session.exec(select(VendorTrialDecision).order_by(col(VendorTrialDecision.id))).all()
        )


def dms_about(slack: FakeSlack, words: str, channel: str = OWNER_DM) -> list[dict[str, Any]]:
    """Top-level messages in a DM whose text contains `words`."""
    return [m for m in slack.messages_in(channel) if words in rendered(m)]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def dm_click(
    message: dict[str, Any],
    action_id: str,
    *,
    user: str = "U0ALICE",
    team: str = "T0TEAM",
    channel: str = OWNER_DM,
) -> dict[str, Any]:
    """A click on one of the buttons of a DM the bot sent, as Slack sends it."""
    [button] = [b for b in buttons(message) if b["action_id"] == action_id]
    body = payload("block_actions_review_button")
    body["user"].update(id=user, username=user.lower(), name=user.lower(), team_id=team)
    body["container"].update(channel_id=channel, message_ts=message["ts"])
    body["channel"]["id"] = channel
    body["message"].update(ts=message["ts"], text=message["text"])
    body["actions"][0].update(action_id=action_id, value=button["value"], block_id="trial")
    return body


def vendor_channel_text(slack: FakeSlack, channel_id: str = "C0ACME") -> str:
    """Everything posted in a vendor's channel, as its members read it."""
    return "\n".join(rendered(message) for message in slack.messages_in(channel_id))
