"""The App Home tab: published afresh each time someone opens it.

`app_home_opened` also fires for the Messages tab; only the Home tab is rendered. Events
are acked first; the view is built from the database in one transaction (a fixed number of
queries, see `bot.summaries.home_overview`) and published with views.publish.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import blocks, people, summaries
from handlers.listening import EventCall, Listeners, event_listener
from handlers.replies import answering_errors
from storage.database import run_transaction


class HomeListeners(Listeners):
    @event_listener("app_home_opened")
    def on_home_opened(self, call: EventCall) -> None:
        opened, client, logger = call.callback, call.client, call.logger
        user_id = opened.event.user
        if opened.event.tab != "home" or not user_id:
            return

        def log_problem(text: str) -> None:
            # Nobody typed anything: the tab just stays as it was; the log says why.
            logger.warning("could not publish the Home tab: %s", text)

        with answering_errors(log_problem, logger):
            team_id = opened.team_id
            if people.is_outside_user(client, user_id, team_id, cache=self.deps.slack_facts):
                # The figures are the team's view of its vendors, not for the vendors.
                client.views_publish(user_id=user_id, view=blocks.home_outsider_view())
                return
            overview = run_transaction(
                self.deps.engine,
                lambda session: summaries.home_overview(
                    session,
                    team_id,
                    user_id,
                    ZoneInfo(self.deps.settings.default_timezone),
                    self.deps.clock(),
                ),
            )
            client.views_publish(user_id=user_id, view=blocks.home_view(overview))
