"""bot.blocks.common: the helpers that keep every builder within Slack's limits."""

from __future__ import annotations

from bot.blocks import common
from bot.slack_text import counted
from tests.support.slack_limits import assert_message_fits


def test_clip_leaves_text_that_fits_as_escape_would() -> None:
    assert common.clip("a < b & c", 100) == "a &lt; b &amp; c"
    assert common.clip("x" * 10, 10) == "x" * 10


def test_clip_cuts_with_an_ellipsis_and_never_inside_an_escaped_character() -> None:
    clipped = common.clip("&" * 100, 13)  # `&amp;&amp;&a` would cut the third in two
    assert clipped == "&amp;&amp;…"
    assert len(common.clip("<" * 3000, 2900)) <= 2900


def test_listed_says_how_many_it_left_out() -> None:
    assert common.listed(["a", "b", "c"], 100) == "a, b, c"
    text = common.listed([f"<@U{n:05d}>" for n in range(100)], 60)
    assert len(text) <= 60
    assert text == "<@U00000>, <@U00001>, <@U00002>, <@U00003>, and 96 more"
    assert common.listed(["x" * 50], 10) == "and 1 more"


def test_capped_keeps_a_message_within_50_blocks_and_counts_the_lines_left_out() -> None:
    blocks = [common.section(f"line {n}\nsecond") for n in range(60)]
    capped = common.capped(blocks)
    assert len(capped) == 50
    assert capped[:49] == blocks[:49]
    assert capped[-1] == common.context("… and 22 more lines not shown: too long for one message.")
    assert common.capped(blocks[:50]) == blocks[:50]


def test_lines_reply_is_a_plain_reply_while_it_fits_in_one_section() -> None:
    assert common.lines_reply(["*Vendors* (1)", "• one"]) == common.plain_reply(
        "*Vendors* (1)\n• one"
    )
    long = common.lines_reply(["*Vendors* (500)", *["• " + "v" * 1000] * 500])
    assert_message_fits(long)
    assert long["text"] == "*Vendors* (500)"


def test_sections_pack_lines_within_a_section() -> None:
    blocks = common.sections(["a" * 2000, "b" * 2000, "c" * 5000])
    assert [len(block["text"]["text"]) for block in blocks] == [2000, 2000, 2900]


def test_counted_says_one_week_and_two_weeks() -> None:
    assert [counted(n, "week") for n in (0, 1, 2)] == ["0 weeks", "1 week", "2 weeks"]
