"""Correct under concurrency, heavier than the suite's run, with figures.

    python -m bench.concurrency [--quick] [--users 10] [--channels 2] [--extra 1]
                                [--workers 2] [--seeds 3]

The bot runs as production does (`python -m bot web` with WEB_CONCURRENCY gunicorn workers
on PostgreSQL, ticks in their own processes); bench/concurrency_scenario.py plays the
scenario and checks its invariants. The default is the issue's "burst of 50 commands from
10 people in 5 seconds": 10 people each register 2 vendors and delegate to each, plus one
more command each, all at once, then clicks, thread replies and task commands at once.
Prints one row per seed: what was sent, ack percentiles, wall time and every invariant that
failed (none expected). Exits 0 whatever it finds: nothing here is a test.
"""

from __future__ import annotations

import time

from bench.common import (
    POSTGRES_URL,
    base_parser,
    free_port,
    percentile,
    print_machine,
    table,
    work_directory,
)
from bench.concurrency_scenario import Scenario, check_invariants, play, running_cluster


def main() -> None:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--channels", type=int, default=2, help="vendors each person adds")
    parser.add_argument("--extra", type=int, default=1, help="more commands per person")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.users, args.channels, args.extra, args.seeds = 3, 1, 1, 1
    print_machine()
    rows = []
    all_problems: list[str] = []
    for seed in range(1, args.seeds + 1):
        scenario = Scenario(
            seed=seed,
            users=args.users,
            channels_per_user=args.channels,
            extra_commands=args.extra,
            workers=args.workers,
        )
        with (
            work_directory("bench-concurrency-") as workdir,
            running_cluster(POSTGRES_URL, workdir, scenario, free_port()) as cluster,
        ):
            started = time.perf_counter()
            play(cluster, scenario)
            played = time.perf_counter() - started
            findings = check_invariants(cluster, scenario)
        burst = [s for s in scenario.sent if s.kind == "command"][
            : args.users * (2 * args.channels + args.extra)
        ]
        acks = [s.ack_seconds * 1000 for s in scenario.sent]
        rows.append(
            [
                seed,
                args.workers,
                sum(1 for s in scenario.sent if s.kind == "command"),
                sum(1 for s in scenario.sent if s.kind == "click"),
                sum(1 for s in scenario.sent if s.kind == "reply"),
                len(burst),
                percentile(acks, 50),
                percentile(acks, 99),
                max(acks),
                played,
                len(findings.problems),
            ]
        )
        all_problems += [f"seed {seed}: {problem}" for problem in findings.problems]
    print(
        table(
            [
                "seed",
                "workers",
                "commands",
                "clicks",
                "replies",
                "burst",
                "ack p50 ms",
                "ack p99 ms",
                "ack max ms",
                "played s",
                "invariants failed",
            ],
            rows,
        )
    )
    print("\n".join(all_problems) if all_problems else "Every invariant held in every run.")


if __name__ == "__main__":
    main()
