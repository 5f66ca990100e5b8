"""Issue 12's listener decorators (handlers/listening.py), played in the console as a new
user would: a form refusal shown in the open form, a click on someone else's private
message, a required field left empty, a button pressed after the decision replaced it.

Regenerate after a wording change, having looked at the difference:
`UPDATE_GOLDEN=1 python -m pytest tests/bot/console/test_review_clicks.py`.
"""

from __future__ import annotations

import os

from tests.support.console import FIXTURES, MONDAY, after_prompt, run_console

SCENARIO = FIXTURES / "review_clicks_scenario.txt"
GOLDEN = FIXTURES / "review_clicks_scenario.out"


def test_review_clicks_screen_for_screen_and_in_words() -> None:
    status, transcript = run_console(SCENARIO.read_text(), now=MONDAY)
    assert status == 0
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(transcript)
    assert transcript == GOLDEN.read_text()

    away = after_prompt(transcript, ':click 4.3 "Away…"')
    assert "    ! Last day away: The last day can't be before the first day." in away
    assert any("Saved: you are away Wed 9 Dec to Fri 11 Dec 2026" in line for line in away)
    assert after_prompt(transcript, ':click 7 "Accept"')[0] == (
        "! only @alice can see [7]; switch with :as @alice"
    )
    changes = after_prompt(transcript, ':click 7 "Request changes"')
    assert "    ! What should change? is required" in changes
    assert "  + > Please use the brand blue" in changes
