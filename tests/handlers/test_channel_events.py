"""Channel events that pause a vendor, end to end: signed event_callback requests.

Listeners run after the ack; a test that expects nothing more to happen sends, last, an
event for another vendor (the barrier) and waits for its direct message.
"""

from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time

from bot.channel_changes import ARCHIVED, REMOVED, UNSHARED
from storage.models import Vendor
from tests.support.checkin_support import (
    MONDAY,
    audit_actions,
    event_envelope,
    get_vendor,
    make_vendor,
    payload,
    redeliver,
    sent_text,
)
from tests.support.slack_requests import BotUnderTest


def dms(bot: BotUnderTest) -> list[dict[str, Any]]:
    return [c.params for c in bot.slack.calls_to("chat.postMessage")]


def archive_barrier(bot: BotUnderTest, dm_count: int) -> None:
    """Archive a second vendor's channel: its DM is the `dm_count`th the bot sent."""
    make_vendor(bot.engine, channel_id="C0BARRIER", name="Barrier", added_by="U0BOB")
    bot.event(event_envelope({"type": "channel_archive", "channel": "C0BARRIER", "user": "U0BOB"}))
    assert len(bot.slack.calls_to("chat.postMessage")) == dm_count


@freeze_time(MONDAY)
def test_the_bot_removed_pauses_the_vendor_and_tells_who_added_it_once(bot: BotUnderTest) -> None:
    vendor = make_vendor(bot.engine, added_by="U0ALICE")
    envelope = payload("event_member_left_channel")
    assert bot.event(envelope).status == 200
    [dm] = bot.slack.wait_for("chat.postMessage")
    assert dm.params["channel"] == "U0ALICE"
    assert "removed from the channel" in sent_text(dm.params)
    assert "/delegate vendor resume" in sent_text(dm.params)

    # Slack retries the same event, and also sends channel_left for the same removal.
    assert redeliver(bot, envelope, attempt=1).status == 200
    bot.event(event_envelope({"type": "channel_left", "channel": "C0ACME", "actor_id": "U0BOB"}))
    archive_barrier(bot, dm_count=2)

    paused = get_vendor(bot.engine, vendor.saved_id)
    assert paused.paused and paused.pause_reason == REMOVED
    assert [d["channel"] for d in dms(bot)] == ["U0ALICE", "U0BOB"]
    assert audit_actions(bot.engine) == ["vendor.paused", "vendor.paused"]  # Acme, Barrier


CHANGES: list[tuple[dict[str, Any], str]] = [
    ({"type": "member_left_channel", "user": "U0BOT", "channel": "C0ACME"}, REMOVED),
    ({"type": "channel_left", "channel": "C0ACME", "actor_id": "U0BOB"}, REMOVED),
    ({"type": "group_left", "channel": "C0ACME", "actor_id": "U0BOB"}, REMOVED),
    ({"type": "channel_archive", "channel": "C0ACME", "user": "U0BOB"}, ARCHIVED),
    ({"type": "group_archive", "channel": "C0ACME"}, ARCHIVED),
    (
        {
            "type": "channel_unshared",
            "previously_connected_team_id": "T0VENDOR",
            "channel": "C0ACME",
            "is_ext_shared": False,
            "event_ts": "1764496800.000400",
        },
        UNSHARED,
    ),
]


@freeze_time(MONDAY)
@pytest.mark.parametrize(("event", "reason"), CHANGES, ids=[c[0]["type"] for c in CHANGES])
def test_each_channel_change_pauses_with_its_reason(
    bot: BotUnderTest, event: dict[str, Any], reason: str
) -> None:
    vendor = make_vendor(bot.engine)
    bot.event(event_envelope(event))
    [dm] = bot.slack.wait_for("chat.postMessage")
    assert reason in sent_text(dm.params) and dm.params["channel"] == "U0ALICE"
    paused = get_vendor(bot.engine, vendor.saved_id)
    assert (paused.paused, paused.pause_reason) == (True, reason)
    assert f"({reason})" in bot.command("vendor list")


@freeze_time(MONDAY)
def test_a_new_reason_is_told_but_a_repeated_one_is_not(bot: BotUnderTest) -> None:
    make_vendor(bot.engine)
    bot.event(event_envelope({"type": "channel_left", "channel": "C0ACME"}))
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    bot.event(event_envelope({"type": "channel_archive", "channel": "C0ACME", "user": "U0BOB"}))
    assert len(bot.slack.calls_to("chat.postMessage")) == 2
    bot.event(event_envelope({"type": "group_archive", "channel": "C0ACME"}))
    archive_barrier(bot, dm_count=3)
    assert [ARCHIVED in sent_text(d) for d in dms(bot)] == [False, True, True]


@freeze_time(MONDAY)
def test_people_leaving_and_other_channels_change_nothing(bot: BotUnderTest) -> None:
    vendor = make_vendor(bot.engine)
    bot.event(
        event_envelope({"type": "member_left_channel", "user": "U0VENDOR", "channel": "C0ACME"})
    )
    bot.event(
        event_envelope({"type": "channel_archive", "channel": "C0NOTAVENDOR", "user": "U0BOB"})
    )
    archive_barrier(bot, dm_count=1)
    assert not get_vendor(bot.engine, vendor.saved_id).paused
    assert [d["channel"] for d in dms(bot)] == ["U0BOB"]


@freeze_time(MONDAY)
def test_resume_clears_the_reason_once_the_bot_can_post_again(bot: BotUnderTest) -> None:
    vendor = make_vendor(bot.engine, channel_id="C0PUBLIC", name="Globex")
    bot.event(event_envelope({"type": "channel_left", "channel": "C0PUBLIC"}))
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    reply = bot.command("vendor resume <#C0PUBLIC|globex>")
    assert "resumed" in reply
    resumed: Vendor = get_vendor(bot.engine, vendor.saved_id)
    assert (resumed.paused, resumed.pause_reason) == (False, None)
    # A public channel: the bot joined it again on the way.
    assert [c.params["channel"] for c in bot.slack.calls_to("conversations.join")] == ["C0PUBLIC"]


@freeze_time(MONDAY)
def test_resume_is_refused_while_the_channel_is_archived(bot: BotUnderTest) -> None:
    vendor = make_vendor(bot.engine, channel_id="C0OLD", name="Old")
    bot.event(event_envelope({"type": "channel_archive", "channel": "C0OLD", "user": "U0BOB"}))
    assert len(bot.slack.calls_to("chat.postMessage")) == 1
    reply = bot.command("vendor resume <#C0OLD|old-vendor>")
    assert reply.startswith(":warning:") and "archived" in reply
    still = get_vendor(bot.engine, vendor.saved_id)
    assert (still.paused, still.pause_reason) == (True, ARCHIVED)
