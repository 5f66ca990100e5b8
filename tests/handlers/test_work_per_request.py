"""How much work each kind of request costs: the SQL statements it sends and the Web API
calls it makes, from the ack to the end of its job (bot.jobs), as constants. A change that
adds a query or a call to a hot path fails here and has to say why in the new number."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from freezegun import freeze_time
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from bot import blocks
from storage import jobs as storage_jobs
from storage.models import Job
from tests.support.checkin_support import event_envelope, make_vendor
from tests.support.mistakes_support import command_message, press
from tests.support.slack_requests import BotUnderTest

ACME = "<#C0ACME|acme-design>"
MONDAY = "2026-11-30 10:00:00"


@dataclass
class Work:
    statements: list[str] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)

    @property
    def sql(self) -> int:
        return len(self.statements)

    def kinds(self) -> Counter[str]:
        """Statements by their first word and table (for the message when a count moves)."""
        return Counter(" ".join(s.split()[:4])[:60] for s in self.statements)


@contextmanager
def counting(bot: BotUnderTest) -> Iterator[Work]:
    """Count what the bot sends to the database and to Slack inside the block (the tests'
    requests wait for their jobs, so everything a request started is inside)."""
    work = Work()
    engine: Engine = bot.engine
    calls_before = len(bot.slack.calls)

    def before_cursor_execute(*args: Any) -> None:
        statement = str(args[2])
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN IMMEDIATE
            work.statements.append(statement)

    jobs_before = job_count(engine)
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield work
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
    if engine.dialect.name == "postgresql":
        # The enqueue goes out on the web thread's own connection, past SQLAlchemy's events:
        # one statement per job by construction (storage.jobs._ENQUEUE).
        work.statements += [storage_jobs._ENQUEUE] * (job_count(engine) - jobs_before)
    work.calls.update(c.method for c in bot.slack.calls[calls_before:])


def job_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Job)).scalar_one())


def measure(bot: BotUnderTest, run: Any) -> Work:
    with counting(bot) as work:
        run()
    return work


# Per request, from the ack to the end of its job. Every request: the enqueue (INSERT with
# NOTIFY), the claim (UPDATE ... RETURNING) and the finish (UPDATE); then its own work.
QUEUE = 3
EXPECTED = {
    # Workspace settings once (the permission check's read is reused for the task's check);
    # the vendor twice, on purpose: check_new_task reads it before the Slack calls (so a
    # typo joins no channel) and create_task again in the writing transaction, which must
    # see a vendor registered or changed in between (issue 11's races).
    # users.info: is the requester a guest from another organisation; conversations.info:
    # is the bot in the channel; chat.postMessage: the announcement. Asked once per process
    # and workspace (bot.slack_facts), so only the first command in the channel asks.
    "task": (QUEUE + 7, {"users.info": 1, "conversations.info": 1, "chat.postMessage": 1}),
    # The same person again in the same channel: Slack's answers are remembered.
    "task again": (QUEUE + 7, {"chat.postMessage": 1}),
    "list": (QUEUE + 2, {}),
    # done: the newest check-in listing the task is looked up to show the task closed there
    # (none here, so no chat.update).
    "done": (QUEUE + 9, {"chat.postMessage": 2}),
    "help": (QUEUE + 1, {}),
    "event": (QUEUE, {}),
    # Register and delegate, on the question about a channel that is not a vendor yet: the
    # vendor registered and the task written. No conversations.info: the command that asked
    # the question already did (may the channel be a vendor's), and "is the bot in it" reads
    # the same answer. conversations.join: the bot was not in the channel.
    "click": (QUEUE + 11, {"conversations.join": 1, "chat.postMessage": 1}),
    # The same click where nothing is remembered (another process, or past the TTL): one
    # conversations.info for both questions, where there used to be two.
    "cold click": (
        QUEUE + 11,
        {"conversations.info": 1, "conversations.join": 1, "chat.postMessage": 1},
    ),
}


@freeze_time(MONDAY)
def test_statements_and_slack_calls_per_request(bot: BotUnderTest) -> None:
    make_vendor(bot.engine)
    bot.slack.add_channel("C0SHOP", "initech", members=["U0ALICE"])
    bot.command("help")  # the process's first request does auth.test: not counted
    left = event_envelope({"type": "member_left_channel", "user": "U0X", "channel": "C0ACME"})
    measured = {
        "task": measure(bot, lambda: bot.command(f"{ACME} Logo refresh due:2026-12-04")),
        "task again": measure(bot, lambda: bot.command(f"{ACME} Colours due:2026-12-04")),
        "list": measure(bot, lambda: bot.command("list")),
        "done": measure(bot, lambda: bot.command("done 1")),
        "help": measure(bot, lambda: bot.command("help")),
        "event": measure(bot, lambda: bot.event(left)),
    }
    question = command_message(bot, "<#C0PUBLIC|globex> Brochure due:2026-12-04")
    measured["click"] = measure(
        bot, lambda: press(bot, question, blocks.REGISTER_AND_DELEGATE_ACTION, channel="C0PUBLIC")
    )
    question = command_message(bot, "<#C0SHOP|initech> Flyer due:2026-12-04", channel="C0SHOP")
    bot.deps.slack_facts.clear()
    measured["cold click"] = measure(
        bot, lambda: press(bot, question, blocks.REGISTER_AND_DELEGATE_ACTION, channel="C0SHOP")
    )
    for name, (sql, calls) in EXPECTED.items():
        work = measured[name]
        assert (work.sql, dict(work.calls)) == (sql, calls), (name, work.kinds())
