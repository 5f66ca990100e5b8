"""Check-in buttons and the note form, end to end: signed block_actions and view_submission
requests to the real app; what the fake Slack received and what the database holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from freezegun import freeze_time

from bot import blocks
from bot.fake_slack import PERMALINK_BASE
from storage.models import ScheduledPost, Task, TaskStatus, TaskUpdate, Vendor
from tests.support.checkin_support import (
    MONDAY,
    audit_actions,
    button_click,
    get_task,
    make_task,
    make_vendor,
    note_submission,
    post_checkin,
    sent_text,
    status_updates,
)
from tests.support.slack_requests import BotUnderTest

Checkin = tuple[Vendor, list[Task], ScheduledPost]


@pytest.fixture
def checkin(bot: BotUnderTest) -> Checkin:
    """Acme's check-in in #acme-design asking about two of Alice's tasks."""
    vendor = make_vendor(bot.engine)
    tasks = [make_task(bot.engine, vendor, "Logo refresh"), make_task(bot.engine, vendor, "Banner")]
    return vendor, tasks, post_checkin(bot, vendor, tasks)


def dms_to(bot: BotUnderTest, user: str) -> list[dict[str, Any]]:
    return [c.params for c in bot.slack.calls_to("chat.postMessage") if c.params["channel"] == user]


def action_block_ids(message: dict[str, Any]) -> list[str]:
    return [
        b["block_id"]
        for b in message["blocks"]
        if b["type"] == "actions" and b["block_id"].startswith("task:")
    ]


@freeze_time(MONDAY)
def test_at_risk_click_updates_the_checkin_opens_a_note_form_and_tells_the_owner(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, (logo, _banner), post = checkin
    result = bot.interact(button_click(post, logo.saved_id, TaskUpdate.AT_RISK))
    assert result.status == 200

    assert len(bot.slack.calls_to("chat.postMessage")) == 1  # the owner's DM is the last thing done
    [update] = status_updates(bot.engine)
    assert (update.task_id, update.user_id, update.status, update.post_id, update.source) == (
        logo.id,
        "U0VENDOR",
        TaskUpdate.AT_RISK,
        post.id,
        "button",
    )
    [edit] = bot.slack.calls_to("chat.update")
    assert (edit.params["channel"], edit.params["ts"]) == ("C0ACME", post.message_ts)
    shown = sent_text(edit.params)
    assert "1 of 2 tasks answered" in shown and "At risk" in shown and "<@U0VENDOR>" in shown
    assert bot.slack.messages_in("C0ACME")[0]["text"].endswith("1 of 2 tasks answered")

    [form] = bot.slack.calls_to("views.open")
    assert form.params["trigger_id"] == "1337.42.click"
    assert form.params["view"]["callback_id"] == blocks.CHECKIN_NOTE_MODAL
    assert form.params["view"]["private_metadata"] == str(update.id)

    [link] = bot.slack.calls_to("chat.getPermalink")
    assert (link.params["channel"], link.params["message_ts"]) == ("C0ACME", post.message_ts)
    [dm] = dms_to(bot, "U0ALICE")
    assert PERMALINK_BASE in sent_text(dm) and f"#{logo.id}" in sent_text(dm)
    assert "At risk" in sent_text(dm)
    assert audit_actions(bot.engine) == ["task.status_reported"]


@freeze_time(MONDAY)
def test_a_submitted_note_is_stored_shown_escaped_and_sent_to_the_owner(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, (logo, _), post = checkin
    bot.interact(button_click(post, logo.saved_id, TaskUpdate.BLOCKED))
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    assert status_updates(bot.engine)[0].owner_alert is not None
    [update] = status_updates(bot.engine)

    result = bot.interact(note_submission(update.saved_id, "Waiting on <!channel> & the assets"))
    assert result.status == 200 and result.body == ""  # a plain ack closes the form

    # One direct message per status event: the click's DM is updated with the note.
    assert any(c.params["channel"].startswith("D") for c in bot.slack.calls_to("chat.update"))
    [dm] = [c.params for c in bot.slack.calls_to("chat.update") if c.params["channel"][0] == "D"]
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    assert "Waiting on &lt;!channel&gt; &amp; the assets" in sent_text(dm)
    assert "*Blocked*" in sent_text(dm)
    [update] = status_updates(bot.engine)
    assert update.note == "Waiting on <!channel> & the assets"
    edit = bot.slack.calls_to("chat.update")[-1].params
    assert "&lt;!channel&gt; &amp; the assets" in sent_text(edit)
    assert "<!channel>" not in sent_text(edit) + sent_text(dm)
    assert audit_actions(bot.engine) == ["task.status_reported", "task.status_note_added"]


@freeze_time(MONDAY)
def test_an_empty_note_just_closes_the_form(bot: BotUnderTest, checkin: Checkin) -> None:
    _, (logo, _), post = checkin
    bot.interact(button_click(post, logo.saved_id, TaskUpdate.BLOCKED))
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    [update] = status_updates(bot.engine)
    result = bot.interact(note_submission(update.saved_id, "   "))
    assert result.status == 200 and result.body == ""
    assert status_updates(bot.engine)[0].note == ""


@freeze_time(MONDAY)
@pytest.mark.parametrize(
    ("make", "hint"),
    [
        (lambda update_id: note_submission(update_id, "mine now", user="U0BOB"), "couldn't find"),
        (lambda update_id: note_submission("12abc", "forged"), "couldn't find"),
        (lambda update_id: note_submission(update_id + 1000, "no such update"), "couldn't find"),
        (lambda update_id: note_submission(update_id, "x" * 2001), "2000"),
    ],
    ids=["another-user", "garbage-metadata", "unknown-update", "too-long"],
)
def test_a_note_that_cannot_be_saved_is_reported_in_the_form(
    bot: BotUnderTest,
    checkin: Checkin,
    make: Callable[[int], dict[str, Any]],
    hint: str,
) -> None:
    _, (logo, _), post = checkin
    bot.interact(button_click(post, logo.saved_id, TaskUpdate.AT_RISK))
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    [update] = status_updates(bot.engine)
    result = bot.interact(make(update.saved_id))
    body = result.json()
    assert body["response_action"] == "errors" and hint in body["errors"][blocks.FIELD_NOTE]
    assert status_updates(bot.engine)[0].note == ""
    assert len(bot.slack.calls_to("chat.postMessage")) == 1  # no second DM


@freeze_time(MONDAY)
def test_done_from_the_vendor_delivers_the_task_and_its_buttons_disappear(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, (logo, banner), post = checkin
    bot.interact(button_click(post, logo.saved_id, TaskUpdate.DONE))
    [edit] = bot.slack.wait_for("chat.update")

    task = get_task(bot.engine, logo.saved_id)
    assert (task.status, task.delivered_by, task.closed_by) == (
        TaskStatus.DELIVERED,
        "U0VENDOR",
        None,
    )
    assert action_block_ids(edit.params) == [f"task:{banner.id}"]
    assert "1 of 2 tasks answered" in sent_text(edit.params) and "Done" in sent_text(edit.params)
    assert "waiting for <@U0ALICE>'s review" in sent_text(edit.params)
    assert audit_actions(bot.engine) == ["task.status_reported", "task.delivered"]
    assert bot.slack.calls_to("views.open") == []
    [review] = bot.slack.wait_for("chat.postMessage")  # the owner reviews it
    assert review.params["channel"] == "U0ALICE"
    assert bot.slack.calls_to("users.info") == []  # the click said the clicker's team


@freeze_time(MONDAY)
def test_done_from_the_owner_closes_the_task_and_asks_for_a_rating(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, (logo, banner), post = checkin
    click = button_click(post, logo.saved_id, TaskUpdate.DONE, user="U0ALICE")
    click["user"]["team_id"] = "T0TEAM"
    bot.interact(click)
    [edit] = bot.slack.wait_for("chat.update")
    task = get_task(bot.engine, logo.saved_id)
    assert (task.status, task.closed_by) == (TaskStatus.DONE, "U0ALICE")
    assert action_block_ids(edit.params) == [f"task:{banner.id}"]
    assert audit_actions(bot.engine) == ["task.status_reported", "task.done"]
    [prompt] = bot.slack.wait_for("chat.postMessage")
    assert prompt.params["channel"] == "U0ALICE"
    assert "Rate this delivery" in sent_text(prompt.params)


@freeze_time(MONDAY)
def test_the_owner_marking_their_own_task_gets_no_dm(bot: BotUnderTest, checkin: Checkin) -> None:
    _, (logo, _), post = checkin
    bot.interact(button_click(post, logo.saved_id, TaskUpdate.BLOCKED, user="U0ALICE"))
    assert len(bot.slack.calls_to("views.open")) == 1
    assert len(bot.slack.calls_to("chat.update")) == 1
    assert bot.slack.calls_to("chat.getPermalink") == []
    assert bot.slack.calls_to("chat.postMessage") == []


@freeze_time(MONDAY)
def test_a_click_on_a_closed_task_says_so_and_refreshes_the_buttons(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, (logo, _), post = checkin
    assert "marked done" in bot.command(f"done {logo.id}")
    [shown_done] = bot.slack.wait_for("chat.update")  # `done` shows it in the check-in
    assert f"task:{logo.id}" not in action_block_ids(shown_done.params)
    bot.slack.reset_calls()
    before = audit_actions(bot.engine)
    # A click from a copy of the check-in that still had the buttons (a client that had
    # not caught up) is refused and the buttons refreshed again.
    bot.interact(button_click(post, logo.saved_id, TaskUpdate.ON_TRACK))
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert note.params["user"] == "U0VENDOR" and note.params["channel"] == "C0ACME"
    assert "already done" in sent_text(note.params)
    assert status_updates(bot.engine) == [] and audit_actions(bot.engine) == before
    [edit] = bot.slack.wait_for("chat.update")
    assert f"task:{logo.id}" not in action_block_ids(edit.params)


@dataclass
class Scene:
    """Acme's check-in, and Globex's (another vendor, another channel) beside it."""

    post: ScheduledPost
    logo: Task
    other_post: ScheduledPost
    other_task: Task


def _forged_post_id(s: Scene) -> dict[str, Any]:
    return button_click(s.post, s.logo.saved_id, TaskUpdate.DONE, value=f"9999:{s.logo.id}")


def _task_of_another_vendor(s: Scene) -> dict[str, Any]:
    return button_click(s.post, s.other_task.saved_id, TaskUpdate.DONE)


def _checkin_of_another_channel(s: Scene) -> dict[str, Any]:
    # Globex's check-in and task, clicked (so the payload says) in Acme's channel.
    return button_click(s.other_post, s.other_task.saved_id, TaskUpdate.DONE, channel="C0ACME")


def _wrong_channel(s: Scene) -> dict[str, Any]:
    return button_click(s.post, s.logo.saved_id, TaskUpdate.DONE, channel="C0PUBLIC")


def _mismatched_block_id(s: Scene) -> dict[str, Any]:
    click = button_click(s.post, s.logo.saved_id, TaskUpdate.DONE)
    click["actions"][0]["block_id"] = f"task:{s.other_task.id}"
    return click


def _garbled_value(s: Scene) -> dict[str, Any]:
    return button_click(s.post, s.logo.saved_id, TaskUpdate.DONE, value="1;DROP TABLE tasks")


def _unknown_status(s: Scene) -> dict[str, Any]:
    return button_click(s.post, s.logo.saved_id, "finished")


def _another_message(s: Scene) -> dict[str, Any]:
    click = button_click(s.post, s.logo.saved_id, TaskUpdate.DONE)
    click["message"]["ts"] = "1111111111.000100"
    return click


REFUSED_CLICKS = [
    (_forged_post_id, "no longer something I can record"),
    (_task_of_another_vendor, "isn't part of this check-in"),
    (_checkin_of_another_channel, "doesn't belong to a check-in in this channel"),
    (_wrong_channel, "doesn't belong to a check-in in this channel"),
    (_mismatched_block_id, "couldn't read that button"),
    (_garbled_value, "couldn't read that button"),
    (_unknown_status, "couldn't read that button"),
    (_another_message, "doesn't belong to a check-in in this channel"),
]


@freeze_time(MONDAY)
@pytest.mark.parametrize(
    ("forge", "hint"), REFUSED_CLICKS, ids=[f.__name__.strip("_") for f, _ in REFUSED_CLICKS]
)
def test_clicks_that_do_not_match_a_checkin_are_refused_and_change_nothing(
    bot: BotUnderTest,
    checkin: Checkin,
    forge: Callable[[Scene], dict[str, Any]],
    hint: str,
) -> None:
    _, (logo, _), post = checkin
    globex = make_vendor(bot.engine, channel_id="C0PUBLIC", name="Globex")
    other = make_task(bot.engine, globex, "Globex flyer")
    other_post = post_checkin(bot, globex, [other])
    bot.slack.add_bot_to("C0PUBLIC")  # so the refusal can be shown there
    before = audit_actions(bot.engine)

    result = bot.interact(forge(Scene(post, logo, other_post, other)))
    assert result.status == 200
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert hint in sent_text(note.params) and note.params["user"] == "U0VENDOR"
    assert "Traceback" not in sent_text(note.params)
    assert status_updates(bot.engine) == []
    assert audit_actions(bot.engine) == before
    assert get_task(bot.engine, logo.saved_id).status == TaskStatus.OPEN
    assert get_task(bot.engine, other.saved_id).status == TaskStatus.OPEN
    for method in ("chat.update", "views.open", "chat.postMessage"):
        assert bot.slack.calls_to(method) == [], method


@freeze_time(MONDAY)
def test_a_task_of_this_vendor_that_the_checkin_did_not_ask_about_is_refused(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    vendor, _, post = checkin
    later = make_task(bot.engine, vendor, "Added after the check-in")
    bot.interact(button_click(post, later.saved_id, TaskUpdate.ON_TRACK))
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert "isn't part of this check-in" in sent_text(note.params)
    assert status_updates(bot.engine) == []


@freeze_time(MONDAY)
def test_a_refusal_falls_back_to_a_dm_where_the_bot_cannot_post(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, (logo, _), post = checkin
    # C0PUBLIC does not have the bot, so Slack refuses an ephemeral message there.
    bot.interact(button_click(post, logo.saved_id, TaskUpdate.DONE, channel="C0PUBLIC"))
    [dm] = bot.slack.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U0VENDOR"
    assert "doesn't belong" in sent_text(dm.params)
    assert status_updates(bot.engine) == []


@freeze_time(MONDAY)
def test_a_failed_message_update_keeps_the_status(bot: BotUnderTest, checkin: Checkin) -> None:
    _, (logo, _), post = checkin
    bot.slack.fail_next("chat.update", error="message_not_found")
    bot.interact(button_click(post, logo.saved_id, TaskUpdate.ON_TRACK))
    assert len(bot.slack.calls_to("chat.update")) == 1
    assert len(status_updates(bot.engine)) == 1
    assert bot.slack.calls_to("chat.postEphemeral") == []  # nothing to apologise for


@freeze_time(MONDAY)
@pytest.mark.parametrize("together", [False, True], ids=["one-after-the-other", "at-once"])
def test_a_double_click_changes_state_once(
    bot: BotUnderTest, checkin: Checkin, together: bool
) -> None:
    _, (logo, _banner), post = checkin
    click = button_click(post, logo.saved_id, TaskUpdate.BLOCKED)
    if together:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda _: bot.interact(click), range(2)))
    else:
        results = [bot.interact(click), bot.interact(click)]
    assert [r.status for r in results] == [200, 200]
    assert len(bot.slack.calls_to("chat.postEphemeral")) == 1
    assert len(status_updates(bot.engine)) == 1
    assert len(dms_to(bot, "U0ALICE")) == 1  # the owner hears once
    assert len(bot.slack.calls_to("views.open")) == 1
    [repeat] = bot.slack.calls_to("chat.postEphemeral")
    assert "Already recorded" in sent_text(repeat.params)


@freeze_time(MONDAY)
def test_a_different_answer_later_is_recorded(bot: BotUnderTest, checkin: Checkin) -> None:
    _, (logo, _banner), post = checkin
    bot.interact(button_click(post, logo.saved_id, TaskUpdate.BLOCKED))
    assert len(status_updates(bot.engine)) == 1
    bot.interact(button_click(post, logo.saved_id, TaskUpdate.ON_TRACK))
    assert len(status_updates(bot.engine)) == 2


@freeze_time("2026-12-01 10:00:00")
def test_an_answer_on_yesterdays_checkin_updates_todays_count(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    vendor, (logo, banner), monday = checkin
    tuesday = post_checkin(
        bot, vendor, [logo, banner], sent_at=datetime(2026, 12, 1, 9, tzinfo=UTC)
    )

    bot.interact(button_click(monday, logo.saved_id, TaskUpdate.ON_TRACK))

    assert len(bot.slack.calls_to("chat.update")) == 2
    edits = {
        call.params["ts"]: sent_text(call.params) for call in bot.slack.calls_to("chat.update")
    }
    assert "1 of 2 tasks answered" in edits[monday.message_ts or ""]
    # Today's check-in is answered too, and shows who said what.
    assert "1 of 2 tasks answered" in edits[tuesday.message_ts or ""]
    assert "On track" in edits[tuesday.message_ts or ""]
