"""Deliveries and their review, end to end: a vendor's "Done" delivers a task, the owner accepts
it or asks for changes, and rates it. Signed block_actions, view_submission, event and command
requests to the real app (SQLite and PostgreSQL); what the fake Slack received and what the
database holds."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from freezegun import freeze_time
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import blocks
from storage import tasks as task_store
from storage.database import transaction
from storage.models import (
    Delivery,
    ReviewOutcome,
    ScheduledPost,
    Task,
    TaskFeedback,
    TaskStatus,
    TaskUpdate,
    Vendor,
    VendorFeedback,
)
from tests.support.checkin_support import (
    MONDAY,
    SENT_AT,
    audit_actions,
    button_click,
    get_task,
    make_task,
    make_vendor,
    payload,
    post_checkin,
    redeliver,
    sent_text,
    thread_reply,
)
from tests.support.reviews import OWNER_DM, actions_of, changes_submission, click, opened_view
from tests.support.slack_requests import BotUnderTest

STANDARD = "Three options <!channel>, SVG & PNG"


@dataclass
class Scene:
    vendor: Vendor
    logo: Task  # announced, with a standard
    banner: Task
    post: ScheduledPost  # the check-in asking about both


def announce(bot: BotUnderTest, task: Task, standard: str = "") -> Task:
    """Give a task a standard and an announcement in the vendor channel, as /delegate would."""
    ts = bot.slack.add_message("C0ACME", f"New task #{task.id}", user=bot.slack.bot_user_id)
    with transaction(bot.engine) as session:
        stored = session.get(Task, task.id)
        assert stored is not None
        return task_store.update_task(
            session, stored, SENT_AT, standard=standard, announcement_ts=ts
        )


@pytest.fixture
def scene(bot: BotUnderTest) -> Scene:
    vendor = make_vendor(bot.engine)
    logo = announce(bot, make_task(bot.engine, vendor, "Logo refresh"), STANDARD)
    banner = make_task(bot.engine, vendor, "Banner")
    return Scene(vendor, logo, banner, post_checkin(bot, vendor, [logo, banner]))


# ---------------------------------------------------------------------------- helpers


def deliveries(engine: Engine) -> list[Delivery]:
    with Session(engine) as session:
        return list(session.exec(select(Delivery).order_by(col(Delivery.id))).all())


def ratings(engine: Engine) -> list[TaskFeedback]:
    with Session(engine) as session:
        return list(session.exec(select(TaskFeedback).order_by(col(TaskFeedback.id))).all())


def dms(bot: BotUnderTest, channel: str = OWNER_DM) -> list[dict[str, Any]]:
    return bot.slack.messages_in(channel)


def deliver(bot: BotUnderTest, scene: Scene) -> dict[str, Any]:
    """The vendor clicks Done on the logo; returns the owner's review message as stored."""
    bot.interact(button_click(scene.post, scene.logo.saved_id, TaskUpdate.DONE))
    assert len(dms(bot)) == 1
    assert len(bot.slack.calls_to("chat.update")) == 1
    return dms(bot)[0]


def rating_submission(
    metadata: str,
    scores: tuple[Any, Any, Any] = ("4", "3", "5"),
    comment: str | None = None,
    user: str = "U0ALICE",
    team: str = "T0TEAM",
) -> dict[str, Any]:
    body = payload("view_submission_task_rating")
    body["user"].update(id=user, team_id=team)
    body["view"]["private_metadata"] = metadata
    values = body["view"]["state"]["values"]
    for (field, _), score in zip(blocks.RATING_FIELDS, scores, strict=True):
        element = values[field][field + "_input"]
        if score is None:
            element["selected_option"] = None
        else:
            element["selected_option"]["value"] = score
    values["comment"]["comment_input"]["value"] = comment
    return body


def accept(bot: BotUnderTest, review: dict[str, Any]) -> None:
    bot.interact(click(review, blocks.REVIEW_ACCEPT_ACTION))
    assert len(dms(bot)) == 2  # the rating prompt comes last


def vendor_thread(bot: BotUnderTest, task: Task) -> list[dict[str, Any]]:
    return [
        m
        for m in bot.slack.messages_in("C0ACME")
        if m.get("thread_ts") == task.announcement_ts and m["ts"] != task.announcement_ts
    ]


