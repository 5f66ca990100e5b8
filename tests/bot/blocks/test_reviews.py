"""bot.blocks.reviews against Slack's limits, with the longest and nastiest input."""

from __future__ import annotations

import pytest

from bot.blocks import reviews
from storage.models import ReviewOutcome
from tests.support.slack_limits import assert_message_fits, assert_view_fits
from tests.support.worst_case import (
    NOW,
    assert_escaped,
    delivery,
    feedback,
    overdue_reviews,
    task,
    vendor,
)

METADATA = reviews.message_metadata(10**12, "D0OWNER0001", "1767225600.123456")


@pytest.mark.parametrize("outcome", list(ReviewOutcome))
def test_the_review_message_fits_in_each_state(outcome: ReviewOutcome) -> None:
    message = reviews.delivery_review_message(task(), vendor(), delivery(outcome))
    assert_message_fits(message)
    assert_escaped(message)


def test_the_reminder_and_the_changes_notice_fit() -> None:
    for message in (
        reviews.review_reminder(overdue_reviews(1)[0], NOW),
        reviews.changes_requested_notice(task(), delivery(ReviewOutcome.CHANGES_REQUESTED)),
    ):
        assert_message_fits(message)
        assert_escaped(message)


@pytest.mark.parametrize("rated", [False, True])
def test_the_rating_prompt_and_forms_fit(rated: bool) -> None:
    given = feedback() if rated else None
    message = reviews.rating_prompt(task(), vendor(), given)
    assert_message_fits(message)
    assert_escaped(message)
    for view in (
        reviews.rating_modal(task(), METADATA, given),
        reviews.changes_modal(task(), METADATA),
    ):
        assert_view_fits(view)
        assert_escaped(view)
