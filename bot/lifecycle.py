"""Vendor lifecycle: trials and their one decision, and money settings (a task's cost,
spend and budget alerts are bot.spend). Plain functions over a session and `now`; no
Slack. docs/lifecycle.md says the same for people.

**Trials.** `trial:30d` (or `2w`) runs from the vendor's today for that many calendar days;
`trial:until:DATE` ends on DATE (a running trial keeps its start); `trial:none` ends it
without a decision. The prompt goes to whoever added the vendor on the **third working day
before the end date** (the end date not counted; working days are the vendor's `workdays:`
minus its holidays), at the time of day of its check-ins. One decision per trial (the vendor
and its end date; a unique row): **Keep** clears the trial; **Extend** moves the end two
weeks on (from the old end, or from today when that has passed); **End** clears the trial
and pauses the vendor, cancelling nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import permissions
from bot.command_tokens import CLEAR
from bot.commands import AddVendor, UpdateVendor
from bot.errors import UsageError
from bot.money import DEFAULT_CURRENCY, parse_amount
from bot.schedule_rules import parse_due_date, vendor_today
from bot.scorecards import TrialCard, trial_card
from bot.slack_text import listed_are
from bot.vendor_settings import MAX_TRIAL_DAYS
from storage import audit
from storage import lifecycle as store
from storage.models import TrialDecision, Vendor, VendorTrialDecision

PROMPT_WORKING_DAYS = 3
EXTENSION = timedelta(weeks=2)
# How far back from a trial's end working days are looked for (holidays included).
MAX_DAYS_BACK = 120
TRIAL_PAUSE_REASON = "trial ended"
UNKNOWN_TRIAL = "I couldn't find that trial; nothing changed."
_TRIAL_VALUE = re.compile(r"(?P<vendor>[0-9]{1,12}):(?P<end>[0-9]{4}-[0-9]{2}-[0-9]{2})")


# --------------------------------------------------------------------------- settings


def lifecycle_settings(
    command: AddVendor | UpdateVendor,
    vendor: Vendor | None,
    *,
    today: date,
    has_costs: bool = False,
    decided: Callable[[date], VendorTrialDecision | None] = lambda _: None,
) -> dict[str, Any]:
    """The vendor fields `trial:`, `currency:`, `rate:` and `budget:` ask for, checked.

    `vendor` is None for `vendor add`; `today` is the vendor's local date. Raises
    UsageError before anything is written: an amount in the wrong precision, a past date,
    a trial end that was already decided, a currency change that would change the meaning
    of money already recorded.
    """
    values: dict[str, Any] = {}
    currency = command.currency or (vendor.currency if vendor else DEFAULT_CURRENCY)
    if command.currency is not None and (vendor is None or command.currency != vendor.currency):
        values["currency"] = command.currency
        if vendor is not None:
            _check_currency_change(command, vendor, has_costs)
    for key, field in (("rate", "hourly_rate_minor"), ("budget", "monthly_budget_minor")):
        typed: str | None = getattr(command, key)
        if typed is not None:
            values[field] = None if typed == CLEAR else parse_amount(typed, currency, f"{key}:")
    if command.trial is not None:
        started, ends = resolve_trial(
            command.trial,
            today,
            vendor.trial_started_on if vendor else None,
            vendor.trial_ends_on if vendor else None,
        )
        if ends is not None and (found := decided(ends)) is not None:
            raise UsageError(
                f"A trial ending {ends:%a %-d %b %Y} was already decided ({_decision_words(found)}"
                "); pick another end date."
            )
        values["trial_started_on"], values["trial_ends_on"] = started, ends
    return values


def _check_currency_change(
    command: AddVendor | UpdateVendor, vendor: Vendor, has_costs: bool
) -> None:
    old = vendor.currency
    if has_costs:
        raise UsageError(
            f"Tasks of this vendor have costs in {old}, so its currency can't change "
            "(the amounts would change meaning); nothing changed."
        )
    missing = [
        key
        for key, field in (("rate", "hourly_rate_minor"), ("budget", "monthly_budget_minor"))
        if getattr(vendor, field) is not None and getattr(command, key) is None
    ]
    if missing:
        listed = " ".join(f"`{key}:…`" for key in missing)
        raise UsageError(
            f"The vendor's {listed_are(missing, ' and ')} in {old}: give "
            f"{'it' if len(missing) == 1 else 'them'} again in {command.currency} "
            f"in the same command ({listed}), or clear with `none`; nothing changed."
        )


def resolve_trial(
    text: str, today: date, started_on: date | None, ends_on: date | None
) -> tuple[date | None, date | None]:
    """(start, end) for `trial:` text (canonical, from bot.vendor_settings) at the
    vendor's today."""
    if text == CLEAR:
        if ends_on is None:
            raise UsageError("This vendor is not on trial; nothing changed.")
        return None, None
    if text.startswith("until:"):
        end = parse_due_date(text[len("until:") :], today)
        if end > today + timedelta(days=MAX_TRIAL_DAYS):
            raise UsageError(f"A trial can last at most {MAX_TRIAL_DAYS} days.")
        return (started_on if ends_on is not None and started_on else today), end
    return today, today + timedelta(days=int(text.removesuffix("d")))


