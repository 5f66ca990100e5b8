"""bot.blocks.digest against Slack's limits, with the longest and nastiest input."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.blocks import digest
from bot.summaries import Digest
from tests.support.slack_limits import assert_message_fits
from tests.support.worst_case import (
    MANY,
    NOW,
    answers,
    assert_escaped,
    away,
    overdue_reviews,
    period,
    slips,
    spend,
    vendor,
    vendor_feedback,
    vendor_rows,
)


def full_digest(count: int) -> Digest:
    return Digest(
        team_id="T0TEAM0001",
        period=period(),
        tz=ZoneInfo("Pacific/Kiritimati"),
        rows=vendor_rows(count),
        feedback=vendor_feedback(count),
        made_at=NOW,
        spend={n: spend() for n in range(count)},
        away={n: away() for n in range(count)},
        answers=[(vendor(n), answer) for n, answer in enumerate(answers(count))],
        overdue_reviews=overdue_reviews(count),
        slips={n: slips() for n in range(count)},
    )


@pytest.mark.parametrize("count", [1, MANY])
def test_a_digest_with_everything_in_it_fits(count: int) -> None:
    message = digest.digest_message(full_digest(count))
    assert_message_fits(message)
    assert_escaped(message)


def test_a_digest_too_long_for_one_message_says_what_it_left_out() -> None:
    message = digest.digest_message(full_digest(MANY))
    assert "not shown" in str(message["blocks"][-2:])


def test_an_empty_digest_fits() -> None:
    empty = Digest("T0TEAM0001", period(), ZoneInfo("UTC"), [], [], NOW)
    assert_message_fits(digest.digest_message(empty))
