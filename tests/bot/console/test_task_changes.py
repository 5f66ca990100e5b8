"""Changing a task in the console, mistakes included, kept as a golden transcript: `edit`
with a `key:` word is refused with the command meant (it used to rename the task), an
unchanged edit, a typo of `assign`, a second `reopen`, and a one-week scorecard's wording.

Regenerate after a wording change, having looked at the difference:
`UPDATE_GOLDEN=1 python -m pytest tests/bot/console/test_task_changes.py`.
"""

from __future__ import annotations

import os
import re

from tests.support.console import FIXTURES, after_prompt, run_console

SCENARIO = FIXTURES / "task_changes_scenario.txt"
GOLDEN = FIXTURES / "task_changes_scenario.out"
SAVED_AS = re.compile(r"saved as \S+/files/")  # the chart's folder is new each run


def test_the_task_changes_scenario_screen_for_screen_and_in_words() -> None:
    status, transcript = run_console(SCENARIO.read_text())
    assert status == 0
    transcript = SAVED_AS.sub("saved as …/files/", transcript)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(transcript)
    assert transcript == GOLDEN.read_text()

    keyed = after_prompt(transcript, "/delegate edit 1 title:Logo v2")
    assert "only visible to @alice" in keyed[0]
    assert keyed[-1].endswith("Write `/delegate edit 1 New title`.")
    assert after_prompt(transcript, "/delegate edit 1 due:fri")[-1].endswith(
        "Write `/delegate due 1 DATE`."
    )
    # Nothing reached the vendor's channel for the refused edits: the first rename is "Logo v2".
    renamed = after_prompt(transcript, "/delegate edit 1 Logo v2")
    assert "retitled (was “Logo refresh”)" in renamed[1]
    assert "1 week, Mon 30 Nov" in " ".join(
        after_prompt(transcript, "/delegate scorecard #acme-design")
    )
