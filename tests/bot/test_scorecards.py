"""Scorecards from the database (SQLite and PostgreSQL): four constructed weeks checked
against hand-computed values and against the weekly summaries' own figures, the verdict
rule as a table and over stored series, the query count, the chart as a PNG, and
`/delegate scorecard` end to end (to the requester's DM, never a channel)."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta
from fractions import Fraction

import pytest
from freezegun import freeze_time
from sqlalchemy.engine import Engine

from bot import charts
from bot.scorecards import CardFigures, Verdict, trend_of, vendor_scorecard
from bot.summaries import Week, figures_by_vendor
from storage.database import transaction
from storage.models import Vendor
from storage.summaries import Scope
from tests.support.lifecycle_support import (
    MONEY,
    OWNER_DM,
    changes_requested,
    set_cost,
    vendor_channel_text,
)
from tests.support.scheduling import TEAM_ID, add_vendor, get_vendor, update_vendor, utc
from tests.support.slack_requests import BotUnderTest, rendered
from tests.support.summary_support import checkin, close, counting_statements, rate, reply, task

# Thursday 17 Dec 2026, 12:00 in Los Angeles (UTC-8), where the vendor works.
NOW = "2026-12-17 20:00"
WEEKS = [Week(date(2026, 11, 23)), Week(date(2026, 11, 30)), Week(date(2026, 12, 7))]
THIS_WEEK = Week(date(2026, 12, 14))


def four_weeks(engine: Engine) -> Vendor:
    """Every line says what it adds; times are UTC, the comments say LA's local time."""
    vendor = add_vendor(engine, timezone="America/Los_Angeles")
    update_vendor(engine, vendor, currency="EUR")
    # Week of Mon 23 Nov.
    a = task(engine, vendor, "A", due="2026-11-25")
    close(engine, a, "2026-11-25 20:00")  # Wed 25 12:00: on time
    set_cost(engine, a, 10_010)
    b = task(engine, vendor, "B", due="2026-11-24")
    # Delivered Thu 26 10:00 (2 days after its due date), accepted Fri 27.
    close(engine, b, "2026-11-27 18:00", delivered="2026-11-26 18:00")
    set_cost(engine, b, 20_020)
    reply(engine, checkin(engine, vendor, "2026-11-23 17:00"), "2026-11-23 17:20")  # 20 min
    checkin(engine, vendor, "2026-11-24 17:00")  # unanswered
    rate(engine, a, "2026-11-25 21:00", 4, 4, 4)
    # Week of Mon 30 Nov.
    c = task(engine, vendor, "C", due="2026-12-01")
    close(engine, c, "2026-12-02 07:00")  # Tue 1 Dec 23:00 local: on time
    set_cost(engine, c, 10)
    d = task(engine, vendor, "D", due="2026-12-02")
    changes_requested(engine, d, "2026-12-01 18:00", "2026-12-01 20:00")  # sent back
    close(engine, d, "2026-12-05 05:00", delivered="2026-12-04 18:00")  # Fri 4: 2 days late
    set_cost(engine, d, 20)
    e = task(engine, vendor, "E")
    close(engine, e, "2026-12-03 18:00")  # no due date: on time
    for sent, minutes in (("2026-11-30", 10), ("2026-12-01", 50), ("2026-12-02", 5)):
        post = checkin(engine, vendor, f"{sent} 17:00")
        reply(engine, post, f"{sent} 17:{minutes:02d}")
    rate(engine, c, "2026-12-02 08:00", 5, 5, 4)
    rate(engine, d, "2026-12-05 06:00", 2, 3, 3)
    # Week of Mon 7 Dec: one check-in, unanswered.
    checkin(engine, vendor, "2026-12-07 17:00")
    # This week, so far.
    f = task(engine, vendor, "F", due="2026-12-15")
    close(engine, f, "2026-12-16 18:00")  # Wed 16: 1 day late
    set_cost(engine, f, 100_000)
    reply(engine, checkin(engine, vendor, "2026-12-14 17:00"), "2026-12-14 17:15")
    rate(engine, f, "2026-12-16 19:00", 3, 3, 3)
    later = task(engine, vendor, "Done tomorrow", due="2026-12-20")
    close(engine, later, "2026-12-18 18:00")  # after now: not yet
    set_cost(engine, later, 99_999)
    return get_vendor(engine, vendor)


