"""`/delegate report`: a CSV of a team's tasks, status updates, check-in replies and feedback.

The range is a span of calendar days in the team's time zone (DEFAULT_TIMEZONE), both ends
included; without dates it is the last four weeks up to today. The file:

- one row per record, its kind in the first column, `record`: `task` (every task that
  existed during the range: created before its end and not closed before its start),
  `status_update`, `response` (a reply in a check-in's thread), `feedback` (an owner's
  rating, first given in the range) and `vendor_feedback` (a vendor's reply to the weekly
  prompt);
- always the same columns, in the same order (`COLUMNS`); a column that means nothing for
  a kind of record is empty. Times are UTC, ISO 8601 (`2026-11-30T09:00:00Z`); user
  columns hold Slack user ids;
- safe to open in a spreadsheet: a text cell starting with `=`, `+`, `-`, `@`, a tab or a
  carriage return gets a leading `'`, so it is never read as a formula (CSV injection);
- UTF-8 with a byte order mark, so Excel picks the right encoding.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.errors import UsageError
from bot.money import format_plain
from bot.schedule_rules import DateWords, read_date
from bot.summaries import local_start
from storage import answers, on_time, reports, reviews, vendors
from storage.models import Task, TaskStatus, Vendor

COLUMNS: tuple[str, ...] = (
    "record",
    "id",
    "vendor",
    "vendor_channel",
    "vendor_channel_name",
    "task_id",
    "task",
    "owner",
    "owner_name",
    "assignee",
    "assignee_name",
    "user",
    "user_name",
    "status",
    "due_date",
    "due_in_force",  # a finished task's due date when it was finished (storage.on_time)
    "on_time",  # a done task: yes / no, judged against due_in_force
    "created_at",
    "closed_at",
    "closed_by",
    "closed_by_name",
    "delivered_at",
    "at",
    "post_id",
    "cost",
    "currency",
    "quality",
    "timeliness",
    "communication",
    "question",  # answers to the team's check-in questions: the question as asked
    "text",
)
RECORD_KINDS = (
    "task",
    "status_update",
    "response",
    "feedback",
    "vendor_feedback",
    "review",
    "due_date_change",
    "answer",
)
# Each id column and the column that shows its name (a person's or a channel's).
NAMED_COLUMNS = {
    "vendor_channel": "vendor_channel_name",
    "owner": "owner_name",
    "assignee": "assignee_name",
    "user": "user_name",
    "closed_by": "closed_by_name",
}
DEFAULT_DAYS = 28
MAX_DAYS = 366
# Cells a spreadsheet would take for a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

DATE_FORMS = (
    "Write `YYYY-MM-DD`, `today`, `yesterday`, a weekday like `mon` (the latest one), "
    "or `-2w` / `-10d`."
)
REPORT_DATE = DateWords("date", DATE_FORMS, backwards=True)


# --------------------------------------------------------------------------- dates


def parse_report_date(text: str, today: date) -> date:
    """A report date. The due-date forms, read backwards where that is what a report
    means: a weekday is the latest such day (today included), `-2w` is two weeks ago;
    `YYYY-MM-DD`, `today`, `tomorrow` and `+3d` mean what they mean for due dates."""
    return read_date(text, today, REPORT_DATE)


def report_range(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The first and last day of the report: by default the four weeks up to `to:` (or
    today). Refuses a start after the end, and ranges longer than a year."""
    last_day = parse_report_date(end, today) if end is not None else today
    if start is not None:
        first_day = parse_report_date(start, today)
    else:
        first_day = last_day - timedelta(days=DEFAULT_DAYS - 1)
    if first_day > last_day:
        raise UsageError(
            f"The report would start on {first_day:%a %-d %b %Y}, after it ends on "
            f"{last_day:%a %-d %b %Y}. Write `/delegate report from:2026-11-01 to:2026-11-30`."
        )
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise UsageError(
            f"That is {(last_day - first_day).days + 1} days; a report covers at most "
            f"{MAX_DAYS}. Ask for one year at a time."
        )
    return first_day, last_day


# --------------------------------------------------------------------------- cells


def safe_cell(value: object) -> str:
    """One CSV cell: times in UTC ISO 8601, text guarded against formula injection."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int):
        return str(int(value))
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _task_cells(task: Task, vendor: Vendor) -> dict[str, object]:
    return {
        "vendor": vendor.name,
        "vendor_channel": vendor.channel_id,
        "task_id": task.id,
        "task": task.title,
        "owner": task.owner_id,
        "assignee": task.assignee_id,
    }


def _on_time_cell(task: Task, vendor: Vendor) -> str | None:
    """`yes` / `no` for a done task (the rule of every figure), empty otherwise."""
    if task.status != TaskStatus.DONE:
        return None
    late = on_time.task_days_late(task, ZoneInfo(vendor.timezone))
    return None if late is None else ("yes" if late == 0 else "no")


def _vendor_cells(vendor: Vendor) -> dict[str, object]:
    return {"vendor": vendor.name, "vendor_channel": vendor.channel_id}


class _Said(Protocol):
    """What a person said under one of the bot's posts: a status update, a reply in a
    check-in's thread, feedback on the weekly prompt, an answer to a check-in question."""

    @property
    def id(self) -> int | None: ...

    @property
    def user_id(self) -> str: ...

    @property
    def at(self) -> datetime: ...

    @property
    def post_id(self) -> int | None: ...