def checkin_shown(bot: BotUnderTest, scene: Scene) -> dict[str, Any]:
    """The check-in message as the vendor channel shows it now."""
    [message] = [m for m in bot.slack.messages_in("C0ACME") if m["ts"] == scene.post.message_ts]
    return message


def block_ids(message: dict[str, Any]) -> list[str]:
    return [b.get("block_id", "") for b in message.get("blocks") or []]


# ---------------------------------------------------------------------------- delivering


@freeze_time(MONDAY)
def test_a_vendors_done_delivers_the_task_and_the_owner_gets_a_review(
    bot: BotUnderTest, scene: Scene
) -> None:
    review = deliver(bot, scene)

    task = get_task(bot.engine, scene.logo.saved_id)
    assert (task.status, task.delivered_by, task.closed_at) == (
        TaskStatus.DELIVERED,
        "U0VENDOR",
        None,
    )
    [delivery] = deliveries(bot.engine)
    assert (delivery.task_id, delivery.delivered_by, delivery.outcome) == (
        scene.logo.id,
        "U0VENDOR",
        ReviewOutcome.PENDING,
    )
    assert audit_actions(bot.engine) == ["task.status_reported", "task.delivered"]
    shown = sent_text(review)
    assert "<@U0VENDOR> delivered your task" in shown and "Logo refresh" in shown
    assert "Three options &lt;!channel&gt;, SVG &amp; PNG" in shown  # the standard, escaped
    assert "<!channel>" not in shown
    assert [(a["action_id"], a["value"]) for a in actions_of(review)] == [
        (blocks.REVIEW_ACCEPT_ACTION, str(delivery.id)),
        (blocks.REVIEW_CHANGES_ACTION, str(delivery.id)),
    ]
    checkin = checkin_shown(bot, scene)
    assert f"task:{scene.logo.id}" not in block_ids(checkin)
    assert "waiting for <@U0ALICE>'s review" in sent_text(checkin)


@freeze_time(MONDAY)
def test_a_done_reply_from_the_vendor_delivers_the_task(bot: BotUnderTest, scene: Scene) -> None:
    bot.event(thread_reply(scene.post, f"#{scene.logo.id} done, files attached"))
    assert len(dms(bot)) == 1
    assert get_task(bot.engine, scene.logo.saved_id).status == TaskStatus.DELIVERED
    [lookup] = bot.slack.calls_to("users.info")  # an event doesn't say the author's team
    assert lookup.params["user"] == "U0VENDOR"
    assert [a["action_id"] for a in actions_of(dms(bot)[0])] == [
        blocks.REVIEW_ACCEPT_ACTION,
        blocks.REVIEW_CHANGES_ACTION,
    ]


@freeze_time(MONDAY)
def test_the_assignee_delivers_even_from_inside_the_team(bot: BotUnderTest, scene: Scene) -> None:
    with transaction(bot.engine) as session:
        task = session.get(Task, scene.banner.id)
        assert task is not None
        task_store.update_task(session, task, SENT_AT, assignee_id="U0BOB")
    bot.event(thread_reply(scene.post, f"#{scene.banner.id} done", user="U0BOB"))
    assert len(dms(bot)) == 1
    assert get_task(bot.engine, scene.banner.saved_id).status == TaskStatus.DELIVERED


@freeze_time(MONDAY)
def test_when_slack_cannot_say_who_it_is_a_done_asks_for_a_review(
    bot: BotUnderTest, scene: Scene
) -> None:
    bot.slack.fail_next("users.info", "internal_error")
    bot.event(thread_reply(scene.post, f"#{scene.logo.id} done", user="U0BOB"))
    assert len(dms(bot)) == 1
    task = get_task(bot.engine, scene.logo.saved_id)
    assert (task.status, task.delivered_by) == (TaskStatus.DELIVERED, "U0BOB")


# ---------------------------------------------------------------------------- accepting