def test_weekly_figures_match_hand_computed_values(engine: Engine) -> None:
    vendor = four_weeks(engine)
    with transaction(engine) as session:
        card = vendor_scorecard(session, vendor, utc(NOW), weeks=4)

    assert [row.week for row in card.rows] == [*WEEKS, THIS_WEEK]
    assert [row.partial for row in card.rows] == [False, False, False, True]
    assert [row.figures for row in card.rows] == [
        CardFigures(
            completed=2,
            on_time=1,
            days_late=2,
            checkins=2,
            answered=1,
            median_response_minutes=20.0,
            ratings=1,
            quality_total=4,
            timeliness_total=4,
            communication_total=4,
            deliveries=1,
            changes_requested=0,
            spend=30_030,
        ),
        CardFigures(
            completed=3,
            on_time=2,
            days_late=2,
            checkins=3,
            answered=3,
            median_response_minutes=10.0,
            ratings=2,
            quality_total=7,
            timeliness_total=8,
            communication_total=7,
            deliveries=2,
            changes_requested=1,
            spend=30,
        ),
        CardFigures(checkins=1),
        CardFigures(
            completed=1,
            on_time=0,
            days_late=1,
            checkins=1,
            answered=1,
            median_response_minutes=15.0,
            ratings=1,
            quality_total=3,
            timeliness_total=3,
            communication_total=3,
            spend=100_000,
        ),
    ]
    total = card.total
    assert (total.completed, total.on_time, total.late, total.average_lateness) == (
        6,
        3,
        3,
        Fraction(5, 3),
    )
    assert (total.response_rate, total.median_response_minutes) == (Fraction(5, 7), 15.0)
    assert (total.quality, total.timeliness, total.communication) == (
        Fraction(14, 4),
        Fraction(15, 4),
        Fraction(14, 4),
    )
    assert total.average_score == Fraction(43, 12)
    assert total.changes_per_delivery == Fraction(1, 3)
    assert total.spend == 130_060  # EUR 1,300.60, to the cent
    assert (card.spend.this_week, card.spend.this_month, card.spend.to_date) == (
        100_000,
        100_030,  # December: C, D and F
        130_060,
    )
    assert card.trend.verdict == Verdict.NOT_ENOUGH_DATA  # nothing before 23 Nov


def test_the_scorecard_agrees_with_the_weekly_summaries(engine: Engine) -> None:
    vendor = four_weeks(engine)
    now = utc(NOW)
    with transaction(engine) as session:
        card = vendor_scorecard(session, vendor, now, weeks=4)
        for row in card.rows:
            span = row.week.span(now) if row.partial else row.week.span()
            summary = figures_by_vendor(session, Scope(TEAM_ID), span, now).get(vendor.saved_id)
            assert summary is not None
            mine = row.figures
            assert (mine.completed, mine.on_time, mine.checkins, mine.answered) == (
                summary.completed,
                summary.on_time,
                summary.checkins,
                summary.answered,
            )
            assert mine.median_response_minutes == summary.median_response_minutes
            assert mine.ratings == summary.ratings
            if summary.quality is not None:
                assert float(mine.quality or 0) == pytest.approx(summary.quality)


@pytest.mark.parametrize("weeks", [4, 52])
def test_a_scorecard_takes_six_queries_whatever_the_weeks_or_tasks(
    engine: Engine, weeks: int
) -> None:
    vendor = four_weeks(engine)

    def statements() -> int:
        with counting_statements(engine) as seen, transaction(engine) as session:
            vendor_scorecard(session, vendor, utc(NOW), weeks=weeks)
        return seen.count

    few = statements()
    for number in range(60):
        item = task(engine, vendor, f"More {number}", due="2026-12-10")
        close(engine, item, f"2026-12-1{number % 6} 18:00")
        rate(engine, item, "2026-12-16 18:00", 4, 4, 4)
    assert few == statements() == 6  # five, and the due dates moved


# --------------------------------------------------------------------------- the verdict


def block(done: int, on_time: int, ratings: int = 0, score: int = 0) -> CardFigures:
    """Four weeks pooled: tasks done, on time, and ratings all scoring `score` (x3)."""
    return CardFigures(
        completed=done,
        on_time=on_time,
        ratings=ratings,
        quality_total=score * ratings,
        timeliness_total=score * ratings,
        communication_total=score * ratings,
    )


def scored(ratings: int, average: Fraction) -> CardFigures:
    total = average * 3 * ratings
    assert total.denominator == 1
    return CardFigures(ratings=ratings, quality_total=int(total), timeliness_total=0)


