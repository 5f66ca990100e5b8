"""Many workspaces on one deployment (issue 15): the two modes, the install pages and
Bolt's OAuth flow against the fake Slack, per-workspace tokens, data and settings,
uninstall, purge. Two workspaces, T0ONE and T0TWO, each with its own vendor channel."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from freezegun import freeze_time
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.__main__ import main
from bot.config import MissingSettingError, Settings, load_settings
from bot.fake_slack import FakeSlack
from bot.installations import SCOPE_REASONS
from storage.models import Workspace
from tests.workspace_support import Browser, ManyBot, link, start_many_bot

ROOT = Path(__file__).resolve().parent.parent
ONE, TWO = "T0ONE", "T0TWO"
MONDAY = "2026-11-30 08:00:00"  # a Monday, before the 09:00 UTC check-ins


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_workspace(ONE, "One Inc", installer="U1ANN")
        fake.add_workspace(TWO, "Two Ltd", installer="U2BEN")
        fake.add_user("U1ANN", "ann", team_id=ONE)
        fake.add_user("U2BEN", "ben", team_id=TWO)
        fake.add_user("U1VEN", "vic", team_id="T0VENDOR1")
        fake.add_user("U2VEN", "val", team_id="T0VENDOR2")
        fake.add_channel("C1ACME", "acme", members=["U1ANN", "U1VEN", "U0BOT"])
        fake.add_channel("C2BETA", "beta", members=["U2BEN", "U2VEN", "U0BOT"])
        yield fake


@pytest.fixture
def many(engine: Engine, slack: FakeSlack) -> Iterator[ManyBot]:
    with start_many_bot(engine, slack) as running:
        yield running


def tokens_of(slack: FakeSlack, channel: str, method: str = "chat.postMessage") -> set[str | None]:
    return {c.token for c in slack.calls_to(method) if c.params.get("channel") == channel}


# --------------------------------------------------------------------------- (1) two modes


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, False),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s"}, True),
    ],
)
def test_one_mode_or_the_other(environ: dict[str, str], expected: bool) -> None:
    settings = load_settings(environ, dotenv_path=None)
    settings.require_one_mode()
    assert settings.many_workspaces is expected


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({}, "neither SLACK_BOT_TOKEN nor"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s"},
            "both SLACK_BOT_TOKEN and",
        ),
        ({"SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_SECRET is not set"),
    ],
)
def test_both_or_neither_is_refused(environ: dict[str, str], says: str) -> None:
    with pytest.raises(MissingSettingError, match=says):
        load_settings(environ, dotenv_path=None).require_one_mode()


def test_both_modes_exit_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    # main() points logging at this test's captured stderr: put the handlers back after.
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    for name, value in {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "client-secret-value",
        "SLACK_SIGNING_SECRET": "s",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["tick"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "choose SLACK_BOT_TOKEN for one workspace" in err[0]
    assert "client-secret-value" not in err[0]


def test_scopes_default_to_the_manifests_and_can_be_set() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert list(SCOPE_REASONS) == manifest["oauth_config"]["scopes"]["bot"]
    settings = load_settings({"SLACK_SCOPES": "commands, chat:write"}, dotenv_path=None)
    assert settings.slack_scopes == ("commands", "chat:write")
    secret = Settings(slack_client_secret="hide-me")
    assert "hide-me" not in repr(secret) and "hide-me" in secret.secrets()


# --------------------------------------------------------------------------- (2) install pages


def test_install_page_lists_scopes_and_links_to_slack(many: ManyBot) -> None:
    page = Browser().get(many.url + "/slack/install")
    assert page.status == 200
    for scope in SCOPE_REASONS:
        assert f"<dt>{scope}</dt>" in page.body
    url = link(page.body, "add-to-slack")
    assert url.startswith(f"{many.slack.base_url}/oauth/v2/authorize?")
    assert "client_id=1111.2222" in url and "scope=commands,chat:write" in url
    assert "state=" in url and "redirect_uri=" in url
    assert "<script" not in page.body


def test_install_stores_the_installation_and_the_installer_is_admin(
    many: ManyBot, engine: Engine
) -> None:
    page = many.install(ONE)
    assert "Delegate is installed in One Inc" in page
    assert "slack://app?team=T0ONE" in page and "/delegate" in page
    oauth = many.slack.calls_to("oauth.v2.access")
    assert len(oauth) == 1 and oauth[0].params["client_id"] == "1111.2222"
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT team_id, bot_token FROM slack_bots")).all()
    assert [tuple(r) for r in rows] == [(ONE, "xoxb-t0one-token")]
    with Session(engine) as session:
        workspace = session.get(Workspace, ONE)
        assert workspace is not None and workspace.admin_user_ids == "U1ANN"


def test_cancelled_install_says_so_and_offers_a_retry(many: ManyBot) -> None:
    page = many.install(ONE, decision="cancel")
    assert "Installation cancelled" in page and 'href="/slack/install"' in page


def test_expired_state_is_refused(many: ManyBot) -> None:
    browser = Browser()
    with freeze_time(datetime.now(UTC)) as frozen:
        page = browser.get(many.url + "/slack/install")
        authorize = link(page.body, "add-to-slack")
        frozen.tick(timedelta(minutes=11))
        query = authorize.split("?", 1)[1]
        body = browser.get(
            f"{many.slack.base_url}/oauth/v2/decide?{query}&team={ONE}&decision=allow"
        ).body
    assert "This install link has expired" in body
    assert not many.slack.calls_to("oauth.v2.access")


def test_a_bad_code_is_refused(many: ManyBot) -> None:
    browser = Browser()
    page = browser.get(many.url + "/slack/install")
    state = link(page.body, "add-to-slack").split("state=")[1].split("&")[0]
    body = browser.get(f"{many.url}/slack/oauth_redirect?code=bogus&state={state}").body
    assert "Slack did not accept the install" in body and 'href="/slack/install"' in body


def test_an_org_wide_install_is_refused(many: ManyBot, engine: Engine) -> None:
    many.slack.add_workspace("T0GRID", "Grid", enterprise_id="E0GRID")
    many.slack._workspaces["T0GRID"].enterprise_id = "E0GRID"
    original = many.slack._oauth_v2_access

    def org_wide(p: dict[str, object], token: str | None) -> dict[str, object]:
        result = original(p, token)
        return {**result, "is_enterprise_install": True}

    many.slack._methods["oauth.v2.access"] = org_wide
    body = many.install("T0GRID")
    assert "Org-wide installs are not supported" in body
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM slack_bots")).scalar() == 0
