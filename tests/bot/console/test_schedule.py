"""Scheduled posts played in the console, kept as a golden transcript: a newcomer's mistakes,
then the check-in, its reminder, the escalation when the next check-in is due, and Friday's
summary with its thread, the feedback prompt and the digest (`bot/scheduling/`).

After a wording change: UPDATE_GOLDEN=1, then read the diff of the .out file.
"""

from __future__ import annotations

import os

from tests.support.console import FIXTURES, after_prompt, run_console

SCENARIO = FIXTURES / "schedule_scenario.txt"
GOLDEN = FIXTURES / "schedule_scenario.out"
START = "2026-11-30T08:00Z"


def test_the_schedule_scenario_screen_for_screen_and_in_words() -> None:
    status, transcript = run_console(SCENARIO.read_text(), now=START)
    assert status == 0
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(transcript)
    assert transcript == GOLDEN.read_text()

    assert "! no vendor is active, so nothing is scheduled; the clock stays" in after_prompt(
        transcript, ":time next"
    )
    nine, eleven, tuesday, _ = transcript.split("── Mon 30 Nov 2026 09:00 UTC ──")[1].split(
        ":time next", 3
    )
    assert ":wave: *Check-in for Acme Design*" in nine and "0 of 2 tasks answered" in nine
    assert "── Mon 30 Nov 2026 11:00 UTC ──" in eleven  # remind:2h after the 09:00 check-in
    assert "thread of [8]" in eleven and "@vera :bell: Nobody has answered" in eleven
    assert "DM to @alice" in tuesday and "has not answered the last check-in [→ 8]" in tuesday
    friday = "\n".join(after_prompt(transcript, ":time fri 16:05"))
    assert friday.count(":wave: *Check-in for Acme Design*") == 3  # Wed, Thu, Fri
    assert ":bar_chart: *Weekly summary for Acme Design*" in friday
    assert "thread of [22]" in friday and ":hourglass: *Overdue* (1)" in friday
    assert "*A quick question for Acme Design*" in friday
    assert ":clipboard: *Vendor digest*" in friday
