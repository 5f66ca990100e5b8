"""Property tests over interactivity and event payloads, through the real HTTP front door.

Whatever Slack-shaped (or broken) payload arrives, signed: the app answers, never with a
5xx; no listener raises an unhandled exception; and a forged or malformed payload writes
nothing, neither in the database nor in Slack.

Listeners run after the ack on Bolt's thread pool; every request here returns only once the
listeners it started have finished (tests/support/slack_requests.py waits on the app's tracking
executor), so an error a listener raises long after its ack is caught by `errors` below.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from bot import blocks
from handlers.payloads import shape_problem
from storage.models import (
    AuditEntry,
    CheckinResponse,
    ScheduledPost,
    StatusUpdate,
    Task,
    Vendor,
)
from tests.support.checkin_support import (
    button_click,
    make_task,
    make_vendor,
    payload,
    post_checkin,
)
from tests.support.slack_requests import BotUnderTest

TABLES = (Vendor, Task, AuditEntry, StatusUpdate, CheckinResponse, ScheduledPost)
SLACK_WRITES = (
    "chat.postMessage",
    "chat.update",
    "conversations.join",
    "files.completeUploadExternal",
)


def slack_writes(bot: BotUnderTest) -> list[tuple[str, str]]:
    """Writes to Slack other than a private refusal to the person who clicked (an
    ephemeral message, or a DM when the ephemeral cannot be posted)."""
    return [
        (c.method, str(c.params.get("channel")))
        for c in bot.slack.calls
        if c.method in SLACK_WRITES
        and not (
            c.method == "chat.postMessage"
            and not str(c.params.get("channel", "")).startswith(("C", "G"))
        )
    ]


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True),
    st.text(max_size=50),
    st.text(min_size=5000, max_size=20000).map(lambda s: s[:20000]),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)
ACTION_IDS = st.one_of(
    st.sampled_from([blocks.checkin_action_id(u) for u, _ in blocks.CHECKIN_BUTTONS]),
    st.sampled_from(["checkin_", "checkin_maybe", "unknown_action", ""]),
    st.text(max_size=30),
)
VALUES = st.one_of(
    st.sampled_from(["1:1", "1:2", "2:1", "999:1", "1:999", ":", "1:", "abc:def", "-1:-1"]),
    st.text(max_size=40),
    JUNK,
)


def counts(bot: BotUnderTest) -> tuple[int, ...]:
    with Session(bot.engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(model)).one() for model in TABLES
        )


class ErrorRecords(logging.Handler):
    """Collects log records that carry an exception: an unhandled error in a listener."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or "unhandled" in record.getMessage():
            self.records.append(record)


@pytest.fixture
def errors() -> Any:
    handler = ErrorRecords()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def mutate(base: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    body = copy.deepcopy(base)
    target: Any = body
    for key in path[:-1]:
        if not isinstance(target, dict) or not isinstance(target.get(key), dict | list):
            return body
        target = target[key] if isinstance(target, dict) else target[0] if target else {}
    if isinstance(target, dict):
        if value is _DELETE:
            target.pop(path[-1], None)
        else:
            target[path[-1]] = value
    return body


_DELETE = object()
ACTION_PATHS = [
    ["actions", "action_id"],
    ["channel", "id"],
    ["channel"],
    ["user", "id"],
    ["user"],
    ["container", "message_ts"],
    ["message", "ts"],
    ["message"],
    ["trigger_id"],
    ["type"],
    ["team"],
]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    action_id=ACTION_IDS,
    value=VALUES,
    channel=st.sampled_from(["C0ACME", "C0PUBLIC", "C0OTHER", ""]),
    user=st.sampled_from(["U0VENDOR", "U0ALICE", "U0STRANGER"]),
    edits=st.lists(
        st.tuples(st.sampled_from(ACTION_PATHS), st.one_of(JUNK, st.just(_DELETE))), max_size=3
    ),
)
def test_forged_and_broken_button_clicks_write_nothing(
    forged_world: tuple[BotUnderTest, ScheduledPost],
    errors: ErrorRecords,
    action_id: Any,
    value: Any,
    channel: str,
    user: str,
    edits: list[tuple[list[str], Any]],
) -> None:
    bot, post = forged_world
    before = counts(bot)
    writes_before = slack_writes(bot)
    body = button_click(post, 1, "on_track", user=user, channel=channel or "C0ACME")
    body["actions"][0]["action_id"] = action_id
    body["actions"][0]["value"] = value
    if value == "1:1" and channel in ("C0ACME", ""):
        # Keep it forged: the real post and task would be a legitimate click.
        body["actions"][0]["value"] = "1:999"
    for path, replacement in edits:
        body = mutate(
            body, [p for p in path if p != "actions"] if path[0] != "actions" else path, replacement
        )
        if path[0] == "actions":
            body["actions"][0][path[1]] = None if replacement is _DELETE else replacement
    result = bot.interact(body)
    assert result.status < 500
    assert counts(bot) == before
    assert slack_writes(bot) == writes_before
    assert errors.records == []


