"""Days away: a vendor's person says, from a check-in's Away… form, that they are away.

Days away are the person's own, not the vendor's (those are `vendor holiday`):

- While *everyone* who speaks for the vendor is away, the vendor gets no check-in, no
  reminder and no escalation: a freelancer away Thursday and Friday hears nothing until
  Monday and nobody is escalated about her. "Everyone" is the assignees of the check-in's
  tasks together with whoever has said they are away for this vendor; a vendor with no
  known person is never away.
- With several people, the check-in still goes out; the tasks of those away say so
  ("away until Fri 4 Dec"), reminders leave them out, and escalations are not about
  their tasks.
- The team sees who is away in the check-in, the digest and the Home tab, and
  `/delegate vendor away #acme` lists absences and clears them.

Dates are the vendor's local calendar dates, like its holidays. Pure rules here, plus the
transactions that record and clear (no Slack).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.errors import UsageError
from bot.schedule_rules import vendor_today
from bot.slack_text import escape
from storage import absences as absence_store
from storage import audit, updates, vendors
from storage.models import ScheduledPost, Task, Vendor, VendorAbsence

MAX_DAYS_AWAY = 92  # a quarter; longer than that is not "away", it is a new contact
MAX_DAYS_AHEAD = 366
MAX_NOTE_LENGTH = 300
# Absences that ended this long ago still count someone as one of the vendor's people.
PEOPLE_LOOKBACK = timedelta(days=90)

FIELD_FIRST = "away_first"
FIELD_LAST = "away_last"
FIELD_NOTE = "away_note"


@dataclass(frozen=True)
class Away:
    """Someone away on a given day, and the last day of that stretch away."""

    user_id: str
    until: date
    note: str = ""


def away_on(absences: Iterable[VendorAbsence], day: date) -> dict[str, Away]:
    """Who is away on `day`, each with the end of their stretch away: back-to-back or
    overlapping absences join up, so "until" is the day before they are back."""
    mine: dict[str, list[VendorAbsence]] = {}
    for absence in absences:
        mine.setdefault(absence.user_id, []).append(absence)
    found: dict[str, Away] = {}
    for user_id, spans in mine.items():
        current = [a for a in spans if a.first_day <= day <= a.last_day]
        if not current:
            continue
        until = max(a.last_day for a in current)
        note = next((a.note for a in current if a.note), "")
        extended = True
        while extended:  # join the stretches that start by the day after `until`
            extended = False
            for a in spans:
                if a.first_day <= until + timedelta(days=1) and a.last_day > until:
                    until, extended = a.last_day, True
        found[user_id] = Away(user_id, until, note)
    return found


def vendor_people(tasks: Iterable[Task], absences: Iterable[VendorAbsence]) -> set[str]:
    """Who speaks for the vendor: its tasks' assignees and whoever said they are away."""
    people = {task.assignee_id for task in tasks if task.assignee_id}
    people.update(absence.user_id for absence in absences)
    return people


def everyone_away(tasks: Iterable[Task], absences: Sequence[VendorAbsence], day: date) -> bool:
    """Whether every one of the vendor's people is away on `day` (never with nobody known)."""
    people = vendor_people(tasks, absences)
    return bool(people) and people <= set(away_on(absences, day))


def load_absences(session: Session, vendor_id: int, today: date) -> Sequence[VendorAbsence]:
    """A vendor's absences that matter from `today` on, and recent ones (they say who the
    vendor's people are)."""
    return absence_store.absences_from(session, [vendor_id], today - PEOPLE_LOOKBACK)


def away_by_vendor(
    session: Session, found: Sequence[Vendor], now: datetime
) -> dict[int, dict[str, Away]]:
    """For the digest and Home: per vendor, who is away today (its local date)."""
    if not found:
        return {}
    earliest = min(vendor_today(v, now) for v in found) - timedelta(days=1)
    rows = absence_store.absences_from(session, [v.saved_id for v in found], earliest)
    result: dict[int, dict[str, Away]] = {}
    for vendor in found:
        own = [a for a in rows if a.vendor_id == vendor.id]
        away = away_on(own, vendor_today(vendor, now))
        if away:
            result[vendor.saved_id] = away
    return result


