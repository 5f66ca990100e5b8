"""What Slack said about channels and users is remembered per workspace (bot.slack_facts),
and forgotten on the events that change it: end to end, signed requests against the fake
Slack, whose state the tests change the way a person in Slack would."""

from __future__ import annotations

from freezegun import freeze_time

from bot import blocks
from bot.permissions import OUTSIDE_REFUSAL
from tests.support.checkin_support import MONDAY, event_envelope, make_vendor
from tests.support.mistakes_support import command_message, press
from tests.support.slack_requests import BotUnderTest

ACME_TASK = "<#C0ACME|acme-design> Logo refresh due:2026-12-04"
GLOBEX_TASK = "<#C0PUBLIC|globex> Brochure due:2026-12-04"


def calls(bot: BotUnderTest, method: str) -> int:
    return len(bot.slack.calls_to(method))


@freeze_time(MONDAY)
def test_a_second_command_asks_slack_nothing_it_already_said(bot: BotUnderTest) -> None:
    make_vendor(bot.engine)
    bot.command(ACME_TASK)
    bot.slack.reset_calls()
    reply = bot.command("<#C0ACME|acme-design> Colour palette due:2026-12-04")
    assert "Colour palette" in reply
    assert calls(bot, "users.info") == 0 and calls(bot, "conversations.info") == 0


@freeze_time(MONDAY)
def test_an_archived_channel_is_seen_after_channel_archive(bot: BotUnderTest) -> None:
    assert "not a vendor yet" in bot.command(GLOBEX_TASK)
    bot.slack.add_channel("C0PUBLIC", "globex", members=["U0ALICE"], is_archived=True)
    # Without the event the remembered answer stands (for at most the TTL)...
    assert "not a vendor yet" in bot.command(GLOBEX_TASK)
    assert calls(bot, "conversations.info") == 1
    bot.event(event_envelope({"type": "channel_archive", "channel": "C0PUBLIC", "user": "U0X"}))
    # ...and after it the next command asks Slack again and sees the channel archived.
    assert "<#C0PUBLIC> is archived" in bot.command(GLOBEX_TASK)
    assert calls(bot, "conversations.info") == 2
    # Unarchived: usable again.
    bot.slack.add_channel("C0PUBLIC", "globex", members=["U0ALICE"])
    bot.event(event_envelope({"type": "channel_unarchive", "channel": "C0PUBLIC", "user": "U0X"}))
    assert "not a vendor yet" in bot.command(GLOBEX_TASK)


@freeze_time(MONDAY)
def test_a_renamed_channel_is_registered_under_its_new_name(bot: BotUnderTest) -> None:
    question = command_message(bot, GLOBEX_TASK)
    bot.slack.add_channel("C0PUBLIC", "globex-print", members=["U0ALICE"])
    rename = {"type": "channel_rename", "channel": {"id": "C0PUBLIC", "name": "globex-print"}}
    bot.event(event_envelope(rename))
    bot.slack.reset_calls()
    answer = press(bot, question, blocks.REGISTER_AND_DELEGATE_ACTION, channel="C0PUBLIC")
    assert "registered it as *globex-print*" in answer["text"]
    assert calls(bot, "conversations.info") == 1  # the rename made the remembered one stale


@freeze_time(MONDAY)
def test_without_the_rename_event_the_click_uses_what_the_command_saw(bot: BotUnderTest) -> None:
    # The counterpart of the test above: it is the event, not the click, that asks again.
    question = command_message(bot, GLOBEX_TASK)
    bot.slack.add_channel("C0PUBLIC", "globex-print", members=["U0ALICE"])
    bot.slack.reset_calls()
    answer = press(bot, question, blocks.REGISTER_AND_DELEGATE_ACTION, channel="C0PUBLIC")
    assert "registered it as *globex*" in answer["text"]
    assert calls(bot, "conversations.info") == 0


@freeze_time(MONDAY)
def test_the_bot_invited_to_a_private_channel_is_seen_after_member_joined(
    bot: BotUnderTest,
) -> None:
    bot.slack.add_channel("C0SECRET", "secret", is_private=True, members=["U0ALICE"])
    task = "<#C0SECRET|secret> Brochure due:2026-12-04"
    assert "I'm not in <#C0SECRET>" in bot.command(task)
    bot.slack.add_bot_to("C0SECRET")
    joined = {"type": "member_joined_channel", "user": "U0BOT", "channel": "C0SECRET"}
    bot.event(event_envelope(joined))
    assert "not a vendor yet" in bot.command(task)


@freeze_time(MONDAY)
def test_a_member_turned_guest_is_seen_after_user_change(bot: BotUnderTest) -> None:
    make_vendor(bot.engine)
    assert "Logo refresh" in bot.command(ACME_TASK)
    # Alice now belongs to another organisation (a guest through Slack Connect).
    bot.slack.add_user("U0ALICE", "alice", team_id="T0VENDOR")
    assert "Colour" in bot.command("<#C0ACME|acme-design> Colour due:2026-12-04")
    assert calls(bot, "users.info") == 1  # remembered: no event yet
    changed = {"type": "user_change", "user": {"id": "U0ALICE", "team_id": "T0VENDOR"}}
    bot.event(event_envelope(changed))
    assert OUTSIDE_REFUSAL in bot.command("<#C0ACME|acme-design> Fonts due:2026-12-04")
    assert calls(bot, "users.info") == 2
