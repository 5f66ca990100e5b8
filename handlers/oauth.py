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


def register(app: App, deps: Deps) -> None:
    def on_uninstalled(context: BoltContext) -> None:
        _forget(deps, context)

    def on_tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
        # Only the bot's tokens matter: the app asks for no user tokens.
        if (event.get("tokens") or {}).get("bot"):
            _forget(deps, context)

    app.event("app_uninstalled")(on_uninstalled)
    app.event("tokens_revoked")(on_tokens_revoked)


def _forget(deps: Deps, context: BoltContext) -> None:
    team_id = context.team_id or ""
    if team_id:
        forget_workspace(deps.settings, deps.engine, team_id, context.enterprise_id, deps.clock())
