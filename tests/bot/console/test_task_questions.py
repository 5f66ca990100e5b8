"""Issue 14's last two gaps played in the console, kept as a golden transcript: a vendor's
question in a task's thread waits on the team until someone of the team replies there, and
a due date moved before the delivery is the one on time is judged against.

After a wording change: UPDATE_GOLDEN=1, then read the diff of the .out file.
"""

from __future__ import annotations

import os

from tests.support.console import FIXTURES, after_prompt, run_console

SCENARIO = FIXTURES / "task_questions_scenario.txt"
GOLDEN = FIXTURES / "task_questions_scenario.out"
START = "2026-11-30T10:00Z"


def test_the_task_questions_scenario_screen_for_screen_and_in_words() -> None:
    status, transcript = run_console(SCENARIO.read_text(), now=START)
    assert status == 0
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(transcript)
    assert transcript == GOLDEN.read_text()

    first, second = (
        after_prompt(transcript, "/delegate summary"),
        after_prompt(transcript.split("512 and 1024 px", 1)[1], "/delegate summary"),
    )
    question = (
        "    • *#1* Logo refresh · your question of Mon 30 Nov: "
        "“Which logo sizes do you need? And is <b>bold</b> ok?”"
    )
    assert "    *Waiting on us*" in first and question in first
    assert not [line for line in first if "Files are in" in line or "no rush" in line]
    assert not [line for line in second if "Waiting on us" in line]

    accepted = after_prompt(transcript, ':click 24 "Accept"')
    assert "  + :white_check_mark: *Done* on time, accepted by @alice" in accepted
    refused = after_prompt(transcript, "/delegate due 1 wed")
    assert refused[-1].endswith("Task #1 is already done; nothing changed.")
    friday = after_prompt(transcript, ":time fri 16:05")
    assert "    *Completed:* 1 (1 on time, 0 late)" in friday
