"""Weekly figures from the database (SQLite and PostgreSQL): a constructed week checked
against hand-computed values, week boundaries in the vendor's own time zone, the health
rule, and the number of queries, which must not grow with tasks (or vendors)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot import blocks
from bot.periods import Period
from bot.scorecards import vendor_scorecard
from bot.summaries import (
    Figures,
    Health,
    Mark,
    Week,
    figures_by_vendor,
    health_of,
    home_overview,
    team_digest,
    vendor_summary,
)
from bot.task_changes import reschedule_task
from storage.database import transaction
from storage.models import CheckinTask, TaskStatus, Vendor
from storage.slips import Slips
from storage.summaries import Scope, Span
from tests.support.scheduling import TEAM_ID, add_vendor, update_vendor, utc
from tests.support.summary_support import (
    checkin,
    close,
    counting_statements,
    deliver,
    prompt,
    rate,
    reply,
    status,
    task,
    vendor_said,
)

# Friday 4 Dec 2026, 16:00 in Manila (UTC+8): the default summary time.
FRIDAY_4PM_MANILA = "2026-12-04 08:00"
THIS_WEEK = Week(date(2026, 11, 30))


def constructed_week(engine: Engine) -> None:
    """One vendor in Manila; every line says what it adds to the figures (local times)."""
    acme = add_vendor(engine, timezone="Asia/Manila")
    logo = task(engine, acme, "Logo", due="2026-12-03")
    close(engine, logo, "2026-12-02 10:00")  # Wed 18:00, due Thu: completed on time
    brochure = task(engine, acme, "Brochure", due="2026-12-01")
    close(engine, brochure, "2026-12-03 02:00")  # Thu 10:00, due Tue: completed late
    flyer = task(engine, acme, "Flyer", due="2026-12-02")
    # Delivered Wed 23:00 (due Wed), accepted Fri 00:30: on time, judged by the delivery.
    close(engine, flyer, "2026-12-03 16:30", delivered="2026-12-02 15:00")
    task(engine, acme, "Website", due="2026-11-28")  # open, overdue (this week and last)
    banner = task(engine, acme, "Banner", due="2026-12-10")
    status(engine, banner, "blocked", "2026-11-27 03:00")  # blocked last week...
    status(engine, banner, "blocked", "2026-12-03 03:00")  # ...and this week
    video = task(engine, acme, "Video", due="2026-12-20")
    status(engine, video, "at_risk", "2026-12-02 03:00")  # at risk
    copy = task(engine, acme, "Copy", due="2026-12-01")
    deliver(engine, copy, "2026-12-03 03:00")  # open, delivered: not overdue
    unblocked = task(engine, acme, "Subtitles", due="2026-12-20")
    status(engine, unblocked, "blocked", "2026-12-01 03:00")
    status(engine, unblocked, "on_track", "2026-12-03 05:00")  # latest: on track
    old = task(engine, acme, "Old poster", due="2026-11-30")
    close(engine, old, "2026-11-25 02:00")  # last week, on time
    dropped = task(engine, acme, "Dropped", due="2026-12-01")
    close(engine, dropped, "2026-12-02 02:00", status=TaskStatus.CANCELLED)  # neither
    task(engine, acme, "Tomorrow's", created="2026-12-05 01:00")  # after the summary: not yet

    # Check-ins at 09:00 local (01:00 UTC). This week: 5, answered 3 after 30, 120, 10 min.
    monday = checkin(engine, acme, "2026-11-30 01:00")
    status(engine, video, "on_track", "2026-11-30 01:30", post=monday)
    tuesday = checkin(engine, acme, "2026-12-01 01:00")
    reply(engine, tuesday, "2026-12-01 03:00")
    status(engine, video, "on_track", "2026-12-01 04:00", post=tuesday)
    checkin(engine, acme, "2026-12-02 01:00")  # unanswered
    thursday = checkin(engine, acme, "2026-12-03 01:00")
    reply(engine, thursday, "2026-12-03 01:10")
    checkin(engine, acme, "2026-12-04 01:00")  # unanswered
    # Last week: 2, one answered after 60 min.
    last_monday = checkin(engine, acme, "2026-11-23 01:00")
    reply(engine, last_monday, "2026-11-23 02:00")
    checkin(engine, acme, "2026-11-24 01:00")

    rate(engine, logo, "2026-12-02 11:00", 5, 4, 3)
    rate(engine, brochure, "2026-12-03 03:00", 3, 2, 5)
    rate(engine, old, "2026-11-26 03:00", 4, 5, 4)  # last week


def test_figures_of_a_constructed_week_match_hand_computed_values(engine: Engine) -> None:
    constructed_week(engine)
    with transaction(engine) as session:
        [vendor] = session.exec(select(Vendor)).all()
        summary = vendor_summary(session, vendor, utc(FRIDAY_4PM_MANILA))

    # No summary sent yet: the period runs from the previous Friday 16:00 (local).
    assert summary.period == Period(utc("2026-11-27 08:00"), utc(FRIDAY_4PM_MANILA))
    assert summary.current == Figures(
        completed=3,
        on_time=2,
        open=5,  # Website, Banner, Video, Copy (delivered), Subtitles
        delivered=1,
        overdue=1,  # Website; Copy is overdue but delivered
        at_risk=1,
        blocked=1,
        checkins=5,
        answered=3,
        median_response_minutes=30.0,
        ratings=2,
        quality=4.0,
        timeliness=3.0,
        communication=4.0,
    )
    assert summary.current.late == 1
    assert summary.current.response_rate == pytest.approx(0.6)
    # The previous period, its statuses at its end (Fri 27 Nov 16:00, local time).
    assert summary.previous == Figures(
        completed=1,
        on_time=1,
        open=9,  # the 10 tasks created long ago but the Old poster, closed on the 25th
        delivered=0,
        overdue=0,  # Website, due Sat 28, was not overdue yet on Friday
        at_risk=0,
        blocked=1,  # Banner
        checkins=2,
        answered=1,
        median_response_minutes=60.0,
        ratings=1,
        quality=4.0,
        timeliness=5.0,
        communication=4.0,
    )
    assert [(item.task.title, item.overdue, item.blocked) for item in summary.attention] == [
        ("Website", True, False),
        ("Banner", False, True),
    ]


@pytest.mark.parametrize(
    ("zone", "sunday_2330", "monday_0010"),
    [
        # East of UTC: both instants are Sunday in UTC.
        ("Asia/Manila", "2026-12-06 15:30", "2026-12-06 16:10"),
        # West of UTC: both instants are Monday in UTC.
        ("America/Los_Angeles", "2026-12-07 07:30", "2026-12-07 08:10"),
    ],
)
def test_the_week_ends_at_midnight_sunday_in_the_vendors_time_zone(
    engine: Engine, zone: str, sunday_2330: str, monday_0010: str
) -> None:
    vendor = add_vendor(engine, timezone=zone)
    late_sunday = task(engine, vendor, "Closed Sunday 23:30", due="2026-12-06")
    close(engine, late_sunday, sunday_2330)
    early_monday = task(engine, vendor, "Closed Monday 00:10", due="2026-12-06")
    close(engine, early_monday, monday_0010)

    with transaction(engine) as session:
        first = figures_by_vendor(
            session, Scope(TEAM_ID), THIS_WEEK.span(), utc("2026-12-09 00:00")
        )
        second = figures_by_vendor(
            session, Scope(TEAM_ID), Week(date(2026, 12, 7)).span(), utc("2026-12-09 00:00")
        )
        # Made on the vendor's Monday at 09:00, the summary looks back at the finished week.
        monday_9am = datetime(2026, 12, 7, 9, tzinfo=ZoneInfo(zone))
        looking_back = vendor_summary(session, vendor, monday_9am)

    assert (first[vendor.saved_id].completed, first[vendor.saved_id].on_time) == (1, 1)
    assert (second[vendor.saved_id].completed, second[vendor.saved_id].late) == (1, 1)
    # A Monday summary covers the time since the previous summary: the weekend and Monday
    # morning included, so nothing done after a Friday summary is left out. None was
    # sent here, so the period reaches back to the occurrence before the latest one.
    assert looking_back.period.start == datetime(2026, 11, 27, 16, tzinfo=ZoneInfo(zone))
    assert looking_back.current.completed == 2
    assert looking_back.previous is not None and looking_back.previous.completed == 0


def test_a_summary_sees_only_events_up_to_now(engine: Engine) -> None:
    vendor = add_vendor(engine)
    later = task(engine, vendor, "Closed on Saturday")
    close(engine, later, "2026-12-05 10:00")
    checkin(engine, vendor, "2026-12-05 09:00")

    with transaction(engine) as session:
        friday = vendor_summary(session, vendor, utc("2026-12-04 16:00"))

    assert (friday.current.completed, friday.current.open, friday.current.checkins) == (0, 1, 0)


@pytest.mark.parametrize(
    ("figures", "health"),
    [
        (Figures(), Health(Mark.GREEN)),
        (Figures(completed=4, on_time=4, checkins=5, answered=4), Health(Mark.GREEN)),
        (Figures(overdue=1), Health(Mark.YELLOW, ("1 overdue",))),
        (Figures(at_risk=2, blocked=1), Health(Mark.YELLOW, ("1 blocked", "2 at risk"))),
        (Figures(completed=4, on_time=3), Health(Mark.YELLOW, ("on time 75%",))),
        (Figures(checkins=5, answered=3), Health(Mark.YELLOW, ("response rate 60%",))),
        (Figures(completed=1, on_time=0), Health(Mark.GREEN)),  # one task is no trend
        (Figures(overdue=3), Health(Mark.RED, ("3 overdue",))),
        (Figures(blocked=2, overdue=1), Health(Mark.RED, ("2 blocked",))),
        (Figures(completed=4, on_time=1), Health(Mark.RED, ("on time 25%",))),
        (Figures(checkins=5, answered=2), Health(Mark.RED, ("response rate 40%",))),
    ],
)
def test_health_mark_rule(figures: Figures, health: Health) -> None:
    assert health_of(figures) == health


def test_span_refuses_an_end_before_its_start() -> None:
    with pytest.raises(ValueError, match="ends before"):
        Span(date(2026, 12, 7), date(2026, 12, 6))


# --------------------------------------------------------------------------- query bounds


def busy_vendor(engine: Engine, channel: str) -> Vendor:
    """A Manila vendor with three check-ins this week (one answered) and feedback."""
    vendor = add_vendor(engine, channel, timezone="Asia/Manila")
    posts = [checkin(engine, vendor, f"2026-12-0{day} 01:00") for day in (1, 2, 3)]
    reply(engine, posts[0], "2026-12-01 02:00")
    said = prompt(engine, vendor, "2026-12-01 08:00")
    vendor_said(engine, said, "2026-12-01 09:00", "We need the brand fonts")
    return vendor


def add_tasks(engine: Engine, vendor: Vendor, count: int, first: int = 0) -> None:
    """Tasks of every kind: completed and rated, blocked, delivered, open (some overdue)."""
    posts = [checkin(engine, vendor, "2026-12-02 01:00")]
    for number in range(first, first + count):
        item = task(engine, vendor, f"Task {number}", due=f"2026-12-0{number % 9 + 1}")
        if number % 4 == 0:
            close(engine, item, "2026-12-02 03:00")
            rate(engine, item, "2026-12-02 04:00", 4, 4, 4)
        elif number % 4 == 1:
            status(engine, item, "blocked", "2026-12-01 03:00", post=posts[0])
        elif number % 4 == 2:
            deliver(engine, item, "2026-12-03 03:00")


def statements_for(engine: Engine, what: str) -> int:
    """How many SQL statements the summary (of the first vendor), the digest or the Home
    tab runs."""
    with transaction(engine) as session:
        vendor = session.exec(select(Vendor).order_by(col(Vendor.id))).first()
        assert vendor is not None
    now = utc(FRIDAY_4PM_MANILA)
    with counting_statements(engine) as seen, transaction(engine) as session:
        if what == "summary":
            vendor_summary(session, vendor, now)
        elif what == "digest":
            team_digest(session, TEAM_ID, ZoneInfo("UTC"), now)
        else:
            home_overview(session, TEAM_ID, "U0ALICE", ZoneInfo("UTC"), now)
    return seen.count


@pytest.mark.parametrize(
    ("what", "queries"),
    [
        # the period, 3 per period (tasks, check-ins, ratings), the thread's task list,
        # 5 for the alignment note (delivered, due, stuck, waiting on us, open questions in
        # task threads), the answers
        ("summary", 14),
        # the period, the vendors, 3 per period, the spend, the vendors' feedback, the
        # overdue reviews, the due dates moved, who is away, the answers
        ("digest", 14),
        # the viewer's tasks, their open questions, the vendors, 3 for the four weeks, the
        # overdue reviews, who is away
        ("home", 8),
    ],
)
def test_the_number_of_queries_does_not_grow_with_tasks(
    engine: Engine, what: str, queries: int
) -> None:
    vendor = busy_vendor(engine, "C0ACME")
    add_tasks(engine, vendor, 5)
    five = statements_for(engine, what)
    add_tasks(engine, vendor, 195, first=5)
    two_hundred = statements_for(engine, what)
    assert five == two_hundred == queries


@pytest.mark.parametrize("what", ["digest", "home"])
def test_the_digest_and_home_tab_queries_do_not_grow_with_vendors(
    engine: Engine, what: str
) -> None:
    add_tasks(engine, busy_vendor(engine, "C0V0"), 3)
    one = statements_for(engine, what)
    for number in range(1, 8):
        add_tasks(engine, busy_vendor(engine, f"C0V{number}"), 3)
    eight = statements_for(engine, what)
    assert one == eight


def test_a_periods_response_rate_is_fixed_by_what_happened_within_it(engine: Engine) -> None:
    vendor = add_vendor(engine)
    late = checkin(engine, vendor, "2026-12-04 09:00")
    reply(engine, late, "2026-12-04 18:00")  # after the period ended at 16:00
    answered = checkin(engine, vendor, "2026-12-03 09:00")
    reply(engine, answered, "2026-12-03 09:30")
    period = Period(utc("2026-11-27 16:00"), utc("2026-12-04 16:00"))
    week = Week(date(2026, 11, 30)).span()  # a scorecard's week, read a month later

    with transaction(engine) as session:
        then = figures_by_vendor(session, Scope(TEAM_ID), period.span(), utc("2026-12-04 16:00"))
        later = figures_by_vendor(session, Scope(TEAM_ID), period.span(), utc("2026-12-31 16:00"))
        weekly = figures_by_vendor(session, Scope(TEAM_ID), week, utc("2026-12-31 16:00"))

    assert then == later
    assert (later[vendor.saved_id].checkins, later[vendor.saved_id].answered) == (2, 1)
    # The week ran to Sunday: the Friday evening answer is within it.
    assert weekly[vendor.saved_id].answered == 2


def test_an_answer_by_another_route_answers_the_latest_checkin_only(engine: Engine) -> None:
    vendor = add_vendor(engine)
    job = task(engine, vendor, "Logo")
    monday = checkin(engine, vendor, "2026-11-30 09:00")
    tuesday = checkin(engine, vendor, "2026-12-01 09:00")
    with transaction(engine) as session:
        for post in (monday, tuesday):
            session.add(CheckinTask(post_id=post.saved_id, task_id=job.saved_id))
    status(engine, job, "on_track", "2026-12-01 10:00")  # a command: no check-in named

    with transaction(engine) as session:
        found = figures_by_vendor(
            session, Scope(TEAM_ID), Week(date(2026, 11, 30)).span(), utc("2026-12-04 16:00")
        )

    # Tuesday's is answered after an hour; Monday's, asked again since, is not.
    figures = found[vendor.saved_id]
    assert (figures.checkins, figures.answered, figures.median_response_minutes) == (2, 1, 60)


def test_due_dates_moved_later_are_slips_in_the_digest_and_the_scorecard(engine: Engine) -> None:
    vendor = add_vendor(engine)
    job = task(engine, vendor, "Logo", due="2026-12-02")
    with transaction(engine) as session:
        for due, at in (("2026-12-05", "2026-12-01 10:00"), ("2026-12-03", "2026-12-02 10:00")):
            reschedule_task(
                session,
                team_id=TEAM_ID,
                actor_id="U0ALICE",
                task_id=job.saved_id,
                due=due,
                now=utc(at),
            )
        digest = team_digest(session, TEAM_ID, ZoneInfo("UTC"), utc("2026-12-04 16:00"))
        card = vendor_scorecard(session, vendor, utc("2026-12-04 16:00"), weeks=4)

    # Moved 3 days later, then 2 days earlier: one slip of 3 days.
    assert digest.slips[vendor.saved_id] == Slips(1, 3)
    assert card.slips == Slips(1, 3)
    assert (
        "1 due date moved later (+3 d in all)"
        in blocks.digest_message(digest)["blocks"][1]["text"]["text"]
    )


def test_a_paused_vendor_is_not_counted_healthy_and_the_legend_states_the_sample(
    engine: Engine,
) -> None:
    add_vendor(engine)
    quiet = add_vendor(engine, "C0QUIET")
    update_vendor(engine, quiet, paused=True, pause_reason="unreachable: channel_not_found")
    with transaction(engine) as session:
        digest = team_digest(session, TEAM_ID, ZoneInfo("UTC"), utc("2026-12-04 16:00"))

    marks = {row.vendor.channel_id: row.health.mark for row in digest.rows}
    assert marks == {"C0ACME": Mark.GREEN, "C0QUIET": Mark.PAUSED}
    message = blocks.digest_message(digest)
    assert message["text"].endswith("0 red, 0 yellow, 1 paused")
    legend = message["blocks"][-1]["elements"][0]["text"]
    assert "at least 2 tasks done (on time) or 2 check-ins (answered)" in legend
    assert "White: paused, not judged" in legend
