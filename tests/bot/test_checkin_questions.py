"""The vendor's side of a check-in, part two: the team's own questions. `vendor questions`
opens a form; the check-in then has an Answer button opening a form with them; answers go
in the check-in's thread, are stored, count as an answer, have a row each in `report` and
are quoted in the summary's thread and the digest. Signed requests to the real app."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import blocks
from bot.blocks import vendor_side as vendor_blocks
from bot.reports import build_report
from bot.summaries import team_digest, vendor_summary
from storage import schedule
from storage.database import transaction
from storage.models import PostKind, QuestionAnswer, ScheduledPost, Task, Vendor
from tests.support.checkin_support import (
    MONDAY,
    audit_actions,
    make_task,
    make_vendor,
    post_checkin,
)
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import BotUnderTest, start_bot
from tests.support.vendor_side_support import answer_click, answers_submission, questions_submission

ACME = "<#C0ACME|acme-design>"
QUESTIONS = ["What did you finish?", "What is next?", "Anything you need from us?"]
Checkin = tuple[Vendor, list[Task], ScheduledPost]


def the_vendor(bot: BotUnderTest) -> Vendor:
    with Session(bot.engine) as session:
        return session.exec(select(Vendor)).one()


def answers(bot: BotUnderTest) -> list[QuestionAnswer]:
    with Session(bot.engine) as session:
        return list(session.exec(select(QuestionAnswer).order_by(col(QuestionAnswer.id))).all())


@pytest.fixture
def checkin(bot: BotUnderTest) -> Checkin:
    """Acme, with the team's three questions, and a check-in about one task."""
    vendor = make_vendor(bot.engine)
    with transaction(bot.engine) as session:
        fresh = session.get(Vendor, vendor.id)
        assert fresh is not None
        fresh.checkin_questions = "\n".join(QUESTIONS)
        session.add(fresh)
    tasks = [make_task(bot.engine, vendor, "Logo refresh")]
    bot.slack.add_user("U0STRANGER", "stan", team_id="T0OTHER")
    return vendor, tasks, post_checkin(bot, vendor, tasks)


# --------------------------------------------------------------------------- the team's form


@freeze_time(MONDAY)
def test_vendor_questions_opens_a_form_and_saving_it_sets_the_questions(
    bot: BotUnderTest,
) -> None:
    bot.command(f"vendor add {ACME} Acme")
    assert bot.send_command(f"vendor questions {ACME}").status == 200
    [form] = bot.slack.wait_for("views.open")
    view = form.params["view"]
    assert (view["callback_id"], view["private_metadata"]) == (
        vendor_blocks.QUESTIONS_MODAL,
        "C0ACME",
    )
    assert len([b for b in view["blocks"] if b["type"] == "input"]) == 5

    result = bot.interact(questions_submission("C0ACME", [QUESTIONS[0], "", *QUESTIONS[1:]]))
    assert result.status == 200 and result.body in ("", "{}")
    assert the_vendor(bot).checkin_questions == "\n".join(QUESTIONS)
    [dm] = bot.slack.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U0ALICE"
    assert "3. Anything you need from us?" in dm.params["text"]
    assert "vendor.questions_set" in audit_actions(bot.engine)

    # The form shows them next time; emptying it asks none.
    bot.send_command(f"vendor questions {ACME}")
    [_, again] = bot.slack.wait_for("views.open", count=2)
    fields = [b["element"] for b in again.params["view"]["blocks"] if b["type"] == "input"]
    assert [f.get("initial_value") for f in fields[:3]] == QUESTIONS
    bot.interact(questions_submission("C0ACME", ["", ""]))
    assert the_vendor(bot).checkin_questions == ""


