"""bot.blocks.home against Slack's limits, with the longest and nastiest input."""

from __future__ import annotations

import pytest

from bot.blocks import home
from bot.summaries import HomeOverview, HomeTask
from storage.models import TaskStatus
from storage.tasks import TaskRow
from tests.support.slack_limits import assert_view_fits
from tests.support.worst_case import (
    MANY,
    NOW,
    TODAY,
    assert_escaped,
    away,
    overdue_reviews,
    tasks,
    vendor,
    vendor_rows,
)

HOME_TASKS = 40  # bot.summaries.home_overview's limit


@pytest.mark.parametrize("count", [1, MANY])
def test_a_home_tab_with_everything_in_it_fits(count: int) -> None:
    # The Home tab lists at most 40 tasks (bot.summaries.home_overview), then says there
    # are more.
    listed = (tasks(count) + tasks(count, status=TaskStatus.DELIVERED))[:HOME_TASKS]
    overview = HomeOverview(
        tasks=[HomeTask(TaskRow(t, vendor()), TODAY, 10**6) for t in listed],
        vendors=vendor_rows(count),
        first_day=TODAY,
        last_day=TODAY,
        made_at=NOW,
        more_tasks=True,
        away={n: away() for n in range(count)},
        overdue_reviews=overdue_reviews(count),
    )
    view = home.home_view(overview)
    assert_view_fits(view)
    assert_escaped(view)
    headers = [block["text"]["text"] for block in view["blocks"] if block["type"] == "header"]
    assert headers == ["Your open tasks", "Vendors waiting on us", "Vendor health"]
    assert view["blocks"][-1]["elements"][0]["text"].startswith("Updated ")


def test_an_empty_home_tab_and_the_outsiders_fit() -> None:
    assert_view_fits(home.home_view(HomeOverview([], [], TODAY, TODAY, NOW)))
    assert_view_fits(home.home_outsider_view())
