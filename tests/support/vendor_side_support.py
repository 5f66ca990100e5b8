"""Payloads for the vendor's side of a check-in: its menu (an overflow), the Answer button
and the Away…, answer and questions forms, built from the named fixture files."""

from __future__ import annotations

from typing import Any

from bot.absences import FIELD_FIRST, FIELD_LAST, FIELD_NOTE
from bot.blocks import vendor_side as vendor_blocks
from bot.checkin_questions import FIELD_ANSWER, FIELD_QUESTION
from storage.models import ScheduledPost
from tests.support.checkin_support import payload

SUFFIX = vendor_blocks.ACTION_SUFFIX


def menu_click(
    post: ScheduledPost,
    choice: str,
    *,
    user: str = "U0VENDOR",
    user_team: str = "T0VENDOR",
    channel: str | None = None,
    post_id: int | None = None,
) -> dict[str, Any]:
    """A choice in the check-in's menu (`nothing_new` or `away`), as Slack sends it."""
    body = payload("block_actions_checkin_button")
    channel = channel or post.channel_id
    body["user"].update(id=user, team_id=user_team)
    body["channel"]["id"] = channel
    body["container"].update(channel_id=channel, message_ts=post.message_ts)
    body["message"]["ts"] = post.message_ts
    action = body["actions"][0]
    action.pop("value")
    action.pop("text")
    action.update(
        type="overflow",
        action_id=vendor_blocks.CHECKIN_MENU_ACTION,
        block_id="checkin_menu",
        selected_option={
            "text": {"type": "plain_text", "text": choice},
            "value": f"{choice}:{post_id if post_id is not None else post.id}",
        },
    )
    return body


def answer_click(
    post: ScheduledPost, *, user: str = "U0VENDOR", user_team: str = "T0VENDOR"
) -> dict[str, Any]:
    body = payload("block_actions_checkin_button")
    body["user"].update(id=user, team_id=user_team)
    body["container"].update(message_ts=post.message_ts)
    body["message"]["ts"] = post.message_ts
    body["actions"][0].update(
        action_id=vendor_blocks.CHECKIN_ANSWER_ACTION,
        block_id="checkin_menu",
        value=f"answer:{post.id}",
    )
    return body


def _submission(
    callback_id: str, metadata: str, values: dict[str, Any], user: str, user_team: str
) -> dict[str, Any]:
    body = payload("view_submission_checkin_note")
    body["user"].update(id=user, team_id=user_team)
    body["view"].update(callback_id=callback_id, private_metadata=metadata)
    body["view"]["state"]["values"] = values
    return body


def away_submission(
    post_id: int | str,
    first: str | None,
    last: str | None,
    note: str = "",
    *,
    user: str = "U0VENDOR",
    user_team: str = "T0VENDOR",
) -> dict[str, Any]:
    values = {
        FIELD_FIRST: {FIELD_FIRST + SUFFIX: {"type": "datepicker", "selected_date": first}},
        FIELD_LAST: {FIELD_LAST + SUFFIX: {"type": "datepicker", "selected_date": last}},
        FIELD_NOTE: {FIELD_NOTE + SUFFIX: {"type": "plain_text_input", "value": note or None}},
    }
    return _submission(vendor_blocks.AWAY_MODAL, str(post_id), values, user, user_team)


def answers_submission(
    post_id: int | str,
    answers: list[str],
    *,
    user: str = "U0VENDOR",
    user_team: str = "T0VENDOR",
) -> dict[str, Any]:
    values = {
        FIELD_ANSWER.format(n): {
            FIELD_ANSWER.format(n) + SUFFIX: {"type": "plain_text_input", "value": text or None}
        }
        for n, text in enumerate(answers, start=1)
    }
    return _submission(vendor_blocks.ANSWER_MODAL, str(post_id), values, user, user_team)


def questions_submission(
    channel_id: str, questions: list[str], *, user: str = "U0ALICE", user_team: str = "T0TEAM"
) -> dict[str, Any]:
    values = {
        FIELD_QUESTION.format(n): {
            FIELD_QUESTION.format(n) + SUFFIX: {"type": "plain_text_input", "value": text or None}
        }
        for n, text in enumerate(questions, start=1)
    }
    return _submission(vendor_blocks.QUESTIONS_MODAL, channel_id, values, user, user_team)
