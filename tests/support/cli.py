"""Running `python -m bot` in a subprocess, as the CLI, console and process tests do."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO


def bot_env(**settings: str) -> dict[str, str]:
    """A minimal environment: nothing from the test runner's own Slack or database settings."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        **settings,
    }


def run_bot(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    [line] = lines
    for word in words:
        assert word in line, line
    return line


def free_port() -> int:
    """A port nothing listens on, for a server started a moment later in a subprocess.

    Chosen below the kernel's ephemeral range (32768 and up on Linux), at random: a port
    the kernel hands out for bind(("", 0)) could be given to another server (a fake Slack
    of a parallel test worker) between this probe and the subprocess binding it.
    """
    rng = random.SystemRandom()
    for _ in range(100):
        port = rng.randrange(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port between 20000 and 32000")
