"""Many workspaces on one deployment: Bolt's OAuth flow, the stores, each workspace's client.

Two modes (bot.config.Settings.require_one_mode): SLACK_BOT_TOKEN serves one workspace as
before; SLACK_CLIENT_ID and SLACK_CLIENT_SECRET serve every workspace that installs the app
from /slack/install. In the second mode Bolt's own OAuth flow (`OAuthFlow`, `OAuthSettings`)
runs the install, slack_sdk's SQLAlchemy stores keep installations and OAuth state in the
bot's own database (tables from migration 0009), and Bolt's `InstallationStoreAuthorize`
gives every listener the installation's token and team id, rotating tokens when they expire.
The scheduler has no request to authorize: it asks `WorkspaceClients` for each team's client.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_bolt import BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.error import BoltError
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_flow import OAuthFlow
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy.engine import Engine

from bot import install_pages
from bot.config import Settings
from bot.slack_connections import KeepAliveWebClient
from storage import workspaces
from storage.database import transaction

logger = logging.getLogger(__name__)

# The manifest's bot scopes and why each is asked for (shown on the install page);
# tests/test_installations.py checks this list against manifest.yml.
SCOPE_REASONS: dict[str, str] = {
    "commands": "the /delegate slash command",
    "chat:write": "post check-ins, summaries and direct messages; update a check-in after a click",
    "channels:join": "join a public vendor channel before its first check-in",
    "channels:read": "see when a public vendor channel is archived or left",
    "groups:read": "the same for private vendor channels",
    "channels:history": "read vendors' thread replies to check-ins in public channels",
    "groups:history": "read vendors' thread replies to check-ins in private channels",
    "im:write": "open a direct message to send you a CSV report",
    "users:read": "people's time zones, and who belongs to another organisation",
    "files:write": "upload CSV reports and charts",
}
# How long an OAuth state (the link on the install page) stays valid.
STATE_EXPIRATION_SECONDS = 600
# Data of an uninstalled workspace is kept this long, in case it comes back.
RETENTION = timedelta(days=30)
# Rotate a bot token this long before it expires (Bolt's default for listeners, too).
ROTATE_BEFORE = timedelta(minutes=120)


class EnterpriseInstallRefused(BoltError):
    """An Enterprise Grid org-wide install: not supported (see README, "Distribute it")."""


def scopes(settings: Settings) -> list[str]:
    return list(settings.slack_scopes or SCOPE_REASONS)


def build_stores(
    settings: Settings, engine: Engine
) -> tuple[SQLAlchemyInstallationStore, SQLAlchemyOAuthStateStore]:
    client_id = settings.slack_client_id or ""
    return (
        SQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=logger),
        SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine, logger=logger
        ),
    )


def build_oauth_flow(
    settings: Settings, engine: Engine, client: WebClient, clock: Callable[[], datetime]
) -> OAuthFlow:
    """Bolt's OAuth flow with our own pages and stores; `client` talks to SLACK_API_URL."""
    installation_store, state_store = build_stores(settings, engine)
    oauth_settings = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=scopes(settings),
        redirect_uri=settings.slack_redirect_uri,
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        installation_store=installation_store,
        installation_store_bot_only=True,
        state_store=state_store,
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        authorization_url=authorize_url(settings),
        callback_options=CallbackOptions(success=_success_page, failure=_failure_page),
    )
    # OAuthSettings builds its authorize (which rotates expiring tokens for listeners) with
    # slack_sdk's default client, i.e. slack.com: rebuild it on ours, so rotation goes to
    # SLACK_API_URL like every other call.
    oauth_settings.authorize = InstallationStoreAuthorize(
        logger=logger,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=oauth_settings.token_rotation_expiration_minutes,
        installation_store=installation_store,
        bot_only=True,
        user_token_resolution=oauth_settings.user_token_resolution,
        client=client,
    )
    return InstallFlow(
        client=client, logger=logger, settings=oauth_settings, engine=engine, clock=clock
    )


def authorize_url(settings: Settings) -> str:
    """Slack's authorize page; under a fake Slack (SLACK_API_URL), the fake's own."""
    if settings.slack_api_url:
        base = settings.slack_api_url.rstrip("/").removesuffix("/api")
        return f"{base}/oauth/v2/authorize"
    return "https://slack.com/oauth/v2/authorize"


