"""Check-in rows show the truth: each row rebuilt from the task's current state."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot import blocks
from storage.checkins import CheckinRow
from storage.models import StatusUpdate, Task, TaskStatus, Vendor

NOW = datetime(2026, 12, 4, 10, tzinfo=UTC)
TODAY = date(2026, 12, 4)


def vendor() -> Vendor:
    return Vendor(
        id=1,
        team_id="T0TEAM",
        channel_id="C0ACME",
        name="Acme",
        timezone="UTC",
        checkin_cadence="weekdays@09:00",
        summary_cadence="fri@16:00",
        added_by="U0ALICE",
        created_at=NOW,
        updated_at=NOW,
    )


def task(number: int, status: str, due: date | None, **fields: object) -> Task:
    finished = fields.get("delivered_at") or fields.get("closed_at")
    return Task(
        due_in_force=due if finished else None,  # as the app writes it when finished
        id=number,
        team_id="T0TEAM",
        vendor_id=1,
        title=f"Task {number}",
        owner_id="U0ALICE",
        due_date=due,
        status=status,
        created_at=NOW,
        updated_at=NOW,
        **fields,
    )


def said(number: int, status: str) -> StatusUpdate:
    return StatusUpdate(
        task_id=number, post_id=9, user_id="U0VENDOR", status=status, source="button", at=NOW
    )


def test_every_row_says_where_its_task_stands() -> None:
    due = date(2026, 12, 2)
    rows = [
        # Delivered on the 1st, accepted today: done on time, not "overdue".
        CheckinRow(
            task(
                1,
                TaskStatus.DONE,
                due,
                delivered_at=datetime(2026, 12, 1, 12, tzinfo=UTC),
                closed_at=NOW,
                closed_by="U0ALICE",
            ),
            said(1, "done"),
        ),
        CheckinRow(task(2, TaskStatus.DONE, due, closed_at=NOW, closed_by="U0BOB"), None),
        CheckinRow(task(3, TaskStatus.DELIVERED, due, delivered_at=NOW), said(3, "done")),
        CheckinRow(task(4, TaskStatus.OPEN, due), said(4, "done")),  # sent back
        CheckinRow(task(5, TaskStatus.OPEN, due), said(5, "blocked")),
        CheckinRow(task(6, TaskStatus.OPEN, None), None),
        CheckinRow(task(7, TaskStatus.CANCELLED, due, closed_at=NOW), None),
    ]

    message = blocks.checkin_message(vendor(), 9, rows, TODAY)

    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"][1:]
    assert "Done* on time, accepted by <@U0ALICE>" in texts[0] and "overdue" not in texts[0]
    assert "Done* 2 days late, closed by <@U0BOB>" in texts[1]
    assert "Delivered, waiting for <@U0ALICE>'s review" in texts[2] and "overdue" not in texts[2]
    assert "asked for changes" in texts[3] and "(overdue)" in texts[3]
    assert "*Blocked* by <@U0VENDOR>" in texts[4]
    assert "no due date" in texts[5] and "due no due date" not in texts[5]
    assert "Cancelled" in texts[6]
    # Open rows keep their buttons, the others have none.
    buttons = [b["block_id"] for b in message["blocks"] if b["type"] == "actions"]
    assert buttons == ["task:4", "task:5", "task:6", "all", "checkin_menu"]
    [everything] = [b for b in message["blocks"] if b.get("block_id") == "all"]
    assert everything["elements"][0]["action_id"] == blocks.ALL_ON_TRACK_ACTION


def test_a_full_checkin_stays_within_slacks_fifty_blocks() -> None:
    rows = [CheckinRow(task(n, TaskStatus.OPEN, None), None) for n in range(1, 25)]
    message = blocks.checkin_message(vendor(), 9, rows, TODAY)
    assert len(message["blocks"]) == 50
    # The count stays in sight: in the footer, or in the header when the footer does not fit.
    head, last = message["blocks"][0]["text"]["text"], message["blocks"][-1]
    footer = " ".join(e.get("text", "") for e in last.get("elements", []))
    assert "0 of 24 tasks answered" in head + footer


def test_words_durations_in_one_unit_family_and_no_nobody_at() -> None:
    from bot.summaries import Figures

    lines = blocks.figure_lines(
        Figures(checkins=2, answered=2, median_response_minutes=20),
        Figures(checkins=2, answered=2, median_response_minutes=185),
    )
    assert "20 min (-2 h 45 min)" in lines[3]
    escalation = blocks.checkin_escalation(vendor(), [task(1, TaskStatus.OPEN, None)], None, TODAY)
    assert "Nobody" not in escalation["text"] and "has not answered" in escalation["text"]
