"""The console in-process and reading its transcripts, for the console tests and golden
transcripts (tests/fixtures/console)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

from bot.__main__ import build_deps, parse_now
from bot.config import Settings
from tests.support.cli import bot_env
from tests.support.paths import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "console"
MONDAY = "2026-11-30T10:00Z"

PROMPT = re.compile(r"^\[\w{3} \d{1,2} \w{3} \d\d:\d\d UTC\] @[\w.-]+ in #[\w.-]+> ")


def run_console(
    script: str, *, database: str | None = None, now: str | None = MONDAY
) -> tuple[int, str]:
    """The console in-process: a temporary database unless `database` is given; the clock
    starts at `now` (None: where the last session on `database` left it)."""
    from bot.console.start import ConsoleOptions
    from bot.console.start import run_console as console

    out = io.StringIO()
    options = ConsoleOptions(
        fresh=database is None, now=parse_now(now) if now else None, database_url=database
    )
    status = console(Settings(), build_deps, options, stdin=io.StringIO(script), stdout=out)
    return status, out.getvalue()


def after_prompt(transcript: str, typed: str) -> list[str]:
    """The lines printed in answer to the prompt line that ends with `typed`."""
    lines = transcript.splitlines()
    for index, line in enumerate(lines):
        if PROMPT.match(line) and line.endswith("> " + typed):
            answer = []
            for following in lines[index + 1 :]:
                if PROMPT.match(following) or following.startswith("# "):
                    break
                if following:  # blank lines in a script are echoed as blank lines
                    answer.append(following)
            return answer
    raise AssertionError(f"no prompt line with {typed!r} in:\n{transcript}")


def run_subprocess(
    tmp_path: Path, *args: str, script: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "console", *args],
        cwd=tmp_path,
        env=bot_env(),  # no Slack settings at all
        input=script,
        capture_output=True,
        text=True,
        timeout=90,
    )