EVENT_TYPES = st.sampled_from(
    [
        "message",
        "member_left_channel",
        "channel_left",
        "group_left",
        "channel_archive",
        "group_archive",
        "channel_unshared",
        "app_home_opened",
        "reaction_added",
        "",
    ]
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    event_type=EVENT_TYPES,
    fields=st.dictionaries(
        st.sampled_from(
            ["channel", "user", "text", "ts", "thread_ts", "subtype", "bot_id", "channel_type"]
        ),
        st.one_of(JUNK, st.sampled_from(["C0ACME", "C0OTHER", "U0VENDOR", "1.0"])),
        max_size=8,
    ),
    envelope_edits=st.dictionaries(
        st.sampled_from(["event_id", "team_id", "type", "event_time"]), JUNK, max_size=2
    ),
)
def test_broken_events_never_fail_and_write_nothing_outside_a_thread(
    forged_world: tuple[BotUnderTest, ScheduledPost],
    errors: ErrorRecords,
    event_type: str,
    fields: dict[str, Any],
    envelope_edits: dict[str, Any],
) -> None:
    bot, _ = forged_world
    fields.pop("thread_ts", None)  # a real thread reply is a legitimate write; not here
    if fields.get("channel") == "C0ACME" and event_type in (
        "channel_archive",
        "group_archive",  # the private-channel form of channel_archive: pauses the vendor
        "channel_unshared",
        "member_left_channel",
        "channel_left",
        "group_left",  # the private-channel form of channel_left (bot.channel_changes)
    ):
        fields["channel"] = "C0OTHER"  # a real removal of the vendor channel is legitimate
    envelope = payload("event_thread_reply")
    envelope["event"] = {"type": event_type, **fields}
    envelope.update(envelope_edits)
    before = counts(bot)
    result = bot.event(envelope)
    assert result.status < 500
    assert counts(bot) == before
    assert errors.records == []


@pytest.mark.parametrize(
    "body",
    [
        "payload=",
        "payload=%7Bnot+json",
        "payload=%5B%5D",
        "payload=null",
        "payload=" + "x" * 100_000,
        json.dumps({"payload": {"type": "block_actions"}}),
        "",
        "a=b&c=d",
    ],
    ids=["empty", "bad-json", "list", "null", "huge", "json-body", "nothing", "form-junk"],
)
def test_malformed_bodies_get_an_answer_not_a_crash(
    forged_world: tuple[BotUnderTest, ScheduledPost], errors: ErrorRecords, body: str
) -> None:
    bot, _ = forged_world
    before = counts(bot)
    result = bot.post_signed(body)
    assert result.status < 500
    assert counts(bot) == before


@pytest.fixture
def forged_world(bot: BotUnderTest) -> tuple[BotUnderTest, ScheduledPost]:
    """A vendor with one task and a posted check-in: real ids for payloads to forge."""
    vendor = make_vendor(bot.engine)
    task = make_task(bot.engine, vendor, "Logo refresh")
    post = post_checkin(bot, vendor, [task])
    bot.slack.reset_calls()
    return bot, post


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"type": "block_actions", "user": "U1"}, "`user` is not an object"),
        ({"type": "block_actions", "channel": ["C1"]}, "`channel` is not an object"),
        ({"type": "block_actions", "user": {"id": 5}}, "`user.id` is not text"),
        ({"type": "block_actions", "actions": {"a": 1}}, "`actions` is not a list of objects"),
        ({"type": "block_actions", "actions": [{"value": None, "action_id": 1}]}, "action_id"),
        ({"type": "event_callback", "event": {"type": "message", "text": ["x"]}}, "event.text"),
        ({"type": 7}, "`type` is not text"),
        ([], "not an object"),
    ],
)
def test_shape_problems_are_named(body: Any, problem: str) -> None:
    found = shape_problem(body)
    assert found is not None and problem in found


@pytest.mark.parametrize(
    "event",
    [
        {"type": "user_change", "user": {"id": "U1", "team_id": "T1", "is_restricted": True}},
        {"type": "channel_rename", "channel": {"id": "C1", "name": "new", "created": 1}},
        {"type": "channel_shared", "channel": "C1", "connected_team_id": "T2"},
    ],
)
def test_events_naming_an_object_pass_the_shape_check(event: dict[str, Any]) -> None:
    assert shape_problem({"type": "event_callback", "event": event}) is None


def test_an_events_channel_that_is_neither_text_nor_an_object_is_refused() -> None:
    found = shape_problem({"type": "event_callback", "event": {"channel": ["C1"]}})
    assert found is not None and "event.channel" in found


def test_slack_shaped_payloads_pass_the_shape_check() -> None:
    for name in (
        "block_actions_checkin_button",
        "event_thread_reply",
        "event_member_left_channel",
        "view_submission_checkin_note",
    ):
        assert shape_problem(payload(name)) is None, name
