"""The pure rules behind check-in answers, as tables, and the domain functions on a session
(SQLite and PostgreSQL): duplicates raise DuplicateDelivery, pausing happens once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.blocks.ids import CHECKIN_ACTION_PREFIX
from bot.blocks.lifecycle import format_minutes
from bot.channel_changes import (
    ARCHIVED,
    REMOVED,
    UNSHARED,
    ChannelChange,
    pause_vendor_for_channel_change,
)
from bot.checkin_replies import ThreadMessage, parse_reply
from bot.checkin_updates import (
    ButtonValue,
    ReplyStatus,
    parse_status_reply,
    read_button,
    record_thread_reply,
)
from bot.errors import DuplicateDelivery, UsageError
from handlers.payloads import read_channel_change, read_thread_reply
from storage import vendors
from storage.database import transaction
from storage.models import PostKind, PostState, ScheduledPost, TaskUpdate
from tests.support.checkin_support import make_task, make_vendor, responses

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)

REPLIES = [
    (
        "#12 blocked waiting for the assets",
        ReplyStatus(12, TaskUpdate.BLOCKED, "waiting for the assets"),
    ),
    ("12 done", ReplyStatus(12, TaskUpdate.DONE, "")),
    ("#3 on track", ReplyStatus(3, TaskUpdate.ON_TRACK, "")),
    ("#3 On Track", ReplyStatus(3, TaskUpdate.ON_TRACK, "")),
    ("#3 on-track, shipping friday", ReplyStatus(3, TaskUpdate.ON_TRACK, "shipping friday")),
    ("#4 at risk", ReplyStatus(4, TaskUpdate.AT_RISK, "")),
    ("#4 at-risk: the printer is down", ReplyStatus(4, TaskUpdate.AT_RISK, "the printer is down")),
    ("#4 AT RISK - late", ReplyStatus(4, TaskUpdate.AT_RISK, "late")),
    ("  #7   done.", ReplyStatus(7, TaskUpdate.DONE, "")),
    ("#7: done!", ReplyStatus(7, TaskUpdate.DONE, "")),
    ("7. blocked\nneed the logo files", ReplyStatus(7, TaskUpdate.BLOCKED, "need the logo files")),
    ("#8 done <!channel>", ReplyStatus(8, TaskUpdate.DONE, "<!channel>")),
    ("#5 blocked on legal", ReplyStatus(5, TaskUpdate.BLOCKED, "on legal")),
    ("#5 blocked — legal review", ReplyStatus(5, TaskUpdate.BLOCKED, "legal review")),
]
NOT_STATUSES = [
    "",
    "done",
    "#12",
    "blocked #12",
    "#12blocked",
    "#12 doneish",
    "#12 done-ish",
    "#12 is done",
    "#12 on tracking",
    "#12 at",
    "#abc done",
    "#1234567890 done",  # more digits than any task id
    "task 12 done",
    "١٢ done",  # Arabic-Indic digits are not a task id
]


@pytest.mark.parametrize(("text", "expected"), REPLIES, ids=[r[0] for r in REPLIES])
def test_status_replies(text: str, expected: ReplyStatus) -> None:
    assert parse_status_reply(text) == expected


@pytest.mark.parametrize("text", NOT_STATUSES)
def test_replies_that_are_not_statuses(text: str) -> None:
    assert parse_status_reply(text) is None


def test_a_long_note_is_cut_to_the_column_size() -> None:
    said = parse_status_reply("#1 blocked " + "x" * 3000)
    assert said is not None and len(said.note) == 2000


BUTTONS = [
    ("checkin_on_track", "3:12", "task:12", ButtonValue(3, 12), TaskUpdate.ON_TRACK),
    ("checkin_at_risk", "3:12", "task:12", ButtonValue(3, 12), TaskUpdate.AT_RISK),
    ("checkin_blocked", "3:12", "", ButtonValue(3, 12), TaskUpdate.BLOCKED),
    ("checkin_done", "30:1", "task:1", ButtonValue(30, 1), TaskUpdate.DONE),
]


@pytest.mark.parametrize(("action_id", "value", "block_id", "button", "status"), BUTTONS)
def test_buttons(
    action_id: str, value: str, block_id: str, button: ButtonValue, status: TaskUpdate
) -> None:
    assert read_button(action_id, value, block_id, CHECKIN_ACTION_PREFIX) == (button, status)


@pytest.mark.parametrize(
    ("action_id", "value", "block_id"),
    [
        ("checkin_done", "3:12", "task:13"),  # block and value disagree
        ("checkin_done", "3:12", "actions"),
        ("checkin_done", "3:12\n", "task:12"),
        ("checkin_finished", "3:12", "task:12"),
        ("other_done", "3:12", "task:12"),
        ("checkin_done", "3", "task:3"),
        ("checkin_done", "3:12:1", "task:12"),
        ("checkin_done", "-3:12", "task:12"),
        ("checkin_done", "a:b", "task:12"),
        ("checkin_done", "", "task:12"),
        ("checkin_done", "3:\uff11\uff12", "task:12"),  # full-width digits
    ],
)
def test_buttons_that_are_refused(action_id: str, value: str, block_id: str) -> None:
    with pytest.raises(UsageError, match="couldn't read that button"):
        read_button(action_id, value, block_id, CHECKIN_ACTION_PREFIX)


def _message(**fields: Any) -> dict[str, Any]:
    event = {
        "type": "message",
        "user": "U0VENDOR",
        "text": "#1 done",
        "ts": "2.000",
        "thread_ts": "1.000",
        "channel": "C0ACME",
    }
    return {**event, **fields}


REPLY_EVENTS = [
    (_message(), ThreadMessage("C0ACME", "1.000", "2.000", "U0VENDOR", "#1 done")),
    (
        _message(subtype="thread_broadcast"),
        ThreadMessage("C0ACME", "1.000", "2.000", "U0VENDOR", "#1 done"),
    ),
    (
        _message(subtype="file_share", text=""),
        ThreadMessage("C0ACME", "1.000", "2.000", "U0VENDOR", ""),
    ),
    (_message(bot_id="B0BOT"), None),
    (_message(bot_profile={"id": "B0OTHER"}), None),
    (_message(user="U0BOT"), None),
    (_message(user=None), None),
    (_message(subtype="bot_message"), None),
    (_message(subtype="message_changed"), None),
    (_message(subtype="message_deleted"), None),
    (_message(subtype="channel_join"), None),
    (_message(thread_ts=None), None),  # not in a thread
    (_message(thread_ts="2.000"), None),  # the thread's parent itself
    (_message(channel=None), None),
    (_message(type="app_mention"), None),
]


@pytest.mark.parametrize(("event", "expected"), REPLY_EVENTS)
def test_thread_replies(event: dict[str, Any], expected: ThreadMessage | None) -> None:
    assert read_thread_reply(event, "U0BOT") == expected


CHANNEL_EVENTS = [
    (
        {"type": "member_left_channel", "user": "U0BOT", "channel": "C1"},
        ChannelChange("C1", REMOVED, "U0BOT"),
    ),
    ({"type": "member_left_channel", "user": "U0BOB", "channel": "C1"}, None),
    (
        {"type": "channel_left", "channel": "C1", "actor_id": "U0BOB"},
        ChannelChange("C1", REMOVED, "U0BOB"),
    ),
    ({"type": "group_left", "channel": "G1"}, ChannelChange("G1", REMOVED, "U0BOT")),
    (
        {"type": "channel_archive", "channel": "C1", "user": "U0BOB"},
        ChannelChange("C1", ARCHIVED, "U0BOB"),
    ),
    ({"type": "group_archive", "channel": "G1"}, ChannelChange("G1", ARCHIVED, "U0BOT")),
    ({"type": "channel_unshared", "channel": "C1"}, ChannelChange("C1", UNSHARED, "U0BOT")),
    ({"type": "channel_unarchive", "channel": "C1"}, None),
    ({"type": "channel_archive"}, None),
    ({"type": "channel_archive", "channel": {"id": "C1"}}, ChannelChange("C1", ARCHIVED, "U0BOT")),
]


@pytest.mark.parametrize(("event", "expected"), CHANNEL_EVENTS)
def test_channel_changes(event: dict[str, Any], expected: ChannelChange | None) -> None:
    assert read_channel_change(event, "U0BOT") == expected


def test_a_member_left_event_is_no_removal_when_the_bot_user_is_unknown() -> None:
    assert (
        read_channel_change({"type": "member_left_channel", "user": "U0BOT", "channel": "C1"}, None)
        is None
    )


@pytest.mark.parametrize(
    ("minutes", "text"), [(240, "4h"), (90, "1h30m"), (45, "45m"), (1440, "1d"), (1560, "1d2h")]
)
def test_format_minutes(minutes: int, text: str) -> None:
    assert format_minutes(minutes) == text


# ---------------------------------------------------------------------------- on a session


def _sent_checkin(engine: Engine) -> ScheduledPost:
    vendor = make_vendor(engine)
    make_task(engine, vendor, "Logo refresh")
    with transaction(engine) as session:
        post = ScheduledPost(
            vendor_id=vendor.saved_id,
            kind=PostKind.CHECKIN,
            occurrence="2026-11-30T09:00",
            state=PostState.SENT,
            claimed_by="test",
            claimed_at=NOW,
            channel_id="C0ACME",
            message_ts="1.000",
            sent_at=NOW,
        )
        session.add(post)
    return post


def _reply(engine: Engine, event_id: str | None, ts: str, text: str = "hello") -> object:
    with transaction(engine) as session:
        message = ThreadMessage("C0ACME", "1.000", ts, "U0VENDOR", text)
        return record_thread_reply(
            session, "T0TEAM", message, event_id=event_id, user_is_outside=True, now=NOW
        )


def test_a_reply_stored_twice_raises_duplicate_delivery(engine: Engine) -> None:
    _sent_checkin(engine)
    _reply(engine, "Ev1", "2.000", "#1 on track")
    with pytest.raises(DuplicateDelivery):
        _reply(engine, "Ev1", "2.000", "#1 on track")  # a retry
    with pytest.raises(DuplicateDelivery):
        _reply(engine, "Ev2", "2.000")  # same message under another event id
    with pytest.raises(DuplicateDelivery):
        _reply(engine, "Ev1", "3.000")  # an event id seen before
    _reply(engine, None, "4.000")
    _reply(engine, None, "5.000")  # no event id (Socket Mode tests, replays): ts decides
    assert [r.message_ts for r in responses(engine)] == ["2.000", "4.000", "5.000"]


def test_a_reply_in_a_thread_that_is_no_checkin_is_not_stored(engine: Engine) -> None:
    _sent_checkin(engine)
    with transaction(engine) as session:
        message = ThreadMessage("C0ACME", "9.000", "10.000", "U0VENDOR", "#1 done")
        found = record_thread_reply(
            session, "T0TEAM", message, event_id="Ev9", user_is_outside=True, now=NOW
        )
    assert found is None and responses(engine) == []


def test_pausing_for_the_same_reason_twice_pauses_once(engine: Engine) -> None:
    vendor = make_vendor(engine)
    change = ChannelChange("C0ACME", REMOVED, "U0BOT")
    for expected in (True, False, False):
        with transaction(engine) as session:
            paused = pause_vendor_for_channel_change(
                session, team_id="T0TEAM", change=change, now=NOW
            )
        assert (paused is not None) == expected
    with transaction(engine) as session:
        again = pause_vendor_for_channel_change(
            session, team_id="T0TEAM", change=ChannelChange("C0ACME", ARCHIVED, "U0BOB"), now=NOW
        )
        assert again is not None and again.pause_reason == ARCHIVED
        other_team = pause_vendor_for_channel_change(
            session, team_id="T0OTHER", change=change, now=NOW
        )
        assert other_team is None
        stored = vendors.get_vendor(session, vendor.saved_id)
        assert stored is not None and stored.paused and stored.pause_reason == ARCHIVED


def test_a_reply_with_several_tasks_and_unread_parts() -> None:
    parsed = parse_reply("#7 on track, #10 blocked waiting for assets; #11 blokced and #12 done")
    assert [(s.task_id, s.status) for s in parsed.statuses] == [
        (7, TaskUpdate.ON_TRACK),
        (10, TaskUpdate.BLOCKED),
        (12, TaskUpdate.DONE),
    ]
    assert parsed.unread == ("#11 blokced",)
    # A task id inside a note stays in the note.
    [said] = parse_reply("#7 blocked until #10 is merged").statuses
    assert said.note == "until #10 is merged"
    assert not parse_reply("thanks all, see you at 12").addressed_to_bot
    assert parse_reply("All on track, thanks!").all_on_track