@freeze_time(MONDAY)
def test_the_owner_accepts_closes_the_task_and_is_asked_for_a_rating(
    bot: BotUnderTest, scene: Scene
) -> None:
    review = deliver(bot, scene)
    result = bot.interact(click(review, blocks.REVIEW_ACCEPT_ACTION))
    assert result.status == 200
    assert len(dms(bot)) == 2

    task = get_task(bot.engine, scene.logo.saved_id)
    assert (task.status, task.closed_by, task.delivered_by) == (
        TaskStatus.DONE,
        "U0ALICE",
        "U0VENDOR",
    )
    [delivery] = deliveries(bot.engine)
    assert (delivery.outcome, delivery.reviewed_by) == (ReviewOutcome.ACCEPTED, "U0ALICE")
    assert audit_actions(bot.engine)[-2:] == ["task.delivery_accepted", "task.done"]
    updated, prompt = dms(bot)
    assert updated["ts"] == review["ts"]  # the review message, updated in place
    assert "Accepted by <@U0ALICE>" in sent_text(updated) and actions_of(updated) == []
    assert [(a["action_id"], a["value"]) for a in actions_of(prompt)] == [
        (blocks.RATE_TASK_ACTION, str(scene.logo.id))
    ]
    [notice] = vendor_thread(bot, scene.logo)
    assert "accepted by <@U0ALICE>" in notice["text"]
    checkin = bot.slack.calls_to("chat.update")[-1].params
    assert checkin["ts"] == scene.post.message_ts and "review" not in sent_text(checkin)


@freeze_time(MONDAY)
def test_a_second_click_says_what_was_decided_and_changes_nothing(
    bot: BotUnderTest, scene: Scene
) -> None:
    review = deliver(bot, scene)
    accept(bot, review)
    before = (audit_actions(bot.engine), len(dms(bot)))

    bot.interact(click(review, blocks.REVIEW_CHANGES_ACTION))
    bot.interact(click(review, blocks.REVIEW_ACCEPT_ACTION))
    notes = bot.slack.wait_for("chat.postEphemeral", count=2)
    for note in notes:
        assert "already accepted by <@U0ALICE>" in sent_text(note.params)
        assert note.params["user"] == "U0ALICE"
    assert (audit_actions(bot.engine), len(dms(bot))) == before
    assert bot.slack.calls_to("views.open") == []
    assert deliveries(bot.engine)[0].outcome == ReviewOutcome.ACCEPTED


@freeze_time(MONDAY)
def test_two_accepts_racing_each_other_decide_once(bot: BotUnderTest, scene: Scene) -> None:
    review = deliver(bot, scene)
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda _: bot.interact(click(review, blocks.REVIEW_ACCEPT_ACTION)), range(3)))
    assert len(bot.slack.calls_to("chat.postEphemeral")) == 2
    assert len(dms(bot)) == 2
    assert audit_actions(bot.engine).count("task.done") == 1
    assert sum("Rate this delivery" in sent_text(m) for m in dms(bot)) == 1


@freeze_time(MONDAY)
def test_only_the_owner_may_review(bot: BotUnderTest, scene: Scene) -> None:
    review = deliver(bot, scene)
    before = audit_actions(bot.engine)
    bot.interact(click(review, blocks.REVIEW_ACCEPT_ACTION, user="U0BOB"))
    bot.interact(click(review, blocks.REVIEW_CHANGES_ACTION, user="U0VENDOR", team="T0VENDOR"))
    notes = bot.slack.wait_for("chat.postEphemeral", count=2)
    assert {n.params["user"] for n in notes} == {"U0BOB", "U0VENDOR"}
    assert all("Only <@U0ALICE>" in sent_text(n.params) for n in notes)
    assert audit_actions(bot.engine) == before
    assert deliveries(bot.engine)[0].outcome == ReviewOutcome.PENDING
    assert bot.slack.calls_to("views.open") == []


def _another_teams_delivery(engine: Engine) -> str:
    with transaction(engine) as session:
        vendor = Vendor(
            team_id="T0OTHER",
            channel_id="C0OTHER",
            name="Other",
            timezone="UTC",
            checkin_cadence="weekdays@09:00",
            summary_cadence="fri@16:00",
            added_by="U0EVE",
            created_at=SENT_AT,
            updated_at=SENT_AT,
        )
        session.add(vendor)
        session.flush()
        task = task_store.create_task(
            session,
            vendor,
            # even an owner id that matches
            task_store.NewTask("Theirs", "", owner_id="U0ALICE", assignee_id=None, due_date=None),
            SENT_AT,
        )
        task_store.update_task(session, task, SENT_AT, status=TaskStatus.DELIVERED)
        delivery = Delivery(
            task_id=task.saved_id,
            vendor_id=vendor.saved_id,
            delivered_by="U0X",
            delivered_at=SENT_AT,
        )
        session.add(delivery)
        session.flush()
        return str(delivery.id)