# --------------------------------------------------------------------------- the form


def check_dates(first: date | None, last: date | None, today: date) -> dict[str, str]:
    """Problems with the form's dates, by field (empty when they are fine)."""
    problems: dict[str, str] = {}
    if first is None:
        problems[FIELD_FIRST] = "Pick the first day you are away."
    if last is None:
        problems[FIELD_LAST] = "Pick the last day you are away (the same day for one day)."
    if first is None or last is None:
        return problems
    if first < today:
        problems[FIELD_FIRST] = f"Pick today ({today:%a %-d %b}) or a later day."
    elif first > today + timedelta(days=MAX_DAYS_AHEAD):
        problems[FIELD_FIRST] = "Pick a day within the coming year."
    if last < first:
        problems[FIELD_LAST] = "The last day can't be before the first day."
    elif (last - first).days + 1 > MAX_DAYS_AWAY:
        problems[FIELD_LAST] = f"At most {MAX_DAYS_AWAY} days at a time."
    return problems


@dataclass(frozen=True)
class AwayRecorded:
    vendor: Vendor
    post: ScheduledPost
    absence: VendorAbsence


def record_away(
    session: Session,
    *,
    post_id: int,
    team_id: str,
    user_id: str,
    first: date,
    last: date,
    note: str,
    now: datetime,
) -> AwayRecorded:
    """Store what the Away… form said, for the vendor of check-in `post_id`."""
    post = updates.get_checkin(session, post_id)
    vendor = vendors.get_vendor(session, post.vendor_id) if post else None
    if post is None or vendor is None or vendor.team_id != team_id:
        raise UsageError("I couldn't find that check-in any more; nothing changed.")
    if len(note) > MAX_NOTE_LENGTH:
        raise UsageError(f"Keep the note under {MAX_NOTE_LENGTH} characters.")
    absence, added = absence_store.add_absence(
        session, vendor, user_id, first_day=first, last_day=last, note=note, now=now
    )
    if added:  # said again: the row and its audit entry are already there
        audit.record_change(
            session,
            "vendor.away_added",
            vendor,
            {"first_day": first, "last_day": last, "post_id": post_id},
            by=user_id,
            at=now,
        )
    return AwayRecorded(vendor, post, absence)


# --------------------------------------------------------------------------- the command


@dataclass(frozen=True)
class AbsenceListing:
    vendor: Vendor
    today: date
    absences: Sequence[VendorAbsence]  # not over yet, soonest first
    cleared: int | None = None  # how many were cleared, when clearing


def list_or_clear(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    actor_id: str,
    clear: bool,
    user_id: str | None,
    now: datetime,
) -> AbsenceListing:
    """`vendor away #acme [clear [@person]]`: the absences not over yet, after clearing."""
    vendor = vendors.find_vendor_by_channel(session, team_id, channel_id)
    if vendor is None:
        raise UsageError(
            f"<#{channel_id}> is not a vendor channel. Add it with "
            f"`/delegate vendor add <#{channel_id}>`, or see `/delegate vendor list`."
        )
    today = vendor_today(vendor, now)
    cleared: int | None = None
    if clear:
        cleared = absence_store.clear_absences(session, vendor.saved_id, today, user_id)
        if not cleared:
            who = f"<@{user_id}> has" if user_id else "nobody has"
            raise UsageError(
                f"{who} said they are away at {escape(vendor.name)} from today on; nothing changed."
            )
        audit.record_change(
            session,
            "vendor.away_cleared",
            vendor,
            {"user_id": user_id, "count": cleared},
            by=actor_id,
            at=now,
        )
    rows = absence_store.absences_from(session, [vendor.saved_id], today)
    return AbsenceListing(vendor, today, rows, cleared)


def away_lines(away: Mapping[str, Away]) -> list[str]:
    """`<@U> away until Fri 4 Dec (note)` for each person, for any message the team reads."""
    return [
        f"<@{a.user_id}> away until {a.until:%a %-d %b}"
        + (f" ({escape(a.note[:80])})" if a.note else "")
        for a in sorted(away.values(), key=lambda a: (a.until, a.user_id))
    ]
