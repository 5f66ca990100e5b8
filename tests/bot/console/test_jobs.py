"""Issue 16 played as a new user would, in `python -m bot console --fresh`: every command,
click and event now goes through the jobs queue (bot.jobs, JOB_RUNNER=web), and the
session reads as it did before: mistakes answered privately, each task announced once, a
second press and a second `done` change nothing. Compared screen for screen with
tests/fixtures/console/jobs_scenario.out (UPDATE_GOLDEN=1 rewrites it after a wording
change)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.console import FIXTURES, MONDAY, run_subprocess

SCRIPT = FIXTURES / "jobs_scenario.txt"
GOLDEN = FIXTURES / "jobs_scenario.out"


def test_the_jobs_scenario_screen_for_screen(tmp_path: Path) -> None:
    result = run_subprocess(tmp_path, "--fresh", "--now", MONDAY, script=SCRIPT.read_text())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(result.stdout)
    assert result.stdout == GOLDEN.read_text()
    transcript = result.stdout
    assert transcript.count("*New task #1: Banner*") == 1
    assert transcript.count("*New task #2: Logo refresh*") == 1
    assert "Task #2 is already done; nothing changed." in transcript
    assert "did you mean `/delegate done ID`?" in transcript
