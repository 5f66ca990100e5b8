"""Issue 12's "tried as a new user would", kept as a golden console transcript: buttons and
forms after the listeners were rewritten (typed payloads, one opening per kind), with the
mistakes a new user makes. Each refusal is private, said where the person is (in the form
while it is open), and changes nothing.

Regenerate after a wording change, having looked at the difference:
`UPDATE_GOLDEN=1 python -m pytest tests/bot/console/test_forms_and_clicks.py`.
"""

from __future__ import annotations

import os

from tests.support.console import FIXTURES, MONDAY, after_prompt, run_console

SCENARIO = FIXTURES / "forms_and_clicks_scenario.txt"
GOLDEN = FIXTURES / "forms_and_clicks_scenario.out"


def test_forms_and_clicks_screen_for_screen_and_in_words() -> None:
    status, transcript = run_console(SCENARIO.read_text(), now=MONDAY)
    assert status == 0
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(transcript)
    assert transcript == GOLDEN.read_text()

    # The app's own errors, shown in the open form (the form's ack with errors).
    note = after_prompt(transcript, ':click 6.1 "At risk"')
    assert "    ! Note: Keep the note under 2000 characters." in note
    assert "  + :large_yellow_circle: *At risk* by @vera: Waiting for the brand colours" in note
    away = after_prompt(transcript, ':click "Away…"')
    assert "    ! Last day away: The last day can't be before the first day." in away
    assert any("Saved: you are away Sat 5 Dec to Mon 7 Dec 2026" in line for line in away)
    # Someone else cannot press the requester's private buttons; Cancel leaves nothing.
    bob = after_prompt(transcript, ':click "Register and delegate"')
    assert bob == ['! no message you can see (as @bob) has a "Register and delegate" button']
    cancelled = after_prompt(transcript, ':click "Cancel"')
    assert "  + Cancelled: nothing was created or posted." in cancelled
    # A click the app refuses is answered privately to the clicker alone.
    lines = transcript.splitlines()
    [*_, last_done] = [i for i, line in enumerate(lines) if line.endswith('> :click 6.1 "Done"')]
    assert lines[last_done + 1 : last_done + 3] == [
        "[14] #acme-design · @delegate · only visible to @vera",
        "    :warning: Already recorded for #1; nothing changed.",
    ]