class InstallFlow(OAuthFlow):
    """Bolt's flow with our install page, an Enterprise Grid refusal and a workspace row."""

    def __init__(
        self,
        *,
        client: WebClient,
        logger: logging.Logger,
        settings: OAuthSettings,
        engine: Engine,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(client=client, logger=logger, settings=settings)
        self.engine = engine
        self.clock = clock

    def build_install_page_html(self, url: str, request: BoltRequest) -> str:
        asked = self.settings.scopes or []
        return install_pages.install_page(url, [(s, SCOPE_REASONS.get(s, "")) for s in asked])

    def store_installation(self, request: BoltRequest, installation: Installation) -> None:
        if installation.is_enterprise_install:
            raise EnterpriseInstallRefused("org-wide installs are not supported")
        super().store_installation(request, installation)
        with transaction(self.engine) as session:
            workspaces.record_install(
                session, installation.team_id or "", installation.user_id, self.clock()
            )
        logger.info("installed in workspace %s", installation.team_id)


def _success_page(args: SuccessArgs) -> BoltResponse:
    installation = args.installation
    html = install_pages.success_page(
        team_name=installation.team_name or installation.team_id or "your workspace",
        app_url=f"slack://app?team={installation.team_id}&id={installation.app_id}",
    )
    return _html(200, html)


def _failure_page(args: FailureArgs) -> BoltResponse:
    reason = args.reason
    if isinstance(args.error, EnterpriseInstallRefused):
        reason = "enterprise_install"
    logger.warning("an install failed: %s", reason)
    return _html(args.suggested_status_code, install_pages.failure_page(reason))


def _html(status: int, html: str) -> BoltResponse:
    return BoltResponse(
        status=status, body=html, headers={"Content-Type": "text/html; charset=utf-8"}
    )


# --------------------------------------------------------------------------- the scheduler


@dataclass
class _Cached:
    token: str
    client: WebClient


class WorkspaceClients:
    """Each workspace's WebClient, for the scheduler (which has no request to authorize).

    One workspace (`single`): the one client, for every team. Many: `refresh()` reads every
    installed workspace's newest bot token in one query per tick, clients are kept while
    their token stays the same, and a token about to expire is rotated (slack_sdk's
    TokenRotator, saved back through the installation store) before it is used.
    """

    def __init__(
        self,
        base: WebClient,
        *,
        settings: Settings | None = None,
        engine: Engine | None = None,
    ) -> None:
        self.base = base
        self.many = bool(settings and settings.many_workspaces and engine is not None)
        self._settings = settings
        self._engine = engine
        self._lock = threading.Lock()
        self._cached: dict[str, _Cached] = {}
        self._tokens: dict[str, workspaces.BotToken] = {}
        self.queries = 0  # token look-ups made (tests/bot/test_workspaces.py counts them)

    @classmethod
    def single(cls, client: WebClient) -> WorkspaceClients:
        return cls(client)

    def refresh(self, now: datetime) -> None:
        """Read the installed workspaces' tokens (one query); rotate those about to expire."""
        if not self.many or self._engine is None or self._settings is None:
            return
        with self._engine.connect() as connection:
            tokens = workspaces.installed_bot_tokens(
                connection, self._settings.slack_client_id or ""
            )
        self.queries += 1
        for team_id, token in list(tokens.items()):
            expiring = token.expires_at is not None and token.expires_at - now <= ROTATE_BEFORE
            if expiring and token.refresh_token:
                tokens[team_id] = self._rotate(token) or token
        with self._lock:
            self._tokens = tokens
            for team_id in list(self._cached):
                if team_id not in tokens:
                    del self._cached[team_id]

    def installed(self, team_id: str) -> bool:
        return not self.many or team_id in self._tokens

    def for_team(self, team_id: str) -> WebClient | None:
        """The client carrying `team_id`'s token; None when it is not installed."""
        if not self.many:
            return self.base
        with self._lock:
            token = self._tokens.get(team_id)
            if token is None:
                return None
            cached = self._cached.get(team_id)
            if cached is None or cached.token != token.token:
                client = KeepAliveWebClient(
                    token=token.token,
                    base_url=self.base.base_url,
                    timeout=self.base.timeout,
                    ssl=self.base.ssl,  # the process's one SSL context (bot.slack_tls)
                    retry_handlers=list(self.base.retry_handlers),
                )
                cached = self._cached[team_id] = _Cached(token.token, client)
            return cached.client

    def _rotate(self, token: workspaces.BotToken) -> workspaces.BotToken | None:
        assert self._settings is not None and self._engine is not None
        store, _ = build_stores(self._settings, self._engine)
        bot = store.find_bot(enterprise_id=None, team_id=token.team_id)
        if bot is None:
            return None
        rotator = TokenRotator(
            client_id=self._settings.slack_client_id or "",
            client_secret=self._settings.slack_client_secret or "",
            client=WebClient(base_url=self.base.base_url, ssl=self.base.ssl),
        )
        try:
            rotated = rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=int(ROTATE_BEFORE.total_seconds() // 60)
            )
        except Exception as error:  # a failed rotation: try the old token, log the kind
            logger.warning("token rotation failed for %s (%s)", token.team_id, type(error).__name__)
            return None
        if rotated is None or not rotated.bot_token:
            return None
        store.save_bot(rotated)
        logger.info("rotated the bot token of workspace %s", token.team_id)
        return workspaces.BotToken(
            token.team_id, rotated.bot_token, rotated.bot_refresh_token, None
        )


def scheduler_clients(settings: Settings, engine: Engine) -> WorkspaceClients:
    """What the scheduler posts with, in either mode."""
    from bot.app import build_client

    base = build_client(settings.slack_bot_token, settings.slack_api_url, settings.slack_ca_bundle)
    return WorkspaceClients(base, settings=settings, engine=engine)


# --------------------------------------------------------------------------- uninstall, purge


def forget_workspace(
    settings: Settings, engine: Engine, team_id: str, enterprise_id: str | None, now: datetime
) -> None:
    """app_uninstalled / tokens_revoked (bot): delete its tokens, keep its data for RETENTION."""
    with transaction(engine) as session:
        workspaces.mark_uninstalled(session, team_id, now)
    if not settings.many_workspaces:
        # One workspace: its only token is SLACK_BOT_TOKEN, which Slack no longer accepts.
        logger.warning("the app was uninstalled from %s: SLACK_BOT_TOKEN no longer works", team_id)
        return
    store, _ = build_stores(settings, engine)
    store.delete_all(enterprise_id=enterprise_id, team_id=team_id)
    logger.info("workspace %s uninstalled: tokens deleted, data kept for %s", team_id, RETENTION)


def purge_team(engine: Engine, team_id: str) -> int:
    with engine.begin() as connection:
        return workspaces.purge_team(connection, team_id)


def purge_expired(engine: Engine, now: datetime) -> list[str]:
    """The daily purge: every workspace uninstalled more than RETENTION ago."""
    with transaction(engine) as session:
        due = list(workspaces.uninstalled_before(session, now - RETENTION))
    for team_id in due:
        purge_team(engine, team_id)
        logger.info("purged the data of workspace %s (uninstalled over %s ago)", team_id, RETENTION)
    return due
