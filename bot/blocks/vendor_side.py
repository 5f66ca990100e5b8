"""Block Kit for the vendor's side of a check-in: its menu (Nothing new today, Away…), the
Answer button, the Away… and questions forms, and the replies about absences.

The check-in itself (bot.blocks.checkins) only calls `checkin_menu_block`, `away_line` and
`away_context`; the summary and the digest quote answers with `answers_quote_lines`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.absences import (
    FIELD_FIRST,
    FIELD_LAST,
    FIELD_NOTE,
    MAX_NOTE_LENGTH,
    AbsenceListing,
    Away,
    away_lines,
)
from bot.blocks.common import (
    SECTION_CHARS,
    Message,
    channel_link,
    clip,
    lines_reply,
    listed,
    mention,
    plain_text,
    quote,
    section,
)
from bot.blocks.elements import actions, button, input_block, modal, text_input

# The ids, re-exported: handlers/vendor_side.py and vendor_commands.py read them here.
from bot.blocks.ids import ACTION_SUFFIX as ACTION_SUFFIX
from bot.blocks.ids import ANSWER_MODAL as ANSWER_MODAL
from bot.blocks.ids import AWAY_MODAL as AWAY_MODAL
from bot.blocks.ids import CHECKIN_ANSWER_ACTION as CHECKIN_ANSWER_ACTION
from bot.blocks.ids import CHECKIN_MENU_ACTION as CHECKIN_MENU_ACTION
from bot.blocks.ids import QUESTIONS_MODAL as QUESTIONS_MODAL
from bot.checkin_menu import AWAY, NOTHING_NEW
from bot.checkin_questions import (
    EXAMPLES,
    FIELD_ANSWER,
    FIELD_QUESTION,
    MAX_ANSWER_LENGTH,
    MAX_QUESTION_LENGTH,
    MAX_QUESTIONS,
    questions_of,
)
from bot.slack_text import escape
from storage.models import QuestionAnswer, Vendor


def checkin_menu_block(post_id: int, has_questions: bool) -> dict[str, Any]:
    """The menu under a check-in's tasks, and the Answer button when the team asks
    questions."""
    elements: list[dict[str, Any]] = []
    if has_questions:
        elements.append(button(CHECKIN_ANSWER_ACTION, "Answer", f"answer:{post_id}", "primary"))
    elements.append(
        {
            "type": "overflow",
            "action_id": CHECKIN_MENU_ACTION,
            "options": [
                {"text": plain_text("Nothing new today"), "value": f"{NOTHING_NEW}:{post_id}"},
                {"text": plain_text("Away…"), "value": f"{AWAY}:{post_id}"},
            ],
        }
    )
    return actions("checkin_menu", elements)


# Who is away, in a check-in's footer, a digest row or on Home: within these characters,
# then "and N more" (each person's note may be 80 characters, 400 escaped).
MAX_AWAY_TEXT = 1200


def away_line(away: Away) -> str:
    """Under an away person's task in the check-in."""
    return f"\n:palm_tree: {mention(away.user_id)} is away until {away.until:%a %-d %b}"


def away_context(away: Mapping[str, Away]) -> str | None:
    """The check-in's footer line: who is away today."""
    if not away:
        return None
    return ":palm_tree: Away: " + listed(away_lines(away), MAX_AWAY_TEXT, "; ")


def away_modal(post_id: int, vendor_name: str, today: date) -> dict[str, Any]:
    """The Away… form: first and last day (the vendor's calendar), an optional note."""

    day = {"type": "datepicker", "initial_date": today.isoformat()}
    note = text_input(MAX_NOTE_LENGTH, placeholder="Back Monday; Ana covers urgent things")
    intro = (
        f"Days you are away from *{escape(vendor_name)}*'s work. While you "
        "are away nobody reminds you, and the team sees you are away."
    )
    blocks = [
        section(intro),
        input_block(FIELD_FIRST, "First day away", day),
        input_block(FIELD_LAST, "Last day away", day),
        input_block(FIELD_NOTE, "Note for the team", note, optional=True),
    ]
    return modal(AWAY_MODAL, "Away", "Save", blocks, metadata=str(post_id))


def _span(first: date, last: date) -> str:
    if first == last:
        return f"{first:%a %-d %b %Y}"
    return f"{first:%a %-d %b} to {last:%a %-d %b %Y}"


def away_saved_text(first: date, last: date) -> str:
    return (
        f":palm_tree: Saved: you are away {_span(first, last)}. Nobody will remind you then, "
        "and the team can see it in the check-in."
    )


def nothing_new_text(answered: int) -> str:
    tasks = "task" if answered == 1 else "tasks"
    return f":white_check_mark: Noted: nothing new on {answered} {tasks} today. Thanks!"


