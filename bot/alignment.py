"""The vendor-channel summary as an alignment note: a thank-you and a plan.

What a vendor reads in its own channel at each summary (docs/summaries.md):

- **Delivered in the period**, by name, with thanks;
- **Due in the next 7 days** (the vendor's calendar), by name, overdue ones first;
- **Blocked or at risk**, with the latest word on it (who said it and what it waits on);
- **Waiting on us**: deliveries awaiting the team's review, tasks sent back for changes,
  and questions the vendor asked in task threads that nobody of the team has answered yet
  (bot.task_questions).

Response rates, ratings and trends are internal (digest, scorecard, Home) unless the
vendor's `figures:on` setting says to show them here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.periods import Period
from bot.schedule_rules import vendor_today
from storage import alignment as store
from storage import task_questions
from storage.alignment import Stuck, WaitingOnTeam
from storage.models import Task, Vendor
from storage.task_questions import OpenQuestion

DUE_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class AlignmentNote:
    today: date  # the vendor's, at the time the note was made
    delivered: Sequence[Task]
    due_soon: Sequence[Task]
    stuck: Sequence[Stuck]
    waiting_on_us: Sequence[WaitingOnTeam]
    questions: Sequence[OpenQuestion] = ()  # unanswered, in task threads

    @property
    def is_empty(self) -> bool:
        return not (
            self.delivered or self.due_soon or self.stuck or self.waiting_on_us or self.questions
        )


def alignment_note(
    session: Session, vendor: Vendor, period: Period, now: datetime
) -> AlignmentNote:
    """Five queries, whatever the number of tasks."""
    vendor_id = vendor.saved_id
    today = vendor_today(vendor, now)
    return AlignmentNote(
        today=today,
        delivered=store.delivered_between(session, vendor_id, period.start, period.end),
        due_soon=store.due_by(session, vendor_id, today + DUE_WITHIN),
        stuck=store.stuck(session, vendor_id, now),
        waiting_on_us=store.waiting_on_team(session, vendor_id),
        questions=task_questions.open_questions(session, vendor_id),
    )
