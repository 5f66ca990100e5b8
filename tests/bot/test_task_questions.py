"""Questions the vendor asks in a task's thread, end to end: signed message events to the
real app, then `/delegate summary` shows the unanswered ones under "Waiting on us".

Listeners run after the ack, so a test that expects a message to be ignored sends it first,
then a question that must be stored (the barrier), and checks only that one landed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from freezegun import freeze_time
from sqlmodel import Session, col, select

from bot.task_questions import is_question
from storage import tasks as task_store
from storage.database import transaction
from storage.models import Task, TaskQuestion, TaskStatus, Vendor
from tests.support.checkin_support import make_task, make_vendor, payload, redeliver, thread_reply
from tests.support.slack_requests import BotUnderTest, rendered

# Wednesday 2 Dec 2026, 10:00 UTC.
WEDNESDAY = "2026-12-02 10:00:00"


class _Thread:
    """Where thread_reply sends a reply: the task's announcement in the vendor channel."""

    def __init__(self, channel_id: str, message_ts: str) -> None:
        self.channel_id = channel_id
        self.message_ts = message_ts


def announce(bot: BotUnderTest, vendor: Vendor, title: str) -> tuple[Task, Any]:
    """A task and its announcement in the vendor's channel, as `/delegate` leaves them."""
    task = make_task(bot.engine, vendor, title)
    ts = bot.slack.add_message(vendor.channel_id, f"New task: {title}", user=bot.slack.bot_user_id)
    with transaction(bot.engine) as session:
        fresh = session.get(Task, task.id)
        assert fresh is not None
        task_store.set_announcement_ts(session, fresh, ts, fresh.created_at)
    return task, _Thread(vendor.channel_id, ts)


def questions(bot: BotUnderTest) -> list[TaskQuestion]:
    with Session(bot.engine) as session:
        return list(session.exec(select(TaskQuestion).order_by(col(TaskQuestion.id))).all())


def waiting_on_us(bot: BotUnderTest) -> str:
    """The "Waiting on us" part of the summary `/delegate summary` posts now ("" if none)."""
    before = len(bot.slack.messages_in("C0ACME"))
    assert "Posted the summary" in bot.command("summary")
    summary = rendered(bot.slack.messages_in("C0ACME")[before])
    return summary.split("*Waiting on us*", 1)[1] if "*Waiting on us*" in summary else ""


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Which logo size do you want?", True),
        ("ok? thanks", True),
        ("Is the font in <https://x.test/brand|the brand book>?", True),
        ("Done, see <https://x.test/?page=2>", False),
        ("Files are in https://x.test/brief?page=2", False),
        ("Files in www.x.test/?p=2, ok?", True),
        ("Uploaded `a?b` and ```x ? y```", False),
        ("<@U0ALICE> fyi", False),
        ("All good, thanks!", False),
    ],
)
def test_what_counts_as_a_question(text: str, asks: bool) -> None:
    assert is_question(text) is asks


@freeze_time(WEDNESDAY)
def test_a_vendor_question_waits_on_us_until_the_team_replies(bot: BotUnderTest) -> None:
    vendor = make_vendor(bot.engine)
    logo, thread = announce(bot, vendor, "Logo refresh")
    assert (
        bot.event(thread_reply(thread, "Which size &lt;b&gt; do you need, @channel?")).status == 200
    )

    [question] = questions(bot)
    assert (question.task_id, question.user_id, question.answered_at) == (logo.id, "U0VENDOR", None)
    assert question.text == "Which size <b> do you need, @channel?"  # kept as plain text
    waiting = waiting_on_us(bot)
    assert f"• *#{logo.id}* Logo refresh · your question of Wed 2 Dec: " in waiting
    assert "“Which size &lt;b&gt; do you need, @channel?”" in waiting  # escaped again

    # The vendor adding to the thread answers nothing; the team's reply answers it.
    assert bot.event(thread_reply(thread, "no rush")).status == 200
    assert bot.event(thread_reply(thread, "512 px, thanks!", user="U0ALICE")).status == 200

    [question] = questions(bot)
    assert question.answered_by == "U0ALICE" and question.answered_at is not None
    assert waiting_on_us(bot) == ""


