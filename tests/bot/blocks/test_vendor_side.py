"""bot.blocks.vendor_side against Slack's limits, with the longest and nastiest input."""

from __future__ import annotations

from datetime import timedelta

from bot.absences import AbsenceListing
from bot.blocks import common, vendor_side
from bot.checkin_questions import MAX_QUESTION_LENGTH, MAX_QUESTIONS
from storage.models import VendorAbsence
from tests.support.slack_limits import assert_message_fits, assert_view_fits
from tests.support.worst_case import (
    NOW,
    TODAY,
    answers,
    assert_escaped,
    nasty,
    vendor,
)


def test_the_forms_fit_with_the_longest_name_and_questions() -> None:
    questions = [nasty(MAX_QUESTION_LENGTH)] * MAX_QUESTIONS
    asking = vendor(checkin_questions="\n".join(questions))
    for view in (
        vendor_side.away_modal(10**9, nasty(80), TODAY),
        vendor_side.questions_modal(asking),
        vendor_side.questions_modal(vendor(checkin_questions="")),
        vendor_side.answer_modal(10**9, nasty(80), questions),
    ):
        assert_view_fits(view)
        assert_escaped(view)


def test_the_saved_questions_fit_in_a_reply() -> None:
    questions = [nasty(MAX_QUESTION_LENGTH)] * MAX_QUESTIONS
    for text in (
        vendor_side.questions_saved_text(vendor(), questions),
        vendor_side.questions_saved_text(vendor(), []),
    ):
        message = common.plain_reply(text)
        assert_message_fits(message)
        assert_escaped(message)


def test_many_absences_with_the_longest_notes_fit() -> None:
    absences = [
        VendorAbsence(
            id=n,
            vendor_id=1,
            user_id=f"U0AWAY{n:05d}",
            first_day=TODAY + timedelta(days=n),
            last_day=TODAY + timedelta(days=n + 30),
            note=nasty(300),
            created_at=NOW,
        )
        for n in range(200)
    ]
    for listing in (
        AbsenceListing(vendor(), TODAY, absences, cleared=10**6),
        AbsenceListing(vendor(), TODAY, []),
    ):
        message = vendor_side.absences_reply(listing)
        assert_message_fits(message)
        assert_escaped(message)


def test_the_answers_in_the_thread_fit() -> None:
    message = vendor_side.answers_thread_message("U0VENDOR001", answers(5))
    assert_message_fits(message)
    assert_escaped(message)


def test_the_menu_fits_in_an_actions_block() -> None:
    message = {"text": "x", "blocks": [vendor_side.checkin_menu_block(10**9, True)]}
    assert_message_fits(message)