@freeze_time(MONDAY)
def test_the_questions_form_is_the_teams_and_checks_lengths(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme")
    assert "is for the team" in bot.command(f"vendor questions {ACME}", user="U0VENDOR")
    assert "Write `/delegate vendor questions #channel`" in bot.command("vendor questions")
    outside = questions_submission("C0ACME", ["Hi?"], user="U0VENDOR", user_team="T0VENDOR")
    body = json.loads(bot.interact(outside).body)
    assert "is for the team" in body["errors"]["question_1"]
    body = json.loads(bot.interact(questions_submission("C0ACME", ["ok?", "x" * 151])).body)
    assert "under 150 characters" in body["errors"]["question_2"]
    body = json.loads(bot.interact(questions_submission("C0NOPE", ["ok?"])).body)
    assert "is not a vendor channel" in body["errors"]["question_1"]
    assert the_vendor(bot).checkin_questions == ""


# --------------------------------------------------------------------------- the check-in


def test_without_questions_the_checkin_has_no_answer_button(bot: BotUnderTest) -> None:
    vendor = make_vendor(bot.engine)
    post_checkin(bot, vendor, [make_task(bot.engine, vendor, "Logo")])
    [message] = bot.slack.messages_in("C0ACME")
    assert vendor_blocks.CHECKIN_ANSWER_ACTION not in json.dumps(message["blocks"])


def test_with_questions_the_checkin_has_an_answer_button() -> None:
    message = blocks.checkin_message(
        Vendor(
            name="Acme",
            channel_id="C0ACME",
            team_id="T",
            timezone="UTC",
            checkin_cadence="weekdays",
            summary_cadence="fri",
            added_by="U",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        ),
        7,
        [],
        date(2026, 11, 30),
        has_questions=True,
    )
    [menu] = [b for b in message["blocks"] if b.get("block_id") == "checkin_menu"]
    button = menu["elements"][0]
    assert (button["action_id"], button["text"]["text"], button["value"]) == (
        vendor_blocks.CHECKIN_ANSWER_ACTION,
        "Answer",
        "answer:7",
    )


@freeze_time(MONDAY)
def test_answer_opens_the_form_and_answers_go_in_the_thread_stored_and_counted(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    vendor, _, post = checkin
    bot.interact(answer_click(post))
    [form] = bot.slack.wait_for("views.open")
    view = form.params["view"]
    assert (view["callback_id"], view["private_metadata"]) == (
        vendor_blocks.ANSWER_MODAL,
        str(post.id),
    )
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == QUESTIONS

    result = bot.interact(
        answers_submission(post.saved_id, ["The logo drafts", "", "The brand <colours> & fonts"])
    )
    assert result.status == 200 and result.body in ("", "{}")
    stored = answers(bot)
    assert [(a.position, a.question, a.answer, a.user_id) for a in stored] == [
        (0, "What did you finish?", "The logo drafts", "U0VENDOR"),
        (2, "Anything you need from us?", "The brand <colours> & fonts", "U0VENDOR"),
    ]
    [thread] = bot.slack.wait_for("chat.postMessage")
    assert thread.params["thread_ts"] == post.message_ts
    [edit] = bot.slack.calls_to("chat.update")  # the check-in shows who answered
    assert "questions answered by <@U0VENDOR>" in json.dumps(edit.params["blocks"])
    text = json.dumps(thread.params["blocks"])
    assert "Check-in answers from <@U0VENDOR>" in text
    assert "> The brand &lt;colours&gt; &amp; fonts" in text  # escaped, never a mention
    with transaction(bot.engine) as session:
        awaiting = schedule.checkins_awaiting(
            session,
            vendor_id=vendor.saved_id,
            follow_up=PostKind.REMINDER,
            sent_since=datetime(2026, 11, 1, tzinfo=UTC),
            stale_before=datetime(2026, 11, 30, tzinfo=UTC),
        )
    assert awaiting == []  # answered: no reminder, no escalation
    assert "checkin.questions_answered" in audit_actions(bot.engine)


@freeze_time(MONDAY)
def test_an_empty_or_strangers_answer_form_saves_nothing(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, _, post = checkin
    body = json.loads(bot.interact(answers_submission(post.saved_id, ["", "", ""])).body)
    assert "Answer at least one question" in body["errors"]["answer_1"]
    body = json.loads(bot.interact(answers_submission(post.saved_id, ["x" * 2001])).body)
    assert "under 2000 characters" in body["errors"]["answer_1"]
    stranger = answers_submission(post.saved_id, ["hi"], user="U0STRANGER", user_team="T0OTHER")
    body = json.loads(bot.interact(stranger).body)
    assert "Only Acme's people" in body["errors"]["answer_1"]
    assert answers(bot) == []

    bot.interact(answer_click(post, user="U0STRANGER", user_team="T0OTHER"))
    assert bool(bot.slack.ephemerals)
    assert "Only Acme's people" in bot.slack.ephemerals[0]["text"]
    assert not bot.slack.calls_to("views.open")


# --------------------------------------------------------------------------- where they are read


@freeze_time(MONDAY)
def test_answers_are_in_the_report_the_summary_thread_and_the_digest(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    vendor, _, post = checkin
    bot.interact(answers_submission(post.saved_id, ["The logo drafts", "Banner", ""]))
    bot.slack.wait_for("chat.postMessage")
    friday = datetime(2026, 12, 4, 16, tzinfo=UTC)
    with transaction(bot.engine) as session:
        report = build_report(
            session, "T0TEAM", date(2026, 11, 30), date(2026, 12, 4), ZoneInfo("UTC")
        )
        fresh = session.get(Vendor, vendor.id)
        assert fresh is not None
        thread = blocks.summary_thread(vendor_summary(session, fresh, friday))
        digest = blocks.digest_message(team_digest(session, "T0TEAM", ZoneInfo("UTC"), friday))
    rows = list(csv.DictReader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert [
        (r["record"], r["question"], r["text"], r["user"]) for r in rows if r["record"] == "answer"
    ] == [
        ("answer", "What did you finish?", "The logo drafts", "U0VENDOR"),
        ("answer", "What is next?", "Banner", "U0VENDOR"),
    ]
    assert report.counts["answer"] == 2
    assert thread is not None
    quoted = json.dumps(thread["blocks"])
    assert "*What is next?* (<@U0VENDOR>, Mon 30 Nov)" in quoted and "> Banner" in quoted
    shown = json.dumps(digest["blocks"])
    assert "Answers to your check-in questions" in shown and "> The logo drafts" in shown
    # Next week's summary no longer quotes them.
    with transaction(bot.engine) as session:
        fresh = session.get(Vendor, vendor.id)
        assert fresh is not None
        later = vendor_summary(session, fresh, friday + timedelta(days=7))
    assert later.answers == []


@freeze_time(MONDAY)
def test_with_admins_only_they_set_the_questions(engine: Engine, slack: FakeSlack) -> None:
    with start_bot(engine, slack, admin_user_ids=frozenset({"U0BOB"})) as admin_bot:
        admin_bot.command(f"vendor add {ACME} Acme", user="U0BOB")
        assert "Only the bot's admins" in admin_bot.command(f"vendor questions {ACME}")
        body = json.loads(admin_bot.interact(questions_submission("C0ACME", ["Hi?"])).body)
        assert "Only the bot's admins" in body["errors"]["question_1"]
        admin_bot.interact(questions_submission("C0ACME", ["Hi?"], user="U0BOB"))
        assert the_vendor(admin_bot).checkin_questions == "Hi?"
