"""Many workspaces: installing the app through OAuth (the consent page, oauth.v2.access,
rotating tokens), revoked tokens, and auth.test answered for the workspace of a token."""

from __future__ import annotations

import uuid
from html import escape
from typing import Any
from urllib.parse import parse_qs, quote

from bot.fake_slack.model import SlackError, Workspace
from bot.fake_slack.state import SlackState
from bot.fake_slack.wire import HttpResult


class OAuthApi(SlackState):
    def add_workspace(
        self,
        team_id: str,
        name: str,
        *,
        bot_token: str | None = None,
        installer: str = "U0ALICE",
        enterprise_id: str | None = None,
        refresh_token: str | None = None,
        expires_in: int | None = None,
    ) -> str:
        """A workspace the app can be installed in from the authorize page; its bot token.

        Calls made with that token are answered as that workspace (auth.test), and count
        against that workspace's own rate limit. With `refresh_token` and `expires_in` the
        token rotates (oauth.v2.access with grant_type=refresh_token gives a new one).
        """
        token = bot_token or f"xoxb-{team_id.lower()}-token"
        with self._lock:
            self._workspaces[team_id] = Workspace(
                team_id, name, token, installer, enterprise_id, refresh_token, expires_in
            )
            self._team_of_token[token] = team_id
        return token

    def set_oauth_client(self, client_id: str, client_secret: str) -> None:
        with self._lock:
            self.oauth_client = (client_id, client_secret)

    def _workspace_of(self, token: str | None) -> Workspace | None:
        team = self._team_of_token.get(token or "")
        return self._workspaces.get(team) if team else None

    def _authorize_page(self, query: str) -> HttpResult:
        """Slack's consent screen, reduced to a choice of workspace and Allow / Cancel."""
        args = {k: v[-1] for k, v in parse_qs(query).items()}
        hidden = "".join(
            f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
            for k, v in args.items()
            if k in ("client_id", "scope", "state", "redirect_uri")
        )
        options = "".join(
            f'<option value="{escape(w.team_id)}">{escape(w.name)}</option>'
            for w in self._workspaces.values()
        )
        html = (
            "<!DOCTYPE html><html><head><title>Fake Slack: authorize</title></head><body>"
            f"<h1>Install app {escape(args.get('client_id', '?'))}</h1>"
            f"<p>Scopes: {escape(args.get('scope', ''))}</p>"
            f'<form action="/oauth/v2/decide" method="get">{hidden}'
            f'<select name="team" id="team">{options}</select>'
            '<button type="submit" name="decision" value="allow" id="allow">Allow</button>'
            '<button type="submit" name="decision" value="cancel" id="cancel">Cancel</button>'
            "</form></body></html>"
        )
        return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()

    def _authorize_decision(self, query: str) -> HttpResult:
        args = {k: v[-1] for k, v in parse_qs(query).items()}
        redirect = args.get("redirect_uri") or self.oauth_redirect_uri
        state = quote(args.get("state", ""))
        if args.get("decision") != "allow":
            location = f"{redirect}?error=access_denied&state={state}"
        else:
            code = f"code-{uuid.uuid4().hex[:12]}"
            with self._lock:
                self._oauth_codes[code] = args.get("team", "")
            location = f"{redirect}?code={code}&state={state}"
        return 302, {"Location": location}, b""

    oauth_redirect_uri = "http://127.0.0.1/slack/oauth_redirect"

    def _oauth_v2_access(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        if (
            self.oauth_client is not None
            and (
                p.get("client_id"),
                p.get("client_secret"),
            )
            != self.oauth_client
        ):
            raise SlackError("invalid_client_id")
        if p.get("grant_type") == "refresh_token":
            return self._refresh_token(str(p.get("refresh_token") or ""))
        team_id = self._oauth_codes.pop(str(p.get("code") or ""), None)
        workspace = self._workspaces.get(team_id or "")
        if workspace is None:
            raise SlackError("invalid_code")
        result: dict[str, Any] = {
            "app_id": self.app_id,
            "authed_user": {"id": workspace.installer},
            "scope": ",".join(sorted(self._granted_scopes())),
            "token_type": "bot",
            "access_token": workspace.bot_token,
            "bot_user_id": self.bot_user_id,
            "team": {"id": workspace.team_id, "name": workspace.name},
            "enterprise": (
                {"id": workspace.enterprise_id, "name": "Grid"} if workspace.enterprise_id else None
            ),
            "is_enterprise_install": False,
        }
        if workspace.refresh_token and workspace.expires_in:
            result["refresh_token"] = workspace.refresh_token
            result["expires_in"] = workspace.expires_in
        return result

    def _granted_scopes(self) -> set[str]:
        return {"commands", "chat:write"}

    def _refresh_token(self, refresh_token: str) -> dict[str, Any]:
        for workspace in self._workspaces.values():
            if workspace.refresh_token and workspace.refresh_token == refresh_token:
                new_token = f"{workspace.bot_token.split('.r')[0]}.r{next(self._ids)}"
                self._revoked_tokens.add(workspace.bot_token)
                workspace.bot_token = new_token
                self._team_of_token[new_token] = workspace.team_id
                return {
                    "access_token": new_token,
                    "token_type": "bot",
                    "refresh_token": refresh_token,
                    "expires_in": workspace.expires_in or 43200,
                    "team": {"id": workspace.team_id, "name": workspace.name},
                    "scope": ",".join(sorted(self._granted_scopes())),
                    "bot_user_id": self.bot_user_id,
                    "app_id": self.app_id,
                }
        raise SlackError("invalid_refresh_token")

    def _api_test(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        return {"args": p}

    def _auth_test(self, p: dict[str, Any], token: str | None) -> dict[str, Any]:
        workspace = self._workspace_of(token)
        if workspace is None:  # the fake's own team, which answers without an enterprise
            domain, name, team_id = self.team_domain, self.team_name, self.team_id
            grid = {}
        else:
            domain, name, team_id = workspace.team_id.lower(), workspace.name, workspace.team_id
            grid = {"enterprise_id": workspace.enterprise_id}
        return {
            "url": f"https://{domain}.slack.com/",
            "team": name,
            "user": self._users[self.bot_user_id].name,
            "team_id": team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            **grid,
            "is_enterprise_install": False,
        }