def absences_reply(listing: AbsenceListing) -> Message:
    """`vendor away #acme`: absences not over yet; after `clear`, how many were cleared."""
    vendor = listing.vendor
    channel = channel_link(vendor.channel_id)
    lines: list[str] = []
    if listing.cleared:
        lines.append(f":white_check_mark: Cleared {listing.cleared} absence(s).")
    if listing.absences:
        lines.append(f"*Days away at {escape(vendor.name)}* ({vendor.timezone}):")
        for absence in listing.absences:
            note = f": {escape(absence.note[:120])}" if absence.note else ""
            lines.append(
                f"• {mention(absence.user_id)} {_span(absence.first_day, absence.last_day)}{note}"
            )
        lines.append(
            f"Clear them with `/delegate vendor away {channel} clear` (everyone) or "
            f"`/delegate vendor away {channel} clear @person`."
        )
    else:
        lines.append(
            f"Nobody at *{escape(vendor.name)}* is away from today on. People say they are "
            "away from the check-in's menu (Away…)."
        )
    return lines_reply(lines)


def away_digest_text(away: Mapping[str, Away]) -> str | None:
    """For a vendor's line in the digest and on Home."""
    if not away:
        return None
    return ":palm_tree: " + listed(away_lines(away), MAX_AWAY_TEXT, "; ")


# --------------------------------------------------------------------------- questions


def questions_modal(vendor: Vendor) -> dict[str, Any]:
    """The team's form: up to five questions asked at each check-in (blank: not asked)."""
    current = questions_of(vendor)
    fields: list[dict[str, Any]] = []
    for number in range(1, MAX_QUESTIONS + 1):
        # A question asked now is filled in; an empty slot shows an example, where there is one.
        asked = current[number - 1] if number <= len(current) else None
        example = EXAMPLES[number - 1] if asked is None and number <= len(EXAMPLES) else None
        element = text_input(MAX_QUESTION_LENGTH, placeholder=example, initial=asked)
        fields.append(
            input_block(FIELD_QUESTION.format(number), f"Question {number}", element, optional=True)
        )
    intro = (
        f"Asked at each check-in of *{escape(vendor.name)}* with an *Answer* button, besides "
        "the task buttons. Leave them all empty to ask none."
    )
    return modal(
        QUESTIONS_MODAL,
        "Check-in questions",
        "Save",
        [section(intro), *fields],
        metadata=vendor.channel_id,
    )


MAX_SAVED_QUESTION = 450  # characters of an escaped question in the reply that lists them


def questions_saved_text(vendor: Vendor, questions: Sequence[str]) -> str:
    if not questions:
        return (
            f":white_check_mark: *{escape(vendor.name)}*'s check-ins ask no questions now: "
            "only the task buttons."
        )
    # Five questions of 150 characters grow past a section's 3000 when escaped (`&`).
    numbered = "\n".join(
        f"{n}. {clip(q, MAX_SAVED_QUESTION)}" for n, q in enumerate(questions, start=1)
    )
    return (
        f":white_check_mark: *{escape(vendor.name)}*'s check-ins now ask, with an *Answer* "
        f"button:\n{numbered}"
    )


def answer_modal(post_id: int, vendor_name: str, questions: Sequence[str]) -> dict[str, Any]:
    """The vendor's form with the team's questions."""
    answer = text_input(MAX_ANSWER_LENGTH, multiline=True)
    fields = [
        input_block(
            FIELD_ANSWER.format(number), question[:MAX_QUESTION_LENGTH], answer, optional=True
        )
        for number, question in enumerate(questions, start=1)
    ]
    intro = section(f"Your answers go in *{escape(vendor_name)}*'s check-in thread.")
    return modal(ANSWER_MODAL, "Check-in", "Send", [intro, *fields], metadata=str(post_id))


def answers_thread_message(user_id: str, answers: Sequence[QuestionAnswer]) -> Message:
    """Posted in the check-in's thread under the person's name."""
    lines = [f"*Check-in answers from {mention(user_id)}*"]
    for answer in answers:
        lines.append(f"*{escape(answer.question)}*")
        lines.append(quote(answer.answer))
    text = "\n".join(lines)
    return {
        "text": f"Check-in answers from {mention(user_id)}",
        "blocks": [section(text[:SECTION_CHARS])],
    }


def answers_quote_lines(answers: Sequence[QuestionAnswer], limit: int = 10) -> list[str]:
    """For the summary's thread and the digest: `> answer` under `*question* (<@U>)`."""
    lines: list[str] = []
    for answer in answers[-limit:]:
        lines.append(
            f"*{escape(answer.question)}* ({mention(answer.user_id)}, {answer.at:%a %-d %b})"
        )
        lines.append(quote(answer.answer[:300]))
    return lines
