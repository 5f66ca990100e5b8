"""Uninstall and revocation (many-workspace mode): tokens deleted, scheduled work stopped.

The scheduler serves only workspaces with a token in the installation store
(bot.installations.WorkspaceClients), so deleting the tokens stops every check-in, reminder
and digest of the workspace at its next tick. Its data stays for RETENTION, then the daily
purge deletes it; a reinstall in between picks up where it left off.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.deps import Deps
from bot.installations import forget_workspace
from handlers.payloads import EventCallback


def register(app: App, deps: Deps) -> None:
    listeners = OAuthListeners(deps)
    app.event("app_uninstalled")(listeners.on_uninstalled)
    app.event("tokens_revoked")(listeners.on_tokens_revoked)


class OAuthListeners:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def on_uninstalled(self, context: BoltContext) -> None:
        self.forget(context)

    def on_tokens_revoked(self, body: dict[str, Any], context: BoltContext) -> None:
        # Only the bot's tokens matter: the app asks for no user tokens.
        if EventCallback.read(body, context).event.tokens.bot:
            self.forget(context)

    def forget(self, context: BoltContext) -> None:
        team_id = context.team_id or ""
        if team_id:
            forget_workspace(
                self.deps.settings,
                self.deps.engine,
                team_id,
                context.enterprise_id,
                self.deps.clock(),
            )
