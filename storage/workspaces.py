"""Workspaces (many-workspace mode): their settings row, their bot tokens, their purge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import ColumnElement, MetaData, Table, false, or_, select
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as select_rows

from storage import models  # noqa: F401  (every table on the metadata, for the purge)
from storage.models import Workspace

# slack_sdk's table, described by slack_sdk itself, so the query below reads what its store
# writes (created by migration 0009).
_BOTS: Table = SQLAlchemyInstallationStore.build_bots_table(MetaData(), "slack_bots")
# Tables the purge empties besides ours: the tokens, in case a purge runs before an uninstall.
_SLACK_TABLES = ("slack_bots", "slack_installations")


@dataclass(frozen=True)
class BotToken:
    team_id: str
    token: str
    refresh_token: str | None
    expires_at: datetime | None  # aware UTC; None when the token does not rotate


def find_workspace(session: Session, team_id: str) -> Workspace | None:
    return session.get(Workspace, team_id)


def record_install(session: Session, team_id: str, installer: str, now: datetime) -> Workspace:
    """The workspace is installed (again): the installer becomes an admin when it has none.

    A reinstall within the retention period keeps the old row and its settings: the data
    was kept for that.
    """
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        workspace = Workspace(
            team_id=team_id, installed_by=installer, installed_at=now, admin_user_ids=installer
        )
    else:
        workspace.uninstalled_at = None
        workspace.installed_at = now
        if not workspace.admin_user_ids:
            workspace.admin_user_ids = installer
    session.add(workspace)
    session.flush()
    return workspace


def mark_uninstalled(session: Session, team_id: str, now: datetime) -> None:
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        workspace = Workspace(team_id=team_id, installed_by="", installed_at=now)
    if workspace.uninstalled_at is None:
        workspace.uninstalled_at = now
    session.add(workspace)


def save_settings(
    session: Session,
    team_id: str,
    *,
    digest_channel: str | None = None,
    admins: Sequence[str] | None = None,
    timezone: str | None = None,
    now: datetime,
) -> Workspace:
    """Change what is given (None: unchanged); a workspace row is made if there is none."""
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        workspace = Workspace(team_id=team_id, installed_by="", installed_at=now)
    if digest_channel is not None:
        workspace.digest_channel = digest_channel
    if admins is not None:
        workspace.admin_user_ids = ",".join(admins)
    if timezone is not None:
        workspace.timezone = timezone
    session.add(workspace)
    session.flush()
    return workspace


def settings_of(session: Session, team_ids: Sequence[str]) -> dict[str, Workspace]:
    """The workspace rows of `team_ids` that exist, in one query."""
    if not team_ids:
        return {}
    rows = session.exec(
        select_rows(Workspace).where(col(Workspace.team_id).in_(list(team_ids)))
    ).all()
    return {row.team_id: row for row in rows}


def uninstalled_before(session: Session, moment: datetime) -> list[str]:
    """Workspaces uninstalled before `moment` (their data is due for the purge)."""
    rows = session.exec(
        select_rows(Workspace)
        .where(col(Workspace.uninstalled_at).is_not(None))
        .where(col(Workspace.uninstalled_at) < moment)
        .order_by(col(Workspace.team_id))
    ).all()
    return [row.team_id for row in rows]


def installed_bot_tokens(connection: Connection, client_id: str) -> dict[str, BotToken]:
    """Every installed workspace's newest bot token, in one query (the scheduler's look-up)."""
    c = _BOTS.c
    rows = connection.execute(
        select(c.team_id, c.bot_token, c.bot_refresh_token, c.bot_token_expires_at)
        .where(c.client_id == client_id, c.team_id.is_not(None), c.bot_token.is_not(None))
        .order_by(c.team_id, c.installed_at, c.id)
    ).all()
    tokens: dict[str, BotToken] = {}
    for team_id, token, refresh, expires in rows:  # the newest row of a team comes last
        if expires is not None and expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)  # slack_sdk stores naive UTC
        tokens[str(team_id)] = BotToken(str(team_id), str(token), refresh, expires)
    return tokens


def purge_team(connection: Connection, team_id: str) -> int:
    """Delete every row that belongs to `team_id`, in every table; the number deleted.

    A row belongs to the team when it has the team's `team_id`, or refers (by foreign key)
    to a row that does; children are deleted before their parents. Generic on purpose: a
    table added later is purged too.
    """
    tables = list(SQLModel.metadata.sorted_tables)
    owned: dict[str, ColumnElement[bool]] = {}
    for table in tables:
        conditions: list[ColumnElement[bool]] = []
        if "team_id" in table.c:
            conditions.append(table.c.team_id == team_id)
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent.name in owned and parent is not table:
                conditions.append(fk.parent.in_(select(fk.column).where(owned[parent.name])))
        owned[table.name] = or_(*conditions) if conditions else false()
    deleted = 0
    for table in reversed(tables):
        result = connection.execute(table.delete().where(owned[table.name]))
        deleted += result.rowcount or 0
    metadata = MetaData()
    for name in _SLACK_TABLES:
        slack_table = Table(name, metadata, autoload_with=connection)
        result = connection.execute(slack_table.delete().where(slack_table.c.team_id == team_id))
        deleted += result.rowcount or 0
    return deleted
