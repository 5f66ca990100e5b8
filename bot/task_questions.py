"""Questions the vendor asks in a task's thread, until someone of the team replies there.

The alignment note's "Waiting on us" lists them by task (bot.alignment), so a question
asked under a task's announcement is not forgotten. What counts (docs/summaries.md):

- **A question**: a reply in the thread of a task's announcement, by the vendor's side
  (people.is_vendor_contact: the task's assignee, or someone outside the installing team;
  never the owner), whose text has a question mark outside links, mentions and code
  (`Which logo size?`, `ok? thanks`, not `see <https://x.test/?a=1>`).
- **Answered**: by any later reply in that thread from someone of the team (anyone who is
  not the vendor's side); one reply answers every open question asked before it.

No Slack here: the handler asks Slack who the author is and calls `record_task_reply`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot import people
from bot.checkin_replies import ThreadMessage
from bot.slack_text import readable_text
from storage import audit
from storage import task_questions as store

MAX_STORED_LENGTH = 2000
# Slack's tokens (<@U1>, <#C1|x>, <https://…|label>), links Slack left bare, code blocks
# and inline code: a question mark inside them is part of a link or of code.
_NOT_PROSE = re.compile(r"<[^>]*>|\b(?:https?://|www\.)\S+|```.*?```|`[^`]*`", re.DOTALL)


def is_question(slack_text: str) -> bool:
    """Whether a message (Slack's escaped text) asks something: a `?` outside links,
    mentions and code."""
    return "?" in _NOT_PROSE.sub(" ", slack_text)


@dataclass(frozen=True)
class TaskReply:
    asked: bool  # a new question stored
    answered: int  # open questions this reply answered


def record_task_reply(
    session: Session,
    team_id: str,
    message: ThreadMessage,
    *,
    user_is_outside: bool,
    now: datetime,
) -> TaskReply | None:
    """A reply in some thread: a question stored, or questions answered, when the thread
    is a task's announcement. None when it is not (or the vendor is removed).

    Safe when Slack retries the event: the question is keyed by channel and ts, and
    answering twice finds nothing left to answer.
    """
    found = store.task_of_thread(session, team_id, message.channel_id, message.thread_ts)
    if found is None:
        return None
    task, _vendor = found
    user_id, message_ts = message.user_id, message.message_ts
    if people.is_vendor_contact(task, user_id, user_is_outside):
        if not is_question(message.text):
            return TaskReply(asked=False, answered=0)
        stored = store.add_question(
            session,
            task=task,
            channel_id=message.channel_id,
            message_ts=message_ts,
            user_id=user_id,
            text=readable_text(message.text)[:MAX_STORED_LENGTH],
            at=now,
        )
        if stored is not None:
            audit.record_change(
                session, "task.question_asked", task, {"question_id": stored}, by=user_id, at=now
            )
        return TaskReply(asked=stored is not None, answered=0)
    answered = store.answer_questions(
        session, task_id=task.saved_id, before_ts=message_ts, user_id=user_id, at=now
    )
    return TaskReply(asked=False, answered=answered)


def needs_author(session: Session, team_id: str, channel_id: str, thread_ts: str) -> bool:
    """Whether a reply in this thread is a task thread's (so asking Slack who wrote it is
    worth a call)."""
    return store.task_of_thread(session, team_id, channel_id, thread_ts) is not None
