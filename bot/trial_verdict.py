"""A trial's verdict, judged on the trial itself against stated thresholds.

The scorecard's trend (`bot.scorecards.trend_of`) compares two blocks of four weeks, so a
30-day trial could only ever say "not enough data". A trial is judged instead on its own
days (start to today), measure by measure:

| measure | passes when |
| --- | --- |
| on-time rate | at least 80 % of the tasks done during the trial |
| response rate | at least 80 % of the trial's check-ins answered |
| average score | the owners' ratings average at least 3.5 (of 5) |
| requests for changes | at most 1 delivery in 3 sent back |

A measure without data (no check-in, no rating) is not judged. With fewer than
`MIN_DELIVERIES` tasks done or delivered during the trial the verdict is "not enough data
yet" (and says how many there were); otherwise it is "meets the bar" when every judged
measure passes, else "falls short" naming the ones that did not.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from bot.scorecards import CardFigures

MIN_DELIVERIES = 3
ON_TIME_MIN = Fraction(8, 10)
RESPONSE_MIN = Fraction(8, 10)
SCORE_MIN = Fraction(7, 2)
CHANGES_MAX = Fraction(1, 3)
THRESHOLDS_TEXT = (
    f"Judged on the trial itself, with at least {MIN_DELIVERIES} tasks done or delivered: "
    "on time ≥ 80%, check-ins answered ≥ 80%, average score ≥ 3.5, at most 1 delivery in 3 "
    "sent back for changes. A measure without data is not judged."
)


@dataclass(frozen=True)
class Measure:
    name: str
    value: str  # as shown: `75%`, `4.2`, `1 in 4`
    passed: bool


@dataclass(frozen=True)
class TrialJudgement:
    enough_data: bool
    sample: int  # tasks done or delivered during the trial
    measures: tuple[Measure, ...]

    @property
    def passed(self) -> bool:
        return self.enough_data and all(measure.passed for measure in self.measures)

    @property
    def failed(self) -> tuple[Measure, ...]:
        return tuple(measure for measure in self.measures if not measure.passed)


def _percent(rate: Fraction) -> str:
    return f"{round(rate * 100)}%"


def judge_trial(figures: CardFigures) -> TrialJudgement:
    """The verdict rule of the module docstring, over the trial's pooled figures."""
    sample = max(figures.completed, figures.deliveries)
    measures: list[Measure] = []
    if figures.on_time_rate is not None:
        rate = figures.on_time_rate
        measures.append(Measure("on time", _percent(rate), rate >= ON_TIME_MIN))
    if figures.response_rate is not None:
        rate = figures.response_rate
        measures.append(Measure("check-ins answered", _percent(rate), rate >= RESPONSE_MIN))
    if figures.average_score is not None:
        score = figures.average_score
        measures.append(Measure("average score", f"{float(score):.1f}", score >= SCORE_MIN))
    if figures.changes_per_delivery is not None:
        share = figures.changes_per_delivery
        text = f"{figures.changes_requested} of {figures.deliveries} sent back"
        measures.append(Measure("requests for changes", text, share <= CHANGES_MAX))
    return TrialJudgement(sample >= MIN_DELIVERIES, sample, tuple(measures))
