"""On time is judged against the due date in force when the task was finished, the same
way by every figure: the summary, the check-in's rows, the scorecard and the CSV report.
End to end: `/delegate due`, the vendor's Done and the owner's Accept through the real app.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from freezegun import freeze_time
from sqlmodel import Session

from bot import blocks
from storage.checkins import checkin_rows
from storage.database import transaction
from storage.models import ScheduledPost, Task, TaskStatus, TaskUpdate, Vendor
from tests.support.checkin_support import (
    button_click,
    get_task,
    make_task,
    make_vendor,
    post_checkin,
)
from tests.support.reviews import OWNER_DM, changes_submission, click, opened_view
from tests.support.slack_requests import BotUnderTest, rendered

ACME = "<#C0ACME|acme-design>"


def deliver_and_accept(bot: BotUnderTest, post: ScheduledPost, task: Task, at: str) -> None:
    """The vendor presses Done on the check-in at `at`; the owner accepts right away."""
    with freeze_time(at):
        reviews_before = len(bot.slack.messages_in(OWNER_DM))
        bot.interact(button_click(post, task.saved_id, TaskUpdate.DONE))
        review = bot.slack.messages_in(OWNER_DM)[reviews_before]
        bot.interact(click(review, blocks.REVIEW_ACCEPT_ACTION))
    assert get_task(bot.engine, task.saved_id).status == TaskStatus.DONE


def set_due(bot: BotUnderTest, task: Task, day: str, at: str) -> str:
    with freeze_time(at):
        return bot.command(f"due {task.id} {day}")


def summary_figures(bot: BotUnderTest) -> str:
    """The figures line of the summary `/delegate summary` posts (figures:on)."""
    bot.command(f"vendor set {ACME} figures:on")
    before = len(bot.slack.messages_in("C0ACME"))
    assert "Posted the summary" in bot.command("summary")
    text = rendered(bot.slack.messages_in("C0ACME")[before])
    [line] = [part for part in text.split("\n") if part.startswith("*Completed:*")]
    return line


def report_row(bot: BotUnderTest, task: Task) -> dict[str, str]:
    bot.command("report from:2026-11-30")
    share = bot.slack.file_shares[-1]
    content = bot.slack.uploads[share["files"][0]["id"]]
    rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    [row] = [r for r in rows if r["record"] == "task" and r["id"] == str(task.id)]
    return row


def scorecard_done_line(bot: BotUnderTest) -> str:
    bot.command(f"scorecard {ACME} weeks:1")
    text = rendered(bot.slack.messages_in(OWNER_DM)[-1])
    [line] = [part for part in text.split("\n") if part.startswith("*Done:*")]
    return line


def checkin_row(bot: BotUnderTest, vendor: Vendor, post: ScheduledPost) -> str:
    """The check-in's row as a re-render shows it now."""
    with Session(bot.engine) as session:
        message = blocks.checkin_message(
            vendor, post.saved_id, checkin_rows(session, post), date(2026, 12, 4)
        )
    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    return texts[1]


def scene(bot: BotUnderTest) -> tuple[Vendor, Task, ScheduledPost]:
    vendor = make_vendor(bot.engine)
    task = make_task(bot.engine, vendor, "Logo refresh")
    return vendor, task, post_checkin(bot, vendor, [task])


def test_a_due_date_moved_before_the_delivery_is_the_one_judged(bot: BotUnderTest) -> None:
    vendor, task, post = scene(bot)
    set_due(bot, task, "2026-12-02", at="2026-11-30 10:00")
    assert "now due" in set_due(bot, task, "2026-12-07", at="2026-12-01 10:00")

    deliver_and_accept(bot, post, task, at="2026-12-04 10:00")  # late against the 2nd

    assert get_task(bot.engine, task.saved_id).due_in_force == date(2026, 12, 7)
    with freeze_time("2026-12-04 16:30"):
        assert "(1 on time, 0 late)" in summary_figures(bot)
        row = report_row(bot, task)
        assert (row["due_date"], row["due_in_force"], row["on_time"]) == (
            "2026-12-07",
            "2026-12-07",
            "yes",
        )
        assert scorecard_done_line(bot).startswith("*Done:* 1 on time, 0 late")
    assert "*Done* on time, accepted by <@U0ALICE>" in checkin_row(bot, vendor, post)


