"""Issue 18's "tried as a new user would", kept as a golden console transcript: a
freelancer marks herself away Thursday and Friday from the check-in's menu and hears
nothing until Monday, nobody is escalated about her; the Manila agency (two check-ins a
day) gets none on Rizal Day or New Year without anyone typing them in; the team's
questions are answered from a form and read in Friday's summary thread and the digest.

Regenerate after a wording change, having looked at the difference:
`UPDATE_GOLDEN=1 python -m pytest tests/bot/console/test_vendor_side.py`.
"""

from __future__ import annotations

import os
import re

from tests.support.console import FIXTURES, after_prompt, run_console

SCENARIO = FIXTURES / "vendor_side_scenario.txt"
GOLDEN = FIXTURES / "vendor_side_scenario.out"
START = "2026-12-28T08:00Z"


def between(lines: list[str], start: str, end: str) -> list[str]:
    first = next(i for i, line in enumerate(lines) if line.startswith(start))
    last = next(i for i, line in enumerate(lines) if i > first and line.startswith(end))
    return lines[first:last]


def test_the_vendor_side_scenario_screen_for_screen_and_in_words() -> None:
    status, transcript = run_console(SCENARIO.read_text(), now=START)
    assert status == 0
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(transcript)
    assert transcript == GOLDEN.read_text()

    typed = next(line for line in SCENARIO.read_text().splitlines() if "Philippines" in line)
    refused = after_prompt(transcript, typed)
    assert refused[-1].endswith("`Philippines`: write the country's code, `holidays:PH`.")
    listing = after_prompt(transcript, "/delegate vendor holiday #manila-agency")
    assert "    • Wed 30 Dec 2026: Rizal Day (PH)" in listing

    week = after_prompt(transcript, ":time 2027-01-04 09:30")
    holidays = between(week, "── Wed 30 Dec", "── Mon 4 Jan")
    assert not [line for line in holidays if "Check-in for Manila Agency" in line]
    # Wednesday's reminder is the last Maria hears before Monday (nothing is posted on
    # Thursday, so the transcript has no Thursday at all).
    away = between(week, "── Wed 30 Dec 2026 13:00", "── Mon 4 Jan")
    assert [line for line in away if re.search(r"@maria :bell:", line)] == [away[2]]
    assert not [line for line in away[3:] if re.search(r"@maria :bell:", line)]
    assert not [line for line in away if "Check-in for Maria Santos" in line]
    assert not [line for line in away if "Nobody at *Maria Santos*" in line]
    assert not [line for line in week if line.startswith("── Thu 31 Dec")]
    assert "    :speech_balloon: *Answers to the check-in questions* (2)" in away
    assert "    :palm_tree: @maria away until Fri 1 Jan (New Year with family, back Monday)" in away
    assert any(
        "Check-in for Maria Santos" in line
        for line in between(week, "── Mon 4 Jan 2027 09:00", "· Clock")
    )
