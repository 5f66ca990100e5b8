"""Benchmark: one check-in tick for many installed workspaces (issue 15).

    python -m bench.workspaces [--workspaces 1000] [--vendors-per-workspace 5]
                               [--workspace-rate 0.05] [--database postgres] [--quick]

W workspaces, each installed (a row in slack_sdk's slack_bots with its own bot token) with
V vendors (one channel each, check-ins daily at 09:00 UTC, open tasks). A fake Slack in its
own process enforces Slack's limits per workspace: `--channel-rate` posts a second per
channel, and `--workspace-rate` posts a second per workspace (burst 1), answering 429 with
Retry-After beyond them. The scheduler runs as the `scheduler` command would in
many-workspace mode (`bot.installations.scheduler_clients`), ticking every
`--tick-interval` seconds until every vendor has its check-in.

Reported: time from the first tick to the last accepted post against the floor the
per-workspace limits allow ((V - 1) / workspace rate: the first post of each workspace goes
at once, then one every 1/rate seconds), 429s, lost and doubled check-ins (from what the fake
received, cross-checked with the claims), and the SQL statements that read bot tokens in
each tick (they must not grow with W).
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import event, insert, text

from bench import common
from bench.common import FakeSlackProcess, fresh_database, table, work_directory
from bench.dataset import channel_of, seed_vendors
from bench.fanout import BASE_NOW, WARM_UP_NOW, _claims, _log_to

CLIENT_ID = "1111.2222"


def main(argv: list[str] | None = None) -> int:
    parser = common.base_parser(__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=None, help="1000 (--quick 100)")
    parser.add_argument("--vendors-per-workspace", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=2, help="open tasks per vendor (2)")
    parser.add_argument("--channel-rate", type=float, default=1.0)
    parser.add_argument(
        "--workspace-rate",
        type=float,
        default=1 / 60,
        help="posts a second per workspace (1/60: the floor, 4 minutes for 5 vendors, is "
        "well above what 2 CPUs need for 5,000 posts, so the limits are what is measured)",
    )
    parser.add_argument("--tick-interval", type=float, default=30.0)
    parser.add_argument("--max-ticks", type=int, default=12)
    args = parser.parse_args(argv)
    if args.database == "both":
        args.database = "postgres"
    teams = args.workspaces or (100 if args.quick else 1000)
    common.print_machine()
    rows = []
    with work_directory("bench-workspaces-") as workdir:
        for kind in common.databases_from(args.database):
            rows.append(run_one(kind, workdir, teams, args))
    print()
    print(
        table(
            [
                "database",
                "workspaces x vendors",
                "floor",
                "last post",
                "ratio",
                "429s",
                "lost",
                "doubled",
                "token queries / tick",
            ],
            rows,
        )
    )
    return 0


def run_one(kind: str, workdir: Any, teams: int, args: Any) -> list[Any]:
    from bot.config import VendorDefaults, load_settings
    from bot.deps import Deps
    from bot.installations import scheduler_clients

    try:
        from bot.scheduling import run_tick
    except ImportError:  # a tree from before issue 12, measured for comparison
        from bot.scheduler import run_tick  # type: ignore[no-redef]
    from storage.database import make_engine

    per = args.vendors_per_workspace
    vendors = teams * per
    _log_to(workdir / f"scheduler-{kind}.log")
    floor = (per - 1) / args.workspace_rate
    with (
        fresh_database(kind, workdir) as database,
        (workdir / f"fake-{kind}.log").open("w") as fake_log,
        FakeSlackProcess(
            channel_rate=args.channel_rate,
            workspace_rate=args.workspace_rate,
            workspace_burst=1.0,
            log=fake_log,
        ) as fake,
    ):
        engine = make_engine(database.url)
        try:
            seed_vendors(engine, vendors, args.tasks)
            team_of = {n: f"T{n // per:06d}" for n in range(vendors)}
            with engine.begin() as connection:
                # Vendor n belongs to workspace n // per (ids follow n), tasks to theirs.
                number = f"CAST((id - 1) / {per} AS TEXT)"
                padded = (
                    f"lpad({number}, 6, '0')"
                    if kind == "postgres"
                    else f"substr('000000' || {number}, -6)"
                )
                connection.execute(text(f"UPDATE vendors SET team_id = 'T' || {padded}"))
                connection.execute(
                    text(
                        "UPDATE tasks SET team_id = "
                        "(SELECT team_id FROM vendors WHERE vendors.id = tasks.vendor_id)"
                    )
                )
                tokens = {f"T{t:06d}": f"xoxb-bench-{t:06d}" for t in range(teams)}
                bots = common_bots_table()
                connection.execute(
                    insert(bots),
                    [
                        {
                            "client_id": CLIENT_ID,
                            "app_id": "A0APP",
                            "team_id": team,
                            "bot_token": token,
                            "bot_id": "B0BOT",
                            "bot_user_id": "U0BOT",
                            "bot_scopes": "chat:write",
                            "is_enterprise_install": False,
                        }
                        for team, token in tokens.items()
                    ],
                )
            assert len(set(team_of.values())) == teams
            fake.setup(channels=[channel_of(n) for n in range(vendors)], workspaces=tokens)
            settings = load_settings(
                {
                    **os.environ,
                    "SLACK_CLIENT_ID": CLIENT_ID,
                    "SLACK_CLIENT_SECRET": "bench-secret",
                    "DATABASE_URL": database.url,
                    "SLACK_API_URL": fake.api_url,
                },
                dotenv_path=None,
            )
            deps = Deps(settings=settings, engine=engine, vendor_defaults=VendorDefaults())
            clients = scheduler_clients(settings, engine)
            token_reads: list[int] = [0]

            def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                if "slack_bots" in statement:
                    token_reads[0] += 1

            event.listen(engine, "before_cursor_execute", count)
            warm_up = run_tick(deps, clients, WARM_UP_NOW)
            print(f"  {kind} warm-up: {warm_up.line()}", flush=True)
            fake.reset()
            per_tick: list[int] = []
            # CPU time of this process (every scheduler thread): a figure the other loads
            # on a shared machine change much less than the wall-clock ratio.
            cpu_start = time.process_time()
            start = time.monotonic()
            for n in range(args.max_ticks):
                token_reads[0] = 0
                tick_start = time.monotonic()
                report = run_tick(deps, clients, BASE_NOW + timedelta(seconds=tick_start - start))
                per_tick.append(token_reads[0])
                print(
                    f"  {kind} tick {n + 1}: {time.monotonic() - tick_start:.1f} s, "
                    f"{token_reads[0]} token queries: {report.line()}",
                    flush=True,
                )
                delivered = len(fake.stats()["top_level"])
                if delivered >= vendors or not (report.retrying or report.errors):
                    break
                elapsed = time.monotonic() - start
                next_slot = math.ceil(elapsed / args.tick_interval) * args.tick_interval
                time.sleep(max(0.0, start + next_slot - time.monotonic()))
            cpu = time.process_time() - cpu_start
            stats = fake.stats()
            last = stats["last_post_at"]
            total = (last - start) if last is not None else float("nan")
            per_channel = Counter({k: int(v) for k, v in stats["top_level"].items()})
            expected = {channel_of(n) for n in range(vendors)}
            doubled = sum(c - 1 for c in per_channel.values() if c > 1)
            lost = len(expected - set(per_channel))
            sent, _other = _claims(engine)
            print(f"  {kind}: {sent} check-in claims sent, calls {stats['calls']}")
            print(
                f"  {kind}: scheduler CPU {cpu:.1f} s for {vendors} check-ins, "
                f"{1000 * cpu / vendors:.1f} ms each",
                flush=True,
            )
        finally:
            engine.dispose()
    return [
        kind,
        f"{teams} x {per}",
        f"{floor:.1f} s",
        f"{total:.1f} s",
        f"{total / floor:.2f}x",
        stats["rate_limited"],
        lost,
        doubled,
        " ".join(str(q) for q in per_tick),
    ]


def common_bots_table() -> Any:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from sqlalchemy import MetaData

    return SQLAlchemyInstallationStore.build_bots_table(MetaData(), "slack_bots")


if __name__ == "__main__":
    raise SystemExit(main())
