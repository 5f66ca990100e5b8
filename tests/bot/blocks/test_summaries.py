"""bot.blocks.summaries against Slack's limits, with the longest and nastiest input."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.alignment import AlignmentNote
from bot.blocks import summaries
from tests.support.slack_limits import assert_message_fits
from tests.support.worst_case import TODAY, assert_escaped, summary, vendor


@pytest.mark.parametrize("count", [1, 200])
def test_a_summary_with_everything_in_it_fits(count: int) -> None:
    message = summaries.summary_message(summary(count))
    assert_message_fits(message)
    assert_escaped(message)


def test_a_summary_too_long_for_one_message_says_what_it_left_out() -> None:
    message = summaries.summary_message(summary())
    assert "not shown" in message["blocks"][-1]["elements"][0]["text"]


def test_an_empty_summary_fits() -> None:
    empty = replace(
        summary(1),
        note=AlignmentNote(TODAY, [], [], [], []),
        previous=None,
        attention=[],
        answers=(),
    )
    assert_message_fits(summaries.summary_message(empty))
    assert summaries.summary_thread(empty) is None


@pytest.mark.parametrize("count", [1, 200])
def test_the_thread_with_everything_in_it_fits(count: int) -> None:
    message = summaries.summary_thread(summary(count))
    assert message is not None
    assert_message_fits(message)
    assert_escaped(message)


def test_the_weekly_question_and_the_replies_fit() -> None:
    counts = {kind: 10**9 for kind in ("task", "feedback", "vendor_feedback", "answer", "x_y")}
    for message in (
        summaries.feedback_prompt(vendor()),
        summaries.summary_posted_reply(vendor(), summary(1)),
        summaries.report_sent_reply(TODAY, TODAY, counts),
    ):
        assert_message_fits(message)
        assert_escaped(message)
