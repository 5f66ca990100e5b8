"""bot.blocks.checkins against Slack's limits, with the longest and nastiest input."""

from __future__ import annotations

import pytest

from bot.blocks import checkins
from storage.checkins import CheckinRow
from storage.models import TaskStatus, TaskUpdate
from tests.support.slack_limits import assert_message_fits, assert_view_fits
from tests.support.worst_case import (
    NOW,
    TODAY,
    assert_escaped,
    away,
    checkin_rows,
    nasty,
    status_update,
    task,
    tasks,
    vendor,
)


@pytest.mark.parametrize("count", [1, checkins.MAX_CHECKIN_TASKS, 200])
def test_a_check_in_with_the_longest_notes_and_everyone_away_fits(count: int) -> None:
    message = checkins.checkin_message(
        vendor(),
        10**9,
        checkin_rows(count),
        TODAY,
        away=away(),
        has_questions=True,
        answered_questions=[f"U0ANSWER{n:03d}" for n in range(200)],
    )
    assert_message_fits(message)
    assert_escaped(message)


def test_a_check_in_with_more_tasks_than_fit_says_how_many_are_not_shown() -> None:
    rows = checkin_rows(checkins.MAX_CHECKIN_TASKS + 4)
    message = checkins.checkin_message(vendor(), 1, rows, TODAY)
    assert_message_fits(message)
    shown = [b for b in message["blocks"] if b.get("block_id", "").startswith("task:")]
    assert len(shown) == checkins.MAX_CHECKIN_TASKS
    assert "4 more tasks" in str(message["blocks"])


@pytest.mark.parametrize("status", list(TaskStatus))
def test_a_row_in_each_state_fits(status: TaskStatus) -> None:
    rows = [
        CheckinRow(
            task(n, status=status, delivered_at=NOW, closed_at=NOW, closed_by="U0OWNER0001"),
            status_update(update),
        )
        for n, update in enumerate(TaskUpdate)
    ]
    message = checkins.checkin_message(vendor(), 1, rows, TODAY)
    assert_message_fits(message)
    assert_escaped(message)


def test_the_reminder_and_the_escalation_fit() -> None:
    reminder = checkins.checkin_reminder([f"U0PERSON{n:03d}" for n in range(200)])
    assert_message_fits(reminder)
    escalation = checkins.checkin_escalation(vendor(), tasks(), "https://x.slack.com/p1", TODAY)
    assert_message_fits(escalation)
    assert_escaped(escalation)


def test_the_unreachable_notice_fits() -> None:
    message = checkins.vendor_unreachable_notice(vendor(), nasty(200))
    assert_message_fits(message)
    assert_escaped(message)


@pytest.mark.parametrize("status", [TaskUpdate.AT_RISK, TaskUpdate.BLOCKED])
def test_the_note_form_and_the_owner_alerts_fit(status: TaskUpdate) -> None:
    assert_view_fits(checkins.status_note_modal(task(), status, 10**9))
    for message in (
        checkins.owner_status_alert(task(), vendor(), status, "U0V", nasty(2000), "https://p"),
        checkins.owner_note_alert(task(), vendor(), status, "U0V", nasty(2000), None),
    ):
        assert_message_fits(message)
        assert_escaped(message)