@pytest.mark.parametrize(
    ("previous", "last", "verdict"),
    [
        (block(4, 2, 4, 3), block(4, 4, 4, 4), Verdict.IMPROVING),  # both better
        (block(10, 7), block(10, 8), Verdict.IMPROVING),  # +10 points exactly is better
        (block(4, 3), block(5, 4), Verdict.STEADY),  # 75% -> 80%: +5 points, level
        (block(10, 7), block(10, 6), Verdict.SLIPPING),  # -10 points exactly
        (block(4, 4, 2, 4), block(4, 4, 2, 3), Verdict.SLIPPING),  # score 4 -> 3
        (block(4, 2, 2, 3), block(4, 4, 2, 2), Verdict.SLIPPING),  # one better, one worse
        (block(4, 4, 2, 3), block(4, 4, 2, 4), Verdict.IMPROVING),  # score only
        (block(1, 0, 1, 1), block(5, 5, 5, 5), Verdict.NOT_ENOUGH_DATA),  # 1 of each before
        (block(0, 0), block(0, 0), Verdict.NOT_ENOUGH_DATA),
        (block(2, 1, 1, 1), block(2, 2, 1, 5), Verdict.IMPROVING),  # score not compared
    ],
)
def test_verdict_rule(previous: CardFigures, last: CardFigures, verdict: Verdict) -> None:
    assert trend_of(previous, last).verdict == verdict


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [
        (Fraction(7, 10), Fraction(8, 10), Verdict.IMPROVING),  # +10 points: better
        (Fraction(7, 10), Fraction(79, 100), Verdict.STEADY),  # +9 points: level
        (Fraction(8, 10), Fraction(7, 10), Verdict.SLIPPING),
    ],
)
def test_ten_points_is_the_line_exactly(
    before: Fraction, after: Fraction, verdict: Verdict
) -> None:
    previous = CardFigures(completed=100, on_time=int(before * 100))
    last = CardFigures(completed=100, on_time=int(after * 100))
    assert trend_of(previous, last).verdict == verdict


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [
        (Fraction(3), Fraction(33, 10), Verdict.IMPROVING),  # +0.3 exactly
        (Fraction(3), Fraction(29, 10), Verdict.STEADY),  # -0.1
        (Fraction(33, 10), Fraction(3), Verdict.SLIPPING),  # -0.3 exactly
    ],
)
def test_three_tenths_of_a_score_is_the_line_exactly(
    before: Fraction, after: Fraction, verdict: Verdict
) -> None:
    assert trend_of(scored(10, before), scored(10, after)).verdict == verdict


def stored_series(engine: Engine, on_time: list[int], scores: list[int]) -> Vendor:
    """Eight weeks ending this week (Mon 14 Dec), each with 2 tasks done (`on_time` of
    them on time) and 2 ratings of `scores[i]` on all three counts."""
    vendor = add_vendor(engine, timezone="America/Los_Angeles")
    for index, (good, score) in enumerate(zip(on_time, scores, strict=True)):
        monday = THIS_WEEK.monday - timedelta(weeks=7 - index)
        for number in range(2):
            due = monday + timedelta(days=2)
            item = task(engine, vendor, f"W{index}-{number}", due=due.isoformat())
            closed = due if number < good else due + timedelta(days=1)
            close(engine, item, f"{closed.isoformat()} 18:00")
            rate(engine, item, f"{closed.isoformat()} 19:00", score, score, score)
    return vendor


@pytest.mark.parametrize(
    ("on_time", "scores", "verdict"),
    [
        ([1, 1, 1, 1, 2, 2, 2, 1], [3, 3, 3, 3, 4, 4, 4, 4], Verdict.IMPROVING),
        ([2, 1, 2, 1, 2, 1, 2, 1], [4, 4, 4, 4, 4, 4, 4, 4], Verdict.STEADY),
        ([2, 2, 2, 2, 1, 1, 2, 1], [4, 4, 4, 4, 4, 4, 4, 4], Verdict.SLIPPING),
        ([2, 2, 2, 2, 2, 2, 2, 2], [5, 5, 5, 5, 4, 4, 4, 4], Verdict.SLIPPING),
    ],
)
def test_verdict_from_stored_weeks(
    engine: Engine, on_time: list[int], scores: list[int], verdict: Verdict
) -> None:
    vendor = stored_series(engine, on_time, scores)
    with transaction(engine) as session:
        card = vendor_scorecard(session, vendor, utc("2026-12-19 20:00"), weeks=4)

    assert card.trend.verdict == verdict
    assert card.trend.previous.completed == card.trend.last.completed == 8


