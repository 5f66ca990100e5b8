"""The rules behind reviews and ratings as tables (who counts as the vendor, reading the forms),
the home-team look-up against the fake Slack, and the review queries on a session (SQLite and
PostgreSQL): one rating per task even when two submissions race, feedback windows."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import blocks, people, reviews
from bot.checkin_replies import ThreadMessage
from bot.errors import UsageError
from bot.reviews import MessageRef, Rating
from bot.slack_facts import SlackFacts
from handlers.forms import read_rating_form
from storage import reviews as review_store
from storage.database import transaction
from storage.models import (
    Delivery,
    PostKind,
    PostState,
    ReviewOutcome,
    ScheduledPost,
    Task,
    TaskFeedback,
    Vendor,
)
from storage.updates import Reply
from tests.support.checkin_support import make_task, make_vendor
from tests.support.fake_slack import FakeSlack

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------- who is who


def _task(owner: str = "U0OWNER", assignee: str | None = None) -> Task:
    return Task(
        team_id="T0TEAM",
        vendor_id=1,
        title="Logo",
        owner_id=owner,
        assignee_id=assignee,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(
    ("user", "assignee", "outside", "expected"),
    [
        ("U0OWNER", None, False, False),  # the owner closes
        ("U0OWNER", None, True, False),  # ...even if Slack says otherwise
        ("U0OWNER", "U0OWNER", False, False),  # owner and assignee: the owner wins
        ("U0VERA", "U0VERA", False, True),  # the assignee delivers, wherever they are
        ("U0VERA", None, True, True),  # someone outside delivers
        ("U0BOB", None, False, False),  # a colleague closes
        ("U0BOB", "U0VERA", False, False),
        ("U0BOB", "U0VERA", True, True),
    ],
)
def test_who_delivers_rather_than_closes(
    user: str, assignee: str | None, outside: bool, expected: bool
) -> None:
    assert people.is_vendor_contact(_task(assignee=assignee), user, outside) is expected


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(base_url=slack.api_url, token=slack.bot_token)


def test_a_payloads_team_needs_no_lookup(client: WebClient, slack: FakeSlack) -> None:
    cache = SlackFacts()
    assert people.is_outside_user(client, "U0X", "T0TEAM", payload_team_id="T0VENDOR", cache=cache)
    assert not people.is_outside_user(
        client, "U0X", "T0TEAM", payload_team_id="T0TEAM", cache=cache
    )
    assert slack.calls_to("users.info") == []


def test_home_teams_are_looked_up_once_while_fresh(client: WebClient, slack: FakeSlack) -> None:
    now = [0.0]
    cache = SlackFacts(ttl=60, clock=lambda: now[0])
    asks = [("U0VENDOR", True), ("U0VENDOR", True), ("U0ALICE", False), ("U0ALICE", False)]
    for user, outside in asks:
        assert people.is_outside_user(client, user, "T0TEAM", cache=cache) is outside
    assert [c.params["user"] for c in slack.calls_to("users.info")] == ["U0VENDOR", "U0ALICE"]
    now[0] = 60.0  # expired
    assert people.is_outside_user(client, "U0VENDOR", "T0TEAM", cache=cache)
    assert len(slack.calls_to("users.info")) == 3


def test_when_slack_cannot_say_the_user_counts_as_outside_and_is_asked_again(
    client: WebClient, slack: FakeSlack
) -> None:
    cache = SlackFacts()
    slack.fail_next("users.info", "internal_error")
    assert people.is_outside_user(client, "U0ALICE", "T0TEAM", cache=cache)
    assert people.is_outside_user(client, "U0NOBODY", "T0TEAM", cache=cache)  # user_not_found
    assert not people.is_outside_user(client, "U0ALICE", "T0TEAM", cache=cache)
    assert cache.home_team("T0TEAM", "U0ALICE") == "T0TEAM"
    assert cache.home_team("T0TEAM", "U0NOBODY") is None


def test_the_cache_keeps_its_newest_entries() -> None:
    cache = SlackFacts(max_entries=2)
    for user in ("U1", "U2", "U3"):
        cache.remember_home_team("T", user, "T")
    assert [cache.home_team("T", u) for u in ("U1", "U2", "U3")] == [None, "T", "T"]


def test_the_cache_is_safe_across_threads() -> None:
    cache = SlackFacts(max_entries=50)

    def churn(n: int) -> None:
        for i in range(500):
            cache.remember_home_team("T", f"U{n}-{i}", "T")
            cache.home_team("T", f"U{n}-{i - 1}")

    threads = [threading.Thread(target=churn, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache._entries) == 50


# ---------------------------------------------------------------------------- reading forms


def _values(
    quality: Any = "4", timeliness: Any = "3", communication: Any = "5", comment: Any = None
) -> dict[str, Any]:
    def select(value: Any) -> dict[str, Any]:
        option = None if value is None else {"value": value}
        return {"type": "static_select", "selected_option": option}

    return {
        "quality": {"quality_input": select(quality)},
        "timeliness": {"timeliness_input": select(timeliness)},
        "communication": {"communication_input": select(communication)},
        "comment": {"comment_input": {"type": "plain_text_input", "value": comment}},
    }


@pytest.mark.parametrize(
    ("values", "rating"),
    [
        (_values(), Rating(4, 3, 5, "")),
        (_values("1", "1", "1", "  fine  "), Rating(1, 1, 1, "fine")),
        (_values("5", "5", "5", "x" * 2000), Rating(5, 5, 5, "x" * 2000)),
    ],
)
def test_a_rating_form_is_read(values: dict[str, Any], rating: Rating) -> None:
    assert read_rating_form(values) == (rating, {})


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        (_values(quality="6"), ["quality"]),
        (_values(quality="0"), ["quality"]),
        (_values(timeliness="05"), ["timeliness"]),
        (_values(timeliness=" 3"), ["timeliness"]),
        (_values(communication="\uff13"), ["communication"]),  # a full-width digit
        (_values(communication=3), ["communication"]),  # not even a string
        (_values(quality=None, timeliness=None), ["quality", "timeliness"]),
        (_values(comment="x" * 2001), ["comment"]),
        ({}, ["quality", "timeliness", "communication"]),
        (
            {"quality": "junk", "timeliness": [], "communication": {"x": 1}},
            ["quality", "timeliness", "communication"],
        ),
    ],
)
def test_an_unusable_rating_form_says_which_fields(
    values: dict[str, Any], fields: list[str]
) -> None:
    rating, errors = read_rating_form(values)
    assert rating is None and list(errors) == fields


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ("12", (12, None)),
        ("12:DU0ALICE:1700000000.000100", (12, MessageRef("DU0ALICE", "1700000000.000100"))),
        (
            blocks.message_metadata(7, "D0CHAN", "1.2"),
            (7, MessageRef("D0CHAN", "1.2")),
        ),
        (blocks.message_metadata(7, None, None), (7, None)),
    ],
)
def test_form_metadata_is_read(metadata: str, expected: tuple[int, MessageRef | None]) -> None:
    assert reviews.read_form_metadata(metadata, "unknown") == expected


@pytest.mark.parametrize(
    "metadata", ["", "abc", "12:", "12:DU0ALICE", "-1", "1:d0chan:1.2", "1:D0:1.2:3", "1" * 13]
)
def test_forged_form_metadata_is_refused(metadata: str) -> None:
    with pytest.raises(UsageError, match="unknown"):
        reviews.read_form_metadata(metadata, "unknown")


@pytest.mark.parametrize("value", ["", "x", "1.0", "-1", " 1", "1\n", "\uff11", "1" * 13])
def test_a_forged_button_value_is_refused(value: str) -> None:
    with pytest.raises(UsageError):
        reviews.read_id(value, "unknown")


@pytest.mark.parametrize(
    ("text", "result"),
    [("  SVG too  ", "SVG too"), ("a\nb", "a\nb"), ("x" * 2000, "x" * 2000)],
)
def test_a_change_request_is_cleaned(text: str, result: str) -> None:
    assert reviews.clean_change_request(text) == result


@pytest.mark.parametrize("text", ["", "   \n ", "x" * 2001])
def test_an_unusable_change_request_is_refused(text: str) -> None:
    with pytest.raises(UsageError):
        reviews.clean_change_request(text)


@pytest.mark.parametrize(
    ("outcome", "reviewer", "said"),
    [
        (ReviewOutcome.ACCEPTED, "U0ALICE", "already accepted by <@U0ALICE>"),
        (ReviewOutcome.CHANGES_REQUESTED, "U0ALICE", "already requested by <@U0ALICE>"),
        (ReviewOutcome.ACCEPTED, None, "already accepted by someone"),
        (ReviewOutcome.PENDING, None, "waiting for a review"),
    ],
)
def test_a_decision_is_described(outcome: str, reviewer: str | None, said: str) -> None:
    delivery = Delivery(
        task_id=1,
        vendor_id=1,
        delivered_by="U0VENDOR",
        delivered_at=NOW,
        outcome=outcome,
        reviewed_by=reviewer,
    )
    assert said in reviews.describe_decision(delivery)


def test_a_review_quotes_every_line_of_a_request_escaped() -> None:
    task = _task()
    task.id = 3
    delivery = Delivery(
        id=9,
        task_id=3,
        vendor_id=1,
        delivered_by="U0VENDOR",
        delivered_at=NOW,
        outcome=ReviewOutcome.CHANGES_REQUESTED,
        reviewed_by="U0OWNER",
        review_note="one <!here>\ntwo & three",
    )
    text = blocks.changes_requested_notice(task, delivery)["blocks"][1]["text"]["text"]
    assert text == "> one &lt;!here&gt;\n> two &amp; three"


# ---------------------------------------------------------------------------- on a session


@pytest.fixture
def task(engine: Engine) -> Task:
    return make_task(engine, make_vendor(engine), "Logo refresh")


def _rate(engine: Engine, task: Task, quality: int, rated_by: str = "U0ALICE") -> bool:
    with transaction(engine) as session:
        _, created = review_store.save_task_feedback(
            session, task, Rating(quality, 3, 3, ""), rated_by, NOW
        )
    return created


def _ratings(engine: Engine) -> list[tuple[int, str]]:
    with Session(engine) as session:
        rows = session.exec(select(TaskFeedback).order_by(col(TaskFeedback.id))).all()
        return [(r.quality, r.rated_by) for r in rows]


def test_a_second_rating_updates_the_first(engine: Engine, task: Task) -> None:
    assert _rate(engine, task, 4) is True
    assert _rate(engine, task, 2, rated_by="U0BOB") is False
    assert _ratings(engine) == [(2, "U0BOB")]


def test_a_rating_rolls_back_with_its_transaction(engine: Engine, task: Task) -> None:
    with pytest.raises(RuntimeError), transaction(engine) as session:
        review_store.save_task_feedback(
            session,
            task,
            Rating(4, 4, 4, ""),
            "U0ALICE",
            NOW,
        )
        raise RuntimeError("the audit entry failed")
    assert _ratings(engine) == []


class _LockWait:
    """Tells when `second` waits for the lock that an open transaction holds: a real
    signal, not a pause.

    PostgreSQL: the lock manager says a backend is blocked by the first transaction's
    backend (pg_blocking_pids on the ungranted entries of pg_locks), polled on a connection
    of its own since a lock wait has no notification. SQLite: the writer lock is the whole
    database, so `second` waits in its BEGIN IMMEDIATE; the engine's `before_cursor_execute`
    event fires in `second` just before that statement goes to SQLite. (Should the first
    commit before that statement ran, the second would simply begin after it: SQLite
    serialises whole transactions, so the outcome asserted is the same.) Close it only
    once `second` is done: SQLAlchemy's event lists must not change while another thread
    dispatches them.
    """

    def __init__(self, engine: Engine, second: threading.Thread) -> None:
        self.engine = engine
        self.second = second
        self.began = threading.Event()
        self.sqlite = engine.dialect.name != "postgresql"
        if self.sqlite:
            event.listen(engine, "before_cursor_execute", self._before_execute)

    def _before_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread() is self.second and statement == "BEGIN IMMEDIATE":
            self.began.set()

    def wait(self, first: Session, timeout: float = 15) -> None:
        if self.sqlite:
            assert self.began.wait(timeout), "the second rating never began its transaction"
            return
        pid = first.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        blocked = text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks"
            " WHERE NOT granted AND :pid = ANY(pg_blocking_pids(pid)))"
        )
        deadline = time.monotonic() + timeout
        with self.engine.connect() as watcher:
            while not watcher.execute(blocked, {"pid": pid}).scalar_one():
                watcher.rollback()  # a fresh look at the lock table each time
                assert self.second.is_alive(), "the second rating finished without waiting"
                assert time.monotonic() < deadline, "the second rating never waited"
                time.sleep(0.005)

    def close(self) -> None:
        if self.sqlite:
            event.remove(self.engine, "before_cursor_execute", self._before_execute)


def test_two_ratings_racing_each_other_leave_one_row(engine: Engine, task: Task) -> None:
    """The first submission has inserted and not yet committed when the second one saves."""
    outcome: list[bool] = []
    second = threading.Thread(target=lambda: outcome.append(_rate(engine, task, 1, "U0BOB")))
    lock_wait = _LockWait(engine, second)
    try:
        with transaction(engine) as first:
            review_store.save_task_feedback(first, task, Rating(5, 5, 5, ""), "U0ALICE", NOW)
            second.start()
            lock_wait.wait(first)  # the second insert now waits for this transaction's lock
        second.join(timeout=15)
    finally:
        lock_wait.close()
    assert outcome == [False]  # it found the row taken and updated it
    assert _ratings(engine) == [(1, "U0BOB")]


def _feedback_prompt(session: Session, vendor: Vendor, ts: str) -> ScheduledPost:
    post = ScheduledPost(
        vendor_id=vendor.saved_id,
        kind=PostKind.FEEDBACK_PROMPT,
        occurrence=f"prompt-{ts}",
        state=PostState.SENT,
        claimed_by="test",
        claimed_at=NOW,
        channel_id=vendor.channel_id,
        message_ts=ts,
        sent_at=NOW,
    )
    session.add(post)
    session.flush()
    return post


@pytest.fixture
def feedback_vendors(engine: Engine) -> Iterator[tuple[Vendor, Vendor, Vendor]]:
    acme = make_vendor(engine)
    globex = make_vendor(engine, channel_id="C0PUBLIC", name="Globex")
    with transaction(engine) as session:
        other_team = Vendor(
            team_id="T0OTHER",
            channel_id="C0ACME",
            name="Theirs",
            timezone="UTC",
            checkin_cadence="weekdays@09:00",
            summary_cadence="fri@16:00",
            added_by="U0EVE",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(other_team)
        session.flush()
        for vendor, ts in ((acme, "1.0"), (globex, "2.0"), (other_team, "3.0")):
            post = _feedback_prompt(session, vendor, ts)
            for hours in (-1, 0, 24, 48):
                review_store.add_vendor_feedback(
                    session,
                    post,
                    Reply(
                        event_id=None,
                        user_id="U0VENDOR",
                        text=f"{vendor.name} {hours}",
                        message_ts=f"{ts}{hours + 10}",
                        at=NOW + timedelta(hours=hours),
                    ),
                )
    yield acme, globex, other_team


def test_vendor_feedback_is_read_by_window_vendor_and_team(
    engine: Engine, feedback_vendors: tuple[Vendor, Vendor, Vendor]
) -> None:
    acme, globex, _ = feedback_vendors
    end = NOW + timedelta(hours=48)  # exclusive
    with Session(engine) as session:

        def texts(vendor_id: int | None, team_id: str | None = None) -> list[str]:
            found = review_store.vendor_feedback_between(
                session, vendor_id, NOW, end, team_id=team_id
            )
            return [f.text for f in found]

        assert texts(acme.id) == ["Acme 0", "Acme 24"]
        assert texts(None, "T0TEAM") == ["Acme 0", "Globex 0", "Acme 24", "Globex 24"]
        assert len(texts(None)) == 6  # every team's
        assert texts(globex.id, "T0OTHER") == []


def test_a_feedback_reply_in_another_teams_thread_is_not_stored(
    engine: Engine, feedback_vendors: tuple[Vendor, Vendor, Vendor]
) -> None:
    with transaction(engine) as session:
        # the other team's prompt (thread 3.0), in a channel of the same id
        message = ThreadMessage("C0ACME", "3.0", "9.0", "U0VENDOR", "hi")
        stored = reviews.record_vendor_feedback(session, "T0TEAM", message, event_id="Ev1", now=NOW)
    assert stored is None