FORGED: list[tuple[str, Callable[[Engine], str]]] = [
    ("unknown", lambda engine: "9999"),
    ("garbage", lambda engine: "1; DROP TABLE deliveries"),
    ("empty", lambda engine: ""),
    ("another-team", _another_teams_delivery),
]


@freeze_time(MONDAY)
@pytest.mark.parametrize("action_id", [blocks.REVIEW_ACCEPT_ACTION, blocks.REVIEW_CHANGES_ACTION])
@pytest.mark.parametrize(("name", "forge"), FORGED, ids=[name for name, _ in FORGED])
def test_a_forged_delivery_id_is_refused_and_nothing_is_written(
    bot: BotUnderTest,
    scene: Scene,
    action_id: str,
    name: str,
    forge: Callable[[Engine], str],
) -> None:
    review = deliver(bot, scene)
    value = forge(bot.engine)
    before = (audit_actions(bot.engine), [d.outcome for d in deliveries(bot.engine)])
    bot.slack.reset_calls()

    assert bot.interact(click(review, action_id, value=value)).status == 200
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert "couldn't find that delivery" in sent_text(note.params)
    assert "Traceback" not in sent_text(note.params)
    assert (audit_actions(bot.engine), [d.outcome for d in deliveries(bot.engine)]) == before
    assert get_task(bot.engine, scene.logo.saved_id).status == TaskStatus.DELIVERED
    for method in ("chat.update", "views.open", "chat.postMessage"):
        assert bot.slack.calls_to(method) == [], method


# ---------------------------------------------------------------------------- changes


@freeze_time(MONDAY)
def test_request_changes_reopens_the_task_and_tells_the_vendor_in_its_thread(
    bot: BotUnderTest, scene: Scene
) -> None:
    review = deliver(bot, scene)
    bot.interact(click(review, blocks.REVIEW_CHANGES_ACTION))
    view = opened_view(bot)
    assert bot.slack.calls_to("views.open")[0].params["trigger_id"] == "1337.44.review"
    assert view["callback_id"] == blocks.REVIEW_CHANGES_MODAL
    delivery_id = deliveries(bot.engine)[0].id
    assert view["private_metadata"] == f"{delivery_id}:{OWNER_DM}:{review['ts']}"

    result = bot.interact(
        changes_submission(view["private_metadata"], "Needs <!here> & an SVG\nAnd PNG")
    )
    assert result.status == 200 and result.body == ""  # a plain ack closes the form
    assert len(vendor_thread(bot, scene.logo)) == 1

    task = get_task(bot.engine, scene.logo.saved_id)
    assert (task.status, task.delivered_at, task.closed_at) == (TaskStatus.OPEN, None, None)
    [delivery] = deliveries(bot.engine)
    assert (delivery.outcome, delivery.reviewed_by, delivery.review_note) == (
        ReviewOutcome.CHANGES_REQUESTED,
        "U0ALICE",
        "Needs <!here> & an SVG\nAnd PNG",
    )
    assert audit_actions(bot.engine)[-1] == "task.changes_requested"
    [request] = vendor_thread(bot, scene.logo)
    shown = sent_text(request)
    assert "<@U0VENDOR> <@U0ALICE> asked for changes" in shown
    assert "Needs &lt;!here&gt; &amp; an SVG" in shown and "<!here>" not in shown
    assert "Changes requested by <@U0ALICE>" in sent_text(dms(bot)[0])
    assert actions_of(dms(bot)[0]) == []
    # The check-in shows the task open again, with its buttons back.
    assert f"task:{scene.logo.id}" in block_ids(checkin_shown(bot, scene))
    assert "<@U0ALICE> asked for changes" in sent_text(checkin_shown(bot, scene))
    assert len(dms(bot)) == 1  # no rating prompt: the task isn't done


@freeze_time(MONDAY)
def test_changes_to_a_task_never_announced_are_posted_in_the_channel(
    bot: BotUnderTest, scene: Scene
) -> None:
    bot.interact(button_click(scene.post, scene.banner.saved_id, TaskUpdate.DONE))
    assert len(dms(bot)) == 1
    bot.interact(click(dms(bot)[0], blocks.REVIEW_CHANGES_ACTION))
    view = opened_view(bot)
    bot.interact(changes_submission(view["private_metadata"], "Wider, please"))
    posted = bot.slack.wait_for("chat.postMessage", count=2)[-1].params
    assert posted["channel"] == "C0ACME" and not posted.get("thread_ts")
    assert "Wider, please" in sent_text(posted)


