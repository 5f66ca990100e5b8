"""`trial:`, `currency:`, `rate:`, `budget:`, `cost:` and `/delegate cost`, end to end: the
grammar as tables of cases, then signed commands to the real app (SQLite and PostgreSQL)
and what the database and the fake Slack hold. Bad input changes nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.blocks.delegation import help_reply
from bot.command_grammar import parse_command
from bot.command_help import help_text
from bot.command_tokens import CLEAR
from bot.commands import (
    AddVendor,
    CreateTask,
    SetTaskCost,
    ShowScorecard,
    UpdateVendor,
)
from bot.errors import UsageError
from bot.money import CostSpec
from storage.models import AuditEntry, TaskStatus
from tests.support.checkin_support import payload
from tests.support.fake_slack import FakeSlack
from tests.support.lifecycle_support import MONEY, all_tasks, the_vendor, vendor_channel_text
from tests.support.mistakes_support import delegate_new
from tests.support.slack_requests import BotUnderTest, rendered, start_bot
from tests.support.summary_support import close

ACME = "<#C0ACME|acme-design>"
GLOBEX = "<#C0PUBLIC|globex>"
# Tuesday 1 Dec 2026, 10:00 UTC.
TUESDAY = "2026-12-01 10:00:00"


# --------------------------------------------------------------------------- grammar


@pytest.mark.parametrize(
    ("text", "command"),
    [
        (
            f"vendor add {ACME} Acme trial:30d currency:eur rate:35 budget:2000",
            AddVendor("C0ACME", name="Acme", trial="30d", currency="EUR", rate="35", budget="2000"),
        ),
        (f"vendor add {ACME} trial:2w", AddVendor("C0ACME", trial="14d")),
        (
            f"vendor set {ACME} trial:until:2026-12-31",
            UpdateVendor("C0ACME", trial="until:2026-12-31"),
        ),
        (f"vendor set {ACME} trial:until:FRI", UpdateVendor("C0ACME", trial="until:fri")),
        (f"vendor set {ACME} trial:none", UpdateVendor("C0ACME", trial=CLEAR)),
        (
            f"vendor set {ACME} rate:35.50 budget:none",
            UpdateVendor("C0ACME", rate="35.50", budget=CLEAR),
        ),
        ("cost 12 450", SetTaskCost(12, CostSpec(amount=Decimal("450")))),
        ("cost #12 12h@35", SetTaskCost(12, CostSpec(hours=Decimal(12), rate=Decimal(35)))),
        ("cost 12 cost:1.5h", SetTaskCost(12, CostSpec(hours=Decimal("1.5")))),
        ("cost 12 none", SetTaskCost(12, None)),
        ("scorecard", ShowScorecard()),
        (f"scorecard {ACME}", ShowScorecard("C0ACME", 12)),
        (f"scorecard weeks:4 {ACME}", ShowScorecard("C0ACME", 4)),
        (
            f"{ACME} Logo cost:450.50 due:fri",
            CreateTask("Logo", "C0ACME", due="fri", cost=CostSpec(amount=Decimal("450.50"))),
        ),
        (f"{ACME} cost estimate for Q1", CreateTask("cost estimate for Q1", "C0ACME")),
    ],
)
def test_grammar(text: str, command: object) -> None:
    assert parse_command(text) == command


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"vendor add {ACME} trial:0d", "not a trial length"),
        (f"vendor add {ACME} trial:400d", "not a trial length"),
        (f"vendor add {ACME} trial:soon", "not a trial length"),
        (f"vendor set {ACME} trial:until:", "needs a date"),
        (f"vendor set {ACME} currency:XYZ", "not a currency I know"),
        (f"vendor set {ACME} rate:abc", "`rate:abc` is not an amount"),
        (f"vendor set {ACME} budget:0", "must be more than 0"),
        (f"vendor set {ACME} budget:-5", "can't be negative"),
        (f"vendor set {ACME} budget:2,000", "thousands separators"),
        ("cost 12", "Write `/delegate cost ID AMOUNT`"),
        ("cost abc 450", "not a task id"),
        ("cost 12 abc", "not an amount"),
        ("scorecard weeks:0", "from 1 to 52"),
        ("scorecard weeks:53", "from 1 to 52"),
        ("scorecard acme", "didn't expect"),
        (f"{ACME} Logo cost:abc", "not an amount"),
        (f"{ACME} Logo cost:1 cost:2", "given twice"),
    ],
)
def test_grammar_refusals(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_command(text)


def test_help_lists_the_new_commands() -> None:
    text = help_text()
    assert "/delegate scorecard" in text and "/delegate cost ID" in text
    assert "trial:30d" in text and "budget:" in text
    sections = help_reply()["blocks"]
    # Every section within Slack's 3000 characters, and nothing left out.
    assert all(len(block["text"]["text"]) <= 3000 for block in sections)
    assert "\n".join(block["text"]["text"] for block in sections) == text


# --------------------------------------------------------------------------- vendor settings


def audit(bot: BotUnderTest, action: str) -> list[dict[str, object]]:
    with Session(bot.engine) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        ).all()
        return [json.loads(entry.detail) for entry in entries]


@freeze_time(TUESDAY)
def test_vendor_add_with_a_trial_and_money_settings(bot: BotUnderTest) -> None:
    reply = bot.command(
        f"vendor add {ACME} Acme tz:Asia/Manila trial:30d currency:EUR rate:35 budget:2000"
    )

    vendor = the_vendor(bot.engine)
    # 10:00 UTC is 18:00 in Manila: the trial starts that day, for 30 days.
    assert (vendor.trial_started_on, vendor.trial_ends_on) == (
        date(2026, 12, 1),
        date(2026, 12, 31),
    )
    assert (vendor.currency, vendor.hourly_rate_minor, vendor.monthly_budget_minor) == (
        "EUR",
        3_500,
        200_000,
    )
    assert "on trial: 30 days left (ends Thu 31 Dec 2026)" in reply
    assert "rate EUR 35.00/h · budget EUR 2,000.00 a month" in reply
    [added] = audit(bot, "vendor.added")
    assert added["trial_ends_on"] == "2026-12-31" and added["monthly_budget_minor"] == 200_000
    # Nothing about money in the vendor's channel (the bot only joined it).
    assert bot.slack.messages_in("C0ACME") == []


@freeze_time(TUESDAY)
def test_vendor_list_and_home_tab_show_the_days_left(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme trial:until:2026-12-04")

    listed = bot.command("vendor list")

    assert "Acme" in listed and "on trial: 3 days left (ends Fri 4 Dec 2026)" in listed
    bot.event(payload("event_app_home_opened"))
    assert bot.slack.calls_to("views.publish")
    [view] = [v for v in bot.slack.views if v["_method"] == "views.publish"]
    assert "on trial: 3 days left (ends Fri 4 Dec 2026)" in rendered(view)


@freeze_time(TUESDAY)
def test_vendor_set_starts_moves_and_ends_a_trial(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme")

    started = bot.command(f"vendor set {ACME} trial:2w")
    assert started.startswith(":white_check_mark: Changed trial.")
    assert "on trial: 14 days left (ends Tue 15 Dec 2026)" in started
    moved = bot.command(f"vendor set {ACME} trial:until:2026-12-20")
    assert "19 days left (ends Sun 20 Dec 2026)" in moved
    assert the_vendor(bot.engine).trial_started_on == date(2026, 12, 1)  # kept
    ended = bot.command(f"vendor set {ACME} trial:none")
    assert "Changed trial" in ended and "on trial" not in ended
    vendor = the_vendor(bot.engine)
    assert (vendor.trial_started_on, vendor.trial_ends_on) == (None, None)
    assert "not on trial" in bot.command(f"vendor set {ACME} trial:none")
    changes = audit(bot, "vendor.updated")
    assert changes[-1]["trial_ends_on"] == {"from": "2026-12-20", "to": None}


@freeze_time(TUESDAY)
@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("trial:until:2026-11-30", "in the past"),
        ("trial:until:2028-01-01", "at most 365 days"),
        ("currency:JPY rate:35.50", "JPY amounts have no decimals"),
        ("budget:2000.001", "at most 2 decimals"),
    ],
)
def test_bad_vendor_settings_change_nothing(bot: BotUnderTest, setting: str, message: str) -> None:
    bot.command(f"vendor add {ACME} Acme")
    before = the_vendor(bot.engine)

    reply = bot.command(f"vendor set {ACME} {setting}")

    assert message in reply
    assert the_vendor(bot.engine) == before
    assert audit(bot, "vendor.updated") == []


@freeze_time(TUESDAY)
def test_vendor_add_checks_the_trial_before_joining_the_channel(bot: BotUnderTest) -> None:
    reply = bot.command(f"vendor add {GLOBEX} trial:until:2020-01-01")

    assert "in the past" in reply
    assert bot.slack.calls_to("conversations.join") == []
    with Session(bot.engine) as session:
        assert session.exec(select(AuditEntry)).all() == []


@freeze_time(TUESDAY)
def test_changing_the_currency_keeps_money_meaning_what_it_meant(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme rate:35 budget:2000")

    refused = bot.command(f"vendor set {ACME} currency:EUR")
    assert "rate and budget are in USD" in refused and "nothing changed" in refused
    changed = bot.command(f"vendor set {ACME} currency:EUR rate:30 budget:none")
    assert "Changed currency, rate, budget" in changed
    vendor = the_vendor(bot.engine)
    assert (vendor.currency, vendor.hourly_rate_minor, vendor.monthly_budget_minor) == (
        "EUR",
        3_000,
        None,
    )
    bot.command(f"{ACME} Logo cost:100")
    assert "costs in EUR" in bot.command(f"vendor set {ACME} currency:GBP rate:30")
    assert the_vendor(bot.engine).currency == "EUR"


def test_with_admins_only_they_put_a_vendor_on_trial_or_set_its_budget(
    engine: Engine, slack: FakeSlack
) -> None:
    with start_bot(engine, slack, admin_user_ids=frozenset({"U0BOB"})) as bot:
        bot.command(f"vendor add {ACME} Acme", user="U0BOB")
        for setting in ("trial:30d", "budget:2000", "currency:EUR"):
            assert "Only the bot's admins" in bot.command(f"vendor set {ACME} {setting}")
        assert the_vendor(engine).trial_ends_on is None
        assert "Changed budget" in bot.command(f"vendor set {ACME} budget:2000", user="U0BOB")


# --------------------------------------------------------------------------- costs


@freeze_time(TUESDAY)
@pytest.mark.parametrize(
    ("setup", "typed", "minor", "shown"),
    [
        ("", "cost:450", 45_000, "USD 450.00"),
        ("currency:EUR", "cost:450.50", 45_050, "EUR 450.50"),
        ("currency:EUR", "cost:12h@35", 42_000, "EUR 420.00"),
        ("currency:EUR", "cost:1.5h@35", 5_250, "EUR 52.50"),
        ("currency:EUR rate:35", "cost:12h", 42_000, "EUR 420.00"),
        ("currency:JPY", "cost:45000", 45_000, "JPY 45,000"),
    ],
)
def test_a_task_with_a_cost(
    bot: BotUnderTest, setup: str, typed: str, minor: int, shown: str
) -> None:
    bot.command(f"vendor add {ACME} Acme {setup}")

    reply = bot.command(f"{ACME} Logo refresh due:fri {typed}")

    assert f"Cost {shown} (not shown to the vendor)" in reply
    [task] = all_tasks(bot.engine)
    assert (task.title, task.cost_minor) == ("Logo refresh", minor)
    [created] = audit(bot, "task.created")
    assert created["cost_minor"] == minor
    # The announcement in the vendor's channel carries no money.
    announced = vendor_channel_text(bot.slack)
    assert "Logo refresh" in announced
    assert MONEY.findall(announced) == [] and "cost" not in announced.lower()


@freeze_time(TUESDAY)
@pytest.mark.parametrize(
    ("setup", "typed", "message"),
    [
        ("currency:EUR", "cost:12h", "needs a rate"),
        ("currency:JPY", "cost:450.5", "JPY amounts have no decimals"),
        ("currency:EUR", "cost:45,50", "use a dot for decimals"),
        ("currency:EUR", "cost:€45", "Leave out the currency"),
        ("", "cost:-3", "can't be negative"),
    ],
)
def test_a_bad_cost_writes_nothing_and_posts_nothing(
    bot: BotUnderTest, setup: str, typed: str, message: str
) -> None:
    bot.command(f"vendor add {ACME} Acme {setup}")
    bot.slack.reset_calls()

    reply = bot.command(f"{ACME} Logo refresh {typed}")

    assert message in reply
    assert all_tasks(bot.engine) == []
    assert bot.slack.calls_to("chat.postMessage") == []
    assert bot.slack.calls_to("conversations.join") == []


@freeze_time(TUESDAY)
def test_a_cost_for_a_new_channel_uses_the_default_currency(bot: BotUnderTest) -> None:
    refused = bot.command(f"{GLOBEX} Venue search cost:10h")
    assert "needs a rate" in refused and all_tasks(bot.engine) == []

    reply = delegate_new(bot, f"{GLOBEX} Venue search cost:10h@25")

    assert "Cost USD 250.00" in reply
    assert the_vendor(bot.engine, "C0PUBLIC").currency == "USD"


@freeze_time(TUESDAY)
def test_the_cost_command_sets_changes_and_clears_a_cost(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme currency:EUR rate:40")
    bot.command(f"{ACME} Logo refresh")
    [task] = all_tasks(bot.engine)
    bot.slack.reset_calls()

    assert "now costs EUR 120.00" in bot.command(f"cost {task.id} 3h")
    assert "now costs EUR 99.99" in bot.command(f"cost {task.id} 99.99")
    assert "already has EUR 99.99" in bot.command(f"cost {task.id} 99.99")
    close(bot.engine, task, "2026-12-01 09:00")  # done: the invoice came later
    assert "now costs EUR 101.00" in bot.command(f"cost #{task.id} cost:101")
    assert "no longer has a cost" in bot.command(f"cost {task.id} none")

    assert all_tasks(bot.engine)[0].cost_minor is None
    assert [(entry["from"], entry["to"]) for entry in audit(bot, "task.cost_set")] == [
        (None, 12_000),
        (12_000, 9_999),
        (9_999, 10_100),
        (10_100, None),
    ]
    assert bot.slack.calls_to("chat.postMessage") == []  # nothing told in the vendor thread
    assert "no task #999" in bot.command("cost 999 10")


@freeze_time(TUESDAY)
def test_a_cancelled_task_gets_no_cost(bot: BotUnderTest) -> None:
    bot.command(f"vendor add {ACME} Acme")
    bot.command(f"{ACME} Logo refresh")
    [task] = all_tasks(bot.engine)
    bot.command(f"cancel {task.id}")

    assert "cancelled, so it costs nothing" in bot.command(f"cost {task.id} 10")
    assert all_tasks(bot.engine)[0].status == TaskStatus.CANCELLED
    assert all_tasks(bot.engine)[0].cost_minor is None


@pytest.mark.parametrize("text", ["scorecard", f"scorecard {ACME}", "cost 1 450"])
def test_outside_users_get_no_scorecard_and_set_no_cost(bot: BotUnderTest, text: str) -> None:
    bot.command(f"vendor add {ACME} Acme")
    bot.command(f"{ACME} Logo refresh")
    bot.slack.reset_calls()

    reply = bot.command(text, user="U0VENDOR")

    assert "is for the team that works with you here" in reply
    assert bot.slack.calls_to("files.completeUploadExternal") == []
    assert bot.slack.calls_to("chat.postMessage") == []
    assert all_tasks(bot.engine)[0].cost_minor is None