# --------------------------------------------------------------------------- the chart


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of each chunk, checking every CRC."""
    assert data[:8] == charts.PNG_SIGNATURE
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.append((kind, body))
        offset += 12 + length
    return chunks


def pixels_of(data: bytes, colour: charts.Colour) -> int:
    """How many pixels of the PNG have exactly `colour`."""
    chunks = png_chunks(data)
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour_type, *_ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (width, height, depth, colour_type) == (charts.WIDTH, charts.HEIGHT, 8, 2)
    raw = zlib.decompress(chunks[1][1])
    stride = 1 + width * 3
    assert len(raw) == stride * height
    wanted = bytes(colour)
    return sum(
        1
        for row in range(height)
        for x in range(width)
        if raw[row * stride + 1 + x * 3 : row * stride + 4 + x * 3] == wanted
    )


def test_the_chart_is_a_png_with_both_lines() -> None:
    points = [
        charts.ChartPoint("23/11", 0.5, 4.0),
        charts.ChartPoint("30/11", None, None),  # a week without figures: a gap
        charts.ChartPoint("7/12", 1.0, 3.0),
        charts.ChartPoint("14/12", 0.0, 5.0),
    ]
    data = charts.weekly_chart(points)
    empty = charts.weekly_chart([])  # the axes, their labels and the legend only

    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert data[12:16] == b"IHDR" and struct.unpack(">II", data[16:24]) == (640, 300)
    for colour in (charts.ON_TIME, charts.SCORE):
        assert pixels_of(data, colour) > pixels_of(empty, colour) + 200


# --------------------------------------------------------------------------- the command

ACME = "<#C0ACME|acme-design>"


@freeze_time("2026-12-17 20:00:00")
def test_scorecard_command_sends_the_card_and_chart_to_the_requesters_dm(
    bot: BotUnderTest,
) -> None:
    vendor = four_weeks(bot.engine)
    update_vendor(bot.engine, vendor, monthly_budget_minor=200_000, name="Acme")

    answer = bot.command(f"scorecard {ACME} weeks:4", user="U0ALICE", channel="C0ACME")

    assert "Sent the scorecard for *Acme* to your direct messages" in answer
    [card] = bot.slack.messages_in(OWNER_DM)
    text = rendered(card)
    assert "*Scorecard for Acme* <#C0ACME> · 4 weeks, Mon 23 Nov to Thu 17 Dec 2026" in text
    assert "*Verdict: not enough data yet*" in text
    assert (
        "*Mon 23 Nov*: 1 on time, 1 late (avg 2.0 days) · answered 1/2 (50%), median 20 min · "
        "ratings 4.0/4.0/4.0 (1) · changes 0/1 (0.00) · spend EUR 300.30"
    ) in text
    assert (
        "*Mon 30 Nov*: 2 on time, 1 late (avg 2.0 days) · answered 3/3 (100%), median 10 min · "
        "ratings 3.5/4.0/3.5 (2) · changes 1/2 (0.50) · spend EUR 0.30"
    ) in text
    assert "*Mon 7 Dec*: 0 on time, 0 late · answered 0/1 (0%), median n/a" in text
    assert "*Mon 14 Dec (so far)*: 0 on time, 1 late (avg 1.0 days)" in text
    assert "*Done:* 3 on time, 3 late (average 1.7 days late)" in text
    assert "*Spend in these weeks:* EUR 1,300.60" in text
    assert (
        "this week EUR 1,000.00 · December 2026 EUR 1,000.30 of EUR 2,000.00 (50%) · "
        "to date EUR 1,300.60"
    ) in text
    [share] = bot.slack.file_shares
    assert share["channel_id"] == OWNER_DM
    [file] = share["files"]
    assert file["name"].endswith(".png") and file["mimetype"] == "image/png"
    assert "on-time rate and average score" in file["title"]
    assert "Weekly on-time rate" in file.get("alt_txt", "")
    data = bot.slack.uploads[file["id"]]
    assert pixels_of(data, charts.ON_TIME) > 100 and pixels_of(data, charts.SCORE) > 100
    # Typed in the vendor's channel: nothing posted there, no money shown there.
    assert bot.slack.messages_in("C0ACME") == []
    assert MONEY.findall(vendor_channel_text(bot.slack)) == []


@freeze_time("2026-12-17 20:00:00")
def test_scorecard_outside_a_vendor_channel_says_how(bot: BotUnderTest) -> None:
    four_weeks(bot.engine)

    here = bot.command("scorecard", channel="C0PUBLIC")
    named = bot.command("scorecard <#C0PUBLIC|globex>")
    ok = bot.command("scorecard", channel="C0ACME")

    assert "not a vendor's" in here and "/delegate scorecard #vendor" in here
    assert "not a vendor channel" in named
    assert "Sent the scorecard" in ok
    assert len(bot.slack.file_shares) == 1


def test_a_scorecard_for_a_vendor_without_history(engine: Engine) -> None:
    vendor = add_vendor(engine)
    with transaction(engine) as session:
        card = vendor_scorecard(session, vendor, utc(NOW), 12)
    assert len(card.rows) == 12 and card.total == CardFigures()
    assert card.trend.verdict == Verdict.NOT_ENOUGH_DATA
    assert card.spend.to_date == 0 and not card.spend.worth_showing


def test_a_scorecard_starts_at_the_vendors_first_week(engine: Engine) -> None:
    vendor = add_vendor(engine, created=utc(NOW) - timedelta(days=9))
    with transaction(engine) as session:
        card = vendor_scorecard(session, vendor, utc(NOW), weeks=12)
    added = (utc(NOW) - timedelta(days=9)).date()
    assert card.rows[0].week.monday <= added <= card.rows[0].week.sunday
    assert len(card.rows) in (2, 3)