@freeze_time(MONDAY)
@pytest.mark.parametrize(
    ("text", "hint"),
    [("   ", "Say what should change"), ("x" * 2001, "2000")],
    ids=["blank", "long"],
)
def test_an_unusable_change_request_is_shown_in_the_form(
    bot: BotUnderTest, scene: Scene, text: str, hint: str
) -> None:
    review = deliver(bot, scene)
    bot.interact(click(review, blocks.REVIEW_CHANGES_ACTION))
    view = opened_view(bot)
    body = bot.interact(changes_submission(view["private_metadata"], text)).json()
    assert body["response_action"] == "errors" and hint in body["errors"][blocks.FIELD_CHANGES]
    assert deliveries(bot.engine)[0].outcome == ReviewOutcome.PENDING


@freeze_time(MONDAY)
def test_a_change_request_after_the_review_was_decided_is_refused_in_the_form(
    bot: BotUnderTest, scene: Scene
) -> None:
    review = deliver(bot, scene)
    bot.interact(click(review, blocks.REVIEW_CHANGES_ACTION))
    view = opened_view(bot)
    accept(bot, review)  # meanwhile, from another window
    body = bot.interact(changes_submission(view["private_metadata"], "too late")).json()
    assert "already accepted" in body["errors"][blocks.FIELD_CHANGES]
    assert get_task(bot.engine, scene.logo.saved_id).status == TaskStatus.DONE


@freeze_time(MONDAY)
@pytest.mark.parametrize("metadata", ["", "abc", "9999", "1:2"])
def test_a_forged_change_form_is_refused(bot: BotUnderTest, scene: Scene, metadata: str) -> None:
    deliver(bot, scene)
    body = bot.interact(changes_submission(metadata, "forged")).json()
    assert "couldn't find that delivery" in body["errors"][blocks.FIELD_CHANGES]
    assert deliveries(bot.engine)[0].outcome == ReviewOutcome.PENDING


@freeze_time(MONDAY)
def test_a_delivery_sent_back_can_be_delivered_again(bot: BotUnderTest, scene: Scene) -> None:
    review = deliver(bot, scene)
    bot.interact(click(review, blocks.REVIEW_CHANGES_ACTION))
    bot.interact(changes_submission(opened_view(bot)["private_metadata"], "SVG please"))
    assert get_task(bot.engine, scene.logo.saved_id).status == TaskStatus.OPEN
    bot.event(thread_reply(scene.post, f"#{scene.logo.id} done, SVG added"))
    assert len(deliveries(bot.engine)) == 2
    assert [d.outcome for d in deliveries(bot.engine)] == [
        ReviewOutcome.CHANGES_REQUESTED,
        ReviewOutcome.PENDING,
    ]
    assert len(dms(bot)) == 2  # a second review message


# ---------------------------------------------------------------------------- /delegate done


@freeze_time(MONDAY)
def test_the_owners_done_command_closes_at_once_and_asks_for_a_rating(
    bot: BotUnderTest, scene: Scene
) -> None:
    assert "marked done" in bot.command(f"done {scene.logo.id}")
    task = get_task(bot.engine, scene.logo.saved_id)
    assert (task.status, task.closed_by) == (TaskStatus.DONE, "U0ALICE")
    assert deliveries(bot.engine) == []
    assert len(dms(bot)) == 1
    assert [a["action_id"] for a in actions_of(dms(bot)[0])] == [blocks.RATE_TASK_ACTION]


@freeze_time(MONDAY)
def test_the_owners_done_on_a_delivered_task_accepts_it(bot: BotUnderTest, scene: Scene) -> None:
    review = deliver(bot, scene)
    assert "accepted and marked done" in bot.command(f"done {scene.logo.id}")
    assert deliveries(bot.engine)[0].outcome == ReviewOutcome.ACCEPTED
    assert get_task(bot.engine, scene.logo.saved_id).status == TaskStatus.DONE
    assert len(dms(bot)) == 2
    # The review message still has its buttons; a click now says what happened.
    bot.interact(click(review, blocks.REVIEW_ACCEPT_ACTION))
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert "already accepted by <@U0ALICE>" in sent_text(note.params)
    assert actions_of(dms(bot)[0]) == []


