"""bot.blocks.spend, scorecards and trials against Slack's limits, with the longest and
nastiest input and the largest amounts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.blocks import scorecards, spend, trials
from bot.scorecards import Scorecard, TrialCard
from storage.models import TrialDecision
from tests.support import worst_case as w
from tests.support.slack_limits import assert_message_fits


@pytest.mark.parametrize("threshold", [80, 100])
def test_the_spend_replies_and_budget_alerts_fit(threshold: int) -> None:
    for message in (
        spend.cost_set_reply(w.task(), w.vendor(), w.MONEY),
        spend.cost_set_reply(w.task(), w.vendor(), None),
        spend.budget_alert(w.vendor(), w.spend(), threshold),
    ):
        assert_message_fits(message)
        w.assert_escaped(message)


@pytest.mark.parametrize("count", [1, 52])
def test_a_scorecard_of_many_weeks_fits(count: int) -> None:
    card = Scorecard(
        w.vendor(),
        w.weeks(count),
        w.card_figures(),
        w.trend(),
        w.spend(),
        w.TODAY,
        w.NOW,
        w.slips(),
    )
    message = scorecards.scorecard_message(card)
    assert_message_fits(message)
    w.assert_escaped(message)
    assert_message_fits(scorecards.scorecard_sent_reply(w.vendor()))
    assert len(scorecards.scorecard_chart_alt(card)) <= 2000  # an image's alt text


@pytest.mark.parametrize("decision", [None, *TrialDecision])
@pytest.mark.parametrize("days_left", [-400, 0, 1, 400])
def test_a_trial_prompt_with_many_open_tasks_fits(
    decision: TrialDecision | None, days_left: int
) -> None:
    card = TrialCard(
        vendor=w.vendor(),
        started_on=w.TODAY - timedelta(days=30),
        ends_on=w.TODAY + timedelta(days=days_left),
        today=w.TODAY,
        figures=w.card_figures(),
        trend=w.trend(),
        spend=w.spend(),
        open_tasks=w.tasks(),
        decision=w.trial_decision(decision) if decision else None,
        made_at=w.NOW,
    )
    message = trials.trial_prompt_message(card)
    assert_message_fits(message)
    w.assert_escaped(message)
