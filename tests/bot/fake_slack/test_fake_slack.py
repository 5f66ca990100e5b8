"""The loopback Slack fake, exercised through the real slack_sdk / slack_bolt clients."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from tests.support.fake_slack import Call, FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        f.add_user("U0ALICE", "alice", tz="Europe/Berlin")
        f.add_user("U0VENDOR", "vera", team_id="T0VENDOR", tz="Asia/Kolkata")
        f.add_channel("C0GEN", "general", members=["U0ALICE"])
        f.add_bot_to("C0GEN")
        f.add_channel("C0RAND", "random", members=["U0ALICE"])
        f.add_channel("C0SECRET", "secret", is_private=True)
        f.add_channel("C0OLD", "old", is_archived=True)
        f.add_channel("C0SHARED", "vendor-x", members=["U0VENDOR"], is_ext_shared=True)
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.api_url, token=fake.bot_token)


def slack_error(exc: pytest.ExceptionInfo[SlackApiError]) -> Any:
    return exc.value.response["error"]


def test_auth_test_and_urls(fake: FakeSlack, client: WebClient) -> None:
    resp = client.auth_test()
    assert resp["user_id"] == "U0BOT"
    assert resp["bot_id"] == "B0BOT"
    assert resp["team_id"] == fake.installed_team() == "T0TEAM"
    assert fake.api_url == fake.base_url + "/api/"
    assert fake.calls == [Call("auth.test", {}, "xoxb-test-token")]


def test_post_update_ephemeral_permalink(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C0GEN", text="hi", blocks=blocks)
    assert first["channel"] == "C0GEN"
    assert first["message"]["text"] == "hi"
    assert first["message"]["blocks"] == blocks
    assert first["message"]["user"] == "U0BOT"
    assert "thread_ts" not in first["message"]

    reply = client.chat_postMessage(channel="C0GEN", text="in thread", thread_ts=first["ts"])
    assert reply["message"]["thread_ts"] == first["ts"]
    assert float(reply["ts"]) > float(first["ts"])

    updated = client.chat_update(channel="C0GEN", ts=first["ts"], text="hello")
    assert updated["text"] == "hello"

    stored = fake.messages_in("C0GEN")
    assert [m["text"] for m in stored] == ["hello", "in thread"]
    assert stored[0]["blocks"] == blocks  # retained when chat.update omits blocks
    assert stored[0]["reply_count"] == 1
    assert stored[1]["thread_ts"] == first["ts"]

    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel="C0GEN", ts="1.000000", text="x")
    assert slack_error(missing) == "message_not_found"

    eph = client.chat_postEphemeral(channel="C0GEN", user="U0ALICE", text="only you")
    assert eph["message_ts"]
    assert fake.ephemerals[0]["user"] == "U0ALICE"
    assert fake.ephemerals[0]["text"] == "only you"
    assert len(fake.messages_in("C0GEN")) == 2  # ephemerals are not channel messages

    link = client.chat_getPermalink(channel="C0GEN", message_ts=reply["ts"])
    digits = reply["ts"].replace(".", "")
    assert link["permalink"] == (
        f"https://fake.slack.test/archives/C0GEN/p{digits}?thread_ts={first['ts']}&cid=C0GEN"
    )

    client.chat_delete(channel="C0GEN", ts=reply["ts"])
    assert [m["text"] for m in fake.messages_in("C0GEN")] == ["hello"]

    call = fake.calls_to("chat.postMessage")[0]
    assert call.token == "xoxb-test-token"
    assert call.params["blocks"] == blocks
    assert fake.wait_for("chat.postMessage", count=2)[1].params["thread_ts"] == first["ts"]


def test_form_encoded_and_query_arguments_are_merged(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "divider"}]
    client.api_call(
        "chat.postMessage",
        data={"channel": "C0GEN", "text": "form", "blocks": json.dumps(blocks)},
    )
    call = fake.calls_to("chat.postMessage")[0]
    assert call.params == {"channel": "C0GEN", "text": "form", "blocks": blocks}
    assert fake.messages_in("C0GEN")[0]["blocks"] == blocks

    req = urllib.request.Request(f"{fake.api_url}users.info?user=U0ALICE&token=xoxb-q")
    with urllib.request.urlopen(req, timeout=5) as resp:
        body = json.load(resp)
    assert body["ok"] is True and body["user"]["name"] == "alice"
    assert fake.calls[-1] == Call("users.info", {"user": "U0ALICE"}, "xoxb-q")


def test_channel_errors(fake: FakeSlack, client: WebClient) -> None:
    for channel, error in [
        ("C0RAND", "not_in_channel"),
        ("C0OLD", "is_archived"),
        ("C0NOPE", "channel_not_found"),
    ]:
        with pytest.raises(SlackApiError) as exc:
            client.chat_postMessage(channel=channel, text="x")
        assert slack_error(exc) == error, channel
    assert fake.messages == {}

    info = client.conversations_info(channel="C0SHARED")["channel"]
    assert info["is_ext_shared"] is True
    assert info["is_member"] is False
    assert info["is_channel"] is True
    with pytest.raises(SlackApiError) as exc:
        client.conversations_info(channel="C0NOPE")
    assert slack_error(exc) == "channel_not_found"


def test_direct_messages(fake: FakeSlack, client: WebClient) -> None:
    sent = client.chat_postMessage(channel="U0ALICE", text="psst")
    assert sent["channel"] == "DU0ALICE"
    assert fake.messages_in("DU0ALICE")[0]["text"] == "psst"

    opened = client.conversations_open(users="U0ALICE")
    assert opened["channel"]["id"] == "DU0ALICE"
    assert opened["already_open"] is True

    info = client.conversations_info(channel="DU0ALICE")["channel"]
    assert info["is_im"] is True
    assert info["user"] == "U0ALICE"


def test_join_public_but_not_private(fake: FakeSlack, client: WebClient) -> None:
    joined = client.conversations_join(channel="C0RAND")
    assert joined["channel"]["is_member"] is True
    client.chat_postMessage(channel="C0RAND", text="now I can")
    assert client.conversations_members(channel="C0RAND")["members"] == ["U0ALICE", "U0BOT"]

    for channel, error in [
        ("C0SECRET", "method_not_supported_for_channel_type"),
        ("C0OLD", "is_archived"),
    ]:
        with pytest.raises(SlackApiError) as exc:
            client.conversations_join(channel=channel)
        assert slack_error(exc) == error


def test_users_info_across_teams(client: WebClient) -> None:
    alice = client.users_info(user="U0ALICE")["user"]
    assert alice["team_id"] == "T0TEAM"
    assert alice["tz"] == "Europe/Berlin"
    assert alice["tz_offset"] in (3600, 7200)
    assert alice["profile"]["display_name"] == "alice"

    vendor = client.users_info(user="U0VENDOR")["user"]
    assert vendor["team_id"] == "T0VENDOR"
    assert vendor["tz_offset"] == 19800

    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U0GHOST")
    assert slack_error(exc) == "user_not_found"


def test_views(fake: FakeSlack, client: WebClient) -> None:
    view = {
        "type": "modal",
        "callback_id": "new_task",
        "title": {"type": "plain_text", "text": "New task"},
        "blocks": [],
    }
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id="", view=view)
    assert slack_error(exc) == "invalid_arguments"

    opened = client.views_open(trigger_id="123.456.abc", view=view)["view"]
    assert opened["id"].startswith("V")
    assert opened["callback_id"] == "new_task"
    assert opened["hash"]

    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)["view"]
    assert updated["id"] == opened["id"]
    with pytest.raises(SlackApiError) as exc:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=view)
    assert slack_error(exc) == "hash_conflict"

    client.views_publish(user_id="U0ALICE", view={"type": "home", "blocks": []})
    assert [v["_method"] for v in fake.views] == ["views.open", "views.update", "views.publish"]
    assert fake.views[0]["_trigger_id"] == "123.456.abc"
    assert fake.views[2]["_user_id"] == "U0ALICE"


def test_response_url(fake: FakeSlack) -> None:
    url = fake.response_url("standup")
    resp = WebhookClient(url).send(text="done", response_type="ephemeral")
    assert resp.status_code == 200
    assert resp.body == "ok"
    [posted] = fake.wait_for_responses(1)
    assert posted == {"text": "done", "response_type": "ephemeral", "_key": "standup"}


def test_files_upload_v2(fake: FakeSlack, client: WebClient) -> None:
    resp = client.files_upload_v2(
        channel="C0GEN",
        content="id,name\n1,alice\n",
        filename="report.csv",
        initial_comment="weekly report",
    )
    file_id = resp["file"]["id"]
    assert fake.uploads[file_id] == b"id,name\n1,alice\n"
    assert resp["file"]["name"] == "report.csv"
    assert resp["file"]["size"] == len(fake.uploads[file_id])
    [share] = fake.file_shares
    assert share["channel_id"] == "C0GEN"
    assert share["initial_comment"] == "weekly report"
    assert share["files"][0]["id"] == file_id
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]

    with pytest.raises(SlackApiError) as exc:
        client.files_upload_v2(channel="C0RAND", content="x", filename="x.txt")
    assert slack_error(exc) == "not_in_channel"


def test_injected_failures_without_retries(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", error="fatal_error")
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C0GEN", text="x")
    assert slack_error(exc) == "fatal_error"

    fake.fail_next("users.info", status=503)
    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U0ALICE")
    assert exc.value.response.status_code == 503

    fake.fail_next("auth.test", status=429)
    with pytest.raises(SlackApiError) as exc:
        client.auth_test()
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["Retry-After"] == "1"
    assert slack_error(exc) == "ratelimited"

    # each fault is used once
    assert client.chat_postMessage(channel="C0GEN", text="x")["ok"] is True


def test_retry_handlers_recover_from_500_and_429(fake: FakeSlack) -> None:
    retrying = WebClient(
        base_url=fake.api_url,
        token=fake.bot_token,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=1),
            ServerErrorRetryHandler(max_retry_count=1),
        ],
    )
    fake.fail_next("chat.postMessage", status=500)
    fake.fail_next("chat.update", status=429)
    started = time.monotonic()
    sent = retrying.chat_postMessage(channel="C0GEN", text="eventually")
    retrying.chat_update(channel="C0GEN", ts=sent["ts"], text="eventually edited")
    assert time.monotonic() - started >= 1  # honoured Retry-After: 1
    assert len(fake.calls_to("chat.postMessage")) == 2
    assert len(fake.calls_to("chat.update")) == 2
    assert [m["text"] for m in fake.messages_in("C0GEN")] == ["eventually edited"]


def test_unknown_methods_tokens_and_wait_for(fake: FakeSlack, client: WebClient) -> None:
    assert client.api_call("reactions.add", json={"name": "eyes"})["ok"] is True
    assert fake.calls_to("reactions.add")[0].params == {"name": "eyes"}

    with pytest.raises(SlackApiError) as exc:
        WebClient(base_url=fake.api_url).auth_test()
    assert slack_error(exc) == "not_authed"
    with pytest.raises(SlackApiError) as exc:
        client.apps_connections_open(app_token=fake.bot_token)
    assert slack_error(exc) == "not_allowed_token_type"

    with pytest.raises(AssertionError, match=r"chat\.postMessage.*reactions\.add"):
        fake.wait_for("chat.postMessage", timeout=0.05)
    fake.reset_calls()
    assert fake.calls == []


def test_socket_mode_round_trip_with_bolt(fake: FakeSlack) -> None:
    web = WebClient(base_url=fake.api_url, token=fake.bot_token)
    app = App(token=fake.bot_token, client=web, signing_secret="x")

    @app.command("/ping")
    def ping(ack: Ack) -> None:
        ack("pong")

    handler = SocketModeHandler(app, app_token="xapp-test")
    handler.connect()
    try:
        fake.wait_for_socket_client(timeout=5)
        ack = fake.socket_send(
            "slash_commands",
            {
                "token": "legacy",
                "team_id": fake.team_id,
                "team_domain": "fake-team",
                "channel_id": "C0GEN",
                "channel_name": "general",
                "user_id": "U0ALICE",
                "user_name": "alice",
                "command": "/ping",
                "text": "",
                "api_app_id": fake.app_id,
                "is_enterprise_install": "false",
                "response_url": fake.response_url("ping"),
                "trigger_id": "123.456.abc",
            },
        )
        assert ack["payload"] == {"text": "pong"}
        assert fake.socket_acks == [ack]
    finally:
        handler.close()
    [open_call] = fake.calls_to("apps.connections.open")
    assert open_call.token == "xapp-test"
