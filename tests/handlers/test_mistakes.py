"""Mistakes never reach a vendor (issue 13): typos, stray channels, other people's tasks,
and undo. Every refusal is checked to say how to do it right and to change nothing: the
rows of every table that matters and every write the bot made to the fake Slack are the
same before and after (`snapshot`). Real app over signed HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import blocks, reports, summaries
from storage import schedule
from storage.database import transaction
from storage.models import AuditEntry, Task, TaskFeedback, TaskStatus, Vendor
from tests.support.fake_slack import FakeSlack
from tests.support.mistakes_support import command_message, press, snapshot
from tests.support.slack_requests import BotUnderTest, rendered, start_bot
from tests.support.summary_support import rate

ACME = "<#C0ACME|acme-design>"
GLOBEX = "<#C0PUBLIC|globex>"
GENERAL = "<#C0GENERAL|general>"
MONDAY = "2026-11-30 10:00:00"
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def workspace(slack: FakeSlack) -> FakeSlack:
    slack.add_user("U0ADMIN", "ada")
    slack.add_channel("C0GENERAL", "general", members=["U0ALICE", "U0BOB"], is_general=True)
    return slack


@pytest.fixture
def admin_bot(engine: Engine, workspace: FakeSlack) -> Iterator[BotUnderTest]:
    """The bot with ADMIN_USER_IDS=U0ADMIN; Acme and Globex registered by the admin, and
    Alice's task #1 for Acme (due Friday, cost 450)."""
    with start_bot(engine, workspace, admin_user_ids=frozenset({"U0ADMIN"})) as running:
        with freeze_time(MONDAY):
            running.command(f"vendor add {ACME} Acme", user="U0ADMIN")
            running.command(f"vendor add {GLOBEX} Globex", user="U0ADMIN")
            running.command(f"{ACME} <@U0VENDOR|vera> Logo refresh due:fri cost:450")
        yield running


def the_tasks(engine: Engine) -> list[Task]:
    with Session(engine) as session:
        return list(session.exec(select(Task).order_by(Task.id)).all())


