"""`/delegate` with no text opens a form; its submission is validated field by field."""

from __future__ import annotations

import json
from datetime import date

from freezegun import freeze_time
from sqlmodel import Session, func, select

from bot import blocks
from storage.models import Task
from tests.support.delegate_form import submission
from tests.support.mistakes_support import press
from tests.support.slack_requests import BotUnderTest, rendered

MONDAY = "2026-11-30 10:00:00"


def task_count(bot: BotUnderTest) -> int:
    with Session(bot.engine) as session:
        return session.exec(select(func.count()).select_from(Task)).one()


def test_empty_command_opens_the_form(bot: BotUnderTest) -> None:
    # Outside a vendor's channel the form starts with no channel picked.
    assert bot.send_command("", channel="C0PUBLIC").status == 200
    [first] = bot.slack.wait_for("views.open")
    assert "initial_conversation" not in first.params["view"]["blocks"][0]["element"]
    bot.command("vendor add <#C0ACME|acme-design>")
    result = bot.send_command("", channel="C0ACME")
    assert result.status == 200
    call = bot.slack.wait_for("views.open", count=2)[1]
    assert call.params["trigger_id"] == "1337.42.abcdef"
    view = call.params["view"]
    assert view["callback_id"] == blocks.DELEGATE_MODAL
    vendor_field = view["blocks"][0]["element"]
    assert vendor_field["initial_conversation"] == "C0ACME"


@freeze_time(MONDAY)
def test_valid_submission_creates_announces_and_confirms_by_dm(bot: BotUnderTest) -> None:
    result = bot.interact(submission(standard="SVG <and> PNG", assignee="U0VENDOR"))
    assert result.status == 200 and result.body == ""
    # #acme-design is not a vendor yet: the requester is asked first, privately.
    [question] = bot.slack.wait_for("chat.postMessage", count=1)
    assert question.params["channel"] == "U0ALICE" and "not a vendor yet" in question.params["text"]
    assert task_count(bot) == 0 and bot.slack.calls_to("conversations.join") == []
    answer = press(bot, question.params, blocks.REGISTER_AND_DELEGATE_ACTION, channel="D0ALICE")
    assert "delegated to <#C0ACME>" in rendered(answer) and answer["replace_original"]
    posts = bot.slack.calls_to("chat.postMessage")[1:]
    assert [p.params["channel"] for p in posts] == ["C0ACME"]
    with Session(bot.engine) as session:
        [task] = session.exec(select(Task)).all()
    assert (task.title, task.due_date, task.standard, task.assignee_id) == (
        "Logo refresh",
        date(2026, 12, 4),
        "SVG <and> PNG",
        "U0VENDOR",
    )
    announcement = next(p for p in posts if p.params["channel"] == "C0ACME")
    assert "SVG &lt;and&gt; PNG" in json.dumps(announcement.params["blocks"])


@freeze_time(MONDAY)
def test_invalid_fields_are_reported_in_the_form(bot: BotUnderTest) -> None:
    result = bot.interact(submission(channel=None, title="  ", due="2026-11-01"))
    assert result.status == 200
    body = result.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {blocks.FIELD_VENDOR, blocks.FIELD_TITLE}
    result = bot.interact(submission(due="2026-11-01"))
    assert "in the past" in result.json()["errors"][blocks.FIELD_DUE]
    result = bot.interact(submission(title="x" * 301))
    assert blocks.FIELD_TITLE in result.json()["errors"]
    assert task_count(bot) == 0
    assert bot.slack.calls_to("chat.postMessage") == []


def test_a_private_channel_without_the_bot_is_reported_on_the_vendor_field(
    bot: BotUnderTest,
) -> None:
    result = bot.interact(submission(channel="G0SECRET", due=None))
    assert "/invite" in result.json()["errors"][blocks.FIELD_VENDOR]
    assert task_count(bot) == 0 and bot.slack.calls_to("conversations.join") == []
