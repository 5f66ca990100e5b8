"""Benchmark 5: how long `python -m bot console --demo` takes, beside a bare console start.

    python -m bench.console_demo [--runs 3] [--quick]

The demo plays a whole week (check-ins, clicks, thread replies, a delivery, the summary)
through the real app and the fake Slack in one process. It used to be timed inside
tests/bot/console/test_console.py (`assert elapsed < 60`); a time is not a test's business, so it is
measured here. Each run starts, as the test does, `python -m bot console --demo` in an
empty directory with no Slack settings; the yardstick is the same command without the
week, `python -m bot console --fresh` with nothing on stdin (interpreter start-up,
imports, the app, the fake Slack and a temporary database, then exit). Runs alternate
yardstick, demo. The figure is the ratio demo / yardstick (medians), which moves less
with the machine's other load than the seconds do. Nothing is asserted; exit status 0.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

from bench import common
from bench.common import PYTHON, subprocess_env, table, work_directory

# The bound the test used to assert, kept as the goal this benchmark reports against.
GOAL_SECONDS = 60.0


def timed_console(*args: str) -> tuple[float, int]:
    """Seconds from start to exit of `python -m bot console ARGS`, and its exit status."""
    with work_directory("bench-console-") as cwd:
        started = time.monotonic()
        result = subprocess.run(
            [PYTHON, "-m", "bot", "console", *args],
            cwd=cwd,
            env=subprocess_env(),  # no Slack settings at all, as a new user has
            input="",
            capture_output=True,
            text=True,
            timeout=300,
        )
        return time.monotonic() - started, result.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="pairs of runs (default 3)")
    parser.add_argument("--quick", action="store_true", help="one pair, to check it works")
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 3)

    common.print_machine()
    rows = []
    bare_times: list[float] = []
    demo_times: list[float] = []
    for n in range(1, runs + 1):
        bare, bare_status = timed_console("--fresh")
        demo, demo_status = timed_console("--demo")
        bare_times.append(bare)
        demo_times.append(demo)
        rows.append([n, f"{bare:.2f}", bare_status, f"{demo:.2f}", demo_status, demo / bare])
    print(
        table(
            ["run", "yardstick s", "exit", "demo s", "exit", "demo / yardstick"],
            rows,
        )
    )
    bare_median = statistics.median(bare_times)
    demo_median = statistics.median(demo_times)
    print()
    print(
        f"median: yardstick {bare_median:.2f} s, demo {demo_median:.2f} s, "
        f"ratio {demo_median / bare_median:.1f}x; "
        f"goal (demo under {GOAL_SECONDS:.0f} s): "
        f"{'met' if demo_median < GOAL_SECONDS else 'missed'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
