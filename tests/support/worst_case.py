"""The longest and nastiest inputs each builder can be given, from the stored limits.

User text is as long as the bot lets it be (a vendor's name 80, a title 300, notes and
standards 2000…) and made of `&`, which Slack's escaping turns into five characters
(`&amp;`), ending in markup that must never ping anyone or format anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.absences import Away
from bot.alignment import AlignmentNote
from bot.checkin_questions import MAX_ANSWER_LENGTH, MAX_QUESTION_LENGTH
from bot.commands import MAX_TITLE_LENGTH
from bot.periods import Period
from bot.scorecards import CardFigures, Trend, Verdict, WeekRow
from bot.summaries import Figures, VendorRow, VendorSpend, VendorSummary, Week
from storage.alignment import Stuck, WaitingOnTeam
from storage.checkins import CheckinRow
from storage.models import (
    Delivery,
    QuestionAnswer,
    ReviewOutcome,
    StatusUpdate,
    Task,
    TaskFeedback,
    TaskQuestion,
    TaskStatus,
    TaskUpdate,
    TrialDecision,
    Vendor,
    VendorFeedback,
    VendorTrialDecision,
)
from storage.overdue_reviews import OverdueReview
from storage.slips import Slips
from storage.summaries import AttentionTask
from storage.task_questions import OpenQuestion

# User text that would ping, link or format if it were not escaped.
MARKUP = "<!channel> <@UEVIL> <#CEVIL> <https://evil.example|x> *b* _i_ ~s~ `c` & > <"
NOW = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)
TODAY = date(2026, 12, 2)
NAME_LENGTH = 80  # Vendor.name
REASON_LENGTH = 200  # Vendor.pause_reason
NOTE_LENGTH = 2000  # status notes, delivery notes, review notes, rating comments
FEEDBACK_LENGTH = 4000  # a vendor's thread reply to the weekly question
MANY = 200  # tasks, vendors, rows: more than any message or view can show
MONEY = 10**15  # minor units: EUR 10,000,000,000,000.00


def nasty(length: int) -> str:
    """`length` characters of user text: `&`s, which grow most when escaped, then markup."""
    return "&" * (length - len(MARKUP)) + MARKUP


def assert_escaped(built: dict[str, Any]) -> None:
    """No user markup got through where Slack reads markup (mrkdwn text objects and a
    message's notification text): nobody pinged, nothing linked. Plain text (labels,
    a form's prefilled value) shows as typed and is left alone."""
    read = [built.get("text", "") if built.get("type") not in {"modal", "home"} else ""]
    read += list(_mrkdwn(built))
    for text in read:
        for raw in ("<!channel>", "<@UEVIL>", "<#CEVIL>", "<https://evil"):
            assert raw not in text, (raw, text[:200])


def _mrkdwn(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            yield value["text"]
        for item in value.values():
            yield from _mrkdwn(item)
    elif isinstance(value, list):
        for item in value:
            yield from _mrkdwn(item)


def vendor(number: int = 1, **changes: Any) -> Vendor:
    values: dict[str, Any] = {
        "id": number,
        "team_id": "T0TEAM0001",
        "channel_id": f"C{number:09d}",
        "name": nasty(NAME_LENGTH),
        "timezone": "America/Argentina/ComodRivadavia",
        "checkin_cadence": "mon,tue,wed,thu,fri,sat,sun@09:00,12:00,15:00,18:00"[:64],
        "summary_cadence": "mon,tue,wed,thu,fri,sat,sun@17:30",
        "feedback_cadence": "mon,tue,wed,thu,fri,sat,sun@17:45",
        "paused": True,
        "pause_reason": nasty(REASON_LENGTH),
        "workdays": "mon,tue,wed,thu,fri,sat,sun",
        "added_by": "U0ADDER0001",
        "created_at": NOW - timedelta(days=400),
        "updated_at": NOW,
        "trial_started_on": TODAY - timedelta(days=30),
        "trial_ends_on": TODAY + timedelta(days=3),
        "hourly_rate_minor": MONEY,
        "monthly_budget_minor": MONEY,
        "currency": "EUR",
        "public_holidays": "PH",
        "remind_after_minutes": 1440 * 6 + 23 * 60 + 59,
        "review_after_minutes": 1440 * 6 + 23 * 60 + 59,
        "show_figures": True,
        "removed_at": NOW,
        "removed_by": "U0REMOVER01",
    }
    values.update(changes)
    return Vendor(**values)


def task(number: int = 1, **changes: Any) -> Task:
    values: dict[str, Any] = {
        "id": 1_000_000 + number,
        "team_id": "T0TEAM0001",
        "vendor_id": 1,
        "title": nasty(MAX_TITLE_LENGTH),
        "standard": nasty(NOTE_LENGTH),
        "owner_id": "U0OWNER0001",
        "assignee_id": "U0ASSIGNEE1",
        "due_date": TODAY - timedelta(days=3),
        "status": TaskStatus.OPEN,
        "created_at": NOW - timedelta(days=40),
        "updated_at": NOW,
        "cost_minor": MONEY,
    }
    values.update(changes)
    return Task(**values)


def tasks(count: int = MANY, **changes: Any) -> list[Task]:
    return [task(number, **changes) for number in range(1, count + 1)]


def status_update(status: TaskUpdate = TaskUpdate.BLOCKED, task_id: int = 1) -> StatusUpdate:
    return StatusUpdate(
        id=7,
        task_id=task_id,
        post_id=3,
        user_id="U0VENDOR001",
        status=status,
        note=nasty(NOTE_LENGTH),
        source="button",
        at=NOW - timedelta(hours=5),
    )


def checkin_rows(count: int = MANY) -> list[CheckinRow]:
    return [CheckinRow(t, status_update(task_id=t.saved_id)) for t in tasks(count)]


def delivery(outcome: ReviewOutcome = ReviewOutcome.PENDING) -> Delivery:
    return Delivery(
        id=9_000_001,
        task_id=1_000_001,
        vendor_id=1,
        delivered_by="U0VENDOR001",
        delivered_at=NOW - timedelta(days=9, hours=3),
        outcome=outcome,
        reviewed_by="U0OWNER0001" if outcome != ReviewOutcome.PENDING else None,
        reviewed_at=NOW if outcome != ReviewOutcome.PENDING else None,
        review_note=nasty(NOTE_LENGTH),
        note=nasty(NOTE_LENGTH),
    )


def feedback() -> TaskFeedback:
    return TaskFeedback(
        id=1,
        task_id=1_000_001,
        vendor_id=1,
        rated_by="U0OWNER0001",
        quality=1,
        timeliness=3,
        communication=5,
        comment=nasty(NOTE_LENGTH),
        created_at=NOW,
        updated_at=NOW,
    )


def overdue_reviews(count: int = MANY) -> list[OverdueReview]:
    # Owners repeat, so some have many deliveries waiting.
    return [
        OverdueReview(delivery(), task(n, owner_id=f"U0OWNER{n % 7:04d}"), vendor(n))
        for n in range(1, count + 1)
    ]


def answers(count: int = MANY) -> list[QuestionAnswer]:
    return [
        QuestionAnswer(
            id=n,
            post_id=3,
            vendor_id=1,
            user_id=f"U0VEND{n:05d}",
            position=n % 5,
            question=nasty(MAX_QUESTION_LENGTH),
            answer=nasty(MAX_ANSWER_LENGTH),
            at=NOW - timedelta(minutes=n),
        )
        for n in range(1, count + 1)
    ]


def away(count: int = 50) -> dict[str, Away]:
    return {
        f"U0AWAY{n:05d}": Away(f"U0AWAY{n:05d}", TODAY + timedelta(days=n), nasty(300))
        for n in range(count)
    }


def figures() -> Figures:
    """Every figure present and large, so every line and bracket is shown."""
    return Figures(
        completed=10**6,
        on_time=10**5,
        open=10**6,
        delivered=10**6,
        overdue=10**6,
        at_risk=10**6,
        blocked=10**6,
        checkins=10**6,
        answered=10**5,
        median_response_minutes=10**7,
        ratings=10**6,
        quality=1.0,
        timeliness=2.5,
        communication=5.0,
    )


def card_figures() -> CardFigures:
    return CardFigures(
        completed=10**6,
        on_time=10**5,
        days_late=10**8,
        checkins=10**6,
        answered=10**5,
        median_response_minutes=10**7,
        ratings=10**6,
        quality_total=10**6,
        timeliness_total=3 * 10**6,
        communication_total=5 * 10**6,
        deliveries=10**6,
        changes_requested=10**6,
        spend=MONEY,
    )


def trend() -> Trend:
    return Trend(Verdict.SLIPPING, card_figures(), card_figures())


def spend() -> VendorSpend:
    return VendorSpend(
        MONEY, MONEY, MONEY, currency="EUR", month=TODAY.replace(day=1), budget=MONEY
    )


def slips() -> Slips:
    return Slips(count=10**6, days=10**8)


def period() -> Period:
    return Period(NOW - timedelta(days=7), NOW, from_addition=True)


def summary(count: int = MANY) -> VendorSummary:
    """A summary with everything in it: many tasks delivered, due, stuck and waiting on
    us, many needing attention, many answers."""
    finished = tasks(count, status=TaskStatus.DONE)
    note = AlignmentNote(
        today=TODAY,
        delivered=finished,
        due_soon=tasks(count),
        stuck=[Stuck(t, status_update()) for t in tasks(count)],
        waiting_on_us=[
            WaitingOnTeam(t, delivery(outcome))
            for t in tasks(count)
            for outcome in (ReviewOutcome.PENDING, ReviewOutcome.CHANGES_REQUESTED)
        ],
        questions=[OpenQuestion(t, task_question()) for t in tasks(count)],
    )
    return VendorSummary(
        vendor=vendor(),
        period=period(),
        current=figures(),
        previous=figures(),
        attention=[AttentionTask(t, True, n % 2 == 0) for n, t in enumerate(tasks(count))],
        made_at=NOW,
        note=note,
        answers=answers(count),
    )


def task_question() -> TaskQuestion:
    """A vendor's question in a task's thread: a Slack message, as long as one can be."""
    return TaskQuestion(
        id=1,
        task_id=1_000_001,
        vendor_id=1,
        channel_id="C000000001",
        message_ts="1767225600.123456",
        user_id="U0VENDOR001",
        text=nasty(FEEDBACK_LENGTH),
        asked_at=NOW - timedelta(days=2),
    )


def vendor_rows(count: int = MANY) -> list[VendorRow]:
    return [VendorRow(vendor(n, paused=n % 2 == 0), figures(), figures()) for n in range(count)]


def vendor_feedback(count: int = MANY) -> list[tuple[Vendor, VendorFeedback]]:
    return [
        (
            vendor(n),
            VendorFeedback(
                id=n,
                vendor_id=n,
                post_id=3,
                user_id="U0VENDOR001",
                text=nasty(FEEDBACK_LENGTH),
                message_ts="1.2",
                at=NOW,
            ),
        )
        for n in range(count)
    ]


def weeks(count: int = 52) -> list[WeekRow]:
    monday = TODAY - timedelta(days=TODAY.weekday())
    return [
        WeekRow(Week(monday - timedelta(weeks=n)), card_figures(), n == 0)
        for n in reversed(range(count))
    ]


def trial_decision(decision: TrialDecision) -> VendorTrialDecision:
    return VendorTrialDecision(
        id=1,
        vendor_id=1,
        trial_started_on=TODAY - timedelta(days=30),
        trial_ends_on=TODAY,
        decision=decision,
        decided_by="U0DECIDER01",
        decided_at=NOW,
        new_trial_ends_on=TODAY + timedelta(days=14),
    )