def audit(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [a.action for a in session.exec(select(AuditEntry).order_by(AuditEntry.id))]


def dms_to(slack: FakeSlack, user: str) -> list[str]:
    return [
        rendered(call.params)
        for call in slack.calls_to("chat.postMessage")
        if call.params.get("channel") == user
    ]


def thread_notes(slack: FakeSlack, channel: str = "C0ACME") -> list[str]:
    return [
        rendered(call.params)
        for call in slack.calls_to("chat.postMessage")
        if call.params.get("channel") == channel and call.params.get("thread_ts")
    ]


def refused(bot: BotUnderTest, text: str, *, user: str = "U0ALICE", channel: str = "C0ACME") -> str:
    """Run a command that must be refused: a private warning, and nothing changed."""
    before = snapshot(bot)
    reply = bot.command(text, user=user, channel=channel)
    assert reply.startswith(":warning:"), reply
    assert "Traceback" not in reply
    assert snapshot(bot) == before, text
    return reply


# --------------------------------------------------------------------------- typos


TYPOS = [
    ("lsit", "/delegate list"),
    ("lst", "/delegate list"),
    ("dnoe 1", "/delegate done ID"),
    ("vendro list", "/delegate vendor"),
    ("summray", "/delegate summary"),
    ("undo", "/delegate reopen ID"),
    ("undo 1", "/delegate reopen ID"),
    ("remove 1", "/delegate cancel ID"),
    ("delete 1", "/delegate cancel ID"),
    ("edit", "/delegate edit ID"),
    ("edit the brochure", "/delegate edit ID"),
    ("help me", "/delegate help"),
    ("reopen", "/delegate reopen ID"),
    ("owner", "/delegate owner ID"),
]


@freeze_time(MONDAY)
@pytest.mark.parametrize(("text", "meant"), TYPOS, ids=[t for t, _ in TYPOS])
@pytest.mark.parametrize("channel", ["C0ACME", "C0GENERAL"])
def test_typos_are_refused_with_the_command_meant(
    admin_bot: BotUnderTest, text: str, meant: str, channel: str
) -> None:
    reply = refused(admin_bot, text, channel=channel)
    assert meant in reply
    word = text.split()[0]
    assert f"/delegate #vendor {word} …" in reply  # how to make it a title on purpose


@freeze_time(MONDAY)
def test_a_title_that_looks_like_a_typo_is_fine_with_the_channel_first(
    admin_bot: BotUnderTest,
) -> None:
    reply = admin_bot.command(f"{ACME} lsit of venues due:fri")
    assert "delegated to <#C0ACME>" in reply
    assert the_tasks(admin_bot.engine)[-1].title == "lsit of venues"


# --------------------------------------------------------------------------- new channels


@freeze_time(MONDAY)
def test_a_new_channel_is_asked_about_and_nothing_happens_until_confirmed(
    bot: BotUnderTest, workspace: FakeSlack
) -> None:
    before = snapshot(bot)
    question = command_message(bot, f"{GLOBEX} Flyer due:fri", channel="C0ACME")
    text = rendered(question)
    assert "not a vendor yet" in text and "nothing was created or posted" in text
    labels = [
        e["text"]["text"]
        for b in question["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert labels == ["Register and delegate", "Cancel"]
    assert question.get("response_type", "ephemeral") == "ephemeral"
    assert snapshot(bot) == before  # nothing joined, written or posted

    # Someone else's press (a forged payload: they cannot see it) is refused.
    other = press(bot, question, blocks.REGISTER_AND_DELEGATE_ACTION, user="U0BOB")
    assert "Only <@U0ALICE>" in rendered(other) and not other.get("replace_original")
    assert snapshot(bot) == before

    cancelled = press(bot, question, blocks.CANCEL_PENDING_TASK_ACTION)
    assert "nothing was created" in rendered(cancelled) and cancelled["replace_original"]
    assert snapshot(bot) == before

    done = press(bot, question, blocks.REGISTER_AND_DELEGATE_ACTION)
    assert done["replace_original"] and "registered it as *globex*" in rendered(done)
    assert "/delegate vendor set <#C0PUBLIC>" in rendered(done)
    [task] = the_tasks(bot.engine)
    assert task.title == "Flyer" and task.due_date is not None
    assert [c.params["channel"] for c in bot.slack.calls_to("chat.postMessage")] == ["C0PUBLIC"]
    assert audit(bot.engine) == ["vendor.added", "task.created"]


@freeze_time(MONDAY)
def test_the_general_channel_and_direct_messages_are_refused_outright(
    bot: BotUnderTest, workspace: FakeSlack
) -> None:
    for text, channel in ((f"{GENERAL} Foo due:fri", "C0ACME"), ("Foo due:fri", "C0GENERAL")):
        reply = refused(bot, text, channel=channel)
        assert "general channel" in reply and "/delegate #vendor title…" in reply
    assert "general channel" in refused(bot, "Quarterly plan", channel="C0GENERAL")
    assert "general channel" in refused(bot, f"vendor add {GENERAL}")
    assert "not a direct message" in refused(bot, "Quarterly plan", channel="D0ALICE")
    assert bot.slack.calls_to("conversations.join") == []


@freeze_time(MONDAY)
def test_the_form_asks_the_same_question_and_refuses_general(
    bot: BotUnderTest, workspace: FakeSlack
) -> None:
    from tests.support.delegate_form import submission

    before = snapshot(bot)
    result = bot.interact(submission(channel="C0GENERAL"))
    assert "general channel" in result.json()["errors"][blocks.FIELD_VENDOR]
    assert snapshot(bot) == before

    bot.command(f"vendor add {ACME}")
    bot.interact(submission(channel="C0ACME"))  # a vendor already: created at once
    assert len(dms_to(workspace, "U0ALICE")) == 1
    assert "delegated to <#C0ACME>" in dms_to(workspace, "U0ALICE")[-1]
    assert len(the_tasks(bot.engine)) == 1


# --------------------------------------------------------------------------- ownership


@freeze_time(MONDAY)
def test_someone_elses_task_is_refused_with_its_owner_and_how_to_ask(
    admin_bot: BotUnderTest,
) -> None:
    for text in (
        "done 1",
        "cancel 1",
        "due 1 tue",
        "cost 1 10",
        "reopen 1",
        "edit 1 New",
        "assign 1 none",
        "owner 1 <@U0BOB|bob>",
    ):
        reply = refused(admin_bot, text, user="U0BOB")
        assert "belongs to <@U0ALICE>" in reply and "<@U0ADMIN>" in reply
        assert "/delegate owner 1 <@U0BOB>" in reply


@freeze_time(MONDAY)
def test_a_task_id_from_another_vendor_is_refused_in_a_vendor_channel(
    admin_bot: BotUnderTest,
) -> None:
    # Even the owner: in Globex's channel, #1 is a slip of a digit.
    reply = refused(admin_bot, "done 1", channel="C0PUBLIC")
    assert "is for Acme (<#C0ACME>), not Globex" in reply
    assert "/delegate list <#C0PUBLIC>" in reply
    # A vendor's own people never learn about another vendor's tasks.
    assert "no task #1" in refused(admin_bot, "done 1", user="U0VENDOR", channel="C0PUBLIC")


@freeze_time(MONDAY)
def test_the_vendors_people_may_still_deliver(admin_bot: BotUnderTest) -> None:
    assert "delivered for review" in admin_bot.command("done 1", user="U0VENDOR")
    assert the_tasks(admin_bot.engine)[0].status == TaskStatus.DELIVERED


@freeze_time(MONDAY)
def test_an_admin_may_change_anyones_task_and_the_owner_is_told(
    admin_bot: BotUnderTest,
) -> None:
    assert "cancelled" in admin_bot.command("cancel 1", user="U0ADMIN")
    assert len(dms_to(admin_bot.slack, "U0ALICE")) == 1
    [dm] = dms_to(admin_bot.slack, "U0ALICE")
    assert "<@U0ADMIN> changed your task *#1* Logo refresh (Acme): cancelled" in dm


# --------------------------------------------------------------------------- undo and edit


def figures(engine: Engine) -> tuple[object, ...]:
    """What the digest shows for every vendor: this week's figures and spend."""
    with Session(engine) as session:
        digest = summaries.team_digest(session, "T0TEAM", ZoneInfo("UTC"), NOW)
    return tuple(row.current for row in digest.rows), tuple(sorted(digest.spend.items()))


@freeze_time(MONDAY)
def test_reopen_puts_back_a_task_closed_by_mistake_with_the_figures_as_before(
    admin_bot: BotUnderTest,
) -> None:
    before = figures(admin_bot.engine)
    assert "marked done" in admin_bot.command("done 1")
    [task] = the_tasks(admin_bot.engine)
    rate(admin_bot.engine, task, MONDAY, 5, 5, 5)
    assert figures(admin_bot.engine) != before  # completed, rated, spent

    assert "reopened" in admin_bot.command("reopen 1")
    [task] = the_tasks(admin_bot.engine)
    assert (task.status, task.closed_at, task.closed_by) == (TaskStatus.OPEN, None, None)
    with Session(admin_bot.engine) as session:
        assert session.exec(select(TaskFeedback)).all() == []
    assert figures(admin_bot.engine) == before
    assert audit(admin_bot.engine)[-2:] == ["task.done", "task.reopened"]
    assert "reopened by <@U0ALICE>" in thread_notes(admin_bot.slack)[-1]
    assert "open already" in refused(admin_bot, "reopen 1")


@freeze_time(MONDAY)
def test_edit_assign_and_hand_over(admin_bot: BotUnderTest) -> None:
    reply = admin_bot.command("edit 1 Logo refresh v2 | three options, SVG")
    assert "retitled" in reply
    [task] = the_tasks(admin_bot.engine)
    assert (task.title, task.standard) == ("Logo refresh v2", "three options, SVG")
    assert "already reads like that" in refused(admin_bot, "edit 1 Logo refresh v2")

    assert "unassigned" in admin_bot.command("assign 1 none")
    assert the_tasks(admin_bot.engine)[0].assignee_id is None

    assert "handed over to <@U0BOB>" in admin_bot.command("owner 1 <@U0BOB|bob>")
    assert the_tasks(admin_bot.engine)[0].owner_id == "U0BOB"
    assert len(dms_to(admin_bot.slack, "U0BOB")) == 1
    assert "now belongs to <@U0BOB>" in dms_to(admin_bot.slack, "U0BOB")[0]
    # Alice handed it over herself: only the new owner needs telling.
    assert dms_to(admin_bot.slack, "U0ALICE") == []
    # Now it is Bob's: Alice is refused, Bob is not.
    assert "belongs to <@U0BOB>" in refused(admin_bot, "cancel 1")
    assert "now due" in admin_bot.command("due 1 tue", user="U0BOB")

    assert audit(admin_bot.engine)[-4:] == [
        "task.edited",
        "task.assigned",
        "task.handed_over",
        "task.rescheduled",
    ]
    notes = thread_notes(admin_bot.slack)
    assert any("retitled" in n for n in notes) and any("handed over" in n for n in notes)
    # The announcement shows the new title.
    updates = admin_bot.slack.calls_to("chat.update")
    assert "Logo refresh v2" in str(updates[-1].params["blocks"])


@freeze_time(MONDAY)
def test_an_admin_hand_over_tells_both_owners(admin_bot: BotUnderTest) -> None:
    admin_bot.command("owner 1 <@U0BOB|bob>", user="U0ADMIN")
    assert len(dms_to(admin_bot.slack, "U0BOB")) == 1
    assert len(dms_to(admin_bot.slack, "U0ALICE")) == 1


# --------------------------------------------------------------------------- vendor removal


@freeze_time(MONDAY)
def test_remove_hides_a_vendor_everywhere_keeps_its_history_and_restore_undoes_it(
    admin_bot: BotUnderTest,
) -> None:
    engine = admin_bot.engine
    assert "Only the bot's admins" in refused(admin_bot, f"vendor remove {ACME}")
    reply = admin_bot.command(f"vendor remove {ACME}", user="U0ADMIN")
    assert "/delegate vendor restore <#C0ACME>" in reply and "history" in reply
    assert "Acme" not in admin_bot.command("vendor list")
    assert "Acme" in admin_bot.command("vendor list removed")
    assert "Logo refresh" not in admin_bot.command("list all")
    with Session(engine) as session:
        assert [v.name for v in schedule.list_active_vendors(session)] == ["Globex"]
        digest = summaries.team_digest(session, "T0TEAM", ZoneInfo("UTC"), NOW)
        assert [row.vendor.name for row in digest.rows] == ["Globex"]
        home = summaries.home_overview(session, "T0TEAM", "U0ALICE", ZoneInfo("UTC"), NOW)
        assert home.tasks == [] and [row.vendor.name for row in home.vendors] == ["Globex"]
        report = reports.build_report(
            session, "T0TEAM", NOW.date() - timedelta(days=7), NOW.date(), ZoneInfo("UTC")
        )
        assert b"Logo refresh" not in report.content
    assert len(the_tasks(engine)) == 1  # history kept
    # Nothing reaches a removed vendor: no tasks, no summary, no settings.
    assert "vendor restore" in refused(admin_bot, f"{ACME} Another")
    assert "vendor restore" in refused(admin_bot, "done 1")
    assert "vendor restore" in refused(admin_bot, f"summary {ACME}")
    assert "vendor restore" in refused(admin_bot, f"vendor set {ACME} tz:UTC", user="U0ADMIN")
    assert "vendor restore" in refused(admin_bot, f"vendor add {ACME}", user="U0ADMIN")
    assert "already removed" in refused(admin_bot, f"vendor remove {ACME}", user="U0ADMIN")

    assert "is back" in admin_bot.command(f"vendor restore {ACME}", user="U0ADMIN")
    assert "Acme" in admin_bot.command("vendor list")
    assert "Logo refresh" in admin_bot.command("list all")
    with Session(engine) as session:
        report = reports.build_report(
            session, "T0TEAM", NOW.date() - timedelta(days=7), NOW.date(), ZoneInfo("UTC")
        )
        assert b"Logo refresh" in report.content
    assert audit(engine)[-2:] == ["vendor.removed", "vendor.restored"]


@freeze_time(MONDAY)
def test_rename_a_vendor(admin_bot: BotUnderTest) -> None:
    assert "Only the bot's admins" in refused(admin_bot, f"vendor rename {ACME} Acme Ltd")
    admin_bot.command(f"vendor rename {ACME} Acme Ltd", user="U0ADMIN")
    with Session(admin_bot.engine) as session:
        names = [v.name for v in session.exec(select(Vendor).order_by(Vendor.id))]
    assert names == ["Acme Ltd", "Globex"]


# --------------------------------------------------------------------------- summaries


@freeze_time(MONDAY)
@pytest.mark.parametrize("verb", ["summary", "scorecard"])
def test_summary_and_scorecard_outside_a_vendor_channel_say_how_to_name_one(
    admin_bot: BotUnderTest, verb: str
) -> None:
    reply = refused(admin_bot, verb, channel="C0GENERAL")
    assert f"`/delegate {verb} #vendor`" in reply and "nothing was posted" in reply


def test_a_broken_or_forged_button_changes_nothing(bot: BotUnderTest) -> None:
    question = command_message(bot, f"{GLOBEX} Flyer")
    before = snapshot(bot)
    forged = (
        "not json",
        json.dumps({"u": "U0ALICE"}),
        json.dumps([1]),
        json.dumps({"u": "U0ALICE", "c": "C0PUBLIC", "f": {"t": "", "d": None}}),
        json.dumps({"u": "U0ALICE", "c": "C0PUBLIC", "f": {"t": "x", "d": "someday"}}),
        json.dumps({"u": "U0ALICE", "c": "C0PUBLIC", "t": "list all"}),
    )
    for value in forged:
        answer = press(bot, question, blocks.REGISTER_AND_DELEGATE_ACTION, value=value)
        assert "no longer works" in rendered(answer)
    assert snapshot(bot) == before
    with transaction(bot.engine) as session:
        assert session.exec(select(Task)).all() == []


def test_a_removed_vendor_gets_nothing_from_the_scheduler_until_restored(
    engine: Engine, slack: FakeSlack
) -> None:
    from bot.app import build_client
    from bot.vendor_registry import remove_vendor, restore_vendor
    from tests.support.scheduling import Clock, add_task, add_vendor, make_deps, sent_checkins, utc

    vendor = add_vendor(engine, "C0ACME")
    add_task(engine, vendor, "Logo refresh")
    with transaction(engine) as session:
        remove_vendor(
            session, team_id="T0TEAM", actor_id="U0ALICE", channel_id="C0ACME", now=utc(MONDAY)
        )
    clock = Clock(make_deps(engine), build_client(slack.bot_token, slack.api_url))
    clock.run("2026-11-30 08:00", "2026-12-04 17:00")  # check-ins, reminders, the summary
    assert slack.messages_in("C0ACME") == [] and sent_checkins(engine, vendor) == []

    with transaction(engine) as session:
        restore_vendor(
            session, team_id="T0TEAM", actor_id="U0ALICE", channel_id="C0ACME", now=utc(MONDAY)
        )
    clock.tick("2026-12-07 09:05")
    assert [key for key, _ in sent_checkins(engine, vendor)] == ["2026-12-07T09:00"]


@freeze_time(MONDAY)
def test_a_double_press_delegates_once(bot: BotUnderTest) -> None:
    question = command_message(bot, f"{GLOBEX} Flyer due:fri")
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(
                lambda _: rendered(press(bot, question, blocks.REGISTER_AND_DELEGATE_ACTION)),
                range(2),
            )
        )
    assert len(the_tasks(bot.engine)) == 1
    assert sum("delegated to <#C0PUBLIC>" in a for a in answers) == 1, answers
    assert sum("already delegated" in a for a in answers) == 1, answers
    before = snapshot(bot)
    again = rendered(press(bot, question, blocks.REGISTER_AND_DELEGATE_ACTION))
    assert "already delegated" in again and snapshot(bot) == before
    announcements = [c for c in bot.slack.calls_to("chat.postMessage")]
    assert [c.params["channel"] for c in announcements] == ["C0PUBLIC"]


def test_a_removed_vendors_old_checkin_takes_no_more_clicks(bot: BotUnderTest) -> None:
    from bot.vendor_registry import remove_vendor
    from tests.support.checkin_support import button_click, make_task, make_vendor, post_checkin

    vendor = make_vendor(bot.engine)
    task = make_task(bot.engine, vendor, "Logo refresh")
    post = post_checkin(bot, vendor, [task])
    with transaction(bot.engine) as session:
        remove_vendor(session, team_id="T0TEAM", actor_id="U0ALICE", channel_id="C0ACME", now=NOW)
    before = snapshot(bot)
    assert bot.interact(button_click(post, task.saved_id, "done")).status == 200
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert "check-in is closed" in rendered(note.params)
    assert snapshot(bot)[0] == before[0]  # no row changed


def test_a_colleagues_done_button_on_someone_elses_task_is_refused(bot: BotUnderTest) -> None:
    from tests.support.checkin_support import button_click, make_task, make_vendor, post_checkin

    vendor = make_vendor(bot.engine)
    task = make_task(bot.engine, vendor, "Logo refresh")
    post = post_checkin(bot, vendor, [task])
    before = snapshot(bot)
    click = button_click(post, task.saved_id, "done", user="U0BOB")
    click["user"]["team_id"] = "T0TEAM"  # a teammate, not the vendor's
    assert bot.interact(click).status == 200
    [note] = bot.slack.wait_for("chat.postEphemeral")
    assert "belongs to <@U0ALICE>" in rendered(note.params)
    assert snapshot(bot)[0] == before[0]  # no row changed
    # The vendor's own people still deliver with it.
    assert bot.interact(button_click(post, task.saved_id, "done", user="U0VENDOR")).status == 200
    # The request returned once its listener was done: the owner's review message is there.
    assert any(
        blocks.REVIEW_ACCEPT_ACTION in str(call.params.get("blocks"))
        for call in bot.slack.calls_to("chat.postMessage")
    )
    assert the_tasks(bot.engine)[0].status == TaskStatus.DELIVERED
