"""Who may do what: outside (Slack Connect) users and ADMIN_USER_IDS, end to end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot.command_grammar import parse_command
from bot.permissions import OUTSIDE_REFUSAL, command_refusal
from storage.models import AuditEntry, Task, Vendor
from tests.support.checkin_support import payload
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import BotUnderTest, start_bot

ACME = "<#C0ACME|acme-design>"
GLOBEX = "<#C0PUBLIC|globex>"


def counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(m)).one()
            for m in (Vendor, Task, AuditEntry)
        )


@pytest.mark.parametrize(
    "text",
    [
        "",
        f"{ACME} Logo due:fri",
        "list",
        "list all",
        f"list {ACME}",
        "cancel 1",
        "due 1 fri",
        f"vendor add {GLOBEX}",
        "vendor list",
        f"vendor pause {ACME}",
        f"vendor set {ACME} tz:UTC",
        f"vendor holiday {ACME} add 2026-12-24",
        f"summary {ACME}",
        "report",
    ],
)
def test_outside_users_are_refused_politely_and_nothing_changes(
    bot: BotUnderTest, text: str
) -> None:
    bot.command(f"vendor add {ACME}")
    bot.command(f"{ACME} Logo due:fri")
    before = counts(bot.engine)
    calls_before = len(bot.slack.calls_to("chat.postMessage"))
    reply = bot.command(text, user="U0VENDOR", channel="C0ACME")
    assert "is for the team that works with you" in reply
    assert counts(bot.engine) == before
    assert len(bot.slack.calls_to("chat.postMessage")) == calls_before
    assert bot.slack.calls_to("views.open") == []
    assert bot.slack.calls_to("files.completeUploadExternal") == []


def test_outside_users_may_read_help(bot: BotUnderTest) -> None:
    assert "/delegate list" in bot.command("help", user="U0VENDOR")


def test_outside_users_deliver_only_their_vendors_tasks_with_done(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    bot.command(f"vendor add {GLOBEX}")
    bot.command(f"{ACME} Logo due:fri")
    bot.command(f"{GLOBEX} Flyer due:fri")
    # From another vendor's channel, Acme's task is not theirs to deliver: "no such task".
    assert "There is no task #1" in bot.command("done 1", user="U0VENDOR", channel="C0PUBLIC")
    assert "There is no task #2" in bot.command("done 2", user="U0VENDOR", channel="C0ACME")
    assert "delivered" in bot.command("done 1", user="U0VENDOR", channel="C0ACME")
    with Session(bot.engine) as session:
        statuses = [t.status for t in session.exec(select(Task).order_by(Task.id)).all()]
    assert statuses == ["delivered", "open"]


@pytest.fixture
def admin_bot(engine: Engine, slack: FakeSlack) -> Iterator[BotUnderTest]:
    with start_bot(engine, slack, admin_user_ids=frozenset({"U0BOB"})) as running:
        yield running


def test_with_admins_only_they_administer_vendors(admin_bot: BotUnderTest) -> None:
    reply = admin_bot.command(f"vendor add {ACME}", user="U0ALICE")
    assert "Only the bot's admins" in reply and "<@U0BOB>" in reply
    assert counts(admin_bot.engine) == (0, 0, 0)
    assert "registered" not in admin_bot.command(f"{ACME} Logo", user="U0ALICE")
    assert counts(admin_bot.engine) == (0, 0, 0)  # delegating would have registered it
    assert "Added vendor" in admin_bot.command(f"vendor add {ACME}", user="U0BOB")
    assert "Only the bot's admins" in admin_bot.command(f"vendor pause {ACME}", user="U0ALICE")
    # Once the vendor exists, anyone in the team delegates to it.
    assert "delegated" in admin_bot.command(f"{ACME} Logo", user="U0ALICE")


def test_outside_users_see_no_figures_in_app_home(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME}")
    envelope = payload("event_app_home_opened")
    envelope["event"]["user"] = "U0VENDOR"
    bot.event(envelope)
    [call] = bot.slack.wait_for("views.publish")
    assert call.params["user_id"] == "U0VENDOR"
    text = str(call.params["view"])
    assert "check-ins in your shared channel" in text
    assert "acme" not in text.lower()


@pytest.mark.parametrize(
    ("text", "outside", "admins", "refused"),
    [
        ("help", True, frozenset(), False),
        ("done 1", True, frozenset(), False),  # the task's channel is checked on delivery
        ("list", True, frozenset(), True),
        ("list", False, frozenset(), False),
        (f"vendor add {ACME}", False, frozenset({"U0BOB"}), True),
        (f"vendor add {ACME}", False, frozenset({"U0ALICE"}), False),
        (f"vendor add {ACME}", False, frozenset(), False),
        ("vendor list", False, frozenset({"U0BOB"}), False),
        (f"{ACME} Logo", False, frozenset({"U0BOB"}), False),  # registration checked later
    ],
)
def test_command_rules(text: str, outside: bool, admins: frozenset[str], refused: bool) -> None:
    refusal = command_refusal(
        parse_command(text), user_id="U0ALICE", outside=outside, admins=admins
    )
    assert (refusal is not None) == refused
    if outside and refused:
        assert refusal == OUTSIDE_REFUSAL
