"""A vendor on trial, as a new user meets it: `/delegate vendor add … trial:30d`, weeks of
scheduler ticks with a weekend and holidays before the end, the prompt to whoever added the
vendor with the trial's figures, and Keep / Extend 2 weeks / End, each deciding once.
Signed requests to the real app, the real WebClient against the fake Slack, SQLite and
PostgreSQL; the scheduler is given `now`, the listeners get it from freezegun."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from freezegun import freeze_time
from sqlmodel import Session, col, select

from bot import blocks
from bot.app import build_client
from bot.lifecycle import trial_prompt_day
from storage.models import AuditEntry, ScheduledPost, Task, TaskStatus
from tests.support.lifecycle_support import (
    MONEY,
    OWNER_DM,
    all_tasks,
    buttons,
    changes_requested,
    decisions,
    dm_click,
    dms_about,
    the_vendor,
    vendor_channel_text,
)
from tests.support.scheduling import Clock, claims
from tests.support.slack_requests import BotUnderTest, rendered
from tests.support.summary_support import close, rate, reply

ACME = "<#C0ACME|acme-design>"
# Tuesday 1 Dec 2026, 10:00 UTC: 18:00 in Manila, where the vendor works.
ADDED = "2026-12-01 10:00:00"
# The trial ends Thu 31 Dec. Counting back working days: Wed 30 (1), Tue 29 a holiday,
# Mon 28 (2), the weekend, Fri 25 a holiday, Thu 24 (3): the prompt is due Thu 24 Dec at
# 09:00 in Manila (the check-in time), 01:00 UTC.
PROMPT_AT = "2026-12-24 01:00"


@pytest.mark.parametrize(
    ("ends", "days_off", "prompt"),
    [
        (date(2026, 12, 31), set(), date(2026, 12, 28)),  # Thu: Wed, Tue, Mon
        (date(2026, 12, 28), set(), date(2026, 12, 23)),  # Mon: Fri, Thu, Wed
        (date(2026, 12, 31), {date(2026, 12, 29), date(2026, 12, 25)}, date(2026, 12, 24)),
        (date(2026, 12, 27), set(), date(2026, 12, 23)),  # a Sunday end: Fri, Thu, Wed
    ],
)
def test_the_prompt_day_is_the_third_working_day_before_the_end(
    ends: date, days_off: set[date], prompt: date
) -> None:
    def is_day_off(day: date) -> bool:
        return day.weekday() >= 5 or day in days_off

    assert trial_prompt_day(ends, is_day_off) == prompt


# --------------------------------------------------------------------------- the prompt


@dataclass
class Trial:
    bot: BotUnderTest
    clock: Clock
    tasks: dict[str, Task]

    def prompt(self, index: int = -1) -> dict[str, Any]:
        return dms_about(self.bot.slack, "trial")[index]

    def click(
        self, action_id: str, user: str = "U0ALICE", message: dict[str, Any] | None = None
    ) -> None:
        """Click a button of `message` (a copy of the prompt as it was), else the prompt.

        A click on the live prompt ends with the prompt updated; a click on an old copy
        (the trial already decided) ends with a private note, possibly after refreshing
        the prompt. The click returns once its listener has finished.
        """
        stale = message is not None
        message = message or self.prompt()
        updates = len(self.bot.slack.calls_to("chat.update"))
        notes = len(self.bot.slack.ephemerals)
        self.bot.interact(dm_click(message, action_id, user=user))
        if stale:
            assert len(self.bot.slack.ephemerals) > notes
        else:
            assert len(self.bot.slack.calls_to("chat.update")) > updates


def start_trial(bot: BotUnderTest) -> dict[str, Task]:
    """What a new user types: the vendor on a 30-day trial, its holidays, five tasks."""
    with freeze_time(ADDED):
        bot.command(f"vendor add {ACME} Acme tz:Asia/Manila trial:30d currency:EUR budget:2000")
        bot.command(f"vendor holiday {ACME} add 2026-12-25 2026-12-29")
        for title, extra in [
            ("Logo", "due:2026-12-04 cost:450.50"),
            ("Brochure", "due:2026-12-08 cost:12h@35"),
            ("Banner", "due:2026-12-09"),
            ("Website", "due:2026-12-30 cost:2000"),
            ("Copy", "due:2026-12-18"),
        ]:
            bot.command(f"{ACME} {title} {extra}")
    return {task.title: task for task in all_tasks(bot.engine)}


def live_the_trial(bot: BotUnderTest, clock: Clock, tasks: dict[str, Task]) -> None:
    """Three weeks and a half of ticks (check-ins at 01:00 UTC on working days), then what
    happened, at the times it happened (UTC; Manila is 8 hours ahead)."""
    clock.run("2026-12-01 13:00", "2026-12-23 19:00", step=timedelta(hours=6))
    close(bot.engine, tasks["Logo"], "2026-12-03 10:00")  # Thu 3, due Fri 4: on time
    # Delivered Thu 10 (due Tue 8: 2 days late), accepted on the 11th.
    close(bot.engine, tasks["Brochure"], "2026-12-11 02:00", delivered="2026-12-10 03:00")
    close(bot.engine, tasks["Banner"], "2026-12-14 02:00")  # Mon 14, due Wed 9: 5 days late
    changes_requested(bot.engine, tasks["Copy"], "2026-12-17 03:00", "2026-12-17 09:00")
    rate(bot.engine, tasks["Logo"], "2026-12-03 11:00", 5, 4, 4)
    rate(bot.engine, tasks["Brochure"], "2026-12-11 03:00", 3, 2, 4)
    checkins = {post.occurrence[:10]: post for post in claims(bot.engine, "checkin", "sent")}
    for day, minutes in (("02", 30), ("03", 10), ("07", 120), ("10", 60)):
        post = checkins[f"2026-12-{day}"]
        assert post.sent_at is not None
        reply(bot.engine, post, f"{post.sent_at + timedelta(minutes=minutes):%Y-%m-%d %H:%M}")


@pytest.fixture
def trial(bot: BotUnderTest) -> Trial:
    tasks = start_trial(bot)
    clock = Clock(bot.deps, build_client(bot.slack.bot_token, bot.slack.api_url))
    live_the_trial(bot, clock, tasks)
    return Trial(bot, clock, tasks)


def test_a_30_day_trial_prompts_whoever_added_it_three_working_days_before_the_end(
    trial: Trial,
) -> None:
    bot, clock = trial.bot, trial.clock
    assert dms_about(bot.slack, "trial") == []  # weeks of ticks, no prompt yet

    early = clock.tick("2026-12-24 00:59")
    due = clock.tick(PROMPT_AT)
    again = clock.tick("2026-12-24 01:05")

    assert "trial_prompt" not in early.posted
    assert due.posted["trial_prompt"] == 1 and "trial_prompt" not in again.posted
    [prompt] = dms_about(bot.slack, "trial")
    text = rendered(prompt)
    assert "*Acme*'s trial (<#C0ACME>) ends *Thu 31 Dec 2026* (in 7 days)" in text
    # The trial's figures, hand-computed from what happened above.
    assert "*The trial so far* (Tue 1 Dec to Thu 24 Dec 2026)" in text
    assert "*Done:* 1 on time, 2 late (average 3.5 days late)" in text
    # 16 check-ins (2-23 Dec, working days), 4 answered after 30, 10, 120, 60 minutes.
    assert "*Check-ins answered:* 4 of 16 (25%) · *median first answer:* 45 min" in text
    assert "*Ratings* (2): quality 4.0 · timeliness 3.0 · communication 4.0" in text
    assert "*Changes requested:* 1 of 2 deliveries (0.50 per delivery)" in text
    assert "*Spend during the trial:* EUR 870.50" in text
    assert "December 2026 EUR 870.50 of EUR 2,000.00 (43%) · to date EUR 870.50" in text
    # Judged on the trial itself (3 tasks done: enough), against stated thresholds.
    assert "*Verdict: falls short* on on time, check-ins answered" in text
    assert "on time 33% :x:" in text and "requests for changes 1 of 2 sent back :x:" in text
    assert "with at least 3 tasks done or delivered: on time ≥ 80%" in text
    assert "*Open tasks* (2)" in text and "Website" in text and "Copy" in text
    assert [(b["text"]["text"], b["value"]) for b in buttons(prompt)] == [
        ("Keep", "1:2026-12-31"),
        ("Extend 2 weeks", "1:2026-12-31"),
        ("End", "1:2026-12-31"),
    ]
    [claim] = claims(bot.engine, "trial_prompt")
    assert (claim.occurrence, claim.channel_id, claim.state) == ("2026-12-31", "U0ALICE", "sent")
    # Nothing about the trial or money reached the vendor's own channel.
    shown = vendor_channel_text(bot.slack)
    assert "trial" not in shown.lower() and MONEY.findall(shown) == []
    assert "spend" not in shown.lower() and "EUR" not in shown


def prompted(trial: Trial) -> dict[str, Any]:
    """The prompt as first sent (the fake Slack hands out copies)."""
    trial.clock.tick(PROMPT_AT)
    return trial.prompt()


@freeze_time("2026-12-24 03:00:00")
def test_keep_ends_the_trial_once(trial: Trial) -> None:
    sent = prompted(trial)

    trial.click(blocks.TRIAL_KEEP_ACTION)

    vendor = the_vendor(trial.bot.engine)
    assert (vendor.trial_started_on, vendor.trial_ends_on, vendor.paused) == (None, None, False)
    [decision] = decisions(trial.bot.engine)
    assert (decision.decision, decision.decided_by, decision.trial_ends_on) == (
        "keep",
        "U0ALICE",
        date(2026, 12, 31),
    )
    [update] = trial.bot.slack.calls_to("chat.update")
    assert update.params["ts"] == trial.prompt()["ts"]
    shown = rendered(trial.prompt())
    assert "*Kept* by <@U0ALICE> on Thu 24 Dec 2026: Acme is no longer on trial" in shown
    assert buttons(trial.prompt()) == []
    assert "*Done:* 1 on time, 2 late" in shown  # the figures stay

    trial.click(blocks.TRIAL_END_ACTION, message=sent)  # from another window, say

    [note] = trial.bot.slack.ephemerals
    assert note["user"] == "U0ALICE" and note["channel"] == OWNER_DM
    assert (
        "already decided: kept by <@U0ALICE> on Thu 24 Dec 2026; nothing changed" in (note["text"])
    )
    assert len(decisions(trial.bot.engine)) == 1
    assert the_vendor(trial.bot.engine).paused is False
    assert _actions(trial) == ["vendor.trial_kept"]
    assert trial.clock.tick("2026-12-30 01:00").posted["trial_prompt"] == 0  # no trial left


@freeze_time("2026-12-24 03:00:00")
def test_extend_moves_the_end_two_weeks_and_asks_again(trial: Trial) -> None:
    sent = prompted(trial)

    trial.click(blocks.TRIAL_EXTEND_ACTION)

    vendor = the_vendor(trial.bot.engine)
    assert vendor.trial_ends_on == date(2027, 1, 14)
    assert vendor.trial_started_on == date(2026, 12, 1)
    shown = rendered(trial.prompt())
    assert "*Extended* by <@U0ALICE> on Thu 24 Dec 2026: the trial now ends Thu 14 Jan 2027" in (
        shown
    )
    trial.click(blocks.TRIAL_KEEP_ACTION, user="U0BOB", message=sent)
    assert (
        "already decided: extended by <@U0ALICE> on Thu 24 Dec 2026 to Thu 14 Jan 2027"
        in (trial.bot.slack.ephemerals[0]["text"])
    )
    assert the_vendor(trial.bot.engine).trial_ends_on == date(2027, 1, 14)

    # Three working days before Thu 14 Jan: Wed 13, Tue 12, Mon 11, 09:00 in Manila.
    assert trial.clock.tick("2027-01-11 00:59").posted["trial_prompt"] == 0
    assert trial.clock.tick("2027-01-11 01:00").posted["trial_prompt"] == 1
    second = trial.prompt()
    assert "ends *Thu 14 Jan 2027* (in 3 days)" in rendered(second)
    assert {b["value"] for b in buttons(second)} == {"1:2027-01-14"}
    assert _actions(trial) == ["vendor.trial_extended"]


@freeze_time("2026-12-24 03:00:00")
def test_end_pauses_the_vendor_cancels_nothing_and_lists_the_open_tasks(trial: Trial) -> None:
    sent = prompted(trial)
    statuses = {task.title: task.status for task in all_tasks(trial.bot.engine)}

    trial.click(blocks.TRIAL_END_ACTION)

    vendor = the_vendor(trial.bot.engine)
    assert (vendor.paused, vendor.pause_reason, vendor.trial_ends_on) == (
        True,
        "trial ended",
        None,
    )
    assert {task.title: task.status for task in all_tasks(trial.bot.engine)} == statuses
    assert statuses["Website"] == statuses["Copy"] == TaskStatus.OPEN
    shown = rendered(trial.prompt())
    assert "*Ended* by <@U0ALICE> on Thu 24 Dec 2026: Acme is paused" in shown
    assert "nothing was cancelled" in shown
    assert "*Open tasks to reassign* (2)" in shown
    website, copy = (trial.tasks[t] for t in ("Website", "Copy"))
    assert f"*#{copy.id}* Copy" in shown and f"*#{website.id}* Website" in shown
    assert _actions(trial) == ["vendor.trial_ended", "vendor.paused"]
    listed = trial.bot.command("vendor list")
    assert "*paused* (trial ended)" in listed

    trial.click(blocks.TRIAL_KEEP_ACTION, message=sent)
    assert "already decided: ended by <@U0ALICE>" in trial.bot.slack.ephemerals[0]["text"]
    assert the_vendor(trial.bot.engine).paused is True
    # Paused: no more check-ins, and no second prompt.
    report = trial.clock.tick("2026-12-28 01:00")
    assert report.posted["checkin"] == 0 and report.posted["trial_prompt"] == 0


@freeze_time("2026-12-24 03:00:00")
def test_racing_clicks_decide_once(trial: Trial) -> None:
    message = prompted(trial)
    clicks = [
        dm_click(message, blocks.TRIAL_KEEP_ACTION),
        dm_click(message, blocks.TRIAL_END_ACTION),
        dm_click(message, blocks.TRIAL_EXTEND_ACTION),
        dm_click(message, blocks.TRIAL_KEEP_ACTION),
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(trial.bot.interact, clicks))

    assert all(result.status == 200 for result in results)
    assert len(trial.bot.slack.ephemerals) == 3
    [decision] = decisions(trial.bot.engine)
    assert all("already decided" in note["text"] for note in trial.bot.slack.ephemerals)
    assert len(_actions(trial, prefix="vendor.trial_")) == 1
    assert decision.decision in ("keep", "extend", "end")


@freeze_time("2026-12-24 03:00:00")
def test_only_the_team_decides_a_trial(trial: Trial) -> None:
    message = prompted(trial)

    trial.bot.interact(
        dm_click(message, blocks.TRIAL_KEEP_ACTION, user="U0VENDOR", team="T0VENDOR")
    )
    assert trial.bot.slack.ephemerals

    assert "is for the team that works with you here" in trial.bot.slack.ephemerals[0]["text"]
    assert decisions(trial.bot.engine) == []
    assert the_vendor(trial.bot.engine).trial_ends_on == date(2026, 12, 31)


@freeze_time("2026-12-24 03:00:00")
def test_a_forged_or_stale_button_changes_nothing(trial: Trial) -> None:
    message = prompted(trial)
    forged = dm_click(message, blocks.TRIAL_KEEP_ACTION)
    forged["actions"][0]["value"] = "1:2026-12-30"  # not the trial's end
    trial.bot.interact(forged)
    assert len(trial.bot.slack.ephemerals) == 1
    junk = dm_click(message, blocks.TRIAL_KEEP_ACTION)
    junk["actions"][0]["value"] = "<!channel>"
    trial.bot.interact(junk)
    assert len(trial.bot.slack.ephemerals) == 2

    first, second = (note["text"] for note in trial.bot.slack.ephemerals)
    assert "This trial now ends Thu 31 Dec 2026; nothing changed" in first
    assert "couldn't find that trial" in second and "<!channel>" not in second
    assert decisions(trial.bot.engine) == []


def _actions(trial: Trial, prefix: str = "vendor.") -> list[str]:
    with Session(trial.bot.engine) as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    return [
        entry.action
        for entry in entries
        if entry.action.startswith(prefix)
        and entry.action not in ("vendor.added",)
        and not entry.action.startswith("vendor.holidays")
    ]


def test_a_late_scheduler_still_sends_the_prompt_once(bot: BotUnderTest) -> None:
    """The bot was down on the prompt day: the prompt goes at the next tick (a decision is
    still needed), never twice, and never before its day."""
    with freeze_time(ADDED):
        bot.command(f"vendor add {ACME} Acme trial:until:2026-12-11")
    clock = Clock(bot.deps, build_client(bot.slack.bot_token, bot.slack.api_url))

    assert clock.tick("2026-12-08 08:59").posted["trial_prompt"] == 0  # Tue 8 at 09:00 UTC
    assert clock.tick("2026-12-10 20:00").posted["trial_prompt"] == 1  # two days late
    assert clock.tick("2026-12-10 20:01").posted["trial_prompt"] == 0
    [prompt] = dms_about(bot.slack, "trial")
    assert "ends *Fri 11 Dec 2026* (tomorrow)" in rendered(prompt)
    assert "*Done:* 0 on time, 0 late" in rendered(prompt)
    with Session(bot.engine) as session:
        [claim] = session.exec(
            select(ScheduledPost).where(ScheduledPost.kind == "trial_prompt")
        ).all()
    assert claim.occurrence == "2026-12-11"
