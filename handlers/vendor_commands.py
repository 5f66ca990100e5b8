"""`/delegate vendor away` and `/delegate vendor questions`: the team's side of what the
vendor says from a check-in (kept out of handlers.delegate, which only dispatches here)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot import absences, blocks, checkin_questions
from bot.blocks import vendor_side as vendor_blocks
from bot.commands import EditQuestions, ManageAbsences
from bot.deps import Deps
from storage.database import run_transaction


def run(
    deps: Deps,
    command: ManageAbsences | EditQuestions,
    *,
    team_id: str,
    user_id: str,
    client: WebClient,
    trigger_id: str,
) -> blocks.Message | None:
    if isinstance(command, ManageAbsences):
        listing = run_transaction(
            deps.engine,
            lambda session: absences.list_or_clear(
                session,
                team_id=team_id,
                channel_id=command.channel_id,
                actor_id=user_id,
                clear=command.clear,
                user_id=command.user_id,
                now=deps.clock(),
            ),
        )
        return vendor_blocks.absences_reply(listing)
    vendor = run_transaction(
        deps.engine,
        lambda session: checkin_questions.vendor_for_questions(
            session, team_id, command.channel_id
        ),
    )
    client.views_open(trigger_id=trigger_id, view=vendor_blocks.questions_modal(vendor))
    return None