@freeze_time(MONDAY)
def test_a_colleagues_done_on_a_delivered_task_waits_for_the_owner(
    bot: BotUnderTest, scene: Scene
) -> None:
    deliver(bot, scene)
    refused = bot.command(f"done {scene.logo.id}", user="U0BOB")
    assert "belongs to <@U0ALICE>" in refused and "nothing changed" in refused
    assert get_task(bot.engine, scene.logo.saved_id).status == TaskStatus.DELIVERED


@freeze_time(MONDAY)
@pytest.mark.parametrize("command", ["cancel {id}", "due {id} fri"])
def test_a_delivered_task_is_reviewed_before_it_is_cancelled_or_moved(
    bot: BotUnderTest, scene: Scene, command: str
) -> None:
    deliver(bot, scene)
    before = audit_actions(bot.engine)
    assert "already delivered" in bot.command(command.format(id=scene.logo.id))
    assert audit_actions(bot.engine) == before


@freeze_time(MONDAY)
def test_a_vendors_done_command_delivers(bot: BotUnderTest, scene: Scene) -> None:
    assert "delivered for review" in bot.command(f"done {scene.logo.id}", user="U0VENDOR")
    assert get_task(bot.engine, scene.logo.saved_id).status == TaskStatus.DELIVERED
    assert len(dms(bot)) == 1
    assert "delivered your task" in sent_text(dms(bot)[0])


# ---------------------------------------------------------------------------- rating


def open_rating_form(bot: BotUnderTest, scene: Scene, count: int = 1) -> tuple[str, dict[str, Any]]:
    """Accept the logo, click "Rate this delivery"; the form's metadata and the prompt."""
    review = deliver(bot, scene)
    accept(bot, review)
    prompt = dms(bot)[1]
    bot.interact(click(prompt, blocks.RATE_TASK_ACTION))
    view = opened_view(bot, count)
    assert view["callback_id"] == blocks.RATING_MODAL
    return view["private_metadata"], prompt


@freeze_time(MONDAY)
def test_a_rating_is_stored_once_and_a_second_one_updates_it(
    bot: BotUnderTest, scene: Scene
) -> None:
    metadata, prompt = open_rating_form(bot, scene)
    assert metadata == f"{scene.logo.id}:{OWNER_DM}:{prompt['ts']}"

    result = bot.interact(rating_submission(metadata, ("4", "3", "5"), "Good <!channel> work"))
    assert result.status == 200 and result.body == ""
    assert len(ratings(bot.engine)) == 1
    [rating] = ratings(bot.engine)
    assert (rating.task_id, rating.vendor_id, rating.rated_by) == (
        scene.logo.id,
        scene.vendor.id,
        "U0ALICE",
    )
    assert (rating.quality, rating.timeliness, rating.communication, rating.comment) == (
        4,
        3,
        5,
        "Good <!channel> work",
    )
    assert "quality 4/5" in sent_text(dms(bot)[1])
    shown = sent_text(dms(bot)[1])
    assert "Good &lt;!channel&gt; work" in shown and "Change rating" in shown

    # Again: the form opens with the rating there is; the new one replaces it.
    bot.interact(click(dms(bot)[1], blocks.RATE_TASK_ACTION))
    view = opened_view(bot, count=2)
    selects = {
        b["block_id"]: b["element"].get("initial_option")
        for b in view["blocks"]
        if b["type"] == "input"
    }
    assert selects["quality"]["value"] == "4"
    bot.interact(rating_submission(view["private_metadata"], ("2", "2", "2")))
    assert ratings(bot.engine)[0].quality == 2
    [rating] = ratings(bot.engine)
    assert (rating.quality, rating.timeliness, rating.communication, rating.comment) == (
        2,
        2,
        2,
        "",
    )
    assert audit_actions(bot.engine)[-2:] == ["task.rated", "task.rating_changed"]


@freeze_time(MONDAY)
@pytest.mark.parametrize(
    ("scores", "comment", "field"),
    [
        (("6", "3", "5"), None, "quality"),
        (("4", "0", "5"), None, "timeliness"),
        (("4", "3", "five"), None, "communication"),
        (("4", None, "5"), None, "timeliness"),
        (("4", "3", "-1"), None, "communication"),
        (("4", "3", "5"), "x" * 2001, "comment"),
    ],
    ids=["six", "zero", "word", "missing", "negative", "long-comment"],
)
def test_an_invalid_rating_is_rejected_in_the_form(
    bot: BotUnderTest,
    scene: Scene,
    scores: tuple[Any, Any, Any],
    comment: str | None,
    field: str,
) -> None:
    metadata, _ = open_rating_form(bot, scene)
    body = bot.interact(rating_submission(metadata, scores, comment)).json()
    assert body["response_action"] == "errors" and list(body["errors"]) == [field]
    assert ratings(bot.engine) == []