def _said_row(
    kind: str, said: _Said, where: dict[str, object], text: str, **cells: object
) -> dict[str, object]:
    """The row of something said: who said it, when and under which post, about `where`
    (a task's or a vendor's cells)."""
    return {
        "record": kind,
        "id": said.id,
        **where,
        "user": said.user_id,
        "at": said.at,
        "post_id": said.post_id,
        "text": text,
        **cells,
    }


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Report:
    first_day: date
    last_day: date
    filename: str
    content: bytes  # UTF-8 with a byte order mark
    counts: dict[str, int]  # rows per record kind, in RECORD_KINDS order


def report_rows(
    session: Session, team_id: str, start: datetime, end: datetime
) -> Iterable[dict[str, object]]:
    """Every record of the team in [start, end), as dicts keyed by column: seven queries."""
    for row in reports.tasks_active_between(session, team_id, start, end):
        task = row.task
        yield {
            "record": "task",
            "id": task.id,
            **_task_cells(task, row.vendor),
            "status": task.status,
            "due_date": task.due_date,
            "due_in_force": task.due_in_force,
            "on_time": _on_time_cell(task, row.vendor),
            "created_at": task.created_at,
            "closed_at": task.closed_at,
            "closed_by": task.closed_by,
            "delivered_at": task.delivered_at,
            "cost": format_plain(task.cost_minor, row.vendor.currency)
            if task.cost_minor is not None
            else None,
            "currency": row.vendor.currency if task.cost_minor is not None else None,
            "text": task.standard,
        }
    for update, task, vendor in reports.status_updates_between(session, team_id, start, end):
        yield _said_row(
            "status_update", update, _task_cells(task, vendor), update.note, status=update.status
        )
    for response, vendor in reports.checkin_responses_between(session, team_id, start, end):
        yield _said_row("response", response, _vendor_cells(vendor), response.text)
    for rating, task, vendor in reports.ratings_between(session, team_id, start, end):
        yield {
            "record": "feedback",
            "id": rating.id,
            **_task_cells(task, vendor),
            "user": rating.rated_by,
            "at": rating.created_at,
            "quality": rating.quality,
            "timeliness": rating.timeliness,
            "communication": rating.communication,
            "text": rating.comment,
        }
    # A removed vendor's feedback and answers are left out, like its other records.
    listed = {vendor.id: vendor for vendor in vendors.list_vendors(session, team_id)}
    for said in reviews.vendor_feedback_between(session, None, start, end, team_id=team_id):
        if said.vendor_id in listed:
            where = _vendor_cells(listed[said.vendor_id])
            yield _said_row("vendor_feedback", said, where, said.text)
    # One row per answer to the team's own check-in questions (bot.checkin_questions).
    for answer in answers.answers_between(session, team_id, start, end):
        if answer.vendor_id in listed:
            where = _vendor_cells(listed[answer.vendor_id])
            yield _said_row("answer", answer, where, answer.answer, question=answer.question)
    for delivery, task, vendor in reports.deliveries_between(session, team_id, start, end):
        yield {
            "record": "review",
            "id": delivery.id,
            **_task_cells(task, vendor),
            # Who reviewed it and when; a pending one: who delivered it, when.
            "user": delivery.reviewed_by or delivery.delivered_by,
            "status": delivery.outcome,
            "delivered_at": delivery.delivered_at,
            "at": delivery.reviewed_at or delivery.delivered_at,
            "text": delivery.review_note or delivery.note,
        }
    for entry, task, vendor in reports.due_date_changes_between(session, team_id, start, end):
        moved = json.loads(entry.detail or "{}")
        yield {
            "record": "due_date_change",
            "id": entry.id,
            **_task_cells(task, vendor),
            "user": entry.actor_id,
            "due_date": moved.get("to"),
            "at": entry.at,
            "text": f"from {moved.get('from') or 'no due date'} to {moved.get('to')}",
        }


def build_report(
    session: Session,
    team_id: str,
    first_day: date,
    last_day: date,
    tz: ZoneInfo,
    *,
    channel_id: str | None = None,
    names: Callable[[set[str]], Mapping[str, str]] | None = None,
) -> Report:
    """The CSV for the team's records from `first_day` to `last_day`, dates of `tz`; with
    `channel_id`, one vendor's only. `names` turns user and channel ids into names (Slack
    calls, made by the caller); without it the name columns stay empty."""
    start = local_start(first_day, tz)
    end = local_start(last_day + timedelta(days=1), tz)
    rows = [
        row
        for row in report_rows(session, team_id, start, end)
        if channel_id is None or row.get("vendor_channel") == channel_id
    ]
    ids = {str(row[column]) for row in rows for column in NAMED_COLUMNS if row.get(column)}
    known = names(ids) if names is not None else {}
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    counts = dict.fromkeys(RECORD_KINDS, 0)
    for row in rows:
        counts[str(row["record"])] += 1
        for column, name_column in NAMED_COLUMNS.items():
            if row.get(column):
                row[name_column] = known.get(str(row[column]))
        writer.writerow([safe_cell(row.get(column)) for column in COLUMNS])
    return Report(
        first_day=first_day,
        last_day=last_day,
        filename=f"delegate-report-{first_day.isoformat()}-to-{last_day.isoformat()}.csv",
        content=buffer.getvalue().encode("utf-8-sig"),
        counts=counts,
    )
