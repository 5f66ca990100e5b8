"""The team's own check-in questions (`vendor questions #acme`) and the answers to them.

Up to five questions per vendor, stored one per line in `vendor.checkin_questions`. With
any, each check-in has an Answer button opening a form with them; the answers are posted
in the check-in's thread under the person's name, stored (one QuestionAnswer row per
answer, with the question as it was asked), and count as an answer to the check-in (a
CheckinResponse, like a thread reply). `report` has one row per answer; the summary's
thread and the digest quote them. Without questions the check-in stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot import vendor_registry
from storage import audit, vendors
from storage.models import QuestionAnswer, ScheduledPost, Vendor

MAX_QUESTIONS = 5
MAX_QUESTION_LENGTH = 150
MAX_ANSWER_LENGTH = 2000


def answers_to(session: Session, post_id: int) -> list[str]:
    """Who has answered the questions of check-in `post_id`, first answer first."""
    found = session.exec(
        select(QuestionAnswer.user_id)
        .where(QuestionAnswer.post_id == post_id)
        .order_by(col(QuestionAnswer.at), col(QuestionAnswer.id))
    ).all()
    return list(dict.fromkeys(found))


def questions_of(vendor: Vendor) -> list[str]:
    """The vendor's questions, in order (none when the team set none)."""
    return [line.strip() for line in (vendor.checkin_questions or "").splitlines() if line.strip()]


FIELD_QUESTION = "question_{}"  # block ids of the questions form, 1..MAX_QUESTIONS
FIELD_ANSWER = "answer_{}"  # block ids of the answer form, 1..len(questions)
EXAMPLES = ("What did you finish?", "What is next?", "Anything you need from us?")


def vendor_for_questions(session: Session, team_id: str, channel_id: str) -> Vendor:
    return vendor_registry.vendor_of_channel(session, team_id, channel_id)


def check_questions(texts: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """The questions to keep (blank fields dropped, order kept) and problems by field."""
    problems: dict[str, str] = {}
    kept: list[str] = []
    for number, text in enumerate(texts, start=1):
        value = " ".join(text.split())
        if not value:
            continue
        if len(value) > MAX_QUESTION_LENGTH:
            problems[FIELD_QUESTION.format(number)] = (
                f"Keep a question under {MAX_QUESTION_LENGTH} characters."
            )
        kept.append(value)
    return kept[:MAX_QUESTIONS], problems


def save_questions(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    actor_id: str,
    questions: Sequence[str],
    now: datetime,
) -> Vendor:
    """Replace the vendor's questions (none: the check-in goes back to its buttons only)."""
    vendor = vendor_registry.vendor_of_channel(session, team_id, channel_id)
    before = questions_of(vendor)
    vendors.update_vendor(session, vendor, now, checkin_questions="\n".join(questions))
    audit.record_change(
        session,
        "vendor.questions_set",
        vendor,
        {"from": before, "to": list(questions)},
        by=actor_id,
        at=now,
    )
    return vendor


@dataclass(frozen=True)
class Answered:
    vendor: Vendor
    post: ScheduledPost
    answers: Sequence[QuestionAnswer]


def check_answers(texts: Sequence[str]) -> dict[str, str]:
    """Problems with the answer form, by field (at least one answer, none too long)."""
    problems = {
        FIELD_ANSWER.format(number): f"Keep an answer under {MAX_ANSWER_LENGTH} characters."
        for number, text in enumerate(texts, start=1)
        if len(text.strip()) > MAX_ANSWER_LENGTH
    }
    if not any(text.strip() for text in texts) and texts:
        problems[FIELD_ANSWER.format(1)] = "Answer at least one question."
    return problems


def record_answers(
    session: Session,
    *,
    post: ScheduledPost,
    vendor: Vendor,
    user_id: str,
    questions: Sequence[str],
    texts: Sequence[str],
    now: datetime,
) -> Answered:
    """Store one QuestionAnswer per answered question, with the question as asked. They
    count as an answer to the check-in (its reminder and escalation are not sent)."""
    answers: list[QuestionAnswer] = []
    for position, (question, text) in enumerate(zip(questions, texts, strict=False)):
        if not text.strip():
            continue
        answer = QuestionAnswer(
            post_id=post.saved_id,
            vendor_id=vendor.saved_id,
            user_id=user_id,
            position=position,
            question=question,
            answer=text.strip(),
            at=now,
        )
        session.add(answer)
        answers.append(answer)
    session.flush()
    audit.record_change(
        session,
        "checkin.questions_answered",
        vendor,
        {"post_id": post.id, "answers": len(answers)},
        by=user_id,
        at=now,
    )
    return Answered(vendor, post, answers)
