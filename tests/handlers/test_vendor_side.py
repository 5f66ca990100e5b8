"""The vendor's side of a check-in, part one: "Nothing new today" and "Away…" from the
check-in's menu (signed block_actions and view_submission requests to the real app), who
may press them, `vendor away`, and what days away do to the scheduler, the digest and Home."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import blocks
from bot.app import build_client
from bot.blocks import vendor_side as vendor_blocks
from bot.summaries import home_overview, team_digest
from storage import absences as absence_store
from storage.database import transaction
from storage.models import ScheduledPost, Task, TaskUpdate, Vendor, VendorAbsence
from tests.support.checkin_support import (
    MONDAY,
    audit_actions,
    button_click,
    make_task,
    make_vendor,
    post_checkin,
    sent_text,
    status_updates,
)
from tests.support.fake_slack import FakeSlack
from tests.support.scheduling import Clock, add_task, add_vendor, claims, make_deps, sent_checkins
from tests.support.slack_requests import BotUnderTest
from tests.support.vendor_side_support import away_submission, menu_click

Checkin = tuple[Vendor, list[Task], ScheduledPost]
ACME = "<#C0ACME|acme-design>"


@pytest.fixture
def checkin(bot: BotUnderTest) -> Checkin:
    vendor = make_vendor(bot.engine)
    tasks = [make_task(bot.engine, vendor, "Logo refresh"), make_task(bot.engine, vendor, "Banner")]
    bot.slack.add_user("U0STRANGER", "stan", team_id="T0OTHER")
    return vendor, tasks, post_checkin(bot, vendor, tasks)


def absences(engine: Engine) -> list[VendorAbsence]:
    with Session(engine) as session:
        return list(session.exec(select(VendorAbsence).order_by(col(VendorAbsence.id))).all())


def ephemeral_texts(bot: BotUnderTest, user: str) -> list[str]:
    """What `user` was told privately: ephemeral messages, or a DM where those failed."""
    dms = [
        str(c.params.get("text"))
        for c in bot.slack.calls_to("chat.postMessage")
        if c.params.get("channel") == user
    ]
    return [e["text"] for e in bot.slack.ephemerals if e["user"] == user] + dms


def told(user: str, fragment: str, bot: BotUnderTest) -> None:
    assert any(fragment in text for text in ephemeral_texts(bot, user))


# --------------------------------------------------------------------------- the menu


def test_the_checkin_carries_the_menu(bot: BotUnderTest, checkin: Checkin) -> None:
    _, _, post = checkin
    [message] = bot.slack.messages_in("C0ACME")
    [menu] = [b for b in message["blocks"] if b.get("block_id") == "checkin_menu"]
    [overflow] = menu["elements"]
    assert overflow["action_id"] == vendor_blocks.CHECKIN_MENU_ACTION
    assert [(o["text"]["text"], o["value"]) for o in overflow["options"]] == [
        ("Nothing new today", f"nothing_new:{post.id}"),
        ("Away…", f"away:{post.id}"),
    ]


@freeze_time(MONDAY)
def test_nothing_new_answers_every_unanswered_task_as_unchanged(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    vendor, (logo, banner), first = checkin
    bot.interact(button_click(first, logo.saved_id, TaskUpdate.AT_RISK))
    bot.slack.wait_for("chat.postMessage")  # the owner heard about "at risk"
    # The next check-in comes after that answer (an answer given after a check-in was
    # posted answers it: issue 14), and Nothing new today is pressed on it later still.
    second = post_checkin(
        bot, vendor, [logo, banner], sent_at=datetime(2026, 11, 30, 11, tzinfo=UTC)
    )
    bot.slack.calls.clear()

    with freeze_time("2026-11-30 12:00:00"):
        result = bot.interact(menu_click(second, "nothing_new"))
    assert result.status == 200
    bot.slack.wait_for("chat.postEphemeral")
    updates = [u for u in status_updates(bot.engine) if u.post_id == second.id]
    assert [(u.task_id, u.status, u.source, u.user_id) for u in updates] == [
        (logo.id, TaskUpdate.AT_RISK, "nothing_new", "U0VENDOR"),  # as it was
        (banner.id, TaskUpdate.ON_TRACK, "nothing_new", "U0VENDOR"),  # never said: on track
    ]
    [edit] = bot.slack.calls_to("chat.update")
    assert "2 of 2 tasks answered" in sent_text(edit.params)
    assert ephemeral_texts(bot, "U0VENDOR")[-1].startswith(
        ":white_check_mark: Noted: nothing new on 2 tasks today"
    )
    assert not bot.slack.calls_to("chat.postMessage")  # nobody alerted: nothing changed
    assert audit_actions(bot.engine).count("checkin.nothing_new") == 1

    bot.interact(menu_click(second, "nothing_new"))
    bot.slack.wait_for("chat.postEphemeral", count=2)
    assert "answered already; nothing changed" in ephemeral_texts(bot, "U0VENDOR")[-1]
    assert len(status_updates(bot.engine)) == 3


@freeze_time(MONDAY)
def test_someone_neither_a_contact_nor_the_team_is_refused_privately(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, _, post = checkin
    bot.interact(menu_click(post, "nothing_new", user="U0STRANGER", user_team="T0OTHER"))
    bot.slack.wait_for("chat.postEphemeral")
    [refusal] = ephemeral_texts(bot, "U0STRANGER")
    assert "Only Acme's people and the team" in refusal
    assert status_updates(bot.engine) == []
    assert not bot.slack.calls_to("views.open")
    bot.interact(menu_click(post, "away", user="U0STRANGER", user_team="T0OTHER"))
    bot.slack.wait_for("chat.postEphemeral", count=2)
    assert not bot.slack.calls_to("views.open")


@freeze_time(MONDAY)
def test_the_team_may_use_the_menu_and_a_forged_channel_or_value_is_refused(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, _, post = checkin
    bot.interact(menu_click(post, "away", channel="C0PUBLIC", user="U0ALICE", user_team="T0TEAM"))
    # C0PUBLIC refuses the ephemeral (the bot is not in it): a DM says it instead.
    told("U0ALICE", "doesn't belong to a check-in in this channel", bot)
    forged = menu_click(post, "away", user="U0ALICE", user_team="T0TEAM")
    forged["actions"][0]["selected_option"]["value"] = "<!channel>"
    bot.interact(forged)
    told("U0ALICE", "couldn't read that menu", bot)
    forged["actions"][0]["selected_option"]["value"] = f"answer:{post.id}"
    bot.interact(forged)
    assert sum("couldn't read that menu" in t for t in ephemeral_texts(bot, "U0ALICE")) == 2
    bot.interact(menu_click(post, "away", user="U0ALICE", user_team="T0TEAM"))
    bot.slack.wait_for("views.open")


# --------------------------------------------------------------------------- Away…


@freeze_time(MONDAY)
def test_away_opens_a_form_and_saving_it_shows_the_absence_in_the_checkin(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, _, post = checkin
    bot.interact(menu_click(post, "away"))
    [form] = bot.slack.wait_for("views.open")
    view = form.params["view"]
    assert (view["callback_id"], view["private_metadata"]) == (
        vendor_blocks.AWAY_MODAL,
        str(post.id),
    )
    pickers = [b["element"] for b in view["blocks"] if b["type"] == "input"][:2]
    assert [p["initial_date"] for p in pickers] == ["2026-11-30", "2026-11-30"]

    result = bot.interact(away_submission(post.saved_id, "2026-12-03", "2026-12-04", "Back Mon"))
    assert result.status == 200 and result.body in ("", "{}")
    [absence] = absences(bot.engine)
    assert (absence.user_id, absence.first_day, absence.last_day, absence.note) == (
        "U0VENDOR",
        date(2026, 12, 3),
        date(2026, 12, 4),
        "Back Mon",
    )
    bot.slack.wait_for("chat.postEphemeral")
    assert "you are away Thu 3 Dec to Fri 4 Dec 2026" in ephemeral_texts(bot, "U0VENDOR")[0]
    assert "vendor.away_added" in audit_actions(bot.engine)


def test_the_same_away_form_sent_twice_at_once_is_one_absence(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    """A double click on Save (or two tabs): both submissions arrive together; one row,
    one audit entry, and both get the same confirmation."""
    _, _, post = checkin
    form = away_submission(post.saved_id, "2026-12-03", "2026-12-04", "Back Mon")
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: bot.interact(form), range(2)))
    bot.settle()

    assert [r.status for r in results] == [200, 200]
    [absence] = absences(bot.engine)
    assert (absence.first_day, absence.last_day, absence.note) == (
        date(2026, 12, 3),
        date(2026, 12, 4),
        "Back Mon",
    )
    assert audit_actions(bot.engine).count("vendor.away_added") == 1
    confirmations = ephemeral_texts(bot, "U0VENDOR")
    assert len(confirmations) == 2
    assert all("you are away Thu 3 Dec to Fri 4 Dec 2026" in text for text in confirmations)


@freeze_time("2026-12-03 10:00:00")
def test_the_checkin_says_who_is_away_until_when(bot: BotUnderTest) -> None:
    vendor = make_vendor(bot.engine)
    with transaction(bot.engine) as session:
        task = session.get(Task, make_task(bot.engine, vendor, "Logo").id)
        assert task is not None
        task.assignee_id = "U0VENDOR"
        session.add(task)
        absence_store.add_absence(
            session,
            vendor,
            "U0VENDOR",
            first_day=date(2026, 12, 3),
            last_day=date(2026, 12, 4),
            note="",
            now=datetime(2026, 12, 1, tzinfo=UTC),
        )
    with transaction(bot.engine) as session:
        fresh = session.get(Task, task.id)
        assert fresh is not None
    post = post_checkin(bot, vendor, [fresh])
    bot.interact(button_click(post, fresh.saved_id, TaskUpdate.ON_TRACK, user="U0ALICE"))
    [edit] = bot.slack.wait_for("chat.update")
    shown = sent_text(edit.params)
    assert "<@U0VENDOR> is away until Fri 4 Dec" in shown
    assert "Away: <@U0VENDOR> away until Fri 4 Dec" in shown


@pytest.mark.parametrize(
    ("first", "last", "field", "hint"),
    [
        pytest.param("2026-12-04", "2026-12-03", "away_last", "can't be before", id="backwards"),
        pytest.param("2026-11-27", "2026-12-03", "away_first", "Pick today", id="past"),
        pytest.param(None, "2026-12-03", "away_first", "Pick the first day", id="missing"),
        pytest.param("2026-12-01", "2027-06-01", "away_last", "At most 92 days", id="too-long"),
        pytest.param("not-a-date", "2026-12-03", "away_first", "Pick the first", id="junk"),
    ],
)
@freeze_time(MONDAY)
def test_bad_dates_are_shown_in_the_form_and_nothing_is_saved(
    bot: BotUnderTest, checkin: Checkin, first: str | None, last: str, field: str, hint: str
) -> None:
    _, _, post = checkin
    result = bot.interact(away_submission(post.saved_id, first, last))
    body = json.loads(result.body)
    assert body["response_action"] == "errors" and hint in body["errors"][field]
    assert absences(bot.engine) == []


@freeze_time(MONDAY)
def test_an_away_form_from_a_stranger_or_for_an_unknown_checkin_saves_nothing(
    bot: BotUnderTest, checkin: Checkin
) -> None:
    _, _, post = checkin
    stranger = away_submission(
        post.saved_id, "2026-12-03", "2026-12-04", user="U0STRANGER", user_team="T0OTHER"
    )
    body = json.loads(bot.interact(stranger).body)
    assert "Only Acme's people" in body["errors"]["away_first"]
    body = json.loads(bot.interact(away_submission(999, "2026-12-03", "2026-12-04")).body)
    assert "no longer something I can record answers for" in body["errors"]["away_first"]
    body = json.loads(bot.interact(away_submission("x1", "2026-12-03", "2026-12-04")).body)
    assert "couldn't find the check-in" in body["errors"]["away_first"]
    assert absences(bot.engine) == []


# --------------------------------------------------------------------------- vendor away


@freeze_time(MONDAY)
def test_vendor_away_lists_and_clears(bot: BotUnderTest, checkin: Checkin) -> None:
    _, _, post = checkin
    assert "Nobody at *Acme* is away" in bot.command(f"vendor away {ACME}")
    bot.interact(away_submission(post.saved_id, "2026-12-03", "2026-12-04", "Dentist"))
    bot.slack.wait_for("chat.postEphemeral")
    listing = bot.command(f"vendor away {ACME}")
    assert "• <@U0VENDOR> Thu 3 Dec to Fri 4 Dec 2026: Dentist" in listing
    cleared = bot.command(f"vendor away {ACME} clear <@U0VENDOR|vera>")
    assert cleared.startswith(":white_check_mark: Cleared 1 absence(s).")
    assert absences(bot.engine) == []
    again = bot.command(f"vendor away {ACME} clear")
    assert "nobody has said they are away" in again
    assert "`clear @person`" in bot.command(f"vendor away {ACME} forget")
    assert "is not a person" in bot.command(f"vendor away {ACME} clear vera")
    assert "is for the team" in bot.command(f"vendor away {ACME}", user="U0VENDOR")


# --------------------------------------------------------------------------- the scheduler


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return build_client(slack.bot_token, slack.api_url)


@pytest.fixture
def clock(engine: Engine, client: WebClient) -> Clock:
    return Clock(make_deps(engine), client)


def away(engine: Engine, vendor: Vendor, user: str, first: date, last: date) -> None:
    with transaction(engine) as session:
        absence_store.add_absence(
            session,
            vendor,
            user,
            first_day=first,
            last_day=last,
            note="",
            now=datetime(2026, 12, 1, tzinfo=UTC),
        )


def test_a_freelancer_away_thursday_and_friday_hears_nothing_until_monday(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Logo refresh", assignee="U0VENDOR")
    add_task(engine, vendor, "Banner", assignee="U0VENDOR")
    away(engine, vendor, "U0VENDOR", date(2026, 12, 3), date(2026, 12, 4))
    with freeze_time("2026-12-02 00:00"):
        clock.run("2026-12-02 00:00", "2026-12-07 12:00")
    assert [key for key, _ in sent_checkins(engine, vendor)] == [
        "2026-12-02T09:00",
        "2026-12-07T09:00",
    ]
    [reminder] = claims(engine, "reminder", "sent")
    assert reminder.occurrence == "2026-12-02T09:00"  # Wednesday, before she left
    assert claims(engine, "escalation", "sent") == []
    skipped = {(p.kind, p.occurrence): p.detail for p in claims(engine, state="skipped")}
    assert skipped[("checkin", "2026-12-03T09:00")] == "everyone at the vendor is away"
    assert skipped[("escalation", "2026-12-02T09:00")] == "everyone at the vendor is away"
    assert not [m for m in slack.messages_in("DU0ALICE")]


def test_with_several_contacts_the_checkin_goes_and_reminders_skip_who_is_away(
    engine: Engine, slack: FakeSlack, clock: Clock
) -> None:
    vendor = add_vendor(engine)
    add_task(engine, vendor, "Logo refresh", assignee="U0VENDOR")
    add_task(engine, vendor, "Banner", assignee="U0ANA")
    away(engine, vendor, "U0VENDOR", date(2026, 12, 3), date(2026, 12, 4))
    with freeze_time("2026-12-03 09:00"):
        clock.tick("2026-12-03 09:00")
        clock.tick("2026-12-03 13:00")
    [checkin, reminder] = slack.messages_in("C0ACME")
    shown = json.dumps(checkin["blocks"])
    assert "<@U0VENDOR> is away until Fri 4 Dec" in shown
    assert "Away: <@U0VENDOR> away until Fri 4 Dec" in shown
    assert "<@U0ANA>" in reminder["text"] and "<@U0VENDOR>" not in reminder["text"]
    with freeze_time("2026-12-04 09:00"):
        clock.tick("2026-12-04 09:00")  # Friday: Ana's task is escalated, not Vera's
    [dm] = slack.messages_in("DU0ALICE")
    assert "Banner" in json.dumps(dm["blocks"]) and "Logo refresh" not in json.dumps(dm["blocks"])


def test_the_team_sees_who_is_away_in_the_digest_and_on_home(engine: Engine) -> None:
    vendor = add_vendor(engine)
    away(engine, vendor, "U0VENDOR", date(2026, 12, 3), date(2026, 12, 4))
    now = datetime(2026, 12, 4, 16, tzinfo=UTC)
    with transaction(engine) as session:
        digest = blocks.digest_message(team_digest(session, "T0TEAM", ZoneInfo("UTC"), now))
        home = blocks.home_view(home_overview(session, "T0TEAM", "U0ALICE", ZoneInfo("UTC"), now))
    assert ":palm_tree: <@U0VENDOR> away until Fri 4 Dec" in json.dumps(digest["blocks"])
    assert ":palm_tree: <@U0VENDOR> away until Fri 4 Dec" in json.dumps(home["blocks"])
