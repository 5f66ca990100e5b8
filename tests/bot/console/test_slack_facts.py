"""Issue 16's remembered Slack answers, played in the console as a new user would:
delegate twice in a channel, rename it, delegate again, and turn a teammate into the
vendor's guest. Golden: tests/fixtures/console/slack_facts_scenario.out."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.console import FIXTURES, MONDAY, after_prompt, run_console, run_subprocess

SCENARIO = FIXTURES / "slack_facts_scenario.txt"
GOLDEN = FIXTURES / "slack_facts_scenario.out"


def test_the_slack_facts_scenario_screen_for_screen(tmp_path: Path) -> None:
    result = run_subprocess(tmp_path, "--fresh", "--now", MONDAY, script=SCENARIO.read_text())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(result.stdout)
    assert result.stdout == GOLDEN.read_text()


def test_the_renamed_channel_and_the_new_guest_are_seen_at_once() -> None:
    status, transcript = run_console(SCENARIO.read_text())
    assert status == 0
    assert "delegated to #globex-print" in "\n".join(
        after_prompt(transcript, "/delegate #globex-print Poster due:fri")
    )
    assert "Unknown" not in transcript and "Traceback" not in transcript
    # The same words from Bob: refused as a teammate's, then a delivery once he is a guest.
    [teammate, guest] = [
        "\n".join(after_prompt(transcript, typed))
        for typed in (":reply last #1 done", ":reply last #2 done")
    ]
    assert "only they can `done` it" in teammate
    assert "Delivered, waiting for @alice's review" in guest
    for typed in (":rename #nowhere #somewhere", ":rename #globex-print #general"):
        assert after_prompt(transcript, typed)[0].startswith("! ")
