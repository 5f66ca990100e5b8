"""bot.blocks.lifecycle against Slack's limits, with the longest and nastiest input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.blocks import lifecycle
from tests.support.slack_limits import assert_message_fits
from tests.support.worst_case import (
    MANY,
    NOW,
    TODAY,
    assert_escaped,
    nasty,
    vendor,
)


@pytest.mark.parametrize("removed", [False, True])
def test_a_list_of_many_vendors_with_the_longest_names_fits(removed: bool) -> None:
    message = lifecycle.vendor_list_reply([vendor(n) for n in range(MANY)], NOW, removed=removed)
    assert_message_fits(message)
    assert_escaped(message)


@pytest.mark.parametrize("removed", [False, True])
def test_an_empty_list_fits(removed: bool) -> None:
    assert_message_fits(lifecycle.vendor_list_reply([], NOW, removed=removed))


@pytest.mark.parametrize("registered_by", [None, "U0OTHER0001"])
def test_vendor_replies_fit(registered_by: str | None) -> None:
    for message in (
        lifecycle.vendor_added_reply(vendor(), NOW, registered_by),
        lifecycle.vendor_paused_reply(vendor()),
        lifecycle.vendor_paused_notice(vendor(), nasty(200)),
        lifecycle.vendor_updated_reply(vendor(), ["time zone", "check-ins", "budget"], NOW),
        lifecycle.vendor_removed_reply(vendor(), 10**6),
        lifecycle.vendor_restored_reply(vendor()),
    ):
        assert_message_fits(message)
        assert_escaped(message)


def test_the_most_holidays_with_the_longest_names_fit() -> None:
    days = [TODAY + timedelta(days=n) for n in range(400)]
    public = {day: nasty(200) for day in days}
    message = lifecycle.holidays_reply(vendor(), days, days, days, days, public)
    assert_message_fits(message)
    assert_escaped(message)


def test_no_holidays_fit() -> None:
    assert_message_fits(lifecycle.holidays_reply(vendor(public_holidays=None), []))
