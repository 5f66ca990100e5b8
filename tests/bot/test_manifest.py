"""manifest.yml creates a working app: valid for Slack, and in step with what the code listens to.

The manifest has no `_metadata.major_version` (the format Slack's app settings page exports),
so it is checked against Slack's manifest schema 1.0.0. A copy of that schema is vendored in
tests/fixtures/ so the test runs in any clone; the shared copy next to the repository is only
a fallback, and when both exist they must agree.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for

from tests.support.paths import REPO

MANIFEST = REPO / "manifest.yml"
SCHEMA_NAME = "manifest.schema.1.0.0.json"
VENDORED_SCHEMA = REPO / "tests" / "fixtures" / "slack-manifest-schema" / SCHEMA_NAME
SHARED_SCHEMA = REPO.parent / "shared" / "slack-manifest-schema" / SCHEMA_NAME  # /work/shared

COMMAND = "/delegate"
REQUEST_PATH = "/slack/events"

# Bot events the app's listeners handle. Each must be subscribed in the manifest.
APP_HOME_OPENED = "app_home_opened"
MESSAGE_CHANNELS = "message.channels"  # thread replies in public vendor channels
MESSAGE_GROUPS = "message.groups"  # thread replies in private vendor channels
MEMBER_LEFT_CHANNEL = "member_left_channel"
CHANNEL_ARCHIVE = "channel_archive"
GROUP_ARCHIVE = "group_archive"
CHANNEL_UNSHARED = "channel_unshared"
# Slack sends these (not member_left_channel) to the bot when the bot itself is removed.
CHANNEL_LEFT = "channel_left"
GROUP_LEFT = "group_left"
# Forget what bot.slack_facts remembers about a channel or a user (handlers/channel_events.py).
CHANNEL_RENAME = "channel_rename"
GROUP_RENAME = "group_rename"
CHANNEL_UNARCHIVE = "channel_unarchive"
GROUP_UNARCHIVE = "group_unarchive"
CHANNEL_DELETED = "channel_deleted"
GROUP_DELETED = "group_deleted"
MEMBER_JOINED_CHANNEL = "member_joined_channel"
CHANNEL_SHARED = "channel_shared"
USER_CHANGE = "user_change"
# Many-workspace mode (handlers/oauth.py): a workspace removed the app or revoked its token.
APP_UNINSTALLED = "app_uninstalled"
TOKENS_REVOKED = "tokens_revoked"

LISTENED_EVENTS = (
    APP_HOME_OPENED,
    MESSAGE_CHANNELS,
    MESSAGE_GROUPS,
    MEMBER_LEFT_CHANNEL,
    CHANNEL_ARCHIVE,
    GROUP_ARCHIVE,
    CHANNEL_UNSHARED,
    CHANNEL_LEFT,
    GROUP_LEFT,
    CHANNEL_RENAME,
    GROUP_RENAME,
    CHANNEL_UNARCHIVE,
    GROUP_UNARCHIVE,
    CHANNEL_DELETED,
    GROUP_DELETED,
    MEMBER_JOINED_CHANNEL,
    CHANNEL_SHARED,
    USER_CHANGE,
    APP_UNINSTALLED,
    TOKENS_REVOKED,
)

# Scopes Slack requires before it delivers each event (from Slack's event reference). Events
# that can concern a public or a private channel need both scopes, or the private-channel
# half silently never arrives.
EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    APP_HOME_OPENED: (),
    MESSAGE_CHANNELS: ("channels:history",),
    MESSAGE_GROUPS: ("groups:history",),
    MEMBER_LEFT_CHANNEL: ("channels:read", "groups:read"),
    CHANNEL_ARCHIVE: ("channels:read",),
    GROUP_ARCHIVE: ("groups:read",),
    CHANNEL_UNSHARED: ("channels:read", "groups:read"),
    CHANNEL_LEFT: ("channels:read",),
    GROUP_LEFT: ("groups:read",),
    CHANNEL_RENAME: ("channels:read",),
    GROUP_RENAME: ("groups:read",),
    CHANNEL_UNARCHIVE: ("channels:read",),
    GROUP_UNARCHIVE: ("groups:read",),
    CHANNEL_DELETED: ("channels:read",),
    GROUP_DELETED: ("groups:read",),
    MEMBER_JOINED_CHANNEL: ("channels:read", "groups:read"),
    CHANNEL_SHARED: ("channels:read", "groups:read"),
    USER_CHANGE: ("users:read",),
    APP_UNINSTALLED: (),
    TOKENS_REVOKED: (),
}

# Scopes the code's Web API calls need, beyond the events above.
CALL_SCOPES = (
    "commands",  # the slash command itself
    "chat:write",  # chat.postMessage / chat.update
    "channels:join",  # conversations.join into a public vendor channel
    "im:write",  # conversations.open for the DM a CSV report is uploaded to
    "users:read",  # users.info (time zone, external people)
    "files:write",  # files.getUploadURLExternal / files.completeUploadExternal
)


def load_schema() -> dict[str, Any]:
    path = VENDORED_SCHEMA if VENDORED_SCHEMA.is_file() else SHARED_SCHEMA
    if not path.is_file():
        pytest.fail(f"Slack's manifest schema is missing: expected {VENDORED_SCHEMA}")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "manifest.yml must be a YAML mapping"
    return data


def bot_scopes(manifest: dict[str, Any]) -> set[str]:
    return set(manifest["oauth_config"]["scopes"]["bot"])


def bot_events(manifest: dict[str, Any]) -> set[str]:
    return set(manifest["settings"]["event_subscriptions"]["bot_events"])


def test_manifest_is_valid_against_slacks_schema(manifest: dict[str, Any]) -> None:
    schema = load_schema()
    validator_class = validator_for(schema, default=Draft7Validator)
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(manifest), key=lambda e: list(e.path))
    messages = [f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors]
    assert not messages, "manifest.yml breaks Slack's schema:\n" + "\n".join(messages)


def test_manifest_has_no_major_version(manifest: dict[str, Any]) -> None:
    # With _metadata.major_version 2 Slack would check it against the 2.0.0 schema instead.
    assert "major_version" not in manifest.get("_metadata", {})


def test_vendored_schema_matches_the_shared_copy() -> None:
    if not (VENDORED_SCHEMA.is_file() and SHARED_SCHEMA.is_file()):
        pytest.skip("only one copy of the schema is present")
    vendored = json.loads(VENDORED_SCHEMA.read_text(encoding="utf-8"))
    shared = json.loads(SHARED_SCHEMA.read_text(encoding="utf-8"))
    assert vendored == shared, f"{VENDORED_SCHEMA} differs from {SHARED_SCHEMA}: re-vendor it"


def test_delegate_command_escapes_channels_and_users(manifest: dict[str, Any]) -> None:
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert COMMAND in commands
    command = commands[COMMAND]
    assert command.get("should_escape") is True, "the parser expects <#C…|name> / <@U…|name>"
    assert command.get("usage_hint")
    assert command.get("description")


def test_every_listened_event_is_subscribed(manifest: dict[str, Any]) -> None:
    missing = sorted(set(LISTENED_EVENTS) - bot_events(manifest))
    assert not missing, f"bot_events lacks {missing}"


def test_every_subscribed_event_is_known(manifest: dict[str, Any]) -> None:
    # An event nobody handles costs a 404 per delivery; add it to LISTENED_EVENTS with a listener.
    unknown = sorted(bot_events(manifest) - set(LISTENED_EVENTS))
    assert not unknown, f"bot_events has events no listener handles: {unknown}"


@pytest.mark.parametrize("event", LISTENED_EVENTS)
def test_each_event_has_its_required_scopes(manifest: dict[str, Any], event: str) -> None:
    missing = sorted(set(EVENT_SCOPES[event]) - bot_scopes(manifest))
    assert not missing, f"{event} needs bot scopes {missing}"


def test_scopes_for_the_web_api_calls_are_granted(manifest: dict[str, Any]) -> None:
    missing = sorted(set(CALL_SCOPES) - bot_scopes(manifest))
    assert not missing, f"missing bot scopes {missing}"


def test_scopes_are_minimal(manifest: dict[str, Any]) -> None:
    needed = set(CALL_SCOPES).union(*EVENT_SCOPES.values())
    extra = sorted(bot_scopes(manifest) - needed)
    assert not extra, f"bot scopes nothing needs: {extra} (justify them here or drop them)"
    assert not manifest["oauth_config"]["scopes"].get("user"), "the app needs no user scopes"


def test_home_and_messages_tabs(manifest: dict[str, Any]) -> None:
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert home["messages_tab_enabled"] is True
    assert home.get("messages_tab_read_only_enabled", False) is False
    bot_user = manifest["features"]["bot_user"]
    assert bot_user["display_name"] == "delegate"
    assert bot_user["always_online"] is True


def test_interactivity_is_on(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_every_url_points_at_slack_events(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    urls = {
        "interactivity": settings["interactivity"].get("request_url"),
        "event_subscriptions": settings["event_subscriptions"].get("request_url"),
    }
    for command in manifest["features"]["slash_commands"]:
        urls[command["command"]] = command.get("url")
    for where, url in urls.items():
        assert url, f"{where} has no URL"
        assert url.startswith("https://"), f"{where}: Slack needs HTTPS, got {url}"
        assert url.endswith(REQUEST_PATH), f"{where}: {url} does not end with {REQUEST_PATH}"


def test_settings_for_a_single_workspace_http_app(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False


def test_the_oauth_redirect_url_is_set(manifest: dict[str, Any]) -> None:
    # Many-workspace mode: Slack sends installers back to /slack/oauth_redirect.
    urls = manifest["oauth_config"].get("redirect_urls") or []
    assert [u for u in urls if u.endswith("/slack/oauth_redirect")], urls
