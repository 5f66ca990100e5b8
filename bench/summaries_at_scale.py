"""Benchmark 3: weekly summaries, the internal digest and App Home on a large workspace.

    python -m bench.summaries_at_scale [--vendors 1000] [--tasks 20000] [--updates 200000]

A workspace after months of use (bench.dataset.seed_history: vendors in four time zones,
tasks in every state, four weeks of daily check-ins, status updates and thread replies,
deliveries and ratings) is written to SQLite and to PostgreSQL, at full size and at a
tenth of it. On each, in this process, the bot's own functions are timed as the scheduler
and the Home handler call them, each in its own transaction:

- **vendor summary**: `bot.summaries.vendor_summary` and its two messages
  (`blocks.summary_message`, `blocks.summary_thread`), for `--sample` vendors spread over
  the ids;
- **digest**: `bot.summaries.team_digest` and `blocks.digest_message` for the whole team;
- **App Home**: `bot.summaries.home_overview` and `blocks.home_view`, for several owners.

Queries are counted with SQLAlchemy's `before_cursor_execute` event on the engine. The
goal: under 50 ms per vendor summary, and as many queries at a tenth of the data as at all
of it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bench import common
from bench.common import fresh_database, percentile, table, work_directory
from bench.dataset import OWNERS, TEAM_ID, Seeded, seed_history

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday afternoon
GOAL_MS = 50.0


@dataclass
class Measure:
    database: str
    size: str
    what: str
    times: list[float] = field(default_factory=list)  # ms
    queries: list[int] = field(default_factory=list)


class QueryCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1


def timed(
    engine: Engine, counter: QueryCounter, work: Callable[[Any], object]
) -> tuple[float, int]:
    """Run `work(session)` in a transaction of its own: (milliseconds, queries)."""
    from storage.database import transaction

    before = counter.count
    start = time.perf_counter()
    with transaction(engine) as session:
        work(session)
    return (time.perf_counter() - start) * 1000, counter.count - before


def measure(kind: str, size: str, engine: Engine, sample: int, repeats: int) -> list[Measure]:
    from bot import blocks, summaries
    from storage.database import transaction
    from storage.models import Vendor

    counter = QueryCounter(engine)
    with transaction(engine) as session:
        vendors = list(session.exec(select(Vendor).order_by(col(Vendor.id))).all())
    step = max(1, len(vendors) // sample)
    chosen = vendors[::step][:sample]

    def summary_of(vendor: Vendor) -> Callable[[Any], object]:
        def work(session: Any) -> object:
            summary = summaries.vendor_summary(session, vendor, NOW)
            return blocks.summary_message(summary), blocks.summary_thread(summary)

        return work

    def digest(session: Any) -> object:
        return blocks.digest_message(summaries.team_digest(session, TEAM_ID, ZoneInfo("UTC"), NOW))

    def home_of(owner: str) -> Callable[[Any], object]:
        def work(session: Any) -> object:
            overview = summaries.home_overview(session, TEAM_ID, owner, ZoneInfo("UTC"), NOW)
            return blocks.home_view(overview)

        return work

    results = []
    # One call of each first, not counted: imports, statement caches, the SQLite function.
    timed(engine, counter, summary_of(chosen[0]))
    timed(engine, counter, digest)
    timed(engine, counter, home_of(OWNERS[0]))
    for what, works in (
        ("vendor summary", [summary_of(v) for v in chosen]),
        ("digest (whole team)", [digest] * repeats),
        ("App Home", [home_of(OWNERS[n % len(OWNERS)]) for n in range(repeats)]),
    ):
        result = Measure(kind, size, what)
        for work in works:
            ms, queries = timed(engine, counter, work)
            result.times.append(ms)
            result.queries.append(queries)
        results.append(result)
    return results


def run_database(
    kind: str, workdir: Path, sizes: list[tuple[str, int, int, int]], sample: int, repeats: int
) -> tuple[list[Measure], list[tuple[str, str, Seeded, float]]]:
    from storage.database import make_engine

    measures: list[Measure] = []
    seeded: list[tuple[str, str, Seeded, float]] = []
    for label, vendors, tasks, updates in sizes:
        with fresh_database(kind, workdir) as database:
            engine = make_engine(database.url)
            try:
                start = time.monotonic()
                rows = seed_history(
                    engine,
                    vendors=vendors,
                    tasks=tasks,
                    updates_and_responses=updates,
                    today=NOW.date(),
                )
                seeded.append((kind, label, rows, time.monotonic() - start))
                print(
                    f"  {kind} {label}: {rows.rows:,} rows written in "
                    f"{time.monotonic() - start:.0f} s",
                    flush=True,
                )
                measures += measure(kind, label, engine, sample, repeats)
            finally:
                engine.dispose()
    return measures, seeded


def main(argv: list[str] | None = None) -> int:
    parser = common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=None, help="1000 (--quick 100)")
    parser.add_argument("--tasks", type=int, default=None, help="20000 (--quick 2000)")
    parser.add_argument(
        "--updates", type=int, default=None, help="status updates and replies, 200000"
    )
    parser.add_argument("--sample", type=int, default=None, help="vendor summaries timed (200)")
    parser.add_argument("--repeats", type=int, default=5, help="digests and Home tabs timed")
    args = parser.parse_args(argv)
    vendors = args.vendors or (100 if args.quick else 1000)
    tasks = args.tasks or (2000 if args.quick else 20_000)
    updates = args.updates or (20_000 if args.quick else 200_000)
    sample = args.sample or (50 if args.quick else 200)
    sizes = [
        ("1/10", max(1, vendors // 10), max(1, tasks // 10), max(4, updates // 10)),
        ("full", vendors, tasks, updates),
    ]
    common.print_machine()
    print(
        f"Summaries at scale: {vendors} vendors, {tasks:,} tasks, {updates:,} status updates "
        f"and thread replies (and a tenth of that); {sample} vendor summaries, "
        f"{args.repeats} digests and {args.repeats} Home tabs timed on each\n"
    )
    measures: list[Measure] = []
    seeded: list[tuple[str, str, Seeded, float]] = []
    with work_directory("bench-summaries-") as workdir:
        for kind in common.databases_from(args.database):
            found, rows = run_database(kind, workdir, sizes, sample, args.repeats)
            measures += found
            seeded += rows
    print_results(measures, seeded)
    return 0


def _queries(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def print_results(measures: list[Measure], seeded: list[tuple[str, str, Seeded, float]]) -> None:
    print()
    print(
        table(
            [
                "database",
                "data",
                "vendors",
                "tasks",
                "check-ins",
                "updates",
                "replies",
                "seeded in",
            ],
            [
                [k, label, s.vendors, s.tasks, s.posts, s.updates, s.responses, f"{took:.0f} s"]
                for k, label, s, took in seeded
            ],
        )
    )
    print()
    rows = []
    for m in measures:
        rows.append(
            [
                m.database,
                m.size,
                m.what,
                len(m.times),
                f"{percentile(m.times, 50):.1f}",
                f"{percentile(m.times, 95):.1f}",
                f"{max(m.times):.1f}",
                _queries(m.queries),
            ]
        )
    print(
        table(
            ["database", "data", "what", "calls", "p50 ms", "p95 ms", "max ms", "queries per call"],
            rows,
        )
    )
    print()
    verdicts = []
    by_key = {(m.database, m.size, m.what): m for m in measures}
    for (database, size, what), full in by_key.items():
        if size != "full":
            continue
        small = by_key.get((database, "1/10", what))
        same = small is not None and set(small.queries) == set(full.queries)
        fast = what != "vendor summary" or percentile(full.times, 95) < GOAL_MS
        verdicts.append(
            [
                database,
                what,
                f"{percentile(full.times, 50):.1f} / {percentile(full.times, 95):.1f} ms",
                f"{_queries(small.queries) if small else '?'} -> {_queries(full.queries)}",
                "met" if same and fast else "missed",
            ]
        )
    print(
        table(
            [
                "database",
                "what",
                "full data p50 / p95",
                "queries 1/10 -> full",
                f"goal (summary p95 < {GOAL_MS:.0f} ms; same queries)",
            ],
            verdicts,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
