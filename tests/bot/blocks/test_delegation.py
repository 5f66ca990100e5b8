"""bot.blocks.delegation against Slack's limits, with the longest and nastiest input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.blocks import delegation
from storage.tasks import TaskRow
from tests.support.slack_limits import assert_message_fits, assert_view_fits
from tests.support.worst_case import TODAY, assert_escaped, nasty, task, tasks, vendor


def test_help_fits() -> None:
    assert_message_fits(delegation.help_reply())


def test_the_announcement_of_a_task_with_the_longest_title_and_standard_fits() -> None:
    message = delegation.task_announcement(task(), vendor())
    assert_message_fits(message)
    assert_escaped(message)


@pytest.mark.parametrize("registered", [False, True])
def test_the_reply_to_the_requester_fits(registered: bool) -> None:
    message = delegation.task_created_reply(task(), vendor(), registered, registered)
    assert_message_fits(message)
    assert_escaped(message)


def test_a_list_of_more_tasks_than_a_message_holds_fits_and_says_how_many() -> None:
    rows = [TaskRow(t, vendor()) for t in tasks()]
    message = delegation.task_list_reply("Open tasks", rows, {1: TODAY}, "None.")
    assert_message_fits(message)
    assert_escaped(message)
    assert message["text"] == "Open tasks (200)"


def test_an_empty_list_fits() -> None:
    assert_message_fits(delegation.task_list_reply("Open tasks", [], {}, "No open tasks."))


@pytest.mark.parametrize(
    "build",
    [
        lambda: delegation.task_changed_reply(task(), "now due Thu 31 Dec 2026"),
        lambda: delegation.task_changed_notice(task(), "U0ADMIN0001", "cancelled"),
        lambda: delegation.task_change_for_owner(task(), vendor(), "U0ADMIN0001", "reopened"),
        lambda: delegation.task_handed_over_message(task(), vendor(), "U0A", "U0B"),
        lambda: delegation.pending_task_cancelled_reply(),
    ],
)
def test_replies_about_a_task_fit(build: Callable[[], dict[str, Any]]) -> None:
    message = build()
    assert_message_fits(message)
    assert_escaped(message)


def test_the_delegate_form_fits() -> None:
    assert_view_fits(delegation.delegate_modal())
    assert_view_fits(delegation.delegate_modal("C0VENDOR01"))


def test_a_pending_task_with_the_longest_title_and_a_full_button_value_fits() -> None:
    message = delegation.pending_task_reply("C0VENDOR01", nasty(300), "v" * 2000)
    assert_message_fits(message)
    assert_escaped(message)