# --------------------------------------------------------------------------- the prompt


def trial_prompt_day(ends_on: date, is_day_off: Callable[[date], bool]) -> date:
    """The third working day before `ends_on` (which is not counted)."""
    day, found = ends_on, 0
    for _ in range(MAX_DAYS_BACK):
        day -= timedelta(days=1)
        if not is_day_off(day):
            found += 1
            if found == PROMPT_WORKING_DAYS:
                return day
    return ends_on - timedelta(days=PROMPT_WORKING_DAYS)  # a calendar with no working day


def trial_prompt_at(
    ends_on: date, tz: ZoneInfo, at: time, is_day_off: Callable[[date], bool]
) -> datetime:
    """When the trial prompt is due (aware UTC): the prompt day at `at`, local time."""
    day = trial_prompt_day(ends_on, is_day_off)
    return datetime.combine(day, at, tzinfo=tz).replace(fold=0).astimezone(UTC)


def prompt_card(session: Session, vendor: Vendor, now: datetime) -> TrialCard | None:
    """The card for the vendor's running trial, or None when it is not on trial."""
    if vendor.trial_ends_on is None:
        return None
    return trial_card(session, vendor, _started_on(vendor), vendor.trial_ends_on, now)


def _started_on(vendor: Vendor) -> date:
    return vendor.trial_started_on or vendor_today(vendor, vendor.created_at)


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class TrialDecided:
    decision: VendorTrialDecision
    card: TrialCard  # as of the decision (or of the click that found it decided)

    @property
    def vendor(self) -> Vendor:
        return self.card.vendor


class AlreadyDecided(UsageError):
    """The trial was decided before this click: say what and by whom, change nothing.
    Carries the card, detached from its session, so the prompt can still be updated."""

    def __init__(self, decided: TrialDecided) -> None:
        super().__init__(
            f"This trial was already decided: {_decision_words(decided.decision)}; nothing changed."
        )
        self.decided = decided


def _decision_words(decision: VendorTrialDecision) -> str:
    """`kept by <@U…> on Mon 28 Dec 2026` (ids are stored, never user text)."""
    when = f"on {decision.decided_at:%a %-d %b %Y}"
    who = f"<@{decision.decided_by}>"
    if decision.decision == TrialDecision.KEEP:
        return f"kept by {who} {when}"
    if decision.decision == TrialDecision.EXTEND and decision.new_trial_ends_on:
        return f"extended by {who} {when} to {decision.new_trial_ends_on:%a %-d %b %Y}"
    return f"ended by {who} {when}"


def read_trial_value(value: str) -> tuple[int, date]:
    """A trial button's value, `<vendor id>:<end date>`; UsageError for anything else."""
    match = _TRIAL_VALUE.fullmatch(value or "")
    if match is None:
        raise UsageError(UNKNOWN_TRIAL)
    try:
        return int(match["vendor"]), date.fromisoformat(match["end"])
    except ValueError:
        raise UsageError(UNKNOWN_TRIAL) from None


