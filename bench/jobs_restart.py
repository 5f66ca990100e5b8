"""Benchmark 9: fifty `/delegate` tasks in a few seconds while the job runner is killed.

    python -m bench.jobs_restart [--commands 50] [--kill-after 15] [--workers 2]

`python -m bot web` with WEB_CONCURRENCY workers and JOB_RUNNER=separate on a private
PostgreSQL schema, one `python -m bot jobs`, the fake Slack in a process of its own. Each
of `--commands` people sends one task for one of ten vendor channels, ten at a time; after
`--kill-after` acks the job runner gets SIGKILL (no goodbye: its leases simply stop being
renewed) and a new one is started. Then, once the queue is empty: every command acked,
every requester answered, every task written once and announced once. Prints the checks
and exits 0 (nothing here is a test; tests/bot/test_jobs.py is).
"""

from __future__ import annotations

import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench import common
from bench.command_latency import (
    CHANNELS,
    USERS,
    Client,
    register_vendors,
    start_bot,
    start_process,
)
from bench.common import FakeSlackProcess, fresh_database, work_directory

PEOPLE = [f"U0PEOPLE{n:02d}" for n in range(100)]


def main(argv: list[str] | None = None) -> int:
    parser = common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=50)
    parser.add_argument("--kill-after", type=int, default=15, help="acks before the kill (15)")
    parser.add_argument("--workers", type=int, default=2, help="web workers (2)")
    args = parser.parse_args(argv)
    common.print_machine()
    with (
        work_directory("bench-restart-") as workdir,
        fresh_database("postgres", workdir) as database,
        (workdir / "fake.log").open("w") as fake_log,
        FakeSlackProcess(log=fake_log) as fake,
    ):
        fake.setup(channels=CHANNELS[:10], users=PEOPLE + USERS)
        side = start_bot(workdir, database, fake, args.workers, 1)
        client = Client(fake)
        try:
            register_vendors(client, side.server, CHANNELS[:10])
            before = fake.stats()
            posts_before, responses_before = before["posts"], before["responses"]
            runner = side.runners[0]
            acked: list[Any] = []
            started = time.monotonic()

            def one(n: int) -> Any:
                channel = CHANNELS[n % 10]
                text = f"<#{channel}|{channel.lower()}> Trial task {n:03d} due:+3d"
                sample = client.send(side.server, n, text, user=PEOPLE[n])
                acked.append(sample)
                if len(acked) == args.kill_after:
                    runner.send_signal(signal.SIGKILL)
                return sample

            with ThreadPoolExecutor(max_workers=10) as pool:
                samples = list(pool.map(one, range(args.commands)))
            burst = time.monotonic() - started
            runner.wait()
            print(
                f"{args.commands} commands sent in {burst:.2f} s ({args.workers} web workers); "
                f"job runner killed (SIGKILL) after {args.kill_after} acks; load "
                f"{common_load()}"
            )
            side.runners[0] = start_process(
                workdir, "jobs-restarted", ["-m", "bot", "jobs"], side_env(fake, database)
            )
            restarted = time.monotonic()
            keys = {s.key for s in samples if s.status == 200}
            wait_until = time.monotonic() + 120
            stats: dict[str, Any] = {}
            while time.monotonic() < wait_until:
                stats = fake.stats(with_times=True)
                if (
                    all(k in stats["response_times"] for k in keys)
                    and stats["posts"] - posts_before >= len(keys)
                    and unfinished(database.url) == 0
                ):
                    break
                time.sleep(0.2)
            print(f"queue empty {time.monotonic() - restarted:.1f} s after the restart")
            stats["responses"] -= responses_before
            report(database.url, samples, keys, stats, posts_before)
        finally:
            side.stop()
    return 0


def common_load() -> str:
    from bench.command_latency import load_average

    return load_average()


def side_env(fake: FakeSlackProcess, database: common.Database) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": common.BOT_TOKEN,
        "SLACK_SIGNING_SECRET": common.SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": database.url,
        "JOB_RUNNER": "separate",
    }


def unfinished(url: str) -> int:
    from storage import jobs
    from storage.database import make_engine

    engine = make_engine(url)
    try:
        return jobs.unfinished(engine)
    finally:
        engine.dispose()


def report(
    url: str, samples: list[Any], keys: set[str], stats: dict[str, Any], posts_before: int
) -> None:
    from sqlalchemy import text

    from storage.database import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            titles = [
                row[0]
                for row in connection.execute(
                    text("SELECT title FROM tasks WHERE title LIKE 'Trial task %'")
                )
            ]
            jobs = connection.execute(
                text("SELECT outcome, attempts, count(*) FROM jobs GROUP BY 1, 2 ORDER BY 1, 2")
            ).all()
    finally:
        engine.dispose()
    answered = sum(1 for k in keys if k in stats.get("response_times", {}))
    checks = [
        ("acked 200", sum(1 for s in samples if s.status == 200), len(samples)),
        ("requesters answered", answered, len(samples)),
        ("tasks written", len(titles), len(samples)),
        ("distinct tasks", len(set(titles)), len(samples)),
        ("announcements posted", stats.get("posts", 0) - posts_before, len(samples)),
    ]
    for name, got, wanted in checks:
        print(f"  {name}: {got} of {wanted} {'ok' if got == wanted else 'WRONG'}")
    print(f"  replies at response_urls (a rerun may answer twice): {stats.get('responses')}")
    print("  jobs by outcome and attempts: " + ", ".join(f"{o} x{a}: {n}" for o, a, n in jobs))


if __name__ == "__main__":
    sys.exit(main())