@freeze_time(MONDAY)
def test_the_vendor_cannot_rate(bot: BotUnderTest, scene: Scene) -> None:
    metadata, prompt = open_rating_form(bot, scene)
    bot.interact(click(prompt, blocks.RATE_TASK_ACTION, user="U0VENDOR", team="T0VENDOR"))
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert "Only <@U0ALICE>'s team can rate" in sent_text(note.params)
    body = bot.interact(rating_submission(metadata, user="U0VENDOR", team="T0VENDOR")).json()
    assert "Only <@U0ALICE>'s team" in body["errors"]["quality"]
    assert ratings(bot.engine) == []
    assert len(bot.slack.calls_to("views.open")) == 1  # only the owner's


@freeze_time(MONDAY)
def test_a_colleague_may_rate(bot: BotUnderTest, scene: Scene) -> None:
    metadata, _ = open_rating_form(bot, scene)
    bot.interact(rating_submission(metadata, user="U0BOB"))
    assert len(ratings(bot.engine)) == 1
    assert ratings(bot.engine)[0].rated_by == "U0BOB"


@freeze_time(MONDAY)
@pytest.mark.parametrize("value", ["9999", "abc", ""])
def test_rating_an_unknown_or_open_task_is_refused(
    bot: BotUnderTest, scene: Scene, value: str
) -> None:
    assert "marked done" in bot.command(f"done {scene.logo.id}")
    assert len(dms(bot)) == 1
    bot.interact(click(dms(bot)[0], blocks.RATE_TASK_ACTION, value=value))
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert "couldn't find that task" in sent_text(note.params)
    body = bot.interact(rating_submission(f"{scene.banner.id}")).json()  # still open
    assert "not done" in body["errors"]["quality"]
    assert bot.slack.calls_to("views.open") == [] and ratings(bot.engine) == []


# ---------------------------------------------------------------------------- vendor feedback


def post_feedback_prompt(bot: BotUnderTest, vendor: Vendor) -> ScheduledPost:
    """The weekly prompt as the scheduler leaves it: sent, its message in the channel."""
    ts = bot.slack.add_message(vendor.channel_id, "What blocks you?", user=bot.slack.bot_user_id)
    with transaction(bot.engine) as session:
        post = ScheduledPost(
            vendor_id=vendor.saved_id,
            kind="feedback_prompt",
            occurrence="2026-11-30T16:00",
            state="sent",
            claimed_by="test",
            claimed_at=SENT_AT,
            channel_id=vendor.channel_id,
            message_ts=ts,
            sent_at=SENT_AT,
        )
        session.add(post)
    return post


def vendor_feedback_texts(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(VendorFeedback).order_by(col(VendorFeedback.id))).all()
        return [(r.user_id, r.text) for r in rows]


@freeze_time(MONDAY)
def test_replies_to_a_feedback_prompt_are_stored_once(bot: BotUnderTest, scene: Scene) -> None:
    prompt = post_feedback_prompt(bot, scene.vendor)
    first = thread_reply(prompt, "Waiting on brand assets &amp; <@U0ALICE>", event_id="Ev0FB1")
    assert bot.event(first).status == 200
    assert len(vendor_feedback_texts(bot.engine)) == 1
    assert redeliver(bot, first, attempt=1).status == 200
    bot.event(thread_reply(prompt, "#1 done", user="U0BOT"))  # the bot's own: ignored
    edited = payload("event_message_changed")
    edited["event"]["message"].update(thread_ts=prompt.message_ts, ts="1764496800.555555")
    bot.event(edited)
    bot.event(thread_reply(prompt, "Also: faster answers"))  # the barrier
    assert len(vendor_feedback_texts(bot.engine)) == 2
    assert vendor_feedback_texts(bot.engine) == [
        ("U0VENDOR", "Waiting on brand assets & @U0ALICE"),
        ("U0VENDOR", "Also: faster answers"),
    ]
    # Not a check-in: no status, no answer from the bot.
    assert get_task(bot.engine, 1).status == TaskStatus.OPEN
    assert bot.slack.calls_to("chat.postEphemeral") == []
