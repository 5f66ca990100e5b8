"""Helpers for check-in tests: vendors, tasks and a posted check-in made with storage
functions (no scheduler), and Slack payloads built from the named fixture files."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import blocks
from storage import tasks as task_store
from storage import vendors as vendor_store
from storage.checkins import add_checkin_tasks, checkin_rows
from storage.database import transaction
from storage.models import (
    AuditEntry,
    CheckinResponse,
    PostKind,
    PostState,
    ScheduledPost,
    StatusUpdate,
    Task,
    Vendor,
)
from tests.support.paths import TESTS
from tests.support.slack_requests import BotUnderTest, HttpResult, sign

PAYLOADS = TESTS / "fixtures" / "payloads"
# A Monday, 10:00 UTC; the check-in went out at 09:00.
MONDAY = "2026-11-30 10:00:00"
SENT_AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@cache
def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    return data


def payload(name: str) -> dict[str, Any]:
    """A fresh copy of a named payload from tests/fixtures/payloads."""
    return copy.deepcopy(_fixture(name))


# ---------------------------------------------------------------------------- data


def make_vendor(
    engine: Engine, channel_id: str = "C0ACME", name: str = "Acme", added_by: str = "U0ALICE"
) -> Vendor:
    with transaction(engine) as session:
        return vendor_store.add_vendor(
            session,
            Vendor(
                team_id="T0TEAM",
                channel_id=channel_id,
                name=name,
                timezone="UTC",
                checkin_cadence="weekdays@09:00",
                summary_cadence="fri@16:00",
                added_by=added_by,
                created_at=SENT_AT,
                updated_at=SENT_AT,
            ),
        )


def make_task(engine: Engine, vendor: Vendor, title: str, owner_id: str = "U0ALICE") -> Task:
    with transaction(engine) as session:
        new = task_store.NewTask(title, "", owner_id, assignee_id=None, due_date=None)
        return task_store.create_task(session, vendor, new, SENT_AT)


def post_checkin(
    bot: BotUnderTest, vendor: Vendor, tasks: Sequence[Task], sent_at: datetime = SENT_AT
) -> ScheduledPost:
    """A check-in as the scheduler leaves it: claimed, its message in the channel, sent."""
    with transaction(bot.engine) as session:
        post = ScheduledPost(
            vendor_id=vendor.saved_id,
            kind=PostKind.CHECKIN,
            occurrence=f"2026-11-30T09:00#{uuid.uuid4().hex[:6]}",
            claimed_by="test",
            claimed_at=sent_at,
            channel_id=vendor.channel_id,
        )
        session.add(post)
        session.flush()
        add_checkin_tasks(session, post, tasks)
        message = blocks.checkin_message(
            vendor, post.saved_id, checkin_rows(session, post), sent_at.date()
        )
        post.message_ts = bot.slack.add_message(
            vendor.channel_id, message["text"], user=bot.slack.bot_user_id, blocks=message["blocks"]
        )
        post.state = PostState.SENT
        post.sent_at = sent_at
        session.add(post)
    return post


def status_updates(engine: Engine) -> list[StatusUpdate]:
    with Session(engine) as session:
        return list(session.exec(select(StatusUpdate).order_by(col(StatusUpdate.id))).all())


def responses(engine: Engine) -> list[CheckinResponse]:
    with Session(engine) as session:
        return list(session.exec(select(CheckinResponse).order_by(col(CheckinResponse.id))).all())


def audit_actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [e.action for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))]


def get_task(engine: Engine, task_id: int) -> Task:
    with Session(engine) as session:
        task = session.get(Task, task_id)
        assert task is not None
        return task


def get_vendor(engine: Engine, vendor_id: int) -> Vendor:
    with Session(engine) as session:
        vendor = session.get(Vendor, vendor_id)
        assert vendor is not None
        return vendor


# ---------------------------------------------------------------------------- payloads


def button_click(
    post: ScheduledPost,
    task_id: int,
    status: str,
    *,
    user: str = "U0VENDOR",
    channel: str | None = None,
    value: str | None = None,
) -> dict[str, Any]:
    """A click on one of a check-in's buttons, as Slack sends it (block_actions)."""
    body = payload("block_actions_checkin_button")
    channel = channel or post.channel_id
    body["user"]["id"] = user
    body["channel"]["id"] = channel
    body["container"].update(channel_id=channel, message_ts=post.message_ts)
    body["message"]["ts"] = post.message_ts
    body["actions"][0].update(
        action_id=f"{blocks.CHECKIN_ACTION_PREFIX}{status}",
        block_id=f"task:{task_id}",
        value=value if value is not None else f"{post.id}:{task_id}",
    )
    return body


def note_submission(update_id: int | str, note: str, user: str = "U0VENDOR") -> dict[str, Any]:
    body = payload("view_submission_checkin_note")
    body["user"]["id"] = user
    body["view"]["private_metadata"] = str(update_id)
    body["view"]["state"]["values"]["note"]["note_input"]["value"] = note
    return body


_reply_counter = iter(range(1, 1_000_000))


def thread_reply(
    post: ScheduledPost,
    text: str,
    *,
    user: str = "U0VENDOR",
    event_id: str | None = None,
    ts: str | None = None,
    **event: Any,
) -> dict[str, Any]:
    """An event_callback envelope for a reply in the check-in's thread."""
    envelope = payload("event_thread_reply")
    number = next(_reply_counter)
    reply_ts = ts or f"1764496800.{number:06d}"
    envelope["event_id"] = event_id or f"Ev{uuid.uuid4().hex[:10].upper()}"
    fields: dict[str, Any] = {
        "user": user,
        "text": text,
        "ts": reply_ts,
        "event_ts": reply_ts,
        "thread_ts": post.message_ts,
        "channel": post.channel_id,
    }
    envelope["event"].update(fields | event)
    return envelope


def event_envelope(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    envelope = payload("event_member_left_channel")
    envelope["event"] = event
    envelope["event_id"] = event_id or f"Ev{uuid.uuid4().hex[:10].upper()}"
    return envelope


def redeliver(bot: BotUnderTest, envelope: dict[str, Any], attempt: int = 1) -> HttpResult:
    """The same event again, as Slack retries it: same event_id, X-Slack-Retry-* headers."""
    body = json.dumps(envelope)
    headers = {
        **sign(body),
        "X-Slack-Retry-Num": str(attempt),
        "X-Slack-Retry-Reason": "http_timeout",
    }
    return bot.post(body, "application/json", headers)


def sent_text(call_params: dict[str, Any]) -> str:
    """Everything a Slack message call carried, as one string to search."""
    return str(call_params.get("text", "")) + json.dumps(call_params.get("blocks") or [])
