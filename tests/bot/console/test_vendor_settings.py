"""Issue 12's "each rule once", tried as a new user would and kept as a golden console
transcript: the help, `vendor add` with a mistyped setting, `vendor set` with every
setting, bad dates of each kind, and spend. The vendor settings' usage, help, parsing and
change labels now come from one table (bot.vendor_settings), the dates from one grammar
(bot.schedule_rules.read_date); the transcript was made with the code before that change
and is byte for byte what it printed.

Regenerate after a wording change, having looked at the difference:
`UPDATE_GOLDEN=1 python -m pytest tests/bot/console/test_vendor_settings.py`.
"""

from __future__ import annotations

import os
import re

from bot.vendor_settings import SETTINGS
from tests.support.console import FIXTURES, after_prompt, run_console

SCENARIO = FIXTURES / "vendor_settings_scenario.txt"
GOLDEN = FIXTURES / "vendor_settings_scenario.out"
# The scorecard's chart is saved in the session's temporary folder: a new name each run.
SAVED_AS = re.compile(r"saved as \S+/files/")


def test_the_vendor_settings_scenario_screen_for_screen_and_in_words() -> None:
    status, transcript = run_console(SCENARIO.read_text())
    assert status == 0
    transcript = SAVED_AS.sub("saved as …/files/", transcript)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(transcript)
    assert transcript == GOLDEN.read_text()

    typo = after_prompt(transcript, "/delegate vendor add #acme-design Acme Design tmz:Asia/Manila")
    add_keys = [s.key for s in SETTINGS if s.add_form is not None]
    assert typo[-1].endswith(
        "`tmz:` is not a vendor setting. Use " + ", ".join(f"`{k}:`" for k in add_keys) + "."
    )
    # Every setting `vendor set` takes was changed once, and its reply names it.
    changed = " ".join(
        line
        for typed in SCENARIO.read_text().splitlines()
        if typed.startswith("/delegate vendor set ")
        for line in after_prompt(transcript, typed)
        if ":white_check_mark: Changed " in line
    )
    for setting in SETTINGS:
        assert f"Changed {setting.label}" in changed or f", {setting.label}" in changed
    assert after_prompt(transcript, "/delegate Logo refresh due:2026-02-30")[-1].endswith(
        "`2026-02-30` is not a real calendar date. Check the month and day and write it as "
        "`YYYY-MM-DD`."
    )
    assert (
        "`lastweek` is not a date I understand."
        in after_prompt(transcript, "/delegate report from:lastweek")[-1]
    )
    scorecard = after_prompt(transcript, "/delegate scorecard")
    assert any("USD 1,200.00 of USD 1,500.00 (80%)" in line for line in scorecard)