def _already_decided(
    session: Session, vendor: Vendor, decision: VendorTrialDecision, now: datetime
) -> AlreadyDecided:
    card = trial_card(
        session, vendor, decision.trial_started_on, decision.trial_ends_on, now, decision
    )
    # A rollback expires what its session holds; what is expunged first keeps its values.
    for item in (vendor, decision, *card.open_tasks):
        if item in session:
            session.expunge(item)
    return AlreadyDecided(TrialDecided(decision, card))


def decide_trial(
    session: Session,
    *,
    team_id: str,
    value: str,
    decision: TrialDecision,
    user_id: str,
    admins: frozenset[str],
    now: datetime,
) -> TrialDecided:
    """Keep, extend or end the trial a button is about, once.

    The decision is a row unique per (vendor, trial end) inserted with ON CONFLICT DO
    NOTHING, and the vendor changes with a conditional UPDATE (its trial must still end on
    that date): two racing clicks decide once, the second gets AlreadyDecided. Who may
    decide: whoever added the vendor, or anyone who may administer vendors.
    """
    vendor_id, ends_on = read_trial_value(value)
    vendor = session.get(Vendor, vendor_id)
    if vendor is None or vendor.team_id != team_id:
        raise UsageError(UNKNOWN_TRIAL)
    existing = store.find_trial_decision(session, vendor_id, ends_on)
    if existing is not None:
        raise _already_decided(session, vendor, existing, now)
    if user_id != vendor.added_by and not permissions.may_administer(user_id, admins):
        raise UsageError(
            f"Only <@{vendor.added_by}>, who added this vendor, or the bot's admins can decide "
            "its trial; nothing changed."
        )
    if vendor.trial_ends_on != ends_on:
        now_ends = (
            f"now ends {vendor.trial_ends_on:%a %-d %b %Y}"
            if vendor.trial_ends_on
            else "is no longer running"
        )
        raise UsageError(f"This trial {now_ends}; nothing changed.")
    started = _started_on(vendor)
    today = vendor_today(vendor, now)
    new_end = max(ends_on, today) + EXTENSION if decision == TrialDecision.EXTEND else None
    recorded = store.record_trial_decision_once(
        session, vendor, started, decision, by=user_id, at=now, new_trial_ends_on=new_end
    )
    if recorded is None:  # another click got there first
        found = store.find_trial_decision(session, vendor_id, ends_on)
        if found is None:  # pragma: no cover - the row was just found taken
            raise LookupError(f"no decision for vendor {vendor_id}'s trial after a conflict")
        raise _already_decided(session, vendor, found, now)
    changes: dict[str, Any] = {"trial_started_on": None, "trial_ends_on": None}
    if decision == TrialDecision.EXTEND:
        changes = {"trial_ends_on": new_end}
    elif decision == TrialDecision.END:
        changes.update(paused=True, pause_reason=TRIAL_PAUSE_REASON)
    if not store.change_trial_once(session, vendor, ends_on, now, **changes):
        raise UsageError("This trial changed while you clicked; nothing changed. Try again.")
    _audit_decision(session, vendor, recorded, now)
    card = trial_card(session, vendor, started, ends_on, now, recorded)
    return TrialDecided(recorded, card)


def _audit_decision(
    session: Session, vendor: Vendor, decision: VendorTrialDecision, now: datetime
) -> None:
    action = {
        TrialDecision.KEEP: "vendor.trial_kept",
        TrialDecision.EXTEND: "vendor.trial_extended",
        TrialDecision.END: "vendor.trial_ended",
    }[TrialDecision(decision.decision)]
    detail = {"trial_ends_on": decision.trial_ends_on, "decision_id": decision.id}
    if decision.new_trial_ends_on is not None:
        detail["new_trial_ends_on"] = decision.new_trial_ends_on
    by = decision.decided_by
    audit.record_change(session, action, vendor, detail, by=by, at=now)
    if decision.decision == TrialDecision.END:
        audit.record_change(
            session, "vendor.paused", vendor, {"reason": TRIAL_PAUSE_REASON}, by=by, at=now
        )
