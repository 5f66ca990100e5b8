"""Replies in a check-in's thread, end to end: signed event_callback requests to the real app.

Listeners run after the ack, so a test that expects nothing to happen first sends what must
be ignored, then a reply that must be stored (the barrier), and checks only that one landed.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from freezegun import freeze_time

from storage.models import ScheduledPost, Task, TaskStatus, TaskUpdate, Vendor
from tests.support.checkin_support import (
    MONDAY,
    button_click,
    get_task,
    make_task,
    make_vendor,
    payload,
    post_checkin,
    redeliver,
    responses,
    sent_text,
    status_updates,
    thread_reply,
)
from tests.support.slack_requests import BotUnderTest

Checkin = tuple[Vendor, list[Task], ScheduledPost]


@pytest.fixture
def checkin(bot: BotUnderTest) -> Checkin:
    vendor = make_vendor(bot.engine)
    tasks = [make_task(bot.engine, vendor, "Logo refresh"), make_task(bot.engine, vendor, "Banner")]
    return vendor, tasks, post_checkin(bot, vendor, tasks)


def stored_texts(bot: BotUnderTest) -> list[str]:
    return [r.text for r in responses(bot.engine)]


def send_barrier(bot: BotUnderTest, post: ScheduledPost, count: int) -> None:
    """A plain reply that must be stored; once it is, everything sent before was handled."""
    assert bot.event(thread_reply(post, "barrier")).status == 200
    assert len(responses(bot.engine)) == count


@freeze_time(MONDAY)
def test_a_thread_reply_is_stored(bot: BotUnderTest, checkin: Checkin) -> None:
    _, _, post = checkin
    envelope = thread_reply(post, "Working on it &amp; <@U0ALICE> &lt;3", event_id="Ev0REPLY1")
    assert bot.event(envelope).status == 200
    assert len(responses(bot.engine)) == 1
    [response] = responses(bot.engine)
    assert (response.post_id, response.user_id, response.event_id) == (
        post.id,
        "U0VENDOR",
        "Ev0REPLY1",
    )
    assert response.message_ts == envelope["event"]["ts"]
    assert response.text == "Working on it & @U0ALICE <3"  # kept as plain text
    assert status_updates(bot.engine) == []  # not a status: nothing else happens
    assert bot.slack.calls_to("chat.update") == []


@freeze_time(MONDAY)
def test_a_retried_delivery_is_stored_and_applied_once(bot: BotUnderTest, checkin: Checkin) -> None:
    _, (logo, _), post = checkin
    envelope = thread_reply(post, f"#{logo.id} on track", event_id="Ev0RETRY1")
    assert bot.event(envelope).status == 200
    assert len(bot.slack.calls_to("chat.update")) == 1
    assert redeliver(bot, envelope, attempt=1).status == 200
    assert redeliver(bot, envelope, attempt=2).status == 200
    send_barrier(bot, post, count=2)
    assert stored_texts(bot) == [f"#{logo.id} on track", "barrier"]
    assert len(status_updates(bot.engine)) == 1
    assert len(bot.slack.calls_to("chat.update")) == 1


@freeze_time(MONDAY)
def test_deliveries_racing_each_other_are_applied_once(bot: BotUnderTest, checkin: Checkin) -> None:
    _, (logo, _), post = checkin
    envelope = thread_reply(post, f"#{logo.id} blocked no assets", event_id="Ev0RACE1")
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda n: redeliver(bot, envelope, n), range(3)))
    assert [r.status for r in results] == [200, 200, 200]
    send_barrier(bot, post, count=2)
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    assert len(status_updates(bot.engine)) == 1
    assert len(bot.slack.calls_to("chat.postMessage")) == 1  # the owner is told once


@freeze_time(MONDAY)
def test_the_same_message_under_another_event_id_is_stored_once(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, _, post = checkin
    first = thread_reply(post, "hello", ts="1764496800.777777")
    bot.event(first)
    assert len(responses(bot.engine)) == 1
    bot.event(thread_reply(post, "hello", ts="1764496800.777777"))
    send_barrier(bot, post, count=2)
    assert stored_texts(bot) == ["hello", "barrier"]


def _bot_message(post: ScheduledPost) -> dict[str, Any]:
    envelope = thread_reply(post, "#1 done", user="U0BOT")
    envelope["event"]["bot_id"] = "B0BOT"
    return envelope


def _bot_user_without_bot_id(post: ScheduledPost) -> dict[str, Any]:
    return thread_reply(post, "#1 done", user="U0BOT")


def _other_app(post: ScheduledPost) -> dict[str, Any]:
    envelope = thread_reply(post, "#1 done", subtype="bot_message", bot_id="B0OTHER")
    del envelope["event"]["user"]
    return envelope


def _edited(post: ScheduledPost) -> dict[str, Any]:
    envelope = payload("event_message_changed")
    envelope["event"]["message"].update(thread_ts=post.message_ts, ts="1764496800.555555")
    envelope["event"]["previous_message"].update(thread_ts=post.message_ts)
    return envelope


def _deleted(post: ScheduledPost) -> dict[str, Any]:
    envelope = thread_reply(post, "", subtype="message_deleted", hidden=True)
    envelope["event"]["previous_message"] = {"user": "U0VENDOR", "text": "#1 done"}
    return envelope


def _joined(post: ScheduledPost) -> dict[str, Any]:
    return thread_reply(post, "<@U0BOB> has joined the channel", subtype="channel_join")


def _top_level(post: ScheduledPost) -> dict[str, Any]:
    envelope = thread_reply(post, "#1 done")
    del envelope["event"]["thread_ts"]
    return envelope


def _another_thread(post: ScheduledPost) -> dict[str, Any]:
    return thread_reply(post, "#1 done", thread_ts="1700000000.123456")


def _another_channel(post: ScheduledPost) -> dict[str, Any]:
    return thread_reply(post, "#1 done", channel="C0PUBLIC")


IGNORED = [
    _bot_message,
    _bot_user_without_bot_id,
    _other_app,
    _edited,
    _deleted,
    _joined,
    _top_level,
    _another_thread,
    _another_channel,
]


@freeze_time(MONDAY)
def test_bot_messages_edits_and_other_threads_are_not_responses(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, _, post = checkin
    for make in IGNORED:
        assert bot.event(make(post)).status == 200, make.__name__
    send_barrier(bot, post, count=1)
    assert stored_texts(bot) == ["barrier"]
    assert status_updates(bot.engine) == []
    assert get_task(bot.engine, 1).status == TaskStatus.OPEN
    assert bot.slack.calls_to("chat.update") == []
    assert bot.slack.calls_to("chat.postEphemeral") == []


@freeze_time(MONDAY)
def test_a_reply_also_sent_to_the_channel_is_a_response(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, _, post = checkin
    bot.event(thread_reply(post, "on it", subtype="thread_broadcast"))
    assert stored_texts(bot) == ["on it"]


@freeze_time(MONDAY)
def test_a_blocked_reply_updates_the_checkin_and_tells_the_owner(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, (logo, _), post = checkin
    bot.event(thread_reply(post, f"#{logo.id} blocked waiting for the assets &lt;3"))
    [dm] = bot.slack.wait_for("chat.postMessage")
    [update] = status_updates(bot.engine)
    assert (update.task_id, update.status, update.source, update.post_id, update.note) == (
        logo.id,
        TaskUpdate.BLOCKED,
        "reply",
        post.id,
        "waiting for the assets <3",
    )
    [edit] = bot.slack.calls_to("chat.update")
    shown = sent_text(edit.params)
    assert "Blocked" in shown and "1 of 2 tasks answered" in shown
    assert "waiting for the assets &lt;3" in shown
    assert dm.params["channel"] == "U0ALICE"
    assert "waiting for the assets &lt;3" in sent_text(dm.params)
    assert bot.slack.calls_to("views.open") == []  # no trigger_id in an event: no form


@freeze_time(MONDAY)
def test_a_done_reply_from_the_vendor_delivers_the_task(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, (logo, banner), post = checkin
    bot.event(thread_reply(post, f"{logo.id} done, files in &lt;https://drive.example/x&gt;"))
    [edit] = bot.slack.wait_for("chat.update")
    assert get_task(bot.engine, logo.saved_id).status == TaskStatus.DELIVERED
    actions = [
        b["block_id"]
        for b in edit.params["blocks"]
        if b["type"] == "actions" and b["block_id"].startswith("task:")
    ]
    assert actions == [f"task:{banner.id}"]
    [review] = bot.slack.wait_for("chat.postMessage")
    assert review.params["channel"] == "U0ALICE"
    # The review message carries what the vendor said with its Done.
    shown = sent_text(review.params)
    assert "*Their note*" in shown and "files in" in shown and "drive.example/x" in shown


@freeze_time(MONDAY)
def test_a_done_reply_from_a_colleague_does_not_close_someone_elses_task(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    # Issue 13: tasks belong to someone. The reply is kept; the owner's task stays open.
    _, (logo, _banner), post = checkin
    bot.event(thread_reply(post, f"{logo.id} done", user="U0BOB"))
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert "belongs to <@U0ALICE>" in sent_text(note.params)
    assert f"/delegate owner {logo.id} <@U0BOB>" in sent_text(note.params)
    assert get_task(bot.engine, logo.saved_id).status == TaskStatus.OPEN
    assert status_updates(bot.engine) == [] and len(responses(bot.engine)) == 1
    assert bot.slack.calls_to("chat.update") == []


@freeze_time(MONDAY)
def test_a_status_for_an_open_task_of_the_vendor_outside_the_checkin_is_recorded(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    vendor, _, post = checkin
    later = make_task(bot.engine, vendor, "Added after the check-in")
    bot.event(thread_reply(post, f"#{later.id} at-risk: printer is down"))
    assert len(status_updates(bot.engine)) == 1
    [update] = status_updates(bot.engine)
    assert (update.task_id, update.status, update.note) == (
        later.id,
        TaskUpdate.AT_RISK,
        "printer is down",
    )
    assert len(bot.slack.calls_to("chat.postMessage")) == 1  # the owner still hears about it


@freeze_time(MONDAY)
@pytest.mark.parametrize(
    ("text", "hint"),
    [("#999 done", "isn't one of Acme's open tasks"), ("#{other} done", "isn't one of")],
    ids=["unknown-task", "another-vendors-task"],
)
def test_a_status_for_a_task_that_is_not_the_vendors_is_kept_as_a_reply_only(
    bot: BotUnderTest, checkin: Checkin, text: str, hint: str
) -> None:
    _, _, post = checkin
    globex = make_vendor(bot.engine, channel_id="C0PUBLIC", name="Globex")
    other = make_task(bot.engine, globex, "Globex flyer")
    bot.event(thread_reply(post, text.format(other=other.id)))
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert hint in sent_text(note.params)
    assert (note.params["user"], note.params["thread_ts"]) == ("U0VENDOR", post.message_ts)
    assert len(responses(bot.engine)) == 1 and status_updates(bot.engine) == []
    assert get_task(bot.engine, other.saved_id).status == TaskStatus.OPEN


@freeze_time(MONDAY)
def test_a_status_for_a_closed_task_is_explained(bot: BotUnderTest, checkin: Checkin) -> None:
    _, (logo, _), post = checkin
    bot.command(f"done {logo.id}")
    bot.event(thread_reply(post, f"#{logo.id} on track"))
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert "already done" in sent_text(note.params)
    assert status_updates(bot.engine) == []


# --------------------------------------------------------------------------- several, all, hints


@freeze_time(MONDAY)
def test_one_reply_may_answer_several_tasks(bot: BotUnderTest, checkin: Checkin) -> None:
    _, (logo, banner), post = checkin
    text = f"#{logo.id} on track, #{banner.id} blocked waiting for assets \u2013 staging is up"
    bot.event(thread_reply(post, text))
    assert len(status_updates(bot.engine)) == 2
    first, second = status_updates(bot.engine)
    assert (first.task_id, first.status, first.note) == (logo.id, TaskUpdate.ON_TRACK, "")
    assert (second.task_id, second.status, second.note) == (
        banner.id,
        TaskUpdate.BLOCKED,
        "waiting for assets \u2013 staging is up",
    )


@freeze_time(MONDAY)
@pytest.mark.parametrize(
    "text", ["all on track, thanks!", "All on track", "everything is on-track"]
)
def test_all_on_track_answers_every_open_task(
    bot: BotUnderTest, checkin: Checkin, text: str
) -> None:
    _, (logo, banner), post = checkin
    bot.event(thread_reply(post, text))
    assert len(status_updates(bot.engine)) == 2
    assert {(u.task_id, u.status) for u in status_updates(bot.engine)} == {
        (logo.id, TaskUpdate.ON_TRACK),
        (banner.id, TaskUpdate.ON_TRACK),
    }
    assert "2 of 2 tasks answered" in bot.slack.messages_in("C0ACME")[0]["text"]


@freeze_time(MONDAY)
@pytest.mark.parametrize("text", ["#{logo} blokced", "#{logo} on track, #{banner} finished"])
def test_an_unknown_status_gets_a_private_hint_with_the_words_and_the_ids(
    bot: BotUnderTest, checkin: Checkin, text: str
) -> None:
    _, (logo, banner), post = checkin
    bot.event(thread_reply(post, text.format(logo=logo.id, banner=banner.id)))
    [note] = bot.slack.wait_for("chat.postEphemeral")
    shown = sent_text(note.params)
    assert "on track, at risk, blocked, done" in shown
    assert f"#{logo.id}, #{banner.id}" in shown
    assert note.params["user"] == "U0VENDOR"
    assert all(u.task_id == logo.id for u in status_updates(bot.engine))
    # The unread part is not kept as the note of the task before it.
    assert all("finished" not in u.note for u in status_updates(bot.engine))


@freeze_time(MONDAY)
def test_the_all_on_track_button_answers_every_open_task_once(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, _, post = checkin
    click = button_click(post, 0, "on_track", value=str(post.id))
    click["actions"][0].update(action_id="all_on_track", block_id="head")
    assert bot.interact(click).status == 200
    assert len(status_updates(bot.engine)) == 2
    assert {u.source for u in status_updates(bot.engine)} == {"button"}
    assert "2 of 2 tasks answered" in bot.slack.messages_in("C0ACME")[0]["text"]

    bot.interact(click)  # again: nothing left to say
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert "already on track" in sent_text(note.params)
    assert len(status_updates(bot.engine)) == 2
