"""Property tests over the /delegate grammar: whatever the text, the parser either returns a
command or raises UsageError with a message; it never raises anything else, and a message
never carries user text that could ping someone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.command_grammar import COMMAND_WORDS, parse_command
from bot.commands import CreateTask
from bot.errors import UsageError
from bot.slack_text import escape

WORDS = st.sampled_from(
    [
        "help",
        "list",
        "all",
        "overdue",
        "done",
        "cancel",
        "due",
        "vendor",
        "add",
        "set",
        "pause",
        "resume",
        "holiday",
        "remove",
        "reopen",
        "edit",
        "assign",
        "owner",
        "rename",
        "restore",
        "removed",
        "lsit",
        "undo",
        "#12",
        "12",
        "due:fri",
        "due:",
        "due:2026-02-30",
        "tz:Asia/Manila",
        "tz:../../etc/passwd",
        "checkins:weekdays@09:00",
        "checkins:@",
        "summary:fri@99:99",
        "remind:4h",
        "workdays:sun-thu",
        "<#C0ACME|acme>",
        "<#C0ACME>",
        "<@U0BOB|bob>",
        "<!channel>",
        "<!here>",
        "&lt;!channel&gt;",
        "|",
        "&amp;",
        "`",
        "\u202e",
        "\u00e9t\u00e9",
        "\U0001f680",
    ]
)
TEXT = st.one_of(
    st.lists(WORDS, max_size=8).map(" ".join),
    st.text(max_size=400),
    st.lists(st.one_of(WORDS, st.text(max_size=20)), max_size=10).map(" ".join),
)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_parser_returns_a_command_or_a_usage_error(text: str) -> None:
    try:
        command = parse_command(text)
    except UsageError as error:
        assert error.message.strip()
        assert "<!channel>" not in error.message and "<!here>" not in error.message
        assert len(error.message) < 600
        return
    if isinstance(command, CreateTask):
        assert command.title and len(command.title) <= 300
        # Stored as typed; on output it is escaped, so no mention can survive.
        assert "<" not in escape(command.title) and ">" not in escape(command.title)


COMMAND_WORD = st.sampled_from(COMMAND_WORDS)


def _swap(word: str, at: int) -> str:
    at %= len(word) - 1
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


@settings(max_examples=300, deadline=None)
@given(COMMAND_WORD, st.integers(min_value=0, max_value=20), st.sampled_from(["", " 12", " x y"]))
def test_a_command_word_with_two_letters_swapped_is_refused_never_delegated(
    word: str, at: int, tail: str
) -> None:
    typo = _swap(word, at)
    if typo == word:
        return
    with pytest.raises(UsageError) as raised:
        parse_command(typo + tail)
    assert "did you mean" in raised.value.message
    assert f"/delegate #vendor {typo} …" in raised.value.message


@settings(max_examples=300, deadline=None)
@given(COMMAND_WORD, st.integers(min_value=0, max_value=20))
def test_a_channel_first_makes_any_first_word_a_title(word: str, at: int) -> None:
    typo = _swap(word, at)
    command = parse_command(f"<#C0ACME|acme> {typo} of things")
    assert isinstance(command, CreateTask) and command.title == f"{typo} of things"