@freeze_time(WEDNESDAY)
def test_only_the_vendors_questions_in_task_threads_are_kept(bot: BotUnderTest) -> None:
    vendor = make_vendor(bot.engine)
    _, thread = announce(bot, vendor, "Logo refresh")
    banner, banner_thread = announce(bot, vendor, "Banner")
    elsewhere = _Thread("C0ACME", bot.slack.add_message("C0ACME", "lunch?", user="U0ALICE"))

    for envelope in (
        thread_reply(thread, "Fine, see <https://x.test/?v=2>"),  # no question
        thread_reply(thread, "Can you send the brief?", user="U0ALICE"),  # the team asks
        thread_reply(elsewhere, "Pizza?"),  # not a task's thread
        thread_reply(thread, "What?", subtype="message_changed"),  # an edit, not a reply
    ):
        assert bot.event(envelope).status == 200
    assert bot.event(thread_reply(banner_thread, "Which colours?")).status == 200  # barrier

    assert [(q.task_id, q.text) for q in questions(bot)] == [(banner.id, "Which colours?")]


@freeze_time(WEDNESDAY)
def test_a_reply_answers_only_questions_asked_before_it_on_its_own_task(
    bot: BotUnderTest,
) -> None:
    vendor = make_vendor(bot.engine)
    logo, thread = announce(bot, vendor, "Logo refresh")
    banner, banner_thread = announce(bot, vendor, "Banner")
    early = thread_reply(thread, "First question?")
    answer = thread_reply(thread, "Here you go", user="U0ALICE")
    late = thread_reply(thread, "And a second one?")
    for envelope in (early, thread_reply(banner_thread, "Banner size?"), late, answer):
        assert bot.event(envelope).status == 200  # the answer's event arrives last

    by_text = {q.text: q.answered_by for q in questions(bot)}
    assert by_text == {
        "First question?": "U0ALICE",
        "Banner size?": None,
        "And a second one?": None,
    }
    waiting = waiting_on_us(bot)
    assert f"*#{banner.id}* Banner" in waiting and "And a second one?" in waiting
    assert "First question?" not in waiting and f"*#{logo.id}* Logo" in waiting


@freeze_time(WEDNESDAY)
def test_a_cancelled_tasks_questions_no_longer_wait(bot: BotUnderTest) -> None:
    vendor = make_vendor(bot.engine)
    logo, thread = announce(bot, vendor, "Logo refresh")
    assert bot.event(thread_reply(thread, "Still needed?")).status == 200
    assert "Still needed?" in waiting_on_us(bot)
    with transaction(bot.engine) as session:
        fresh = session.get(Task, logo.id)
        assert fresh is not None
        fresh.status = TaskStatus.CANCELLED
        session.add(fresh)
    assert waiting_on_us(bot) == ""


@freeze_time(WEDNESDAY)
def test_a_retried_or_concurrent_delivery_stores_the_question_once(bot: BotUnderTest) -> None:
    vendor = make_vendor(bot.engine)
    _, thread = announce(bot, vendor, "Logo refresh")
    envelope = thread_reply(thread, "Which format?", event_id="Ev0QUESTION")
    assert bot.event(envelope).status == 200
    assert redeliver(bot, envelope, attempt=1).status == 200
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda n: redeliver(bot, envelope, n), range(2, 5)))
    assert [r.status for r in results] == [200, 200, 200]
    other = thread_reply(thread, "Which format?", event_id="Ev0QUESTION2")  # a new message
    assert bot.event(other).status == 200  # barrier

    assert [q.message_ts for q in questions(bot)] == [
        envelope["event"]["ts"],
        other["event"]["ts"],
    ]


@freeze_time(WEDNESDAY)
def test_home_shows_the_owner_which_tasks_have_questions_waiting(bot: BotUnderTest) -> None:
    vendor = make_vendor(bot.engine)
    _, thread = announce(bot, vendor, "Logo refresh")
    announce(bot, vendor, "Banner")
    for text in ("Which size?", "And which colour?"):
        assert bot.event(thread_reply(thread, text)).status == 200

    assert bot.event(home_opened()).status == 200
    [logo_line] = [line for line in home_lines(bot) if "Logo refresh" in line]
    assert logo_line.endswith(" · :question: 2 questions from the vendor waiting in its thread")
    [banner_line] = [line for line in home_lines(bot) if "Banner" in line]
    assert ":question:" not in banner_line

    assert bot.event(thread_reply(thread, "512 px, blue", user="U0ALICE")).status == 200
    assert bot.event(home_opened(event_id="EvHOME2")).status == 200
    assert not [line for line in home_lines(bot) if ":question:" in line]


def home_opened(event_id: str = "EvHOME1") -> dict[str, Any]:
    envelope = payload("event_app_home_opened")
    envelope["event"].update(user="U0ALICE", tab="home")
    envelope["event_id"] = event_id
    return envelope


def home_lines(bot: BotUnderTest) -> list[str]:
    """The lines of the Home tab published last for U0ALICE."""
    [*_, view] = [v for v in bot.slack.views if v["_method"] == "views.publish"]
    return rendered(view).split("\n")
