"""Block Kit played in `python -m bot console --fresh` with the longest title and markup
characters (tests/fixtures/console/markup_scenario.txt): delegate, check-in, review,
rating, summary and Home, compared screen for screen with markup_scenario.out
(after a wording change, look at the difference, then regenerate it with
`UPDATE_GOLDEN=1 python -m pytest tests/bot/blocks/test_console_markup.py`).

The console shows a real `<!channel>` as `@channel` and a link as `label (url)`; typed
markup must come back as the text it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

FIXTURES = REPO / "tests" / "fixtures" / "console"
SCENARIO = FIXTURES / "markup_scenario.txt"
GOLDEN = FIXTURES / "markup_scenario.out"


def test_markup_and_the_longest_title_go_through_every_message_as_text(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--fresh", "--now", "2026-11-30T10:00Z"],
        cwd=tmp_path,
        env={  # no Slack or database settings from the test run
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1",
        },
        input=SCENARIO.read_text(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    transcript = result.stdout
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(transcript)
    assert transcript == GOLDEN.read_text()
    # Said in words: nobody was pinged, nothing became a link, and the title went through
    # whole, in the announcement, the check-in, the review, the rating and the summary.
    for rendered in ("@channel", "@here", "(https://evil.example)"):
        assert rendered not in transcript
    title = SCENARIO.read_text().split("@vera ", 2)[2].split(" due:")[0]
    assert len(title) == 300
    assert transcript.count(title) >= 10
    assert "That title is 301 characters; 300 at most." in transcript