@pytest.mark.parametrize(
    ("due", "moved_to", "figures", "on_time", "row"),
    [
        # Delivered on Thu 3 Dec, a day late; moving the date on afterwards forgives nothing.
        ("2026-12-02", "2026-12-10", "(0 on time, 1 late)", "no", "*Done* 1 day late"),
        # Delivered two days early; moving the date back afterwards blames nobody.
        ("2026-12-05", "2026-12-01", "(1 on time, 0 late)", "yes", "*Done* on time"),
    ],
    ids=["late-stays-late", "on-time-stays-on-time"],
)
def test_a_due_date_moved_after_the_delivery_changes_no_verdict(
    bot: BotUnderTest, due: str, moved_to: str, figures: str, on_time: str, row: str
) -> None:
    vendor, task, post = scene(bot)
    set_due(bot, task, due, at="2026-11-30 10:00")
    deliver_and_accept(bot, post, task, at="2026-12-03 10:00")

    # `/delegate due` refuses a finished task (it is reopened first, which starts over)...
    refused = set_due(bot, task, moved_to, at="2026-12-04 09:00")
    assert "already done" in refused and "nothing changed" in refused
    # ...but whatever moves it (a fix in the database, a future edit), the verdict stays.
    with transaction(bot.engine) as session:
        stored = session.get(Task, task.id)
        assert stored is not None
        stored.due_date = date.fromisoformat(moved_to)
        session.add(stored)

    with freeze_time("2026-12-04 16:30"):
        assert figures in summary_figures(bot)
        cells: dict[str, Any] = report_row(bot, task)
        assert (cells["due_date"], cells["due_in_force"], cells["on_time"]) == (
            moved_to,
            due,
            on_time,
        )
        late = figures.startswith("(0")
        assert scorecard_done_line(bot).startswith(
            "*Done:* 0 on time, 1 late" if late else "*Done:* 1 on time, 0 late"
        )
    assert row in checkin_row(bot, vendor, post)


def test_reopening_or_sending_back_clears_the_date_in_force(bot: BotUnderTest) -> None:
    _, task, post = scene(bot)
    set_due(bot, task, "2026-12-02", at="2026-11-30 10:00")
    deliver_and_accept(bot, post, task, at="2026-12-01 10:00")
    assert get_task(bot.engine, task.saved_id).due_in_force == date(2026, 12, 2)

    with freeze_time("2026-12-02 10:00"):
        assert "reopened" in bot.command(f"reopen {task.id}").lower()
    assert get_task(bot.engine, task.saved_id).due_in_force is None
    set_due(bot, task, "2026-12-09", at="2026-12-02 11:00")
    with freeze_time("2026-12-03 10:00"):
        bot.command(f"done {task.id}")  # the owner closes it without a delivery
    assert get_task(bot.engine, task.saved_id).due_in_force == date(2026, 12, 9)


def test_a_delivery_sent_back_is_judged_again_when_it_comes_back(bot: BotUnderTest) -> None:
    vendor, task, post = scene(bot)
    set_due(bot, task, "2026-12-02", at="2026-11-30 10:00")
    with freeze_time("2026-12-03 10:00"):  # a day late
        bot.interact(button_click(post, task.saved_id, TaskUpdate.DONE))
        assert get_task(bot.engine, task.saved_id).due_in_force == date(2026, 12, 2)
        [review] = bot.slack.messages_in(OWNER_DM)
        bot.interact(click(review, blocks.REVIEW_CHANGES_ACTION))
        bot.interact(changes_submission(opened_view(bot)["private_metadata"], "An SVG too"))
    assert get_task(bot.engine, task.saved_id).due_in_force is None
    assert "now due" in set_due(bot, task, "2026-12-08", at="2026-12-03 11:00")

    deliver_and_accept(bot, post, task, at="2026-12-04 10:00")

    with freeze_time("2026-12-04 16:30"):
        assert "(1 on time, 0 late)" in summary_figures(bot)
    assert "*Done* on time" in checkin_row(bot, vendor, post)
