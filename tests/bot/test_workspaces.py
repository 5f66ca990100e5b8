"""Many workspaces on one deployment (issue 15): the two modes, the install pages and
Bolt's OAuth flow against the fake Slack, per-workspace tokens, data and settings,
uninstall, purge. Two workspaces, T0ONE and T0TWO, each with its own vendor channel."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from freezegun import freeze_time
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.__main__ import main
from bot.config import MissingSettingError, Settings, load_settings
from bot.installations import SCOPE_REASONS, purge_expired, scheduler_clients
from bot.scheduling import run_tick
from storage.models import ScheduledPost, Task, Vendor, Workspace
from storage.workspaces import BotToken
from tests.support.checkin_support import button_click
from tests.support.fake_slack import FakeSlack
from tests.support.paths import REPO
from tests.support.workspace_support import Browser, ManyBot, link, many_settings, start_many_bot

ROOT = REPO
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


# --------------------------------------------------------------------------- (3) by workspace

T1, T2 = "xoxb-t0one-token", "xoxb-t0two-token"
ACME, BETA = "<#C1ACME|acme>", "<#C2BETA|beta>"


def two_installed_with_tasks(many: ManyBot) -> None:
    many.install(ONE)
    many.install(TWO)
    assert "Added vendor" in many.command(ONE, f"vendor add {ACME} Acme", "U1ANN", "C1ACME")
    assert "Added vendor" in many.command(TWO, f"vendor add {BETA} Beta", "U2BEN", "C2BETA")
    many.command(ONE, f"{ACME} <@U1VEN|vic> Logo due:2026-12-04", "U1ANN", "C1ACME")
    many.command(TWO, f"{BETA} <@U2VEN|val> Website due:2026-12-04", "U2BEN", "C2BETA")


def calls_by_channel_token(slack: FakeSlack) -> set[tuple[str, str | None]]:
    return {
        (str(c.params["channel"]), c.token)
        for c in slack.calls
        if c.params.get("channel") in ("C1ACME", "C2BETA")
    }


@freeze_time(MONDAY)
def test_two_workspaces_keep_to_themselves(many: ManyBot, engine: Engine) -> None:
    two_installed_with_tasks(many)
    with Session(engine) as session:
        rows = session.exec(select(Task.team_id, Task.title).order_by(Task.title)).all()
        assert [tuple(r) for r in rows] == [(ONE, "Logo"), (TWO, "Website")]
        teams = session.exec(select(Vendor.team_id, Vendor.channel_id).order_by(Vendor.team_id))
        assert [tuple(r) for r in teams.all()] == [(ONE, "C1ACME"), (TWO, "C2BETA")]

    # Commands see their own workspace only.
    one_list = many.command(ONE, "list all", "U1ANN", "C1ACME")
    two_list = many.command(TWO, "list all", "U2BEN", "C2BETA")
    assert "Logo" in one_list and "Website" not in one_list
    assert "Website" in two_list and "Logo" not in two_list
    # A command naming the other workspace's channel finds no vendor there.
    assert "Logo" not in many.command(TWO, f"list {ACME}", "U2BEN", "C2BETA")

    # The Home tab: own tasks, own token.
    many.slack.reset_calls()
    event = {"type": "app_home_opened", "user": "U1ANN", "channel": "D1", "tab": "home"}
    assert many.event(ONE, event).status == 200
    [home] = many.slack.wait_for("views.publish")
    assert home.token == T1 and "Logo" in str(home.params) and "Website" not in str(home.params)

    # The scheduler: each workspace's check-in with its own token (one look-up query).
    many.slack.reset_calls()
    clients = scheduler_clients(many.deps.settings, engine)
    report = run_tick(many.deps, clients, datetime(2026, 11, 30, 9, 1, tzinfo=UTC))
    assert clients.queries == 1
    assert report.posted["checkin"] == 2, report.line()
    assert calls_by_channel_token(many.slack) == {("C1ACME", T1), ("C2BETA", T2)}

    # A click from workspace TWO on workspace ONE's check-in changes nothing.
    with Session(engine) as session:
        post = session.exec(select(ScheduledPost)).all()
        one_post = next(p for p in post if p.channel_id == "C1ACME")
        logo = session.exec(select(Task).where(Task.title == "Logo")).one()
    body = button_click(one_post, logo.saved_id, "done", user="U2VEN", channel="C2BETA")
    body["team"] = {"id": TWO, "domain": "two"}
    body["user"]["team_id"] = TWO
    many.slack.reset_calls()
    many.post_signed(urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded")
    with Session(engine) as session:
        assert session.get(Task, logo.id).status == "open"  # type: ignore[union-attr]
    assert all(c.token in (T2, None) for c in many.slack.calls)


def test_each_workspace_has_its_own_429_wait(engine: Engine, slack: FakeSlack) -> None:
    from bot.scheduling.rate_limits import TeamClients as _TeamClients

    settings = many_settings(slack, engine, "http://127.0.0.1:1")
    clients = scheduler_clients(settings, engine)
    clients._tokens = {team: BotToken(team, f"xoxb-{team}", None, None) for team in (ONE, TWO)}
    tick_clients = _TeamClients(clients, pooled=True)
    one, two = tick_clients.for_team(ONE), tick_clients.for_team(TWO)
    assert one is not None and two is not None and one.token != two.token
    waits = [
        next(h for h in c.retry_handlers if isinstance(h, RateLimitErrorRetryHandler))
        for c in (one, two)
    ]
    assert waits[0] is not waits[1]
    assert tick_clients.for_team("T0GONE") is None


# --------------------------------------------------------------------------- (5) uninstall


def bots_of(engine: Engine, team: str) -> int:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM slack_bots WHERE team_id = :t"), {"t": team}
        ).scalar()
    return int(found or 0)


def vendor_teams(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(Vendor.team_id)).all())


@pytest.mark.parametrize("event_type", ["app_uninstalled", "tokens_revoked"])
def test_uninstall_stops_the_workspace_at_the_next_tick_and_purges_after_30_days(
    many: ManyBot, engine: Engine, event_type: str
) -> None:
    with freeze_time(MONDAY):
        two_installed_with_tasks(many)
        clients = scheduler_clients(many.deps.settings, engine)
        run_tick(many.deps, clients, datetime(2026, 11, 30, 9, 1, tzinfo=UTC))
        assert calls_by_channel_token(many.slack) >= {("C1ACME", T1), ("C2BETA", T2)}

        event: dict[str, object] = {"type": event_type}
        if event_type == "tokens_revoked":
            event["tokens"] = {"oauth": [], "bot": ["U0BOT"]}
        assert many.event(ONE, event).status == 200
        many.settle()
        assert bots_of(engine, ONE) == 0
        assert bots_of(engine, TWO) == 1
        with Session(engine) as session:
            gone = session.get(Workspace, ONE)
            assert gone is not None and gone.uninstalled_at is not None

    # Tuesday's tick: TWO's check-in goes out, ONE's does not.
    many.slack.reset_calls()
    report = run_tick(many.deps, clients, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))
    assert report.posted["checkin"] == 1, report.line()
    assert calls_by_channel_token(many.slack) == {("C2BETA", T2)}

    # Kept for 30 days, then purged; TWO untouched.
    assert purge_expired(engine, datetime(2026, 12, 29, tzinfo=UTC)) == []
    assert vendor_teams(engine) == [ONE, TWO]
    assert purge_expired(engine, datetime(2027, 1, 1, tzinfo=UTC)) == [ONE]
    assert vendor_teams(engine) == [TWO]
    with Session(engine) as session:
        assert [t.team_id for t in session.exec(select(Task)).all()] == [TWO]
        assert session.get(Workspace, ONE) is None


def test_a_reinstall_within_30_days_picks_up_where_it_left(many: ManyBot, engine: Engine) -> None:
    with freeze_time(MONDAY):
        two_installed_with_tasks(many)
        many.event(ONE, {"type": "app_uninstalled"})
        many.settle()
        assert bots_of(engine, ONE) == 0
        many.install(ONE)
        assert "Logo" in many.command(ONE, "list all", "U1ANN", "C1ACME")
    with Session(engine) as session:
        back = session.get(Workspace, ONE)
        assert back is not None and back.uninstalled_at is None
    assert purge_expired(engine, datetime(2027, 6, 1, tzinfo=UTC)) == []


def test_purge_command_deletes_one_workspace_at_once(
    many: ManyBot,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    with freeze_time(MONDAY):
        two_installed_with_tasks(many)
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        # The test's private schema, as libpq options in the URL (the CLI takes only a URL).
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar()
        url += f"?options=-csearch_path%3D{schema}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["purge", "--team", ONE]) == 0
    assert "of workspace T0ONE" in capsys.readouterr().out
    assert vendor_teams(engine) == [TWO] and bots_of(engine, ONE) == 0
    assert main(["purge", "--team", "T0;DROP"]) == 2


# --------------------------------------------------------------------------- (4) settings


def test_settings_are_per_workspace_and_for_admins_only(many: ManyBot, engine: Engine) -> None:
    many.slack.add_user("U1BOB", "bob", team_id=ONE)
    with freeze_time(MONDAY):
        two_installed_with_tasks(many)
        shown = many.command(ONE, "settings", "U1ANN", "C1ACME")
        assert "Admins: <@U1ANN>" in shown and "Default time zone: UTC" in shown
        assert "Only this workspace's Delegate admins" in many.command(
            ONE, "settings tz:Asia/Tokyo", "U1BOB", "C1ACME"
        )
        changed = many.command(
            ONE,
            "settings digest:<#C1DIGEST|digest> admins:<@U1ANN|ann>,<@U1BOB|bob> tz:europe/london",
            "U1ANN",
            "C1ACME",
        )
        assert "Digest channel: <#C1DIGEST>" in changed
        assert "Admins: <@U1ANN>, <@U1BOB>" in changed and "Europe/London" in changed
        # Bob is an admin now; workspace TWO is untouched.
        assert "Europe/London" in many.command(ONE, "settings", "U1BOB", "C1ACME")
        two = many.command(TWO, "settings", "U2BEN", "C2BETA")
        assert "Admins: <@U2BEN>" in two and "Default time zone: UTC" in two
        # Ann is someone from another organisation in workspace TWO: refused as such.
        assert "is for the team that works with you" in many.command(
            TWO, "settings", "U1ANN", "C2BETA"
        )
        # Bad input: a short reply that says how to write it, nothing changed.
        bad = many.command(ONE, "settings digest:general", "U1ANN", "C1ACME")
        assert "`digest:` takes a channel" in bad
        assert "not an IANA" in many.command(
            ONE, "settings tz:Mars/Olympus", "U1ANN", "C1ACME"
        ) or ("time zone" in many.command(ONE, "settings tz:Mars/Olympus", "U1ANN", "C1ACME"))
    with Session(engine) as session:
        one = session.get(Workspace, ONE)
        assert one is not None and one.timezone == "Europe/London"
        assert one.digest_channel == "C1DIGEST"


def test_each_workspace_gets_its_digest_in_its_channel_with_its_token(
    many: ManyBot, engine: Engine
) -> None:
    many.slack.add_channel("C1DIGEST", "one-digest", members=["U1ANN", "U0BOT"])
    many.slack.add_channel("C2DIGEST", "two-digest", members=["U2BEN", "U0BOT"])
    with freeze_time(MONDAY):
        two_installed_with_tasks(many)
        many.command(ONE, "settings digest:<#C1DIGEST|d>", "U1ANN", "C1ACME")
        many.command(TWO, "settings digest:<#C2DIGEST|d> tz:Asia/Tokyo", "U2BEN", "C2BETA")
    many.slack.reset_calls()
    clients = scheduler_clients(many.deps.settings, engine)
    # Friday 16:05 in London (UTC) is past 16:00 Tokyo: both digests are due.
    report = run_tick(many.deps, clients, datetime(2026, 12, 4, 16, 5, tzinfo=UTC))
    posted = {
        (c.params["channel"], c.token)
        for c in many.slack.calls_to("chat.postMessage")
        if str(c.params.get("channel", "")).endswith("DIGEST")
    }
    assert report.posted["digest"] + report.skipped["digest"] == 2, report.line()
    assert posted <= {("C1DIGEST", T1), ("C2DIGEST", T2)} and ("C1DIGEST", T1) in posted
    one_digest = [
        str(c.params)
        for c in many.slack.calls_to("chat.postMessage")
        if c.params.get("channel") == "C1DIGEST"
    ]
    assert one_digest and "Beta" not in one_digest[0]


def test_one_workspace_mode_shows_the_environment_as_defaults(engine: Engine) -> None:
    from tests.support.slack_requests import start_bot

    with FakeSlack() as fake:
        fake.add_user("U0ALICE", "alice")
        with start_bot(
            engine, fake, summary_channel="C0SUM", admin_user_ids=frozenset({"U0ALICE"})
        ) as bot:
            shown = bot.command("settings")
            assert "Digest channel: <#C0SUM>" in shown and "Admins: <@U0ALICE>" in shown
            changed = bot.command("settings tz:Asia/Manila")
            assert "Asia/Manila" in changed and "<#C0SUM>" in changed


def test_rotating_tokens_are_refreshed_before_they_expire(engine: Engine, slack: FakeSlack) -> None:
    slack.add_workspace(
        "T0ROT", "Rotating", installer="U3ROY", refresh_token="xoxe-1-refresh", expires_in=3600
    )
    slack.add_user("U3ROY", "roy", team_id="T0ROT")
    slack.add_channel("C3ROT", "rot", members=["U3ROY", "U0BOT"])
    with start_many_bot(engine, slack) as many:
        with freeze_time(MONDAY):
            many.install("T0ROT")
            # Within 2 hours of expiry: Bolt rotates the token before the listener runs.
            reply = many.command("T0ROT", "vendor add <#C3ROT|rot> Rot", "U3ROY", "C3ROT")
            assert "Added vendor" in reply
            many.command("T0ROT", "<#C3ROT|rot> Plan due:2026-12-04", "U3ROY", "C3ROT")
        with engine.connect() as connection:
            [(token,)] = connection.execute(
                text("SELECT bot_token FROM slack_bots WHERE team_id = 'T0ROT'")
            ).all()
        assert token != "xoxb-t0rot-token"  # rotated, and the old one is refused by Slack
        # The scheduler rotates too when the stored token is about to expire.
        slack.reset_calls()
        clients = scheduler_clients(many.deps.settings, engine)
        later = datetime(2026, 11, 30, 9, 1, tzinfo=UTC)
        with freeze_time(later):
            report = run_tick(many.deps, clients, later)
        assert report.posted["checkin"] == 1, report.line()
        [post] = [c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "C3ROT"]
        assert post.token not in (None, "xoxb-t0rot-token", token)
        assert slack.calls_to("oauth.v2.access")


@freeze_time(MONDAY)
def test_summaries_and_reports_stay_in_their_workspace(many: ManyBot) -> None:
    two_installed_with_tasks(many)
    many.slack.reset_calls()
    many.command(ONE, f"summary {ACME}", "U1ANN", "C1ACME")
    many.command(TWO, f"summary {ACME}", "U2BEN", "C2BETA")  # another workspace's channel
    summaries = [c for c in many.slack.calls_to("chat.postMessage")]
    assert [(c.params["channel"], c.token) for c in summaries] == [("C1ACME", T1)]
    # Counts only workspace ONE's task (TWO's would make it 2 open).
    assert "1 open" in summaries[0].params["text"]

    many.slack.reset_calls()
    many.command(TWO, "report", "U2BEN", "C2BETA")
    many.slack.wait_for("files.completeUploadExternal")
    uploads = [c for c in many.slack.calls if c.method.startswith("files.")]
    assert uploads and {c.token for c in uploads} == {T2}
    csv = b"".join(many.slack.uploads.values()).decode()
    assert "Website" in csv and "Logo" not in csv


def test_one_workspace_mode_answers_an_uninstall(engine: Engine) -> None:
    from tests.support.slack_requests import start_bot

    with FakeSlack() as fake, start_bot(engine, fake) as bot:
        envelope = {
            "team_id": "T0TEAM",
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": "Ev0UNINSTALL",
            "event_time": int(time.time()),
            "event": {"type": "app_uninstalled"},
        }
        assert bot.event(envelope).status == 200

        def recorded() -> bool:
            with Session(engine) as session:
                return session.get(Workspace, "T0TEAM") is not None

        bot.settle()
        assert recorded()


def test_a_digest_channel_set_by_command_works_without_summary_channel(
    engine: Engine,
) -> None:
    from tests.support.slack_requests import start_bot

    with FakeSlack() as fake, start_bot(engine, fake) as bot:
        fake.add_user("U0ALICE", "alice")
        fake.add_channel("C0DIG", "digest", members=["U0ALICE", "U0BOT"])
        fake.add_channel("C0ACME", "acme", members=["U0ALICE", "U0BOT"])
        with freeze_time(MONDAY):
            assert "Added vendor" in bot.command("vendor add <#C0ACME|acme> Acme")
            bot.command("settings digest:<#C0DIG|digest>")
        assert bot.deps.settings.summary_channel is None
        fake.reset_calls()
        report = run_tick(
            bot.deps,
            scheduler_clients(bot.deps.settings, engine),
            datetime(2026, 12, 4, 16, 5, tzinfo=UTC),
        )
        assert report.posted["digest"] == 1, report.line()
        assert [c.params["channel"] for c in fake.calls_to("chat.postMessage")].count("C0DIG") == 1
